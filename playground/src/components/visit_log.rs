use playground_core::markup;
use playground_core::playground::Visit;
use yew::prelude::*;

use crate::components::raw;

/// The simulated responses to the last few requests, `visits` newest
/// first. Display only, so written as markup
/// ([`playground_core::markup::visit_log`]): as yew elements the table cost
/// the wasm several times as much.
pub fn visit_log(visits: &[Visit]) -> Html {
    raw(markup::visit_log(visits))
}
