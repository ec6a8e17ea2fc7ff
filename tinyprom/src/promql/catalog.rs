//! Every function and aggregation the engine knows: name, signature and a
//! one-line description. The parser type-checks calls against it; the page
//! can offer it for autocompletion.

use crate::promql::ast::ValueType;

use ValueType::{Matrix as M, Scalar as S, String as Str, Vector as V};

/// A function's signature and documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct FunctionDef {
    /// Which function.
    pub func: Function,
    /// Its name in queries.
    pub name: &'static str,
    /// Argument types. With `variadic > 0` the last `variadic` of them may
    /// be left out... see [`FunctionDef::arity`].
    pub args: &'static [ValueType],
    /// As Prometheus's `Variadic`: 0 means exactly `args`; `n > 0` means
    /// the last argument is optional and up to `n` of it may be given;
    /// `-1` means the last argument repeats any number of times.
    pub variadic: i8,
    /// What it returns.
    pub returns: ValueType,
    /// How it reads, for autocompletion: `rate(v range-vector)`.
    pub signature: &'static str,
    /// What it does, in one sentence.
    pub doc: &'static str,
}

impl FunctionDef {
    /// The fewest and most arguments accepted (`None`: no upper bound).
    pub fn arity(&self) -> (usize, Option<usize>) {
        let n = self.args.len();
        match self.variadic {
            0 => (n, Some(n)),
            v if v > 0 => (n - 1, Some(n - 1 + v as usize)),
            _ => (n - 1, None),
        }
    }

    /// The expected type of argument `i` (the last type repeats).
    pub fn arg_type(&self, i: usize) -> ValueType {
        self.args[i.min(self.args.len() - 1)]
    }
}

macro_rules! functions {
    ($($variant:ident $name:literal ($($arg:ident),*) $variadic:literal -> $ret:ident, $sig:literal, $doc:literal;)*) => {
        /// A PromQL function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Function {
            $(
                #[doc = $doc]
                $variant,
            )*
        }

        /// Every function, in alphabetical order.
        pub static FUNCTIONS: &[FunctionDef] = &[
            $(FunctionDef {
                func: Function::$variant,
                name: $name,
                args: &[$($arg),*],
                variadic: $variadic,
                returns: $ret,
                signature: $sig,
                doc: $doc,
            },)*
        ];
    };
}

