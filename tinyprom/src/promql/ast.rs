//! The syntax tree of a PromQL expression, as the parser builds it and the
//! evaluator walks it. Every node carries the byte span of the query text it
//! came from, so errors and the explain view can point at it.

use crate::labels::Matcher;
use crate::promql::catalog::{AggregateOp, Function};

/// A byte range `start..end` of the query text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// This span's slice of `text` (empty if it is not one): a node's own
    /// text in the query it was parsed from, which parses alone to the
    /// same node (`tests/parser.rs` checks every case).
    pub fn of(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or_default()
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// The four types a PromQL expression can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// A single number, e.g. `1` or `scalar(x)`.
    Scalar,
    /// One sample per series, e.g. `requests_total`.
    Vector,
    /// Samples over a time range per series, e.g. `requests_total[5m]`.
    Matrix,
    /// A string literal, e.g. `"endpoint"`.
    String,
}

impl ValueType {
    /// The name Prometheus uses in messages: `scalar`, `instant vector`,
    /// `range vector`, `string`.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
            ValueType::String => "string",
        }
    }

    /// The name the HTTP API gives results of this type (`resultType`).
    pub fn result_type(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
            ValueType::String => "string",
        }
    }
}

/// An expression and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Its text in the query.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal (`1`, `0x1f`, `1e3`, `Inf`, `NaN`); a leading `-`
    /// on a literal is folded into its value, as Prometheus's parser does.
    Number(f64),
    /// A string literal, escapes already resolved.
    String(String),
    /// An instant vector selector: `requests_total{status="200"}`.
    Selector(VectorSelector),
    /// A range vector selector: `requests_total[5m]`.
    Range(MatrixSelector),
    /// A subquery: `rate(x[5m])[30m:1m]`.
    Subquery(Subquery),
    /// A function call.
    Call(Call),
    /// An aggregation: `sum by (endpoint) (x)`.
    Aggregate(Aggregate),
    /// A binary operation.
    Binary(Binary),
    /// `-x` or `+x`.
    Unary(Unary),
    /// `(x)`.
    Paren(Box<Expr>),
}

/// The `@` modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// `@ 1700000000` (stored in milliseconds).
    Time(i64),
    /// `@ start()`: the start of the range query (the time of an instant one).
    Start,
    /// `@ end()`: the end of the range query (the time of an instant one).
    End,
}

/// `name{matchers} offset d @ t`.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSelector {
    /// The metric name written before the braces, if any; it is also the
    /// last of `matchers`, as `__name__=`. A quoted name inside the braces
    /// (`{"my.metric"}`) is only a `__name__` matcher, as in Prometheus
    /// (which checks and prints the two forms differently).
    pub name: Option<String>,
    /// Every matcher, the name's included.
    pub matchers: Vec<Matcher>,
    /// `offset`, in milliseconds (negative looks into the future).
    pub offset_ms: i64,
    /// `@`, if given.
    pub at: Option<At>,
}

/// `selector[range]`; offset and `@` sit on the selector.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixSelector {
    /// The selector the range applies to.
    pub selector: VectorSelector,
    /// The range, in milliseconds.
    pub range_ms: i64,
}

/// `expr[range:step] offset d @ t`.
#[derive(Clone, Debug, PartialEq)]
pub struct Subquery {
    /// The inner expression (an instant vector).
    pub expr: Box<Expr>,
    /// The range, in milliseconds.
    pub range_ms: i64,
    /// The resolution, in milliseconds; `None` uses the default
    /// evaluation interval.
    pub step_ms: Option<i64>,
    /// `offset`, in milliseconds.
    pub offset_ms: i64,
    /// `@`, if given.
    pub at: Option<At>,
}

/// `function(args...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Which function.
    pub func: Function,
    /// Its arguments, type-checked against the function's signature.
    pub args: Vec<Expr>,
}

/// `op by (labels) (param, expr)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// Which aggregation.
    pub op: AggregateOp,
    /// What is aggregated.
    pub expr: Box<Expr>,
    /// The parameter of `topk`, `bottomk`, `quantile` and `count_values`.
    pub param: Option<Box<Expr>>,
    /// The labels in `by (...)` or `without (...)`.
    pub grouping: Vec<String>,
    /// `without` rather than `by`.
    pub without: bool,
}

