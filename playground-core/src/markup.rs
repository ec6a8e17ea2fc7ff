//! The display-only parts of the page as HTML text: its fixed text, the
//! visit log, the targets view, the editor's highlighted copy, the
//! suggestion list, the result table, the explain tree, the drawing of a
//! `rate()` window, the line chart's drawing, legend and readout, and the
//! one-line notes and errors.
//!
//! The page puts these in as they are (yew's `Html::from_html_unchecked`):
//! they have no event handlers of their own, and written as text they cost
//! the wasm a fraction of what the same markup costs as yew components.
//! Everything that comes from the query or the data goes through
//! [`escape`], and the tests here check the markup on the host.

use std::fmt::Write as _;
use std::time::Duration;

use tinyprom::exposition::{ParseError, TextFormat};
use tinyprom::labels::{quoted, Label, Labels};
use tinyprom::promql::complete::{Suggestion, SuggestionKind};
use tinyprom::promql::duration::{format_duration, format_go_duration};
use tinyprom::promql::explain::{ExplainNode, NodeResult, WindowExplanation};
use tinyprom::promql::value::format_value;
use tinyprom::rules::{AlertState, Rules, ALERT_NAME};
use tinyprom::storage::{duration_ms, Sample, SeriesStore};
use treecounter::simulation::format_count;

use crate::alerts::state_spans;
use crate::chart::{
    format_clock, format_fixed, format_value as axis_value, nice_ticks, series_colour, time_ticks,
    Scale, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, WIDTH as CHART_WIDTH,
};
use crate::dashboard::{format_unit, PanelBody, PanelView};
use crate::guide::{code_of_section, CodeExcerpt, Step};
use crate::live::{LastAnswer, Pasted, PASTE_JOB};
use crate::playground::{GraphSeries, TargetStatus, Visit, VisitSource};
use crate::query::{arithmetic, clock, Segment, Table};

// The page's fixed text. As yew elements each would cost the wasm code to
// build it on every render.

/// The page's top bar: its title and tagline.
pub const BRAND: &str = "<header class=\"topbar\"><div class=\"brand\">\
    <svg class=\"logo\" viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M12 2 5 12h4l-4 6h6v4h2v-4h6l-4-6h4z\"/></svg>\
    <div><h1>Tree counter playground</h1><p class=\"tagline\">The workshop app, its <code>/metrics</code> \
    and a Prometheus scraping it, simulated in your browser with the same Rust code as the real server.</p></div></div></header>";

/// The page's footer.
pub const FOOTER: &str =
    "<footer class=\"footer\">Counters, histogram and exposition by prometheus-client; \
    scraping and PromQL by the tinyprom crate, checked against a real Prometheus.</footer>";

/// The heading and help of the visit section.
pub const VISIT_INTRO: &str = "<h2 id=\"visit-heading\"><span class=\"step-no\">1</span>Visit the tree counter</h2>\
    <p class=\"help\">Each visit waits up to 1 s of artificial latency and asks the upstream for the count; \
    15 % of those calls fail with a simulated 503 (the page still answers 200).</p>";

/// The heading of the simulation section.
pub const SIMULATION_INTRO: &str =
    "<h2 id=\"sim-heading\"><span class=\"step-no\">2</span>Run the simulation</h2>";

/// The heading and help of the query section.
pub const QUERY_INTRO: &str = "<h2 id=\"graph-heading\"><span class=\"step-no\">3</span>Query what Prometheus scraped</h2>\
    <p class=\"help\">PromQL over the simulated Prometheus, evaluated in your browser by the same engine the promql \
    command runs. Graph over the span, table now, or explain how the number comes about.</p>";

/// The heading and help of the alerts section.
pub const ALERTS_INTRO: &str = "<h2 id=\"alerts-heading\"><span class=\"step-no\">4</span>Break it, watch the alerts</h2>\
    <p class=\"help\">The rules of <code>prometheus/alerts.yaml</code>, evaluated every 10 s on what was scraped, \
    as Prometheus does: pending while the condition holds for less than its <code>for</code>, then firing. \
    Each button breaks something; press it again to mend it.</p>";

/// The heading of the exposition section.
pub const EXPOSITION_INTRO: &str =
    "<h2 id=\"exposition-heading\"><span class=\"step-no\">5</span><code>GET /metrics</code></h2>";

/// What the exposition shows while the app is stopped: there is no
/// `/metrics` to read.
pub const STOPPED_EXPOSITION: &str =
    "# The app is stopped: GET /metrics is refused (connection refused).\n\
     # Press \"Stop the app\" again to start it; its counters start from zero.\n";

/// Why the scenario buttons are off while live.
pub const SCENARIOS_LIVE: &str = "<p class=\"help\" data-testid=\"scenarios-live\">The scenarios break the \
    simulated app. The live target is a real server: stop it yourself to see <code>TreeCounterDown</code> \
    pend, then fire after a minute.</p>";

/// Why the format toggle is off while live, as the toggle's title.
pub const FORMAT_LIVE: &str =
    "The page cannot re-encode a real server's answer: it shows it as received.";

/// What the `GET /metrics` panel shows while live: a note over the text
/// (markup: which target, which scrape, its `Content-Type`, or why there
/// is no text), and the text, the body as received or a comment line.
pub fn live_exposition(url: &str, last: Option<&LastAnswer>) -> (String, String) {
    let mut note = String::from(
        "<p class=\"hint exposition-source\" data-testid=\"exposition-source\">Live: ",
    );
    let text = match last {
        None => {
            note.push_str("nothing from ");
            code(&mut note, url);
            note.push_str(" yet, the first scrape is on its way.");
            "# Nothing scraped yet.\n".to_owned()
        }
        Some(LastAnswer::Missing { at, reason }) => {
            note.push_str("the scrape of ");
            code(&mut note, url);
            let _ = write!(
                note,
                " at {} UTC gave no text to show.",
                format_clock(duration_ms(*at))
            );
            format!("# {reason}\n")
        }
        Some(LastAnswer::Body {
            at,
            content_type,
            text,
            error,
        }) => {
            note.push_str("the answer of ");
            code(&mut note, url);
            let _ = write!(
                note,
                " to the scrape at {} UTC, as received (",
                format_clock(duration_ms(*at))
            );
            match content_type {
                Some(content_type) => code(&mut note, content_type),
                None => note.push_str("no Content-Type"),
            }
            note.push_str(").");
            if let Some(error) = error {
                note.push_str(" <span class=\"target-error\">The scrape failed: ");
                escape(&mut note, error);
                note.push_str("</span>");
            }
            text.clone()
        }
    };
    note.push_str("</p>");
    (note, text)
}

/// The heading and help of the dashboard section.
pub const DASHBOARD_INTRO: &str = "<h2 id=\"dashboard-heading\"><span class=\"step-no\">6</span>Dashboard</h2>\
    <p class=\"help\">The panels Grafana shows in the full stack, from the same file \
    (<code>grafana/dashboards/treecounter.json</code>), their queries evaluated here over the graphs' span, \
    <code>$__rate_interval</code> and <code>$__interval</code> worked out as Grafana does.</p>";

/// The heading and help of the live section.
pub const LIVE_INTRO: &str = "<h2 id=\"live-heading\">Simulation or live</h2>\
    <p class=\"help\">Live replaces the simulation with the real thing: <em>Visit</em> sends a real \
    <code>GET /treecounter</code> and the page scrapes the real <code>/metrics</code> on the wall clock; \
    every query, graph and explanation reads what it scraped. Or scrape any <code>/metrics</code> this \
    page may read, or paste exposition text (either format) to load it as a scrape.</p>";

/// Why the live switch is off on a static host.
pub const LIVE_ABSENT: &str = "<p class=\"help live-absent\" data-testid=\"live-absent\">\
    No app-server serves this page, so there is no <code>/metrics</code> here to scrape live. \
    A target elsewhere still works below, if it lets this page read it (app-server does with \
    <code>--cors-allow-origin</code>).</p>";

/// What the page says of a paste (plain text): what was loaded, in which
/// format and at what time, or why nothing was.
pub fn paste_note(loaded: Result<Pasted, ParseError>) -> Result<String, String> {
    match loaded {
        Ok(pasted) => Ok(format!(
            "Loaded {} sample{} ({}) as a scrape of job=\"{PASTE_JOB}\" at {}.",
            pasted.samples,
            if pasted.samples == 1 { "" } else { "s" },
            match pasted.format {
                TextFormat::OpenMetrics => "OpenMetrics",
                TextFormat::Prometheus => "text 0.0.4",
            },
            clock(duration_ms(pasted.at))
        )),
        Err(error) => Err(format!("Nothing loaded: {error}.")),
    }
}

