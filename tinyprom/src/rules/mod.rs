//! Recording and alerting rules, evaluated as Prometheus's rule manager
//! evaluates them (`rules/group.go`, `recording.go`, `alerting.go`), over a
//! [`SeriesStore`] at times the caller passes in.
//!
//! A rule file's groups are plain data here ([`RuleGroup`], [`Rule`]): the
//! callers read YAML (the `promql` command) or generate the structs at build
//! time (the playground). [`Rules::new`] checks them as `rulefmt` does and
//! parses every expression and template once; [`Rules::evaluate`] then runs
//! every group at a time, in order, each rule seeing what the rules before
//! it wrote:
//!
//! - a recording rule writes its result back into the store under its
//!   `record` name and labels, at the evaluation time;
//! - an alerting rule keeps an [`Alert`] per label set its expression
//!   returns: *pending* from the first evaluation that returns it, *firing*
//!   once it has been returned for `for`, *inactive* (resolved) at the
//!   first evaluation that no longer returns it (or `keep_firing_for`
//!   later), kept 15 minutes after that; it writes `ALERTS{alertstate=…}` 1
//!   and `ALERTS_FOR_STATE` (the time it became active, in seconds) for
//!   each pending or firing alert, as Prometheus does;
//! - a series a rule wrote at its previous evaluation and not at this one
//!   gets a staleness marker, so `ALERTS{alertstate="pending"}` ends when the
//!   alert fires, and a recording ends when its input does.
//!
//! Labels and annotations of alerts are [`template`]s, expanded with the
//! alert's series labels and value.
//!
//! [`Rules::advance`] is the clock-driven form: each group at each multiple
//! of its interval up to "now", for a caller that moves time forward.

pub mod template;

use crate::labels::{Labels, LabelsBuilder, METRIC_NAME};
use crate::promql::ast::Expr;
use crate::promql::eval::{instant_query, QueryOptions};
use crate::promql::parse;
use crate::promql::value::QueryValue;
use crate::storage::{SeriesStore, STALE_NAN};
use template::{Template, TemplateData};

/// The label that names the alert in its labels and in `ALERTS`.
pub const ALERT_NAME: &str = "alertname";
/// The series Prometheus writes for every pending or firing alert.
pub const ALERTS_METRIC: &str = "ALERTS";
/// The series holding when each alert became active, in seconds.
pub const ALERTS_FOR_STATE_METRIC: &str = "ALERTS_FOR_STATE";
/// The label of `ALERTS` that says `pending` or `firing`.
pub const ALERT_STATE_LABEL: &str = "alertstate";
/// How long a resolved alert is kept (Prometheus's `resolvedRetention`,
/// which lets it tell Alertmanager about the resolution more than once).
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60 * 1000;
/// Prometheus's default `evaluation_interval`.
pub const DEFAULT_EVALUATION_INTERVAL_MS: i64 = 60 * 1000;

/// A rule group as a rule file declares it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleGroup {
    /// `name`.
    pub name: String,
    /// `interval`, in milliseconds; `None` for the global evaluation
    /// interval.
    pub interval_ms: Option<i64>,
    /// `query_offset`, in milliseconds; `None` for the global one.
    pub query_offset_ms: Option<i64>,
    /// `limit`: the most series a recording rule or alerts an alerting rule
    /// may produce (0: no limit).
    pub limit: usize,
    /// `labels`: added to every rule's (a rule's own win).
    pub labels: Vec<(String, String)>,
    /// `rules`, evaluated in this order.
    pub rules: Vec<Rule>,
}

/// One rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `record:`.
    Recording(RecordingRule),
    /// `alert:`.
    Alerting(AlertingRule),
}

/// A recording rule: its expression's result, stored under a new name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordingRule {
    /// `record`: the metric name of the result.
    pub record: String,
    /// `expr`.
    pub expr: String,
    /// `labels`: set on every result series (an empty value removes one).
    pub labels: Vec<(String, String)>,
}

