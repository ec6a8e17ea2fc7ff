use std::cell::{Ref, RefCell};
use std::rc::Rc;

use playground_core::playground::Playground;
use yew::prelude::*;

/// A handle on the component's [`Playground`]. Cheap to clone; two handles
/// compare equal while the playground has not changed, so props holding one
/// only re-render on change.
#[derive(Clone)]
pub struct PlaygroundHandle {
    playground: Rc<RefCell<Playground>>,
    changes: u64,
    redraw: UseForceUpdateHandle,
}

impl PartialEq for PlaygroundHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.playground, &other.playground) && self.changes == other.changes
    }
}

impl std::fmt::Debug for PlaygroundHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaygroundHandle")
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

impl PlaygroundHandle {
    /// Reads the playground. `None` only if it is being changed right now,
    /// which a single-threaded page never sees; callers skip a frame then.
    pub fn read(&self) -> Option<Ref<'_, Playground>> {
        self.playground.try_borrow().ok()
    }

    /// Changes the playground and re-renders the component.
    pub fn update(&self, change: impl FnOnce(&mut Playground)) {
        match self.playground.try_borrow_mut() {
            Ok(mut playground) => change(&mut playground),
            Err(_) => {
                gloo::console::warn!("playground busy; change dropped");
                return;
            }
        }
        self.redraw.force_update();
    }
}

/// Keeps a [`Playground`] for the lifetime of the component, created once
/// by `init` on the first render.
///
/// ```no_run
/// # use yew::prelude::*;
/// # use playground_core::playground::{Playground, PlaygroundConfig};
/// # use playground::hooks::use_playground;
/// #[component]
/// fn Counter() -> Html {
///     let playground = use_playground(|| Playground::new(PlaygroundConfig {
///         start_unix_time: std::time::Duration::ZERO,
///         seed: 1,
///         version: "dev".into(),
///     }));
///     let onclick = {
///         let playground = playground.clone();
///         Callback::from(move |_| playground.update(|p| { p.visit(); }))
///     };
///     html! { <button {onclick}>{ "Visit" }</button> }
/// }
/// ```
#[hook]
pub fn use_playground(init: impl FnOnce() -> Playground) -> PlaygroundHandle {
    let playground = use_mut_ref(init);
    let redraw = use_force_update();
    let changes = playground.try_borrow().map_or(0, |p| p.changes());
    PlaygroundHandle {
        playground,
        changes,
        redraw,
    }
}
