//! Fuzzing the evaluator: random well-typed PromQL over a small store with
//! awkward data (counter resets, gaps, staleness markers, NaN and ±Inf),
//! and random mutations of them, each evaluated as an instant query and as
//! a range query. Shared by `tests/fuzz_eval.rs` (a short run in the test
//! suite) and `examples/fuzz_eval.rs` (a long run in release mode).
//!
//! Every query must be answered without a panic, and the answers must hang
//! together the way Prometheus's do:
//!
//! - a range query's series are sorted by labels, with unique labels, and
//!   points strictly increasing on the step grid;
//! - where the range query and the instant query at one of its steps both
//!   succeed, they agree: the same series with the same values (queries
//!   that read the query's own start or end, `@ start()`, `@ end()`, are
//!   left out of this comparison). Under `topk` and `bottomk` only the
//!   values must agree: which of two equal samples wins depends on the
//!   order of the input series, which a range query does not define (in
//!   Prometheus it is a map's order).

use std::collections::BTreeMap;

use tinyprom::labels::Labels;
use tinyprom::promql::api::{query, query_range};
use tinyprom::promql::{QueryOptions, QueryValue};
use tinyprom::storage::{Sample, SeriesStore, STALE_NAN};

use super::fuzz::XorShift;

/// The store every fuzz query reads: four jobs' worth of series, 10 min of
/// samples every 15 s, with resets, gaps, staleness and special values.
pub fn store() -> SeriesStore {
    let mut store = SeriesStore::new();
    let mut rng = XorShift::new(99);
    let jobs = ["api", "web"];
    let instances = ["a", "b"];
    for job in jobs {
        for instance in instances {
            let mut counter = 0.0;
            let mut samples = Vec::new();
            let mut gauge = Vec::new();
            for i in 0..40 {
                let t = i * 15_000 + (rng.below(400) as i64) - 200;
                if rng.below(10) == 0 {
                    continue; // a missed scrape
                }
                counter += rng.below(20) as f64;
                if i == 25 && instance == "b" {
                    counter = 1.0; // a restart
                }
                samples.push(Sample { t, f: counter });
                let value = match rng.below(30) {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => f64::NEG_INFINITY,
                    _ => rng.below(1000) as f64 / 10.0 - 20.0,
                };
                gauge.push(Sample { t, f: value });
            }
            if instance == "a" {
                // This series goes stale half-way through.
                let t = 20 * 15_000 + 7;
                gauge.retain(|s| s.t < t);
                gauge.push(Sample { t, f: STALE_NAN });
            }
            let labels = [("job", job), ("instance", instance)];
            store.insert_series(Labels::with_name("requests_total", labels), samples.clone());
            store.insert_series(Labels::with_name("temperature", labels), gauge);
            for (le, share) in [("0.1", 0.3), ("0.5", 0.8), ("1", 0.95), ("+Inf", 1.0)] {
                let bucket: Vec<Sample> = samples
                    .iter()
                    .map(|s| Sample {
                        t: s.t,
                        f: (s.f * share).floor(),
                    })
                    .collect();
                store.insert_series(
                    Labels::with_name(
                        "latency_bucket",
                        [("job", job), ("instance", instance), ("le", le)],
                    ),
                    bucket,
                );
            }
        }
    }
    store.insert_series(
        Labels::with_name("build_info", [("version", "1.0")]),
        vec![Sample { t: 0, f: 1.0 }, Sample { t: 300_000, f: 1.0 }],
    );
    store
}

const METRICS: &[&str] = &[
    "requests_total",
    "temperature",
    "latency_bucket",
    "build_info",
    "missing",
];
const LABELS: &[&str] = &["job", "instance", "le", "version", "nope"];
const NUMBERS: &[&str] = &[
    "0", "1", "2", "0.5", "-1", "3.7", "NaN", "Inf", "-Inf", "1e300", "0x10", "1e-3",
];
const RANGES: &[&str] = &["15s", "30s", "1m", "2m", "5m", "90s"];
const ELEMENTWISE: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "exp",
    "sqrt",
    "ln",
    "log2",
    "log10",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "deg",
    "rad",
    "sgn",
    "sort",
    "sort_desc",
    "timestamp",
    "absent",
    "minute",
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "days_in_month",
    "month",
    "year",
    "histogram_count",
    "histogram_sum",
];
const OVER_RANGE: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "resets",
    "changes",
    "avg_over_time",
    "sum_over_time",
    "count_over_time",
    "min_over_time",
    "max_over_time",
    "last_over_time",
    "first_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "mad_over_time",
    "present_over_time",
    "absent_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
    "ts_of_last_over_time",
    "ts_of_first_over_time",
];
const AGGREGATIONS: &[&str] = &[
    "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar",
];
const ARITHMETIC: &[&str] = &["+", "-", "*", "/", "%", "^", "atan2"];
const COMPARISONS: &[&str] = &["==", "!=", ">", "<", ">=", "<="];
const SET_OPERATORS: &[&str] = &["and", "or", "unless"];