/// An alerting rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertingRule {
    /// `alert`: the alert's name.
    pub alert: String,
    /// `expr`: every series it returns is an alert.
    pub expr: String,
    /// `for`, in milliseconds: how long an alert stays pending.
    pub for_ms: i64,
    /// `keep_firing_for`, in milliseconds: how long a firing alert keeps
    /// firing once its series is gone.
    pub keep_firing_for_ms: i64,
    /// `labels`: templates, added to the series' labels.
    pub labels: Vec<(String, String)>,
    /// `annotations`: templates.
    pub annotations: Vec<(String, String)>,
}

impl Rule {
    /// The rule's name: `record` or `alert`.
    pub fn name(&self) -> &str {
        match self {
            Rule::Recording(rule) => &rule.record,
            Rule::Alerting(rule) => &rule.alert,
        }
    }
}

/// What every group shares: Prometheus's global configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSettings {
    /// `global.evaluation_interval`: the interval of groups without one.
    pub evaluation_interval_ms: i64,
    /// `global.rule_query_offset`: how far back rules query by default.
    pub query_offset_ms: i64,
    /// `global.external_labels`, for `$externalLabels`.
    pub external_labels: Labels,
    /// `--web.external-url`, for `$externalURL`.
    pub external_url: String,
    /// The engine's settings (lookback, subquery step, sample limit).
    pub query_options: QueryOptions,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            evaluation_interval_ms: DEFAULT_EVALUATION_INTERVAL_MS,
            query_offset_ms: 0,
            external_labels: Labels::empty(),
            external_url: String::new(),
            query_options: QueryOptions::default(),
        }
    }
}

/// The state of one alert, ordered as Prometheus orders them (a rule's
/// state is its most severe alert's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertState {
    /// Resolved: no longer returned by the expression.
    Inactive,
    /// Returned by the expression for less than `for`.
    Pending,
    /// Returned for at least `for`.
    Firing,
}

impl AlertState {
    /// `inactive`, `pending`, `firing`: the `alertstate` label and the
    /// alerts page's words.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert: an alerting rule's instance for one label set.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Its identity: the series' labels without the metric name, the rule's
    /// labels, `alertname`.
    pub labels: Labels,
    /// The rule's annotations, expanded at the latest evaluation, sorted by
    /// name (empty values kept).
    pub annotations: Vec<(String, String)>,
    /// Pending, firing, or inactive once resolved.
    pub state: AlertState,
    /// The expression's value at the latest evaluation that returned it.
    pub value: f64,
    /// When the expression first returned it (milliseconds).
    pub active_at_ms: i64,
    /// When it started firing.
    pub fired_at_ms: Option<i64>,
    /// When it was resolved; `None` while pending or firing.
    pub resolved_at_ms: Option<i64>,
    /// Since when it has been kept firing by `keep_firing_for`.
    pub keep_firing_since_ms: Option<i64>,
}

/// Whether a rule's last evaluation worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleHealth {
    /// Not evaluated yet.
    Unknown,
    /// The last evaluation worked.
    Ok,
    /// It failed: see [`RuleState::last_error`].
    Err,
}

/// A group ready to evaluate, with its rules' state.
#[derive(Clone, Debug)]
pub struct Group {
    name: String,
    interval_ms: i64,
    query_offset_ms: i64,
    limit: usize,
    rules: Vec<RuleState>,
    last_evaluation_ms: Option<i64>,
}

/// A rule ready to evaluate, with its state.
#[derive(Clone, Debug)]
pub struct RuleState {
    name: String,
    expr: Expr,
    expr_text: String,
    /// The rule's labels (group labels merged in), as written.
    labels: Vec<(String, String)>,
    kind: RuleKind,
    health: RuleHealth,
    last_error: Option<String>,
    last_evaluation_ms: Option<i64>,
    /// What the previous evaluation wrote, sorted: the series that get a
    /// staleness marker if this one does not write them again.
    written: Vec<Labels>,
}

