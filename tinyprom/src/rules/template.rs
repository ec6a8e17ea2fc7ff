//! The templates of alert labels and annotations: the part of Go's
//! `text/template` and Prometheus's template functions that alert rules
//! use, read once when the rules are loaded and expanded for each alert.
//!
//! What is understood: text with `{{ … }}` actions (and the `{{-`/`-}}`
//! trim markers, `{{/* comments */}}`); pipelines `a | f | g`; the
//! variables Prometheus defines (`$labels`, `$value`, `$externalLabels`,
//! `$externalURL`, `$` and `.` for the data, with `.Labels`, `.Value`,
//! `.ExternalLabels`, `.ExternalURL`); map fields (`$labels.instance`, a
//! missing one is empty, Prometheus's `missingkey=zero`); string, number and
//! boolean literals; parentheses; and the functions `humanize`,
//! `humanize1024`, `humanizeDuration` and `humanizePercentage`. With the
//! crate's `template-functions` feature (the `promql` command has it, the
//! wasm page does not: Unicode's case tables alone would cost it 15 KB
//! gzip) also `toUpper`, `toLower`, `stripPort`, `reReplaceAll`, `match`,
//! `index`, `print` and `printf` (verbs `%s %v %d %f %e %g %q %%` with a
//! precision).
//!
//! Not understood, and refused when the rule is loaded rather than expanded
//! wrongly: control structures (`if`, `range`, `with`, …), variable
//! declarations, and Prometheus's other functions (`query`, `first`,
//! `humanizeTimestamp`, `title`, `graphLink`, …). Error messages follow Go's
//! wording but not its columns.

use std::fmt::Write as _;

use crate::labels::Labels;
use crate::promql::value::{format_go_float, format_go_g};

#[cfg(feature = "template-functions")]
mod extra;

/// A template read and checked, ready to expand.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// What a template sees: an alert's series labels and value, and the
/// server's external labels and URL.
#[derive(Clone, Copy, Debug)]
pub struct TemplateData<'a> {
    /// `$labels`: the series' labels, the metric name included.
    pub labels: &'a Labels,
    /// `$value`: the sample's value.
    pub value: f64,
    /// `$externalLabels`.
    pub external_labels: &'a Labels,
    /// `$externalURL`.
    pub external_url: &'a str,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Action { line: usize, pipeline: Pipeline },
}

