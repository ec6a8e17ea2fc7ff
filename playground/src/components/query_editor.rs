use std::rc::Rc;

use playground_core::markup::{self, highlighted, suggestion_items};
use playground_core::query::{
    accept, byte_to_utf16, continues_typed, segments, utf16_to_byte, History,
};
use tinyprom::promql::complete::{suggestions, Suggestion, SuggestionKind};
use tinyprom::promql::parse;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::raw;
use crate::hooks::PlaygroundHandle;
use crate::storage;

/// Most suggestions listed at once.
const MAX_SUGGESTIONS: usize = 12;

/// Props of [`QueryEditor`].
#[derive(Properties, PartialEq, Debug)]
pub struct QueryEditorProps {
    /// Unique prefix of the editor's element ids.
    pub id: AttrValue,
    /// The text in the editor.
    pub value: AttrValue,
    /// Where metric names, label names and values come from.
    pub playground: PlaygroundHandle,
    /// Called with the new text on every change.
    pub on_input: Callback<String>,
    /// Called when the visitor asks to run the query (Enter).
    pub on_run: Callback<()>,
}

/// The open suggestion list and which entry is active.
#[derive(Clone, Default, PartialEq)]
struct Suggestions {
    list: Rc<Vec<Suggestion>>,
    active: usize,
    /// Whether the visitor moved through the list (then Enter takes the
    /// active entry even if it does not continue the typed word).
    navigated: bool,
}

