use std::collections::BTreeSet;
use std::rc::Rc;

use playground_core::chart::{format_fixed, format_value, Scale, MARGIN_LEFT, MARGIN_RIGHT, WIDTH};
use playground_core::markup::{chart_cursor, chart_grid, chart_lines, chart_readout};
use playground_core::playground::GraphSeries;
use yew::prelude::*;

use crate::components::raw;

/// Most series listed in the hover readout.
const READOUT_MAX: usize = 8;

/// Props of [`LineChart`].
#[derive(Properties, PartialEq, Debug)]
pub struct LineChartProps {
    /// The lines, coloured by position with
    /// [`series_colour`](playground_core::chart::series_colour).
    pub series: Rc<Vec<GraphSeries>>,
    /// Left edge of the time axis, ms on the simulated clock.
    pub start_ms: i64,
    /// Right edge of the time axis.
    pub end_ms: i64,
    /// Height of the drawing in SVG units (the width is 640).
    #[prop_or(240.0)]
    pub height: f64,
    /// Unit appended to values in the readout, e.g. `/s`.
    #[prop_or_default]
    pub unit: AttrValue,
    /// Accessible name of the graph.
    pub title: AttrValue,
    /// `data-testid` of the SVG.
    pub testid: AttrValue,
    /// Break a line where two points are further apart than this.
    #[prop_or_default]
    pub gap_ms: Option<i64>,
    /// Shown when there is nothing to draw yet.
    pub empty_note: AttrValue,
}

/// A time-series line chart in SVG: time axis with ticks, value axis, one
/// line per series, and a readout of time and values under the pointer (or
/// the arrow keys when focused). The drawing itself is markup from
/// [`playground_core::markup`].
#[component]
pub fn LineChart(props: &LineChartProps) -> Html {
    let hover_ms = use_state(|| None::<i64>);
    let svg_ref = use_node_ref();

    let scale = Scale::new(&props.series, props.start_ms, props.end_ms, props.height);
    let times = point_times(&props.series);

    let onmousemove = {
        let hover_ms = hover_ms.clone();
        let svg_ref = svg_ref.clone();
        let times = times.clone();
        let (start_ms, end_ms) = (props.start_ms, props.end_ms);
        Callback::from(move |event: MouseEvent| {
            let Some(svg) = svg_ref.cast::<web_sys::Element>() else {
                return;
            };
            let rect = svg.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return;
            }
            let x = (f64::from(event.client_x()) - rect.left()) / rect.width() * WIDTH;
            let fraction =
                ((x - MARGIN_LEFT) / (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)).clamp(0.0, 1.0);
            let t = start_ms + (fraction * (end_ms - start_ms) as f64) as i64;
            hover_ms.set(nearest(&times, t));
        })
    };
    let onmouseleave = {
        let hover_ms = hover_ms.clone();
        Callback::from(move |_: MouseEvent| hover_ms.set(None))
    };
    let onkeydown = {
        let hover_ms = hover_ms.clone();
        let times = times.clone();
        Callback::from(move |event: KeyboardEvent| {
            let index = (*hover_ms).and_then(|t| times.binary_search(&t).ok());
            let last = times.len().checked_sub(1);
            let next = match event.key().as_str() {
                "ArrowLeft" => index.map_or(last, |i| Some(i.saturating_sub(1))),
                "ArrowRight" => index.map_or(last, |i| Some((i + 1).min(times.len() - 1))),
                "Home" => times.first().map(|_| 0),
                "End" => last,
                "Escape" => {
                    hover_ms.set(None);
                    return;
                }
                _ => return,
            };
            event.prevent_default();
            hover_ms.set(next.and_then(|i| times.get(i).copied()));
        })
    };
    let onblur = {
        let hover_ms = hover_ms.clone();
        Callback::from(move |_: FocusEvent| hover_ms.set(None))
    };

    // Drop a hover that no longer matches a point (the data moved on).
    let hover = (*hover_ms).filter(|t| times.binary_search(t).is_ok());

    let cursor = hover.map(|t| raw(chart_cursor(&props.series, &scale, t)));
    let readout = hover.map(|t| readout(props, &scale, t));
    let empty = props.series.is_empty().then(|| {
        html! {
            <text class="empty" x={fmt(WIDTH / 2.0)} y={fmt(props.height / 2.0)} text-anchor="middle">
                { props.empty_note.clone() }
            </text>
        }
    });

    html! {
        <div class="chart">
            <svg ref={svg_ref} viewBox={format!("0 0 {} {}", fmt(WIDTH), fmt(props.height))} role="img"
                aria-label={props.title.clone()} data-testid={props.testid.clone()} tabindex="0"
                {onmousemove} {onmouseleave} {onkeydown} {onblur}>
                <title>{ props.title.clone() }</title>
                { raw(chart_grid(&scale, props.start_ms, props.end_ms)) }
                <g class="lines">{ raw(chart_lines(&props.series, &scale, props.gap_ms)) }</g>
                // Optional parts sit in containers that are always there: yew
                // matches an unkeyed list from its end, so a child appearing
                // last would make it rebuild (and unfocus) its siblings.
                <g class="overlay">{ for cursor }{ for empty }</g>
            </svg>
            <div class="readout-slot">{ for readout }</div>
        </div>
    }
}