/// Which data the page shows: the simulation, or the live target `url`
/// scraped every `interval` (with where a visit goes, if anywhere).
pub fn live_banner(live: Option<(&str, Duration, Option<&str>)>) -> String {
    let Some((url, interval, visit_url)) = live else {
        return "<p class=\"live-banner\" data-testid=\"live-banner\" data-mode=\"simulation\">\
            <strong>Simulation</strong>: the app, its traffic and Prometheus all run in this page, \
            on a simulated clock.</p>"
            .to_owned();
    };
    let mut out = String::from(
        "<p class=\"live-banner live\" data-testid=\"live-banner\" data-mode=\"live\">\
         <strong>Live</strong>: scraping ",
    );
    code(&mut out, url);
    let _ = write!(
        out,
        " every {}, on the wall clock (times in UTC). ",
        format_go_duration(duration_ms(interval))
    );
    match visit_url {
        Some(visit) => {
            out.push_str("Visits go to ");
            code(&mut out, visit);
            out.push_str(". ");
        }
        None => out.push_str("This target has no <code>/treecounter</code> beside it to visit. "),
    }
    out.push_str(
        "The simulation is paused and kept. A live session cannot be shared: a link holds the simulation.</p>",
    );
    out
}

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped: safe
/// in element content and in quoted attribute values.
pub fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The exposition text, a `line` span per line (ending in its newline),
/// also in class `changed` where `changed` says so and `comment` for the
/// `#` lines.
pub fn exposition_lines(text: &str, changed: &[bool]) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (line, &changed) in text.lines().zip(changed) {
        out.push_str("<span class=\"line");
        if changed {
            out.push_str(" changed");
        }
        if line.starts_with('#') {
            out.push_str(" comment");
        }
        out.push_str("\">");
        escape(&mut out, line);
        out.push_str("\n</span>");
    }
    out
}

/// `<p` with `attributes` (markup, escaped by the caller, e.g.
/// ` class="note"`), then `text` escaped, then `</p>`: the page's one-line
/// notes and errors.
pub fn paragraph(attributes: &str, text: &str) -> String {
    text_element("p", attributes, text)
}

/// `<tag` with `attributes` (markup, escaped by the caller), `>`, then
/// `text` escaped, then `</tag>`.
pub fn text_element(tag: &str, attributes: &str, text: &str) -> String {
    let mut out = format!("<{tag}{attributes}>");
    escape(&mut out, text);
    let _ = write!(out, "</{tag}>");
    out
}

/// `<tag class="class">text</tag>`, the text escaped.
fn element(out: &mut String, tag: &str, class: &str, text: &str) {
    let _ = write!(out, "<{tag} class=\"{class}\">");
    escape(out, text);
    let _ = write!(out, "</{tag}>");
}

/// `<code>text</code>`, escaped.
pub fn code(out: &mut String, text: &str) {
    out.push_str("<code>");
    escape(out, text);
    out.push_str("</code>");
}

