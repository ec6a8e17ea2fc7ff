//! Durations as Prometheus writes them: `1h30m`, `5m`, `100ms`, `2w`, `1y`.
//!
//! [`parse_duration`] follows `model.ParseDuration` of prometheus/common
//! (which PromQL's lexer and the HTTP API's `step` use): one or more
//! number-unit pairs, units `y w d h m s ms` from biggest to smallest, each
//! at most once, a year being 365 days; `0` alone is allowed. Its errors are
//! Prometheus's words. [`format_duration`] is `model.Duration.String()`.

const MS_PER_SECOND: u64 = 1000;
const MS_PER_MINUTE: u64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: u64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;
const MS_PER_WEEK: u64 = 7 * MS_PER_DAY;
const MS_PER_YEAR: u64 = 365 * MS_PER_DAY;

/// Prometheus keeps durations in nanoseconds in an `i64`; anything that
/// does not fit is "out of range".
const NANOS_PER_MS: u64 = 1_000_000;
const MAX_NANOS: u64 = i64::MAX as u64;

/// Units in the order they must appear, with their length in milliseconds.
const UNITS: [(&str, u64); 7] = [
    ("y", MS_PER_YEAR),
    ("w", MS_PER_WEEK),
    ("d", MS_PER_DAY),
    ("h", MS_PER_HOUR),
    ("m", MS_PER_MINUTE),
    ("s", MS_PER_SECOND),
    ("ms", 1),
];

/// Parses a duration such as `1h30m` into milliseconds, with Prometheus's
/// error messages (`not a valid duration string: "5m1h"`,
/// `unknown unit "hs" in duration "5y1hs"`, `duration out of range`).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    match text {
        "0" => return Ok(0),
        "" => return Err("empty duration string".to_owned()),
        _ => {}
    }
    let invalid = || {
        format!(
            "not a valid duration string: {}",
            crate::promql::printer::go_quote(text)
        )
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut total_nanos: u64 = 0;
    let mut last_unit: Option<usize> = None;
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let digits = text.get(digits_start..i).unwrap_or("");
        // Empty, or more than fits in 64 bits: Go's ParseUint fails.
        let value: u64 = digits.parse().map_err(|_| invalid())?;
        let unit_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        let unit = text.get(unit_start..i).unwrap_or("");
        if unit.is_empty() {
            return Err(invalid());
        }
        let Some(position) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(format!(
                "unknown unit {} in duration {}",
                crate::promql::printer::go_quote(unit),
                crate::promql::printer::go_quote(text)
            ));
        };
        if last_unit.is_some_and(|last| position <= last) {
            return Err(invalid());
        }
        last_unit = Some(position);
        let unit_nanos = UNITS[position].1 * NANOS_PER_MS;
        if value > (1u64 << 63) / unit_nanos {
            return Err("duration out of range".to_owned());
        }
        total_nanos = total_nanos.saturating_add(value * unit_nanos);
        if total_nanos > MAX_NANOS {
            return Err("duration out of range".to_owned());
        }
    }
    Ok((total_nanos / NANOS_PER_MS) as i64)
}

/// A duration in milliseconds as Prometheus prints it: biggest units first
/// (`1h30m`, `1d12h`, `1s500ms`), years and weeks only when they divide it
/// exactly (`90d`, not `12w6d`), `0s` for zero, a `-` before negative ones.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    if ms < 0 {
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, length) in UNITS {
        let exact_only = matches!(unit, "y" | "w");
        if exact_only && rest % length != 0 {
            continue;
        }
        let count = rest / length;
        if count > 0 {
            out.push_str(&count.to_string());
            out.push_str(unit);
            rest -= count * length;
        }
    }
    out
}

/// A duration in milliseconds as Go's `time.Duration.String()` prints it
/// (Grafana's `$__rate_interval`, promtool's messages): hours, minutes and
/// seconds with every smaller unit written out (`1h0m0s`, `1m30s`, `40s`),
/// fractions of a second as decimals (`1.5s`), below a second `500ms`,
/// `0s` for zero.
pub fn format_go_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_owned();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    if abs < MS_PER_SECOND {
        return format!("{sign}{abs}ms");
    }
    let hours = abs / MS_PER_HOUR;
    let minutes = abs % MS_PER_HOUR / MS_PER_MINUTE;
    let seconds = abs % MS_PER_MINUTE / MS_PER_SECOND;
    let millis = abs % MS_PER_SECOND;
    let mut out = String::from(sign);
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&seconds.to_string());
    if millis > 0 {
        let fraction = format!("{millis:03}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('s');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_parse(text: &str, expect: Result<i64, &str>) {
        assert_eq!(
            parse_duration(text),
            expect.map_err(str::to_owned),
            "parsing {text:?}"
        );
    }

    #[test]
    fn parses_like_model_parse_duration() {
        check_parse("0", Ok(0));
        check_parse("0s", Ok(0));
        check_parse("5m", Ok(300_000));
        check_parse("1h30m", Ok(5_400_000));
        check_parse("100ms", Ok(100));
        check_parse(
            "1y2w3d4h5m6s7ms",
            Ok(MS_PER_YEAR as i64 + 17 * MS_PER_DAY as i64 + 4 * 3_600_000 + 306_007),
        );
        check_parse("292y", Ok(292 * MS_PER_YEAR as i64));
        check_parse("", Err("empty duration string"));
        check_parse("5", Err("not a valid duration string: \"5\""));
        check_parse("m", Err("not a valid duration string: \"m\""));
        check_parse("5m1h", Err("not a valid duration string: \"5m1h\""));
        check_parse("5m1m", Err("not a valid duration string: \"5m1m\""));
        check_parse("1.5h", Err("unknown unit \".\" in duration \"1.5h\""));
        check_parse("-5m", Err("not a valid duration string: \"-5m\""));
        check_parse("5y1hs", Err("unknown unit \"hs\" in duration \"5y1hs\""));
        check_parse("5M", Err("unknown unit \"M\" in duration \"5M\""));
        check_parse("293y", Err("duration out of range"));
        check_parse("106751d23h47m16s854ms", Ok(9_223_372_036_854));
        check_parse("106751d23h47m16s855ms", Err("duration out of range"));
        check_parse(
            "99999999999999999999s",
            Err("not a valid duration string: \"99999999999999999999s\""),
        );
    }

    #[test]
    fn formats_like_go_duration_string() {
        for (ms, text) in [
            (0, "0s"),
            (1, "1ms"),
            (500, "500ms"),
            (1000, "1s"),
            (1500, "1.5s"),
            (1250, "1.25s"),
            (40_000, "40s"),
            (60_000, "1m0s"),
            (90_000, "1m30s"),
            (3_600_000, "1h0m0s"),
            (90_061_000, "25h1m1s"),
            (-60_000, "-1m0s"),
        ] {
            assert_eq!(format_go_duration(ms), text);
        }
    }

    #[test]
    fn formats_like_model_duration_string() {
        for (ms, text) in [
            (0, "0s"),
            (1, "1ms"),
            (1500, "1s500ms"),
            (90_000, "1m30s"),
            (5_400_000, "1h30m"),
            (MS_PER_DAY as i64, "1d"),
            (14 * MS_PER_DAY as i64, "2w"),
            (90 * MS_PER_DAY as i64, "90d"),
            (MS_PER_YEAR as i64, "1y"),
            (MS_PER_YEAR as i64 + MS_PER_DAY as i64, "366d"),
            (-300_000, "-5m"),
        ] {
            assert_eq!(format_duration(ms), text);
            if ms > 0 {
                assert_eq!(parse_duration(text), Ok(ms));
            }
        }
    }
}
