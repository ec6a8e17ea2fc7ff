//! Query text to tokens, cut exactly where Prometheus 3's lexer
//! (`promql/parser/lex.go`) cuts them.
//!
//! The lexer has three modes, as Prometheus's has: ordinary expression text,
//! the inside of `{...}` (where every word is a label name and keywords mean
//! nothing), and the start of `[...]` (where only durations, numbers and
//! duration arithmetic may appear). Its errors are Prometheus's, word for
//! word, at the byte offset Prometheus reports them.
//!
//! [`lex`] tokenizes the whole query up front: the lexer never depends on the
//! parser, so the parser just walks the list. The list ends with one
//! [`TokenKind::Eof`], or with one [`TokenKind::Error`] whose message is in
//! [`Lexed::error`].

use crate::promql::printer::{go_quote, go_quote_rune, go_unicode_format};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// End of the query.
    Eof,
    /// The lexer gave up here; the message is in [`Lexed::error`].
    Error,
    /// A word without a colon: `rate`, `job`, `foo_bar`.
    Identifier,
    /// A word with a colon: `job:requests:rate5m`.
    MetricIdentifier,
    /// A number literal, `Inf` and `NaN` included.
    Number,
    /// A duration literal: `5m`, `1h30m`.
    Duration,
    /// A quoted string, quotes included in its text.
    String,
    /// `,`
    Comma,
    /// `(`
    LeftParen,
    /// `)`
    RightParen,
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `[`
    LeftBracket,
    /// `]`
    RightBracket,
    /// `:` inside brackets.
    Colon,
    /// `=`
    Eql,
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
    /// `^`
    Pow,
    /// `==`
    EqlC,
    /// `!=`
    Neq,
    /// `<=`
    Lte,
    /// `<`
    Lss,
    /// `>=`
    Gte,
    /// `>`
    Gtr,
    /// `</`, Prometheus 3's native-histogram trim operator.
    TrimUpper,
    /// `>/`, Prometheus 3's native-histogram trim operator.
    TrimLower,
    /// `=~`
    EqlRegex,
    /// `!~`
    NeqRegex,
    /// `@`
    At,
    /// `atan2`
    Atan2,
    /// `and`
    And,
    /// `or`
    Or,
    /// `unless`
    Unless,
    /// An aggregation keyword; which one is in its text.
    Aggregator(Aggregator),
    /// `bool`
    Bool,
    /// `by`
    By,
    /// `group_left`
    GroupLeft,
    /// `group_right`
    GroupRight,
    /// `fill`, only when a `(` follows.
    Fill,
    /// `fill_left`, only when a `(` follows.
    FillLeft,
    /// `fill_right`, only when a `(` follows.
    FillRight,
    /// `ignoring`
    Ignoring,
    /// `offset`
    Offset,
    /// `smoothed`
    Smoothed,
    /// `anchored`
    Anchored,
    /// `on`
    On,
    /// `without`
    Without,
    /// `start`
    Start,
    /// `end`
    End,
    /// `step`
    Step,
    /// `range`
    Range,
    /// `max_of`
    MaxOf,
    /// `min_of`
    MinOf,
}

/// The aggregation keywords, the experimental `limitk` and `limit_ratio`
/// included (Prometheus lexes them whether or not they are enabled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aggregator {
    /// `avg`
    Avg,
    /// `bottomk`
    Bottomk,
    /// `count`
    Count,
    /// `count_values`
    CountValues,
    /// `group`
    Group,
    /// `max`
    Max,
    /// `min`
    Min,
    /// `quantile`
    Quantile,
    /// `stddev`
    Stddev,
    /// `stdvar`
    Stdvar,
    /// `sum`
    Sum,
    /// `topk`
    Topk,
    /// `limitk`
    Limitk,
    /// `limit_ratio`
    LimitRatio,
}

