use playground_core::markup;
use yew::prelude::*;

use crate::components::raw;

/// Which colour is which series: `labels` is the label text of each
/// series, in colour order. (Markup from
/// [`playground_core::markup::legend`]: it has no handlers.)
pub fn legend(labels: &[String]) -> Html {
    raw(markup::legend(labels))
}