/// The hover readout: the time, then each series' value there, largest first.
fn readout(props: &LineChartProps, scale: &Scale, t: i64) -> Html {
    // Largest first. Inserted into place rather than sorted: there are a few
    // dozen series at most, and a `sort` instantiation would cost the wasm
    // about a kilobyte compressed.
    let mut values: Vec<(usize, &GraphSeries, f64)> = Vec::new();
    for (i, series) in props.series.iter().enumerate() {
        if let Some(value) = value_at(series, t) {
            let at = values.partition_point(|&(.., v)| v.total_cmp(&value).is_ge());
            values.insert(at, (i, series, value));
        }
    }
    let hidden = values.len().saturating_sub(READOUT_MAX);
    let rows: Vec<(usize, String, String)> = values
        .iter()
        .take(READOUT_MAX)
        .map(|(i, series, value)| {
            (
                *i,
                series.labels.labels_text(),
                format!("{}{}", format_value(*value), props.unit),
            )
        })
        .collect();
    // Keep the box inside the chart: left of the cursor on the right half.
    let percent = scale.x(t) / WIDTH * 100.0;
    let style = if percent > 55.0 {
        format!("right:{}%", fmt(100.0 - percent + 1.0))
    } else {
        format!("left:{}%", fmt(percent + 1.0))
    };
    // The box stays an element (a live region is announced as its content
    // changes); what is in it is markup.
    html! {
        <div class="readout" {style} role="status" data-testid={format!("{}-readout", props.testid)}>
            { raw(chart_readout(t, &rows, hidden)) }
        </div>
    }
}

/// Every time at which some series has a point, sorted and deduplicated.
/// (Inserted one by one into a `BTreeSet` rather than sorted: `collect()`
/// into it, or `sort_unstable` and `dedup`, would each bring a `sort`
/// instantiation into the wasm, several times the size of this.)
fn point_times(series: &[GraphSeries]) -> Rc<Vec<i64>> {
    let mut times = BTreeSet::new();
    for s in series {
        for &(t, _) in &s.points {
            times.insert(t);
        }
    }
    Rc::new(times.into_iter().collect())
}

/// The point time closest to `t`.
fn nearest(times: &[i64], t: i64) -> Option<i64> {
    let i = times.partition_point(|&x| x < t);
    let after = times.get(i).copied();
    let before = i.checked_sub(1).and_then(|j| times.get(j).copied());
    match (before, after) {
        (Some(b), Some(a)) => Some(if t - b <= a - t { b } else { a }),
        (b, a) => b.or(a),
    }
}

/// The series' value at exactly `t`, if it has a point there.
fn value_at(series: &GraphSeries, t: i64) -> Option<f64> {
    series
        .points
        .binary_search_by_key(&t, |&(time, _)| time)
        .ok()
        .map(|i| series.points[i].1)
}

/// A coordinate with one decimal, plenty at this scale.
fn fmt(coordinate: f64) -> String {
    format_fixed(coordinate, 1)
}
