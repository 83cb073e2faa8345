//! A raw SQL condition of a `copy_objects` entry (`clause: "PatientID IN (1, 2)"`).
//!
//! The text is parsed by a real SQL parser (sqlparser, MySQL dialect) as exactly one expression,
//! checked, and rendered again from the parse tree: only the rendered text is ever sent to the
//! source, and only inside the selection's read-only snapshot. What a condition may contain is
//! an allow-list: columns, literals, comparison / arithmetic / logical operators, `IN`,
//! `BETWEEN`, `LIKE`, `REGEXP`, `IS NULL`, `CASE`, `CAST`, `INTERVAL`, subqueries that only read
//! tables, and the functions in [`FUNCTIONS`], which have no side effects.
//!
//! Refused, each with a [`ClauseError`] saying what is not allowed: `;`, `INTO`, `FOR UPDATE` /
//! `LOCK IN SHARE MODE`, variables (`@x`, `@@x`) and `:=`, comments (`--`, `#`, `/* */`, also the
//! `/*! */` that MySQL executes), unbalanced parentheses, text after the condition, `?`
//! placeholders, and any function or construct not on the list, in subqueries too.
//!
//! String literals are rendered by [`crate::sql::literal`], identifiers in backticks as written,
//! so no literal or name can end early in the rendered text.

use std::collections::HashMap;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, CastKind, Expr, FunctionArguments, Ident, InTarget, Query, Select, SetExpr,
    Statement, TableFactor, UnaryOperator, Value, ValueWithSpan, VisitMut, VisitorMut,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::sql::literal;

/// Functions a condition may call (by name, any case): MySQL / MariaDB built-ins that read
/// their arguments and nothing else. Anything else is refused: `SLEEP`, `BENCHMARK`,
/// `GET_LOCK`, `LOAD_FILE`, user-defined and stored functions, ...
pub const FUNCTIONS: &[&str] = &[
    // Comparison and flow control.
    "COALESCE",
    "GREATEST",
    "IF",
    "IFNULL",
    "INTERVAL",
    "ISNULL",
    "LEAST",
    "NULLIF",
    // Date and time.
    "ADDDATE",
    "ADDTIME",
    "CONVERT_TZ",
    "CURDATE",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURTIME",
    "DATE",
    "DATE_ADD",
    "DATE_FORMAT",
    "DATE_SUB",
    "DATEDIFF",
    "DAY",
    "DAYNAME",
    "DAYOFMONTH",
    "DAYOFWEEK",
    "DAYOFYEAR",
    "FROM_DAYS",
    "FROM_UNIXTIME",
    "HOUR",
    "LAST_DAY",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "MAKEDATE",
    "MAKETIME",
    "MICROSECOND",
    "MINUTE",
    "MONTH",
    "MONTHNAME",
    "NOW",
    "PERIOD_ADD",
    "PERIOD_DIFF",
    "QUARTER",
    "SEC_TO_TIME",
    "SECOND",
    "STR_TO_DATE",
    "SUBDATE",
    "SUBTIME",
    "SYSDATE",
    "TIME",
    "TIME_FORMAT",
    "TIME_TO_SEC",
    "TIMEDIFF",
    "TIMESTAMP",
    "TIMESTAMPADD",
    "TIMESTAMPDIFF",
    "TO_DAYS",
    "TO_SECONDS",
    "UNIX_TIMESTAMP",
    "UTC_DATE",
    "UTC_TIME",
    "UTC_TIMESTAMP",
    "WEEK",
    "WEEKDAY",
    "WEEKOFYEAR",
    "YEAR",
    "YEARWEEK",
    // Strings.
    "ASCII",
    "BIN",
    "BIT_LENGTH",
    "CHAR_LENGTH",
    "CHARACTER_LENGTH",
    "CONCAT",
    "CONCAT_WS",
    "CONV",
    "CRC32",
    "ELT",
    "FIELD",
    "FIND_IN_SET",
    "FORMAT",
    "FROM_BASE64",
    "HEX",
    "INSTR",
    "LCASE",
    "LEFT",
    "LENGTH",
    "LOCATE",
    "LOWER",
    "LPAD",
    "LTRIM",
    "MD5",
    "MID",
    "OCT",
    "OCTET_LENGTH",
    "ORD",
    "REGEXP_INSTR",
    "REGEXP_LIKE",
    "REGEXP_REPLACE",
    "REGEXP_SUBSTR",
    "REPEAT",
    "REPLACE",
    "REVERSE",
    "RIGHT",
    "RPAD",
    "RTRIM",
    "SHA1",
    "SHA2",
    "SOUNDEX",
    "SPACE",
    "STRCMP",
    "SUBSTR",
    "SUBSTRING",
    "SUBSTRING_INDEX",
    "TO_BASE64",
    "TRIM",
    "UCASE",
    "UNHEX",
    "UPPER",
    // Numbers.
    "ABS",
    "CEIL",
    "CEILING",
    "EXP",
    "FLOOR",
    "LN",
    "LOG",
    "LOG10",
    "LOG2",
    "MOD",
    "PI",
    "POW",
    "POWER",
    "ROUND",
    "SIGN",
    "SQRT",
    "TRUNCATE",
    // JSON.
    "JSON_CONTAINS",
    "JSON_CONTAINS_PATH",
    "JSON_EXTRACT",
    "JSON_KEYS",
    "JSON_LENGTH",
    "JSON_SEARCH",
    "JSON_TYPE",
    "JSON_UNQUOTE",
    "JSON_VALID",
    "JSON_VALUE",
    // Aggregates, for subqueries with GROUP BY / HAVING.
    "AVG",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
    "COUNT",
    "GROUP_CONCAT",
    "MAX",
    "MIN",
    "STD",
    "STDDEV",
    "SUM",
    "VARIANCE",
];

