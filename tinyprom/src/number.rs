//! Reading decimal numbers: exactly (the standard library's correctly
//! rounded parser) on the host, and with a small parser in the browser.
//!
//! `str::parse::<f64>` brings its correctly rounded algorithm and its power
//! tables into the wasm page, about 14 KB gzip. In wasm, [`parse_float`]
//! reads the digits into an integer and scales it by a power of ten
//! instead: exact (one correctly rounded operation on exact operands)
//! whenever the number has at most 15 significant digits and an exponent
//! within ±22, as the counters, bucket bounds and query literals people
//! write do; beyond that at most one unit in the last place off up to 19
//! digits, and a few more for huge exponents. The tests check both paths
//! against each other on the host.

/// A decimal number `[+-]digits[.digits][(e|E)[+-]digits]`; `None` if the
/// text is not one. (Callers handle `Inf` and `NaN` themselves.)
pub fn parse_float(text: &str) -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        parse_decimal(text)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let digits_only = text
            .trim_start_matches(['+', '-'])
            .starts_with(|c: char| c.is_ascii_digit() || c == '.');
        if !digits_only || text.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        {
            return None;
        }
        text.parse().ok()
    }
}

/// Reads a decimal number `[+-]digits[.digits][(e|E)[+-]digits]`.
///
/// Not `str::parse::<f64>`: its correctly rounded algorithm and tables add
/// 14 KB gzip to the wasm playground (measured), a tenth of its size
/// budget. This reads the digits into an integer and scales it by a
/// power of ten, which is exact (one correctly rounded operation on exact
/// operands) whenever the number has at most 15 significant digits and an
/// exponent within ±22, as the counters, bucket counts and latency sums we
/// export do. Up to 19 digits it is at most one unit in the last place off,
/// and huge exponents are off by a few more, harmless for a graph.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn parse_decimal(token: &str) -> Option<f64> {
    let bytes = token.as_bytes();
    let (negative, mut i) = match bytes.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0;
    let mut digits = 0;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    // Digits beyond what a u64 holds only scale the value.
                    exponent += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        let rest = token.get(i + 1..)?;
        let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let explicit: i32 = rest.parse().unwrap_or(if rest.starts_with('-') {
            i32::MIN / 2
        } else {
            i32::MAX / 2
        });
        exponent = exponent.saturating_add(explicit);
        i = bytes.len();
    }
    if i != bytes.len() {
        return None;
    }
    let scaled = mantissa as f64;
    let magnitude = if mantissa == 0 {
        0.0
    } else if exponent >= 0 {
        scaled * 10f64.powi(exponent.min(400))
    } else if exponent >= -22 {
        // Dividing by an exact power of ten rounds once, as the parse would.
        scaled / 10f64.powi(-exponent)
    } else {
        scaled / 10f64.powi(22) / 10f64.powi((-exponent - 22).min(400))
    };
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_as_the_standard_parser_does() {
        for token in [
            "0",
            "1",
            "-1",
            "+3",
            "42",
            "0.5",
            "1.2",
            "0.1",
            "0.3",
            "12.345",
            "-0.0",
            "1e3",
            "1.7e9",
            "2.5E-3",
            "1e-22",
            "123456789012345",
            "0.000001",
            "1.0",
            "18446744073709551615",
            "0.30000000000000004",
        ] {
            let expect: f64 = token.parse().unwrap();
            let got = parse_decimal(token).unwrap();
            let ulps = (got.to_bits() as i64 - expect.to_bits() as i64).abs();
            assert!(ulps <= 1, "{token}: {got} vs {expect}");
            let significant = token
                .trim_start_matches(['+', '-'])
                .split(['e', 'E'])
                .next()
                .unwrap();
            if significant.replace('.', "").trim_start_matches('0').len() <= 15 {
                assert_eq!(got.to_bits(), expect.to_bits(), "{token} must be exact");
            }
        }
        for (token, expect) in [("1e300", 1e300), ("1e-30", 1e-30), ("-2.5e40", -2.5e40)] {
            let got = parse_decimal(token).unwrap();
            assert!(((got - expect) / expect).abs() < 1e-14, "{token}: {got}");
        }
        assert_eq!(parse_decimal("1e999"), Some(f64::INFINITY));
        assert_eq!(parse_decimal("1e-999"), Some(0.0));
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1_000", "1e5x", "--1", "inf",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn both_paths_agree_on_what_is_a_number() {
        for token in [
            "1", "-2.5", "+3e-2", ".5", "5.", "1e", "e5", "1.2.3", "0x10", "inf", "nan", "1_0", "",
        ] {
            assert_eq!(
                parse_float(token).is_some(),
                parse_decimal(token).is_some(),
                "{token:?}"
            );
        }
    }
}