#[derive(Clone, Debug, PartialEq)]
struct Pipeline {
    commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
struct Command {
    /// The first is a function or a value; the rest are its arguments.
    words: Vec<Operand>,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    /// A value and the fields read from it: `$labels.job`, `.Value`.
    Value(Root, Vec<String>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Function(Function),
    Parens(Box<Pipeline>, Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Root {
    /// `$` or `.`: the data itself.
    Data,
    Labels,
    Value,
    ExternalLabels,
    ExternalUrl,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Function {
    Humanize,
    Humanize1024,
    HumanizeDuration,
    HumanizePercentage,
    #[cfg(feature = "template-functions")]
    Extra(extra::Function),
}

const FUNCTIONS: [(&str, Function); 4] = [
    ("humanize", Function::Humanize),
    ("humanize1024", Function::Humanize1024),
    ("humanizeDuration", Function::HumanizeDuration),
    ("humanizePercentage", Function::HumanizePercentage),
];

/// The function called `name`.
fn function(name: &str) -> Option<Function> {
    #[cfg(feature = "template-functions")]
    if let Some(extra) = extra::function(name) {
        return Some(Function::Extra(extra));
    }
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
}

/// The functions of the `template-functions` feature, by name.
#[cfg(not(feature = "template-functions"))]
const FEATURE_FUNCTIONS: [&str; 8] = [
    "toUpper",
    "toLower",
    "stripPort",
    "reReplaceAll",
    "match",
    "index",
    "print",
    "printf",
];

/// Functions Go or Prometheus define that are not implemented here: a
/// template using one is refused with a message saying so, not "not
/// defined".
const UNSUPPORTED_FUNCTIONS: [&str; 33] = [
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "safeHtml",
    "title",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "stripDomain",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "now",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "urlQueryEscape",
    "and",
    "or",
    "not",
    "len",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "html",
    "js",
];

const KEYWORDS: [&str; 10] = [
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
];

/// A value while a pipeline runs.
#[derive(Clone, Debug)]
enum Value<'a> {
    Float(f64),
    Int(i64),
    Str(String),
    Bool(bool),
    Map(&'a Labels),
    /// The data itself (`$`, `.`).
    Data,
}

impl Template {
    /// Reads `text`; `name` is the template's name in messages
    /// (Prometheus names them `__alert_<alertname>`).
    pub fn parse(text: &str, name: &str) -> Result<Template, String> {
        Parser { text, name }
            .parse()
            .map(|nodes| Template { nodes })
    }

    /// The expanded text, or what went wrong in Go's words.
    pub fn expand(&self, data: &TemplateData<'_>, name: &str) -> Result<String, String> {
        let mut out = String::new();
        for node in &self.nodes {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Action { line, pipeline } => {
                    let value = run_pipeline(pipeline, data).map_err(|error| {
                        format!("template: {name}:{line}: executing \"{name}\": {error}")
                    })?;
                    print_value(&mut out, &value);
                }
            }
        }
        Ok(out)
    }

    /// [`Template::expand`], with a failure written in place of the text
    /// as Prometheus writes it into a label or annotation.
    pub fn expand_or_error(&self, data: &TemplateData<'_>, name: &str) -> String {
        self.expand(data, name).unwrap_or_else(|error| {
            format!("<error expanding template: error executing template {name}: {error}>")
        })
    }
}

struct Parser<'t> {
    text: &'t str,
    name: &'t str,
}

impl Parser<'_> {
    fn error(&self, line: usize, message: impl std::fmt::Display) -> String {
        format!("template: {}:{line}: {message}", self.name)
    }

    fn parse(&self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        let mut rest = self.text;
        let mut line = 1;
        while let Some(open) = find(rest, "{{") {
            let mut text = &rest[..open];
            let mut action = &rest[open + 2..];
            // `{{- ` trims the whitespace before the action.
            if let Some(after) = action.strip_prefix('-') {
                if after.starts_with([' ', '\t', '\r', '\n']) {
                    text = text.trim_end_matches([' ', '\t', '\r', '\n']);
                    action = after;
                }
            }
            if !text.is_empty() {
                nodes.push(Node::Text(text.to_owned()));
            }
            line += newlines(&rest[..open]);
            let action_line = line;
            let trimmed = action.trim_start_matches([' ', '\t', '\r', '\n']);
            let (body, after, trim_after) = if trimmed.starts_with("/*") {
                let end = find(trimmed, "*/")
                    .ok_or_else(|| self.error(action_line, "unclosed comment"))?;
                let tail = trimmed[end + 2..].trim_start_matches([' ', '\t', '\r', '\n']);
                let (tail, trim) = match tail.strip_prefix("-}}") {
                    Some(tail) => (tail, true),
                    None => (
                        tail.strip_prefix("}}").ok_or_else(|| {
                            self.error(action_line, "comment ends before closing delimiter")
                        })?,
                        false,
                    ),
                };
                line += newlines(&action[..action.len() - tail.len()]);
                rest = if trim {
                    tail.trim_start_matches([' ', '\t', '\r', '\n'])
                } else {
                    tail
                };
                continue;
            } else {
                let close =
                    find(action, "}}").ok_or_else(|| self.error(action_line, "unclosed action"))?;
                let mut body = &action[..close];
                let mut trim = false;
                if let Some(before) = body.strip_suffix('-') {
                    if before.ends_with([' ', '\t', '\r', '\n']) {
                        body = before;
                        trim = true;
                    }
                }
                (body, &action[close + 2..], trim)
            };
            line += newlines(body);
            let pipeline = ActionParser {
                parser: self,
                line: action_line,
                text: body,
                at: 0,
            }
            .action()?;
            nodes.push(Node::Action {
                line: action_line,
                pipeline,
            });
            rest = if trim_after {
                let trimmed = after.trim_start_matches([' ', '\t', '\r', '\n']);
                line += newlines(&after[..after.len() - trimmed.len()]);
                trimmed
            } else {
                after
            };
        }
        if !rest.is_empty() {
            nodes.push(Node::Text(rest.to_owned()));
        }
        Ok(nodes)
    }
}

/// A letter, digit or `_` of an identifier. Go takes any Unicode letter;
/// any non-ASCII character is taken here, which spares the page Unicode's
/// tables.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

/// Where `needle` starts in `haystack`: a byte search, not `str::find`,
/// whose substring searcher would cost the page a kilobyte.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// Reads the inside of one action.
struct ActionParser<'p, 't> {
    parser: &'p Parser<'t>,
    line: usize,
    text: &'t str,
    at: usize,
}

impl ActionParser<'_, '_> {
    fn error(&self, message: impl std::fmt::Display) -> String {
        self.parser.error(self.line, message)
    }

