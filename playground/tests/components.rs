//! Component tests in a real headless Chromium:
//! `cargo test -p playground --target wasm32-unknown-unknown`
//! (`scripts/test-browser.sh` runs them).

#![cfg(target_arch = "wasm32")]
// Tests: a failed unwrap is a failed test. (clippy.toml allows it in
// `#[test]` functions, which wasm_bindgen_test ones are not.)
#![allow(clippy::unwrap_used)]

use std::rc::Rc;

use playground::app::{App, AppProps};
use playground::components::{choice, visit_log, ChoiceProps, LineChart, LineChartProps};
use playground::settings::StartOptions;
use std::time::Duration;

use playground_core::playground::{
    GraphSeries, Playground, PlaygroundAction, PlaygroundConfig, Visit, VisitSource,
};
use playground_core::query::{table, Table};
use playground_core::share::{self, PanelState, SharedState, Tab};
use tinyprom::labels::Labels;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::{component, AttrValue, Callback, Html, Properties};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the document to mount a component into.
fn root() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn query(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", root.inner_html()))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

/// Mounts the whole page with `props` into a fresh root, rendered.
async fn mount_app(props: AppProps) -> Element {
    let root = root();
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

/// The page with the simulation seeded with `seed` and its clock paused
/// (time moves only when a test steps it), started at `start_unix_ms`.
fn paused(seed: u64, start_unix_ms: f64) -> AppProps {
    AppProps {
        start: StartOptions {
            seed: Some(seed),
            paused: true,
            ..StartOptions::from_query("")
        },
        start_unix_ms,
        link: AttrValue::default(),
    }
}

/// The page opened from the share link `link`.
fn linked(link: String) -> AppProps {
    AppProps {
        start: StartOptions::from_query(""),
        start_unix_ms: 0.0,
        link: AttrValue::from(link),
    }
}

// The page's stateless pieces are functions; these components mount them.

#[component]
fn ChoiceHost(props: &ChoiceProps) -> Html {
    choice(props)
}

#[derive(Properties, PartialEq)]
struct VisitLogProps {
    visits: Rc<Vec<Visit>>,
}

#[component]
fn VisitLogHost(props: &VisitLogProps) -> Html {
    visit_log(&props.visits)
}

#[wasm_bindgen_test]
async fn visits_show_up_in_the_exposition_and_the_log() {
    let root = mount_app(paused(1, 1_800_000_000_000.0)).await;

    let button: HtmlElement = query(&root, "[data-testid=visit-treecounter]").unchecked_into();
    for _ in 0..3 {
        button.click();
        yew::scheduler::flush().await;
    }

    let exposition = query(&root, "[data-testid=exposition]")
        .text_content()
        .unwrap();
    assert!(
        exposition.contains("requests_total{status=\"200\",endpoint=\"/treecounter\"} 3\n"),
        "{exposition}"
    );
    assert_eq!(count(&root, "[data-testid=visit-log] tbody tr"), 3);
    // The three request lines changed with the last click (and the
    // histogram's), so some lines are highlighted.
    assert!(count(&root, "[data-testid=exposition] .changed") >= 3);

    // Switching format re-encodes as OpenMetrics, with no highlights.
    let openmetrics: HtmlElement = query(&root, "label[for=format-1]").unchecked_into();
    openmetrics.click();
    yew::scheduler::flush().await;
    let exposition = query(&root, "[data-testid=exposition]")
        .text_content()
        .unwrap();
    assert!(exposition.ends_with("# EOF\n"), "{exposition}");
    assert_eq!(count(&root, "[data-testid=exposition] .changed"), 0);
}

#[wasm_bindgen_test]
async fn stepping_the_paused_clock_scrapes_and_draws_the_rate() {
    let root = mount_app(paused(2, 0.0)).await;
    assert_eq!(count(&root, "[data-testid=rate-graph] path.series"), 0);

    let step: HtmlElement = query(&root, "[data-testid=step]").unchecked_into();
    for _ in 0..3 {
        step.click();
        yew::scheduler::flush().await;
    }
    assert_eq!(
        query(&root, "[data-testid=sim-clock]")
            .text_content()
            .unwrap(),
        "0:30"
    );
    // Three request series, rate 0 but present.
    assert_eq!(count(&root, "[data-testid=rate-graph] path.series"), 3);
    assert_eq!(count(&root, ".legend li"), 3);
}

#[wasm_bindgen_test]
async fn a_scenario_button_toggles_and_its_alert_shows_in_the_rows() {
    let root = mount_app(paused(3, 0.0)).await;
    let states = |root: &Element| {
        let rows = root.query_selector_all("[data-testid=alert-row]").unwrap();
        (0..rows.length())
            .map(|i| {
                let row: Element = rows.item(i).unwrap().unchecked_into();
                row.get_attribute("data-state").unwrap()
            })
            .collect::<Vec<String>>()
    };
    assert_eq!(states(&root), ["inactive", "inactive", "inactive"]);

    let stop: HtmlElement = query(&root, "[data-testid=scenario-stop-app]").unchecked_into();
    assert_eq!(stop.get_attribute("aria-pressed").as_deref(), Some("false"));
    stop.click();
    yew::scheduler::flush().await;
    assert_eq!(stop.get_attribute("aria-pressed").as_deref(), Some("true"));
    let step: HtmlElement = query(&root, "[data-testid=step]").unchecked_into();
    step.click();
    yew::scheduler::flush().await;
    assert_eq!(states(&root), ["pending", "inactive", "inactive"]);
    let exposition = query(&root, "[data-testid=exposition]")
        .text_content()
        .unwrap();
    assert!(exposition.contains("connection refused"), "{exposition}");
}

#[wasm_bindgen_test]
async fn an_empty_log_says_what_to_do_and_a_full_one_lists_newest_first() {
    let root = root();
    yew::Renderer::<VisitLogHost>::with_root_and_props(
        root.clone(),
        VisitLogProps {
            visits: Rc::new(Vec::new()),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert!(root.text_content().unwrap().contains("No requests yet"));

    let root = self::root();
    let visit = |id, upstream_status, tree_count| Visit {
        id,
        at: std::time::Duration::from_secs(65),
        source: VisitSource::Button,
        status: 200,
        upstream_status,
        latency: std::time::Duration::from_millis(250),
        tree_count,
    };
    yew::Renderer::<VisitLogHost>::with_root_and_props(
        root.clone(),
        VisitLogProps {
            visits: Rc::new(vec![visit(2, 503, None), visit(1, 200, Some(1_234_567))]),
        },
    )
    .render();
    yew::scheduler::flush().await;
    let rows: Vec<String> = (0..2)
        .map(|i| {
            root.query_selector_all("tbody tr")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        rows,
        [
            "1:05you200503250 msunavailable",
            "1:05you200200250 ms1,234,567"
        ]
    );
}

#[wasm_bindgen_test]
async fn a_choice_reports_the_picked_option() {
    let root = root();
    let picked = Rc::new(std::cell::Cell::new(None));
    let on_change = {
        let picked = picked.clone();
        Callback::from(move |i: usize| picked.set(Some(i)))
    };
    yew::Renderer::<ChoiceHost>::with_root_and_props(
        root.clone(),
        ChoiceProps {
            legend: "Speed".into(),
            name: "test-speed".into(),
            options: vec![AttrValue::from("1×"), AttrValue::from("10×")],
            selected: 0,
            on_change,
        },
    )
    .render();
    yew::scheduler::flush().await;
    let first: HtmlInputElement = query(&root, "#test-speed-0").unchecked_into();
    assert!(first.checked());
    let second: HtmlElement = query(&root, "label[for=test-speed-1]").unchecked_into();
    second.click();
    assert_eq!(picked.get(), Some(1));
}

#[wasm_bindgen_test]
async fn the_chart_draws_a_line_per_series_with_axes_and_a_keyboard_readout() {
    let root = root();
    let series = |status: &str, slope: f64| GraphSeries {
        labels: Labels::with_name("requests_total", [("status", status)]),
        points: (0..=30).map(|i| (i * 10_000, i as f64 * slope)).collect(),
    };
    yew::Renderer::<LineChart>::with_root_and_props(
        root.clone(),
        LineChartProps {
            series: Rc::new(vec![series("200", 0.5), series("503", 0.1)]),
            start_ms: 0,
            end_ms: 300_000,
            height: 240.0,
            unit: "/s".into(),
            title: "test chart".into(),
            testid: "test-chart".into(),
            gap_ms: None,
            empty_note: "nothing".into(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "path.series"), 2);
    let labels: Vec<String> = (0..count(&root, ".tick text"))
        .map(|i| {
            root.query_selector_all(".tick text")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    // Value axis 0..15 in steps of 5, time axis every minute.
    assert_eq!(
        labels,
        ["0", "5", "10", "15", "0:00", "1:00", "2:00", "3:00", "4:00", "5:00"]
    );

    // End puts the cursor on the last point; the readout lists both series,
    // largest first.
    let svg: HtmlElement = query(&root, "[data-testid=test-chart]").unchecked_into();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("End");
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    svg.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
    let readout = query(&root, "[data-testid=test-chart-readout]")
        .text_content()
        .unwrap();
    assert_eq!(readout, "t = 5:00{status=\"200\"}15/s{status=\"503\"}3/s");
}

#[wasm_bindgen_test]
fn start_options_come_from_the_query_and_never_fail() {
    let bench = StartOptions::from_query("?history=3600&series=50");
    assert_eq!(bench.history, Some(std::time::Duration::from_secs(3600)));
    assert_eq!(bench.series, 50);
    assert!(bench.paused);
    let junk = StartOptions::from_query("?history=-1&series=x&&=&seed=9&paused");
    assert_eq!(junk.history, None);
    assert_eq!(junk.series, 3);
    assert_eq!(junk.seed, Some(9));
    assert!(junk.paused);
    assert_eq!(StartOptions::from_query("?history=99999").history, None);
    assert_eq!(StartOptions::from_query("?series=1000").series, 103);
}

/// A share link for `panels`, made on a playground that ran a minute of
/// traffic after `Visit`.
fn shared_link(panels: Vec<PanelState>) -> (String, Playground) {
    let config = PlaygroundConfig {
        start_unix_time: Duration::from_secs(1_800_000_000),
        seed: 5,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut playground = Playground::new(config.clone());
    for action in [
        PlaygroundAction::SetTrafficRate(3.0),
        PlaygroundAction::Advance(Duration::from_millis(30_250)),
        PlaygroundAction::Visit,
        PlaygroundAction::Advance(Duration::from_secs(40)),
    ] {
        playground.apply(action).unwrap();
    }
    let link = share::encode(&SharedState {
        seed: config.seed,
        start_unix_ms: 1_800_000_000_000,
        now: playground.now(),
        log: playground.log().to_vec(),
        speed: 60,
        span_s: 900,
        paused: true,
        openmetrics: false,
        panels,
        guide: 0,
    });
    (link, playground)
}

#[wasm_bindgen_test]
async fn a_shared_link_restores_the_panels_and_the_numbers() {
    let (link, host) = shared_link(vec![PanelState {
        query: "sum by (endpoint) (requests_total)".to_owned(),
        tab: Tab::Table,
        stacked: false,
    }]);
    let root = mount_app(linked(link)).await;

    let input: web_sys::HtmlTextAreaElement =
        query(&root, "[data-testid=query-input]").unchecked_into();
    assert_eq!(input.value(), "sum by (endpoint) (requests_total)");
    // The table the page shows is the one the host computes.
    let now = tinyprom::storage::duration_ms(host.now());
    let expected = match table(
        &host
            .query("sum by (endpoint) (requests_total)", now)
            .unwrap(),
    ) {
        Table::Series { rows, .. } => rows,
        other => panic!("not rows: {other:?}"),
    };
    let cells = root
        .query_selector_all("[data-testid=query-table-row] td")
        .unwrap();
    let shown: Vec<String> = (0..cells.length())
        .map(|i| cells.item(i).unwrap().text_content().unwrap())
        .collect();
    let wanted: Vec<String> = expected
        .iter()
        .flat_map(|row| [row.series.clone(), row.value.clone()])
        .collect();
    assert_eq!(shown, wanted);
    assert_eq!(expected.len(), 2);
    // The link asked for a paused clock at 15m span.
    assert_eq!(
        query(&root, "[data-testid=sim-clock]")
            .text_content()
            .unwrap(),
        "1:10"
    );
    let hour: HtmlInputElement = query(&root, "#graph-span-1").unchecked_into();
    assert!(hour.checked());
}

#[wasm_bindgen_test]
async fn a_broken_link_starts_afresh_and_says_why() {
    let (link, _) = shared_link(Vec::new());
    let root = mount_app(linked(link.replace("v=1", "v=9"))).await;
    let note = query(&root, "[data-testid=link-note]")
        .text_content()
        .unwrap();
    assert!(note.contains("unknown link version \"9\""), "{note}");
    let input: web_sys::HtmlTextAreaElement =
        query(&root, "[data-testid=query-input]").unchecked_into();
    assert_eq!(input.value(), "rate(requests_total[1m])");
}