#[derive(Clone, Debug)]
enum RuleKind {
    Recording,
    Alerting(Box<AlertingState>),
}

#[derive(Clone, Debug)]
struct AlertingState {
    for_ms: i64,
    keep_firing_for_ms: i64,
    label_templates: Vec<(String, Template)>,
    annotation_templates: Vec<(String, Template)>,
    /// Sorted by labels.
    alerts: Vec<Alert>,
}

/// Why rule groups were refused: every problem found, each in Prometheus's
/// words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct InvalidRules {
    /// One message per problem.
    pub problems: Vec<String>,
}

/// Rule groups ready to evaluate over a store, with their state. The
/// default has no groups.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    groups: Vec<Group>,
    external_labels: Labels,
    external_url: String,
    query_options: QueryOptions,
}

impl Rules {
    /// Checks the groups as Prometheus checks a rule file (`rulefmt`),
    /// parses every expression and template, and starts every rule
    /// unevaluated. Every problem found is reported, each in Prometheus's
    /// words: `group "g", rule 1, "Name": could not parse expression: …`.
    pub fn new(groups: Vec<RuleGroup>, settings: RuleSettings) -> Result<Rules, InvalidRules> {
        let mut errors = Vec::new();
        if settings.evaluation_interval_ms <= 0 {
            errors.push("the evaluation interval must be positive".to_owned());
        }
        let mut ready = Vec::with_capacity(groups.len());
        for group in groups {
            if group.name.is_empty() {
                errors.push("Groupname must not be empty".to_owned());
            }
            if group.interval_ms.is_some_and(|ms| ms < 0) {
                errors.push(format!(
                    "group {:?}: interval must not be negative",
                    group.name
                ));
            }
            for (name, _) in &group.labels {
                if name.is_empty() || name == METRIC_NAME {
                    errors.push(format!("invalid label name: {name}"));
                }
            }
            let mut rules = Vec::with_capacity(group.rules.len());
            for (index, rule) in group.rules.into_iter().enumerate() {
                let context = format!(
                    "group {:?}, rule {}, {:?}",
                    group.name,
                    index + 1,
                    rule.name()
                );
                match RuleState::new(rule, &group.labels) {
                    Ok(state) => rules.push(state),
                    Err(rule_errors) => {
                        errors.extend(rule_errors.into_iter().map(|e| format!("{context}: {e}")));
                    }
                }
            }
            ready.push(Group {
                name: group.name,
                interval_ms: match group.interval_ms {
                    Some(ms) if ms > 0 => ms,
                    _ => settings.evaluation_interval_ms,
                },
                query_offset_ms: group.query_offset_ms.unwrap_or(settings.query_offset_ms),
                limit: group.limit,
                rules,
                last_evaluation_ms: None,
            });
        }
        if !errors.is_empty() {
            return Err(InvalidRules { problems: errors });
        }
        Ok(Rules {
            groups: ready,
            external_labels: settings.external_labels,
            external_url: settings.external_url,
            query_options: settings.query_options,
        })
    }

    /// The groups, in evaluation order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Every rule of every group, in evaluation order.
    pub fn rules(&self) -> impl Iterator<Item = &RuleState> {
        self.groups.iter().flat_map(|g| g.rules.iter())
    }

    /// Evaluates every group at `t` (milliseconds), in order, writing the
    /// results into `store`. This is what `promtool test rules` does at
    /// each evaluation step, whatever the groups' intervals.
    pub fn evaluate(&mut self, store: &mut SeriesStore, t: i64) {
        for index in 0..self.groups.len() {
            self.evaluate_group(index, store, t);
        }
    }

    /// Evaluates one group at `t`.
    pub fn evaluate_group(&mut self, index: usize, store: &mut SeriesStore, t: i64) {
        let Some(group) = self.groups.get_mut(index) else {
            return;
        };
        let context = EvalContext {
            external_labels: &self.external_labels,
            external_url: &self.external_url,
            options: self.query_options,
            query_offset_ms: group.query_offset_ms,
            limit: group.limit,
        };
        for rule in &mut group.rules {
            rule.evaluate(store, t, &context);
        }
        group.last_evaluation_ms = Some(t);
    }

