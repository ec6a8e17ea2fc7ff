//! The query history in the browser's `localStorage`. Storage may be
//! missing or refuse writes (private windows, full quota): the history is
//! then simply not kept.

use playground_core::query::History;

/// The key the history is stored under.
const HISTORY_KEY: &str = "treecounter-playground.query-history";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored history text; empty when there is none.
pub fn read_history() -> String {
    local_storage()
        .and_then(|storage| storage.get_item(HISTORY_KEY).ok().flatten())
        .unwrap_or_default()
}

/// Records `query` as the newest entry of the history.
pub fn remember(query: &str) {
    let Some(storage) = local_storage() else {
        return;
    };
    let mut history = History::from_storage(&read_history());
    history.push(query);
    let _ = storage.set_item(HISTORY_KEY, &history.to_storage());
}