    fn skip_space(&mut self) {
        while self.text[self.at..].starts_with([' ', '\t', '\r', '\n']) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn action(mut self) -> Result<Pipeline, String> {
        self.skip_space();
        if self.at == self.text.len() {
            return Err(self.error("missing value for command"));
        }
        let pipeline = self.pipeline()?;
        self.skip_space();
        match self.peek() {
            None => Ok(pipeline),
            Some(')') => Err(self.error("unexpected right paren")),
            Some(c) => Err(self.error(format!("unexpected {c:?} in command"))),
        }
    }

    fn pipeline(&mut self) -> Result<Pipeline, String> {
        let mut commands = vec![self.command()?];
        loop {
            self.skip_space();
            if self.peek() != Some('|') {
                break;
            }
            self.at += 1;
            commands.push(self.command()?);
        }
        Ok(Pipeline { commands })
    }

    fn command(&mut self) -> Result<Command, String> {
        let mut words = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None | Some('|') | Some(')') => break,
                _ => words.push(self.operand()?),
            }
        }
        if words.is_empty() {
            return Err(self.error("missing value for command"));
        }
        Ok(Command { words })
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let start = self.at;
        let rest = &self.text[self.at..];
        let first = rest.chars().next().unwrap_or(' ');
        let operand = match first {
            '(' => {
                self.at += 1;
                let inner = self.pipeline()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(self.error("unclosed left paren"));
                }
                self.at += 1;
                let fields = self.fields()?;
                return Ok(Operand::Parens(Box::new(inner), fields));
            }
            '"' => Operand::Str(self.quoted()?),
            '`' => {
                let end = rest[1..]
                    .find('`')
                    .ok_or_else(|| self.error("unterminated raw quoted string"))?;
                self.at += end + 2;
                Operand::Str(rest[1..end + 1].to_owned())
            }
            '$' => {
                let name_len = rest[1..]
                    .find(|c: char| !is_word_char(c))
                    .unwrap_or(rest.len() - 1);
                let name = &rest[1..1 + name_len];
                self.at += 1 + name_len;
                let root = match name {
                    "" => Root::Data,
                    "labels" => Root::Labels,
                    "value" => Root::Value,
                    "externalLabels" => Root::ExternalLabels,
                    "externalURL" => Root::ExternalUrl,
                    _ => return Err(self.error(format!("undefined variable \"${name}\""))),
                };
                if self.text[self.at..].starts_with(" :=")
                    || self.text[self.at..].starts_with(":=")
                    || self.text[self.at..].trim_start().starts_with('=')
                {
                    return Err(self.error(
                        "declaring or assigning variables is not supported by this engine",
                    ));
                }
                let fields = self.fields()?;
                return Ok(Operand::Value(root, fields));
            }
            '.' => {
                let fields = self.fields()?;
                return Ok(match fields.split_first() {
                    None => Operand::Value(Root::Data, fields),
                    Some((first, more)) => {
                        let root = match first.as_str() {
                            "Labels" => Root::Labels,
                            "Value" => Root::Value,
                            "ExternalLabels" => Root::ExternalLabels,
                            "ExternalURL" => Root::ExternalUrl,
                            // Go finds this out when it runs; so do we.
                            _ => return Ok(Operand::Value(Root::Data, fields)),
                        };
                        Operand::Value(root, more.to_vec())
                    }
                });
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                let len = rest
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
                    })
                    .unwrap_or(rest.len());
                let word = &rest[..len];
                self.at += len;
                if let Ok(int) = word.parse::<i64>() {
                    Operand::Int(int)
                } else {
                    match crate::number::parse_float(word) {
                        Some(float) => Operand::Float(float),
                        None => return Err(self.error(format!("bad number syntax: {word:?}"))),
                    }
                }
            }
            c if is_word_char(c) => {
                let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
                let word = &rest[..len];
                self.at += len;
                match word {
                    "true" => Operand::Bool(true),
                    "false" => Operand::Bool(false),
                    "nil" => return Err(self.error("nil is not a command")),
                    _ if KEYWORDS.contains(&word) => {
                        return Err(self.error(format!(
                            "{{{{{word}}}}} is not supported by this engine (no control structures)"
                        )))
                    }
                    _ => match function(word) {
                        Some(function) => Operand::Function(function),
                        #[cfg(not(feature = "template-functions"))]
                        None if FEATURE_FUNCTIONS.contains(&word) => {
                            return Err(self.error(format!(
                                "function {word:?} is not supported by this engine (tinyprom's template-functions feature adds it)"
                            )))
                        }
                        None if UNSUPPORTED_FUNCTIONS.contains(&word) => {
                            return Err(self.error(format!(
                                "function {word:?} is not supported by this engine"
                            )))
                        }
                        None => return Err(self.error(format!("function {word:?} not defined"))),
                    },
                }
            }
            c => return Err(self.error(format!("unexpected {c:?} in operand"))),
        };
        if self.at == start {
            return Err(self.error("unexpected end of operand"));
        }
        Ok(operand)
    }

    /// `.a.b` after an operand.
    fn fields(&mut self) -> Result<Vec<String>, String> {
        let mut fields = Vec::new();
        while self.peek() == Some('.') {
            self.at += 1;
            let rest = &self.text[self.at..];
            let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            if len == 0 {
                if fields.is_empty() {
                    // `.` alone: the data.
                    return Ok(fields);
                }
                return Err(self.error("unexpected . after term"));
            }
            fields.push(rest[..len].to_owned());
            self.at += len;
        }
        Ok(fields)
    }

    /// A Go interpreted string literal.
    fn quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = self.text[self.at + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.at += i + 2;
                    return Ok(out);
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('\'') => out.push('\''),
                    Some(other) => {
                        return Err(self.error(format!("unsupported escape \\{other} in string")))
                    }
                    None => break,
                },
                '\n' => break,
                c => out.push(c),
            }
        }
        Err(self.error("unterminated quoted string"))
    }
}