impl TokenKind {
    /// How Prometheus groups the token in messages: `<op:+>`, `<by>`,
    /// `<aggr:sum>`, or none of them.
    fn class(self) -> TokenClass {
        use TokenKind as T;
        match self {
            T::Add
            | T::Sub
            | T::Mul
            | T::Div
            | T::Mod
            | T::Pow
            | T::EqlC
            | T::Neq
            | T::Lte
            | T::Lss
            | T::Gte
            | T::Gtr
            | T::TrimUpper
            | T::TrimLower
            | T::EqlRegex
            | T::NeqRegex
            | T::At
            | T::Atan2
            | T::And
            | T::Or
            | T::Unless => TokenClass::Operator,
            T::Aggregator(_) => TokenClass::Aggregator,
            T::Bool
            | T::By
            | T::GroupLeft
            | T::GroupRight
            | T::Fill
            | T::FillLeft
            | T::FillRight
            | T::Ignoring
            | T::Offset
            | T::Smoothed
            | T::Anchored
            | T::On
            | T::Without => TokenClass::Keyword,
            T::Comma
            | T::LeftParen
            | T::RightParen
            | T::LeftBrace
            | T::RightBrace
            | T::LeftBracket
            | T::RightBracket
            | T::Colon
            | T::Eql
            | T::Start
            | T::End
            | T::Step
            | T::Range
            | T::MaxOf
            | T::MinOf => TokenClass::Fixed,
            T::Eof
            | T::Error
            | T::Identifier
            | T::MetricIdentifier
            | T::Number
            | T::Duration
            | T::String => TokenClass::Literal,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TokenClass {
    Operator,
    Aggregator,
    Keyword,
    /// Punctuation and the `start`/`end`/`step`/... words: quoted text.
    Fixed,
    /// Names, literals, end of input: a kind and the quoted text.
    Literal,
}

/// One token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl Token {
    /// The token's text in `input`.
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        input.get(self.start..self.end).unwrap_or("")
    }

    /// How Prometheus names the token after "unexpected ": `end of input`,
    /// `identifier "foo"`, `<op:+>`, `<by>`, `<aggr:sum>`, `"("`,
    /// `number "1"`, `string "\"a\""` (long texts cut to ten characters).
    pub fn describe(&self, input: &str) -> String {
        let text = self.text(input);
        match self.kind.class() {
            TokenClass::Operator => format!("<op:{text}>"),
            TokenClass::Aggregator => format!("<aggr:{text}>"),
            TokenClass::Keyword => format!("<{text}>"),
            TokenClass::Fixed => quote_cut(text),
            TokenClass::Literal => match self.kind {
                TokenKind::Eof | TokenKind::Error => "end of input".to_owned(),
                TokenKind::Identifier => format!("identifier {}", go_quote(text)),
                TokenKind::MetricIdentifier => format!("metric identifier {}", go_quote(text)),
                TokenKind::Number => format!("number {}", quote_cut(text)),
                TokenKind::Duration => format!("duration {}", quote_cut(text)),
                _ => format!("string {}", quote_cut(text)),
            },
        }
    }
}

/// Go's `%q`, or `%.10q...` for texts longer than ten bytes (the cut is in
/// characters, as Go's precision is).
fn quote_cut(text: &str) -> String {
    if text.len() <= 10 {
        return go_quote(text);
    }
    let cut = text.char_indices().nth(10).map_or(text.len(), |(i, _)| i);
    let mut out = go_quote(text.get(..cut).unwrap_or(text));
    out.push_str("...");
    out
}

/// A lexer error: Prometheus's message and the byte offset it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What went wrong, in Prometheus's words.
    pub message: String,
    /// Where Prometheus says it went wrong (the start of the token being
    /// read, or just past a stray `)` or `:`).
    pub start: usize,
}

/// A tokenized query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lexed {
    /// The tokens, comments left out, ending with `Eof` or `Error`.
    pub tokens: Vec<Token>,
    /// Why the lexer stopped early, when the last token is `Error`.
    pub error: Option<LexError>,
}

/// Tokenizes a whole query.
pub fn lex(input: &str) -> Lexed {
    let mut lexer = Lexer {
        input,
        pos: 0,
        start: 0,
        width: 0,
        mode: Mode::Statements,
        paren_depth: 0,
        brace_open: false,
        bracket_open: false,
        got_colon: false,
        got_duration: false,
    };
    let mut tokens = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(token) => {
                tokens.push(token);
                if token.kind == TokenKind::Eof {
                    return Lexed {
                        tokens,
                        error: None,
                    };
                }
            }
            Err(error) => {
                tokens.push(Token {
                    kind: TokenKind::Error,
                    start: error.start,
                    end: input.len(),
                });
                return Lexed {
                    tokens,
                    error: Some(error),
                };
            }
        }
    }
}

