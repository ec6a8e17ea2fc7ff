use yew::prelude::*;

/// What a [`choice`] offers. (`Properties`, so a test can mount one.)
#[derive(Properties, PartialEq, Debug)]
pub struct ChoiceProps {
    /// What is being chosen, read out by screen readers and shown small.
    pub legend: AttrValue,
    /// The radio group's name; unique on the page.
    pub name: AttrValue,
    /// The options' labels.
    pub options: Vec<AttrValue>,
    /// Index of the option currently chosen.
    pub selected: usize,
    /// Called with the index of the option the visitor picks.
    pub on_change: Callback<usize>,
}

/// A segmented control: a group of radio buttons styled as buttons, so the
/// browser gives it arrow-key navigation and screen-reader semantics.
///
/// Options are indices rather than a generic value, and it is a function
/// rather than a component: it has no state, and each component (each
/// instance of a generic one) adds its own copy of yew's lifecycle
/// machinery to the wasm.
pub fn choice(props: &ChoiceProps) -> Html {
    let options = props.options.iter().enumerate().map(|(i, label)| {
        let id = format!("{}-{i}", props.name);
        let onchange = props.on_change.reform(move |_: Event| i);
        html! {
            <>
                <input type="radio" class="choice-input" id={id.clone()} name={props.name.clone()}
                    checked={i == props.selected} {onchange} />
                <label class="choice-label" for={id}>{ label.clone() }</label>
            </>
        }
    });
    html! {
        <fieldset class="choice">
            <legend class="choice-legend">{ props.legend.clone() }</legend>
            <div class="choice-options">{ for options }</div>
        </fieldset>
    }
}

/// Props for a [`choice`] among `all`, labelled by `label`, reporting the
/// chosen value to `on_change`.
pub fn choice_of<T: Copy + PartialEq + 'static>(
    all: &'static [T],
    selected: T,
    label: fn(T) -> &'static str,
    on_change: &Callback<T>,
) -> (Vec<AttrValue>, usize, Callback<usize>) {
    let options = all
        .iter()
        .map(|&value| AttrValue::Static(label(value)))
        .collect();
    let index = all.iter().position(|&value| value == selected).unwrap_or(0);
    let on_change = on_change.clone();
    let on_change = Callback::from(move |i: usize| {
        if let Some(&value) = all.get(i) {
            on_change.emit(value);
        }
    });
    (options, index, on_change)
}