functions! {
    Abs "abs" (V) 0 -> V, "abs(v instant-vector)", "The absolute value of each sample.";
    Absent "absent" (V) 0 -> V, "absent(v instant-vector)", "1 with the selector's equality labels when the vector is empty, nothing otherwise.";
    AbsentOverTime "absent_over_time" (M) 0 -> V, "absent_over_time(v range-vector)", "1 when no series has a sample in the range, nothing otherwise.";
    Acos "acos" (V) 0 -> V, "acos(v instant-vector)", "The arccosine of each sample, in radians.";
    Acosh "acosh" (V) 0 -> V, "acosh(v instant-vector)", "The inverse hyperbolic cosine of each sample.";
    Asin "asin" (V) 0 -> V, "asin(v instant-vector)", "The arcsine of each sample, in radians.";
    Asinh "asinh" (V) 0 -> V, "asinh(v instant-vector)", "The inverse hyperbolic sine of each sample.";
    Atan "atan" (V) 0 -> V, "atan(v instant-vector)", "The arctangent of each sample, in radians.";
    Atanh "atanh" (V) 0 -> V, "atanh(v instant-vector)", "The inverse hyperbolic tangent of each sample.";
    AvgOverTime "avg_over_time" (M) 0 -> V, "avg_over_time(v range-vector)", "The average of each series' samples in the range.";
    Ceil "ceil" (V) 0 -> V, "ceil(v instant-vector)", "Each sample rounded up to an integer.";
    Changes "changes" (M) 0 -> V, "changes(v range-vector)", "How many times each series' value changed in the range.";
    Clamp "clamp" (V, S, S) 0 -> V, "clamp(v instant-vector, min scalar, max scalar)", "Each sample limited to [min, max]; nothing when min > max.";
    ClampMax "clamp_max" (V, S) 0 -> V, "clamp_max(v instant-vector, max scalar)", "Each sample limited to at most max.";
    ClampMin "clamp_min" (V, S) 0 -> V, "clamp_min(v instant-vector, min scalar)", "Each sample limited to at least min.";
    Cos "cos" (V) 0 -> V, "cos(v instant-vector)", "The cosine of each sample (in radians).";
    Cosh "cosh" (V) 0 -> V, "cosh(v instant-vector)", "The hyperbolic cosine of each sample.";
    CountOverTime "count_over_time" (M) 0 -> V, "count_over_time(v range-vector)", "How many samples each series has in the range.";
    DayOfMonth "day_of_month" (V) 1 -> V, "day_of_month(v=vector(time()) instant-vector)", "The day of the month (1-31) of each timestamp, in UTC.";
    DayOfWeek "day_of_week" (V) 1 -> V, "day_of_week(v=vector(time()) instant-vector)", "The day of the week (0 = Sunday) of each timestamp, in UTC.";
    DayOfYear "day_of_year" (V) 1 -> V, "day_of_year(v=vector(time()) instant-vector)", "The day of the year (1-366) of each timestamp, in UTC.";
    DaysInMonth "days_in_month" (V) 1 -> V, "days_in_month(v=vector(time()) instant-vector)", "The number of days in the month of each timestamp, in UTC.";
    Deg "deg" (V) 0 -> V, "deg(v instant-vector)", "Each sample converted from radians to degrees.";
    Delta "delta" (M) 0 -> V, "delta(v range-vector)", "The difference between the first and last value of each gauge in the range, extrapolated to the range's edges.";
    Deriv "deriv" (M) 0 -> V, "deriv(v range-vector)", "The per-second derivative of each gauge, by simple linear regression.";
    DoubleExponentialSmoothing "double_exponential_smoothing" (M, S, S) 0 -> V, "double_exponential_smoothing(v range-vector, sf scalar, tf scalar)", "A smoothed value of each gauge (Holt's linear method), with smoothing factor sf and trend factor tf in (0, 1).";
    Exp "exp" (V) 0 -> V, "exp(v instant-vector)", "e raised to the power of each sample.";
    FirstOverTime "first_over_time" (M) 0 -> V, "first_over_time(v range-vector)", "The oldest sample of each series in the range.";
    Floor "floor" (V) 0 -> V, "floor(v instant-vector)", "Each sample rounded down to an integer.";
    HistogramAvg "histogram_avg" (V) 0 -> V, "histogram_avg(v instant-vector)", "The average of each native histogram (float samples are ignored).";
    HistogramCount "histogram_count" (V) 0 -> V, "histogram_count(v instant-vector)", "The observation count of each native histogram (float samples are ignored).";
    HistogramFraction "histogram_fraction" (S, S, V) 0 -> V, "histogram_fraction(lower scalar, upper scalar, b instant-vector)", "The estimated fraction of observations between lower and upper, from classic `le` buckets.";
    HistogramQuantile "histogram_quantile" (S, V) 0 -> V, "histogram_quantile(φ scalar, b instant-vector)", "The φ-quantile (0 ≤ φ ≤ 1) estimated from classic `le` buckets, e.g. of sum by (le) (rate(x_bucket[5m])).";
    HistogramStddev "histogram_stddev" (V) 0 -> V, "histogram_stddev(v instant-vector)", "The standard deviation of each native histogram (float samples are ignored).";
    HistogramStdvar "histogram_stdvar" (V) 0 -> V, "histogram_stdvar(v instant-vector)", "The variance of each native histogram (float samples are ignored).";
    HistogramSum "histogram_sum" (V) 0 -> V, "histogram_sum(v instant-vector)", "The sum of observations of each native histogram (float samples are ignored).";
    HoltWinters "holt_winters" (M, S, S) 0 -> V, "holt_winters(v range-vector, sf scalar, tf scalar)", "The name Prometheus 2 gave double_exponential_smoothing.";
    Hour "hour" (V) 1 -> V, "hour(v=vector(time()) instant-vector)", "The hour of the day (0-23) of each timestamp, in UTC.";
    Idelta "idelta" (M) 0 -> V, "idelta(v range-vector)", "The difference between the last two samples of each gauge in the range.";
    Increase "increase" (M) 0 -> V, "increase(v range-vector)", "How much each counter grew in the range, counter resets handled, extrapolated to the range's edges.";
    Irate "irate" (M) 0 -> V, "irate(v range-vector)", "The per-second rate of each counter from its last two samples in the range.";
    LabelJoin "label_join" (V, Str, Str, Str) -1 -> V, "label_join(v instant-vector, dst string, separator string, src string...)", "Sets label dst to the values of the src labels joined by separator.";
    LabelReplace "label_replace" (V, Str, Str, Str, Str) 0 -> V, "label_replace(v instant-vector, dst string, replacement string, src string, regex string)", "Sets label dst to replacement (with $1 … from regex) where the anchored regex matches label src.";
    LastOverTime "last_over_time" (M) 0 -> V, "last_over_time(v range-vector)", "The newest sample of each series in the range.";
    Ln "ln" (V) 0 -> V, "ln(v instant-vector)", "The natural logarithm of each sample.";
    Log10 "log10" (V) 0 -> V, "log10(v instant-vector)", "The decimal logarithm of each sample.";
    Log2 "log2" (V) 0 -> V, "log2(v instant-vector)", "The binary logarithm of each sample.";
    MadOverTime "mad_over_time" (M) 0 -> V, "mad_over_time(v range-vector)", "The median absolute deviation of each series' samples in the range.";
    MaxOverTime "max_over_time" (M) 0 -> V, "max_over_time(v range-vector)", "The largest sample of each series in the range.";
    MinOverTime "min_over_time" (M) 0 -> V, "min_over_time(v range-vector)", "The smallest sample of each series in the range.";
    Minute "minute" (V) 1 -> V, "minute(v=vector(time()) instant-vector)", "The minute of the hour (0-59) of each timestamp, in UTC.";
    Month "month" (V) 1 -> V, "month(v=vector(time()) instant-vector)", "The month (1-12) of each timestamp, in UTC.";
    Pi "pi" () 0 -> S, "pi()", "The number π.";
    PredictLinear "predict_linear" (M, S) 0 -> V, "predict_linear(v range-vector, t scalar)", "The value each gauge will have t seconds from now, by simple linear regression.";
    PresentOverTime "present_over_time" (M) 0 -> V, "present_over_time(v range-vector)", "1 for each series with a sample in the range.";
    QuantileOverTime "quantile_over_time" (S, M) 0 -> V, "quantile_over_time(φ scalar, v range-vector)", "The φ-quantile (0 ≤ φ ≤ 1) of each series' samples in the range.";
    Rad "rad" (V) 0 -> V, "rad(v instant-vector)", "Each sample converted from degrees to radians.";
    Rate "rate" (M) 0 -> V, "rate(v range-vector)", "The per-second rate at which each counter grew in the range, counter resets handled, extrapolated to the range's edges.";
    Resets "resets" (M) 0 -> V, "resets(v range-vector)", "How many times each counter was reset (its value dropped) in the range.";
    Round "round" (V, S) 1 -> V, "round(v instant-vector, to_nearest=1 scalar)", "Each sample rounded to the nearest multiple of to_nearest (halves up).";
    Scalar "scalar" (V) 0 -> S, "scalar(v instant-vector)", "The value of a one-element vector as a scalar, NaN otherwise.";
    Sgn "sgn" (V) 0 -> V, "sgn(v instant-vector)", "The sign of each sample: 1, -1 or 0.";
    Sin "sin" (V) 0 -> V, "sin(v instant-vector)", "The sine of each sample (in radians).";
    Sinh "sinh" (V) 0 -> V, "sinh(v instant-vector)", "The hyperbolic sine of each sample.";
    Sort "sort" (V) 0 -> V, "sort(v instant-vector)", "The samples in ascending order of value (instant queries only).";
    SortByLabel "sort_by_label" (V, Str) -1 -> V, "sort_by_label(v instant-vector, label string...)", "The samples in ascending order of the given labels' values (instant queries only).";
    SortByLabelDesc "sort_by_label_desc" (V, Str) -1 -> V, "sort_by_label_desc(v instant-vector, label string...)", "The samples in descending order of the given labels' values (instant queries only).";
    SortDesc "sort_desc" (V) 0 -> V, "sort_desc(v instant-vector)", "The samples in descending order of value (instant queries only).";
    Sqrt "sqrt" (V) 0 -> V, "sqrt(v instant-vector)", "The square root of each sample.";
    StddevOverTime "stddev_over_time" (M) 0 -> V, "stddev_over_time(v range-vector)", "The population standard deviation of each series' samples in the range.";
    StdvarOverTime "stdvar_over_time" (M) 0 -> V, "stdvar_over_time(v range-vector)", "The population variance of each series' samples in the range.";
    SumOverTime "sum_over_time" (M) 0 -> V, "sum_over_time(v range-vector)", "The sum of each series' samples in the range.";
    Tan "tan" (V) 0 -> V, "tan(v instant-vector)", "The tangent of each sample (in radians).";
    Tanh "tanh" (V) 0 -> V, "tanh(v instant-vector)", "The hyperbolic tangent of each sample.";
    Time "time" () 0 -> S, "time()", "The evaluation time, in seconds since the Unix epoch.";
    Timestamp "timestamp" (V) 0 -> V, "timestamp(v instant-vector)", "The timestamp of each sample, in seconds since the Unix epoch.";
    TsOfFirstOverTime "ts_of_first_over_time" (M) 0 -> V, "ts_of_first_over_time(v range-vector)", "The timestamp of the oldest sample of each series in the range.";
    TsOfLastOverTime "ts_of_last_over_time" (M) 0 -> V, "ts_of_last_over_time(v range-vector)", "The timestamp of the newest sample of each series in the range.";
    TsOfMaxOverTime "ts_of_max_over_time" (M) 0 -> V, "ts_of_max_over_time(v range-vector)", "The timestamp of the largest sample of each series in the range (the latest, on ties).";
    TsOfMinOverTime "ts_of_min_over_time" (M) 0 -> V, "ts_of_min_over_time(v range-vector)", "The timestamp of the smallest sample of each series in the range (the latest, on ties).";
    Vector "vector" (S) 0 -> V, "vector(s scalar)", "The scalar as a one-element vector without labels.";
    Year "year" (V) 1 -> V, "year(v=vector(time()) instant-vector)", "The year of each timestamp, in UTC.";
}

