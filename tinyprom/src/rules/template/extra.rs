//! The template functions of the `template-functions` feature: Go's and
//! Prometheus's string functions, `index`, `print` and `printf`. The
//! `promql` command has them; the wasm page goes without (Unicode's case
//! tables for `toUpper` and `toLower` alone are 15 KB gzip).

use std::fmt::Write as _;

use super::{format_go_float, format_go_g, print_value, type_name, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Function {
    ToUpper,
    ToLower,
    StripPort,
    ReReplaceAll,
    Match,
    Index,
    Print,
    Printf,
}

const FUNCTIONS: [(&str, Function); 8] = [
    ("toUpper", Function::ToUpper),
    ("toLower", Function::ToLower),
    ("stripPort", Function::StripPort),
    ("reReplaceAll", Function::ReReplaceAll),
    ("match", Function::Match),
    ("index", Function::Index),
    ("print", Function::Print),
    ("printf", Function::Printf),
];

/// The function called `name`.
pub(super) fn function(name: &str) -> Option<Function> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

fn string_arg(function: &str, value: &Value<'_>) -> Result<String, String> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        other => Err(format!(
            "error calling {function}: wrong type for value; expected string; got {}",
            type_name(other)
        )),
    }
}

pub(super) fn call<'a>(function: Function, args: Vec<Value<'a>>) -> Result<Value<'a>, String> {
    let name = FUNCTIONS
        .iter()
        .find(|(_, f)| *f == function)
        .map_or("?", |(name, _)| name);
    let arity = match function {
        Function::Print | Function::Printf => None,
        Function::ReReplaceAll => Some(3),
        Function::Match | Function::Index => Some(2),
        _ => Some(1),
    };
    if let Some(arity) = arity {
        if args.len() != arity {
            return Err(format!(
                "wrong number of args for {name}: want {arity} got {}",
                args.len()
            ));
        }
    }
    Ok(match function {
        Function::ToUpper => Value::Str(string_arg(name, &args[0])?.to_uppercase()),
        Function::ToLower => Value::Str(string_arg(name, &args[0])?.to_lowercase()),
        Function::StripPort => Value::Str(strip_port(&string_arg(name, &args[0])?)),
        Function::ReReplaceAll => {
            let pattern = string_arg(name, &args[0])?;
            let replacement = string_arg(name, &args[1])?;
            let text = string_arg(name, &args[2])?;
            let regex = regex_lite::Regex::new(&pattern)
                .map_err(|error| format!("error calling {name}: {error}"))?;
            Value::Str(regex.replace_all(&text, replacement.as_str()).into_owned())
        }
        Function::Match => {
            let pattern = string_arg(name, &args[0])?;
            let text = string_arg(name, &args[1])?;
            // Go's regexp.MatchString is unanchored, as regex-lite's is.
            let regex = regex_lite::Regex::new(&pattern)
                .map_err(|error| format!("error calling {name}: {error}"))?;
            Value::Bool(regex.is_match(&text))
        }
        Function::Index => match (&args[0], &args[1]) {
            (Value::Map(labels), Value::Str(key)) => {
                Value::Str(labels.get(key).unwrap_or("").to_owned())
            }
            (other, _) => {
                return Err(format!(
                    "error calling index: can't index item of type {}",
                    type_name(other)
                ))
            }
        },
        Function::Print => {
            // Go's fmt.Sprint: a space between operands when neither is a
            // string.
            let mut out = String::new();
            for (i, arg) in args.iter().enumerate() {
                if i > 0 && !matches!(arg, Value::Str(_)) && !matches!(args[i - 1], Value::Str(_)) {
                    out.push(' ');
                }
                print_value(&mut out, arg);
            }
            Value::Str(out)
        }
        Function::Printf => {
            let (format, rest) = args.split_first().ok_or_else(|| {
                "wrong number of args for printf: want at least 1 got 0".to_owned()
            })?;
            Value::Str(printf(&string_arg(name, format)?, rest))
        }
    })
}

/// Go's `net.SplitHostPort` host, or the text as it is.
fn strip_port(host_port: &str) -> String {
    if let Some(rest) = host_port.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once("]:") {
            if !port.contains(':') {
                return host.to_owned();
            }
        }
        return host_port.to_owned();
    }
    match host_port.rsplit_once(':') {
        Some((host, _)) if !host.contains(':') => host.to_owned(),
        _ => host_port.to_owned(),
    }
}

/// Go's `fmt.Sprintf` for the verbs alert templates use.
fn printf(format: &str, args: &[Value<'_>]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            precision = Some(digits.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.next() else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        let as_float = match arg {
            Value::Float(f) => Some(*f),
            Value::Int(i) if matches!(verb, 'f' | 'e' | 'g') => Some(*i as f64),
            _ => None,
        };
        match (verb, arg, as_float) {
            ('v' | 's', Value::Str(_) | Value::Map(_) | Value::Bool(_) | Value::Data, _)
            | ('v', _, _) => print_value(&mut out, arg),
            ('d', Value::Int(i), _) => {
                let _ = write!(out, "{i}");
            }
            ('q', Value::Str(s), _) => out.push_str(&crate::promql::printer::go_quote(s)),
            ('f', _, Some(f)) => out.push_str(&go_fixed(f, precision.unwrap_or(6))),
            ('e', _, Some(f)) => out.push_str(&go_exponent(f, precision.unwrap_or(6))),
            ('g', _, Some(f)) => match precision {
                Some(p) => out.push_str(&format_go_g(f, p)),
                None => out.push_str(&format_go_float(f)),
            },
            _ => {
                let mut shown = String::new();
                print_value(&mut shown, arg);
                let _ = write!(out, "%!{verb}({}={shown})", type_name(arg));
            }
        }
    }
    let extra: Vec<&Value<'_>> = args.collect();
    if !extra.is_empty() {
        out.push_str("%!(EXTRA ");
        for (i, arg) in extra.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}=", type_name(arg));
            print_value(&mut out, arg);
        }
        out.push(')');
    }
    out
}

/// Go's `%.Nf`.
fn go_fixed(f: f64, precision: usize) -> String {
    if !f.is_finite() {
        return format_go_g(f, 1);
    }
    format!("{f:.precision$}")
}

/// Go's `%.Ne`: at least two exponent digits.
fn go_exponent(f: f64, precision: usize) -> String {
    if !f.is_finite() {
        return format_go_g(f, 1);
    }
    let text = format!("{f:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}