/// Which of Prometheus's lexer states reads the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `lexStatements` (or `lexInsideBraces` while a brace is open).
    Statements,
    /// `lexDurationExpr`: just after `[`, until a number or `]`.
    DurationExpr,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    /// Start of the token being read.
    start: usize,
    /// Width of the last character read, for `backup`.
    width: usize,
    mode: Mode,
    paren_depth: i64,
    brace_open: bool,
    bracket_open: bool,
    got_colon: bool,
    /// Set by the first number after a `[`, and (as in Prometheus) never
    /// cleared.
    got_duration: bool,
}

type Lex<T> = Result<T, LexError>;

const DIGITS: &str = "0123456789";
const HEX_DIGITS: &str = "0123456789abcdefABCDEF";

fn is_space(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t' | '\n' | '\r'))
}

fn is_alpha(c: Option<char>) -> bool {
    matches!(c, Some(c) if c == '_' || c.is_ascii_alphabetic())
}

fn is_digit(c: Option<char>) -> bool {
    matches!(c, Some(c) if c.is_ascii_digit())
}

fn is_alphanumeric(c: Option<char>) -> bool {
    is_alpha(c) || is_digit(c)
}

/// Whether `c` can start `step`, `range`, `max_of` or `min_of`.
fn is_duration_keyword_start(c: Option<char>) -> bool {
    matches!(c, Some('s' | 'S' | 'r' | 'R' | 'm' | 'M'))
}

