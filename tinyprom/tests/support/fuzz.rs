//! Random and mutated PromQL queries for fuzzing the parser, shared by
//! `tests/fuzz_parser.rs` (a short run in the test suite) and
//! `examples/fuzz_parse.rs` (a long run in release mode). No dependency: a
//! xorshift generator, seeded, so every run is reproducible.

use tinyprom::promql::ast::Expr;
use tinyprom::promql::parse;

/// Marsaglia's xorshift64*: small, fast, good enough to pick fragments.
#[derive(Debug)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Valid queries to mutate: every construct of the language.
pub const SEEDS: &[&str] = &[
    "sum by (job) (rate(http_requests_total{status=\"200\"}[5m]))",
    "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket[5m])))",
    "a + on (x) group_left (y) b",
    "foo offset 5m @ 100",
    "rate(x[5m:30s] offset -1m) / ignoring (a) group_right () y",
    "topk(3, count_values(\"v\", x)) or vector(1)",
    "-2 ^ -1 * 3 > bool x unless {__name__=~\"a.*\", b!~'c'}",
    "label_replace(up, \"dst\", \"$1\", `src`, \"(.*)\") and on () absent(nope)",
    "max_over_time(deriv(x[1h])[1d:1h] @ start()) atan2 scalar(y)",
    "{\"my.metric\", \"label.x\"=\"v\"} # comment\n+ 0x1F - Inf + .5e-3",
    "sum without (instance,) (irate(node_cpu_seconds_total{mode!=\"idle\"}[1m]))",
    "quantile_over_time(0.5, x[10m] offset 1h) % 2 == bool time()",
    "clamp(x, -1, +1) != last_over_time(x[5m:] @ end() offset 1h30m)",
    "sort_desc(sum(x) by (a)) <= bottomk by (b) (2, y)",
    "round(x, 0.5) + 1_000 - 010 * 1e3 / 5m",
];

/// Pieces of PromQL, valid and not, to build random queries from.
const FRAGMENTS: &[&str] = &[
    "sum",
    "avg",
    "count",
    "topk",
    "quantile",
    "count_values",
    "limitk",
    "rate",
    "histogram_quantile",
    "label_join",
    "vector",
    "time",
    "abs",
    "round",
    "absent",
    "info",
    "start",
    "end",
    "step",
    "range",
    "max_of",
    "(",
    ")",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "5m",
    "1h30m",
    "0s",
    "300",
    "1.5",
    "-1",
    "0x1F",
    "1e3",
    "1_0",
    "0x",
    "1e",
    "Inf",
    "NaN",
    ".5",
    "5.",
    "-",
    "+",
    "*",
    "/",
    "%",
    "^",
    "==",
    "!=",
    ">",
    "<",
    ">=",
    "<=",
    "</",
    ">/",
    "=~",
    "!~",
    "=",
    "!",
    "and",
    "or",
    "unless",
    "atan2",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "@",
    "start()",
    "end()",
    "fill",
    "fill_left",
    "anchored",
    "smoothed",
    "\"a\"",
    "'b'",
    "`c`",
    "\"\\x41\\u00e9\"",
    "\"\\q\"",
    "\"",
    "'",
    "`",
    "foo",
    "bar",
    "job",
    "le",
    "__name__",
    "a:b",
    "é",
    "\u{200b}",
    "\\",
    " ",
    " ",
    "\n",
    "#",
    "\t",
    ";",
    ".",
    "$",
    "?",
];

/// One fuzz input: half the time a random sequence of fragments, half the
/// time a valid query mutated a few times.
pub fn generate(rng: &mut XorShift) -> String {
    if rng.below(2) == 0 {
        let count = 1 + rng.below(16);
        let mut out = String::new();
        for _ in 0..count {
            out.push_str(rng.pick(FRAGMENTS));
            if rng.below(3) == 0 {
                out.push(' ');
            }
        }
        return out;
    }
    let mut chars: Vec<char> = rng.pick(SEEDS).chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(6) {
            0 | 1 => {
                let fragment: Vec<char> = rng.pick(FRAGMENTS).chars().collect();
                chars.splice(at..at, fragment);
            }
            2 => {
                let end = (at + 1 + rng.below(6)).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            3 => {
                let end = (at + 1 + rng.below(8)).min(chars.len());
                if at < end {
                    let copy: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, copy);
                }
            }
            4 => chars.truncate(at),
            _ => {
                if !chars.is_empty() {
                    let other = rng.below(chars.len());
                    let at = at.min(chars.len() - 1);
                    chars.swap(at, other);
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Parses `input` and checks what must hold for any input: no panic (the
/// caller notices), an error inside the input, and for a query that
/// parses, a printed form that parses again to the same text. Returns
/// whether it parsed.
/// Every node's span, parsed alone, prints as the node does (the explain
/// view shows each sub-expression as its slice of the query).
fn check_spans(input: &str, expr: &Expr) -> Result<(), String> {
    let text = input
        .get(expr.span.start..expr.span.end)
        .ok_or_else(|| format!("{input:?}: span {:?} outside the text", expr.span))?;
    let alone =
        parse(text).map_err(|e| format!("{input:?}: the node {text:?} fails alone: {e}"))?;
    if alone.to_string() != expr.to_string() {
        return Err(format!(
            "{input:?}: the node {text:?} prints as {:?} alone, {:?} in place",
            alone.to_string(),
            expr.to_string()
        ));
    }
    expr.children()
        .into_iter()
        .try_for_each(|child| check_spans(input, child))
}

pub fn check(input: &str) -> Result<bool, String> {
    match parse(input) {
        Ok(expr) => {
            let printed = expr.to_string();
            let again = parse(&printed)
                .map_err(|e| format!("{input:?} prints as {printed:?}, which fails: {e}"))?;
            let reprinted = again.to_string();
            if reprinted != printed {
                return Err(format!(
                    "{input:?} prints as {printed:?}, then as {reprinted:?}"
                ));
            }
            check_spans(input, &expr)?;
            Ok(true)
        }
        Err(error) => {
            if error.span.start > input.len() || error.line == 0 || error.column == 0 {
                return Err(format!("{input:?}: error outside the input: {error:?}"));
            }
            Ok(false)
        }
    }
}
