//! Tokens to a type-checked syntax tree, answering as Prometheus 3's parser
//! (`promql/parser/generated_parser.y`, `parse.go`) does with its default
//! feature flags: the same trees, the same precedence, and the same first
//! error, in Prometheus's words, at the byte offset Prometheus reports.
//!
//! The parser is a precedence-climbing (Pratt) parser. Prometheus's is a
//! yacc LALR parser whose syntax errors name the innermost construct that
//! has an `error` rule ("in grouping opts", "in label matching", "in
//! aggregation", "in offset", ...); [`Context`] tracks which one that is.
//! Prometheus reports the first error it records, and records errors of a
//! construct when the construct is complete; this parser stops at the first
//! error, checking each construct at the same moment.
//!
//! Type checking ([`check`]) follows Prometheus's `checkAST`, error for
//! error, and runs only on a tree that parsed without error.

use crate::labels::{MatchOp, Matcher, RegexError, METRIC_NAME};
use crate::promql::ast::{
    Aggregate, At, Binary, BinaryOp, Call, Cardinality, Expr, ExprKind, MatrixSelector, Span,
    Subquery, Unary, UnaryOp, ValueType, VectorMatching, VectorSelector,
};
use crate::promql::catalog::{AggregateOp, Function};
use crate::promql::duration::parse_duration;
use crate::promql::error::ParseError;
use crate::promql::lexer::{lex, Aggregator, LexError, Token, TokenKind};
use crate::promql::printer::go_quote;

/// How deeply expressions may nest (parentheses, operands, arguments),
/// so that no query can overflow the stack of the parser, the type checker,
/// the printer or the evaluator. Prometheus has no such limit; no query a
/// person writes comes near it.
pub const MAX_NESTING: u32 = 128;

/// Parses and type-checks a PromQL expression.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let lexed = lex(input);
    let mut parser = Parser {
        input,
        tokens: &lexed.tokens,
        lex_error: lexed.error.as_ref(),
        pos: 0,
        aggregations_open: 0,
        depth: 0,
    };
    let mut expr = parser.parse_query()?;
    check(input, &mut expr)?;
    Ok(expr)
}

/// The construct a syntax error is reported in, as Prometheus's grammar
/// names it: its `error` rules give the words after "unexpected X".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// Anywhere else: `unexpected X`.
    Expression,
    /// Inside an aggregation's parts (until its body is closed).
    Aggregation,
    /// After `by`, `without`, `on`, `ignoring`.
    GroupingOpen,
    /// Where a label of a grouping list belongs.
    GroupingLabel,
    /// After a label of a grouping list.
    GroupingNext,
    /// After `offset`.
    Offset,
    /// After `@`.
    At,
    /// The range after `[`.
    RangeStart,
    /// After the range of `[range`.
    RangeEnd,
    /// After the `:` of a subquery.
    SubqueryStep,
    /// After the step of a subquery.
    SubqueryEnd,
    /// Where a matcher (or `}`) belongs.
    MatcherStart,
    /// After a label name in braces.
    MatcherOperator,
    /// After a matcher's operator.
    MatcherValue,
    /// After a matcher.
    MatcherNext,
}

impl Context {
    /// The words after "unexpected X": where, and what was expected.
    fn suffix(self) -> &'static str {
        match self {
            Context::Expression => "",
            Context::Aggregation => " in aggregation",
            Context::GroupingOpen => " in grouping opts, expected \"(\"",
            Context::GroupingLabel => " in grouping opts, expected label",
            Context::GroupingNext => " in grouping opts, expected \",\" or \")\"",
            Context::Offset => " in offset, expected number, duration, step(), or range()",
            Context::At => " in @, expected timestamp",
            Context::RangeStart => {
                " in subquery or range selector, expected number, duration, step(), or range()"
            }
            Context::RangeEnd => " in subquery or range, expected \":\" or \"]\"",
            Context::SubqueryStep => {
                " in subquery selector, expected number, duration, step(), range(), or \"]\""
            }
            Context::SubqueryEnd => " in subquery selector, expected \"]\"",
            Context::MatcherStart => " in label matching, expected identifier or \"}\"",
            Context::MatcherOperator => " in label matching, expected label matching operator",
            Context::MatcherValue => " in label matching, expected string",
            Context::MatcherNext => " in label matching, expected \",\" or \"}\"",
        }
    }
}

type Parsed<T> = Result<T, ParseError>;

/// An expression and the height of its tree (1 for a leaf).
type Node = (Expr, u32);

/// Functions Prometheus 3 knows but keeps behind
/// `--enable-feature=promql-experimental-functions`, and this engine does
/// not implement: calling them gives Prometheus's "not enabled" error.
const DISABLED_FUNCTIONS: &[&str] = &[
    "end",
    "histogram_quantiles",
    "info",
    "max_of",
    "min_of",
    "range",
    "start",
    "start_timestamp",
    "step",
];

struct Parser<'a> {
    input: &'a str,
    tokens: &'a [Token],
    lex_error: Option<&'a LexError>,
    pos: usize,
    /// Aggregations whose body is being read: syntax errors there are
    /// "in aggregation".
    aggregations_open: u32,
    /// Current nesting of `parse_expr` calls.
    depth: u32,
}

impl<'a> Parser<'a> {
    // ---- Tokens ------------------------------------------------------