impl Lexer<'_> {
    fn next(&mut self) -> Option<char> {
        match self
            .input
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
            None => {
                self.width = 0;
                None
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
        self.width = 0;
    }

    fn peek(&mut self) -> Option<char> {
        self.input
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn is(&mut self, valid: &str) -> bool {
        matches!(self.peek(), Some(c) if valid.contains(c))
    }

    fn skip_spaces(&mut self) {
        while is_space(self.peek()) {
            self.next();
        }
        self.start = self.pos;
    }

    fn emit(&mut self, kind: TokenKind) -> Token {
        let token = Token {
            kind,
            start: self.start,
            end: self.pos,
        };
        self.start = self.pos;
        token
    }

    fn error(&self, message: String) -> LexError {
        LexError {
            message,
            start: self.start,
        }
    }

    fn rest_starts_with_comment(&self) -> bool {
        self.input
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with('#'))
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some('\r' | '\n')) {
            self.next();
        }
        self.start = self.pos;
    }

    fn next_token(&mut self) -> Lex<Token> {
        loop {
            let token = if self.brace_open {
                self.inside_braces()?
            } else if self.mode == Mode::DurationExpr {
                self.duration_expr()?
            } else {
                self.statements()?
            };
            if let Some(token) = token {
                return Ok(token);
            }
        }
    }

    /// Prometheus's `lexStatements`; `None` after skipping space or a comment.
    fn statements(&mut self) -> Lex<Option<Token>> {
        if self.rest_starts_with_comment() {
            self.skip_comment();
            return Ok(None);
        }
        let c = self.next();
        let kind = match c {
            None => {
                if self.paren_depth != 0 {
                    return Err(self.error("unclosed left parenthesis".into()));
                }
                if self.bracket_open {
                    return Err(self.error("unclosed left bracket".into()));
                }
                TokenKind::Eof
            }
            Some(',') => TokenKind::Comma,
            Some(' ' | '\t' | '\n' | '\r') => {
                self.skip_spaces();
                return Ok(None);
            }
            Some('*') => TokenKind::Mul,
            Some('/') => TokenKind::Div,
            Some('%') => TokenKind::Mod,
            Some('+') => TokenKind::Add,
            Some('-') => TokenKind::Sub,
            Some('^') => TokenKind::Pow,
            Some('=') => match self.peek() {
                Some('=') => {
                    self.next();
                    TokenKind::EqlC
                }
                Some('~') => {
                    return Err(self.error("unexpected character after '=': '~'".into()));
                }
                _ => TokenKind::Eql,
            },
            Some('!') => {
                let next = self.next();
                if next != Some('=') {
                    return Err(self.error(format!(
                        "unexpected character after '!': {}",
                        go_quote_rune(next)
                    )));
                }
                TokenKind::Neq
            }
            Some('<') => match self.peek() {
                Some('=') => {
                    self.next();
                    TokenKind::Lte
                }
                Some('/') => {
                    self.next();
                    TokenKind::TrimUpper
                }
                _ => TokenKind::Lss,
            },
            Some('>') => match self.peek() {
                Some('=') => {
                    self.next();
                    TokenKind::Gte
                }
                Some('/') => {
                    self.next();
                    TokenKind::TrimLower
                }
                _ => TokenKind::Gtr,
            },
            Some(c) if c.is_ascii_digit() || (c == '.' && is_digit(self.peek())) => {
                self.backup();
                return self.number_or_duration().map(Some);
            }
            Some(quote @ ('"' | '\'')) => return self.string(quote).map(Some),
            Some('`') => return self.raw_string().map(Some),
            Some(c) if is_alpha(Some(c)) || c == ':' => {
                if !self.bracket_open {
                    self.backup();
                    return Ok(Some(self.keyword_or_identifier()));
                }
                if c == ':' {
                    if self.got_colon {
                        return Err(self.error("unexpected colon ':'".into()));
                    }
                    self.got_colon = true;
                    TokenKind::Colon
                } else {
                    if is_duration_keyword_start(Some(c)) {
                        if let Some(kind) = self.duration_keyword() {
                            return Ok(Some(self.emit(kind)));
                        }
                    }
                    return Err(self.error(format!(
                        "unexpected character: {}, expected ':'",
                        go_quote_rune(Some(c))
                    )));
                }
            }
            Some('(') => {
                self.paren_depth += 1;
                TokenKind::LeftParen
            }
            Some(')') => {
                let token = self.emit(TokenKind::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return Err(self.error("unexpected right parenthesis ')'".into()));
                }
                return Ok(Some(token));
            }
            Some('{') => {
                self.brace_open = true;
                TokenKind::LeftBrace
            }
            Some('[') => {
                if self.bracket_open {
                    return Err(self.error("unexpected left bracket '['".into()));
                }
                self.got_colon = false;
                let token = self.emit(TokenKind::LeftBracket);
                self.skip_spaces();
                self.bracket_open = true;
                self.mode = Mode::DurationExpr;
                return Ok(Some(token));
            }
            Some(']') => {
                if !self.bracket_open {
                    return Err(self.error("unexpected right bracket ']'".into()));
                }
                self.bracket_open = false;
                TokenKind::RightBracket
            }
            Some('@') => TokenKind::At,
            Some(c) => {
                return Err(self.error(format!("unexpected character: {}", go_quote_rune(Some(c)))));
            }
        };
        Ok(Some(self.emit(kind)))
    }

    /// Prometheus's `lexInsideBraces`.
    fn inside_braces(&mut self) -> Lex<Option<Token>> {
        if self.rest_starts_with_comment() {
            self.skip_comment();
            return Ok(None);
        }
        let c = self.next();
        let kind = match c {
            None => return Err(self.error("unexpected end of input inside braces".into())),
            Some(' ' | '\t' | '\n' | '\r') => {
                self.skip_spaces();
                return Ok(None);
            }
            Some(c) if is_alpha(Some(c)) => {
                while is_alphanumeric(self.peek()) {
                    self.next();
                }
                TokenKind::Identifier
            }
            Some(',') => TokenKind::Comma,
            Some(quote @ ('"' | '\'')) => return self.string(quote).map(Some),
            Some('`') => return self.raw_string().map(Some),
            Some('=') => {
                if self.next() == Some('~') {
                    TokenKind::EqlRegex
                } else {
                    self.backup();
                    TokenKind::Eql
                }
            }
            Some('!') => match self.next() {
                Some('~') => TokenKind::NeqRegex,
                Some('=') => TokenKind::Neq,
                other => {
                    return Err(self.error(format!(
                        "unexpected character after '!' inside braces: {}",
                        go_quote_rune(other)
                    )));
                }
            },
            Some('{') => return Err(self.error("unexpected left brace '{'".into())),
            Some('}') => {
                self.brace_open = false;
                TokenKind::RightBrace
            }
            Some(c) => {
                return Err(self.error(format!(
                    "unexpected character inside braces: {}",
                    go_quote_rune(Some(c))
                )));
            }
        };
        Ok(Some(self.emit(kind)))
    }

    /// Prometheus's `lexDurationExpr`, the first tokens after `[`.
    fn duration_expr(&mut self) -> Lex<Option<Token>> {
        let c = self.next();
        let kind = match c {
            None => {
                return Err(self.error("unexpected end of input in duration expression".into()));
            }
            Some(']') => {
                self.bracket_open = false;
                self.got_colon = false;
                self.mode = Mode::Statements;
                TokenKind::RightBracket
            }
            Some(':') => {
                let token = self.emit(TokenKind::Colon);
                if !self.got_duration {
                    return Err(self
                        .error("unexpected colon before duration in duration expression".into()));
                }
                if self.got_colon {
                    return Err(
                        self.error("unexpected repeated colon in duration expression".into())
                    );
                }
                self.got_colon = true;
                return Ok(Some(token));
            }
            Some('(') => {
                self.paren_depth += 1;
                TokenKind::LeftParen
            }
            Some(')') => {
                let token = self.emit(TokenKind::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return Err(self.error("unexpected right parenthesis ')'".into()));
                }
                return Ok(Some(token));
            }
            Some(' ' | '\t' | '\n' | '\r') => {
                self.skip_spaces();
                return Ok(None);
            }
            Some('+') => TokenKind::Add,
            Some('-') => TokenKind::Sub,
            Some('*') => TokenKind::Mul,
            Some('/') => TokenKind::Div,
            Some('%') => TokenKind::Mod,
            Some('^') => TokenKind::Pow,
            Some(',') => TokenKind::Comma,
            Some(c) if is_duration_keyword_start(Some(c)) => match self.duration_keyword() {
                Some(kind) => kind,
                None => {
                    return Err(self.error(format!(
                        "unexpected character in duration expression: {}",
                        go_quote_rune(Some(c))
                    )));
                }
            },
            Some(c) if c.is_ascii_digit() || (c == '.' && is_digit(self.peek())) => {
                self.backup();
                self.got_duration = true;
                self.mode = Mode::Statements;
                return self.number_or_duration().map(Some);
            }
            Some(c) => {
                return Err(self.error(format!(
                    "unexpected character in duration expression: {}",
                    go_quote_rune(Some(c))
                )));
            }
        };
        Ok(Some(self.emit(kind)))
    }

    /// Reads the rest of a word after its first letter; the keyword it
    /// spells among `step`, `range`, `max_of`, `min_of` (any case).
    fn duration_keyword(&mut self) -> Option<TokenKind> {
        while is_alpha(self.peek()) {
            self.next();
        }
        let word = self.input.get(self.start..self.pos)?.to_ascii_lowercase();
        match word.as_str() {
            "step" => Some(TokenKind::Step),
            "range" => Some(TokenKind::Range),
            "max_of" => Some(TokenKind::MaxOf),
            "min_of" => Some(TokenKind::MinOf),
            _ => None,
        }
    }

    fn keyword_or_identifier(&mut self) -> Token {
        while matches!(self.peek(), Some(c) if c == ':' || is_alphanumeric(Some(c))) {
            self.next();
        }
        let word = self.input.get(self.start..self.pos).unwrap_or("");
        let kind = match keyword(&word.to_ascii_lowercase()) {
            Some(TokenKind::Fill | TokenKind::FillLeft | TokenKind::FillRight)
                if !self.followed_by_left_paren() =>
            {
                TokenKind::Identifier
            }
            Some(kind) => kind,
            None if word.contains(':') => TokenKind::MetricIdentifier,
            None => TokenKind::Identifier,
        };
        self.emit(kind)
    }

    fn followed_by_left_paren(&self) -> bool {
        let rest = self.input.get(self.pos..).unwrap_or("");
        rest.trim_start_matches([' ', '\t', '\n', '\r'])
            .starts_with('(')
    }

    /// Prometheus's `lexNumberOrDuration`.
    fn number_or_duration(&mut self) -> Lex<Token> {
        if self.scan_number() {
            return Ok(self.emit(TokenKind::Number));
        }
        if self.accept_remaining_duration() {
            self.backup();
            return Ok(self.emit(TokenKind::Duration));
        }
        let text = self.input.get(self.start..self.pos).unwrap_or("");
        Err(self.error(format!("bad number or duration syntax: {}", go_quote(text))))
    }

    /// Prometheus's `scanNumber`: true when a number ends here. The text it
    /// accepts need not be a valid number; the parser checks that.
    fn scan_number(&mut self) -> bool {
        let initial = self.pos;
        let mut digits = DIGITS;
        if self.accept("0") && self.accept("xX") {
            self.accept("_");
            digits = HEX_DIGITS;
        }
        let hex = digits.len() > DIGITS.len();
        self.accept(".");
        self.accept(digits);
        let mut dot = false;
        let mut exponent = false;
        while matches!(self.peek(), Some(c) if digits.contains(c) || "._eE".contains(c)) {
            if self.is(".") && dot {
                self.accept(".");
                return false;
            }
            if self.is("eE") && exponent {
                self.accept("eE");
                return false;
            }
            if self.accept(".") {
                dot = true;
                if self.accept("_.") || hex {
                    return false;
                }
                continue;
            }
            if self.accept("eE") {
                exponent = true;
                self.accept("+-");
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            if self.accept("_") {
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            self.accept_run(digits);
        }
        self.pos != initial && !is_alphanumeric(self.peek())
    }

    /// Prometheus's `acceptRemainingDuration`: a unit, then more
    /// number-unit pairs, then something that is not part of a word.
    fn accept_remaining_duration(&mut self) -> bool {
        if !self.accept("smhdwy") {
            return false;
        }
        self.accept("s");
        while self.accept(DIGITS) {
            self.accept_run(DIGITS);
            if !self.accept("smhdw") {
                return false;
            }
            self.accept("s");
        }
        let next = self.next();
        !is_alphanumeric(next)
    }

    /// A `"..."` or `'...'` string; the opening quote has been read.
    fn string(&mut self, quote: char) -> Lex<Token> {
        loop {
            match self.next() {
                Some('\\') => self.escape(quote)?,
                Some('\u{FFFD}') => return Err(self.error("invalid UTF-8 rune".into())),
                None | Some('\n') => return Err(self.error("unterminated quoted string".into())),
                Some(c) if c == quote => return Ok(self.emit(TokenKind::String)),
                Some(_) => {}
            }
        }
    }

    /// A `` `...` `` string, no escapes; the opening backtick has been read.
    fn raw_string(&mut self) -> Lex<Token> {
        loop {
            match self.next() {
                Some('\u{FFFD}') => return Err(self.error("invalid UTF-8 rune".into())),
                None => return Err(self.error("unterminated raw string".into())),
                Some('`') => return Ok(self.emit(TokenKind::String)),
                Some(_) => {}
            }
        }
    }

    /// Checks one escape sequence as Go does; the backslash has been read.
    fn escape(&mut self, quote: char) -> Lex<()> {
        let mut c = self.next();
        let (mut count, base, max) = match c {
            Some('a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\') => return Ok(()),
            Some(q) if q == quote => return Ok(()),
            Some('0'..='7') => (3, 8, 255),
            Some('x') => {
                c = self.next();
                (2, 16, 255)
            }
            Some('u') => {
                c = self.next();
                (4, 16, 0x10FFFF)
            }
            Some('U') => {
                c = self.next();
                (8, 16, 0x10FFFF)
            }
            None => return Err(self.error("escape sequence not terminated".into())),
            Some(other) => {
                return Err(self.error(format!(
                    "unknown escape sequence {}",
                    go_unicode_format(other)
                )));
            }
        };
        let mut value: u32 = 0;
        while count > 0 {
            let digit = c.and_then(|c| c.to_digit(16)).unwrap_or(16);
            if digit >= base {
                return Err(self.error(match c {
                    None => "escape sequence not terminated".into(),
                    Some(c) => format!(
                        "illegal character {} in escape sequence",
                        go_unicode_format(c)
                    ),
                }));
            }
            value = value.saturating_mul(base).saturating_add(digit);
            count -= 1;
            if count > 0 {
                c = self.next();
            }
        }
        if value > max || (0xD800..0xE000).contains(&value) {
            return Err(self.error("escape sequence is an invalid Unicode code point".into()));
        }
        Ok(())
    }
}

/// The keyword a lower-cased word spells, if any.
fn keyword(word: &str) -> Option<TokenKind> {
    use Aggregator as A;
    use TokenKind as T;
    Some(match word {
        "and" => T::And,
        "or" => T::Or,
        "unless" => T::Unless,
        "atan2" => T::Atan2,
        "sum" => T::Aggregator(A::Sum),
        "avg" => T::Aggregator(A::Avg),
        "count" => T::Aggregator(A::Count),
        "min" => T::Aggregator(A::Min),
        "max" => T::Aggregator(A::Max),
        "group" => T::Aggregator(A::Group),
        "stddev" => T::Aggregator(A::Stddev),
        "stdvar" => T::Aggregator(A::Stdvar),
        "topk" => T::Aggregator(A::Topk),
        "bottomk" => T::Aggregator(A::Bottomk),
        "count_values" => T::Aggregator(A::CountValues),
        "quantile" => T::Aggregator(A::Quantile),
        "limitk" => T::Aggregator(A::Limitk),
        "limit_ratio" => T::Aggregator(A::LimitRatio),
        "offset" => T::Offset,
        "smoothed" => T::Smoothed,
        "anchored" => T::Anchored,
        "by" => T::By,
        "without" => T::Without,
        "on" => T::On,
        "ignoring" => T::Ignoring,
        "group_left" => T::GroupLeft,
        "group_right" => T::GroupRight,
        "fill" => T::Fill,
        "fill_left" => T::FillLeft,
        "fill_right" => T::FillRight,
        "bool" => T::Bool,
        "start" => T::Start,
        "end" => T::End,
        "step" => T::Step,
        "range" => T::Range,
        "max_of" => T::MaxOf,
        "min_of" => T::MinOf,
        "inf" | "nan" => T::Number,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lexes `input` and renders each token as `Kind:text`, or the error as
    /// `ERROR@start: message`.
    fn check(input: &str, expect: &str) {
        let lexed = lex(input);
        let mut parts = Vec::new();
        for token in &lexed.tokens {
            match token.kind {
                TokenKind::Eof => {}
                TokenKind::Error => {
                    let error = lexed.error.as_ref().map_or(String::new(), |e| {
                        format!("ERROR@{}: {}", e.start, e.message)
                    });
                    parts.push(error);
                }
                kind => parts.push(format!("{kind:?}:{}", token.text(input))),
            }
        }
        assert_eq!(parts.join(" "), expect, "lexing {input:?}");
    }

    #[test]
    fn numbers_and_durations() {
        check("1 0x1F .5 5. 1e3 1_000 0x_1F Inf nan", "Number:1 Number:0x1F Number:.5 Number:5. Number:1e3 Number:1_000 Number:0x_1F Number:Inf Number:nan");
        check(
            "5m 1h30m 100ms 1y2w",
            "Duration:5m Duration:1h30m Duration:100ms Duration:1y2w",
        );
        check("0x1e3", "Number:0x1e3");
        check("2.5.", "ERROR@0: bad number or duration syntax: \"2.5.\"");
        check(
            "100..4",
            "ERROR@0: bad number or duration syntax: \"100..\"",
        );
        check(
            "0deadbeef",
            "ERROR@0: bad number or duration syntax: \"0de\"",
        );
        check("1__0", "ERROR@0: bad number or duration syntax: \"1__\"");
        check("1e", "ERROR@0: bad number or duration syntax: \"1e\"");
        check("5mm", "ERROR@0: bad number or duration syntax: \"5mm\"");
        check("5m1", "ERROR@0: bad number or duration syntax: \"5m1\"");
        check("0x1.5", "ERROR@0: bad number or duration syntax: \"0x1.\"");
        check(".", "ERROR@0: unexpected character: '.'");
    }

    #[test]
    fn words_keywords_and_operators() {
        check(
            "sum by (a) rate",
            "Aggregator(Sum):sum By:by LeftParen:( Identifier:a RightParen:) Identifier:rate",
        );
        check(
            "a:b :c SUM",
            "MetricIdentifier:a:b MetricIdentifier::c Aggregator(Sum):SUM",
        );
        check(
            "fill + fill (1)",
            "Identifier:fill Add:+ Fill:fill LeftParen:( Number:1 RightParen:)",
        );
        check(
            "== != <= < >= > </ >/ =",
            "EqlC:== Neq:!= Lte:<= Lss:< Gte:>= Gtr:> TrimUpper:</ TrimLower:>/ Eql:=",
        );
        check(
            "1 =~ 1",
            "Number:1 ERROR@2: unexpected character after '=': '~'",
        );
        check(
            "1 !~ 1",
            "Number:1 ERROR@2: unexpected character after '!': '~'",
        );
        check(
            "1 !",
            "Number:1 ERROR@2: unexpected character after '!': '\u{FFFD}'",
        );
        check("a # comment\n+ b", "Identifier:a Add:+ Identifier:b");
        check("é", "ERROR@0: unexpected character: 'é'");
    }

    #[test]
    fn parentheses_braces_and_brackets() {
        check(
            "(1))",
            "LeftParen:( Number:1 RightParen:) ERROR@4: unexpected right parenthesis ')'",
        );
        check(
            "((1)",
            "LeftParen:( LeftParen:( Number:1 RightParen:) ERROR@4: unclosed left parenthesis",
        );
        check("{by=~\"x\", sum!=`y`}", "LeftBrace:{ Identifier:by EqlRegex:=~ String:\"x\" Comma:, Identifier:sum Neq:!= String:`y` RightBrace:}");
        check(
            "{",
            "LeftBrace:{ ERROR@1: unexpected end of input inside braces",
        );
        check("}", "ERROR@0: unexpected character: '}'");
        check("foo{a:b}", "Identifier:foo LeftBrace:{ Identifier:a ERROR@5: unexpected character inside braces: ':'");
        check(
            "x[5m:1m]",
            "Identifier:x LeftBracket:[ Duration:5m Colon:: Duration:1m RightBracket:]",
        );
        check(
            "x[ 5 : ]",
            "Identifier:x LeftBracket:[ Number:5 Colon:: RightBracket:]",
        );
        check("x[step()+1m]", "Identifier:x LeftBracket:[ Step:step LeftParen:( RightParen:) Add:+ Duration:1m RightBracket:]");
        check("x[5s x 5s]", "Identifier:x LeftBracket:[ Duration:5s ERROR@5: unexpected character: 'x', expected ':'");
        check("x[5s s 5s]", "Identifier:x LeftBracket:[ Duration:5s ERROR@5: unexpected character: 's', expected ':'");
        check(
            "x[\"5m\"]",
            "Identifier:x LeftBracket:[ ERROR@2: unexpected character in duration expression: '\"'",
        );
        check("x[:5m]", "Identifier:x LeftBracket:[ ERROR@3: unexpected colon before duration in duration expression");
        check(
            "x[",
            "Identifier:x LeftBracket:[ ERROR@2: unexpected end of input in duration expression",
        );
        check(
            "x[5m",
            "Identifier:x LeftBracket:[ Duration:5m ERROR@4: unclosed left bracket",
        );
        check("x[5m][", "Identifier:x LeftBracket:[ Duration:5m RightBracket:] LeftBracket:[ ERROR@6: unexpected end of input in duration expression");
        check("]", "ERROR@0: unexpected right bracket ']'");
    }

    #[test]
    fn strings_and_escapes() {
        check(
            r#""a\n\t\\\"\x41\101\u00e9\U0001F600""#,
            r#"String:"a\n\t\\\"\x41\101\u00e9\U0001F600""#,
        );
        check(r"'it\'s'", r"String:'it\'s'");
        check("`raw\\n\nline`", "String:`raw\\n\nline`");
        check(r#""\c""#, "ERROR@0: unknown escape sequence U+0063 'c'");
        check(
            r#""\x.""#,
            "ERROR@0: illegal character U+002E '.' in escape sequence",
        );
        check(r#""\"#, "ERROR@0: escape sequence not terminated");
        check(
            r#""\400""#,
            "ERROR@0: escape sequence is an invalid Unicode code point",
        );
        check(
            r#""\ud800""#,
            "ERROR@0: escape sequence is an invalid Unicode code point",
        );
        check("\"ab\ncd\"", "ERROR@0: unterminated quoted string");
        check("`ab", "ERROR@0: unterminated raw string");
        check("\"\u{FFFD}\"", "ERROR@0: invalid UTF-8 rune");
    }

    #[test]
    fn descriptions_follow_prometheus() {
        let input = "foo a:b 1 \"abcdefghijklmnop\" 5m + sum by ( start";
        let lexed = lex(input);
        let described: Vec<String> = lexed.tokens.iter().map(|t| t.describe(input)).collect();
        assert_eq!(
            described,
            [
                "identifier \"foo\"",
                "metric identifier \"a:b\"",
                "number \"1\"",
                "string \"\\\"abcdefghi\"...",
                "duration \"5m\"",
                "<op:+>",
                "<aggr:sum>",
                "<by>",
                "\"(\"",
                "\"start\"",
                "end of input",
            ]
        );
    }
}