impl Function {
    /// Its signature and documentation.
    pub fn def(self) -> &'static FunctionDef {
        // The table lists every variant in declaration order.
        &FUNCTIONS[self as usize]
    }

    /// Its name in queries.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The function called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        FUNCTIONS
            .binary_search_by(|def| def.name.cmp(name))
            .ok()
            .map(|i| FUNCTIONS[i].func)
    }
}

/// An aggregation operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateOp {
    /// `sum`
    Sum,
    /// `avg`
    Avg,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `count`
    Count,
    /// `group`
    Group,
    /// `stddev`
    Stddev,
    /// `stdvar`
    Stdvar,
    /// `topk`
    Topk,
    /// `bottomk`
    Bottomk,
    /// `quantile`
    Quantile,
    /// `count_values`
    CountValues,
}

/// An aggregation's name, parameter and documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct AggregateDef {
    /// Which aggregation.
    pub op: AggregateOp,
    /// Its name in queries.
    pub name: &'static str,
    /// The type of its parameter, if it takes one.
    pub param: Option<ValueType>,
    /// How it reads: `topk by (labels) (k, v)`.
    pub signature: &'static str,
    /// What it does, in one sentence.
    pub doc: &'static str,
}

/// Every aggregation, in alphabetical order.
pub static AGGREGATIONS: &[AggregateDef] = &[
    AggregateDef {
        op: AggregateOp::Avg,
        name: "avg",
        param: None,
        signature: "avg by (labels) (v)",
        doc: "The average of the samples in each group.",
    },
    AggregateDef {
        op: AggregateOp::Bottomk,
        name: "bottomk",
        param: Some(S),
        signature: "bottomk by (labels) (k, v)",
        doc: "The k smallest samples of each group, labels kept.",
    },
    AggregateDef {
        op: AggregateOp::Count,
        name: "count",
        param: None,
        signature: "count by (labels) (v)",
        doc: "How many samples each group has.",
    },
    AggregateDef {
        op: AggregateOp::CountValues,
        name: "count_values",
        param: Some(Str),
        signature: "count_values by (labels) (\"label\", v)",
        doc: "How many samples have each value, the value written in the given label.",
    },
    AggregateDef {
        op: AggregateOp::Group,
        name: "group",
        param: None,
        signature: "group by (labels) (v)",
        doc: "1 for each group.",
    },
    AggregateDef {
        op: AggregateOp::Max,
        name: "max",
        param: None,
        signature: "max by (labels) (v)",
        doc: "The largest sample of each group.",
    },
    AggregateDef {
        op: AggregateOp::Min,
        name: "min",
        param: None,
        signature: "min by (labels) (v)",
        doc: "The smallest sample of each group.",
    },
    AggregateDef {
        op: AggregateOp::Quantile,
        name: "quantile",
        param: Some(S),
        signature: "quantile by (labels) (φ, v)",
        doc: "The φ-quantile (0 ≤ φ ≤ 1) of the samples in each group.",
    },
    AggregateDef {
        op: AggregateOp::Stddev,
        name: "stddev",
        param: None,
        signature: "stddev by (labels) (v)",
        doc: "The population standard deviation of the samples in each group.",
    },
    AggregateDef {
        op: AggregateOp::Stdvar,
        name: "stdvar",
        param: None,
        signature: "stdvar by (labels) (v)",
        doc: "The population variance of the samples in each group.",
    },
    AggregateDef {
        op: AggregateOp::Sum,
        name: "sum",
        param: None,
        signature: "sum by (labels) (v)",
        doc: "The sum of the samples in each group.",
    },
    AggregateDef {
        op: AggregateOp::Topk,
        name: "topk",
        param: Some(S),
        signature: "topk by (labels) (k, v)",
        doc: "The k largest samples of each group, labels kept.",
    },
];