/// The binary operators, loosest-binding first in [`BinaryOp::precedence`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`, right-associative.
    Pow,
    /// `atan2`
    Atan2,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `and`
    And,
    /// `or`
    Or,
    /// `unless`
    Unless,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Gt => ">",
            BinaryOp::Lt => "<",
            BinaryOp::Ge => ">=",
            BinaryOp::Le => "<=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Unless => "unless",
        }
    }

    /// Binding strength: `or` 1, `and`/`unless` 2, comparisons 3, `+ -` 4,
    /// `* / % atan2` 5, `^` 6.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And | BinaryOp::Unless => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Gt
            | BinaryOp::Lt
            | BinaryOp::Ge
            | BinaryOp::Le => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Atan2 => 5,
            BinaryOp::Pow => 6,
        }
    }

    /// `==`, `!=`, `>`, `<`, `>=`, `<=`.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 3
    }

    /// `and`, `or`, `unless`.
    pub fn is_set_operator(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Unless)
    }
}

/// How the series of two vectors are paired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cardinality {
    /// Each series on either side matches at most one on the other.
    #[default]
    OneToOne,
    /// `group_left`: many on the left per one on the right.
    ManyToOne,
    /// `group_right`: one on the left per many on the right.
    OneToMany,
    /// The set operators `and`, `or`, `unless`.
    ManyToMany,
}

/// `on`/`ignoring` and `group_left`/`group_right` of a binary operation
/// between two vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VectorMatching {
    /// Pairing cardinality.
    pub card: Cardinality,
    /// `on (labels)` when true, `ignoring (labels)` when false.
    pub on: bool,
    /// The labels of `on` or `ignoring`.
    pub labels: Vec<String>,
    /// The labels of `group_left (...)` / `group_right (...)`, copied from
    /// the "one" side.
    pub include: Vec<String>,
}

/// `lhs op [bool] [matching] rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binary {
    /// The operator.
    pub op: BinaryOp,
    /// Left operand.
    pub lhs: Box<Expr>,
    /// Right operand.
    pub rhs: Box<Expr>,
    /// `bool` after a comparison: return 0/1 instead of filtering.
    pub return_bool: bool,
    /// How vector operands match (only meaningful when both are vectors).
    pub matching: VectorMatching,
}

/// The unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
}

/// `-x` or `+x`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unary {
    /// Which sign.
    pub op: UnaryOp,
    /// The operand.
    pub expr: Box<Expr>,
}

impl Expr {
    /// The type of the value this expression evaluates to.
    pub fn value_type(&self) -> ValueType {
        match &self.kind {
            ExprKind::Number(_) => ValueType::Scalar,
            ExprKind::String(_) => ValueType::String,
            ExprKind::Selector(_) | ExprKind::Aggregate(_) => ValueType::Vector,
            ExprKind::Range(_) | ExprKind::Subquery(_) => ValueType::Matrix,
            ExprKind::Call(call) => call.func.def().returns,
            ExprKind::Binary(binary) => {
                if binary.lhs.value_type() == ValueType::Scalar
                    && binary.rhs.value_type() == ValueType::Scalar
                {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                }
            }
            ExprKind::Unary(unary) => unary.expr.value_type(),
            ExprKind::Paren(inner) => inner.value_type(),
        }
    }

    /// The direct sub-expressions, in the order they are written.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Selector(_)
            | ExprKind::Range(_) => Vec::new(),
            ExprKind::Subquery(subquery) => vec![&subquery.expr],
            ExprKind::Call(call) => call.args.iter().collect(),
            ExprKind::Aggregate(aggregate) => match &aggregate.param {
                Some(param) => vec![param, &aggregate.expr],
                None => vec![&aggregate.expr],
            },
            ExprKind::Binary(binary) => vec![&binary.lhs, &binary.rhs],
            ExprKind::Unary(unary) => vec![&unary.expr],
            ExprKind::Paren(inner) => vec![inner],
        }
    }
}
