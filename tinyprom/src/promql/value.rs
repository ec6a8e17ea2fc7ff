//! What a query returns, and the numbers and times in it formatted as
//! Prometheus formats them.

use crate::labels::Labels;
use crate::storage::{Sample, Series};

/// One element of an instant vector: a series' labels and its value at the
/// evaluation time.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSample {
    /// The series' labels.
    pub labels: Labels,
    /// The evaluation time, in milliseconds.
    pub t: i64,
    /// The value.
    pub f: f64,
}

/// The result of a query, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryValue {
    /// A scalar at a time (milliseconds).
    Scalar {
        /// When.
        t: i64,
        /// The value.
        f: f64,
    },
    /// A string literal at a time (milliseconds).
    String {
        /// When.
        t: i64,
        /// The text.
        s: String,
    },
    /// One sample per series, in the order Prometheus returns them.
    Vector(Vec<VectorSample>),
    /// Samples over time per series, sorted by labels.
    Matrix(Vec<Series>),
}

impl QueryValue {
    /// The API's name for the type: `scalar`, `string`, `vector`, `matrix`.
    pub fn result_type(&self) -> &'static str {
        match self {
            QueryValue::Scalar { .. } => "scalar",
            QueryValue::String { .. } => "string",
            QueryValue::Vector(_) => "vector",
            QueryValue::Matrix(_) => "matrix",
        }
    }
}

/// A float as Prometheus's API writes it: the shortest text that reads
/// back to the same number, in exponent form below 1e-6 and from 1e21 on
/// (`1e-07`, `1e+21`), and `NaN`, `+Inf`, `-Inf` (Prometheus's
/// `jsonutil.MarshalFloat`).
pub fn format_value(f: f64) -> String {
    let abs = f.abs();
    if f.is_nan() {
        "NaN".to_owned()
    } else if f == f64::INFINITY {
        "+Inf".to_owned()
    } else if f == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        go_exponent_form(f)
    } else {
        // Rust's `Display` for floats is the shortest round-tripping
        // decimal without an exponent, which is what Go's 'f', -1 gives.
        f.to_string()
    }
}

/// Go's shortest `'e'` form: `1.5e-07`, `1e+21` (at least two exponent
/// digits, always a sign).
fn go_exponent_form(f: f64) -> String {
    // `{:e}` gives the shortest round-tripping digits: `1.5e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// A millisecond timestamp as the API writes it: whole seconds, then the
/// milliseconds as three digits if there are any: `1435781451.781`,
/// `1435781451.500`, `1435781451`.
pub fn format_timestamp(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    let (seconds, millis) = (abs / 1000, abs % 1000);
    if millis == 0 {
        format!("{sign}{seconds}")
    } else {
        format!("{sign}{seconds}.{millis:03}")
    }
}

/// A float as Go's `%g`/`%v` writes it (used in a few error messages):
/// shortest digits, exponent form when the exponent is below -4 or at
/// least 21.
pub fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // The decimal exponent of the shortest digits, as `{:e}` writes them.
    let sci = format!("{f:e}");
    let exponent: i32 = sci
        .rsplit('e')
        .next()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    if (-4..21).contains(&exponent) {
        f.to_string()
    } else {
        go_exponent_form(f)
    }
}

/// A series of points, as range queries return them.
pub fn points(series: &Series) -> impl Iterator<Item = (i64, f64)> + '_ {
    series.samples.iter().map(|&Sample { t, f }| (t, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_go_formats_them() {
        for (f, text) in [
            (1.0, "1"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e21, "1e+21"),
            (9.99e20, "999000000000000000000"),
            (1e-7, "1e-07"),
            (-1.5e-7, "-1.5e-07"),
            (0.000001, "0.000001"),
            (1.2345e300, "1.2345e+300"),
            (123456789.125, "123456789.125"),
            (0.30000000000000004, "0.30000000000000004"),
            (-0.0, "-0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(format_value(f), text, "{f:?}");
        }
    }

    #[test]
    fn timestamps_print_as_seconds_and_three_digit_millis() {
        assert_eq!(format_timestamp(1_435_781_451_781), "1435781451.781");
        assert_eq!(format_timestamp(1_435_781_451_500), "1435781451.500");
        assert_eq!(format_timestamp(1_435_781_451_050), "1435781451.050");
        assert_eq!(format_timestamp(1_435_781_451_000), "1435781451");
        assert_eq!(format_timestamp(0), "0");
        assert_eq!(format_timestamp(-1_500), "-1.500");
    }

    #[test]
    fn go_g_format_switches_to_exponents_at_the_edges() {
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(1e20), "100000000000000000000");
        assert_eq!(format_go_float(1e21), "1e+21");
        assert_eq!(format_go_float(9.3e18), "9300000000000000000");
        assert_eq!(format_go_float(0.0001), "0.0001");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(-1.25e-7), "-1.25e-07");
    }
}