impl AggregateOp {
    /// Its name, parameter and documentation.
    pub fn def(self) -> &'static AggregateDef {
        AGGREGATIONS
            .iter()
            .find(|def| def.op == self)
            .unwrap_or(&AGGREGATIONS[0])
    }

    /// Its name in queries.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The aggregation called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<AggregateOp> {
        AGGREGATIONS
            .iter()
            .find(|def| def.name == name)
            .map(|def| def.op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_sorted_and_indexed_by_variant() {
        for (i, def) in FUNCTIONS.iter().enumerate() {
            assert_eq!(def.func as usize, i, "{}", def.name);
            assert_eq!(Function::from_name(def.name), Some(def.func));
            assert!(def.signature.starts_with(def.name), "{}", def.name);
        }
        assert!(FUNCTIONS.windows(2).all(|w| w[0].name < w[1].name));
        assert!(AGGREGATIONS.windows(2).all(|w| w[0].name < w[1].name));
        for def in AGGREGATIONS {
            assert_eq!(def.op.def(), def);
            assert_eq!(AggregateOp::from_name(def.name), Some(def.op));
        }
        assert_eq!(Function::from_name("nope"), None);
    }

    #[test]
    fn arity_follows_prometheus_variadic() {
        assert_eq!(Function::Rate.def().arity(), (1, Some(1)));
        assert_eq!(Function::Round.def().arity(), (1, Some(2)));
        assert_eq!(Function::Year.def().arity(), (0, Some(1)));
        assert_eq!(Function::LabelJoin.def().arity(), (3, None));
        assert_eq!(Function::SortByLabel.def().arity(), (1, None));
        assert_eq!(Function::Time.def().arity(), (0, Some(0)));
        assert_eq!(Function::LabelJoin.def().arg_type(7), Str);
    }
}
