//! What the page keeps in the browser's `localStorage`: the query history
//! and the workshop guide's progress and whether it is closed. Storage may be
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

/// The key of the workshop guide's progress.
const GUIDE_PROGRESS_KEY: &str = "treecounter-playground.guide-progress";
/// The key that says the visitor closed the guide.
const GUIDE_CLOSED_KEY: &str = "treecounter-playground.guide-closed";

fn read(key: &str) -> Option<String> {
    local_storage().and_then(|storage| storage.get_item(key).ok().flatten())
}

fn write(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// The guide's stored progress (its bits as a number), or empty.
pub fn read_guide_progress() -> String {
    read(GUIDE_PROGRESS_KEY).unwrap_or_default()
}

/// Stores the guide's progress.
pub fn write_guide_progress(bits: u32) {
    write(GUIDE_PROGRESS_KEY, &bits.to_string());
}

/// Whether the visitor closed the guide (it is open on a first visit).
pub fn guide_closed() -> bool {
    read(GUIDE_CLOSED_KEY).is_some_and(|value| value == "1")
}

/// Remembers whether the guide is closed.
pub fn set_guide_closed(closed: bool) {
    write(GUIDE_CLOSED_KEY, if closed { "1" } else { "0" });
}
