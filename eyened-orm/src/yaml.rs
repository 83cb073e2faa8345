//! Reading YAML (the mirror's transfer config, import files) with serde-saphyr, under limits that
//! hostile files run into quickly, with one-line error messages.
//!
//! The reading is the one serde_yaml did before: YAML 1.2 scalars (only `true` / `false` are
//! booleans, not `yes` / `on`; `0755` and `1_000` stay strings; `.nan` / `.inf` are passed on as
//! floats) and `<<` is an ordinary key. A UTF-8 byte-order mark at the start is skipped.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::granit_parser::ErrorKind;
use serde_saphyr::{
    Budget, DuplicateKeyPolicy, ExternalMessageSource, MergeKeyPolicy, NonFiniteFloatPolicy,
    Options, SnippetMode, UserMessageFormatter,
};

/// What a kind of YAML file may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How deep mappings and sequences may nest.
    pub depth: usize,
    /// What the file is, for messages: "a transfer config".
    pub what: &'static str,
    /// The file may be large (hundreds of thousands of nodes): no caps on events, nodes and
    /// scalar bytes, only on depth and alias expansion.
    pub large: bool,
    /// A key given twice reaches the visitor (which reports it itself) instead of failing.
    pub duplicate_keys_pass: bool,
}

/// Why a YAML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// Not YAML, or not what the visitor wanted: the message with line and column.
    Syntax(String),
    /// Nested deeper than [`Limits::depth`], or over another size limit: names the limit.
    Limit(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Syntax(m) | ReadError::Limit(m) => f.write_str(m),
        }
    }
}

/// The serde-saphyr options for `limits`.
pub(crate) fn options(limits: &Limits) -> Options {
    let mut budget = Budget::default();
    budget.max_depth = limits.depth;
    // The scanner's own limit for `[[[...` comes before the depth budget sees the events; equal
    // limits give the same message either way.
    budget.flow_nesting_limit = limits.depth;
    if limits.large {
        budget.max_events = usize::MAX;
        budget.max_nodes = usize::MAX;
        budget.max_total_scalar_bytes = usize::MAX;
        budget.max_reader_input_bytes = None;
    }
    serde_saphyr::options! {
        budget: Some(budget),
        duplicate_keys: if limits.duplicate_keys_pass {
            DuplicateKeyPolicy::PassThrough
        } else {
            DuplicateKeyPolicy::Error
        },
        merge_keys: MergeKeyPolicy::AsOrdinary,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

/// `err` as a [`ReadError`] on one line, with the line and column where it has them. Messages
/// quote at most a key or a character of the input, never a line of it.
pub(crate) fn read_error(err: &serde_saphyr::Error, limits: &Limits) -> ReadError {
    let err = err.without_snippet();
    let position = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
        .unwrap_or_default();
    let too_deep = match err {
        serde_saphyr::Error::Budget { breach, .. } => matches!(breach, BudgetBreach::Depth { .. }),
        serde_saphyr::Error::ExternalMessage { source, .. } => matches!(
            source.as_ref(),
            ExternalMessageSource::Parser(scan) if *scan.kind() == ErrorKind::RecursionLimitExceeded
        ),
        _ => false,
    };
    if too_deep {
        return ReadError::Limit(format!(
            "nested more than {} levels deep (the limit for {}){position}",
            limits.depth, limits.what
        ));
    }
    let message = err.render_with_options(serde_saphyr::render_options! {
        formatter: &UserMessageFormatter,
        snippets: SnippetMode::Off,
    });
    let message = one_line(&message);
    match err {
        serde_saphyr::Error::Budget { .. } => ReadError::Limit(message),
        _ => ReadError::Syntax(message),
    }
}

/// `text` on one line: runs of whitespace become one space, other control characters are
/// escaped.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// A YAML document as a tree, keys in the order written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX` that fits `u64`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    Sequence(Vec<Value>),
    /// A mapping; a key given twice is refused while reading.
    Mapping(Vec<(Value, Value)>),
}

impl Value {
    /// Reads `text` as one document.
    pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Value, ReadError> {
        serde_saphyr::from_str_with_options(text, options(limits))
            .map_err(|e| read_error(&e, limits))
    }

    /// What kind of value this is, for messages: "a list".
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// The entries of a mapping.
    pub(crate) fn as_mapping(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number as its decimal text (YAML reads `user: 1234` as a number).
    pub(crate) fn number_text(&self) -> Option<String> {
        match self {
            Value::Int(i) => Some(i.to_string()),
            Value::UInt(u) => Some(u.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }
}

/// The value of `key` in `entries`.
pub(crate) fn get<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::UInt(v), Value::Int))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Value::Int(i),
            (_, Ok(u)) => Value::UInt(u),
            _ => Value::Float(v as f64),
        })
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Value::Int(i),
            (_, Ok(u)) => Value::UInt(u),
            _ => Value::Float(v as f64),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Value::Mapping(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        depth: 8,
        what: "a test file",
        large: false,
        duplicate_keys_pass: false,
    };

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        assert_eq!(
            Value::parse("\u{feff}a: 1\n", &LIMITS),
            Value::parse("a: 1\n", &LIMITS)
        );
        assert_eq!(
            Value::parse("\u{feff}a: 1\n", &LIMITS).unwrap(),
            Value::Mapping(vec![(Value::String("a".into()), Value::Int(1))])
        );
    }

    #[test]
    fn scalars_read_as_yaml_1_2() {
        let value = Value::parse(
            "[yes, on, true, '1', 0755, 1_000, 0x1F, -3, 18446744073709551615, 1.5, ~]",
            &LIMITS,
        )
        .unwrap();
        let s = |t: &str| Value::String(t.into());
        assert_eq!(
            value,
            Value::Sequence(vec![
                s("yes"),
                s("on"),
                Value::Bool(true),
                s("1"),
                s("0755"),
                s("1_000"),
                Value::Int(31),
                Value::Int(-3),
                Value::UInt(u64::MAX),
                Value::Float(1.5),
                Value::Null,
            ])
        );
    }

    #[test]
    fn depth_over_the_limit_names_the_limit() {
        for text in [
            format!("a: {}{}", "[".repeat(50_000), "]".repeat(50_000)),
            format!("a: {}1{}", "{b: ".repeat(20), "}".repeat(20)),
            (0..20)
                .map(|i| format!("{}- \n", " ".repeat(2 * i)))
                .collect(),
        ] {
            match Value::parse(&text, &LIMITS) {
                Err(ReadError::Limit(m)) => assert!(
                    m.starts_with(
                        "nested more than 8 levels deep (the limit for a test file) at line "
                    ),
                    "{m}"
                ),
                other => panic!("{other:?}"),
            }
        }
        let nine: String = (0..7)
            .map(|i| format!("{}- \n", " ".repeat(2 * i)))
            .collect();
        assert!(Value::parse(&nine, &LIMITS).is_ok());
    }

    #[test]
    fn errors_are_one_line_with_a_position() {
        let err = Value::parse("a: 1\na: 2\n", &LIMITS).unwrap_err();
        assert_eq!(
            err,
            ReadError::Syntax(
                "duplicate mapping key `a` is not allowed here at line 2, column 1".into()
            )
        );
        let err = Value::parse("source: [unclosed\ntarget: {\n", &LIMITS).unwrap_err();
        assert!(err.to_string().contains(" at line 2, column "), "{err}");
        assert!(!err.to_string().contains('\n'));
        assert_eq!(one_line("a\n  b\tc\u{1}"), "a b c\\u{1}");
    }
}