/// A PromQL editor: the text highlighted as it is typed, the parse error
/// underlined with its message below, suggestions from the grammar and the
/// store (↑ ↓ to move, Enter or Tab to accept, Esc to close, Ctrl+Space to
/// ask), Enter to run (Ctrl/Cmd+Enter once the query has several lines),
/// and ↑ in an empty editor to walk back through the queries run before.
///
/// It is a textarea with transparent text over a highlighted copy of it, so
/// the browser keeps the caret, selection, undo and screen-reader support.
#[component]
pub fn QueryEditor(props: &QueryEditorProps) -> Html {
    let input_ref = use_node_ref();
    let open = use_state(Suggestions::default);
    // Where ↑ has walked to in the history, while walking.
    let history_at = use_mut_ref(|| None::<usize>);

    let error = use_memo(props.value.clone(), |value| {
        if value.trim().is_empty() {
            None
        } else {
            parse(value).err()
        }
    });
    let error_span = error.as_ref().as_ref().map(|e| e.span);
    let highlighted = use_memo((props.value.clone(), error_span), |(value, span)| {
        raw(highlighted(value, &segments(value, *span)))
    });

    let suggest = Rc::new({
        let playground = props.playground.clone();
        let open = open.clone();
        move |value: &str, cursor: usize, asked: bool| {
            let list = playground
                .read()
                .map(|p| suggestions(value, cursor, p.store(), MAX_SUGGESTIONS))
                .unwrap_or_default();
            let show = match list.as_slice() {
                [] => false,
                // Already typed in full: nothing to offer.
                [only] if value.get(only.replace_start..cursor) == Some(only.insert.as_str()) => {
                    asked
                }
                [first, ..] => {
                    asked
                        || first.replace_start < cursor
                        || matches!(first.kind, SuggestionKind::Label | SuggestionKind::Value)
                }
            };
            open.set(Suggestions {
                list: Rc::new(if show { list } else { Vec::new() }),
                active: 0,
                navigated: false,
            });
        }
    });

    let oninput = {
        let input_ref = input_ref.clone();
        let on_input = props.on_input.clone();
        let suggest = suggest.clone();
        let history_at = history_at.clone();
        Callback::from(move |_: InputEvent| {
            let Some(area) = input_ref.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let value = area.value();
            *history_at.borrow_mut() = None;
            let cursor = cursor_byte(&area, &value);
            suggest(&value, cursor, false);
            on_input.emit(value);
        })
    };

    let accept_at = {
        let input_ref = input_ref.clone();
        let on_input = props.on_input.clone();
        let suggest = suggest.clone();
        Rc::new(move |suggestion: &Suggestion| -> bool {
            let Some(area) = input_ref.cast::<HtmlTextAreaElement>() else {
                return false;
            };
            let value = area.value();
            let cursor = cursor_byte(&area, &value);
            let (text, at) = accept(&value, cursor, suggestion);
            if text == value {
                return false;
            }
            area.set_value(&text);
            let at16 = byte_to_utf16(&text, at);
            let _ = area.set_selection_range(at16, at16);
            suggest(&text, at, false);
            on_input.emit(text);
            true
        })
    };

    let onkeydown = {
        let input_ref = input_ref.clone();
        let open = open.clone();
        let on_run = props.on_run.clone();
        let on_input = props.on_input.clone();
        let accept_at = accept_at.clone();
        let suggest = suggest.clone();
        let history_at = history_at.clone();
        Callback::from(move |event: KeyboardEvent| {
            let Some(area) = input_ref.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let value = area.value();
            let key = event.key();
            let modifier = event.ctrl_key() || event.meta_key();
            let listed = open.list.len();
            if listed > 0 && !modifier && !event.shift_key() {
                match key.as_str() {
                    "ArrowDown" | "ArrowUp" => {
                        event.prevent_default();
                        let step = if key == "ArrowDown" { 1 } else { listed - 1 };
                        open.set(Suggestions {
                            list: open.list.clone(),
                            active: (open.active + step) % listed,
                            navigated: true,
                        });
                        return;
                    }
                    "Enter" | "Tab" => {
                        let cursor = cursor_byte(&area, &value);
                        let chosen = open.list.get(open.active).filter(|s| {
                            key == "Tab" || open.navigated || continues_typed(&value, cursor, s)
                        });
                        if chosen.is_some_and(|s| accept_at(s)) {
                            event.prevent_default();
                            return;
                        }
                        open.set(Suggestions::default());
                        if key == "Tab" {
                            return;
                        }
                    }
                    "Escape" => {
                        event.prevent_default();
                        open.set(Suggestions::default());
                        return;
                    }
                    _ => {}
                }
            }
            match key.as_str() {
                " " if event.ctrl_key() => {
                    event.prevent_default();
                    suggest(&value, cursor_byte(&area, &value), true);
                }
                "Enter" if modifier || (!event.shift_key() && !value.contains('\n')) => {
                    event.prevent_default();
                    open.set(Suggestions::default());
                    *history_at.borrow_mut() = None;
                    on_run.emit(());
                }
                "ArrowUp" | "ArrowDown" if !value.contains('\n') => {
                    let walking = *history_at.borrow();
                    if walking.is_none() && !(value.is_empty() && key == "ArrowUp") {
                        return;
                    }
                    let history = History::from_storage(&storage::read_history());
                    let next = match (walking, key.as_str()) {
                        (None, _) => Some(0),
                        (Some(i), "ArrowUp") => {
                            Some((i + 1).min(history.entries().len().saturating_sub(1)))
                        }
                        (Some(0), _) => None,
                        (Some(i), _) => Some(i - 1),
                    };
                    let Some(entry) =
                        next.map_or(Some(""), |i| history.entries().get(i).map(String::as_str))
                    else {
                        return;
                    };
                    event.prevent_default();
                    *history_at.borrow_mut() = next;
                    on_input.emit(entry.to_owned());
                }
                _ => {}
            }
        })
    };

    let onblur = {
        let open = open.clone();
        Callback::from(move |_: FocusEvent| open.set(Suggestions::default()))
    };

    let list_id = format!("{}-suggestions", props.id);
    let error_id = format!("{}-error", props.id);
    let expanded = !open.list.is_empty();
    let active_id = expanded.then(|| format!("{list_id}-{}", open.active));
    let rows = props.value.lines().count().max(1).to_string();
    let items = use_memo((open.clone(), list_id.clone()), |(open, list_id)| {
        raw(suggestion_items(&open.list, open.active, list_id))
    });
    // One handler for the whole list: the option under the pointer says
    // which it is in `data-index`.
    let onmousedown = {
        let open = open.clone();
        let accept_at = accept_at.clone();
        Callback::from(move |event: MouseEvent| {
            // Keep the focus in the editor.
            event.prevent_default();
            let index = event
                .target_dyn_into::<web_sys::Element>()
                .and_then(|target| target.closest("[data-index]").ok().flatten())
                .and_then(|option| option.get_attribute("data-index"))
                .and_then(|index| index.parse::<usize>().ok());
            if let Some(suggestion) = index.and_then(|i| open.list.get(i)) {
                accept_at(suggestion);
            }
        })
    };
    let message = error.as_ref().as_ref().map(|error| {
        html! {
            <p class="query-error" id={error_id.clone()} data-testid="query-error">{ error.to_string() }</p>
        }
    });

    html! {
        <div class="editor">
            { raw(label_for(&props.id)) }
            <div class={if error.is_some() { "editor-box invalid" } else { "editor-box" }}>
                <pre class="editor-code" aria-hidden="true">{ (*highlighted).clone() }{ "\n" }</pre>
                <textarea id={props.id.clone()} ref={input_ref} class="editor-input" data-testid="query-input"
                    value={props.value.clone()} rows={rows} spellcheck="false" autocomplete="off"
                    autocapitalize="off" role="combobox" aria-autocomplete="list"
                    aria-expanded={expanded.to_string()} aria-controls={list_id.clone()}
                    aria-activedescendant={active_id} aria-invalid={error.is_some().to_string()}
                    aria-describedby={error.is_some().then(|| error_id.clone())}
                    {oninput} {onkeydown} {onblur} />
            </div>
            <ul id={list_id.clone()} class="suggestions" role="listbox" aria-label="Suggestions" hidden={!expanded}
                data-testid="query-suggestions" {onmousedown}>
                if expanded { { (*items).clone() } }
            </ul>
            // Always there, so the error appearing does not rebuild the
            // editor (yew matches unkeyed children from the end).
            <div class="editor-messages">{ for message }</div>
        </div>
    }
}

/// The editor's label, for screen readers.
fn label_for(id: &str) -> String {
    let mut attributes = String::from(" class=\"visually-hidden\" for=\"");
    markup::escape(&mut attributes, id);
    attributes.push('"');
    markup::text_element("label", &attributes, "PromQL query")
}

/// The cursor's byte offset in `value`.
fn cursor_byte(area: &HtmlTextAreaElement, value: &str) -> usize {
    match area.selection_start() {
        Ok(Some(units)) => utf16_to_byte(value, units),
        _ => value.len(),
    }
}