fn run_pipeline<'a>(pipeline: &Pipeline, data: &TemplateData<'a>) -> Result<Value<'a>, String> {
    let mut piped: Option<Value<'a>> = None;
    for command in &pipeline.commands {
        piped = Some(run_command(command, data, piped)?);
    }
    piped.ok_or_else(|| "empty pipeline".to_owned())
}

fn run_command<'a>(
    command: &Command,
    data: &TemplateData<'a>,
    piped: Option<Value<'a>>,
) -> Result<Value<'a>, String> {
    let (first, rest) = command
        .words
        .split_first()
        .ok_or_else(|| "empty command".to_owned())?;
    if let Operand::Function(function) = first {
        let mut args = rest
            .iter()
            .map(|arg| operand_value(arg, data))
            .collect::<Result<Vec<_>, _>>()?;
        args.extend(piped);
        return call(*function, args);
    }
    if !rest.is_empty() || piped.is_some() {
        return Err("can't give argument to non-function".to_owned());
    }
    operand_value(first, data)
}

fn operand_value<'a>(operand: &Operand, data: &TemplateData<'a>) -> Result<Value<'a>, String> {
    let (root, fields) = match operand {
        Operand::Str(s) => return Ok(Value::Str(s.clone())),
        Operand::Int(i) => return Ok(Value::Int(*i)),
        Operand::Float(f) => return Ok(Value::Float(*f)),
        Operand::Bool(b) => return Ok(Value::Bool(*b)),
        Operand::Function(function) => return call(*function, Vec::new()),
        Operand::Parens(pipeline, fields) => (run_pipeline(pipeline, data)?, fields),
        Operand::Value(root, fields) => (
            match root {
                Root::Data => Value::Data,
                Root::Labels => Value::Map(data.labels),
                Root::Value => Value::Float(data.value),
                Root::ExternalLabels => Value::Map(data.external_labels),
                Root::ExternalUrl => Value::Str(data.external_url.to_owned()),
            },
            fields,
        ),
    };
    let mut value = root;
    for field in fields {
        value = match value {
            Value::Map(labels) => Value::Str(labels.get(field).unwrap_or("").to_owned()),
            Value::Data => match field.as_str() {
                "Labels" => Value::Map(data.labels),
                "Value" => Value::Float(data.value),
                "ExternalLabels" => Value::Map(data.external_labels),
                "ExternalURL" => Value::Str(data.external_url.to_owned()),
                _ => {
                    return Err(format!(
                        "can't evaluate field {field} in type struct {{ Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {{}} }}"
                    ))
                }
            },
            other => {
                return Err(format!(
                    "can't evaluate field {field} in type {}",
                    type_name(&other)
                ))
            }
        };
    }
    if matches!(value, Value::Data) {
        return Err("printing the template data itself is not supported by this engine".to_owned());
    }
    Ok(value)
}

