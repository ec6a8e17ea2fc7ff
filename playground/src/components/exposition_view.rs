use std::cell::RefCell;
use std::rc::Rc;

use playground_core::diff::changed_lines;
use playground_core::markup::{exposition_lines, FORMAT_LIVE};
use treecounter::exposition::Format;
use yew::prelude::*;

use crate::components::{choice, choice_of, raw, raw_static, ChoiceProps};
use crate::settings::{format_short_label, FORMATS};

/// Props of [`ExpositionView`].
#[derive(Properties, PartialEq, Debug)]
pub struct ExpositionViewProps {
    /// The text `/metrics` would answer (while live, what it answered).
    pub text: AttrValue,
    /// The format it is in (the one chosen, while live).
    pub format: Format,
    /// Called when the visitor picks the other format.
    pub on_format: Callback<Format>,
    /// While live: the note over the text (markup from
    /// [`playground_core::markup::live_exposition`]). The text is then a
    /// real server's answer, shown as received: the format toggle is off.
    #[prop_or_default]
    pub live_note: Option<AttrValue>,
}

/// The exposition text, with the lines that changed since the previous
/// render highlighted, and the format toggle. The lines are markup from
/// [`playground_core::markup`].
#[component]
pub fn ExpositionView(props: &ExpositionViewProps) -> Html {
    let live = props.live_note.is_some();
    // What was shown last time, to compare with: texts of another format,
    // or from the other side of the live switch, are not compared.
    let source = (!live).then_some(props.format);
    let previous = use_mut_ref(|| (source, props.text.clone()));
    // The lines and how many changed.
    let shown = use_memo((source, props.text.clone()), {
        let previous = previous.clone();
        move |(source, text)| {
            let changed = highlight(&previous, *source, text);
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
                <fieldset class="format-slot" disabled={live} title={live.then_some(FORMAT_LIVE)}>
                { choice(&ChoiceProps {
                    legend: "Format".into(),
                    name: "format".into(),
                    options,
                    selected,
                    on_change,
                }) }
                </fieldset>
                { match &props.live_note {
                    Some(note) => raw(note.to_string()),
                    None => raw(format!(
                        "<span class=\"content-type\" title=\"Content-Type of this answer\"><code>{}</code></span>",
                        props.format.content_type()
                    )),
                } }
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
                aria-label={if live {
                    "Exposition text, as received".to_owned()
                } else {
                    format!("Exposition text, {}", props.format.label())
                }}><code>{ lines }</code></pre>
        </div>
    }
}

/// Which lines of `text` to highlight: those that changed since the text
/// shown before, from the same source (a format of the simulated app's, or
/// `None`, the live target). A format or live switch highlights nothing.
fn highlight(
    previous: &Rc<RefCell<(Option<Format>, AttrValue)>>,
    source: Option<Format>,
    text: &AttrValue,
) -> Vec<bool> {
    let Ok(mut previous) = previous.try_borrow_mut() else {
        return vec![false; text.lines().count()];
    };
    let changed = if previous.0 == source {
        changed_lines(&previous.1, text)
    } else {
        vec![false; text.lines().count()]
    };
    *previous = (source, text.clone());
    changed
}