/// The simulated responses to the last few requests, `visits` newest
/// first: a table (`data-testid="visit-log"`) with a row per request, in
/// class `upstream-failed` where the upstream call failed; a note while
/// there are none.
pub fn visit_log(visits: &[Visit]) -> String {
    if visits.is_empty() {
        return "<p class=\"empty-note\">No requests yet. Press the button, or turn on traffic.</p>"
            .to_owned();
    }
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"visit-log\" data-testid=\"visit-log\">\
         <caption class=\"visually-hidden\">Last requests to /treecounter, newest first</caption>\
         <thead><tr><th scope=\"col\" class=\"num\">at</th><th scope=\"col\">from</th>\
         <th scope=\"col\">page</th><th scope=\"col\">upstream</th>\
         <th scope=\"col\" class=\"num\">latency</th><th scope=\"col\" class=\"num\">trees</th></tr></thead><tbody>",
    );
    for visit in visits {
        let source = match visit.source {
            VisitSource::Button => "you",
            VisitSource::Traffic => "traffic",
        };
        let _ = write!(
            out,
            "<tr{}><td class=\"num\">{}</td><td class=\"source\">{source}</td>",
            if visit.tree_count.is_none() {
                " class=\"upstream-failed\""
            } else {
                ""
            },
            format_clock(duration_ms(visit.at)),
        );
        if visit.refused() {
            // A stopped app answers nothing: the connection was refused.
            out.push_str(
                "<td><span class=\"status error\">refused</span></td><td>–</td>\
                 <td class=\"num\">–</td><td class=\"num\">no answer</td></tr>",
            );
            continue;
        }
        let (upstream, count) = match visit.tree_count {
            Some(count) => ("ok", format_count(count)),
            None => ("error", "unavailable".to_owned()),
        };
        let _ = write!(
            out,
            "<td><span class=\"status ok\">{}</span></td>\
             <td><span class=\"status {upstream}\">{}</span></td>\
             <td class=\"num\">{} ms</td><td class=\"num\">{count}</td></tr>",
            visit.status,
            visit.upstream_status,
            duration_ms(visit.latency),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

/// Which colour is which series: `labels` is the label text of each
/// series, in colour order.
pub fn legend(labels: &[String]) -> String {
    let mut out = String::from("<ul class=\"legend\" aria-label=\"Series\">");
    for (i, label) in labels.iter().enumerate() {
        swatch(&mut out, i);
        code(&mut out, label);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// `<li>` and the colour swatch of series `i`.
fn swatch(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "<li><span class=\"swatch\" style=\"background:{}\" aria-hidden=\"true\"></span>",
        series_colour(i)
    );
}

/// The line chart's hover readout, inside its box: the time `t`, then a
/// row per series value there (`values`: series index, label text and the
/// value with its unit), and how many more were left out.
pub fn chart_readout(t: i64, values: &[(usize, String, String)], hidden: usize) -> String {
    let mut out = String::from("<div class=\"readout-time\">t = ");
    out.push_str(&format_clock(t));
    out.push_str("</div><ul>");
    for (i, labels, value) in values {
        swatch(&mut out, *i);
        code(&mut out, labels);
        out.push_str("<strong>");
        escape(&mut out, value);
        out.push_str("</strong></li>");
    }
    out.push_str("</ul>");
    if hidden > 0 {
        let _ = write!(out, "<div class=\"readout-more\">and {hidden} more</div>");
    }
    out
}

/// A step of the workshop guide, its fixed part under the button with its
/// title: what to do and why, and the code the section adds (WORKSHOP.md's
/// excerpts, each under the file it comes from, in a closed `<details>`).
pub fn guide_step(step: &Step) -> String {
    let mut out = String::new();
    element(&mut out, "p", "step-what", step.what);
    element(&mut out, "p", "step-why", step.why);
    let excerpts: Vec<&CodeExcerpt> = code_of_section(step.section).collect();
    if !excerpts.is_empty() {
        let _ = write!(
            out,
            "<details class=\"step-code\"><summary>The code of section {} ({} excerpt{})</summary>",
            step.section,
            excerpts.len(),
            plural(excerpts.len())
        );
        for excerpt in excerpts {
            out.push_str("<p class=\"code-path\">");
            code(&mut out, excerpt.path);
            let _ = write!(out, "</p><pre class=\"code lang-{}\"><code>", excerpt.lang);
            escape(&mut out, excerpt.code);
            out.push_str("</code></pre>");
        }
        out.push_str("</details>");
    }
    out
}

/// The dashboard's panels, laid out on Grafana's 24 columns (each panel a
/// `data-testid="dashboard-panel"` with `data-has-data`): time series as
/// line charts with their legend, stats as their values in the panel's
/// unit and colour, "No data" as Grafana says it, and a panel type the page
/// does not draw named as such.
pub fn dashboard(views: &[PanelView]) -> String {
    /// Room left of the chart's own margin for the values' units.
    const DASH_EXTRA_MARGIN: f64 = 56.0;
    let mut out = String::from("<div class=\"dashboard-grid\">");
    for view in views {
        let panel = view.panel;
        let _ = write!(
            out,
            "<section class=\"dash-panel dash-{}\" data-testid=\"dashboard-panel\" data-has-data=\"{}\" \
             style=\"--span: {}\"><h3 class=\"dash-title\"",
            if panel.kind == "stat" { "stat" } else { "graph" },
            view.has_data(),
            panel.grid.w.clamp(1, 24)
        );
        if !panel.description.is_empty() {
            out.push_str(" title=\"");
            escape(&mut out, panel.description);
            out.push('"');
        }
        out.push('>');
        escape(&mut out, panel.title);
        out.push_str("</h3>");
        match &view.body {
            PanelBody::Unsupported => {
                out.push_str("<p class=\"dash-note\">This page does not draw ");
                code(&mut out, panel.kind);
                out.push_str(" panels; Grafana does.</p>");
            }
            _ if !view.has_data() => out.push_str("<p class=\"dash-note\">No data</p>"),
            PanelBody::Stat(values) => {
                out.push_str("<div class=\"stat-values\">");
                for value in values {
                    let _ = write!(
                        out,
                        "<div class=\"stat\"><span class=\"stat-value\" style=\"color: {}\">",
                        value.colour
                    );
                    escape(&mut out, &value.text);
                    out.push_str("</span>");
                    if values.len() > 1 && value.text != value.name {
                        element(&mut out, "span", "stat-name", &value.name);
                    }
                    out.push_str("</div>");
                }
                out.push_str("</div>");
            }
            PanelBody::TimeSeries(lines) => {
                let series: Vec<GraphSeries> = lines.iter().map(|l| l.series.clone()).collect();
                let height = 200.0;
                let scale = Scale::new(&series, view.start_ms, view.end_ms, height);
                // The view box starts left of the chart's margin: values in
                // a unit ("286 MiB") are wider than plain numbers.
                let _ = write!(
                    out,
                    "<svg class=\"chart\" viewBox=\"-{DASH_EXTRA_MARGIN} 0 {} {height}\" role=\"img\" aria-label=\"",
                    CHART_WIDTH + DASH_EXTRA_MARGIN
                );
                escape(&mut out, panel.title);
                out.push_str("\">");
                out.push_str(&chart_grid_labelled(
                    &scale,
                    view.start_ms,
                    view.end_ms,
                    |v| format_unit(panel.unit, v, None),
                ));
                out.push_str("<g class=\"lines\">");
                out.push_str(&chart_lines(
                    &series,
                    &scale,
                    Some(view.step_ms + view.step_ms / 2),
                ));
                out.push_str("</g></svg><ul class=\"dash-legend\">");
                for (index, line) in lines.iter().enumerate() {
                    let _ = write!(
                        out,
                        "<li><span class=\"swatch\" style=\"background: {}\"></span>",
                        series_colour(index)
                    );
                    escape(&mut out, &line.name);
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
        }
        for error in &view.errors {
            element(&mut out, "p", "dash-error", error);
        }
        out.push_str("</section>");
    }
    out.push_str("</div>");
    out
}

/// The page's Prometheus's targets page (`data-testid="targets-view"`):
/// the target scraped, simulated or live, with its state (`data-state`
/// `up`, `down` or `unknown` before the first scrape), labels, last scrape,
/// its duration and error, as Prometheus's `/targets` shows them; `now` is
/// the clock of the data shown (the wall clock while live).
pub fn targets_view(target: &TargetStatus, now: Duration) -> String {
    let last = target.last_scrape.as_ref();
    let (state, label) = match last {
        None => ("unknown", "UNKNOWN"),
        Some(scrape) if scrape.error.is_some() => ("down", "DOWN"),
        Some(_) => ("up", "UP"),
    };
    // One target: its fields as rows, which fit a narrow column where
    // Prometheus's one row of six columns would not.
    let mut out =
        String::from("<table class=\"targets\" data-testid=\"targets-view\"><caption>Job ");
    let job = target
        .labels
        .iter()
        .find(|label| label.name == "job")
        .map_or("", |label| label.value.as_str());
    code(&mut out, job);
    let _ = write!(
        out,
        ", scraped every {}</caption><tbody><tr><th scope=\"row\">Endpoint</th><td>",
        format_go_duration(duration_ms(target.scrape_interval))
    );
    code(&mut out, &target.url);
    let _ = write!(
        out,
        "</td></tr><tr><th scope=\"row\">State</th><td><span class=\"target-state {state}\" \
         data-testid=\"target-state\" data-state=\"{state}\">{label}</span></td></tr>\
         <tr><th scope=\"row\">Labels</th><td>"
    );
    label_chips(&mut out, "target-label", target.labels.iter());
    out.push_str(
        "</td></tr><tr><th scope=\"row\">Last scrape</th><td data-testid=\"target-last-scrape\">",
    );
    match last {
        Some(scrape) => {
            // Whole seconds: the text changes once a second, not every
            // frame, while the clock runs.
            let ago = duration_ms(now.saturating_sub(scrape.at)) / 1000 * 1000;
            let _ = write!(out, "{} ago", format_go_duration(ago));
        }
        None => out.push_str("never"),
    }
    out.push_str("</td></tr><tr><th scope=\"row\">Scrape duration</th><td>");
    match last {
        Some(scrape) => {
            let _ = write!(
                out,
                "{}{}, {} samples",
                go_duration_micros(scrape.duration),
                if target.simulated { " (simulated)" } else { "" },
                scrape.samples
            );
        }
        None => out.push('–'),
    }
    out.push_str("</td></tr><tr><th scope=\"row\">Error</th>");
    match last.and_then(|scrape| scrape.error.as_deref()) {
        Some(error) => {
            out.push_str("<td class=\"target-error\">");
            escape(&mut out, error);
        }
        None => out.push_str("<td>none"),
    }
    out.push_str("</td></tr></tbody></table>");
    out
}

/// The width of an alert's timeline strip, in SVG units (it stretches).
const TIMELINE_WIDTH: f64 = 600.0;

/// The stack's alerting rules as Prometheus's alerts page lists them
/// (`data-testid="alerts-view"`): a row per rule (`alert-row`, its state in
/// `data-state`: `inactive`, `pending` or `firing`) with its name, state
/// and `for`, a strip of its state from `start_ms` (or the clock's zero,
/// if later) to `end_ms` (from its `ALERTS` series in `store`), and each
/// active alert with its templated labels, summary (the description as its
/// title), since when it is active and firing, and its value.
pub fn alerts_view(rules: &Rules, store: &SeriesStore, start_ms: i64, end_ms: i64) -> String {
    let start_ms = start_ms.clamp(0, end_ms);
    let mut out = String::from(
        "<div class=\"alerts\" data-testid=\"alerts-view\"><ul class=\"alert-rules\">",
    );
    let mut counts = [0usize; 3];
    let width = (end_ms - start_ms).max(1) as f64;
    let x = |t: i64| (t.clamp(start_ms, end_ms) - start_ms) as f64 / width * TIMELINE_WIDTH;
    for group in rules.groups() {
        let interval = Duration::from_millis(group.interval_ms().unsigned_abs());
        for rule in group.rules().iter().filter(|r| r.is_alerting()) {
            let state = rule.state();
            counts[state as usize] += 1;
            let state = state.as_str();
            out.push_str("<li class=\"alert-row\" data-testid=\"alert-row\" data-rule=\"");
            escape(&mut out, rule.name());
            let _ = write!(
                out,
                "\" data-state=\"{state}\"><div class=\"alert-head\">\
                 <span class=\"alert-state {state}\">{state}</span>"
            );
            element(&mut out, "code", "alert-name", rule.name());
            let _ = write!(
                out,
                "<span class=\"alert-for\">for {}</span></div>",
                format_duration(rule.for_ms())
            );
            // The strip: inactive, the pending and firing spans over it.
            let spans = state_spans(store, rule.name(), interval, start_ms, end_ms);
            out.push_str("<svg class=\"alert-timeline\" viewBox=\"0 0 600 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"");
            escape(&mut out, rule.name());
            out.push(':');
            if spans.is_empty() {
                out.push_str(" inactive");
            }
            for (i, span) in spans.iter().enumerate() {
                let _ = write!(
                    out,
                    "{} {} {} to {}",
                    if i == 0 { "" } else { "," },
                    span.state.as_str(),
                    format_clock(span.start_ms),
                    format_clock(span.end_ms)
                );
            }
            let _ = write!(
                out,
                "\"><rect class=\"inactive\" x=\"0\" y=\"0\" width=\"{}\" height=\"10\"/>",
                n(TIMELINE_WIDTH)
            );
            for span in &spans {
                let (left, right) = (x(span.start_ms), x(span.end_ms));
                let state = span.state.as_str();
                let _ = write!(
                    out,
                    "<rect class=\"{state}\" x=\"{}\" y=\"0\" width=\"{}\" height=\"10\">\
                     <title>{state} {}–{}</title></rect>",
                    n(left),
                    n(right - left),
                    format_clock(span.start_ms),
                    format_clock(span.end_ms)
                );
            }
            out.push_str("</svg>");
            if let Some(error) = rule.last_error() {
                element(&mut out, "p", "alert-error", error);
            }
            out.push_str("<ul class=\"alert-instances\">");
            for alert in rule.active_alerts() {
                out.push_str("<li data-testid=\"alert\"><p class=\"alert-labels\">");
                let labels = alert.labels.iter().filter(|l| l.name != ALERT_NAME);
                label_chips(&mut out, "alert-label", labels);
                out.push_str("</p>");
                let annotation = |name: &str| {
                    alert
                        .annotations
                        .iter()
                        .find(|(a, _)| a == name)
                        .map(|(_, text)| text.as_str())
                };
                if let Some(summary) = annotation("summary") {
                    out.push_str("<p class=\"alert-summary\" title=\"");
                    escape(&mut out, annotation("description").unwrap_or_default());
                    out.push_str("\">");
                    escape(&mut out, summary);
                    out.push_str("</p>");
                }
                let _ = write!(
                    out,
                    "<p class=\"alert-since\">active since {}",
                    format_clock(alert.active_at_ms)
                );
                if let Some(fired_at_ms) = alert.fired_at_ms {
                    let _ = write!(out, ", firing since {}", format_clock(fired_at_ms));
                }
                out.push_str(", value ");
                escape(&mut out, &format_value(alert.value));
                out.push_str("</p></li>");
            }
            out.push_str("</ul></li>");
        }
    }
    let _ = write!(
        out,
        "</ul><p class=\"alerts-axis\"><span>{}</span><span>{} firing, {} pending, {} inactive</span><span>{}</span></p></div>",
        format_clock(start_ms),
        counts[AlertState::Firing as usize],
        counts[AlertState::Pending as usize],
        counts[AlertState::Inactive as usize],
        format_clock(end_ms)
    );
    out
}

/// Each label as `name="value"` (escaped) in a `<span class="class">`,
/// followed by a space: the Targets view's and the alerts' label chips.
fn label_chips<'a>(out: &mut String, class: &str, labels: impl Iterator<Item = &'a Label>) {
    for label in labels {
        let _ = write!(out, "<span class=\"{class}\">");
        escape(out, &label.name);
        out.push('=');
        escape(out, &quoted(&label.value));
        out.push_str("</span> ");
    }
}

/// A duration under a few seconds as Go prints it to the microsecond
/// (`1.3ms`, `850µs`, `2.0005s`), as Prometheus shows a scrape's duration.
fn go_duration_micros(duration: Duration) -> String {
    let micros = duration.as_micros();
    let (whole, fraction, digits, unit) = if micros < 1_000 {
        return format!("{micros}µs");
    } else if micros < 1_000_000 {
        (micros / 1_000, micros % 1_000, 3, "ms")
    } else {
        (micros / 1_000_000, micros % 1_000_000, 6, "s")
    };
    let mut out = whole.to_string();
    if fraction > 0 {
        let decimals = format!("{fraction:0digits$}");
        out.push('.');
        out.push_str(decimals.trim_end_matches('0'));
    }
    out.push_str(unit);
    out
}

/// The editor's highlighted copy of `query`: one span per segment, the
/// ones under the error also in class `hl-err`.
pub fn highlighted(query: &str, segments: &[Segment]) -> String {
    let mut out = String::with_capacity(query.len() * 4);
    for segment in segments {
        let text = query.get(segment.start..segment.end).unwrap_or_default();
        let class = if segment.error {
            format!("{} hl-err", segment.class.css())
        } else {
            segment.class.css().to_owned()
        };
        element(&mut out, "span", &class, text);
    }
    out
}

/// The options of the suggestion list: ids `{id}-{index}`, the active one
/// selected, each with its index in `data-index` (the list's one mouse
/// handler reads it).
pub fn suggestion_items(list: &[Suggestion], active: usize, id: &str) -> String {
    let mut out = String::new();
    for (i, suggestion) in list.iter().enumerate() {
        let selected = i == active;
        let _ = write!(
            out,
            "<li id=\"{id}-{i}\" role=\"option\" aria-selected=\"{selected}\" class=\"suggestion{}\" data-index=\"{i}\">",
            if selected { " active" } else { "" },
        );
        element(
            &mut out,
            "span",
            "suggestion-kind",
            kind_label(suggestion.kind),
        );
        code(&mut out, &suggestion.label);
        if !suggestion.detail.is_empty() {
            element(&mut out, "span", "suggestion-detail", &suggestion.detail);
        }
        out.push_str("</li>");
    }
    out
}

fn kind_label(kind: SuggestionKind) -> &'static str {
    match kind {
        SuggestionKind::Metric => "metric",
        SuggestionKind::Function => "function",
        SuggestionKind::Aggregation => "aggregation",
        SuggestionKind::Label => "label",
        SuggestionKind::Value => "value",
        SuggestionKind::Keyword => "keyword",
    }
}

/// An instant query's result as a table (`data-testid="query-table"`, a
/// `query-table-row` per series), under a line saying how many series at
/// what time.
pub fn table(table: &Table, at: &str) -> String {
    let mut out = String::from("<div class=\"query-table-wrap\"><p class=\"result-summary\">");
    let rows: Vec<(&str, &str)> = match table {
        Table::Scalar(value) => {
            let _ = write!(out, "A scalar at t = {at}");
            vec![("scalar", value.as_str())]
        }
        Table::String(value) => {
            let _ = write!(out, "A string at t = {at}");
            vec![("string", value.as_str())]
        }
        Table::Series { rows, total } => {
            let _ = write!(out, "{total} series at t = {at}");
            if rows.len() < *total {
                let _ = write!(out, ", the first {} shown", rows.len());
            }
            rows.iter()
                .map(|row| (row.series.as_str(), row.value.as_str()))
                .collect()
        }
    };
    out.push_str("</p>");
    if rows.is_empty() {
        out.push_str("<p class=\"empty-result\">Empty query result.</p>");
    }
    out.push_str(
        "<table class=\"query-table\" data-testid=\"query-table\"><thead><tr>\
         <th scope=\"col\">Series</th><th scope=\"col\">Value</th></tr></thead><tbody>",
    );
    for (series, value) in rows {
        out.push_str("<tr data-testid=\"query-table-row\"><td>");
        code(&mut out, series);
        out.push_str("</td>");
        element(&mut out, "td", "value", value);
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The explain tree (`data-testid="explain-tree"`): every node
/// (`explain-node`) with its text, result, sentence, preview and, for a
/// binary operation, how the sides matched.
pub fn explain_tree(root: &ExplainNode) -> String {
    let mut out = String::from("<ul class=\"explain-tree\" data-testid=\"explain-tree\">");
    node(&mut out, root);
    out.push_str("</ul>");
    out
}

fn node(out: &mut String, node: &ExplainNode) {
    out.push_str(
        "<li class=\"explain-node\" data-testid=\"explain-node\"><div class=\"node-head\">",
    );
    element(out, "code", "node-text", &node.text);
    let (summary, class) = match &node.result {
        NodeResult::Scalar(f) => (format!("scalar {}", format_value(*f)), "node-result"),
        NodeResult::String(s) => (format!("string {}", quoted(s)), "node-result"),
        NodeResult::Vector { count, .. } => (format!("{count} series"), "node-result"),
        NodeResult::Matrix { series, samples } => (
            format!("{series} series, {samples} sample{}", plural(*samples)),
            "node-result",
        ),
        NodeResult::Error(error) => (error.clone(), "node-result failed"),
    };
    element(out, "span", class, &summary);
    out.push_str("</div>");
    element(out, "p", "node-doc", &node.description);
    if let NodeResult::Vector { count, preview } = &node.result {
        if !preview.is_empty() {
            out.push_str("<ul class=\"node-preview\">");
            for (labels, value) in preview {
                out.push_str("<li>");
                code(out, &labels.to_string());
                out.push(' ');
                element(out, "strong", "value", value);
                out.push_str("</li>");
            }
            let more = count.saturating_sub(preview.len());
            if more > 0 {
                let _ = write!(out, "<li class=\"more\">and {more} more</li>");
            }
            out.push_str("</ul>");
        }
    }
    if let Some(m) = &node.matching {
        out.push_str("<div class=\"node-matching\" data-testid=\"explain-matching\"><p>");
        escape(
            out,
            &format!(
                "Matched on {}: {} pair{}",
                m.matched_on,
                m.pair_count,
                plural(m.pair_count)
            ),
        );
        out.push_str("</p><ul>");
        for (left, right) in &m.pairs {
            out.push_str("<li>");
            code(out, &left.to_string());
            out.push_str(" ↔ ");
            code(out, &right.to_string());
            out.push_str("</li>");
        }
        out.push_str("</ul>");
        unmatched(out, "right", &m.unmatched_left);
        unmatched(out, "left", &m.unmatched_right);
        out.push_str("</div>");
    }
    if !node.children.is_empty() {
        out.push_str("<ul class=\"explain-children\">");
        for child in &node.children {
            self::node(out, child);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
}

fn unmatched(out: &mut String, side: &str, labels: &[Labels]) {
    if labels.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<p>Left out, no partner on the {side}: {}</p><ul>",
        labels.len()
    );
    for l in labels {
        out.push_str("<li>");
        code(out, &l.to_string());
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 210.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 34.0;

/// One window taken apart: the drawing (`explain-window-chart`) and the
/// arithmetic (`explain-arithmetic`), one step per item.
pub fn window_details(window: &WindowExplanation) -> String {
    let mut out = window_chart(window);
    out.push_str("<ol class=\"arithmetic\" data-testid=\"explain-arithmetic\">");
    for line in arithmetic(window) {
        out.push_str("<li>");
        escape(&mut out, &line);
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

/// The window drawn in SVG: its range shaded, the samples before it in
/// grey, the samples inside joined by a line, resets circled, and the
/// extrapolation to the window's edges dashed.
pub fn window_chart(window: &WindowExplanation) -> String {
    let range_ms = (window.range_end - window.range_start).max(1);
    let t0 = window
        .before
        .first()
        .map_or(window.range_start, |s| s.t.min(window.range_start))
        - range_ms / 20;
    let t1 = window.range_end + range_ms / 20;
    // Where the extrapolation reaches, in time and value.
    let ends = window.extrapolation.as_ref().map(|e| {
        let slope = if e.sampled_interval > 0.0 {
            e.increase / e.sampled_interval
        } else {
            0.0
        };
        let start = Sample {
            t: e.first.t - (e.extend_start * 1000.0) as i64,
            f: e.first.f - slope * e.extend_start,
        };
        let end = Sample {
            t: e.last.t + (e.extend_end * 1000.0) as i64,
            f: e.last.f + slope * e.extend_end,
        };
        (start, end)
    });
    let (low, high) = window
        .samples
        .iter()
        .chain(&window.before)
        .chain(ends.iter().flat_map(|(a, b)| [a, b]))
        .map(|s| s.f)
        .filter(|f| f.is_finite())
        .fold((0.0_f64, 0.0_f64), |(lo, hi), f| (lo.min(f), hi.max(f)));
    let ticks = nice_ticks(low, if high > low { high } else { low + 1.0 }, 4);
    let y_low = ticks.first().copied().unwrap_or(low).min(low);
    let y_high = ticks
        .last()
        .copied()
        .filter(|&h| h > y_low)
        .unwrap_or(y_low + 1.0);
    let x = |t: i64| n(LEFT + (t - t0) as f64 / (t1 - t0).max(1) as f64 * (WIDTH - LEFT - RIGHT));
    let y = |f: f64| {
        let f = if f.is_finite() { f } else { 0.0 };
        n(HEIGHT - BOTTOM - (f - y_low) / (y_high - y_low) * (HEIGHT - TOP - BOTTOM))
    };

    let mut out = String::new();
    let mut label = String::new();
    escape(
        &mut label,
        &format!(
            "{} of {}: {} samples in the window from {} to {}",
            window.func.name(),
            window.labels,
            window.samples.len(),
            clock(window.range_start),
            clock(window.range_end),
        ),
    );
    let (left, right) = (
        LEFT + (window.range_start - t0) as f64 / (t1 - t0).max(1) as f64 * (WIDTH - LEFT - RIGHT),
        LEFT + (window.range_end - t0) as f64 / (t1 - t0).max(1) as f64 * (WIDTH - LEFT - RIGHT),
    );
    let _ = write!(
        out,
        "<svg class=\"window-chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{label}\" \
         data-testid=\"explain-window-chart\"><rect class=\"window-range\" x=\"{}\" y=\"{}\" \
         width=\"{}\" height=\"{}\"/>",
        n(WIDTH),
        n(HEIGHT),
        n(left),
        n(TOP),
        n(right - left),
        n(HEIGHT - TOP - BOTTOM),
    );
    for &v in &ticks {
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(LEFT),
            n(WIDTH - RIGHT),
            n(LEFT - 6.0),
            n(y_of(v, y_low, y_high) + 4.0),
            axis_value(v),
            y = y(v),
        );
    }
    let base = n(HEIGHT - BOTTOM + 16.0);
    let _ = write!(
        out,
        "<text class=\"edge\" x=\"{}\" y=\"{base}\" text-anchor=\"middle\">{}</text>\
         <text class=\"edge\" x=\"{}\" y=\"{base}\" text-anchor=\"middle\">{}</text>\
         <text class=\"edge\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">window: start excluded, end included</text>",
        n(left),
        clock(window.range_start),
        n(right),
        clock(window.range_end),
        n((left + right) / 2.0),
        n(TOP - 8.0),
    );
    if let (Some((start, end)), Some(e)) = (ends, &window.extrapolation) {
        let _ = write!(
            out,
            "<g class=\"extrapolated\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\
             <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/></g>",
            x(start.t),
            y(start.f),
            x(e.first.t),
            y(e.first.f),
            x(e.last.t),
            y(e.last.f),
            x(end.t),
            y(end.f),
        );
    }
    out.push_str("<polyline class=\"sample-line\" points=\"");
    for s in &window.samples {
        let _ = write!(out, "{},{} ", x(s.t), y(s.f));
    }
    out.push_str("\"/>");
    for (samples, class) in [
        (&window.before, "sample-before"),
        (&window.samples, "sample"),
    ] {
        for s in samples {
            let _ = write!(
                out,
                "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"3.5\"><title>{} at {}</title></circle>",
                x(s.t),
                y(s.f),
                format_value(s.f),
                clock(s.t),
            );
        }
    }
    for s in window.extrapolation.iter().flat_map(|e| &e.resets) {
        let _ = write!(
            out,
            "<g class=\"reset\"><circle cx=\"{x}\" cy=\"{}\" r=\"6\"/>\
             <text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">reset</text></g>",
            y(s.f),
            n(y_of(s.f, y_low, y_high) - 10.0),
            x = x(s.t),
        );
    }
    out.push_str("</svg>");
    out
}

fn y_of(f: f64, low: f64, high: f64) -> f64 {
    let f = if f.is_finite() { f } else { 0.0 };
    HEIGHT - BOTTOM - (f - low) / (high - low) * (HEIGHT - TOP - BOTTOM)
}

/// A coordinate with one decimal.
fn n(v: f64) -> String {
    format_fixed(v, 1)
}

/// The line chart's grid (SVG): a line and a label for each value tick and
/// each time tick between `start_ms` and `end_ms`, then the two axes.
pub fn chart_grid(scale: &Scale, start_ms: i64, end_ms: i64) -> String {
    chart_grid_labelled(scale, start_ms, end_ms, axis_value)
}

/// [`chart_grid`] with the values on the axis written by `label` (a
/// dashboard panel's unit).
fn chart_grid_labelled(
    scale: &Scale,
    start_ms: i64,
    end_ms: i64,
    label: impl Fn(f64) -> String,
) -> String {
    let mut out = String::new();
    let (left, right) = (n(MARGIN_LEFT), n(CHART_WIDTH - MARGIN_RIGHT));
    let (top, bottom) = (n(MARGIN_TOP), n(scale.bottom()));
    for &v in &scale.y_ticks {
        let y = scale.y(v);
        let _ = write!(
            out,
            "<g class=\"tick\"><line class=\"grid\" x1=\"{left}\" x2=\"{right}\" y1=\"{y0}\" y2=\"{y0}\"/>\
             <text x=\"{x}\" y=\"{y4}\" text-anchor=\"end\">{label}</text></g>",
            y0 = n(y),
            x = n(MARGIN_LEFT - 6.0),
            y4 = n(y + 4.0),
            label = label(v),
        );
    }
    // The step fits the whole axis; ticks before the clock's zero are left
    // out (choosing the step from the part after zero crowded a few
    // seconds of labels into the axis's right end).
    for t in time_ticks(start_ms, end_ms, 6)
        .into_iter()
        .filter(|&t| t >= 0)
    {
        let x = n(scale.x(t));
        let _ = write!(
            out,
            "<g class=\"tick\"><line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\"/>\
             <text x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{clock}</text></g>",
            y = n(scale.bottom() + 18.0),
            clock = format_clock(t),
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\"/>\
         <line class=\"axis\" x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{bottom}\"/>"
    );
    out
}

/// The line chart's lines (SVG): a path per series, coloured by position
/// with [`series_colour`], its labels in `data-series`. NaN and ±Inf break
/// a line, and so do points further apart than `gap_ms`.
pub fn chart_lines(series: &[GraphSeries], scale: &Scale, gap_ms: Option<i64>) -> String {
    let mut out = String::new();
    for (i, s) in series.iter().enumerate() {
        out.push_str("<path class=\"series\" d=\"");
        let mut previous: Option<i64> = None;
        for &(t, value) in &s.points {
            if !value.is_finite() {
                previous = None;
                continue;
            }
            let jump = match (previous, gap_ms) {
                (None, _) => true,
                (Some(p), Some(gap)) => t - p > gap,
                (Some(_), None) => false,
            };
            out.push(if jump { 'M' } else { 'L' });
            out.push_str(&n(scale.x(t)));
            out.push(',');
            out.push_str(&n(scale.y(value)));
            previous = Some(t);
        }
        let _ = write!(out, "\" stroke=\"{}\" data-series=\"", series_colour(i));
        escape(&mut out, &s.labels.labels_text());
        out.push_str("\"/>");
    }
    out
}

/// The hover cursor at `t` (SVG): a vertical line, and a dot on each
/// series that has a point there.
pub fn chart_cursor(series: &[GraphSeries], scale: &Scale, t: i64) -> String {
    let x = n(scale.x(t));
    let mut out = format!(
        "<g class=\"cursor\"><line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"/>",
        n(MARGIN_TOP),
        n(scale.bottom())
    );
    for (i, s) in series.iter().enumerate() {
        if let Ok(at) = s.points.binary_search_by_key(&t, |&(time, _)| time) {
            let _ = write!(
                out,
                "<circle cx=\"{x}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"/>",
                n(scale.y(s.points[at].1)),
                series_colour(i)
            );
        }
    }
    out.push_str("</g>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::LastScrape;
    use crate::query::{segments, window_call, windows, TableRow};
    use tinyprom::promql::explain::explain;
    use tinyprom::promql::parse;
    use tinyprom::storage::SeriesStore;

    /// Checks that every tag opened is closed, in order (the markup is
    /// well formed), and returns how many times `needle` occurs.
    fn well_formed(html: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').expect("unclosed tag") + open;
            let tag = &rest[open + 1..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "in {html}");
            } else if !tag.ends_with('/') {
                let name = tag.split(' ').next().expect("a name");
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?} in {html}");
        assert!(!rest.contains('>'), "stray > in {html}");
    }

    fn store() -> SeriesStore {
        let mut store = SeriesStore::new();
        for (i, f) in [5.0, 6.0, 7.0, 1.0, 2.0].into_iter().enumerate() {
            for code in ["200", "<script>"] {
                let labels = Labels::with_name("c", [("code", code)]);
                store
                    .append(&labels, 1_000 + i as i64 * 10_000, f)
                    .expect("append");
            }
        }
        store
    }

    #[test]
    fn a_guide_step_shows_its_text_and_its_section_s_code_escaped() {
        for step in &crate::guide::STEPS {
            let html = guide_step(step);
            well_formed(&html);
            let excerpts = code_of_section(step.section).count();
            assert_eq!(
                html.matches("<pre class=\"code").count(),
                excerpts,
                "{}",
                step.id
            );
        }
        let html = guide_step(&crate::guide::STEPS[1]);
        // Rust's generics and closures are escaped, not markup.
        assert!(html.contains("&lt;"), "{html}");
        assert!(html.contains("workshop/step-2/src/main.rs"), "{html}");
    }

    fn target(last_scrape: Option<LastScrape>) -> TargetStatus {
        TargetStatus {
            url: "http://app:8001/metrics".to_owned(),
            simulated: true,
            labels: Labels::new([("job", "treecounter"), ("instance", "app:8001")]),
            scrape_interval: Duration::from_secs(10),
            last_scrape,
        }
    }

    #[test]
    fn the_targets_view_says_what_prometheus_s_targets_page_says() {
        let never = targets_view(&target(None), Duration::from_secs(3));
        well_formed(&never);
        assert!(never.contains("data-state=\"unknown\">UNKNOWN<"), "{never}");
        assert!(
            never.contains("<td data-testid=\"target-last-scrape\">never</td>"),
            "{never}"
        );
        assert!(never.contains("scraped every 10s"), "{never}");

        let up = target(Some(LastScrape {
            at: Duration::from_secs(20),
            duration: Duration::from_micros(1_300),
            samples: 40,
            error: None,
        }));
        let html = targets_view(&up, Duration::from_millis(24_500));
        well_formed(&html);
        assert!(html.contains("data-state=\"up\">UP<"), "{html}");
        assert!(html.contains(">4s ago<"), "{html}");
        assert!(
            html.contains("<td>1.3ms (simulated), 40 samples</td>"),
            "{html}"
        );
        assert!(
            html.contains("<code>http://app:8001/metrics</code>"),
            "{html}"
        );
        assert!(html.contains("instance=&quot;app:8001&quot;"), "{html}");
        assert!(
            html.contains("<th scope=\"row\">Error</th><td>none</td>"),
            "{html}"
        );

        // A live target: its duration was measured.
        let mut down = target(Some(LastScrape {
            at: Duration::from_secs(20),
            duration: Duration::from_millis(2),
            samples: 0,
            error: Some("connection refused <here>".to_owned()),
        }));
        down.simulated = false;
        let html = targets_view(&down, Duration::from_secs(80));
        well_formed(&html);
        assert!(html.contains("<td>2ms, 0 samples</td>"), "{html}");
        assert!(html.contains("data-state=\"down\">DOWN<"), "{html}");
        assert!(html.contains(">1m0s ago<"), "{html}");
        assert!(html.contains("connection refused &lt;here&gt;"), "{html}");
    }

    #[test]
    fn the_dashboard_draws_every_panel_and_says_when_one_has_no_data() {
        use crate::playground::{Playground, PlaygroundAction, PlaygroundConfig};
        let mut p = Playground::new(PlaygroundConfig {
            start_unix_time: Duration::ZERO,
            seed: 5,
            version: "<v1>".to_owned(),
        });
        let empty = dashboard(&crate::dashboard::evaluate(&p, 300_000));
        well_formed(&empty);
        let panels = crate::stack::DASHBOARD.panels.len();
        assert_eq!(empty.matches("data-has-data=\"false\"").count(), panels);
        assert_eq!(empty.matches(">No data</p>").count(), panels);

        p.apply(PlaygroundAction::SetTrafficRate(3.0)).unwrap();
        p.apply(PlaygroundAction::Advance(Duration::from_secs(240)))
            .unwrap();
        let html = dashboard(&crate::dashboard::evaluate(&p, 300_000));
        well_formed(&html);
        assert_eq!(
            html.matches("data-has-data=\"true\"").count(),
            panels,
            "{html}"
        );
        assert!(html.contains(">UP</span>"), "{html}");
        // The version label is text, escaped.
        assert!(html.contains(">&lt;v1&gt;</span>"), "{html}");
        assert!(
            html.contains(
                "<li><span class=\"swatch\" style=\"background: #2f855a\"></span>p50</li>"
            ),
            "{html}"
        );
        assert!(html.contains("style=\"--span: 12\""), "{html}");
    }

    #[test]
    fn the_alerts_view_lists_every_rule_with_its_state_alerts_and_timeline() {
        use crate::playground::{Playground, PlaygroundAction, PlaygroundConfig};
        let mut playground = Playground::new(PlaygroundConfig {
            start_unix_time: Duration::from_secs(1_800_000_000),
            seed: 7,
            version: "test".to_owned(),
        });
        let rows = |p: &Playground, start_ms: i64| {
            let html = alerts_view(p.alert_rules(), p.store(), start_ms, duration_ms(p.now()));
            well_formed(&html);
            html
        };
        let html = rows(&playground, -300_000);
        assert_eq!(html.matches("data-testid=\"alert-row\"").count(), 3);
        assert_eq!(html.matches("data-state=\"inactive\"").count(), 3);
        assert!(html.contains("<code class=\"alert-name\">TreeCounterDown</code><span class=\"alert-for\">for 1m</span>"), "{html}");
        assert!(
            html.contains("aria-label=\"TreeCounterSlow: inactive\""),
            "{html}"
        );
        assert!(html.contains("0 firing, 0 pending, 3 inactive"), "{html}");
        assert!(!html.contains("data-testid=\"alert\""), "{html}");

        // Stopped at 20 s: pending from 30 s, firing from 90 s.
        playground
            .apply(PlaygroundAction::Advance(Duration::from_secs(20)))
            .unwrap();
        playground.apply(PlaygroundAction::StopApp).unwrap();
        playground
            .apply(PlaygroundAction::Advance(Duration::from_secs(100)))
            .unwrap();
        let html = rows(&playground, -180_000);
        assert!(
            html.contains("data-rule=\"TreeCounterDown\" data-state=\"firing\"><div class=\"alert-head\"><span class=\"alert-state firing\">firing</span>"),
            "{html}"
        );
        assert!(html.contains("1 firing, 0 pending, 2 inactive"), "{html}");
        // The strip spans 0:00..2:00 (not before the clock's zero) over
        // 600 units: pending 0:30..1:30, firing 1:30..2:00.
        assert!(html.contains(
            "aria-label=\"TreeCounterDown: pending 0:30 to 1:30, firing 1:30 to 2:00\">\
             <rect class=\"inactive\" x=\"0\" y=\"0\" width=\"600.0\" height=\"10\"/>\
             <rect class=\"pending\" x=\"150.0\" y=\"0\" width=\"300.0\" height=\"10\"><title>pending 0:30–1:30</title></rect>\
             <rect class=\"firing\" x=\"450.0\" y=\"0\" width=\"150.0\" height=\"10\"><title>firing 1:30–2:00</title></rect></svg>"
        ), "{html}");
        assert!(html.ends_with("<span>0:00</span><span>1 firing, 0 pending, 2 inactive</span><span>2:00</span></p></div>"), "{html}");
        // A later window cuts the spans at its start.
        let late = rows(&playground, 60_000);
        assert!(
            late.contains(
                "aria-label=\"TreeCounterDown: pending 1:00 to 1:30, firing 1:30 to 2:00\""
            ),
            "{late}"
        );
        assert!(html.contains(
            "<li data-testid=\"alert\"><p class=\"alert-labels\">\
             <span class=\"alert-label\">instance=&quot;app:8001&quot;</span> \
             <span class=\"alert-label\">job=&quot;treecounter&quot;</span> \
             <span class=\"alert-label\">severity=&quot;critical&quot;</span> </p>\
             <p class=\"alert-summary\" title=\"Prometheus has not been able to scrape app:8001/metrics for a minute."
        ), "{html}");
        assert!(
            html.contains(
                ">The tree-counter app app:8001 is down</p>\
            <p class=\"alert-since\">active since 0:30, firing since 1:30, value 0</p>"
            ),
            "{html}"
        );
    }

    #[test]
    fn the_alerts_view_escapes_names_labels_and_annotations() {
        use tinyprom::rules::{AlertingRule, Rule, RuleGroup, RuleSettings};
        let mut store = SeriesStore::new();
        store
            .append(&Labels::with_name("x", [("v", "<i>&\"'")]), 0, 1.0)
            .unwrap();
        let mut rules = Rules::new(
            vec![RuleGroup {
                name: "g".to_owned(),
                interval_ms: Some(10_000),
                rules: vec![Rule::Alerting(AlertingRule {
                    alert: "A<b>".to_owned(),
                    expr: "x".to_owned(),
                    for_ms: 60_000,
                    labels: vec![("who".to_owned(), "<{{ $labels.v }}>".to_owned())],
                    annotations: vec![
                        (
                            "summary".to_owned(),
                            "<script>{{ $labels.v }}</script>".to_owned(),
                        ),
                        ("description".to_owned(), "\"quoted\" & <more>".to_owned()),
                    ],
                    ..AlertingRule::default()
                })],
                ..RuleGroup::default()
            }],
            RuleSettings::default(),
        )
        .unwrap();
        rules.advance(&mut store, 10_000);
        let html = alerts_view(&rules, &store, 0, 20_000);
        well_formed(&html);
        assert!(
            !html.contains("<b>") && !html.contains("<i>") && !html.contains("<script>"),
            "{html}"
        );
        assert!(
            html.contains("data-rule=\"A&lt;b&gt;\" data-state=\"pending\""),
            "{html}"
        );
        assert!(
            html.contains("aria-label=\"A&lt;b&gt;: pending 0:10 to 0:20\""),
            "{html}"
        );
        assert!(
            html.contains("v=&quot;&lt;i&gt;&amp;\\&quot;&#39;&quot;"),
            "{html}"
        );
        assert!(
            html.contains("who=&quot;&lt;&lt;i&gt;&amp;\\&quot;&#39;&gt;&quot;"),
            "{html}"
        );
        assert!(
            html.contains("title=\"&quot;quoted&quot; &amp; &lt;more&gt;\">&lt;script&gt;&lt;i&gt;&amp;&quot;&#39;&lt;/script&gt;</p>"),
            "{html}"
        );
    }

    #[test]
    fn scrape_durations_print_as_go_prints_them() {
        for (micros, text) in [
            (850, "850µs"),
            (1_000, "1ms"),
            (1_300, "1.3ms"),
            (12_345, "12.345ms"),
            (2_000_500, "2.0005s"),
        ] {
            assert_eq!(go_duration_micros(Duration::from_micros(micros)), text);
        }
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        let mut out = String::new();
        escape(&mut out, "<a href=\"x\" title='y'>&amp;</a>");
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_highlighted_copy_is_the_query_escaped_in_spans() {
        let query = "c{code=\"<b>\"} > 1 +";
        let error = parse(query).expect_err("incomplete").span;
        let html = highlighted(query, &segments(query, Some(error)));
        well_formed(&html);
        assert!(
            html.contains("<span class=\"hl-metric\">c</span>"),
            "{html}"
        );
        assert!(html.contains("&quot;&lt;b&gt;&quot;"), "{html}");
        assert!(html.contains("hl-err"), "{html}");
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn suggestions_carry_their_index_and_the_active_one_is_selected() {
        let list = tinyprom::promql::complete::suggestions("ra", 2, &store(), 3);
        assert!(!list.is_empty());
        let html = suggestion_items(&list, 1, "q0-suggestions");
        well_formed(&html);
        assert!(html.contains("id=\"q0-suggestions-0\""), "{html}");
        assert!(html.contains("data-index=\"1\""));
        assert_eq!(html.matches("aria-selected=\"true\"").count(), 1);
        assert!(
            html.contains("class=\"suggestion active\" data-index=\"1\""),
            "{html}"
        );
    }

    #[test]
    fn a_table_has_a_row_per_series_and_says_when_it_is_cut() {
        let rows = vec![
            TableRow {
                series: "c{code=\"<script>\"}".into(),
                value: "1".into(),
            },
            TableRow {
                series: "c{code=\"200\"}".into(),
                value: "NaN".into(),
            },
        ];
        let html = table(&Table::Series { rows, total: 3 }, "1:00");
        well_formed(&html);
        assert_eq!(html.matches("data-testid=\"query-table-row\"").count(), 2);
        assert!(
            html.contains("3 series at t = 1:00, the first 2 shown"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"));
        let html = table(&Table::Scalar("0.5".into()), "1:00");
        well_formed(&html);
        assert!(
            html.contains("<td><code>scalar</code></td><td class=\"value\">0.5</td>"),
            "{html}"
        );
        let html = table(
            &Table::Series {
                rows: Vec::new(),
                total: 0,
            },
            "0:00",
        );
        assert!(html.contains("Empty query result."));
    }

    fn chart_series() -> Vec<GraphSeries> {
        vec![
            GraphSeries {
                labels: Labels::with_name("r", [("code", "<200>")]),
                points: vec![(0, 0.0), (10_000, 1.0), (20_000, f64::NAN), (30_000, 2.0)],
            },
            GraphSeries {
                labels: Labels::with_name("r", [("code", "503")]),
                points: vec![(0, 0.5), (30_000, 0.5)],
            },
        ]
    }

    #[test]
    fn the_chart_grid_has_a_tick_per_value_and_minute_and_both_axes() {
        let series = chart_series();
        let scale = Scale::new(&series, 0, 120_000, 240.0);
        let html = chart_grid(&scale, 0, 120_000);
        well_formed(&html);
        // Values 0, 0.5, …, 2 (5 ticks); times every 30 s (5 ticks).
        assert_eq!(html.matches("<g class=\"tick\">").count(), 10, "{html}");
        assert!(html.starts_with(
            "<g class=\"tick\"><line class=\"grid\" x1=\"52.0\" x2=\"626.0\" y1=\"210.0\" y2=\"210.0\"/>\
             <text x=\"46.0\" y=\"214.0\" text-anchor=\"end\">0</text></g>"
        ));
        assert!(html.contains(
            "<g class=\"tick\"><line class=\"grid\" x1=\"195.5\" x2=\"195.5\" y1=\"12.0\" y2=\"210.0\"/>\
             <text x=\"195.5\" y=\"228.0\" text-anchor=\"middle\">0:30</text></g>"
        ));
        assert!(html.ends_with(
            "<line class=\"axis\" x1=\"52.0\" x2=\"626.0\" y1=\"210.0\" y2=\"210.0\"/>\
             <line class=\"axis\" x1=\"52.0\" x2=\"52.0\" y1=\"12.0\" y2=\"210.0\"/>"
        ));
    }

    #[test]
    fn early_on_the_time_ticks_fit_the_whole_span_not_the_seconds_since_zero() {
        // 31 s into the simulation, a graph of the last 5 minutes: one tick
        // at 0:00 (the step fits 5 minutes), not 0:00, 0:05, … 0:30 crowded
        // into the axis's last tenth.
        let series = chart_series();
        let scale = Scale::new(&series, -269_000, 31_000, 240.0);
        let html = chart_grid(&scale, -269_000, 31_000);
        well_formed(&html);
        assert_eq!(html.matches("text-anchor=\"middle\"").count(), 1, "{html}");
        assert!(html.contains(">0:00</text>"), "{html}");
    }

    #[test]
    fn chart_lines_break_at_nan_and_gaps_and_carry_their_labels() {
        let series = chart_series();
        let scale = Scale::new(&series, 0, 30_000, 240.0);
        let check = |gap_ms, expect: &str| {
            let html = chart_lines(&series, &scale, gap_ms);
            well_formed(&html);
            assert_eq!(html, expect);
        };
        check(
            None,
            "<path class=\"series\" d=\"M52.0,210.0L243.3,111.0M626.0,12.0\" stroke=\"#2f855a\" \
             data-series=\"{code=&quot;&lt;200&gt;&quot;}\"/>\
             <path class=\"series\" d=\"M52.0,160.5L626.0,160.5\" stroke=\"#2b6cb0\" \
             data-series=\"{code=&quot;503&quot;}\"/>",
        );
        // Points more than 15 s apart are not joined.
        check(
            Some(15_000),
            "<path class=\"series\" d=\"M52.0,210.0L243.3,111.0M626.0,12.0\" stroke=\"#2f855a\" \
             data-series=\"{code=&quot;&lt;200&gt;&quot;}\"/>\
             <path class=\"series\" d=\"M52.0,160.5M626.0,160.5\" stroke=\"#2b6cb0\" \
             data-series=\"{code=&quot;503&quot;}\"/>",
        );
    }

    #[test]
    fn the_chart_cursor_dots_the_series_with_a_point_there() {
        let series = chart_series();
        let scale = Scale::new(&series, 0, 30_000, 240.0);
        let html = chart_cursor(&series, &scale, 10_000);
        well_formed(&html);
        assert_eq!(
            html,
            "<g class=\"cursor\"><line x1=\"243.3\" x2=\"243.3\" y1=\"12.0\" y2=\"210.0\"/>\
             <circle cx=\"243.3\" cy=\"111.0\" r=\"3.5\" fill=\"#2f855a\"/></g>"
        );
    }

    #[test]
    fn the_visit_log_has_a_row_per_visit_and_marks_failed_upstream_calls() {
        assert_eq!(
            visit_log(&[]),
            "<p class=\"empty-note\">No requests yet. Press the button, or turn on traffic.</p>"
        );
        let visit = |id, source, tree_count: Option<u64>| Visit {
            id,
            at: Duration::from_millis(61_500),
            source,
            status: 200,
            upstream_status: if tree_count.is_some() { 200 } else { 503 },
            latency: Duration::from_millis(120),
            tree_count,
        };
        let html = visit_log(&[
            visit(2, VisitSource::Traffic, None),
            visit(1, VisitSource::Button, Some(1_234_567)),
        ]);
        well_formed(&html);
        assert!(html.contains("data-testid=\"visit-log\""), "{html}");
        assert_eq!(
            html.matches("<tr").count(),
            3,
            "a header and two rows: {html}"
        );
        assert!(html.contains(
            "<tr class=\"upstream-failed\"><td class=\"num\">1:01</td><td class=\"source\">traffic</td>\
             <td><span class=\"status ok\">200</span></td><td><span class=\"status error\">503</span></td>\
             <td class=\"num\">120 ms</td><td class=\"num\">unavailable</td></tr>"
        ), "{html}");
        assert!(html.contains(
            "<tr><td class=\"num\">1:01</td><td class=\"source\">you</td>\
             <td><span class=\"status ok\">200</span></td><td><span class=\"status ok\">200</span></td>\
             <td class=\"num\">120 ms</td><td class=\"num\">1,234,567</td></tr>"
        ), "{html}");
        // A stopped app refused the connection: nothing was answered.
        let refused = Visit {
            status: crate::playground::REFUSED,
            upstream_status: crate::playground::REFUSED,
            latency: Duration::ZERO,
            ..visit(3, VisitSource::Button, None)
        };
        let html = visit_log(&[refused]);
        well_formed(&html);
        assert!(html.contains(
            "<td class=\"source\">you</td><td><span class=\"status error\">refused</span></td><td>–</td>\
             <td class=\"num\">–</td><td class=\"num\">no answer</td></tr>"
        ), "{html}");
    }

    #[test]
    fn the_legend_and_the_readout_colour_each_series_and_escape_labels() {
        let html = legend(&["{code=\"200\"}".to_owned(), "<b>".to_owned()]);
        well_formed(&html);
        assert_eq!(
            html,
            "<ul class=\"legend\" aria-label=\"Series\">\
             <li><span class=\"swatch\" style=\"background:#2f855a\" aria-hidden=\"true\"></span>\
             <code>{code=&quot;200&quot;}</code></li>\
             <li><span class=\"swatch\" style=\"background:#2b6cb0\" aria-hidden=\"true\"></span>\
             <code>&lt;b&gt;</code></li></ul>"
        );
        let values = [(1, "{a=\"&\"}".to_owned(), "2.5/s".to_owned())];
        let html = chart_readout(90_000, &values, 0);
        well_formed(&html);
        assert_eq!(
            html,
            "<div class=\"readout-time\">t = 1:30</div><ul>\
             <li><span class=\"swatch\" style=\"background:#2b6cb0\" aria-hidden=\"true\"></span>\
             <code>{a=&quot;&amp;&quot;}</code><strong>2.5/s</strong></li></ul>"
        );
        let more = chart_readout(0, &values, 3);
        well_formed(&more);
        assert!(
            more.ends_with("<div class=\"readout-more\">and 3 more</div>"),
            "{more}"
        );
    }

    #[test]
    fn a_paragraph_escapes_its_text() {
        assert_eq!(
            paragraph(" class=\"note\" role=\"alert\"", "a < b & \"c\""),
            "<p class=\"note\" role=\"alert\">a &lt; b &amp; &quot;c&quot;</p>"
        );
    }

    #[test]
    fn the_fixed_text_is_well_formed() {
        for html in [
            BRAND,
            FOOTER,
            VISIT_INTRO,
            SIMULATION_INTRO,
            QUERY_INTRO,
            ALERTS_INTRO,
            SCENARIOS_LIVE,
            EXPOSITION_INTRO,
        ] {
            well_formed(html);
        }
    }

    #[test]
    fn exposition_lines_mark_changes_and_comments() {
        assert_eq!(
            exposition_lines(
                "# HELP a A <b>.\na 1\na{x=\"&\"} 2\n",
                &[false, true, false]
            ),
            "<span class=\"line comment\"># HELP a A &lt;b&gt;.\n</span>\
             <span class=\"line changed\">a 1\n</span>\
             <span class=\"line\">a{x=&quot;&amp;&quot;} 2\n</span>"
        );
    }

    #[test]
    fn the_explain_tree_nests_every_node() {
        let store = store();
        let query = "sum(rate(c[1m])) / on() group_left count(c)";
        let expr = parse(query).expect("parses");
        let html = explain_tree(&explain(&store, query, &expr, 45_000));
        well_formed(&html);
        // The division, sum, rate, c[1m], count, c.
        assert_eq!(
            html.matches("data-testid=\"explain-node\"").count(),
            6,
            "{html}"
        );
        assert!(html.contains("data-testid=\"explain-matching\""));
        assert!(
            html.contains("&lt;script&gt;"),
            "labels are escaped: {html}"
        );
    }

    #[test]
    fn a_window_is_drawn_with_its_samples_reset_and_extrapolation() {
        let store = store();
        let expr = parse("increase(c{code=\"200\"}[1m])").expect("parses");
        let call = window_call(&expr).expect("a window call");
        let windows = windows(&store, call, 50_000);
        let html = window_details(&windows[0]);
        well_formed(&html);
        assert_eq!(
            html.matches("<circle class=\"sample\"").count(),
            5,
            "{html}"
        );
        assert_eq!(html.matches("class=\"reset\"").count(), 1);
        assert!(html.contains("class=\"extrapolated\""));
        assert!(!html.contains("NaN") && !html.contains("inf"), "{html}");
        assert!(html.contains("data-testid=\"explain-arithmetic\""));
    }

    #[test]
    fn the_live_banner_says_which_data_is_shown() {
        let simulation = live_banner(None);
        well_formed(&simulation);
        assert!(simulation.contains("data-mode=\"simulation\"><strong>Simulation</strong>"));
        let live = live_banner(Some((
            "http://127.0.0.1:8001/metrics?a=1&b=<2>",
            Duration::from_secs(10),
            Some("http://127.0.0.1:8001/treecounter"),
        )));
        well_formed(&live);
        assert!(
            live.contains(
                "<strong>Live</strong>: scraping <code>http://127.0.0.1:8001/metrics?a=1&amp;b=&lt;2&gt;</code> every 10s"
            ),
            "{live}"
        );
        assert!(live.contains("Visits go to <code>http://127.0.0.1:8001/treecounter</code>"));
        assert!(live.contains("cannot be shared"));
        let no_visits = live_banner(Some((
            "http://node:9100/stats",
            Duration::from_secs(5),
            None,
        )));
        assert!(
            no_visits.contains("every 5s") && no_visits.contains("no <code>/treecounter</code>")
        );
    }

    #[test]
    fn a_paste_says_what_it_loaded_or_why_not() {
        let at = Duration::from_millis(1_700_000_003_250);
        let loaded = |samples, format| {
            paste_note(Ok(Pasted {
                samples,
                format,
                at,
            }))
        };
        assert_eq!(
            loaded(1, TextFormat::Prometheus),
            Ok(
                "Loaded 1 sample (text 0.0.4) as a scrape of job=\"pasted\" at 22:13:23.250."
                    .to_owned()
            )
        );
        assert_eq!(
            loaded(12, TextFormat::OpenMetrics),
            Ok(
                "Loaded 12 samples (OpenMetrics) as a scrape of job=\"pasted\" at 22:13:23.250."
                    .to_owned()
            )
        );
        let error = tinyprom::exposition::parse_exposition("a 1\nb{ 2\n", TextFormat::Prometheus)
            .expect_err("line 2 is not a sample");
        assert_eq!(
            paste_note(Err(error.clone())),
            Err(format!("Nothing loaded: {error}."))
        );
        assert!(format!("{error}").contains('2'), "{error}");
    }

    #[test]
    fn the_live_exposition_names_the_target_and_the_scrape() {
        let url = "http://127.0.0.1:8001/metrics?a=<1>";
        let at = Duration::from_secs(1_700_000_003);
        let check = |last: Option<LastAnswer>, note: &str, text: &str| {
            let (html, shown) = live_exposition(url, last.as_ref());
            well_formed(&html);
            assert_eq!(
                html,
                format!(
                    "<p class=\"hint exposition-source\" data-testid=\"exposition-source\">Live: {note}</p>"
                )
            );
            assert_eq!(shown, text);
        };
        let target = "<code>http://127.0.0.1:8001/metrics?a=&lt;1&gt;</code>";
        check(
            None,
            &format!("nothing from {target} yet, the first scrape is on its way."),
            "# Nothing scraped yet.\n",
        );
        check(
            Some(LastAnswer::Body {
                at,
                content_type: Some("text/plain; version=0.0.4".to_owned()),
                text: "a 1\n".to_owned(),
                error: None,
            }),
            &format!(
                "the answer of {target} to the scrape at 22:13:23 UTC, as received \
                 (<code>text/plain; version=0.0.4</code>)."
            ),
            "a 1\n",
        );
        check(
            Some(LastAnswer::Body {
                at,
                content_type: None,
                text: "<p>".to_owned(),
                error: Some("non-compliant <target>".to_owned()),
            }),
            &format!(
                "the answer of {target} to the scrape at 22:13:23 UTC, as received \
                 (no Content-Type). <span class=\"target-error\">The scrape failed: \
                 non-compliant &lt;target&gt;</span>"
            ),
            "<p>",
        );
        check(
            Some(LastAnswer::Missing {
                at,
                reason: "server returned HTTP status 404 Not Found".to_owned(),
            }),
            &format!("the scrape of {target} at 22:13:23 UTC gave no text to show."),
            "# server returned HTTP status 404 Not Found\n",
        );
    }
}