    /// Evaluates each group at every multiple of its interval after its
    /// last evaluation, up to `now` (a group never evaluated starts at the
    /// last multiple at or before `now`), earliest first, so a group reading
    /// another's recordings sees them as Prometheus would. Returns how many
    /// group evaluations ran. (Prometheus staggers groups by a hash of their
    /// name within the interval; here they are aligned to multiples of it.)
    pub fn advance(&mut self, store: &mut SeriesStore, now: i64) -> usize {
        let mut evaluations = 0;
        loop {
            let next = self
                .groups
                .iter()
                .enumerate()
                .map(|(index, group)| (group.next_evaluation(now), index))
                .min();
            match next {
                Some((t, index)) if t <= now => {
                    self.evaluate_group(index, store, t);
                    evaluations += 1;
                }
                _ => return evaluations,
            }
        }
    }
}

impl Group {
    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How often it is evaluated, in milliseconds.
    pub fn interval_ms(&self) -> i64 {
        self.interval_ms
    }

    /// How far back its rules query, in milliseconds.
    pub fn query_offset_ms(&self) -> i64 {
        self.query_offset_ms
    }

    /// Its rules, in evaluation order.
    pub fn rules(&self) -> &[RuleState] {
        &self.rules
    }

    /// When it was last evaluated.
    pub fn last_evaluation_ms(&self) -> Option<i64> {
        self.last_evaluation_ms
    }

    /// When [`Rules::advance`] evaluates it next.
    pub fn next_evaluation(&self, now: i64) -> i64 {
        match self.last_evaluation_ms {
            Some(last) => last.saturating_add(self.interval_ms),
            None => now - now.rem_euclid(self.interval_ms),
        }
    }
}

/// What a rule's evaluation needs from its group and the settings.
struct EvalContext<'a> {
    external_labels: &'a Labels,
    external_url: &'a str,
    options: QueryOptions,
    query_offset_ms: i64,
    limit: usize,
}

impl RuleState {
    fn new(rule: Rule, group_labels: &[(String, String)]) -> Result<RuleState, Vec<String>> {
        let mut errors = Vec::new();
        let (name, expr_text, own_labels) = match &rule {
            Rule::Recording(r) => (&r.record, &r.expr, &r.labels),
            Rule::Alerting(r) => (&r.alert, &r.expr, &r.labels),
        };
        if name.is_empty() {
            errors.push("one of 'record' or 'alert' must be set".to_owned());
        }
        let expr = if expr_text.trim().is_empty() {
            errors.push("field 'expr' must be set in rule".to_owned());
            None
        } else {
            match parse(expr_text) {
                Ok(expr) => Some(expr),
                Err(error) => {
                    errors.push(format!("could not parse expression: {error}"));
                    None
                }
            }
        };
        // The group's labels, then the rule's over them, sorted by name.
        let mut labels: Vec<(String, String)> = Vec::new();
        for (label, value) in group_labels.iter().chain(own_labels) {
            match labels.binary_search_by(|(l, _)| l.cmp(label)) {
                Ok(i) => labels[i].1 = value.clone(),
                Err(i) => labels.insert(i, (label.clone(), value.clone())),
            }
        }
        for (label, _) in own_labels {
            if label.is_empty() || label == METRIC_NAME {
                errors.push(format!("invalid label name: {label}"));
            }
        }
        let kind = match &rule {
            Rule::Recording(r) => {
                if r.record.contains(['{', '}']) {
                    errors.push(format!(
                        "braces present in the recording rule name; should it be in expr?: {}",
                        r.record
                    ));
                }
                RuleKind::Recording
            }
            Rule::Alerting(r) => {
                if r.for_ms < 0 || r.keep_firing_for_ms < 0 {
                    errors.push("'for' and 'keep_firing_for' must not be negative".to_owned());
                }
                let template_name = format!("__alert_{}", r.alert);
                let mut label_templates = Vec::new();
                for (label, text) in &labels {
                    match Template::parse(text, &template_name) {
                        Ok(template) => label_templates.push((label.clone(), template)),
                        Err(error) => errors.push(format!("label {label:?}: {error}")),
                    }
                }
                let mut annotation_templates: Vec<(String, Template)> = Vec::new();
                for (annotation, text) in &r.annotations {
                    if annotation.is_empty() {
                        errors.push(format!("invalid annotation name: {annotation}"));
                    }
                    match Template::parse(text, &template_name) {
                        Ok(template) => {
                            let at = annotation_templates
                                .binary_search_by(|(a, _)| a.cmp(annotation))
                                .unwrap_or_else(|i| i);
                            annotation_templates.insert(at, (annotation.clone(), template));
                        }
                        Err(error) => errors.push(format!("annotation {annotation:?}: {error}")),
                    }
                }
                RuleKind::Alerting(Box::new(AlertingState {
                    for_ms: r.for_ms,
                    keep_firing_for_ms: r.keep_firing_for_ms,
                    label_templates,
                    annotation_templates,
                    alerts: Vec::new(),
                }))
            }
        };
        match expr {
            Some(expr) if errors.is_empty() => Ok(RuleState {
                name: name.clone(),
                expr,
                expr_text: expr_text.clone(),
                labels,
                kind,
                health: RuleHealth::Unknown,
                last_error: None,
                last_evaluation_ms: None,
                written: Vec::new(),
            }),
            _ => Err(errors),
        }
    }

