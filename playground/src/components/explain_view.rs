use std::rc::Rc;

use playground_core::markup::{self, explain_tree, window_details};
use playground_core::query::Explained;
use yew::prelude::*;

/// Props of [`ExplainView`].
#[derive(Properties, Debug)]
pub struct ExplainViewProps {
    /// The query taken apart.
    pub data: Rc<Explained>,
}

/// The same explanation is the same allocation (the panel computes one per
/// query and time), so the pointer says whether it changed; comparing the
/// trees would cost the wasm about a kilobyte.
impl PartialEq for ExplainViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
    }
}

/// An explanation as a memo key, compared by pointer like the props.
#[derive(Clone)]
struct Key(Rc<Explained>);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A query taken apart: every sub-expression with what it does and its own
/// result, which series a binary operator paired, and for a `rate()` (or
/// `increase`, `delta`, `irate`, `idelta`) over one chosen series, the
/// samples behind the number drawn on a time axis with the arithmetic.
/// The markup comes from [`playground_core::markup`]; only the series
/// choice is interactive.
#[component]
pub fn ExplainView(props: &ExplainViewProps) -> Html {
    let chosen = use_state(|| 0usize);
    let data = &props.data;
    let index = (*chosen).min(data.windows.len().saturating_sub(1));
    let tree = use_memo(Key(data.clone()), |Key(data)| raw(explain_tree(&data.tree)));
    let details = use_memo((Key(data.clone()), index), |(Key(data), index)| {
        data.windows.get(*index).map(|w| raw(window_details(w)))
    });
    let on_series = {
        let chosen = chosen.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                chosen.set(i);
            }
        })
    };
    let mut query = String::new();
    markup::code(&mut query, &data.window_query);
    let window = (*details).clone().map(|details| {
        let options = data.windows.iter().enumerate().map(|(i, w)| {
            html! { <option value={i.to_string()} selected={i == index}>{ w.labels.to_string() }</option> }
        });
        html! {
            <section class="window-explain" data-testid="explain-window" aria-label="The samples behind the number">
                { raw(format!("<h4>The samples behind {query}</h4>")) }
                <label class="series-pick">{ "Series " }
                    <select onchange={on_series}>{ for options }</select>
                </label>
                { details }
            </section>
        }
    });
    let none = (data.windows.is_empty() && !data.window_query.is_empty()).then(|| {
        raw(format!(
            "<p class=\"empty-result\">{query} reads no series with samples in its window yet.</p>"
        ))
    });
    html! {
        <div class="explain">
            { (*tree).clone() }
            <div class="explain-window-slot">{ for window }{ for none }</div>
        </div>
    }
}

/// Markup from [`playground_core::markup`], which escapes all it is given.
pub fn raw(html: String) -> Html {
    Html::from_html_unchecked(AttrValue::from(html))
}

/// Fixed markup, written in the source.
pub fn raw_static(html: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(html))
}
