use std::cell::RefCell;
use std::rc::Rc;

use playground_core::diff::changed_lines;
use playground_core::markup::exposition_lines;
use treecounter::exposition::Format;
use yew::prelude::*;

use crate::components::{choice, choice_of, raw, raw_static, ChoiceProps};
use crate::settings::{format_short_label, FORMATS};

/// Props of [`ExpositionView`].
#[derive(Properties, PartialEq, Debug)]
pub struct ExpositionViewProps {
    /// The text `/metrics` would answer.
    pub text: AttrValue,
    /// The format it is in.
    pub format: Format,
    /// Called when the visitor picks the other format.
    pub on_format: Callback<Format>,
}

/// The exposition text, with the lines that changed since the previous
/// render highlighted, and the format toggle. The lines are markup from
/// [`playground_core::markup`].
#[component]
pub fn ExpositionView(props: &ExpositionViewProps) -> Html {
    // What was shown last time, to compare with.
    let previous = use_mut_ref(|| (props.format, props.text.clone()));
    // The lines and how many changed.
    let shown = use_memo((props.format, props.text.clone()), {
        let previous = previous.clone();
        move |(format, text)| {
            let changed = highlight(&previous, *format, text);
            let count = changed.iter().filter(|&&c| c).count();
            (raw(exposition_lines(text, &changed)), count)
        }
    });
    let (lines, changed_count) = (shown.0.clone(), shown.1);
    let (options, selected, on_change) =
        choice_of(&FORMATS, props.format, format_short_label, &props.on_format);

    html! {
        <div class="exposition-view">
            <div class="toolbar">
                { choice(&ChoiceProps {
                    legend: "Format".into(),
                    name: "format".into(),
                    options,
                    selected,
                    on_change,
                }) }
                { raw(format!(
                    "<span class=\"content-type\" title=\"Content-Type of this answer\"><code>{}</code></span>",
                    props.format.content_type()
                )) }
            </div>
            { if changed_count == 0 {
                raw_static("<p class=\"hint\">Unchanged since the last render.</p>")
            } else {
                raw(format!(
                    "<p class=\"hint\"><span class=\"swatch changed-swatch\" aria-hidden=\"true\"></span> \
                     {changed_count} line{} changed</p>",
                    if changed_count == 1 { "" } else { "s" }
                ))
            } }
            <pre class="exposition" data-testid="exposition" tabindex="0"
                aria-label={format!("Exposition text, {}", props.format.label())}><code>{ lines }</code></pre>
        </div>
    }
}

/// Which lines of `text` to highlight: those that changed since the text
/// shown before, in the same format. A format switch highlights nothing.
fn highlight(
    previous: &Rc<RefCell<(Format, AttrValue)>>,
    format: Format,
    text: &AttrValue,
) -> Vec<bool> {
    let Ok(mut previous) = previous.try_borrow_mut() else {
        return vec![false; text.lines().count()];
    };
    let changed = if previous.0 == format {
        changed_lines(&previous.1, text)
    } else {
        vec![false; text.lines().count()]
    };
    *previous = (format, text.clone());
    changed
}