    fn token_at(&self, index: usize) -> Token {
        let last = self.tokens.len().saturating_sub(1);
        self.tokens.get(index.min(last)).copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            start: self.input.len(),
            end: self.input.len(),
        })
    }

    /// The next token; the lexer's error when the lexer stopped there, as
    /// Prometheus records it when it reads that token.
    fn peek(&self) -> Parsed<Token> {
        self.peek_nth(0)
    }

    fn peek_nth(&self, n: usize) -> Parsed<Token> {
        let token = self.token_at(self.pos + n);
        if token.kind == TokenKind::Error {
            return Err(self.lex_failure());
        }
        Ok(token)
    }

    fn peek_kind(&self) -> Parsed<TokenKind> {
        self.peek().map(|token| token.kind)
    }

    fn advance(&mut self) -> Token {
        let token = self.token_at(self.pos);
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    /// Consumes the next token if it is `kind`, else fails in `context`.
    fn expect(&mut self, kind: TokenKind, context: Context) -> Parsed<Token> {
        if self.peek_kind()? == kind {
            Ok(self.advance())
        } else {
            Err(self.unexpected(context))
        }
    }

    fn text(&self, token: Token) -> &'a str {
        token.text(self.input)
    }

    // ---- Errors ------------------------------------------------------

    #[cold]
    #[inline(never)]
    fn error(&self, span: Span, message: impl Into<String>) -> ParseError {
        ParseError::new(self.input, span, message)
    }

    #[cold]
    #[inline(never)]
    fn lex_failure(&self) -> ParseError {
        match self.lex_error {
            Some(error) => self.error(
                Span::new(error.start, self.input.len()),
                error.message.clone(),
            ),
            None => self.error(
                Span::new(self.input.len(), self.input.len()),
                "unexpected end of input",
            ),
        }
    }

    /// Prometheus's "unexpected X" for the next token, in `context`.
    #[cold]
    #[inline(never)]
    fn unexpected(&self, context: Context) -> ParseError {
        let token = self.token_at(self.pos);
        if token.kind == TokenKind::Error {
            return self.lex_failure();
        }
        let message = format!(
            "unexpected {}{}",
            token.describe(self.input),
            context.suffix()
        );
        self.error(Span::new(token.start, token.end), message)
    }

    /// The context of a syntax error between expressions.
    fn expression_context(&self) -> Context {
        if self.aggregations_open > 0 {
            Context::Aggregation
        } else {
            Context::Expression
        }
    }

    // ---- Expressions -------------------------------------------------

    fn parse_query(&mut self) -> Parsed<Expr> {
        if self.peek_kind()? == TokenKind::Eof {
            return Err(self.error(Span::new(0, 0), "no expression found in input"));
        }
        let (expr, _) = self.parse_expr(0)?;
        if self.peek_kind()? != TokenKind::Eof {
            return Err(self.unexpected(Context::Expression));
        }
        Ok(expr)
    }

    /// An expression whose binary operators bind at least as tightly as
    /// `min_precedence` (see [`BinaryOp::precedence`]; 0 takes all).
    ///
    /// The functions on the recursive path (this one, the operand and
    /// operator readers, parentheses, calls) keep their stack frames small,
    /// building error messages in separate functions, so that
    /// [`MAX_NESTING`] levels fit the stack of a test thread in a debug
    /// build.
    fn parse_expr(&mut self, min_precedence: u8) -> Parsed<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.too_deep(self.token_span()));
        }
        let result = self.parse_expr_inner(min_precedence);
        self.depth -= 1;
        result
    }

    fn parse_expr_inner(&mut self, min_precedence: u8) -> Parsed<Node> {
        let mut node = self.parse_unary_or_primary()?;
        loop {
            let kind = self.peek_kind()?;
            if let Some(op) = binary_op(kind) {
                if op.precedence() < min_precedence {
                    break;
                }
                self.advance();
                node = self.parse_binary_rest(node, op)?;
            } else if matches!(
                kind,
                TokenKind::LeftBracket
                    | TokenKind::Offset
                    | TokenKind::At
                    | TokenKind::Anchored
                    | TokenKind::Smoothed
                    | TokenKind::TrimUpper
                    | TokenKind::TrimLower
            ) {
                node = self.parse_postfix(node)?;
            } else {
                break;
            }
            if node.1 > MAX_NESTING {
                return Err(self.too_deep(node.0.span));
            }
        }
        Ok(node)
    }

    /// Range, subquery, offset and @ bind tighter than any operator: they
    /// apply to the operand just read.
    #[inline(never)]
    fn parse_postfix(&mut self, (lhs, height): Node) -> Parsed<Node> {
        let token = self.advance();
        match token.kind {
            TokenKind::LeftBracket => Ok((self.parse_brackets(lhs, token)?, height + 1)),
            TokenKind::Offset => {
                let (offset_ms, end) = self.parse_offset_value()?;
                Ok((self.apply_offset(lhs, offset_ms, end)?, height))
            }
            TokenKind::At => Ok((self.parse_at(lhs)?, height)),
            TokenKind::Anchored | TokenKind::Smoothed => {
                let which = self.text(token).to_ascii_lowercase();
                Err(self.error(lhs.span, format!("{which} modifier is experimental and not enabled")))
            }
            _ => Err(self.error(
                Span::new(token.start, token.end),
                format!(
                    "the trim operator {} applies to native histograms only, which this engine does not support",
                    go_quote(self.text(token))
                ),
            )),
        }
    }

    /// The modifiers and right operand of `lhs op ...`, the operator read.
    fn parse_binary_rest(&mut self, (lhs, height): Node, op: BinaryOp) -> Parsed<Node> {
        let (return_bool, mut matching, fill) = self.parse_binary_modifiers()?;
        // `^` is right-associative, every other operator left.
        let precedence = op.precedence();
        let next_min = if op == BinaryOp::Pow {
            precedence
        } else {
            precedence + 1
        };
        let (rhs, rhs_height) = self.parse_expr(next_min)?;
        let span = lhs.span.to(rhs.span);
        if fill {
            return Err(self.fill_not_enabled(span));
        }
        if op.is_set_operator() && matching.card == Cardinality::OneToOne {
            matching.card = Cardinality::ManyToMany;
        }
        let kind = ExprKind::Binary(Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            return_bool,
            matching,
        });
        Ok((Expr { kind, span }, height.max(rhs_height) + 1))
    }

    #[cold]
    #[inline(never)]
    fn fill_not_enabled(&self, span: Span) -> ParseError {
        self.error(
            span,
            "binop fill modifiers are experimental and not enabled",
        )
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self, span: Span) -> ParseError {
        self.error(
            span,
            format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
        )
    }

    fn token_span(&self) -> Span {
        let token = self.token_at(self.pos);
        Span::new(token.start, token.end)
    }

    /// `bool`, `on (...)`/`ignoring (...)`, `group_left (...)`/
    /// `group_right (...)` and the experimental `fill (...)` after a binary
    /// operator; the last value says whether a fill modifier was given.
    #[inline(never)]
    fn parse_binary_modifiers(&mut self) -> Parsed<(bool, VectorMatching, bool)> {
        let mut matching = VectorMatching::default();
        let return_bool = self.peek_kind()? == TokenKind::Bool;
        if return_bool {
            self.advance();
        }
        let kind = self.peek_kind()?;
        if matches!(kind, TokenKind::On | TokenKind::Ignoring) {
            self.advance();
            matching.on = kind == TokenKind::On;
            matching.labels = self.parse_grouping()?;
            let kind = self.peek_kind()?;
            if matches!(kind, TokenKind::GroupLeft | TokenKind::GroupRight) {
                self.advance();
                matching.card = if kind == TokenKind::GroupLeft {
                    Cardinality::ManyToOne
                } else {
                    Cardinality::OneToMany
                };
                if self.peek_kind()? == TokenKind::LeftParen {
                    matching.include = self.parse_grouping()?;
                }
            }
        }
        let mut fill = false;
        match self.peek_kind()? {
            TokenKind::Fill => {
                self.advance();
                self.parse_fill_value()?;
                fill = true;
            }
            first @ (TokenKind::FillLeft | TokenKind::FillRight) => {
                self.advance();
                self.parse_fill_value()?;
                fill = true;
                let other = if first == TokenKind::FillLeft {
                    TokenKind::FillRight
                } else {
                    TokenKind::FillLeft
                };
                if self.peek_kind()? == other {
                    self.advance();
                    self.parse_fill_value()?;
                }
            }
            _ => {}
        }
        Ok((return_bool, matching, fill))
    }

    /// `( [+|-] number )` after a fill modifier.
    fn parse_fill_value(&mut self) -> Parsed<()> {
        let context = self.expression_context();
        self.expect(TokenKind::LeftParen, context)?;
        if matches!(self.peek_kind()?, TokenKind::Add | TokenKind::Sub) {
            self.advance();
        }
        let token = self.peek()?;
        if !matches!(token.kind, TokenKind::Number | TokenKind::Duration) {
            return Err(self.unexpected(context));
        }
        self.advance();
        self.literal_seconds(token)?;
        self.expect(TokenKind::RightParen, context)?;
        Ok(())
    }

    fn parse_unary_or_primary(&mut self) -> Parsed<Node> {
        match self.peek_kind()? {
            TokenKind::Add | TokenKind::Sub => self.parse_unary(),
            _ => self.parse_primary(),
        }
    }

    /// `-x` or `+x`: as Prometheus's `unary_expr` (precedence of `*`),
    /// only `^` and the postfix modifiers bind tighter. A sign on a number
    /// literal becomes part of the literal.
    fn parse_unary(&mut self) -> Parsed<Node> {
        let sign = self.advance();
        let (operand, height) = self.parse_expr(BinaryOp::Pow.precedence())?;
        let span = Span::new(sign.start, operand.span.end);
        let negative = sign.kind == TokenKind::Sub;
        if let ExprKind::Number(value) = operand.kind {
            let value = if negative { -value } else { value };
            return Ok((
                Expr {
                    kind: ExprKind::Number(value),
                    span,
                },
                height,
            ));
        }
        let op = if negative {
            UnaryOp::Neg
        } else {
            UnaryOp::Plus
        };
        let kind = ExprKind::Unary(Unary {
            op,
            expr: Box::new(operand),
        });
        Ok((Expr { kind, span }, height + 1))
    }

    fn parse_primary(&mut self) -> Parsed<Node> {
        let token = self.peek()?;
        match token.kind {
            TokenKind::LeftParen => self.parse_paren(),
            TokenKind::Number | TokenKind::Duration | TokenKind::String => self.parse_literal(),
            TokenKind::LeftBrace => self.parse_selector(None),
            TokenKind::Identifier
            | TokenKind::Start
            | TokenKind::End
            | TokenKind::Step
            | TokenKind::Range
            | TokenKind::MaxOf
            | TokenKind::MinOf => {
                if self.peek_nth(1)?.kind == TokenKind::LeftParen {
                    self.parse_call()
                } else {
                    self.parse_selector(Some(token))
                }
            }
            TokenKind::Aggregator(aggregator) => {
                let next = self.peek_nth(1)?.kind;
                if matches!(
                    next,
                    TokenKind::LeftParen | TokenKind::By | TokenKind::Without
                ) {
                    self.parse_aggregation(aggregator)
                } else {
                    self.parse_selector(Some(token))
                }
            }
            // Keywords Prometheus also accepts as metric names.
            TokenKind::MetricIdentifier
            | TokenKind::And
            | TokenKind::Or
            | TokenKind::Unless
            | TokenKind::By
            | TokenKind::Without
            | TokenKind::Offset
            | TokenKind::Anchored
            | TokenKind::Smoothed
            | TokenKind::Fill
            | TokenKind::FillLeft
            | TokenKind::FillRight => self.parse_selector(Some(token)),
            _ => Err(self.unexpected(self.expression_context())),
        }
    }

    fn parse_paren(&mut self) -> Parsed<Node> {
        let open = self.advance();
        let (inner, height) = self.parse_expr(0)?;
        let close = self.expect(TokenKind::RightParen, self.expression_context())?;
        let span = Span::new(open.start, close.end);
        Ok((
            Expr {
                kind: ExprKind::Paren(Box::new(inner)),
                span,
            },
            height + 1,
        ))
    }

    /// A number, duration or string literal.
    #[inline(never)]
    fn parse_literal(&mut self) -> Parsed<Node> {
        let token = self.advance();
        let kind = if token.kind == TokenKind::String {
            ExprKind::String(unquote(self.text(token)))
        } else {
            ExprKind::Number(self.literal_seconds(token)?)
        };
        Ok((
            Expr {
                kind,
                span: Span::new(token.start, token.end),
            },
            1,
        ))
    }

    /// The value in seconds of a number or duration token, as Prometheus's
    /// `number_duration_literal` computes it.
    fn literal_seconds(&self, token: Token) -> Parsed<f64> {
        let text = self.text(token);
        let span = Span::new(token.start, token.end);
        if token.kind == TokenKind::Duration {
            let ms = parse_duration(text).map_err(|message| self.error(span, message))?;
            Ok(go_seconds(ms))
        } else {
            parse_number(text)
                .map_err(|message| self.error(span, format!("error parsing number: {message}")))
        }
    }

    // ---- Selectors ---------------------------------------------------

    /// `name`, `name{matchers}` or `{matchers}`; `name` is the token of
    /// the metric name written before the braces.
    #[inline(never)]
    fn parse_selector(&mut self, name: Option<Token>) -> Parsed<Node> {
        let mut span = match name {
            Some(token) => {
                self.advance();
                Span::new(token.start, token.end)
            }
            None => {
                let token = self.peek()?;
                Span::new(token.start, token.end)
            }
        };
        let mut matchers = Vec::new();
        if self.peek_kind()? == TokenKind::LeftBrace {
            self.advance();
            let close = self.parse_matchers(&mut matchers)?;
            span.end = close;
        }
        let name = name.map(|token| self.text(token).to_owned());
        if let Some(name) = &name {
            matchers.push(Matcher::equal(METRIC_NAME, name.as_str()));
        }
        let selector = VectorSelector {
            name,
            matchers,
            offset_ms: 0,
            at: None,
        };
        Ok((
            Expr {
                kind: ExprKind::Selector(selector),
                span,
            },
            1,
        ))
    }

    /// The matchers after `{`, up to and including `}`; returns the end of
    /// the `}`.
    fn parse_matchers(&mut self, matchers: &mut Vec<Matcher>) -> Parsed<usize> {
        loop {
            let label = self.peek()?;
            match label.kind {
                TokenKind::RightBrace => return Ok(self.advance().end),
                TokenKind::Identifier | TokenKind::String => {
                    self.advance();
                }
                _ => return Err(self.unexpected(Context::MatcherStart)),
            }
            let name = if label.kind == TokenKind::String {
                unquote(self.text(label))
            } else {
                self.text(label).to_owned()
            };
            let op = match self.peek_kind()? {
                TokenKind::Eql => Some(MatchOp::Equal),
                TokenKind::Neq => Some(MatchOp::NotEqual),
                TokenKind::EqlRegex => Some(MatchOp::Regex),
                TokenKind::NeqRegex => Some(MatchOp::NotRegex),
                _ => None,
            };
            match op {
                Some(op) => {
                    self.advance();
                    let value = self.peek()?;
                    if value.kind != TokenKind::String {
                        return Err(self.unexpected(Context::MatcherValue));
                    }
                    self.advance();
                    let matcher =
                        Matcher::new(op, name, unquote(self.text(value))).map_err(|error| {
                            self.error(Span::new(label.start, value.end), regex_message(&error))
                        })?;
                    matchers.push(matcher);
                }
                // `{"metric.name"}`: a quoted metric name on its own.
                None if label.kind == TokenKind::String => {
                    matchers.push(Matcher::equal(METRIC_NAME, name))
                }
                None => return Err(self.unexpected(Context::MatcherOperator)),
            }
            match self.peek_kind()? {
                TokenKind::Comma => {
                    self.advance();
                }
                TokenKind::RightBrace => return Ok(self.advance().end),
                _ => return Err(self.unexpected(Context::MatcherNext)),
            }
        }
    }

    // ---- Calls and aggregations ------------------------------------

    /// `name(args...)`.
    fn parse_call(&mut self) -> Parsed<Node> {
        let name_token = self.advance();
        let (args, height, end) = self.parse_call_body()?;
        let Some(func) = Function::from_name(self.text(name_token)) else {
            return Err(self.unknown_function(name_token));
        };
        let span = Span::new(name_token.start, end);
        Ok((
            Expr {
                kind: ExprKind::Call(Call { func, args }),
                span,
            },
            height + 1,
        ))
    }

    #[cold]
    #[inline(never)]
    fn unknown_function(&self, name_token: Token) -> ParseError {
        let name = self.text(name_token);
        let message = if DISABLED_FUNCTIONS.contains(&name) {
            format!("function {} is not enabled", go_quote(name))
        } else {
            format!("unknown function with name {}", go_quote(name))
        };
        self.error(Span::new(name_token.start, name_token.end), message)
    }

    /// `(arg, arg, ...)` or `()`: the arguments, the tallest one's height
    /// and the end of the `)`.
    fn parse_call_body(&mut self) -> Parsed<(Vec<Expr>, u32, usize)> {
        self.expect(TokenKind::LeftParen, self.expression_context())?;
        let mut args = Vec::new();
        let mut height = 0;
        if self.peek_kind()? == TokenKind::RightParen {
            return Ok((args, height, self.advance().end));
        }
        loop {
            let (arg, arg_height) = self.parse_expr(0)?;
            args.push(arg);
            height = height.max(arg_height);
            let token = self.peek()?;
            match token.kind {
                TokenKind::RightParen => return Ok((args, height, self.advance().end)),
                TokenKind::Comma => {
                    self.advance();
                    if self.peek_kind()? == TokenKind::RightParen {
                        return Err(self.error(
                            Span::new(token.start, token.end),
                            "trailing commas not allowed in function call args",
                        ));
                    }
                }
                _ => return Err(self.unexpected(self.expression_context())),
            }
        }
    }

    /// `op (args)`, `op by (labels) (args)`, `op (args) without (labels)`.
    fn parse_aggregation(&mut self, aggregator: Aggregator) -> Parsed<Node> {
        let op_token = self.advance();
        self.aggregations_open += 1;
        let mut grouping = Vec::new();
        let mut without = false;
        let modifier_first = matches!(self.peek_kind()?, TokenKind::By | TokenKind::Without);
        if modifier_first {
            without = self.advance().kind == TokenKind::Without;
            grouping = self.parse_grouping()?;
        }
        let (args, height, mut end) = self.parse_call_body()?;
        self.aggregations_open -= 1;
        if !modifier_first && matches!(self.peek_kind()?, TokenKind::By | TokenKind::Without) {
            without = self.advance().kind == TokenKind::Without;
            grouping = self.parse_grouping()?;
            end = self.token_at(self.pos.saturating_sub(1)).end;
        }
        let span = Span::new(op_token.start, end);
        self.build_aggregate(aggregator, span, args, grouping, without)
            .map(|expr| (expr, height + 1))
    }

    /// Checks an aggregation's arguments as Prometheus's `newAggregateExpr`.
    #[inline(never)]
    fn build_aggregate(
        &self,
        aggregator: Aggregator,
        span: Span,
        args: Vec<Expr>,
        grouping: Vec<String>,
        without: bool,
    ) -> Parsed<Expr> {
        if args.is_empty() {
            return Err(self.error(span, "no arguments for aggregate expression provided"));
        }
        let op = match aggregator {
            Aggregator::Avg => AggregateOp::Avg,
            Aggregator::Bottomk => AggregateOp::Bottomk,
            Aggregator::Count => AggregateOp::Count,
            Aggregator::CountValues => AggregateOp::CountValues,
            Aggregator::Group => AggregateOp::Group,
            Aggregator::Max => AggregateOp::Max,
            Aggregator::Min => AggregateOp::Min,
            Aggregator::Quantile => AggregateOp::Quantile,
            Aggregator::Stddev => AggregateOp::Stddev,
            Aggregator::Stdvar => AggregateOp::Stdvar,
            Aggregator::Sum => AggregateOp::Sum,
            Aggregator::Topk => AggregateOp::Topk,
            Aggregator::Limitk | Aggregator::LimitRatio => {
                let name = if aggregator == Aggregator::Limitk {
                    "limitk"
                } else {
                    "limit_ratio"
                };
                return Err(self.error(
                    span,
                    format!(
                        "{name}() is experimental and must be enabled with --enable-feature=promql-experimental-functions"
                    ),
                ));
            }
        };
        let wanted = if op.def().param.is_some() { 2 } else { 1 };
        if args.len() != wanted {
            return Err(self.error(
                span,
                format!(
                    "wrong number of arguments for aggregate expression provided, expected {wanted}, got {}",
                    args.len()
                ),
            ));
        }
        let mut args = args.into_iter();
        let param = if wanted == 2 {
            args.next().map(Box::new)
        } else {
            None
        };
        let Some(expr) = args.next() else {
            return Err(self.error(span, "no arguments for aggregate expression provided"));
        };
        Ok(Expr {
            kind: ExprKind::Aggregate(Aggregate {
                op,
                expr: Box::new(expr),
                param,
                grouping,
                without,
            }),
            span,
        })
    }

    /// `(label, label, ...)` after `by`, `without`, `on`, `ignoring`,
    /// `group_left`, `group_right`; a trailing comma is allowed.
    fn parse_grouping(&mut self) -> Parsed<Vec<String>> {
        self.expect(TokenKind::LeftParen, Context::GroupingOpen)?;
        let mut labels = Vec::new();
        if self.peek_kind()? == TokenKind::RightParen {
            self.advance();
            return Ok(labels);
        }
        loop {
            let token = self.peek()?;
            let label = match token.kind {
                TokenKind::String => {
                    let label = unquote(self.text(token));
                    if label.is_empty() {
                        return Err(self.error(
                            Span::new(token.start, token.end),
                            "invalid label name for grouping: \"\"",
                        ));
                    }
                    label
                }
                kind if is_label_keyword(kind) => self.text(token).to_owned(),
                _ => return Err(self.unexpected(Context::GroupingLabel)),
            };
            self.advance();
            labels.push(label);
            match self.peek_kind()? {
                TokenKind::RightParen => {
                    self.advance();
                    return Ok(labels);
                }
                TokenKind::Comma => {
                    self.advance();
                    if self.peek_kind()? == TokenKind::RightParen {
                        self.advance();
                        return Ok(labels);
                    }
                }
                _ => return Err(self.unexpected(Context::GroupingNext)),
            }
        }
    }

    // ---- Ranges, subqueries, offset, @ -------------------------------

    /// `[range]` or `[range:step]` / `[range:]` after `lhs`.
    #[inline(never)]
    fn parse_brackets(&mut self, lhs: Expr, open: Token) -> Parsed<Expr> {
        let range_ms = self.parse_positive_duration(Context::RangeStart)?;
        let token = self.peek()?;
        match token.kind {
            TokenKind::RightBracket => {
                self.advance();
                let brackets = Span::new(open.start, token.end);
                let message = match &lhs.kind {
                    ExprKind::Selector(selector) if selector.offset_ms != 0 => {
                        Some("no offset modifiers allowed before range")
                    }
                    ExprKind::Selector(selector) if selector.at.is_some() => {
                        Some("no @ modifiers allowed before range")
                    }
                    ExprKind::Selector(_) => None,
                    _ => Some("ranges only allowed for vector selectors"),
                };
                if let Some(message) = message {
                    return Err(self.error(brackets, message));
                }
                let span = Span::new(lhs.span.start, token.end);
                let ExprKind::Selector(selector) = lhs.kind else {
                    return Err(self.error(brackets, "ranges only allowed for vector selectors"));
                };
                Ok(Expr {
                    kind: ExprKind::Range(MatrixSelector { selector, range_ms }),
                    span,
                })
            }
            TokenKind::Colon => {
                self.advance();
                let step_ms = if self.peek_kind()? == TokenKind::RightBracket {
                    None
                } else {
                    Some(self.parse_positive_duration(Context::SubqueryStep)?)
                };
                let close = self.expect(TokenKind::RightBracket, Context::SubqueryEnd)?;
                let span = Span::new(lhs.span.start, close.end);
                Ok(Expr {
                    kind: ExprKind::Subquery(Subquery {
                        expr: Box::new(lhs),
                        range_ms,
                        step_ms,
                        offset_ms: 0,
                        at: None,
                    }),
                    span,
                })
            }
            _ => Err(self.unexpected(Context::RangeEnd)),
        }
    }

    /// A range or step: a duration (or number of seconds) greater than 0,
    /// in milliseconds.
    fn parse_positive_duration(&mut self, context: Context) -> Parsed<i64> {
        let (seconds, span) = self.parse_duration_expr(0, context)?;
        // `!(x > 0)` also refuses NaN, which Prometheus lets through.
        if seconds <= 0.0 || seconds.is_nan() {
            return Err(self.error(span, "duration must be greater than 0"));
        }
        Ok(seconds_to_ms(seconds))
    }

    /// Prometheus's `duration_expr`: a literal, possibly signed. The
    /// arithmetic, `step()`, `range()`, `min_of`, `max_of` and parentheses
    /// of Prometheus's experimental duration expressions are read, and
    /// refused with Prometheus's error for them, at the place Prometheus
    /// reports it.
    fn parse_duration_expr(&mut self, min_precedence: u8, context: Context) -> Parsed<(f64, Span)> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.too_deep(self.token_span()));
        }
        let result = self.parse_duration_expr_inner(min_precedence, context);
        self.depth -= 1;
        result
    }

    fn parse_duration_expr_inner(
        &mut self,
        min_precedence: u8,
        context: Context,
    ) -> Parsed<(f64, Span)> {
        let lhs = self.parse_duration_operand(context)?;
        let (precedence, right_assoc) = match self.peek_kind()? {
            TokenKind::Add | TokenKind::Sub => (4, false),
            TokenKind::Mul | TokenKind::Div | TokenKind::Mod => (5, false),
            TokenKind::Pow => (6, true),
            _ => return Ok(lhs),
        };
        if precedence < min_precedence {
            return Ok(lhs);
        }
        self.advance();
        // Prometheus reduces the right operand first, then reports the
        // operation at its left operand.
        self.parse_duration_expr(
            if right_assoc {
                precedence
            } else {
                precedence + 1
            },
            context,
        )?;
        Err(experimental_duration(self, lhs.1))
    }

    fn parse_duration_operand(&mut self, context: Context) -> Parsed<(f64, Span)> {
        let token = self.peek()?;
        let span = Span::new(token.start, token.end);
        match token.kind {
            TokenKind::Number | TokenKind::Duration => {
                self.advance();
                let seconds = self.literal_seconds(token)?;
                if duration_out_of_range(seconds) {
                    return Err(self.error(span, "duration out of range"));
                }
                Ok((seconds, span))
            }
            TokenKind::Add | TokenKind::Sub => {
                self.advance();
                let (seconds, inner) =
                    self.parse_duration_expr(BinaryOp::Pow.precedence(), context)?;
                let seconds = if token.kind == TokenKind::Sub {
                    -seconds
                } else {
                    seconds
                };
                if duration_out_of_range(seconds) {
                    return Err(self.error(span, "duration out of range"));
                }
                Ok((seconds, Span::new(token.start, inner.end)))
            }
            TokenKind::Step | TokenKind::Range | TokenKind::MaxOf | TokenKind::MinOf => {
                let end = self.parse_duration_call(context)?;
                Err(experimental_duration(self, Span::new(token.start, end)))
            }
            TokenKind::LeftParen => {
                self.advance();
                let (_, inner) = self.parse_duration_expr(0, context)?;
                self.expect(TokenKind::RightParen, context)?;
                Err(experimental_duration(self, inner))
            }
            _ => Err(self.unexpected(context)),
        }
    }

    /// `step()`, `range()`, `max_of(d, d)` or `min_of(d, d)`; returns
    /// where it ends.
    fn parse_duration_call(&mut self, context: Context) -> Parsed<usize> {
        let keyword = self.advance();
        self.expect(TokenKind::LeftParen, context)?;
        if matches!(keyword.kind, TokenKind::MaxOf | TokenKind::MinOf) {
            self.parse_duration_expr(0, context)?;
            self.expect(TokenKind::Comma, context)?;
            self.parse_duration_expr(0, context)?;
        }
        Ok(self.expect(TokenKind::RightParen, context)?.end)
    }

    /// The value after `offset`, in milliseconds, and where it ends.
    fn parse_offset_value(&mut self) -> Parsed<(i64, usize)> {
        let token = self.peek()?;
        let span = Span::new(token.start, token.end);
        match token.kind {
            TokenKind::Number | TokenKind::Duration => {
                self.advance();
                let seconds = self.literal_seconds(token)?;
                if duration_out_of_range(seconds) {
                    return Err(self.error(span, "duration out of range"));
                }
                Ok((seconds_to_ms(seconds), token.end))
            }
            TokenKind::Add | TokenKind::Sub => {
                self.advance();
                let value = self.peek()?;
                let (seconds, end) = match value.kind {
                    TokenKind::Number | TokenKind::Duration => {
                        self.advance();
                        (self.literal_seconds(value)?, value.end)
                    }
                    // `offset -(5m)`: Prometheus accepts one signed pair of
                    // parentheses around a literal without the feature flag.
                    TokenKind::LeftParen => {
                        self.advance();
                        let (seconds, _) = self.parse_duration_expr(0, Context::Offset)?;
                        let close = self.expect(TokenKind::RightParen, Context::Offset)?;
                        (seconds, close.end)
                    }
                    TokenKind::Step | TokenKind::Range | TokenKind::MaxOf | TokenKind::MinOf => {
                        self.parse_duration_call(Context::Offset)?;
                        return Err(experimental_duration(self, span));
                    }
                    _ => return Err(self.unexpected(Context::Offset)),
                };
                let seconds = if token.kind == TokenKind::Sub {
                    -seconds
                } else {
                    seconds
                };
                if duration_out_of_range(seconds) {
                    return Err(self.error(span, "duration out of range"));
                }
                Ok((seconds_to_ms(seconds), end))
            }
            // Each of these is an experimental duration expression: reading
            // it gives the error.
            TokenKind::Step
            | TokenKind::Range
            | TokenKind::MaxOf
            | TokenKind::MinOf
            | TokenKind::LeftParen => self
                .parse_duration_operand(Context::Offset)
                .map(|_| (0, token.end)),
            _ => Err(self.unexpected(Context::Offset)),
        }
    }

    fn apply_offset(&self, mut expr: Expr, offset_ms: i64, end: usize) -> Parsed<Expr> {
        let current = match &mut expr.kind {
            ExprKind::Selector(selector) => &mut selector.offset_ms,
            ExprKind::Range(matrix) => &mut matrix.selector.offset_ms,
            ExprKind::Subquery(subquery) => &mut subquery.offset_ms,
            _ => {
                return Err(self.error(
                    expr.span,
                    "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                ));
            }
        };
        if *current != 0 {
            return Err(self.error(expr.span, "offset may not be set multiple times"));
        }
        *current = offset_ms;
        expr.span.end = end;
        Ok(expr)
    }

    /// The value after `@`, applied to `expr`.
    fn parse_at(&mut self, mut expr: Expr) -> Parsed<Expr> {
        let token = self.peek()?;
        let (at, end) = match token.kind {
            TokenKind::Start | TokenKind::End => {
                self.advance();
                self.expect(TokenKind::LeftParen, Context::At)?;
                let close = self.expect(TokenKind::RightParen, Context::At)?;
                let at = if token.kind == TokenKind::Start {
                    At::Start
                } else {
                    At::End
                };
                (at, close.end)
            }
            TokenKind::Number | TokenKind::Duration | TokenKind::Add | TokenKind::Sub => {
                self.advance();
                let (negative, number) = if matches!(token.kind, TokenKind::Add | TokenKind::Sub) {
                    let number = self.peek()?;
                    if !matches!(number.kind, TokenKind::Number | TokenKind::Duration) {
                        return Err(self.unexpected(Context::At));
                    }
                    self.advance();
                    (token.kind == TokenKind::Sub, number)
                } else {
                    (false, token)
                };
                let seconds = self.literal_seconds(number)?;
                let seconds = if negative { -seconds } else { seconds };
                if !seconds.is_finite() || seconds >= i64::MAX as f64 || seconds <= i64::MIN as f64
                {
                    return Err(self.error(
                        expr.span,
                        format!(
                            "timestamp out of bounds for @ modifier: {}",
                            crate::promql::value::format_go_percent_f(seconds)
                        ),
                    ));
                }
                (At::Time((seconds * 1000.0).round() as i64), number.end)
            }
            _ => return Err(self.unexpected(Context::At)),
        };
        let current = match &mut expr.kind {
            ExprKind::Selector(selector) => &mut selector.at,
            ExprKind::Range(matrix) => &mut matrix.selector.at,
            ExprKind::Subquery(subquery) => &mut subquery.at,
            _ => {
                return Err(self.error(
                    expr.span,
                    "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                ));
            }
        };
        if current.is_some() {
            return Err(self.error(expr.span, "@ <timestamp> may not be set multiple times"));
        }
        *current = Some(at);
        expr.span.end = end;
        Ok(expr)
    }
}

/// A regular expression error in the shape of Go's (`error parsing regexp:
/// missing closing ): `(``), with Go's words for the commonest mistakes
/// and the regex engine's for the rest.
fn regex_message(error: &RegexError) -> String {
    let what = match error.message.as_str() {
        "found open group without closing ')'" => "missing closing )",
        "found closing ')' without matching '('" => "unexpected )",
        "found unclosed character class" => "missing closing ]",
        other => other,
    };
    format!("error parsing regexp: {what}: `{}`", error.pattern)
}

fn experimental_duration(parser: &Parser<'_>, span: Span) -> ParseError {
    parser.error(span, "experimental duration expression is not enabled")
}

fn binary_op(kind: TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Add => BinaryOp::Add,
        TokenKind::Sub => BinaryOp::Sub,
        TokenKind::Mul => BinaryOp::Mul,
        TokenKind::Div => BinaryOp::Div,
        TokenKind::Mod => BinaryOp::Mod,
        TokenKind::Pow => BinaryOp::Pow,
        TokenKind::Atan2 => BinaryOp::Atan2,
        TokenKind::EqlC => BinaryOp::Eq,
        TokenKind::Neq => BinaryOp::Ne,
        TokenKind::Gtr => BinaryOp::Gt,
        TokenKind::Lss => BinaryOp::Lt,
        TokenKind::Gte => BinaryOp::Ge,
        TokenKind::Lte => BinaryOp::Le,
        TokenKind::And => BinaryOp::And,
        TokenKind::Or => BinaryOp::Or,
        TokenKind::Unless => BinaryOp::Unless,
        _ => return None,
    })
}

/// Tokens Prometheus accepts as a label name in a grouping list (its
/// `maybe_label`): names, and every keyword but `without`.
fn is_label_keyword(kind: TokenKind) -> bool {
    !matches!(
        kind,
        TokenKind::Without
            | TokenKind::Eof
            | TokenKind::Error
            | TokenKind::Number
            | TokenKind::Duration
            | TokenKind::String
            | TokenKind::Comma
            | TokenKind::LeftParen
            | TokenKind::RightParen
            | TokenKind::LeftBrace
            | TokenKind::RightBrace
            | TokenKind::LeftBracket
            | TokenKind::RightBracket
            | TokenKind::Colon
            | TokenKind::Eql
            | TokenKind::Add
            | TokenKind::Sub
            | TokenKind::Mul
            | TokenKind::Div
            | TokenKind::Mod
            | TokenKind::Pow
            | TokenKind::EqlC
            | TokenKind::Neq
            | TokenKind::Lte
            | TokenKind::Lss
            | TokenKind::Gte
            | TokenKind::Gtr
            | TokenKind::TrimUpper
            | TokenKind::TrimLower
            | TokenKind::EqlRegex
            | TokenKind::NeqRegex
            | TokenKind::At
    )
}

// ---- Literals ----------------------------------------------------------

/// Go's `time.Duration.Seconds()` of a duration in milliseconds.
fn go_seconds(ms: i64) -> f64 {
    let nanos = ms.saturating_mul(1_000_000);
    (nanos / 1_000_000_000) as f64 + (nanos % 1_000_000_000) as f64 / 1e9
}

/// Seconds to milliseconds as Prometheus does: rounded to nanoseconds,
/// then truncated to milliseconds.
fn seconds_to_ms(seconds: f64) -> i64 {
    ((seconds * 1e9).round() as i64) / 1_000_000
}

/// Whether `seconds` overflows Go's nanosecond `time.Duration`; NaN too.
fn duration_out_of_range(seconds: f64) -> bool {
    let limit = 9_223_372_036_854_775_808.0 / 1e9;
    !(-limit..=limit).contains(&seconds)
}

/// A number literal's value, as Prometheus computes it: Go's
/// `strconv.ParseInt(text, 0, 64)` (so `0x1f` is hexadecimal and `010`
/// octal), and when that fails `strconv.ParseFloat(text, 64)`. The error is
/// Go's `ParseFloat` error.
pub fn parse_number(text: &str) -> Result<f64, String> {
    if let Some(value) = go_parse_int_base0(text) {
        return Ok(value as f64);
    }
    let fail = |reason: &str| format!("strconv.ParseFloat: parsing {}: {reason}", go_quote(text));
    match text.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Ok(f64::INFINITY),
        "-inf" | "-infinity" => return Ok(f64::NEG_INFINITY),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    let decimal = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'));
    if !decimal || (text.contains('_') && !go_underscores_ok(text)) {
        return Err(fail("invalid syntax"));
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    match crate::number::parse_float(&cleaned) {
        Some(value) if value.is_infinite() => Err(fail("value out of range")),
        Some(value) => Ok(value),
        None => Err(fail("invalid syntax")),
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)`, `None` on any error.
fn go_parse_int_base0(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let (radix, digits) = match bytes {
        [b'0', b'x' | b'X', _, ..] => (16, text.get(2..)?),
        [b'0', b'o' | b'O', _, ..] => (8, text.get(2..)?),
        [b'0', b'b' | b'B', _, ..] => (2, text.get(2..)?),
        [b'0', ..] => (8, text.get(1..)?),
        _ => (10, text),
    };
    if text.contains('_') && !go_underscores_ok(text) {
        return None;
    }
    let mut value: i64 = 0;
    let mut any = false;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let digit = c.to_digit(radix)?;
        value = value
            .checked_mul(i64::from(radix))?
            .checked_add(i64::from(digit))?;
        any = true;
    }
    // "0" alone is octal zero with no digits after the prefix.
    if !any && text != "0" {
        return None;
    }
    Some(value)
}

/// Go's `underscoreOK`: underscores only between digits (or between a
/// base prefix and a digit).
fn go_underscores_ok(text: &str) -> bool {
    let bytes = text.as_bytes();
    let bytes = match bytes.first() {
        Some(b'+' | b'-') => &bytes[1..],
        _ => bytes,
    };
    // What was seen last: b'^' start, b'0' digit or prefix, b'_', b'!' other.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if bytes.len() >= 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        i = 2;
        saw = b'0';
        hex = bytes[1].eq_ignore_ascii_case(&b'x');
    }
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// The value of a string token the lexer accepted: quotes removed and, for
/// `"..."` and `'...'`, Go's escapes resolved. Escapes that spell bytes
/// (`\xff`, `\377`) which are not UTF-8 become U+FFFD, as Rust strings must
/// be UTF-8 (Go keeps the raw bytes).
pub fn unquote(token: &str) -> String {
    let Some(quote) = token.chars().next() else {
        return String::new();
    };
    let body = token
        .get(quote.len_utf8()..token.len().saturating_sub(quote.len_utf8()))
        .unwrap_or("");
    if quote == '`' || !body.contains('\\') {
        return body.to_owned();
    }
    let mut bytes = Vec::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(escape) = chars.next() else { break };
        let simple = match escape {
            'a' => Some(7u8),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(11),
            '\\' => Some(b'\\'),
            '\'' => Some(b'\''),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(byte) = simple {
            bytes.push(byte);
            continue;
        }
        let (count, radix, first) = match escape {
            'x' => (2, 16, None),
            'u' => (4, 16, None),
            'U' => (8, 16, None),
            digit => (2, 8, digit.to_digit(8)),
        };
        let mut value = first.unwrap_or(0);
        for _ in 0..count {
            let digit = chars.next().and_then(|d| d.to_digit(radix)).unwrap_or(0);
            value = value.wrapping_mul(radix).wrapping_add(digit);
        }
        if matches!(escape, 'u' | 'U') {
            let c = char::from_u32(value).unwrap_or('\u{FFFD}');
            let mut buf = [0; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            bytes.push(value as u8);
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}

// ---- Type checking -----------------------------------------------------

/// Type-checks a parsed expression as Prometheus's `checkAST` does,
/// returning its first error. Also resets the vector matching of binary
/// operations that are not between two instant vectors to the default, as
/// Prometheus drops it.
pub fn check(input: &str, expr: &mut Expr) -> Result<ValueType, ParseError> {
    let span = expr.span;
    let value_type = expr.value_type();
    match &mut expr.kind {
        ExprKind::Number(_) | ExprKind::String(_) => {}
        ExprKind::Selector(selector) => check_selector(input, selector, span)?,
        ExprKind::Range(matrix) => check_selector(input, &matrix.selector, span)?,
        ExprKind::Paren(inner) => {
            check(input, inner)?;
        }
        ExprKind::Unary(unary) => {
            let inner = check(input, &mut unary.expr)?;
            if !matches!(inner, ValueType::Scalar | ValueType::Vector) {
                return Err(unary_type_error(input, span, inner));
            }
        }
        ExprKind::Subquery(subquery) => {
            let inner = check(input, &mut subquery.expr)?;
            if inner != ValueType::Vector {
                return Err(subquery_type_error(input, span, inner));
            }
        }
        ExprKind::Aggregate(aggregate) => {
            expect_type(
                input,
                &mut aggregate.expr,
                ValueType::Vector,
                "aggregation expression",
            )?;
            if let (Some(param), Some(wanted)) = (&mut aggregate.param, aggregate.op.def().param) {
                expect_type(input, param, wanted, "aggregation parameter")?;
            }
        }
        ExprKind::Call(call) => check_call(input, call, span)?,
        ExprKind::Binary(binary) => check_binary(input, binary, span)?,
    }
    Ok(value_type)
}

#[cold]
#[inline(never)]
fn unary_type_error(input: &str, span: Span, inner: ValueType) -> ParseError {
    ParseError::new(
        input,
        span,
        format!(
            "unary expression only allowed on expressions of type scalar or instant vector, got {}",
            go_quote(inner.name())
        ),
    )
}

#[cold]
#[inline(never)]
fn subquery_type_error(input: &str, span: Span, inner: ValueType) -> ParseError {
    ParseError::new(
        input,
        span,
        format!(
            "subquery is only allowed on instant vector, got {} instead",
            inner.result_type()
        ),
    )
}

#[inline(never)]
fn check_call(input: &str, call: &mut Call, span: Span) -> Result<(), ParseError> {
    let error = |span: Span, message: String| ParseError::new(input, span, message);
    let def = call.func.def();
    let name = go_quote(def.name);
    let given = call.args.len();
    let (min, max) = def.arity();
    if def.variadic == 0 && given != min {
        return Err(error(
            span,
            format!("expected {min} argument(s) in call to {name}, got {given}"),
        ));
    }
    if given < min {
        return Err(error(
            span,
            format!("expected at least {min} argument(s) in call to {name}, got {given}"),
        ));
    }
    if let Some(max) = max.filter(|&max| given > max) {
        return Err(error(
            span,
            format!("expected at most {max} argument(s) in call to {name}, got {given}"),
        ));
    }
    for (i, arg) in call.args.iter_mut().enumerate() {
        let wanted = def.arg_type(i);
        let got = check(input, arg)?;
        if got != wanted {
            return Err(error(
                arg.span,
                format!(
                    "expected type {} in call to function {name}, got {}",
                    wanted.name(),
                    got.name()
                ),
            ));
        }
    }
    Ok(())
}

#[inline(never)]
fn check_binary(input: &str, binary: &mut Binary, span: Span) -> Result<(), ParseError> {
    let error = |span: Span, message: String| ParseError::new(input, span, message);
    let lhs_type = check(input, &mut binary.lhs)?;
    let rhs_type = check(input, &mut binary.rhs)?;
    let op_span = operator_span(input, binary.lhs.span.end, binary.rhs.span.start);
    if binary.return_bool && !binary.op.is_comparison() {
        return Err(error(
            op_span,
            "bool modifier can only be used on comparison operators".to_owned(),
        ));
    }
    if binary.op.is_comparison()
        && !binary.return_bool
        && lhs_type == ValueType::Scalar
        && rhs_type == ValueType::Scalar
    {
        return Err(error(
            op_span,
            "comparisons between scalars must use BOOL modifier".to_owned(),
        ));
    }
    let matching = &binary.matching;
    if matching.on {
        if let Some(label) = matching
            .labels
            .iter()
            .find(|l| matching.include.contains(l))
        {
            return Err(error(
                op_span,
                format!(
                    "label {} must not occur in ON and GROUP clause at once",
                    go_quote(label)
                ),
            ));
        }
    }
    for (operand_type, operand_span) in [(lhs_type, binary.lhs.span), (rhs_type, binary.rhs.span)] {
        if !matches!(operand_type, ValueType::Scalar | ValueType::Vector) {
            return Err(error(
                operand_span,
                "binary expression must contain only scalar and instant vector types".to_owned(),
            ));
        }
    }
    let op_name = go_quote(binary.op.as_str());
    if lhs_type != ValueType::Vector || rhs_type != ValueType::Vector {
        if !binary.matching.labels.is_empty() {
            return Err(error(
                span,
                "vector matching only allowed between instant vectors".to_owned(),
            ));
        }
        binary.matching = VectorMatching::default();
    } else if binary.op.is_set_operator()
        && matches!(
            binary.matching.card,
            Cardinality::OneToMany | Cardinality::ManyToOne
        )
    {
        return Err(error(
            span,
            format!("no grouping allowed for {op_name} operation"),
        ));
    }
    if (lhs_type == ValueType::Scalar || rhs_type == ValueType::Scalar)
        && binary.op.is_set_operator()
    {
        return Err(error(
            span,
            format!("set operator {op_name} not allowed in binary scalar expression"),
        ));
    }
    Ok(())
}

fn expect_type(
    input: &str,
    expr: &mut Expr,
    wanted: ValueType,
    context: &str,
) -> Result<(), ParseError> {
    let got = check(input, expr)?;
    if got != wanted {
        return Err(ParseError::new(
            input,
            expr.span,
            format!(
                "expected type {} in {context}, got {}",
                wanted.name(),
                got.name()
            ),
        ));
    }
    Ok(())
}

fn check_selector(input: &str, selector: &VectorSelector, span: Span) -> Result<(), ParseError> {
    if let Some(name) = &selector.name {
        // The last matcher is the name's own; any other on `__name__` sets
        // it a second time.
        let others = selector.matchers.len().saturating_sub(1);
        if let Some(other) = selector
            .matchers
            .iter()
            .take(others)
            .find(|m| m.name == METRIC_NAME)
        {
            return Err(ParseError::new(
                input,
                span,
                format!(
                    "metric name must not be set twice: {} or {}",
                    go_quote(name),
                    go_quote(&other.value)
                ),
            ));
        }
        return Ok(());
    }
    if selector.matchers.iter().all(Matcher::matches_empty) {
        return Err(ParseError::new(
            input,
            span,
            "vector selector must contain at least one non-empty matcher",
        ));
    }
    Ok(())
}

/// Where Prometheus says a binary operator is: from the first non-space
/// after the left operand to the last non-space before the right one.
fn operator_span(input: &str, lhs_end: usize, rhs_start: usize) -> Span {
    let bytes = input.as_bytes();
    let is_space = |i: usize| matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r'));
    let mut start = lhs_end;
    while start < rhs_start && is_space(start) {
        start += 1;
    }
    let mut end = rhs_start;
    while end > start && is_space(end - 1) {
        end -= 1;
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Expr {
        parse(input).unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    fn number(input: &str) -> f64 {
        match parsed(input).kind {
            ExprKind::Number(value) => value,
            other => panic!("{input}: not a number: {other:?}"),
        }
    }

    #[test]
    fn literals_have_prometheus_values() {
        for (input, value) in [
            ("0x1F", 31.0),
            ("010", 8.0),
            ("08", 8.0),
            ("1_000", 1000.0),
            ("0x1e3", 483.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-1", -1.0),
            ("--1", 1.0),
            ("5m", 300.0),
            ("1h30m", 5400.0),
            ("100ms", 0.1),
            ("-Inf", f64::NEG_INFINITY),
        ] {
            assert_eq!(number(input), value, "{input}");
        }
        assert!(number("nan").is_nan());
        let expr = parsed("- 1");
        assert_eq!(expr.span, Span::new(0, 3));
    }

    #[test]
    fn signs_and_powers_nest_as_in_prometheus() {
        // -2^2 is -(2^2): the sign applies to the power, nothing to fold.
        let ExprKind::Unary(unary) = parsed("-2^2").kind else {
            panic!("not unary")
        };
        assert!(matches!(
            unary.expr.kind,
            ExprKind::Binary(Binary {
                op: BinaryOp::Pow,
                ..
            })
        ));
        // 2 ^ -1: the sign folds into the right operand.
        let ExprKind::Binary(binary) = parsed("2 ^ -1").kind else {
            panic!("not binary")
        };
        assert_eq!(binary.rhs.kind, ExprKind::Number(-1.0));
        // a - b - c is (a - b) - c; a ^ b ^ c is a ^ (b ^ c).
        let ExprKind::Binary(binary) = parsed("a - b - c").kind else {
            panic!()
        };
        assert!(matches!(binary.lhs.kind, ExprKind::Binary(_)));
        let ExprKind::Binary(binary) = parsed("a ^ b ^ c").kind else {
            panic!()
        };
        assert!(matches!(binary.rhs.kind, ExprKind::Binary(_)));
    }

    #[test]
    fn selectors_carry_name_matchers_offset_and_at() {
        let ExprKind::Range(matrix) = parsed(r#"foo{a="b"}[5m] offset -1m @ 100.5"#).kind else {
            panic!()
        };
        assert_eq!(matrix.range_ms, 300_000);
        let selector = matrix.selector;
        assert_eq!(selector.name.as_deref(), Some("foo"));
        // Prometheus appends the name's matcher after the others.
        let matchers: Vec<String> = selector.matchers.iter().map(ToString::to_string).collect();
        assert_eq!(matchers, [r#"a="b""#, r#"__name__="foo""#]);
        assert_eq!(selector.offset_ms, -60_000);
        assert_eq!(selector.at, Some(At::Time(100_500)));
        // A quoted name inside the braces is a matcher, not the name.
        let ExprKind::Selector(selector) = parsed(r#"{"my.metric"}"#).kind else {
            panic!()
        };
        assert_eq!(selector.name, None);
        assert_eq!(selector.matchers[0].to_string(), r#"__name__="my.metric""#);
    }

    #[test]
    fn subqueries_ranges_and_offsets_in_milliseconds() {
        let ExprKind::Subquery(subquery) = parsed("rate(x[5m])[1h:30s] offset 1s @ start()").kind
        else {
            panic!()
        };
        assert_eq!(
            (subquery.range_ms, subquery.step_ms),
            (3_600_000, Some(30_000))
        );
        assert_eq!((subquery.offset_ms, subquery.at), (1000, Some(At::Start)));
        let ExprKind::Subquery(subquery) = parsed("x[300:]").kind else {
            panic!()
        };
        assert_eq!((subquery.range_ms, subquery.step_ms), (300_000, None));
        let ExprKind::Range(matrix) = parsed("x[1.5]").kind else {
            panic!()
        };
        assert_eq!(matrix.range_ms, 1500);
    }

    #[test]
    fn vector_matching_is_filled_in() {
        let ExprKind::Binary(binary) = parsed("a * on (x, y) group_left (z) b").kind else {
            panic!()
        };
        assert_eq!(
            binary.matching,
            VectorMatching {
                card: Cardinality::ManyToOne,
                on: true,
                labels: vec!["x".into(), "y".into()],
                include: vec!["z".into()],
            }
        );
        let ExprKind::Binary(binary) = parsed("a and ignoring (x) b").kind else {
            panic!()
        };
        assert_eq!(binary.matching.card, Cardinality::ManyToMany);
        assert!(!binary.matching.on);
        // Between a vector and a scalar, matching is dropped as Prometheus does.
        let ExprKind::Binary(binary) = parsed("a + ignoring () 1").kind else {
            panic!()
        };
        assert_eq!(binary.matching, VectorMatching::default());
        assert!(parsed("a > bool 1").to_string().contains("bool"));
    }

    #[test]
    fn aggregations_keep_param_grouping_and_without() {
        let ExprKind::Aggregate(aggregate) = parsed("topk without (a, \"b.c\") (5, x)").kind else {
            panic!()
        };
        assert_eq!(aggregate.op, AggregateOp::Topk);
        assert_eq!(aggregate.param.map(|p| p.kind), Some(ExprKind::Number(5.0)));
        assert_eq!(aggregate.grouping, ["a", "b.c"]);
        assert!(aggregate.without);
    }

    #[test]
    fn errors_carry_line_column_and_span() {
        let error = parse("sum(\n  rate(x)\n)").expect_err("rate of a vector");
        assert_eq!((error.line, error.column), (2, 8));
        assert_eq!(error.span, Span::new(12, 13));
        assert_eq!(
            error.to_string(),
            "2:8: parse error: expected type range vector in call to function \"rate\", got instant vector"
        );
    }

    #[test]
    fn go_number_parsing() {
        assert_eq!(parse_number("0x_1F"), Ok(31.0));
        assert_eq!(parse_number("0777"), Ok(511.0));
        assert_eq!(parse_number("1_000.5"), Ok(1000.5));
        assert_eq!(
            parse_number("1e999"),
            Err("strconv.ParseFloat: parsing \"1e999\": value out of range".into())
        );
        assert_eq!(
            parse_number("0xFFFFFFFFFFFFFFFFFF"),
            Err("strconv.ParseFloat: parsing \"0xFFFFFFFFFFFFFFFFFF\": invalid syntax".into())
        );
        assert_eq!(unquote(r#""a\x41\101\u00e9\n""#), "aAAé\n");
        assert_eq!(unquote("'it\\'s'"), "it's");
        assert_eq!(unquote("`a\\n`"), "a\\n");
        assert_eq!(unquote(r#""\xff""#), "\u{FFFD}");
    }
}