fn type_name(value: &Value<'_>) -> &'static str {
    match value {
        Value::Float(_) => "float64",
        Value::Int(_) => "int",
        Value::Str(_) => "string",
        Value::Bool(_) => "bool",
        Value::Map(_) => "map[string]string",
        Value::Data => "struct",
    }
}

/// Go's `fmt.Fprint` of a value, which `{{ x }}` writes.
fn print_value(out: &mut String, value: &Value<'_>) {
    match value {
        Value::Float(f) => out.push_str(&format_go_float(*f)),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Str(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Map(labels) => {
            out.push_str("map[");
            for (i, label) in labels.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{}:{}", label.name, label.value);
            }
            out.push(']');
        }
        // Never printed: `operand_value` refuses to hand the data out.
        Value::Data => {}
    }
}

/// `ConvertToFloat` of Prometheus's templates: numbers as they are,
/// strings parsed as Go's `strconv.ParseFloat` does.
fn to_float(value: &Value<'_>) -> Result<f64, String> {
    match value {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Str(s) => parse_go_float(s)
            .ok_or_else(|| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax")),
        other => Err(format!("can't convert {} to float", type_name(other))),
    }
}

fn parse_go_float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let negative = text.starts_with('-');
    let magnitude = match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => crate::number::parse_float(unsigned)?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn call<'a>(function: Function, args: Vec<Value<'a>>) -> Result<Value<'a>, String> {
    let humanizer: fn(f64) -> String = match function {
        Function::Humanize => humanize,
        Function::Humanize1024 => humanize_1024,
        Function::HumanizeDuration => humanize_duration,
        Function::HumanizePercentage => humanize_percentage,
        #[cfg(feature = "template-functions")]
        Function::Extra(extra) => return extra::call(extra, args),
    };
    let name = FUNCTIONS
        .iter()
        .find(|(_, f)| *f == function)
        .map_or("?", |(name, _)| name);
    let [arg] = args.as_slice() else {
        return Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        ));
    };
    let number = to_float(arg).map_err(|error| format!("error calling {name}: {error}"))?;
    Ok(Value::Str(humanizer(number)))
}

/// Prometheus's `humanizePercentage`: times 100, four significant digits.
pub fn humanize_percentage(v: f64) -> String {
    format!("{}%", format_go_g(v * 100.0, 4))
}