/// Builds random well-typed expressions.
pub struct Generator<'a> {
    rng: &'a mut XorShift,
}

impl<'a> Generator<'a> {
    pub fn new(rng: &'a mut XorShift) -> Self {
        Generator { rng }
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.rng.below(100) < percent
    }

    fn modifiers(&mut self) -> String {
        let mut out = String::new();
        if self.chance(15) {
            out.push_str(&format!(
                " offset {}",
                self.pick(&["30s", "-1m", "2m", "15s"])
            ));
        }
        if self.chance(10) {
            out.push_str(self.pick(&[" @ 300", " @ 120.5", " @ start()", " @ end()"]));
        }
        out
    }

    fn selector(&mut self) -> String {
        let name = self.pick(METRICS);
        let mut matchers = Vec::new();
        for _ in 0..self.rng.below(3) {
            let label = self.pick(LABELS);
            let (op, value) = match self.rng.below(4) {
                0 => ("=", self.pick(&["api", "a", "web", "0.5", ""])),
                1 => ("!=", self.pick(&["api", "b", ""])),
                2 => (
                    "=~",
                    self.pick(&["a.*", "api|web", ".*", "(b)", "[ab]", ""]),
                ),
                _ => ("!~", self.pick(&["w.*", "", "x+"])),
            };
            matchers.push(format!("{label}{op}\"{value}\""));
        }
        let braces = if matchers.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", matchers.join(","))
        };
        format!("{name}{braces}")
    }

    pub fn scalar(&mut self, depth: usize) -> String {
        if depth == 0 {
            return self.pick(NUMBERS).to_owned();
        }
        match self.rng.below(6) {
            0 => "time()".to_owned(),
            1 => format!("scalar({})", self.vector(depth - 1)),
            2 => format!(
                "({} {} {})",
                self.scalar(depth - 1),
                self.pick(ARITHMETIC),
                self.scalar(depth - 1)
            ),
            3 => format!(
                "({} {} bool {})",
                self.scalar(depth - 1),
                self.pick(COMPARISONS),
                self.scalar(depth - 1)
            ),
            4 => "pi()".to_owned(),
            _ => self.pick(NUMBERS).to_owned(),
        }
    }

    fn matrix(&mut self, depth: usize) -> String {
        if depth == 0 || self.chance(70) {
            let modifiers = self.modifiers();
            return format!("{}[{}]{modifiers}", self.selector(), self.pick(RANGES));
        }
        let step = if self.chance(30) {
            String::new()
        } else {
            self.pick(&["15s", "30s", "1m"]).to_owned()
        };
        format!(
            "({})[{}:{step}]{}",
            self.vector(depth - 1),
            self.pick(RANGES),
            self.modifiers()
        )
    }

    fn grouping(&mut self) -> String {
        if self.chance(40) {
            return String::new();
        }
        let labels: Vec<&str> = (0..self.rng.below(3)).map(|_| self.pick(LABELS)).collect();
        let unique: Vec<&str> = labels
            .iter()
            .enumerate()
            .filter(|(i, l)| !labels[..*i].contains(l))
            .map(|(_, l)| *l)
            .collect();
        format!(
            " {} ({}) ",
            self.pick(&["by", "without"]),
            unique.join(", ")
        )
    }

    pub fn vector(&mut self, depth: usize) -> String {
        if depth == 0 {
            return format!("{}{}", self.selector(), self.modifiers());
        }
        let d = depth - 1;
        match self.rng.below(14) {
            0 | 1 => format!("{}{}", self.selector(), self.modifiers()),
            2 => format!("{}({})", self.pick(ELEMENTWISE), self.vector(d)),
            3 => {
                let func = self.pick(OVER_RANGE);
                format!("{func}({})", self.matrix(d))
            }
            4 => match self.rng.below(6) {
                0 => format!("quantile_over_time({}, {})", self.scalar(d), self.matrix(d)),
                1 => format!("predict_linear({}, {})", self.matrix(d), self.scalar(d)),
                2 => format!(
                    "double_exponential_smoothing({}, 0.5, {})",
                    self.matrix(d),
                    self.pick(&["0.1", "0.9", "1"])
                ),
                3 => format!(
                    "clamp({}, {}, {})",
                    self.vector(d),
                    self.scalar(d),
                    self.scalar(d)
                ),
                4 => format!("round({}, {})", self.vector(d), self.scalar(d)),
                _ => format!(
                    "clamp_{}({}, {})",
                    self.pick(&["min", "max"]),
                    self.vector(d),
                    self.scalar(d)
                ),
            },
            5 => {
                let op = self.pick(AGGREGATIONS);
                format!("{op}{}({})", self.grouping(), self.vector(d))
            }
            6 => match self.rng.below(3) {
                0 => format!(
                    "{}{}({}, {})",
                    self.pick(&["topk", "bottomk"]),
                    self.grouping(),
                    self.scalar(d),
                    self.vector(d)
                ),
                1 => format!(
                    "quantile{}({}, {})",
                    self.grouping(),
                    self.scalar(d),
                    self.vector(d)
                ),
                _ => format!(
                    "count_values{}(\"value\", {})",
                    self.grouping(),
                    self.vector(d)
                ),
            },
            7 | 8 => {
                let (lhs, rhs) = (self.vector(d), self.vector(d));
                let set = self.chance(25);
                let op = if set {
                    self.pick(SET_OPERATORS)
                } else if self.chance(50) {
                    self.pick(ARITHMETIC)
                } else {
                    self.pick(COMPARISONS)
                };
                let bool_ = if COMPARISONS.contains(&op) && self.chance(40) {
                    " bool"
                } else {
                    ""
                };
                let mut matching = String::new();
                if self.chance(40) {
                    let labels = self.pick(&["job", "instance", "job, instance", "", "le"]);
                    matching = format!(" {}({labels})", self.pick(&["on", "ignoring"]));
                    if !set && self.chance(40) {
                        matching.push_str(&format!(
                            " {}({})",
                            self.pick(&["group_left", "group_right"]),
                            self.pick(&["", "version", "le"])
                        ));
                    }
                }
                format!("({lhs} {op}{bool_}{matching} {rhs})")
            }
            9 => {
                let op = if self.chance(50) {
                    self.pick(ARITHMETIC)
                } else {
                    self.pick(COMPARISONS)
                };
                let bool_ = if COMPARISONS.contains(&op) && self.chance(40) {
                    " bool"
                } else {
                    ""
                };
                if self.chance(50) {
                    format!("({} {op}{bool_} {})", self.vector(d), self.scalar(d))
                } else {
                    format!("({} {op}{bool_} {})", self.scalar(d), self.vector(d))
                }
            }
            10 => match self.rng.below(4) {
                0 => format!(
                    "label_replace({}, \"dst\", \"$1-x\", \"{}\", \"{}\")",
                    self.vector(d),
                    self.pick(LABELS),
                    self.pick(&["(.*)", "a(.)", "", "(x"])
                ),
                1 => format!(
                    "label_join({}, \"{}\", \"-\", \"job\", \"instance\")",
                    self.vector(d),
                    self.pick(&["joined", "job", "__name__"])
                ),
                2 => format!(
                    "sort_by_label{}({}, \"instance\")",
                    self.pick(&["", "_desc"]),
                    self.vector(d)
                ),
                _ => format!("vector({})", self.scalar(d)),
            },
            11 => format!("histogram_quantile({}, {})", self.scalar(d), self.vector(d)),
            12 => format!(
                "histogram_fraction({}, {}, {})",
                self.scalar(d),
                self.scalar(d),
                self.vector(d)
            ),
            _ => format!("-{}", self.vector(d)),
        }
    }
}