    /// `record` or `alert`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The expression as written.
    pub fn expr(&self) -> &str {
        &self.expr_text
    }

    /// Whether this is an alerting rule.
    pub fn is_alerting(&self) -> bool {
        matches!(self.kind, RuleKind::Alerting(_))
    }

    /// The rule's labels (its group's merged in), as written.
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// `for`, in milliseconds (0 for recording rules).
    pub fn for_ms(&self) -> i64 {
        match &self.kind {
            RuleKind::Alerting(state) => state.for_ms,
            RuleKind::Recording => 0,
        }
    }

    /// Whether the last evaluation worked.
    pub fn health(&self) -> RuleHealth {
        self.health
    }

    /// Why the last evaluation failed.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// When the rule was last evaluated.
    pub fn last_evaluation_ms(&self) -> Option<i64> {
        self.last_evaluation_ms
    }

    /// Every alert the rule holds: pending, firing, and resolved ones for
    /// 15 minutes after their resolution. Empty for recording rules.
    pub fn alerts(&self) -> &[Alert] {
        match &self.kind {
            RuleKind::Alerting(state) => &state.alerts,
            RuleKind::Recording => &[],
        }
    }

    /// The pending and firing alerts (what `promtool` compares and the
    /// alerts page lists as active).
    pub fn active_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts().iter().filter(|a| a.resolved_at_ms.is_none())
    }

    /// The rule's state: its most severe alert's, inactive without one.
    pub fn state(&self) -> AlertState {
        self.alerts()
            .iter()
            .map(|a| a.state)
            .max()
            .unwrap_or(AlertState::Inactive)
    }

    fn evaluate(&mut self, store: &mut SeriesStore, t: i64, context: &EvalContext<'_>) {
        self.last_evaluation_ms = Some(t);
        let query_t = t - context.query_offset_ms;
        let result =
            self.query(store, query_t, context.options)
                .and_then(|samples| match &mut self.kind {
                    RuleKind::Recording => record(&self.name, &self.labels, samples, context.limit),
                    RuleKind::Alerting(state) => {
                        state.evaluate(&self.name, &self.labels, samples, t, context)
                    }
                });
        let samples = match result {
            Ok(samples) => samples,
            Err(error) => {
                self.health = RuleHealth::Err;
                self.last_error = Some(error);
                return;
            }
        };
        self.health = RuleHealth::Ok;
        self.last_error = None;
        // Kept sorted by inserting in place: a sort of its own would cost
        // the page kilobytes of code.
        let mut written: Vec<Labels> = Vec::with_capacity(samples.len());
        for (labels, value) in samples {
            match store.append(&labels, query_t, value) {
                Ok(()) => {
                    if let Err(at) = written.binary_search(&labels) {
                        written.insert(at, labels);
                    }
                }
                Err(error) => {
                    self.health = RuleHealth::Err;
                    self.last_error = Some(error.to_string());
                }
            }
        }
        for gone in &self.written {
            if written.binary_search(gone).is_err() {
                // Refused when another rule or the input wrote there
                // first; Prometheus ignores that too.
                let _ = store.append(gone, query_t, STALE_NAN);
            }
        }
        self.written = written;
    }

    /// The expression at `t`, as Prometheus's rule query function returns
    /// it: a vector, a scalar as one sample without labels, or an error.
    fn query(
        &self,
        store: &SeriesStore,
        t: i64,
        options: QueryOptions,
    ) -> Result<Vec<(Labels, f64)>, String> {
        match instant_query(store, &self.expr, t, options).map_err(|e| e.to_string())? {
            QueryValue::Vector(samples) => {
                Ok(samples.into_iter().map(|s| (s.labels, s.f)).collect())
            }
            QueryValue::Scalar { f, .. } => Ok(vec![(Labels::empty(), f)]),
            QueryValue::String { .. } | QueryValue::Matrix(_) => {
                Err("rule result is not a vector or scalar".to_owned())
            }
        }
    }
}

