//! Placeholder until the parser branch lands (replaced by its duration.rs).

/// Parses a Prometheus duration such as `1h30m` into milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let mut total: i64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return Err("empty duration string".to_owned());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("not a valid duration string: {text:?}"));
        }
        let n: i64 = rest[..digits]
            .parse()
            .map_err(|_| format!("not a valid duration string: {text:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let unit = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            "y" => 31_536_000_000,
            _ => return Err(format!("not a valid duration string: {text:?}")),
        };
        rest = &rest[unit_len..];
        total = total.saturating_add(n.saturating_mul(unit));
    }
    Ok(total)
}

/// Formats milliseconds as Prometheus prints durations.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, name) in [
        (31_536_000_000, "y"),
        (604_800_000, "w"),
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
        (1, "ms"),
    ] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    out
}