/// Prometheus's `humanize`: SI prefixes, four significant digits.
pub fn humanize(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_go_g(v, 4);
    }
    let mut v = v;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", format_go_g(v, 4))
}

/// Prometheus's `humanize1024`: binary prefixes, four significant digits.
pub fn humanize_1024(v: f64) -> String {
    if v.abs() <= 1.0 || !v.is_finite() {
        return format_go_g(v, 4);
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", format_go_g(v, 4))
}

/// Prometheus's `humanizeDuration` (seconds in): `1d 2h 3m 4s` from a
/// minute on, `2.35s`, `500ms`, `1.5us` below.
pub fn humanize_duration(v: f64) -> String {
    if !v.is_finite() {
        return format_go_g(v, 4);
    }
    if v == 0.0 {
        return format!("{}s", format_go_g(v, 4));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        // Go's int64(v) on amd64 (what promtool runs on): truncated, and
        // the most negative int64 for anything too big.
        let whole = if v < i64::MAX as f64 {
            v as i64
        } else {
            i64::MIN
        };
        let (seconds, minutes) = (whole % 60, whole / 60 % 60);
        let (hours, days) = (whole / 3600 % 24, whole / 86400);
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", format_go_g(v, 4))
        };
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", format_go_g(v, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(template: &str, value: f64, expect: &str) {
        let labels = Labels::with_name(
            "up",
            [
                ("instance", "app:8001"),
                ("job", "treecounter"),
                ("le", "0.25"),
            ],
        );
        let external = Labels::new([("cluster", "workshop")]);
        let data = TemplateData {
            labels: &labels,
            value,
            external_labels: &external,
            external_url: "http://prometheus:9090",
        };
        let got = Template::parse(template, "__alert_Test")
            .and_then(|t| t.expand(&data, "__alert_Test"))
            .unwrap_or_else(|error| format!("ERROR {error}"));
        assert_eq!(got, expect, "{template:?} with $value {value}");
    }

    #[test]
    fn expands_what_alert_rules_write() {
        check("plain text", 1.0, "plain text");
        check("{{ $labels.instance }} is down", 0.0, "app:8001 is down");
        check(
            "{{$labels.job}}/{{ .Labels.instance }}",
            0.0,
            "treecounter/app:8001",
        );
        check("{{ $labels.missing }}!", 0.0, "!");
        check("{{ $value }}", 0.4, "0.4");
        check("{{ $value }}", 1234567.0, "1.234567e+06");
        check("{{ .Value }}", f64::NAN, "NaN");
        check("{{ $value | humanizePercentage }}", 0.4, "40%");
        check("{{ $value | humanizePercentage }}", 0.123456, "12.35%");
        check("{{ humanizePercentage $value }}", 1.0 / 3.0, "33.33%");
        check("{{ $value | humanizeDuration }}", 2.35, "2.35s");
        check("{{ $value | humanizeDuration }}", 0.0, "0s");
        check("{{ $value | humanizeDuration }}", 0.25, "250ms");
        check("{{ $value | humanizeDuration }}", 90061.5, "1d 1h 1m 1s");
        check("{{ $value | humanizeDuration }}", -3725.0, "-1h 2m 5s");
        check("{{ $value | humanizeDuration }}", 0.0000015, "1.5us");
        check(
            "{{ $value | humanizeDuration }}",
            1e21,
            "-106751991167300d -15h -30m -8s",
        );
        check("{{ $value | humanize }}", 1234567.0, "1.235M");
        check("{{ $value | humanize }}", 0.00012, "120u");
        check("{{ $value | humanize }}", -2500.0, "-2.5k");
        check("{{ $value | humanize1024 }}", 1048576.0, "1Mi");
        check("{{ $value | humanize1024 }}", 0.5, "0.5");
        check("{{ $labels.le | humanize }}", 0.0, "250m");
        check(
            "{{ $externalLabels.cluster }} {{ $externalURL }}",
            0.0,
            "workshop http://prometheus:9090",
        );
        check("{{ ($value) }}", 2.0, "2");
        check("{{ 42 }} {{ 1.5 }} {{ true }}", 0.0, "42 1.5 true");
        check("{{ `raw` }}", 0.0, "raw");
        check(
            "{{ $labels }}",
            0.0,
            "map[__name__:up instance:app:8001 job:treecounter le:0.25]",
        );
        check("a  {{- $labels.job -}}  b", 0.0, "atreecounterb");
        check("a {{/* a comment */}}b", 0.0, "a b");
        check("a {{- /* trimmed */ -}} b", 0.0, "ab");
    }

    #[cfg(feature = "template-functions")]
    #[test]
    fn expands_the_string_functions_of_the_feature() {
        check("{{ $labels.instance | stripPort | toUpper }}", 0.0, "APP");
        check("{{ toLower \"ABC\" }}", 0.0, "abc");
        check("{{ match \"^app\" $labels.instance }}", 0.0, "true");
        check("{{ index $labels \"job\" }}", 0.0, "treecounter");
        check("{{ printf \"%.2f\" $value }}", 2.345678, "2.35");
        check("{{ $value | printf \"%.1e\" }}", 12345.0, "1.2e+04");
        check("{{ print 1 2 \"a\" 3 }}", 0.0, "1 2a3");
        check(
            "{{ reReplaceAll \":.*\" \"\" $labels.instance }}",
            0.0,
            "app",
        );
        check(
            "{{ printf \"%s has %d%%\" $labels.job 5 }}",
            0.0,
            "treecounter has 5%",
        );
        check("{{ toUpper \"straße\" }}", 0.0, "STRASSE");
        check("{{ printf \"%d\" $value }}", 2.5, "%!d(float64=2.5)");
    }

    #[cfg(not(feature = "template-functions"))]
    #[test]
    fn the_string_functions_need_the_feature() {
        check(
            "{{ $labels.job | toUpper }}",
            0.0,
            "ERROR template: __alert_Test:1: function \"toUpper\" is not supported by this engine (tinyprom's template-functions feature adds it)",
        );
    }

    #[test]
    fn refuses_what_it_cannot_expand() {
        check(
            "{{ $foo }}",
            0.0,
            "ERROR template: __alert_Test:1: undefined variable \"$foo\"",
        );
        check(
            "{{ nosuch $value }}",
            0.0,
            "ERROR template: __alert_Test:1: function \"nosuch\" not defined",
        );
        check(
            "{{ with query \"up\" }}{{ end }}",
            0.0,
            "ERROR template: __alert_Test:1: {{with}} is not supported by this engine (no control structures)",
        );
        check(
            "x\n{{ title $labels.job }}",
            0.0,
            "ERROR template: __alert_Test:2: function \"title\" is not supported by this engine",
        );
        check(
            "{{ $labels.job",
            0.0,
            "ERROR template: __alert_Test:1: unclosed action",
        );
        check(
            "{{ $labels.job | humanize }}",
            0.0,
            "ERROR template: __alert_Test:1: executing \"__alert_Test\": error calling humanize: strconv.ParseFloat: parsing \"treecounter\": invalid syntax",
        );
        check(
            "{{ $value.x }}",
            0.0,
            "ERROR template: __alert_Test:1: executing \"__alert_Test\": can't evaluate field x in type float64",
        );
        check(
            "{{ $value 1 }}",
            0.0,
            "ERROR template: __alert_Test:1: executing \"__alert_Test\": can't give argument to non-function",
        );
    }

    #[test]
    fn a_failed_expansion_reads_as_prometheus_writes_it() {
        let template = Template::parse("{{ $labels.job | humanize }}", "__alert_A").unwrap();
        let labels = Labels::new([("job", "x")]);
        let data = TemplateData {
            labels: &labels,
            value: 0.0,
            external_labels: &Labels::empty(),
            external_url: "",
        };
        assert!(template
            .expand_or_error(&data, "__alert_A")
            .starts_with("<error expanding template: error executing template __alert_A: template: __alert_A:1: executing"));
    }
}