/// A recording rule's output: the samples renamed and relabelled.
fn record(
    name: &str,
    labels: &[(String, String)],
    samples: Vec<(Labels, f64)>,
    limit: usize,
) -> Result<Vec<(Labels, f64)>, String> {
    let mut out: Vec<(Labels, f64)> = samples
        .into_iter()
        .map(|(series, value)| {
            let mut builder = series.to_builder();
            builder.set(METRIC_NAME, name);
            for (label, label_value) in labels {
                builder.set(label.as_str(), label_value.as_str());
            }
            (builder.build(), value)
        })
        .collect();
    let mut seen: Vec<&Labels> = Vec::with_capacity(out.len());
    for (labels, _) in &out {
        match seen.binary_search(&labels) {
            Ok(_) => {
                return Err(
                    "vector contains metrics with the same labelset after applying rule labels"
                        .to_owned(),
                )
            }
            Err(at) => seen.insert(at, labels),
        }
    }
    if limit > 0 && out.len() > limit {
        return Err(format!(
            "exceeded limit of {limit} with {} series",
            out.len()
        ));
    }
    out.shrink_to_fit();
    Ok(out)
}

impl AlertingState {
    /// Prometheus's `AlertingRule.Eval`: the alerts updated from the
    /// expression's samples at `t`, and the `ALERTS` and `ALERTS_FOR_STATE`
    /// samples to write.
    fn evaluate(
        &mut self,
        name: &str,
        rule_labels: &[(String, String)],
        samples: Vec<(Labels, f64)>,
        t: i64,
        context: &EvalContext<'_>,
    ) -> Result<Vec<(Labels, f64)>, String> {
        let template_name = format!("__alert_{name}");
        // One new pending alert per sample, keyed by its labels.
        let mut fresh: Vec<Alert> = Vec::with_capacity(samples.len());
        for (series, value) in samples {
            let data = TemplateData {
                labels: &series,
                value,
                external_labels: context.external_labels,
                external_url: context.external_url,
            };
            let mut builder = series.to_builder();
            builder.del(METRIC_NAME);
            for (label, template) in &self.label_templates {
                builder.set(
                    label.as_str(),
                    template.expand_or_error(&data, &template_name),
                );
            }
            builder.set(ALERT_NAME, name);
            let labels = builder.build();
            let annotations = self
                .annotation_templates
                .iter()
                .map(|(a, template)| (a.clone(), template.expand_or_error(&data, &template_name)))
                .collect();
            match fresh.binary_search_by(|a| a.labels.cmp(&labels)) {
                Ok(_) => return Err(
                    "vector contains metrics with the same labelset after applying alert labels"
                        .to_owned(),
                ),
                Err(at) => fresh.insert(
                    at,
                    Alert {
                        labels,
                        annotations,
                        state: AlertState::Pending,
                        value,
                        active_at_ms: t,
                        fired_at_ms: None,
                        resolved_at_ms: None,
                        keep_firing_since_ms: None,
                    },
                ),
            }
        }
        // An alert already pending or firing keeps its history and takes the
        // new value and annotations; any other starts over as pending.
        for alert in &fresh {
            match self
                .alerts
                .binary_search_by(|a| a.labels.cmp(&alert.labels))
            {
                Ok(at) if self.alerts[at].state != AlertState::Inactive => {
                    self.alerts[at].value = alert.value;
                    self.alerts[at].annotations = alert.annotations.clone();
                }
                Ok(at) => self.alerts[at] = alert.clone(),
                Err(at) => self.alerts.insert(at, alert.clone()),
            }
        }
        let returned = |labels: &Labels| fresh.binary_search_by(|a| a.labels.cmp(labels)).is_ok();
        let (for_ms, keep_firing_for_ms) = (self.for_ms, self.keep_firing_for_ms);
        let mut active = 0;
        let mut out = Vec::new();
        self.alerts.retain_mut(|alert| {
            if returned(&alert.labels) {
                alert.keep_firing_since_ms = None;
            } else {
                let mut keep_firing = false;
                if alert.state == AlertState::Firing && keep_firing_for_ms > 0 {
                    let since = *alert.keep_firing_since_ms.get_or_insert(t);
                    keep_firing = t - since < keep_firing_for_ms;
                }
                let forget = alert.state == AlertState::Pending
                    || alert
                        .resolved_at_ms
                        .is_some_and(|resolved| t - resolved > RESOLVED_RETENTION_MS);
                if alert.state != AlertState::Inactive && !keep_firing {
                    alert.state = AlertState::Inactive;
                    alert.resolved_at_ms = Some(t);
                }
                if !keep_firing {
                    return !forget;
                }
            }
            active += 1;
            if alert.state == AlertState::Pending && t - alert.active_at_ms >= for_ms {
                alert.state = AlertState::Firing;
                alert.fired_at_ms = Some(t);
            }
            out.push((
                alert_series(ALERTS_METRIC, rule_labels, alert, name, Some(alert.state)),
                1.0,
            ));
            out.push((
                alert_series(ALERTS_FOR_STATE_METRIC, rule_labels, alert, name, None),
                alert.active_at_ms.div_euclid(1000) as f64,
            ));
            true
        });
        if context.limit > 0 && active > context.limit {
            self.alerts.clear();
            return Err(format!(
                "exceeded limit of {} with {active} alerts",
                context.limit
            ));
        }
        Ok(out)
    }
}

/// `ALERTS{…}` or `ALERTS_FOR_STATE{…}` for an alert: the rule's labels as
/// written, the alert's over them, the name, `alertname` and (for `ALERTS`)
/// `alertstate`.
fn alert_series(
    metric: &str,
    rule_labels: &[(String, String)],
    alert: &Alert,
    name: &str,
    state: Option<AlertState>,
) -> Labels {
    let mut builder = LabelsBuilder::default();
    for (label, value) in rule_labels {
        builder.set(label.as_str(), value.as_str());
    }
    for label in alert.labels.iter() {
        builder.set(label.name.as_str(), label.value.as_str());
    }
    builder.set(METRIC_NAME, metric);
    builder.set(ALERT_NAME, name);
    if let Some(state) = state {
        builder.set(ALERT_STATE_LABEL, state.as_str());
    }
    builder.build()
}

#[cfg(test)]
mod tests;
