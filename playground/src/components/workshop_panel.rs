use std::rc::Rc;

use playground_core::guide::{
    check_answer, check_query, first_failure, observe, visits_by_hand, Outcome, Progress, Step,
    Task, Verdict, STEPS,
};
use playground_core::markup::{self, guide_step};
use yew::prelude::*;

use crate::components::{raw, raw_static};
use crate::hooks::PlaygroundHandle;

/// Props of [`WorkshopPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct WorkshopPanelProps {
    /// The playground the steps are checked on.
    pub playground: PlaygroundHandle,
    /// The steps done.
    pub progress: Progress,
    /// Called with the new progress when a step is done or the visitor
    /// starts over.
    pub on_progress: Callback<Progress>,
    /// Called when the visitor closes the guide.
    pub on_close: Callback<()>,
}

/// What the last check of a step said.
#[derive(Clone, Debug, PartialEq)]
struct Said {
    right: bool,
    text: String,
}

/// The workshop guide: WORKSHOP.md's sections as steps, each with what to
/// do and why, the code its section adds, and a tick once the page shows it
/// done (visits, the scrape interval) or the visitor's answer or query is
/// right (queries are judged next to the expected one on the page's
/// engine, so any correct query passes; a wrong one gets a hint).
#[component]
pub fn WorkshopPanel(props: &WorkshopPanelProps) -> Html {
    let drafts = use_state(|| vec![String::new(); STEPS.len()]);
    // The step shown in full; by default the first one not done (the
    // others show their title only, so the guide stays short).
    let chosen = use_state(|| None::<usize>);
    let current = (*chosen).or_else(|| (0..STEPS.len()).find(|&i| !props.progress.is_done(i)));
    // A step done: on to the next one not done.
    use_effect_with(props.progress, {
        let chosen = chosen.clone();
        move |_| chosen.set(None)
    });
    let said = use_state(|| vec![None::<Said>; STEPS.len()]);
    let texts = use_memo((), |()| {
        STEPS
            .iter()
            .map(|step| raw(guide_step(step)))
            .collect::<Vec<Html>>()
    });

    // Tick what the page's state shows done, as it changes.
    use_effect_with((props.playground.clone(), props.progress), {
        let on_progress = props.on_progress.clone();
        move |(playground, progress): &(PlaygroundHandle, Progress)| {
            let seen = playground.read().map(|p| observe(&p, *progress));
            if let Some(seen) = seen.filter(|seen| seen != progress) {
                on_progress.emit(seen);
            }
        }
    });

    let check: Rc<dyn Fn(usize)> = {
        let drafts = drafts.clone();
        let said = said.clone();
        let playground = props.playground.clone();
        let progress = props.progress;
        let on_progress = props.on_progress.clone();
        Rc::new(move |index: usize| {
            let (Some(step), Some(draft)) = (STEPS.get(index), drafts.get(index)) else {
                return;
            };
            let verdict = match step.task {
                Task::Answer { .. } => match check_answer(step, draft) {
                    Verdict::Right => Said {
                        right: true,
                        text: "Right: that is the counter.".to_owned(),
                    },
                    Verdict::Wrong(hint) => Said {
                        right: false,
                        text: hint,
                    },
                },
                Task::Query(_) => {
                    let Some(p) = playground.read() else {
                        return;
                    };
                    let report = check_query(step, draft, &p);
                    if report.is_done() {
                        let detail =
                            report.checks.last().map_or(String::new(), |check| {
                                match &check.outcome {
                                    Outcome::Pass(detail) if !detail.is_empty() => {
                                        format!(" It returns {detail}.")
                                    }
                                    _ => String::new(),
                                }
                            });
                        Said {
                            right: true,
                            text: format!("Right: the same answer as the expected query.{detail}"),
                        }
                    } else {
                        let text = first_failure(&report).map_or_else(String::new, |check| {
                            match &check.outcome {
                                Outcome::Fail { found, fix } => {
                                    format!("Not yet ({}): {found}. Hint: {fix}.", check.title)
                                }
                                _ => String::new(),
                            }
                        });
                        Said { right: false, text }
                    }
                }
                Task::Visits(_) | Task::ScrapeIntervalChanged => return,
            };
            if verdict.right {
                on_progress.emit(progress.with_done(index));
            }
            let mut all = (*said).clone();
            if let Some(slot) = all.get_mut(index) {
                *slot = Some(verdict);
            }
            said.set(all);
        })
    };

    let (visits, interval_s) = props.playground.read().map_or((0, 0), |p| {
        (visits_by_hand(&p), p.scrape_interval().as_secs())
    });
    let steps = STEPS.iter().enumerate().map(|(index, step)| {
        let done = props.progress.is_done(index);
        let input_id = format!("workshop-input-{index}");
        let task = match step.task {
            Task::Answer { prompt, .. } => answer_field(
                &input_id,
                prompt,
                drafts.get(index).cloned().unwrap_or_default(),
                false,
                index,
                &drafts,
                &check,
            ),
            Task::Query(_) => answer_field(
                &input_id,
                "Your query",
                drafts.get(index).cloned().unwrap_or_default(),
                true,
                index,
                &drafts,
                &check,
            ),
            Task::Visits(n) => raw(format!(
                "<p class=\"step-status\">Visits made with the button: {} of {n}.</p>",
                visits.min(n)
            )),
            Task::ScrapeIntervalChanged => raw(format!(
                "<p class=\"step-status\">Scrape interval now: {interval_s} s.</p>"
            )),
        };
        let verdict = said.get(index).cloned().flatten().map(|s| {
            let class = if s.right { "step-said right" } else { "step-said wrong" };
            html! { <p {class} role="status" data-testid="workshop-said">{ s.text }</p> }
        });
        let open = current == Some(index);
        let on_title = {
            let chosen = chosen.clone();
            Callback::from(move |_: MouseEvent| chosen.set(if open { Some(usize::MAX) } else { Some(index) }))
        };
        let body = open.then(|| {
            html! {
                <div class="step-body">
                    { texts.get(index).cloned().unwrap_or_default() }
                    { task }
                </div>
            }
        });
        html! {
            <li class={if done { "workshop-step done" } else { "workshop-step" }} data-testid="workshop-step"
                data-step={step.id} data-done={done.to_string()}>
                { raw_static(if done {
                    "<span class=\"tick\" aria-hidden=\"true\">✓</span>"
                } else {
                    "<span class=\"tick\" aria-hidden=\"true\"></span>"
                }) }
                <div class="step-main">
                    <button type="button" class="step-toggle" aria-expanded={open.to_string()} onclick={on_title}>
                        { raw(step_title(step, done)) }
                    </button>
                    <div class="step-body-slot">{ for body }</div>
                    // What the last check said stays in view when the step
                    // closes (a right answer moves on to the next step).
                    <div class="step-said-slot">{ for verdict }</div>
                </div>
            </li>
        }
    });

    let on_start_over = {
        let on_progress = props.on_progress.clone();
        let drafts = drafts.clone();
        let said = said.clone();
        let chosen = chosen.clone();
        Callback::from(move |_: MouseEvent| {
            chosen.set(None);
            drafts.set(vec![String::new(); STEPS.len()]);
            said.set(vec![None; STEPS.len()]);
            on_progress.emit(Progress::default());
        })
    };
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="panel workshop-panel" aria-labelledby="workshop-heading" data-testid="workshop-panel">
            <div class="workshop-head">
                { raw(format!(
                    "<h2 id=\"workshop-heading\">Workshop</h2>\
                     <span class=\"workshop-progress\" data-testid=\"workshop-progress\">{} of {} done</span>",
                    props.progress.count(),
                    STEPS.len()
                )) }
                <button type="button" class="button" onclick={on_start_over}>{ "Start over" }</button>
                <button type="button" class="button icon" aria-label="Close the workshop guide"
                    data-testid="workshop-close" onclick={on_close}>{ "✕" }</button>
            </div>
            { raw_static("<p class=\"help\">The workshop's sections (WORKSHOP.md) in this page, no Docker needed: \
                each step ticks itself off when the page shows it done.</p>") }
            <ol class="workshop-steps">{ for steps }</ol>
        </section>
    }
}

