//! The full stack's configuration, compiled in: the alert rules Prometheus
//! loads (`prometheus.yaml` and its `rule_files`, `prometheus/alerts.yaml`)
//! and the dashboard Grafana provisions
//! (`grafana/dashboards/treecounter.json`). `build.rs` reads the files and
//! writes them as the Rust data below, so the page shows and evaluates the
//! very same rules and panels, with no YAML or JSON parser in the wasm;
//! editing either file changes the page at the next build.
//!
//! ```
//! use playground_core::stack;
//!
//! let rules = stack::new_rules().expect("the stack's rules load");
//! assert!(rules.rules().any(|rule| rule.name() == "TreeCounterDown"));
//! assert!(stack::DASHBOARD.panels.iter().any(|panel| panel.title == "App up"));
//! ```

use tinyprom::labels::Labels;
// The generated `rule_groups` names whichever kinds of rule the files hold.
#[allow(unused_imports)]
use tinyprom::rules::{
    AlertingRule, InvalidRules, RecordingRule, Rule, RuleGroup, RuleSettings, Rules,
};

include!(concat!(env!("OUT_DIR"), "/stack.rs"));

/// A Grafana dashboard: what the page needs to draw it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dashboard {
    /// `uid`.
    pub uid: &'static str,
    /// `title`.
    pub title: &'static str,
    /// `description`.
    pub description: &'static str,
    /// `refresh`, e.g. `10s`.
    pub refresh: &'static str,
    /// `time.from`, e.g. `now-15m`.
    pub time_from: &'static str,
    /// `time.to`, e.g. `now`.
    pub time_to: &'static str,
    /// Every panel, those of rows after their row.
    pub panels: &'static [Panel],
}

/// One panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Panel {
    /// `id`.
    pub id: u64,
    /// `type`: `timeseries`, `stat`, `row`, `text`, …
    pub kind: &'static str,
    /// `title`.
    pub title: &'static str,
    /// `description` (the ⓘ next to the title).
    pub description: &'static str,
    /// `gridPos`: 24 columns wide, rows of 30 px.
    pub grid: GridPos,
    /// `fieldConfig.defaults.unit` (`reqps`, `percentunit`, `s`, `bytes`, …;
    /// empty when not set).
    pub unit: &'static str,
    /// `fieldConfig.defaults.decimals`.
    pub decimals: Option<u64>,
    /// `fieldConfig.defaults.min`.
    pub min: Option<f64>,
    /// `fieldConfig.defaults.max`.
    pub max: Option<f64>,
    /// `fieldConfig.defaults.thresholds.steps`, lowest first.
    pub thresholds: &'static [Threshold],
    /// `fieldConfig.defaults.custom.thresholdsStyle.mode` (`line+area`, …;
    /// empty: not drawn).
    pub thresholds_style: &'static str,
    /// `fieldConfig.defaults.mappings` of type `value`.
    pub mappings: &'static [ValueMapping],
    /// `options.reduceOptions.calcs` of stat panels (`lastNotNull`).
    pub calcs: &'static [&'static str],
    /// `options.colorMode` of stat panels (`value`, `background`).
    pub color_mode: &'static str,
    /// `options.graphMode` of stat panels (`none`, `area`).
    pub graph_mode: &'static str,
    /// `options.textMode` of stat panels (`auto`, `name`: the legend
    /// instead of the value).
    pub text_mode: &'static str,
    /// `maxDataPoints`, if set (otherwise Grafana uses the panel's width).
    pub max_data_points: Option<u64>,
    /// `interval` (the panel's min interval), in milliseconds, if set.
    pub min_interval_ms: Option<i64>,
    /// `targets`: the queries.
    pub targets: &'static [Target],
}

/// `gridPos`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridPos {
    /// Column, 0..24.
    pub x: u64,
    /// Row.
    pub y: u64,
    /// Width in columns.
    pub w: u64,
    /// Height in rows.
    pub h: u64,
}

/// A threshold step: from `value` up (from -∞ when `None`), `color`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// Where the step starts.
    pub value: Option<f64>,
    /// A Grafana colour name (`green`, `red`) or CSS colour.
    pub color: &'static str,
}

/// A value mapping: this value is shown as `text`, in `color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueMapping {
    /// The value as text (`0`, `1`).
    pub value: &'static str,
    /// What is shown instead.
    pub text: &'static str,
    /// Its colour (empty: unchanged).
    pub color: &'static str,
}

/// One query of a panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// `refId` (`A`, `B`, …).
    pub ref_id: &'static str,
    /// `expr`, with Grafana's variables (`$__rate_interval`) still in it:
    /// see [`crate::grafana::QueryContext::substitute`].
    pub expr: &'static str,
    /// `legendFormat` (`{{instance}}`): see [`crate::grafana::legend`].
    pub legend_format: &'static str,
    /// `instant`: Grafana runs an instant query.
    pub instant: bool,
    /// `range`: Grafana runs a range query.
    pub range: bool,
}

/// The rules of the stack ready to evaluate, with `prometheus.yaml`'s
/// evaluation interval and external labels. `Err` only if the files hold
/// something Prometheus would refuse (the crate's tests check they do not).
pub fn new_rules() -> Result<Rules, InvalidRules> {
    Rules::new(
        rule_groups(),
        RuleSettings {
            evaluation_interval_ms: EVALUATION_INTERVAL_MS,
            external_labels: Labels::new(EXTERNAL_LABELS.iter().copied()),
            ..RuleSettings::default()
        },
    )
}

/// Label or annotation pairs from the generated constants.
fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}