/// A random query: mostly well typed, sometimes a mutation of one (which
/// may still parse).
pub fn generate(rng: &mut XorShift) -> String {
    let depth = 1 + rng.below(4);
    let mut query = if rng.below(5) == 0 {
        Generator::new(rng).scalar(depth)
    } else {
        Generator::new(rng).vector(depth)
    };
    if rng.below(8) == 0 {
        // Swap one character for another from the query: mostly a parse
        // error, sometimes a different valid query.
        let bytes = query.as_bytes();
        let (at, from) = (rng.below(bytes.len()), rng.below(bytes.len()));
        let mut mutated = bytes.to_vec();
        mutated[at] = bytes[from];
        query = String::from_utf8_lossy(&mutated).into_owned();
    }
    query
}

/// What one query did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// Both queries parsed and were evaluated (successfully or not).
    pub evaluated: bool,
    /// The range query and an instant query were compared.
    pub compared: bool,
}

/// Evaluates `query` as a range query over the store's ten minutes and as
/// an instant query at one of its steps; checks the invariants above.
pub fn check(store: &SeriesStore, query_text: &str, rng: &mut XorShift) -> Result<Outcome, String> {
    let options = QueryOptions {
        max_samples: 2_000_000,
        ..QueryOptions::default()
    };
    let start = rng.below(300_000) as i64;
    let step = [7_000, 15_000, 30_000, 60_000][rng.below(4)];
    let end = start + step * rng.below(12) as i64;
    let range = query_range(store, query_text, start, end, step, options);
    let pick = rng.below(((end - start) / step + 1) as usize) as i64;
    let at = start + pick * step;
    let instant = query(store, query_text, at, options);
    let mut outcome = Outcome::default();
    if let (Err(tinyprom::promql::api::ApiError::BadData(_)), Err(_)) = (&range, &instant) {
        return Ok(outcome);
    }
    outcome.evaluated = true;
    let Ok(QueryValue::Matrix(series)) = &range else {
        return Ok(outcome);
    };
    // Range invariants.
    for pair in series.windows(2) {
        if pair[0].labels >= pair[1].labels {
            return Err(format!(
                "{query_text}: range series not sorted or not unique: {} then {}",
                pair[0].labels, pair[1].labels
            ));
        }
    }
    for s in series {
        for pair in s.samples.windows(2) {
            if pair[0].t >= pair[1].t {
                return Err(format!("{query_text}: points out of order in {}", s.labels));
            }
        }
        if let Some(p) = s
            .samples
            .iter()
            .find(|p| (p.t - start) % step != 0 || p.t < start || p.t > end)
        {
            return Err(format!(
                "{query_text}: point at {} off the grid {start}..{end}/{step}",
                p.t
            ));
        }
    }
    if query_text.contains("start()") || query_text.contains("end()") {
        return Ok(outcome);
    }
    let expected: BTreeMap<String, f64> = series
        .iter()
        .filter_map(|s| {
            s.samples
                .iter()
                .find(|p| p.t == at)
                .map(|p| (s.labels.to_string(), p.f))
        })
        .collect();
    let got: BTreeMap<String, f64> = match instant {
        Ok(QueryValue::Vector(samples)) => samples
            .iter()
            .map(|s| (s.labels.to_string(), s.f))
            .collect(),
        Ok(QueryValue::Scalar { f, .. }) => {
            [(Labels::empty().to_string(), f)].into_iter().collect()
        }
        Ok(other) => {
            return Err(format!(
                "{query_text}: instant result of type {}",
                other.result_type()
            ))
        }
        Err(_) => return Ok(outcome),
    };
    outcome.compared = true;
    let (expected, got) = if query_text.contains("topk") || query_text.contains("bottomk") {
        let values = |m: &BTreeMap<String, f64>| -> BTreeMap<String, f64> {
            let mut values: Vec<f64> = m.values().copied().collect();
            tinyprom::sort::sort_copied_by(&mut values, f64::total_cmp);
            values
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect()
        };
        (values(&expected), values(&got))
    } else {
        (expected, got)
    };
    let same = expected.len() == got.len()
        && expected.iter().zip(&got).all(|((l1, v1), (l2, v2))| {
            l1 == l2
                && (v1.to_bits() == v2.to_bits()
                    || (v1.is_nan() && v2.is_nan())
                    || (v1 - v2).abs() <= 1e-9 * v1.abs().max(v2.abs()))
        });
    if same {
        Ok(outcome)
    } else {
        Err(format!("{query_text}: at {at} (range {start}..{end} step {step})\n  range:   {expected:?}\n  instant: {got:?}"))
    }
}