/// Why a raw condition was refused. Each message says what is not allowed and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClauseError {
    /// The SQL parser could not read it as an expression.
    #[error("not a valid SQL condition: {0}")]
    Syntax(String),
    /// `;`: a second statement.
    #[error("`;` ({0}) is not allowed: a clause is one condition, not statements")]
    Semicolon(String),
    /// `INTO` (`SELECT ... INTO OUTFILE`, `INTO @var`), which writes.
    #[error(
        "INTO ({0}) is not allowed: a condition selects rows, it does not write them to files or variables"
    )]
    Into(String),
    /// `FOR UPDATE`, `FOR SHARE` or `LOCK IN SHARE MODE`, which lock rows of the source.
    #[error("{what} ({at}) is not allowed: a condition must not lock rows of the source")]
    Lock {
        /// The locking clause.
        what: &'static str,
        /// Where it is.
        at: String,
    },
    /// A user or system variable, or an assignment with `:=`.
    #[error("{what} ({at}) is not allowed in a condition; write the value itself")]
    Variable {
        /// What it is: `the variable @x`, `the assignment :=`.
        what: String,
        /// Where it is.
        at: String,
    },
    /// A comment, which could hide the rest of the condition (and MySQL runs `/*! ... */`).
    #[error(
        "comments (`--`, `#`, `/* */`) are not allowed in a condition ({0}): they can hide the rest of it"
    )]
    Comment(String),
    /// A `)` that closes nothing or a `(` that is never closed.
    #[error("unbalanced parentheses: {0}")]
    Parentheses(String),
    /// More text after one complete condition.
    #[error(
        "more than one condition: {0} follows a complete condition; join conditions with AND or OR"
    )]
    Trailing(String),
    /// A function that is not in [`FUNCTIONS`].
    #[error(
        "{0}() is not allowed in a condition: it is not one of the functions known to have no side effects (date and time, string, numeric, comparison, JSON and aggregate functions)"
    )]
    Function(String),
    /// Any other construct that is not on the allow-list.
    #[error("{0} is not allowed in a condition")]
    Construct(String),
}

/// A checked condition, rendered from its parse tree: the only text of a raw clause that is
/// sent to a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    sql: String,
}

