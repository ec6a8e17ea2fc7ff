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

/// The shortest decimal digits that read back as `f` (finite, not zero),
/// as Go's `strconv` chooses them: `(digits, exponent)` with
/// `|f| = 0.digits × 10^exponent`. When two candidates are equally close
/// to `f` (its exact value ends in a 5 just past them), Go takes the even
/// one; Rust's own shortest formatting rounds such ties up, so they are
/// settled here from the exact expansion.
fn go_shortest_digits(f: f64) -> (String, i32) {
    let abs = f.abs();
    // `{:e}` is the shortest round-tripping form: `2.4300003051757812e-1`.
    let sci = format!("{abs:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    // Two n-digit candidates can only both read back as `f` when a unit in
    // the n-th digit is below the float's spacing (about 2.2e-16 of it):
    // from 16 digits on. Shorter results need no check.
    if n < 16 {
        let trimmed = digits.trim_end_matches('0');
        return (
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
            exponent + 1,
        );
    }
    // A tie needs an n + 1-th digit of 5: cheap to rule out first, so the
    // exact expansion below (slow) is only written for one value in ten.
    let one_more = format!("{abs:.n$e}");
    if one_more
        .split_once('e')
        .is_none_or(|(m, _)| !m.ends_with('5'))
    {
        let trimmed = digits.trim_end_matches('0');
        return (
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
            exponent + 1,
        );
    }
    // The exact value, to 60 places: a tie has exactly n + 1 significant
    // digits, the last one a 5.
    let exact = format!("{abs:.60e}");
    let exact_digits: Vec<u8> = exact
        .split_once('e')
        .map_or("", |(m, _)| m)
        .bytes()
        .filter(u8::is_ascii_digit)
        .collect();
    if exact_digits.len() > n + 1
        && exact_digits[n] == b'5'
        && exact_digits[n + 1..].iter().all(|&d| d == b'0')
    {
        let mut candidate: Vec<u8> = exact_digits[..n].to_vec();
        if candidate.last().is_some_and(|d| (d - b'0') % 2 == 1) {
            // Round up to the even neighbour, carrying.
            let mut i = candidate.len();
            while i > 0 {
                i -= 1;
                if candidate[i] == b'9' {
                    candidate[i] = b'0';
                } else {
                    candidate[i] += 1;
                    break;
                }
            }
            if candidate.first() == Some(&b'0') {
                candidate.insert(0, b'1');
                candidate.pop();
                return (
                    String::from_utf8_lossy(&candidate).into_owned(),
                    exponent + 2,
                );
            }
        }
        digits = String::from_utf8_lossy(&candidate).into_owned();
    }
    let trimmed = digits.trim_end_matches('0');
    let digits = if trimmed.is_empty() { "0" } else { trimmed };
    (digits.to_owned(), exponent + 1)
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest digits, never
/// an exponent (`1e21` is `1000000000000000000000`), `NaN`, `+Inf`, `-Inf`.
pub fn format_plain(f: f64) -> String {
    if let Some(special) = special(f) {
        return special;
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let (digits, point) = go_shortest_digits(f);
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'e', -1, 64)`: `1.5e-07`, `1e+21`.
fn format_exponent(f: f64) -> String {
    let (digits, point) = go_shortest_digits(f);
    let exponent = point - 1;
    let sign = if f < 0.0 { "-" } else { "" };
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let exp_sign = if exponent < 0 { '-' } else { '+' };
    format!(
        "{sign}{first}{dot}{rest}e{exp_sign}{:02}",
        exponent.unsigned_abs()
    )
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".to_owned())
    } else if f == f64::INFINITY {
        Some("+Inf".to_owned())
    } else if f == f64::NEG_INFINITY {
        Some("-Inf".to_owned())
    } else {
        None
    }
}

/// A sample value as the API writes it (`jsonutil.MarshalFloat`): the
/// shortest digits, in exponent form below 1e-6 and from 1e21 on (`1e-07`,
/// `1e+21`), and `NaN`, `+Inf`, `-Inf`.
pub fn format_value(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && abs.is_finite() && !(1e-6..1e21).contains(&abs) {
        format_exponent(f)
    } else {
        format_plain(f)
    }
}

/// A number as Go's `encoding/json` writes a float64 (the timestamps of
/// scalar and string results): like [`format_value`], but `e-07` is
/// shortened to `e-7`.
pub fn format_json_number(f: f64) -> String {
    let text = format_value(f);
    match text.split_once("e-0") {
        Some((mantissa, digit)) if digit.len() == 1 => format!("{mantissa}e-{digit}"),
        _ => text,
    }
}

/// A millisecond timestamp as the API writes it in vectors and matrices
/// (`jsonutil.MarshalTimestamp`): whole seconds, then the milliseconds as
/// three digits if there are any: `1435781451.781`, `1435781451.500`.
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

/// A float as Go's `%v` writes it (in a few error messages): the shortest
/// digits, in exponent form when the exponent is below -4 or at least 6
/// (`123456`, `1.234567e+06`, `1e+20`).
pub fn format_go_float(f: f64) -> String {
    if let Some(special) = special(f) {
        return special;
    }
    if f == 0.0 {
        return format_plain(f);
    }
    let (_, point) = go_shortest_digits(f);
    if (-4..6).contains(&(point - 1)) {
        format_plain(f)
    } else {
        format_exponent(f)
    }
}

/// Go's `%f`: six decimals, `NaN`, `+Inf`, `-Inf`.
pub fn format_go_percent_f(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        format!("{f:.6}")
    }
}

/// Go's `%.Ng` (`fmt.Sprintf("%.4g", f)`, what Prometheus's `humanize`
/// template functions print): `precision` significant digits, trailing
/// zeros dropped, an exponent when it is below -4 or at least `precision`
/// (`40`, `2.35`, `1.234e+04`, `1e-05`), `NaN`, `+Inf`, `-Inf`. Ties round
/// to even, as both Go and Rust's exact formatting do.
pub fn format_go_g(f: f64, precision: usize) -> String {
    if let Some(special) = special(f) {
        return special;
    }
    let precision = precision.max(1);
    let sci = format!("{:.*e}", precision - 1, f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let count = digits.len() as i32;
    // Where the decimal point goes: `0.digits × 10^point`.
    let point = exponent + 1;
    let mut exponent_limit = precision as i32;
    if exponent_limit > count && count >= point {
        exponent_limit = count;
    }
    if exponent < -4 || exponent >= exponent_limit {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!(
            "{sign}{first}{dot}{rest}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        );
    }
    let shown = if precision as i32 > point {
        count
    } else {
        precision as i32
    };
    let decimals = (shown - point).max(0) as usize;
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        // Every digit is a decimal here: `decimals` is all of them.
        out.push_str(digits);
    } else {
        let point = point as usize;
        let integer: String = digits
            .chars()
            .chain(std::iter::repeat('0'))
            .take(point)
            .collect();
        out.push_str(&integer);
        if decimals > 0 {
            out.push('.');
            let fraction: String = digits
                .chars()
                .skip(point)
                .chain(std::iter::repeat('0'))
                .take(decimals)
                .collect();
            out.push_str(&fraction);
        }
    }
    out
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
            // Exactly 0.243000030517578125, a tie at the 17th digit: Go
            // rounds to even.
            (995_328_125.0 / 4_096_000_000.0, "0.24300003051757812"),
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
    fn go_v_format_switches_to_exponents_at_the_edges() {
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(123456.0), "123456");
        assert_eq!(format_go_float(1234567.0), "1.234567e+06");
        assert_eq!(format_go_float(1e20), "1e+20");
        assert_eq!(format_go_float(-1e20), "-1e+20");
        assert_eq!(format_go_float(0.0001), "0.0001");
        assert_eq!(format_go_float(0.00001), "1e-05");
        assert_eq!(format_go_float(-1.25e-7), "-1.25e-07");
    }

    #[test]
    fn go_g_format_with_a_precision() {
        for (f, text) in [
            (0.4 * 100.0, "40"),
            (2.35, "2.35"),
            (12345.0, "1.234e+04"),
            (12355.0, "1.236e+04"),
            (100000.0, "1e+05"),
            (1000.0, "1000"),
            (999.95, "1000"),
            (9999.5, "1e+04"),
            (0.0012345, "0.001234"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (1.5, "1.5"),
            (-2.5e-7, "-2.5e-07"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e21, "1e+21"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(format_go_g(f, 4), text, "{f:?}");
        }
        assert_eq!(format_go_g(2.0 / 3.0, 2), "0.67");
        assert_eq!(format_go_g(123.0, 1), "1e+02");
    }

    #[test]
    fn plain_and_json_forms() {
        assert_eq!(format_plain(-1.5e-7), "-0.00000015");
        assert_eq!(format_plain(1e21), "1000000000000000000000");
        assert_eq!(format_plain(4.9e-324).len(), 2 + 323 + 1);
        assert_eq!(format_plain(123.25), "123.25");
        assert_eq!(
            format_json_number(1_700_002_999_750.0 / 1000.0),
            "1700002999.75"
        );
        assert_eq!(format_json_number(1e-7), "1e-7");
        assert_eq!(format_json_number(0.001), "0.001");
    }
}