/// The step toggle's text: the section number, the title, and for screen
/// readers whether it is done.
fn step_title(step: &Step, done: bool) -> String {
    let mut out = format!("<span class=\"step-section\">{}</span>", step.section);
    markup::escape(&mut out, step.title);
    out.push_str(if done {
        "<span class=\"visually-hidden\">, done</span>"
    } else {
        "<span class=\"visually-hidden\">, not done yet</span>"
    });
    out
}

/// A text field for an answer or a query, checked with Enter or the button.
fn answer_field(
    id: &str,
    label: &'static str,
    value: String,
    query: bool,
    index: usize,
    drafts: &UseStateHandle<Vec<String>>,
    check: &Rc<dyn Fn(usize)>,
) -> Html {
    let oninput = {
        let drafts = drafts.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let mut all = (*drafts).clone();
            if let Some(slot) = all.get_mut(index) {
                *slot = input.value();
            }
            drafts.set(all);
        })
    };
    let onkeydown = {
        let check = check.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                event.prevent_default();
                check(index);
            }
        })
    };
    let onclick = {
        let check = check.clone();
        Callback::from(move |_: MouseEvent| check(index))
    };
    html! {
        <div class="step-task">
            { raw(markup::text_element("label", &format!(" for=\"{id}\""), label)) }
            <div class="step-answer">
                <input id={id.to_owned()} type="text" class={if query { "step-input query" } else { "step-input" }}
                    spellcheck="false" autocomplete="off" autocapitalize="off" {value} {oninput} {onkeydown}
                    data-testid="workshop-input" />
                <button type="button" class="button" data-testid="workshop-check" {onclick}>{ "Check" }</button>
            </div>
        </div>
    }
}