impl Condition {
    /// Parses and checks `text`: one SQL boolean expression built from allowed parts.
    pub fn parse(text: &str) -> Result<Condition, ClauseError> {
        let dialect = MySqlDialect {};
        let tokens = Tokenizer::new(&dialect, text)
            .with_unescape(true)
            .tokenize_with_location()
            .map_err(|e| ClauseError::Syntax(e.to_string()))?;
        check_tokens(&tokens, text)?;
        let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
        let mut expr = parser.parse_expr().map_err(|e| {
            let message = e.to_string();
            ClauseError::Syntax(
                message
                    .strip_prefix("sql parser error: ")
                    .unwrap_or(&message)
                    .to_owned(),
            )
        })?;
        let next = parser.peek_token();
        if next.token != Token::EOF {
            return Err(ClauseError::Trailing(format!(
                "`{}` {}",
                next.token,
                at(next.span.start)
            )));
        }
        if let ControlFlow::Break(refused) = expr.visit(&mut Checker) {
            return Err(refused);
        }
        Ok(Condition {
            sql: expr.to_string(),
        })
    }

    /// The rendered SQL text, to be put in parentheses after `WHERE`.
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

/// `at column 4`, or `at line 2, column 4` past the first line.
fn at(location: Location) -> String {
    if location.line <= 1 {
        format!("at column {}", location.column)
    } else {
        format!("at line {}, column {}", location.line, location.column)
    }
}

/// The keyword of an unquoted word.
fn keyword(token: &Token) -> Option<Keyword> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

/// The checks on the token stream, the most dangerous first; the parse tree is checked again.
fn check_tokens(tokens: &[TokenWithSpan], text: &str) -> Result<(), ClauseError> {
    let solid: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    for t in &solid {
        if t.token == Token::SemiColon {
            return Err(ClauseError::Semicolon(at(t.span.start)));
        }
    }
    for t in &solid {
        if keyword(&t.token) == Some(Keyword::INTO) {
            return Err(ClauseError::Into(at(t.span.start)));
        }
    }
    for (i, t) in solid.iter().enumerate() {
        let next = solid.get(i + 1).and_then(|n| keyword(&n.token));
        let what = match (keyword(&t.token), next) {
            (Some(Keyword::FOR), Some(Keyword::UPDATE)) => "FOR UPDATE",
            (Some(Keyword::FOR), Some(Keyword::SHARE)) => "FOR SHARE",
            (Some(Keyword::LOCK), _) => "LOCK IN SHARE MODE",
            _ => continue,
        };
        return Err(ClauseError::Lock {
            what,
            at: at(t.span.start),
        });
    }
    for t in &solid {
        let what = match &t.token {
            Token::Word(w) if w.quote_style.is_none() && w.value.contains('@') => {
                format!("the variable {}", w.value)
            }
            Token::AtSign => "the variable sign @".to_owned(),
            Token::Assignment => "the assignment :=".to_owned(),
            _ => continue,
        };
        return Err(ClauseError::Variable {
            what,
            at: at(t.span.start),
        });
    }
    check_comments(tokens, text)?;
    check_parentheses(&solid)
}

/// No comments. MySQL's `/*! ... */` reaches the parser as the tokens inside it, placed where the
/// comment starts: a token there that is not a comment gives it away, and so does the text
/// missing between tokens (all of it, for an empty `/*!*/`).
fn check_comments(tokens: &[TokenWithSpan], text: &str) -> Result<(), ClauseError> {
    let starts = char_offsets(text);
    let mut expected = Location::new(1, 1);
    for t in tokens {
        let is_comment = matches!(
            t.token,
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
            )
        );
        let source = starts
            .get(&(t.span.start.line, t.span.start.column))
            .map_or("", |&offset| &text[offset..]);
        if is_comment || source.starts_with("/*") || t.span.start != expected {
            return Err(ClauseError::Comment(at(expected.min(t.span.start))));
        }
        expected = t.span.end;
    }
    if starts.contains_key(&(expected.line, expected.column)) {
        return Err(ClauseError::Comment(at(expected)));
    }
    Ok(())
}

/// The byte offset of each character of `text` by (line, column), counted as the tokenizer
/// counts.
fn char_offsets(text: &str) -> HashMap<(u64, u64), usize> {
    let (mut line, mut column) = (1, 1);
    let mut offsets = HashMap::with_capacity(text.len());
    for (offset, c) in text.char_indices() {
        offsets.insert((line, column), offset);
        if c == '\n' {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    offsets
}

fn check_parentheses(solid: &[&TokenWithSpan]) -> Result<(), ClauseError> {
    let mut open: Vec<Span> = Vec::new();
    for t in solid {
        match t.token {
            Token::LParen => open.push(t.span),
            Token::RParen if open.pop().is_none() => {
                return Err(ClauseError::Parentheses(format!(
                    "the `)` {} closes nothing",
                    at(t.span.start)
                )));
            }
            _ => {}
        }
    }
    match open.first() {
        Some(span) => Err(ClauseError::Parentheses(format!(
            "the `(` {} is never closed",
            at(span.start)
        ))),
        None => Ok(()),
    }
}

/// Walks the parse tree: refuses what is not on the allow-list, and renders string literals
/// with [`literal`] (sqlparser's own rendering does not escape backslashes).
struct Checker;

impl VisitorMut for Checker {
    type Break = ClauseError;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<ClauseError> {
        if let Some(lock) = query.locks.first() {
            return refuse_lock(lock.to_string());
        }
        if query.with.is_some() {
            return construct("WITH (a common table expression)");
        }
        if query.for_clause.is_some()
            || query.settings.is_some()
            || query.format_clause.is_some()
            || !query.pipe_operators.is_empty()
        {
            return construct("this query clause");
        }
        check_set_expr(&query.body)
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<ClauseError> {
        if select.into.is_some() {
            return ControlFlow::Break(ClauseError::Into("in a subquery".into()));
        }
        if !select.optimizer_hints.is_empty() {
            return ControlFlow::Break(ClauseError::Comment("an optimizer hint".into()));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, table: &mut TableFactor) -> ControlFlow<ClauseError> {
        match table {
            TableFactor::Table { args: None, .. }
            | TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. } => ControlFlow::Continue(()),
            _ => construct("a table function or this kind of table reference"),
        }
    }

    fn pre_visit_statement(&mut self, _: &mut Statement) -> ControlFlow<ClauseError> {
        construct("a statement")
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<ClauseError> {
        match ident.quote_style {
            None if ident.value.contains('@') => ControlFlow::Break(ClauseError::Variable {
                what: format!("the variable {}", ident.value),
                at: at(ident.span.start),
            }),
            None => ControlFlow::Continue(()),
            Some('`') if !ident.value.contains('`') => ControlFlow::Continue(()),
            Some(_) => construct(&format!(
                "the name {:?} (a quoted name with a backtick in it)",
                ident.value
            )),
        }
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<ClauseError> {
        check_expr(expr)
    }

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<ClauseError> {
        let rendered = match &value.value {
            Value::Number(..) | Value::Boolean(_) | Value::Null => return ControlFlow::Continue(()),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => literal(s),
            Value::NationalStringLiteral(s) => format!("N{}", literal(s)),
            Value::HexStringLiteral(s) if s.is_empty() => "X''".to_owned(),
            Value::HexStringLiteral(s) if s.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("0x{s}")
            }
            Value::SingleQuotedByteStringLiteral(s) if s.chars().all(|c| c == '0' || c == '1') => {
                format!("b'{s}'")
            }
            Value::Placeholder(p) => {
                return construct(&format!(
                    "the placeholder {p} ({}); write the value itself",
                    at(value.span.start)
                ));
            }
            other => return construct(&format!("the literal {other}")),
        };
        // A placeholder is rendered as its text, verbatim.
        value.value = Value::Placeholder(rendered);
        ControlFlow::Continue(())
    }
}

fn construct(what: &str) -> ControlFlow<ClauseError> {
    ControlFlow::Break(ClauseError::Construct(what.to_owned()))
}

fn refuse_lock(clause: String) -> ControlFlow<ClauseError> {
    let what = if clause.contains("SHARE") {
        "FOR SHARE"
    } else {
        "FOR UPDATE"
    };
    ControlFlow::Break(ClauseError::Lock {
        what,
        at: "in a subquery".into(),
    })
}

/// A query body may select, combine selects (`UNION`) and list rows (`VALUES`), nothing else.
fn check_set_expr(body: &SetExpr) -> ControlFlow<ClauseError> {
    match body {
        SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::Values(_) => ControlFlow::Continue(()),
        SetExpr::SetOperation { left, right, .. } => {
            check_set_expr(left)?;
            check_set_expr(right)
        }
        _ => construct("a statement"),
    }
}

fn check_expr(expr: &Expr) -> ControlFlow<ClauseError> {
    match expr {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::Between { .. }
        | Expr::RLike { .. }
        | Expr::Extract { .. }
        | Expr::Ceil { .. }
        | Expr::Floor { .. }
        | Expr::Position { .. }
        | Expr::Substring { .. }
        | Expr::Trim { .. }
        | Expr::Collate { .. }
        | Expr::Nested(_)
        | Expr::Value(_)
        | Expr::TypedString(_)
        | Expr::Case { .. }
        | Expr::Exists { .. }
        | Expr::Subquery(_)
        | Expr::Tuple(_)
        | Expr::Interval(_) => ControlFlow::Continue(()),
        Expr::In { target, .. } => match target {
            InTarget::List(_) | InTarget::Subquery(_) => ControlFlow::Continue(()),
            _ => construct("this kind of IN"),
        },
        Expr::Like { any: false, .. } => ControlFlow::Continue(()),
        Expr::Cast {
            kind: CastKind::Cast,
            format: None,
            ..
        } => ControlFlow::Continue(()),
        Expr::Convert { is_try: false, .. } => ControlFlow::Continue(()),
        Expr::BinaryOp { op, .. } => check_binary(op),
        Expr::UnaryOp { op, .. } => match op {
            UnaryOperator::Plus
            | UnaryOperator::Minus
            | UnaryOperator::Not
            | UnaryOperator::BitwiseNot => ControlFlow::Continue(()),
            other => construct(&format!("the operator {other}")),
        },
        Expr::Function(f) => {
            let name = f.name.to_string();
            let plain = f.name.0.len() == 1
                && f.name.0[0]
                    .as_ident()
                    .is_some_and(|i| i.quote_style.is_none());
            let known = plain && FUNCTIONS.contains(&name.to_ascii_uppercase().as_str());
            if !known {
                return ControlFlow::Break(ClauseError::Function(name));
            }
            if !matches!(f.parameters, FunctionArguments::None) {
                return construct(&format!("{name}() with parameters"));
            }
            ControlFlow::Continue(())
        }
        other => construct(&format!("the expression `{other}`")),
    }
}

fn check_binary(op: &BinaryOperator) -> ControlFlow<ClauseError> {
    match op {
        BinaryOperator::Plus
        | BinaryOperator::Minus
        | BinaryOperator::Multiply
        | BinaryOperator::Divide
        | BinaryOperator::Modulo
        | BinaryOperator::MyIntegerDivide
        | BinaryOperator::StringConcat
        | BinaryOperator::Gt
        | BinaryOperator::Lt
        | BinaryOperator::GtEq
        | BinaryOperator::LtEq
        | BinaryOperator::Spaceship
        | BinaryOperator::Eq
        | BinaryOperator::NotEq
        | BinaryOperator::And
        | BinaryOperator::Or
        | BinaryOperator::Xor
        | BinaryOperator::BitwiseOr
        | BinaryOperator::BitwiseAnd
        | BinaryOperator::BitwiseXor
        | BinaryOperator::PGBitwiseShiftLeft
        | BinaryOperator::PGBitwiseShiftRight => ControlFlow::Continue(()),
        BinaryOperator::Assignment => ControlFlow::Break(ClauseError::Variable {
            what: "the assignment :=".into(),
            at: "in the condition".into(),
        }),
        other => construct(&format!("the operator {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> String {
        match Condition::parse(text) {
            Ok(c) => c.sql,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn refused(text: &str) -> ClauseError {
        match Condition::parse(text) {
            Ok(c) => panic!("{text}: accepted as {}", c.sql),
            Err(e) => e,
        }
    }

    #[test]
    fn ordinary_conditions_render_again() {
        let cases = [
            (
                "StudyDate >= '2020-01-01' AND StudyID < 20",
                "StudyDate >= '2020-01-01' AND StudyID < 20",
            ),
            ("PatientID IN (1,2,3)", "PatientID IN (1, 2, 3)"),
            ("`Patient`.`PatientID` = 3", "`Patient`.`PatientID` = 3"),
            (
                "PatientID IN (SELECT PatientID FROM Patient WHERE ProjectID = 3)",
                "PatientID IN (SELECT PatientID FROM Patient WHERE ProjectID = 3)",
            ),
            ("x BETWEEN 1 AND 5", "x BETWEEN 1 AND 5"),
            (
                "Name LIKE 'P%' OR Name IS NULL",
                "Name LIKE 'P%' OR Name IS NULL",
            ),
            ("DATE(Created) < NOW()", "DATE(Created) < NOW()"),
            (
                "StudyDate > CURDATE() - INTERVAL 30 DAY",
                "StudyDate > CURDATE() - INTERVAL 30 DAY",
            ),
            ("x = \"it's\"", "x = 'it''s'"),
            ("x = 'a\\\\b'", "x = 'a\\\\b'"),
            (
                "NOT EXISTS (SELECT 1 FROM T WHERE T.a = b)",
                "NOT EXISTS (SELECT 1 FROM T WHERE T.a = b)",
            ),
            ("x = 0x1F", "x = 0x1F"),
            ("CAST(x AS CHAR) = '1'", "CAST(x AS CHAR) = '1'"),
        ];
        for (text, expected) in cases {
            assert_eq!(sql(text), expected, "{text}");
        }
    }

    #[test]
    fn conditions_over_several_lines_are_no_comments() {
        assert_eq!(
            sql("PatientID = 1\r\n  AND Name = 'a\nb'\n\tOR x IS NULL"),
            "PatientID = 1 AND Name = 'a\nb' OR x IS NULL"
        );
        assert_eq!(
            refused("PatientID = 1\n-- OR 1=1"),
            ClauseError::Comment("at line 2, column 1".into())
        );
    }

    #[test]
    fn a_trailing_backslash_cannot_end_a_literal_early() {
        // sqlparser renders the value `x\` as 'x\', which MySQL reads as an unterminated
        // string that swallows what follows.
        assert_eq!(
            sql("Name = 'x\\\\' OR Name = ') INTO OUTFILE ''/tmp/y'' -- '"),
            "Name = 'x\\\\' OR Name = ') INTO OUTFILE ''/tmp/y'' -- '"
        );
    }

    #[test]
    fn the_outfile_injection_is_refused() {
        assert_eq!(
            refused("1=1) INTO OUTFILE '/tmp/x.txt' -- "),
            ClauseError::Into("at column 6".into())
        );
    }

    #[test]
    fn each_refused_construct_has_its_error() {
        use ClauseError::*;
        let lock = |what, at: &str| Lock {
            what,
            at: at.into(),
        };
        let variable = |what: &str, at: &str| Variable {
            what: what.into(),
            at: at.into(),
        };
        let cases = [
            ("1=1; DROP TABLE Patient", Semicolon("at column 4".into())),
            (
                "x IN (SELECT a INTO @v FROM t)",
                Into("at column 16".into()),
            ),
            (
                "x IN (SELECT a FROM t INTO OUTFILE '/tmp/x')",
                Into("at column 23".into()),
            ),
            (
                "x IN (SELECT a FROM t FOR UPDATE)",
                lock("FOR UPDATE", "at column 23"),
            ),
            (
                "x IN (SELECT a FROM t FOR SHARE)",
                lock("FOR SHARE", "at column 23"),
            ),
            (
                "x IN (SELECT a FROM t LOCK IN SHARE MODE)",
                lock("LOCK IN SHARE MODE", "at column 23"),
            ),
            ("x = @v", variable("the variable @v", "at column 5")),
            (
                "x = @@version",
                variable("the variable @@version", "at column 5"),
            ),
            ("(@v := 1) = 1", variable("the variable @v", "at column 2")),
            ("x = (y := 1)", variable("the assignment :=", "at column 8")),
            ("x = 1 -- and the rest", Comment("at column 7".into())),
            ("x = 1 # and the rest", Comment("at column 7".into())),
            ("x = /* y */ 1", Comment("at column 5".into())),
            ("x = 1 /*! OR 1=1 */", Comment("at column 7".into())),
            ("x = 1 /*!*/", Comment("at column 7".into())),
            ("x = /*!50000 1 */ 1", Comment("at column 5".into())),
            (
                "(x = 1",
                Parentheses("the `(` at column 1 is never closed".into()),
            ),
            (
                "x = 1)",
                Parentheses("the `)` at column 6 closes nothing".into()),
            ),
            (
                "1=1) OR (1=1",
                Parentheses("the `)` at column 4 closes nothing".into()),
            ),
            ("x = 1 y = 2", Trailing("`y` at column 7".into())),
            (
                "x = 1 UNION SELECT 1",
                Trailing("`UNION` at column 7".into()),
            ),
            ("SLEEP(5) = 0", Function("SLEEP".into())),
            (
                "BENCHMARK(1000000, MD5('a')) = 0",
                Function("BENCHMARK".into()),
            ),
            ("GET_LOCK('l', 10) = 1", Function("GET_LOCK".into())),
            ("RELEASE_LOCK('l') = 1", Function("RELEASE_LOCK".into())),
            (
                "LOAD_FILE('/etc/passwd') IS NOT NULL",
                Function("LOAD_FILE".into()),
            ),
            ("sys_exec('touch /tmp/x') = 0", Function("sys_exec".into())),
            ("eyened.myfunc(1) = 0", Function("eyened.myfunc".into())),
            ("`DATE`(x) = 0", Function("`DATE`".into())),
            ("x IN (SELECT SLEEP(1) FROM t)", Function("SLEEP".into())),
            (
                "EXISTS (SELECT 1 FROM t WHERE LOAD_FILE(a) IS NULL)",
                Function("LOAD_FILE".into()),
            ),
            (
                "x = ?",
                Construct("the placeholder ? (at column 5); write the value itself".into()),
            ),
            (
                "x IN (WITH c AS (SELECT 1) SELECT * FROM c)",
                Construct("WITH (a common table expression)".into()),
            ),
            (
                "x = `a``b`",
                Construct("the name \"a`b\" (a quoted name with a backtick in it)".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(refused(text), expected, "{text}");
        }
    }

    #[test]
    fn messages_say_what_is_not_allowed() {
        let message = |text: &str| refused(text).to_string();
        assert_eq!(
            message("1=1) INTO OUTFILE '/tmp/x.txt' -- "),
            "INTO (at column 6) is not allowed: a condition selects rows, it does not write them to files or variables"
        );
        assert!(message("SLEEP(1)").starts_with("SLEEP() is not allowed in a condition: "));
        assert!(message("PatientID IN (1, 2").starts_with("unbalanced parentheses"));
        assert!(message("PatientID IN (1, 2,)").starts_with("not a valid SQL condition: "));
    }

    #[test]
    fn deep_nesting_fails_without_overflowing_a_small_stack() {
        let text = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let result = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || Condition::parse(&text))
            .unwrap()
            .join()
            .unwrap();
        assert!(matches!(result, Err(ClauseError::Syntax(_))), "{result:?}");
    }
}
