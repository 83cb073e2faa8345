//! Reading an import file (JSON, YAML or flat CSV) into the nested form, checking every value
//! against the column it is meant for. Problems are collected, not raised, each with its
//! position in the file.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use sea_orm::Value;
use serde::Deserialize;
use serde::de::value::{
    I128Deserializer, MapAccessDeserializer, SeqAccessDeserializer, U128Deserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Unexpected, Visitor,
};
use serde_json::Value as Json;

use super::{ImportError, InputProblem};
use crate::schema::{SqlType, Table};
use crate::yaml;

/// The input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document: a list of items (or `{"items": [...]}`), each a patient of a project
    /// with nested studies, series and images.
    Json,
    /// The same tree as YAML.
    Yaml,
    /// Flat CSV: one row per image, its project, patient, study and series in columns.
    Csv,
}

impl Format {
    /// The format a file name implies: `.json`, `.yaml`/`.yml`, `.csv`.
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// A column value from the input, checked and converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// The column name as the table spells it.
    pub column: &'static str,
    /// The value in the column's type: `BigInt` for every integer type, `String` for texts,
    /// enums (canonical spelling) and JSON (compact text), `Bytes` for binary types, and a
    /// typed `None` for `null`.
    pub value: Value,
}

/// Where a node is in the input: its indexes in the nested form, or the CSV line it was first
/// given on. Positions are rendered as text only for problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum At {
    /// `items[i]`.
    Item(u32),
    /// `items[i].studies[j]`.
    Study(u32, u32),
    /// `items[i].studies[j].series[k]`.
    Series(u32, u32, u32),
    /// `items[i].studies[j].series[k].images[l]`.
    Image(u32, u32, u32, u32),
    /// A CSV line, counted from 1 with the header as line 1 (the first row is line 2).
    Line(u32),
}

impl At {
    /// The position of `key` of this node: `items[0].studies[1].study_date`, or `line 5, column
    /// study_date`.
    pub fn field(self, key: &str) -> String {
        match self {
            At::Line(n) => format!("line {n}, column {key}"),
            other => format!("{other}.{key}"),
        }
    }

    /// The position of the prop `column` of this node.
    pub fn prop(self, column: &str) -> String {
        match self {
            At::Line(_) => self.field(column),
            other => other.field(&format!("props.{column}")),
        }
    }

    /// The position of this node's props as a whole (a CSV line gives them in its columns).
    pub fn props(self) -> String {
        match self {
            At::Line(_) => self.to_string(),
            other => format!("{other}.props"),
        }
    }

    /// The position of the element `index` of this node's list of children (`studies`,
    /// `series`, `images`); a CSV line stays itself.
    fn child(self, index: usize) -> At {
        let i = u32::try_from(index).unwrap_or(u32::MAX);
        match self {
            At::Item(a) => At::Study(a, i),
            At::Study(a, b) => At::Series(a, b, i),
            At::Series(a, b, c) | At::Image(a, b, c, _) => At::Image(a, b, c, i),
            At::Line(n) => At::Line(n),
        }
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            At::Item(a) => write!(f, "items[{a}]"),
            At::Study(a, b) => write!(f, "items[{a}].studies[{b}]"),
            At::Series(a, b, c) => write!(f, "items[{a}].studies[{b}].series[{c}]"),
            At::Image(a, b, c, d) => {
                write!(f, "items[{a}].studies[{b}].series[{c}].images[{d}]")
            }
            At::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// An item: one patient of one project.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemIn {
    /// Where the item is given (in a CSV, its first line).
    pub at: At,
    /// `Project.ProjectName`, matched ignoring case; required (empty when missing, which is a
    /// problem).
    pub project_name: String,
    /// `Patient.PatientIdentifier` within the project (or the `PatientIdentifier` prop).
    /// `None`: the patient is that of the item's first existing image, else (with
    /// `create_patients`) a new one with a random identifier.
    pub patient_identifier: Option<String>,
    /// Columns of the new `Patient` row (ignored, with a warning, if it exists).
    pub props: Vec<Prop>,
    /// The patient's studies.
    pub studies: Vec<StudyIn>,
}

/// A study of an item's patient.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyIn {
    /// Where the study is given (in a CSV, its first line).
    pub at: At,
    /// `Study.StudyDate`, the study's key within its patient. `None`: the `StudyDate` prop,
    /// else [`Options::default_study_date`](super::Options::default_study_date).
    pub study_date: Option<NaiveDate>,
    /// Columns of the new `Study` row (ignored, with a warning, if it exists).
    pub props: Vec<Prop>,
    /// The study's series.
    pub series: Vec<SeriesIn>,
}

/// A series of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesIn {
    /// Where the series is given (in a CSV, its first line).
    pub at: At,
    /// `Series.SeriesInstanceUid` (or the `SeriesInstanceUid` prop). `None`: the series is
    /// that of its first existing image, else (with `create_series`) a new one without a UID.
    pub series_id: Option<String>,
    /// Columns of the new `Series` row (ignored, with a warning, if it exists).
    pub props: Vec<Prop>,
    /// The series' images.
    pub images: Vec<ImageIn>,
}

/// An image of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageIn {
    /// Where the image is given.
    pub at: At,
    /// The path as given: relative to the images base path, or absolute inside it. Stored,
    /// relative and with `/`, as `DatasetIdentifier`; the file must exist.
    pub image: String,
    /// Columns of the new `ImageInstance` row (ignored if it exists).
    pub props: Vec<Prop>,
}

/// The tables whose columns `props` may name, from the entities.
pub struct Tables {
    /// `Patient`, for item props.
    pub patient: &'static Table,
    /// `Study`, for study props.
    pub study: &'static Table,
    /// `Series`, for series props.
    pub series: &'static Table,
    /// `ImageInstance`, for image props.
    pub image: &'static Table,
}

/// Columns the importer sets itself; naming them in `props` is a mistake. `column` is spelled
/// as the table spells it.
fn reserved(table: &str, column: &str) -> Option<&'static str> {
    match (table, column) {
        ("Patient", "PatientID")
        | ("Study", "StudyID")
        | ("Series", "SeriesID")
        | ("ImageInstance", "ImageInstanceID") => {
            Some("the primary key is assigned by the database")
        }
        ("Patient", "ProjectID") => Some("set from project_name"),
        ("Study", "PatientID") => Some("set from the item's patient"),
        ("Series", "StudyID") => Some("set from the study"),
        ("ImageInstance", "SeriesID") => Some("set from the series"),
        ("ImageInstance", "DatasetIdentifier") => Some("set from `image`"),
        _ => None,
    }
}

/// The column named `name`: exact spelling first (the common case, and cheap), then ignoring
/// case as the server does.
fn column(table: &'static Table, name: &str) -> Option<&'static crate::schema::Column> {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .or_else(|| table.get_column(name))
}

/// A raw value: from JSON/YAML, or a CSV cell.
#[derive(Clone, Copy)]
pub enum Raw<'a> {
    /// A JSON or YAML value; `null` is SQL `NULL`.
    Json(&'a Json),
    /// A CSV cell, parsed from its text; never `NULL` (an empty cell is not given at all).
    Text(&'a str),
}

/// Converts `raw` for `column` of `table`: the type, range, length and enum value checked.
/// `at` gives the position for a problem.
pub fn convert(
    table: &'static Table,
    column: &str,
    raw: Raw<'_>,
    at: impl FnOnce() -> String,
) -> Result<Prop, InputProblem> {
    let problem = |message: String| InputProblem { at: at(), message };
    let Some(col) = self::column(table, column) else {
        return Err(problem(format!("{} has no column {column}", table.name)));
    };
    if let Some(why) = reserved(&table.name, &col.name) {
        return Err(problem(format!(
            "{}.{} cannot be given in props: {why}",
            table.name, col.name
        )));
    }
    let is_null = match raw {
        Raw::Json(v) => v.is_null(),
        Raw::Text(_) => false,
    };
    let value = if is_null {
        if !col.nullable {
            return Err(problem(format!(
                "{}.{} cannot be null",
                table.name, col.name
            )));
        }
        null_of(&col.sql_type)
    } else {
        convert_value(&col.sql_type, raw).map_err(|e| {
            problem(format!(
                "{} for {}.{} ({})",
                e, table.name, col.name, col.sql_type
            ))
        })?
    };
    Ok(Prop {
        column: col.name.as_str(),
        value,
    })
}

fn null_of(ty: &SqlType) -> Value {
    match ty {
        SqlType::Bool => Value::Bool(None),
        t if t.is_integer() => Value::BigInt(None),
        SqlType::Float => Value::Float(None),
        SqlType::Double => Value::Double(None),
        SqlType::Date => Value::ChronoDate(None),
        SqlType::DateTime | SqlType::Timestamp => Value::ChronoDateTime(None),
        SqlType::Json => Value::Json(None),
        SqlType::Binary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::Blob
        | SqlType::MediumBlob
        | SqlType::LongBlob => Value::Bytes(None),
        _ => Value::String(None),
    }
}

fn describe(raw: Raw<'_>) -> String {
    match raw {
        Raw::Json(Json::String(s)) => format!("'{s}'"),
        Raw::Text(s) => format!("'{s}'"),
        Raw::Json(Json::Bool(b)) => format!("boolean {b}"),
        Raw::Json(Json::Number(n)) => format!("number {n}"),
        Raw::Json(Json::Array(_)) => "a list".to_owned(),
        Raw::Json(Json::Object(_)) => "an object".to_owned(),
        Raw::Json(Json::Null) => "null".to_owned(),
    }
}

/// Converts a value (not null) for a column of type `ty`; `Err` says what is wrong with it.
fn convert_value(ty: &SqlType, raw: Raw<'_>) -> Result<Value, String> {
    match ty {
        SqlType::Bool => convert_bool(raw),
        t if t.is_integer() => convert_integer(t, raw),
        SqlType::Float | SqlType::Double | SqlType::Decimal { .. } => convert_float(ty, raw),
        SqlType::Char(n) | SqlType::Varchar(n) => {
            let s = text(raw)?;
            let len = s.chars().count();
            if len > *n as usize {
                return Err(format!(
                    "a text of {len} characters is too long (at most {n})"
                ));
            }
            Ok(Value::String(Some(s.to_owned())))
        }
        SqlType::TinyText | SqlType::Text | SqlType::MediumText | SqlType::LongText => {
            let s = text(raw)?;
            let max = match ty {
                SqlType::TinyText => 255,
                SqlType::Text => 65_535,
                SqlType::MediumText => 16_777_215,
                _ => usize::MAX,
            };
            if s.len() > max {
                return Err(format!(
                    "a text of {} bytes is too long (at most {max})",
                    s.len()
                ));
            }
            Ok(Value::String(Some(s.to_owned())))
        }
        SqlType::Enum(values) => convert_enum(values, raw),
        SqlType::Date => {
            let s = text(raw)?;
            parse_date(s)
                .map(|d| Value::ChronoDate(Some(d)))
                .ok_or_else(|| format!("{} is not a date (YYYY-MM-DD)", describe(raw)))
        }
        SqlType::DateTime | SqlType::Timestamp => {
            let s = text(raw)?;
            parse_datetime(s)
                .map(|d| Value::ChronoDateTime(Some(d)))
                .ok_or_else(|| {
                    format!(
                        "{} is not a date and time (YYYY-MM-DD HH:MM:SS)",
                        describe(raw)
                    )
                })
        }
        SqlType::Json => convert_json(raw),
        SqlType::Binary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::Blob
        | SqlType::MediumBlob
        | SqlType::LongBlob => convert_bytes(ty, raw),
        _ => text(raw).map(|s| Value::String(Some(s.to_owned()))),
    }
}

/// The problem of a value that does not fit the column's type at all.
fn not_valid(raw: Raw<'_>) -> String {
    format!("{} is not a valid value", describe(raw))
}

/// The text of a JSON string or a CSV cell; any other value is [`not_valid`] where a text is
/// expected.
fn text(raw: Raw<'_>) -> Result<&str, String> {
    match raw {
        Raw::Json(Json::String(s)) => Ok(s.as_str()),
        Raw::Text(s) => Ok(s),
        _ => Err(not_valid(raw)),
    }
}

/// A boolean: JSON `true`/`false`, `0`/`1`, or the text `1`, `true`, `yes`, `0`, `false`, `no`
/// (in any case).
fn convert_bool(raw: Raw<'_>) -> Result<Value, String> {
    match raw {
        Raw::Json(Json::Bool(b)) => Ok(Value::Bool(Some(*b))),
        Raw::Json(Json::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Ok(Value::Bool(Some(n.as_i64() == Some(1))))
        }
        Raw::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Ok(Value::Bool(Some(true))),
            "0" | "false" | "no" => Ok(Value::Bool(Some(false))),
            _ => Err(not_valid(raw)),
        },
        _ => Err(not_valid(raw)),
    }
}

/// An integer within the range of the integer type `t`.
fn convert_integer(t: &SqlType, raw: Raw<'_>) -> Result<Value, String> {
    let n = match raw {
        Raw::Json(Json::Number(n)) => n.as_i64(),
        Raw::Text(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| not_valid(raw))?;
    let (lo, hi) = integer_range(t);
    if n < lo || n > hi {
        return Err(format!("{n} is out of range"));
    }
    Ok(Value::BigInt(Some(n)))
}

/// The smallest and largest values of the integer type `t` (those of `i64` for `BIGINT`).
fn integer_range(t: &SqlType) -> (i64, i64) {
    match t {
        SqlType::TinyInt { unsigned: false } => (i8::MIN.into(), i8::MAX.into()),
        SqlType::TinyInt { unsigned: true } => (0, u8::MAX.into()),
        SqlType::SmallInt { unsigned: false } => (i16::MIN.into(), i16::MAX.into()),
        SqlType::SmallInt { unsigned: true } => (0, u16::MAX.into()),
        SqlType::MediumInt { unsigned: false } => (-(1 << 23), (1 << 23) - 1),
        SqlType::MediumInt { unsigned: true } => (0, (1 << 24) - 1),
        SqlType::Int { unsigned: false } => (i32::MIN.into(), i32::MAX.into()),
        SqlType::Int { unsigned: true } => (0, u32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    }
}

/// A finite number for a `FLOAT` (within its range), `DOUBLE` or `DECIMAL` column (`ty`).
fn convert_float(ty: &SqlType, raw: Raw<'_>) -> Result<Value, String> {
    let f = match raw {
        Raw::Json(Json::Number(n)) => n.as_f64(),
        Raw::Text(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
    .ok_or_else(|| not_valid(raw))?;
    if *ty == SqlType::Float {
        if f.abs() > f64::from(f32::MAX) {
            return Err(format!("{f} is out of range for a single-precision float"));
        }
        Ok(Value::Float(Some(f as f32)))
    } else {
        Ok(Value::Double(Some(f)))
    }
}

/// One of the enum's `values`, in its canonical spelling.
fn convert_enum(values: &[String], raw: Raw<'_>) -> Result<Value, String> {
    let s = text(raw)?;
    // The server matches ENUM literals case-insensitively; store the canonical spelling.
    match values.iter().find(|v| v.eq_ignore_ascii_case(s.trim())) {
        Some(v) => Ok(Value::String(Some(v.clone()))),
        None => Err(format!(
            "{} is not one of {}",
            describe(raw),
            values.join(", ")
        )),
    }
}

/// A JSON value, kept as its compact text: what the column stores, and a fraction of the memory
/// of a parsed document per row. A CSV cell must hold valid JSON.
fn convert_json(raw: Raw<'_>) -> Result<Value, String> {
    let json = match raw {
        Raw::Json(v) => v.to_string(),
        Raw::Text(s) => serde_json::from_str::<Json>(s)
            .map_err(|e| format!("{} is not valid JSON: {e}", describe(raw)))?
            .to_string(),
    };
    Ok(Value::String(Some(json)))
}

/// Bytes given in hexadecimal, no more than the binary or blob type `ty` holds.
fn convert_bytes(ty: &SqlType, raw: Raw<'_>) -> Result<Value, String> {
    let s = text(raw)?;
    let bytes = parse_hex(s)
        .ok_or_else(|| format!("{} is not hexadecimal bytes (e.g. 0a1b2c)", describe(raw)))?;
    let max = match ty {
        SqlType::Binary(n) | SqlType::VarBinary(n) => *n as usize,
        SqlType::TinyBlob => 255,
        SqlType::Blob => 65_535,
        SqlType::MediumBlob => 16_777_215,
        _ => usize::MAX,
    };
    if bytes.len() > max {
        return Err(format!("{} bytes is too long (at most {max})", bytes.len()));
    }
    Ok(Value::Bytes(Some(bytes)))
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// `YYYY-MM-DD HH:MM:SS` or with a `T`; fractional seconds are accepted.
fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What a YAML import file may be: a tree of items, studies, series and images is about 10
/// levels deep, and 64 leaves room for nested prop values while staying well within the stack of
/// a worker thread (each level is a few recursive calls). It may be as large as it likes. A key
/// given twice reaches [`Keys`], which reports it as a problem.
const YAML_LIMITS: yaml::Limits = yaml::Limits {
    depth: 64,
    what: "an import file",
    large: true,
    duplicate_keys_pass: true,
};

/// Parses `text` in `format`; `Err` only when the file as a whole cannot be read, otherwise the
/// items and the problems found in them.
///
/// JSON and YAML are read as they stream: items, studies, series and images are built as the
/// deserializer reaches them, and only single values (a prop, a string field, an unknown key's
/// value) are held as a `serde_json::Value`. The result is the same as reading the whole document
/// into a `serde_json::Value` and walking it (as this function once did): the same errors, the
/// same problems in the same order, the keys of an object taken in the order of that value's
/// `BTreeMap`. One difference: a key given twice in an object read here (the top level, a node,
/// `props`) is a problem, "`key` is given twice", where the value silently kept the last one. The
/// last one is still what is read.
pub fn parse(
    text: &str,
    format: Format,
    tables: &Tables,
) -> Result<(Vec<ItemIn>, Vec<InputProblem>), ImportError> {
    let document = Any(Document { tables });
    match format {
        Format::Json => {
            let syntax = |e: serde_json::Error| ImportError::Syntax {
                format: "JSON",
                reason: e.to_string(),
            };
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let parsed = document.deserialize(&mut deserializer).map_err(syntax)?;
            deserializer.end().map_err(syntax)?;
            Ok(parsed)
        }
        Format::Yaml => serde_saphyr::with_deserializer_from_str_with_options(
            text,
            yaml::options(&YAML_LIMITS),
            |deserializer| document.deserialize(deserializer),
        )
        .map_err(|e| ImportError::Syntax {
            format: "YAML",
            reason: yaml::read_error(&e, &YAML_LIMITS).to_string(),
        }),
        Format::Csv => from_csv(text, tables),
    }
}

/// Frees a large value on a thread of its own: freeing a document of 100,000 images takes a
/// noticeable part of a second, which the database lookups that follow can overlap.
pub(super) fn drop_in_background<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .name("eorm-import-drop".into())
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread: the value was moved into the failed closure and is freed here.
    }
}

const TOP_LEVEL_KEYS: &[&str] = &["items"];
const ITEM_KEYS: &[&str] = &["project_name", "patient_identifier", "props", "studies"];
const STUDY_KEYS: &[&str] = &["study_date", "props", "series"];
const SERIES_KEYS: &[&str] = &["series_id", "props", "images"];
const IMAGE_KEYS: &[&str] = &["image", "props"];

/// The key by which `serde_json::Value` recognizes a raw value: such an object stands for the
/// JSON text it holds.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// What a seed makes of a value. A list or an object may be read as it streams; any other value
/// is built exactly as `serde_json::Value` builds it (so that errors in it are the same) and
/// handed to `other`, which describes it in a problem or takes it as absent.
trait Shape<'de>: Sized {
    type Out;

    fn other(self, value: Json) -> Self::Out;

    fn list<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Out, A::Error> {
        Ok(self.other(Json::deserialize(SeqAccessDeserializer::new(seq))?))
    }

    fn object<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        Ok(self.other(Json::deserialize(MapAccessDeserializer::new(map))?))
    }
}

/// A shape that reads objects, key by key; its `object` is [`read_object`].
trait Entries<'de>: Shape<'de> {
    /// The entries of an object from `first_key` on (`None`: the object is empty).
    fn entries<A: MapAccess<'de>>(
        self,
        first_key: Option<Cow<'de, str>>,
        map: A,
    ) -> Result<Self::Out, A::Error>;
}

fn read_object<'de, S: Entries<'de>, A: MapAccess<'de>>(
    shape: S,
    mut map: A,
) -> Result<S::Out, A::Error> {
    let first_key = map.next_key_seed(Text::FirstKey)?;
    if first_key.as_deref() == Some(RAW_VALUE_TOKEN) {
        let text = map.next_value_seed(Text::RawValue)?;
        let value: Json = serde_json::from_str(&text).map_err(de::Error::custom)?;
        return value.deserialize_any(Any(shape)).map_err(de::Error::custom);
    }
    shape.entries(first_key, map)
}

/// Calls `read` with each key of `map` from `first_key` on; `read` reads the key's value.
fn for_each_entry<'de, A: MapAccess<'de>>(
    first_key: Option<Cow<'de, str>>,
    map: &mut A,
    mut read: impl FnMut(Cow<'de, str>, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    let mut key = first_key;
    while let Some(k) = key {
        read(k, map)?;
        key = map.next_key_seed(Text::Key)?;
    }
    Ok(())
}

/// Reads the entries of an object (at `place`) from `first_key` on with `read`, noting each key:
/// the returned [`Keys`] hold the problems of unknown and repeated ones.
fn read_fields<'de, A: MapAccess<'de>>(
    first_key: Option<Cow<'de, str>>,
    map: &mut A,
    allowed: &'static [&'static str],
    place: impl Fn() -> String,
    mut read: impl FnMut(&str, &mut A) -> Result<(), A::Error>,
) -> Result<Keys, A::Error> {
    let mut keys = Keys::new(allowed);
    for_each_entry(first_key, map, |key, map| {
        keys.note(&key, &place);
        read(&key, map)
    })?;
    Ok(keys)
}

/// A problem if the required field `key` of the node at `at` is empty; `what` names it.
fn require(value: &str, at: At, key: &str, what: &str, problems: &mut Vec<InputProblem>) {
    if value.trim().is_empty() {
        problems.push(InputProblem {
            at: at.field(key),
            message: format!("{what} is required"),
        });
    }
}

/// Reads the value of an unknown key as a whole `serde_json::Value`, not skipped: so that it fails
/// (or not) as it did when the whole document was read into one.
fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<Json>().map(drop)
}

/// Reads any value into a [`Shape`]: the seed and the visitor at once.
struct Any<S>(S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Any<S> {
    type Value = S::Out;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Out, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The visits of `serde_json::Value`'s visitor, each building the same value.
impl<'de, S: Shape<'de>> Visitor<'de> for Any<S> {
    type Value = S::Out;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<S::Out, E> {
        Ok(self.0.other(Json::Bool(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<S::Out, E> {
        Ok(self.0.other(Json::Number(value.into())))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<S::Out, E> {
        let number = serde_json::Number::deserialize(I128Deserializer::<E>::new(value))?;
        Ok(self.0.other(Json::Number(number)))
    }

    fn visit_u64<E>(self, value: u64) -> Result<S::Out, E> {
        Ok(self.0.other(Json::Number(value.into())))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<S::Out, E> {
        let number = serde_json::Number::deserialize(U128Deserializer::<E>::new(value))?;
        Ok(self.0.other(Json::Number(number)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<S::Out, E> {
        let value = serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number);
        Ok(self.0.other(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<S::Out, E> {
        Ok(self.0.other(Json::String(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<S::Out, E> {
        Ok(self.0.other(Json::String(value)))
    }

    fn visit_none<E>(self) -> Result<S::Out, E> {
        Ok(self.0.other(Json::Null))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Out, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_unit<E>(self) -> Result<S::Out, E> {
        Ok(self.0.other(Json::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Out, A::Error> {
        self.0.list(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Out, A::Error> {
        self.0.object(map)
    }
}

/// A string read as `serde_json::Value` reads it in an object: the first key (with
/// `deserialize_str`), a later key (as a `String`), or the text of a raw value. The three expect
/// different things, which errors name. Keys are borrowed from the input when the deserializer
/// can.
#[derive(Clone, Copy)]
enum Text {
    FirstKey,
    Key,
    RawValue,
}

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Cow<'de, str>, D::Error> {
        match self {
            Text::Key => deserializer.deserialize_string(self),
            Text::FirstKey | Text::RawValue => deserializer.deserialize_str(self),
        }
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(match self {
            Text::FirstKey => "a string key",
            Text::Key => "a string",
            Text::RawValue => "raw value",
        })
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(value))
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<Cow<'de, str>, E> {
        match (self, std::str::from_utf8(value)) {
            (Text::Key, Ok(s)) => Ok(Cow::Owned(s.to_owned())),
            (Text::Key, Err(_)) => Err(E::invalid_value(Unexpected::Bytes(value), &self)),
            _ => Err(E::invalid_type(Unexpected::Bytes(value), &self)),
        }
    }

    fn visit_byte_buf<E: de::Error>(self, value: Vec<u8>) -> Result<Cow<'de, str>, E> {
        self.visit_bytes(&value)
    }
}

/// The keys of an object: unknown and repeated ones are problems, ordered by key as the map of a
/// `serde_json::Value` (a `BTreeMap`) orders them.
struct Keys {
    allowed: &'static [&'static str],
    /// A bit for each allowed key given.
    given: u32,
    unknown: Vec<String>,
    problems: Vec<(String, InputProblem)>,
}

impl Keys {
    fn new(allowed: &'static [&'static str]) -> Self {
        Keys {
            allowed,
            given: 0,
            unknown: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Notes `key` of the object at `place`.
    fn note(&mut self, key: &str, place: impl FnOnce() -> String) {
        let message = match self.allowed.iter().position(|a| *a == key) {
            Some(i) if self.given & (1 << i) == 0 => {
                self.given |= 1 << i;
                return;
            }
            None if !self.unknown.iter().any(|k| k == key) => {
                self.unknown.push(key.to_owned());
                format!(
                    "unknown key `{key}`; expected one of {}",
                    self.allowed.join(", ")
                )
            }
            _ => format!("`{key}` is given twice"),
        };
        let at = format!("{}.{key}", place());
        self.problems
            .push((key.to_owned(), InputProblem { at, message }));
    }

    fn is_given(&self, key: &str) -> bool {
        self.allowed
            .iter()
            .position(|a| *a == key)
            .is_some_and(|i| self.given & (1 << i) != 0)
    }

    fn finish(mut self, problems: &mut Vec<InputProblem>) {
        self.problems.sort_by(|a, b| a.0.cmp(&b.0));
        problems.extend(self.problems.into_iter().map(|(_, problem)| problem));
    }
}

/// The problem of a prop given again for the same `node` (patient, study or series) with another
/// value than at `first`, where it was given first.
pub(super) fn differs(column: &str, first: &str, node: &str) -> String {
    format!("{column} differs from the value given at {first} for the same {node}")
}

/// A list of nodes with the problems in them, or the value given instead of a list.
type NodesRead<N> = Result<(Vec<N>, Vec<InputProblem>), Json>;

/// Props with the key each was given as, or the value given instead of an object.
type PropsRead<'de> = Result<Vec<(Cow<'de, str>, Result<Prop, InputProblem>)>, Json>;

/// The whole document: a list of items, or `{"items": [...]}`.
struct Document<'t> {
    tables: &'t Tables,
}

impl<'de> Shape<'de> for Document<'_> {
    type Out = (Vec<ItemIn>, Vec<InputProblem>);

    fn other(self, value: Json) -> Self::Out {
        let problem = InputProblem {
            at: "(top level)".to_owned(),
            message: format!(
                "expected a list of items (or an object with `items`), found {}",
                describe(Raw::Json(&value))
            ),
        };
        (Vec::new(), vec![problem])
    }

    fn list<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Out, A::Error> {
        let mut problems = Vec::new();
        let items = read_nodes(seq, None, self.tables, &mut problems)?;
        Ok((items, problems))
    }

    fn object<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        read_object(self, map)
    }
}

impl<'de> Entries<'de> for Document<'_> {
    fn entries<A: MapAccess<'de>>(
        self,
        first_key: Option<Cow<'de, str>>,
        mut map: A,
    ) -> Result<Self::Out, A::Error> {
        let mut items: NodesRead<ItemIn> = Err(Json::Null);
        let keys = read_fields(
            first_key,
            &mut map,
            TOP_LEVEL_KEYS,
            || "(top level)".to_owned(),
            |key, map| {
                match key {
                    "items" => items = map.next_value_seed(nodes_seed(None, self.tables))?,
                    _ => skip_value(map)?,
                }
                Ok(())
            },
        )?;
        if !keys.is_given("items") {
            return Ok(self.other(Json::Object(serde_json::Map::new())));
        }
        let mut problems = Vec::new();
        keys.finish(&mut problems);
        match items {
            Ok((items, children)) => {
                problems.extend(children);
                Ok((items, problems))
            }
            Err(_) => {
                problems.push(InputProblem {
                    at: "items".to_owned(),
                    message: "expected a list of items".to_owned(),
                });
                Ok((Vec::new(), problems))
            }
        }
    }
}

/// A list of nodes (items, studies, series or images) of the node at `parent` (`None`: the items).
struct NodeList<'t, N> {
    parent: Option<At>,
    tables: &'t Tables,
    node: PhantomData<N>,
}

impl<'de, N: Node> Shape<'de> for NodeList<'_, N> {
    type Out = NodesRead<N>;

    fn other(self, value: Json) -> Self::Out {
        Err(value)
    }

    fn list<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Out, A::Error> {
        let mut problems = Vec::new();
        let nodes = read_nodes(seq, self.parent, self.tables, &mut problems)?;
        Ok(Ok((nodes, problems)))
    }
}

fn read_nodes<'de, N: Node, A: SeqAccess<'de>>(
    mut seq: A,
    parent: Option<At>,
    tables: &Tables,
    problems: &mut Vec<InputProblem>,
) -> Result<Vec<N>, A::Error> {
    let mut nodes = Vec::new();
    for index in 0.. {
        let at = match parent {
            Some(parent) => parent.child(index),
            None => At::Item(u32::try_from(index).unwrap_or(u32::MAX)),
        };
        let shape = NodeShape {
            at,
            tables,
            problems: &mut *problems,
            node: PhantomData,
        };
        let Some(node) = seq.next_element_seed(Any(shape))? else {
            break;
        };
        nodes.extend(node);
    }
    Ok(nodes)
}

/// One node at `at`; its problems, then those of its children, go to `problems` once it is read.
struct NodeShape<'t, 'p, N> {
    at: At,
    tables: &'t Tables,
    problems: &'p mut Vec<InputProblem>,
    node: PhantomData<N>,
}

impl<'de, N: Node> Shape<'de> for NodeShape<'_, '_, N> {
    type Out = Option<N>;

    fn other(self, value: Json) -> Option<N> {
        self.problems.push(InputProblem {
            at: self.at.to_string(),
            message: format!("expected an object, found {}", describe(Raw::Json(&value))),
        });
        None
    }

    fn object<A: MapAccess<'de>>(self, map: A) -> Result<Option<N>, A::Error> {
        read_object(self, map)
    }
}

impl<'de, N: Node> Entries<'de> for NodeShape<'_, '_, N> {
    fn entries<A: MapAccess<'de>>(
        self,
        first_key: Option<Cow<'de, str>>,
        map: A,
    ) -> Result<Option<N>, A::Error> {
        N::read(first_key, map, self.at, self.tables, self.problems).map(Some)
    }
}

/// The `props` of a node at `at`, columns of `table`.
struct PropsShape {
    at: At,
    table: &'static Table,
}

impl<'de> Shape<'de> for PropsShape {
    type Out = PropsRead<'de>;

    fn other(self, value: Json) -> Self::Out {
        Err(value)
    }

    fn object<A: MapAccess<'de>>(self, map: A) -> Result<Self::Out, A::Error> {
        read_object(self, map)
    }
}

impl<'de> Entries<'de> for PropsShape {
    fn entries<A: MapAccess<'de>>(
        self,
        first_key: Option<Cow<'de, str>>,
        mut map: A,
    ) -> Result<Self::Out, A::Error> {
        let mut props = Vec::new();
        for_each_entry(first_key, &mut map, |column, map| {
            let value: Json = map.next_value()?;
            let prop = convert(self.table, &column, Raw::Json(&value), || {
                self.at.prop(&column)
            });
            props.push((column, prop));
            Ok(())
        })?;
        Ok(Ok(props))
    }
}

/// An item, a study, a series or an image, read from the entries of its object.
trait Node: Sized {
    /// Reads the node at `at`, then appends its own problems and those of its children, in that
    /// order, to `problems`. The fields are taken in a fixed order whatever the order of the keys.
    fn read<'de, A: MapAccess<'de>>(
        first_key: Option<Cow<'de, str>>,
        map: A,
        at: At,
        tables: &Tables,
        problems: &mut Vec<InputProblem>,
    ) -> Result<Self, A::Error>;
}

fn props_seed(at: At, table: &'static Table) -> Any<PropsShape> {
    Any(PropsShape { at, table })
}

fn nodes_seed<N>(parent: Option<At>, tables: &Tables) -> Any<NodeList<'_, N>> {
    Any(NodeList {
        parent,
        tables,
        node: PhantomData,
    })
}

impl Node for ItemIn {
    fn read<'de, A: MapAccess<'de>>(
        first_key: Option<Cow<'de, str>>,
        mut map: A,
        at: At,
        tables: &Tables,
        problems: &mut Vec<InputProblem>,
    ) -> Result<Self, A::Error> {
        let (mut project_name, mut patient_identifier) = (Json::Null, Json::Null);
        let mut props = Err(Json::Null);
        let mut studies = Err(Json::Null);
        read_fields(
            first_key,
            &mut map,
            ITEM_KEYS,
            || at.to_string(),
            |key, map| {
                match key {
                    "project_name" => project_name = map.next_value()?,
                    "patient_identifier" => patient_identifier = map.next_value()?,
                    "props" => props = map.next_value_seed(props_seed(at, tables.patient))?,
                    "studies" => studies = map.next_value_seed(nodes_seed(Some(at), tables))?,
                    _ => skip_value(map)?,
                }
                Ok(())
            },
        )?
        .finish(problems);
        let project_name =
            string_field(project_name, at, "project_name", problems).unwrap_or_default();
        require(&project_name, at, "project_name", "project_name", problems);
        Ok(ItemIn {
            at,
            project_name,
            patient_identifier: string_field(
                patient_identifier,
                at,
                "patient_identifier",
                problems,
            ),
            props: props_field(props, at, problems),
            studies: nodes_field(studies, at, "studies", problems),
        })
    }
}

impl Node for StudyIn {
    fn read<'de, A: MapAccess<'de>>(
        first_key: Option<Cow<'de, str>>,
        mut map: A,
        at: At,
        tables: &Tables,
        problems: &mut Vec<InputProblem>,
    ) -> Result<Self, A::Error> {
        let mut study_date = Json::Null;
        let mut props = Err(Json::Null);
        let mut series = Err(Json::Null);
        read_fields(
            first_key,
            &mut map,
            STUDY_KEYS,
            || at.to_string(),
            |key, map| {
                match key {
                    "study_date" => study_date = map.next_value()?,
                    "props" => props = map.next_value_seed(props_seed(at, tables.study))?,
                    "series" => series = map.next_value_seed(nodes_seed(Some(at), tables))?,
                    _ => skip_value(map)?,
                }
                Ok(())
            },
        )?
        .finish(problems);
        let study_date = string_field(study_date, at, "study_date", problems).and_then(|s| {
            let date = parse_date(&s);
            if date.is_none() {
                problems.push(InputProblem {
                    at: at.field("study_date"),
                    message: format!("'{s}' is not a date (YYYY-MM-DD)"),
                });
            }
            date
        });
        Ok(StudyIn {
            at,
            study_date,
            props: props_field(props, at, problems),
            series: nodes_field(series, at, "series", problems),
        })
    }
}

impl Node for SeriesIn {
    fn read<'de, A: MapAccess<'de>>(
        first_key: Option<Cow<'de, str>>,
        mut map: A,
        at: At,
        tables: &Tables,
        problems: &mut Vec<InputProblem>,
    ) -> Result<Self, A::Error> {
        let mut series_id = Json::Null;
        let mut props = Err(Json::Null);
        let mut images = Err(Json::Null);
        read_fields(
            first_key,
            &mut map,
            SERIES_KEYS,
            || at.to_string(),
            |key, map| {
                match key {
                    "series_id" => series_id = map.next_value()?,
                    "props" => props = map.next_value_seed(props_seed(at, tables.series))?,
                    "images" => images = map.next_value_seed(nodes_seed(Some(at), tables))?,
                    _ => skip_value(map)?,
                }
                Ok(())
            },
        )?
        .finish(problems);
        Ok(SeriesIn {
            at,
            series_id: string_field(series_id, at, "series_id", problems),
            props: props_field(props, at, problems),
            images: nodes_field(images, at, "images", problems),
        })
    }
}

impl Node for ImageIn {
    fn read<'de, A: MapAccess<'de>>(
        first_key: Option<Cow<'de, str>>,
        mut map: A,
        at: At,
        tables: &Tables,
        problems: &mut Vec<InputProblem>,
    ) -> Result<Self, A::Error> {
        let mut image = Json::Null;
        let mut props = Err(Json::Null);
        read_fields(
            first_key,
            &mut map,
            IMAGE_KEYS,
            || at.to_string(),
            |key, map| {
                match key {
                    "image" => image = map.next_value()?,
                    "props" => props = map.next_value_seed(props_seed(at, tables.image))?,
                    _ => skip_value(map)?,
                }
                Ok(())
            },
        )?
        .finish(problems);
        let image = string_field(image, at, "image", problems).unwrap_or_default();
        require(&image, at, "image", "image (the file path)", problems);
        Ok(ImageIn {
            at,
            image,
            props: props_field(props, at, problems),
        })
    }
}

/// An optional string field; numbers are accepted as their text.
fn string_field(
    value: Json,
    at: At,
    key: &str,
    problems: &mut Vec<InputProblem>,
) -> Option<String> {
    match value {
        Json::Null => None,
        Json::String(s) => Some(s),
        Json::Number(n) => Some(n.to_string()),
        other => {
            problems.push(InputProblem {
                at: at.field(key),
                message: format!("expected a string, found {}", describe(Raw::Json(&other))),
            });
            None
        }
    }
}

/// The props as the map of a `serde_json::Value` kept them: ordered by key, the last of a
/// repeated key.
fn props_field(read: PropsRead<'_>, at: At, problems: &mut Vec<InputProblem>) -> Vec<Prop> {
    let mut given = match read {
        Ok(given) => given,
        Err(Json::Null) => return Vec::new(),
        Err(other) => {
            problems.push(InputProblem {
                at: at.field("props"),
                message: format!(
                    "expected an object of columns, found {}",
                    describe(Raw::Json(&other))
                ),
            });
            return Vec::new();
        }
    };
    given.sort_by(|a, b| a.0.cmp(&b.0));
    let mut props = Vec::with_capacity(given.len());
    let mut given = given.into_iter().peekable();
    while let Some((column, prop)) = given.next() {
        if given.peek().is_some_and(|(next, _)| *next == column) {
            problems.push(InputProblem {
                at: at.prop(&column),
                message: format!("`{column}` is given twice"),
            });
            continue;
        }
        match prop {
            Ok(prop) => props.push(prop),
            Err(problem) => problems.push(problem),
        }
    }
    props
}

/// The children of a node. Its last field: the problems of the children follow.
fn nodes_field<N>(
    read: NodesRead<N>,
    at: At,
    key: &str,
    problems: &mut Vec<InputProblem>,
) -> Vec<N> {
    match read {
        Ok((nodes, children)) => {
            problems.extend(children);
            nodes
        }
        Err(Json::Null) => Vec::new(),
        Err(other) => {
            problems.push(InputProblem {
                at: at.field(key),
                message: format!("expected a list, found {}", describe(Raw::Json(&other))),
            });
            Vec::new()
        }
    }
}

/// The flat CSV form: one row per image. Columns `project_name`, `patient_identifier`,
/// `study_date`, `series_id`, `image`; `Patient.<Col>`, `Study.<Col>`, `Series.<Col>` for the
/// props of those levels; image props as bare column names (or `ImageInstance.<Col>`). An empty
/// cell means "not given". Rows are grouped into patients by (project, identifier), studies by
/// date and series by `series_id`; rows of one study without a `series_id` form one series, and
/// rows without a `patient_identifier` each form their own patient.
fn from_csv(text: &str, tables: &Tables) -> Result<(Vec<ItemIn>, Vec<InputProblem>), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Syntax {
            format: "CSV",
            reason: e.to_string(),
        })?
        .clone();
    let mut problems = Vec::new();
    let fields = csv_fields(&headers, tables);
    header_problems(&fields, &headers, &mut problems);
    let mut tree = CsvTree::default();
    for (row_index, record) in reader.records().enumerate() {
        let line = row_index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(InputProblem {
                    at: format!("line {line}"),
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let at = At::Line(u32::try_from(line).unwrap_or(u32::MAX));
        let row = read_row(&record, at, &fields, &headers, &mut problems);
        tree.add(row, &headers, &mut problems);
    }
    Ok((tree.items, problems))
}

/// What a CSV column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Project,
    PatientId,
    StudyDate,
    SeriesId,
    Image,
    Prop(&'static Table),
    Unknown,
}

/// What each CSV column holds, by its header, and the column of a prop it names (the header
/// without its table prefix, trimmed).
fn csv_fields(headers: &csv::StringRecord, tables: &Tables) -> Vec<(Field, String)> {
    headers
        .iter()
        .map(|h| {
            let h = h.trim();
            let field = match h {
                "project_name" => Field::Project,
                "patient_identifier" => Field::PatientId,
                "study_date" => Field::StudyDate,
                "series_id" => Field::SeriesId,
                "image" => Field::Image,
                _ => match h.split_once('.') {
                    Some((t, _)) if t.eq_ignore_ascii_case("Patient") => {
                        Field::Prop(tables.patient)
                    }
                    Some((t, _)) if t.eq_ignore_ascii_case("Study") => Field::Prop(tables.study),
                    Some((t, _)) if t.eq_ignore_ascii_case("Series") => Field::Prop(tables.series),
                    Some((t, _)) if t.eq_ignore_ascii_case("ImageInstance") => {
                        Field::Prop(tables.image)
                    }
                    Some(_) => Field::Unknown,
                    None => Field::Prop(tables.image),
                },
            };
            let column = h.split_once('.').map_or(h, |(_, c)| c).to_owned();
            (field, column)
        })
        .collect()
}

/// The problems of the header: columns of no known table or naming no column of their table,
/// and no `image` or `project_name` column.
fn header_problems(
    fields: &[(Field, String)],
    headers: &csv::StringRecord,
    problems: &mut Vec<InputProblem>,
) {
    for (i, (field, column)) in fields.iter().enumerate() {
        let at = format!("header, column {}", i + 1);
        match field {
            Field::Unknown => problems.push(InputProblem {
                at,
                message: format!(
                    "unknown column `{}`; prefix props with Patient., Study. or Series., or name an ImageInstance column",
                    &headers[i]
                ),
            }),
            Field::Prop(table) if table.get_column(column).is_none() => {
                problems.push(InputProblem {
                    at,
                    message: format!("{} has no column {column}", table.name),
                })
            }
            _ => {}
        }
    }
    if fields.iter().all(|(f, _)| *f != Field::Image) {
        problems.push(InputProblem {
            at: "header".to_owned(),
            message: "the CSV has no `image` column".to_owned(),
        });
    }
    if fields.iter().all(|(f, _)| *f != Field::Project) {
        problems.push(InputProblem {
            at: "header".to_owned(),
            message: "the CSV has no `project_name` column".to_owned(),
        });
    }
}

/// One CSV row, read: what its cells give (an empty cell gives nothing).
#[derive(Debug, PartialEq)]
struct CsvRow {
    at: At,
    project: String,
    patient_id: Option<String>,
    date: Option<NaiveDate>,
    series_id: Option<String>,
    image: String,
    /// Props of the patient, study, series and image, each with the index of the CSV column it
    /// came from.
    props: [Vec<(Prop, usize)>; 4],
}

/// Reads the row at `at`: each cell as its column's field says. A value that does not convert
/// and an empty `project_name` or `image` are problems.
fn read_row(
    record: &csv::StringRecord,
    at: At,
    fields: &[(Field, String)],
    headers: &csv::StringRecord,
    problems: &mut Vec<InputProblem>,
) -> CsvRow {
    let mut row = CsvRow {
        at,
        project: String::new(),
        patient_id: None,
        date: None,
        series_id: None,
        image: String::new(),
        props: Default::default(),
    };
    for (i, cell) in record.iter().enumerate() {
        let Some((field, column)) = fields.get(i) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        let cell_at = || at.field(&headers[i]);
        match field {
            Field::Project => row.project = cell.to_owned(),
            Field::PatientId => row.patient_id = Some(cell.to_owned()),
            Field::StudyDate => match parse_date(cell) {
                Some(d) => row.date = Some(d),
                None => problems.push(InputProblem {
                    at: cell_at(),
                    message: format!("'{cell}' is not a date (YYYY-MM-DD)"),
                }),
            },
            Field::SeriesId => row.series_id = Some(cell.to_owned()),
            Field::Image => row.image = cell.to_owned(),
            Field::Prop(table) if table.get_column(column).is_some() => {
                match convert(table, column, Raw::Text(cell), cell_at) {
                    Ok(p) => {
                        let level = match table.name.as_str() {
                            "Patient" => 0,
                            "Study" => 1,
                            "Series" => 2,
                            _ => 3,
                        };
                        row.props[level].push((p, i));
                    }
                    Err(p) => problems.push(p),
                }
            }
            _ => {}
        }
    }
    require(&row.project, at, "project_name", "project_name", problems);
    require(&row.image, at, "image", "image (the file path)", problems);
    row
}

/// A patient (item), study or series of the CSV, by its indexes.
type CsvNode = (usize, Option<usize>, Option<usize>);

/// The nested form the CSV rows build, and the indexes that group the rows.
#[derive(Default)]
struct CsvTree {
    items: Vec<ItemIn>,
    /// (project, identifier) → item index.
    patient_at: BTreeMap<(String, String), usize>,
    /// (item, date) → study index.
    study_at: BTreeMap<(usize, Option<NaiveDate>), usize>,
    /// (item, study, series id) → series index.
    series_at: BTreeMap<(usize, usize, Option<String>), usize>,
    /// Where each prop of a patient, study or series was given: its line and CSV column.
    given_at: HashMap<(CsvNode, &'static str), (At, usize)>,
}

impl CsvTree {
    /// Adds the image of `row` to its series, study and patient, each found or added; the props
    /// the row gives them are merged into theirs.
    fn add(&mut self, row: CsvRow, headers: &csv::StringRecord, problems: &mut Vec<InputProblem>) {
        let CsvRow {
            at,
            project,
            patient_id,
            date,
            series_id,
            image,
            props,
        } = row;
        let [patient_props, study_props, series_props, image_props] = props;
        let item = self.item(at, project, patient_id);
        self.merge((item, None, None), patient_props, at, headers, problems);
        let study = *self.study_at.entry((item, date)).or_insert_with(|| {
            self.items[item].studies.push(StudyIn {
                at,
                study_date: date,
                props: Vec::new(),
                series: Vec::new(),
            });
            self.items[item].studies.len() - 1
        });
        self.merge(
            (item, Some(study), None),
            study_props,
            at,
            headers,
            problems,
        );
        let series = *self
            .series_at
            .entry((item, study, series_id.clone()))
            .or_insert_with(|| {
                self.items[item].studies[study].series.push(SeriesIn {
                    at,
                    series_id,
                    props: Vec::new(),
                    images: Vec::new(),
                });
                self.items[item].studies[study].series.len() - 1
            });
        let node = (item, Some(study), Some(series));
        self.merge(node, series_props, at, headers, problems);
        self.items[item].studies[study].series[series]
            .images
            .push(ImageIn {
                at,
                image,
                props: image_props.into_iter().map(|(p, _)| p).collect(),
            });
    }

    /// The index of the item (patient) of a row at `at`: that of (`project`, `patient_id`), found
    /// or added; a row without `patient_id` gets an item of its own.
    fn item(&mut self, at: At, project: String, patient_id: Option<String>) -> usize {
        let new_item = |patient_identifier| ItemIn {
            at,
            project_name: project.clone(),
            patient_identifier,
            props: Vec::new(),
            studies: Vec::new(),
        };
        match patient_id {
            Some(id) => *self
                .patient_at
                .entry((project.clone(), id.clone()))
                .or_insert_with(|| {
                    self.items.push(new_item(Some(id)));
                    self.items.len() - 1
                }),
            None => {
                self.items.push(new_item(None));
                self.items.len() - 1
            }
        }
    }

    /// Merges `new` props (each with its CSV column), given on the line at `at`, into those of
    /// `node`; a value that differs from the one given first is a problem naming where that was.
    fn merge(
        &mut self,
        node: CsvNode,
        new: Vec<(Prop, usize)>,
        at: At,
        headers: &csv::StringRecord,
        problems: &mut Vec<InputProblem>,
    ) {
        let into = match node {
            (item, None, _) => &mut self.items[item].props,
            (item, Some(study), None) => &mut self.items[item].studies[study].props,
            (item, Some(study), Some(series)) => {
                &mut self.items[item].studies[study].series[series].props
            }
        };
        for (prop, column) in new {
            match into.iter().find(|p| p.column == prop.column) {
                Some(old) if old.value != prop.value => problems.push(InputProblem {
                    at: at.field(&headers[column]),
                    message: differs(
                        prop.column,
                        &self
                            .given_at
                            .get(&(node, prop.column))
                            .map_or_else(String::new, |(line, c)| line.field(&headers[*c])),
                        match node {
                            (_, None, _) => "patient",
                            (_, Some(_), None) => "study",
                            (_, Some(_), Some(_)) => "series",
                        },
                    ),
                }),
                Some(_) => {}
                None => {
                    self.given_at.insert((node, prop.column), (at, column));
                    into.push(prop);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> &'static Tables {
        static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
        TABLES.get_or_init(|| super::super::plan::tables(super::super::schema()))
    }

    fn read(text: &str, format: Format) -> (Vec<ItemIn>, Vec<(String, String)>) {
        let (items, problems) = parse(text, format, tables()).unwrap();
        let problems = problems.into_iter().map(|p| (p.at, p.message)).collect();
        (items, problems)
    }

    fn problems(text: &str, format: Format) -> Vec<(String, String)> {
        read(text, format).1
    }

    fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(at, message)| ((*at).to_owned(), (*message).to_owned()))
            .collect()
    }

    const ITEM_KEYS_TEXT: &str = "project_name, patient_identifier, props, studies";

    #[test]
    fn wrong_node_types_at_each_level() {
        let text = r#"[
            1,
            {"project_name": "p", "studies": [
                null,
                {"series": ["s", {"images": [true, [], {"image": "a.png"}]}]}
            ]},
            [],
            "x",
            {"project_name": "q", "studies": {"a": 1}},
            {"project_name": "r", "studies": [{"series": 2}, {"series": [{"images": "i"}]}]}
        ]"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(
            found,
            expect(&[
                ("items[0]", "expected an object, found number 1"),
                ("items[1].studies[0]", "expected an object, found null"),
                (
                    "items[1].studies[1].series[0]",
                    "expected an object, found 's'"
                ),
                (
                    "items[1].studies[1].series[1].images[0]",
                    "expected an object, found boolean true"
                ),
                (
                    "items[1].studies[1].series[1].images[1]",
                    "expected an object, found a list"
                ),
                ("items[2]", "expected an object, found a list"),
                ("items[3]", "expected an object, found 'x'"),
                ("items[4].studies", "expected a list, found an object"),
                (
                    "items[5].studies[0].series",
                    "expected a list, found number 2"
                ),
                (
                    "items[5].studies[1].series[0].images",
                    "expected a list, found 'i'"
                ),
            ])
        );
        let ats: Vec<At> = items.iter().map(|i| i.at).collect();
        assert_eq!(ats, [At::Item(1), At::Item(4), At::Item(5)]);
        let image = &items[0].studies[0].series[0].images[0];
        assert_eq!(image.at, At::Image(1, 1, 1, 2));
        assert_eq!(image.image, "a.png");
    }

    #[test]
    fn wrong_field_types_and_missing_fields() {
        let text = r#"[{
            "project_name": true,
            "patient_identifier": 12,
            "studies": [{
                "study_date": 20200101,
                "series": [{"series_id": [1], "images": [{"props": {}}, {"image": 7}]}]
            }, {"study_date": "2020-02-30"}]
        }]"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(
            found,
            expect(&[
                (
                    "items[0].project_name",
                    "expected a string, found boolean true"
                ),
                ("items[0].project_name", "project_name is required"),
                (
                    "items[0].studies[0].study_date",
                    "'20200101' is not a date (YYYY-MM-DD)"
                ),
                (
                    "items[0].studies[0].series[0].series_id",
                    "expected a string, found a list"
                ),
                (
                    "items[0].studies[0].series[0].images[0].image",
                    "image (the file path) is required"
                ),
                (
                    "items[0].studies[1].study_date",
                    "'2020-02-30' is not a date (YYYY-MM-DD)"
                ),
            ])
        );
        assert_eq!(items[0].patient_identifier.as_deref(), Some("12"));
        assert_eq!(items[0].studies[0].series[0].images[1].image, "7");
    }

    #[test]
    fn unknown_keys_come_first_ordered_by_key() {
        let text = r#"[{"zeta": 1, "project_name": "p", "alpha": {"b": [1]}, "props": 3}]"#;
        assert_eq!(
            problems(text, Format::Json),
            expect(&[
                (
                    "items[0].alpha",
                    &format!("unknown key `alpha`; expected one of {ITEM_KEYS_TEXT}")
                ),
                (
                    "items[0].zeta",
                    &format!("unknown key `zeta`; expected one of {ITEM_KEYS_TEXT}")
                ),
                (
                    "items[0].props",
                    "expected an object of columns, found number 3"
                ),
            ])
        );
    }

    #[test]
    fn props_are_checked_and_ordered_by_column() {
        let text = r#"[{"project_name": "p", "props": {"Sex": 5, "NoSuch": 1, "BirthDate": "1950-06-01"}},
            {"project_name": "q", "props": {"Sex": "f", "BirthDate": null}}]"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(
            found,
            expect(&[
                ("items[0].props.NoSuch", "Patient has no column NoSuch"),
                (
                    "items[0].props.Sex",
                    "number 5 is not a valid value for Patient.Sex (enum('M','F'))"
                ),
            ])
        );
        let columns = |item: &ItemIn| item.props.iter().map(|p| p.column).collect::<Vec<_>>();
        assert_eq!(columns(&items[0]), ["BirthDate"]);
        assert_eq!(columns(&items[1]), ["BirthDate", "Sex"]);
        assert_eq!(items[1].props[1].value, Value::String(Some("F".to_owned())));
    }

    #[test]
    fn a_node_problems_precede_its_children_whatever_the_key_order() {
        let text = r#"[{
            "studies": [{"series": [{"images": [{"image": ""}]}], "props": {"NoSuch": 1}, "x": 0}],
            "props": {"Sex": "X"},
            "project_name": ""
        }]"#;
        assert_eq!(
            problems(text, Format::Json),
            expect(&[
                ("items[0].project_name", "project_name is required"),
                (
                    "items[0].props.Sex",
                    "'X' is not one of M, F for Patient.Sex (enum('M','F'))"
                ),
                (
                    "items[0].studies[0].x",
                    "unknown key `x`; expected one of study_date, props, series"
                ),
                (
                    "items[0].studies[0].props.NoSuch",
                    "Study has no column NoSuch"
                ),
                (
                    "items[0].studies[0].series[0].images[0].image",
                    "image (the file path) is required"
                ),
            ])
        );
    }

    #[test]
    fn the_items_wrapper() {
        let text = r#"{"zz": [1], "items": [{"project_name": "p", "q": 1}], "extra": true}"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(items.len(), 1);
        assert_eq!(
            found,
            expect(&[
                (
                    "(top level).extra",
                    "unknown key `extra`; expected one of items"
                ),
                ("(top level).zz", "unknown key `zz`; expected one of items"),
                (
                    "items[0].q",
                    &format!("unknown key `q`; expected one of {ITEM_KEYS_TEXT}")
                ),
            ])
        );
        assert_eq!(
            problems(r#"{"extra": 1, "items": null}"#, Format::Json),
            expect(&[
                (
                    "(top level).extra",
                    "unknown key `extra`; expected one of items"
                ),
                ("items", "expected a list of items"),
            ])
        );
        let not_a_list = "expected a list of items (or an object with `items`), found";
        for (text, found) in [
            (r#"{"extra": 1}"#, "an object"),
            ("5", "number 5"),
            ("null", "null"),
        ] {
            assert_eq!(
                problems(text, Format::Json),
                expect(&[("(top level)", &format!("{not_a_list} {found}"))])
            );
        }
        assert_eq!(read("[]", Format::Json), (Vec::new(), Vec::new()));
    }

    #[test]
    fn a_repeated_key_is_a_problem_and_the_last_value_counts() {
        let text = r#"{"items": [{"project_name": "a", "zz": 1, "props": {"Sex": "F", "Sex": "M"},
            "project_name": "b", "zz": 2}], "items": [{"project_name": "c", "project_name": "d"}]}"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(
            found,
            expect(&[
                ("(top level).items", "`items` is given twice"),
                ("items[0].project_name", "`project_name` is given twice"),
            ])
        );
        assert_eq!(items[0].project_name, "d");
        let text = r#"[{"project_name": "a", "zz": 1, "props": {"Sex": "F", "Sex": 1},
            "project_name": "b", "zz": 2}]"#;
        let (items, found) = read(text, Format::Json);
        assert_eq!(
            found,
            expect(&[
                ("items[0].project_name", "`project_name` is given twice"),
                (
                    "items[0].zz",
                    &format!("unknown key `zz`; expected one of {ITEM_KEYS_TEXT}")
                ),
                ("items[0].zz", "`zz` is given twice"),
                ("items[0].props.Sex", "`Sex` is given twice"),
                (
                    "items[0].props.Sex",
                    "number 1 is not a valid value for Patient.Sex (enum('M','F'))"
                ),
            ])
        );
        assert_eq!(items[0].project_name, "b");
    }

    #[test]
    fn yaml_gives_the_same_problems_as_json() {
        let json = r#"{"extra": 1, "items": [
            {"studies": [{"series": [{"images": [true, {"image": 5, "props": {"Laterality": "Q"}}]}]}],
             "props": {"Sex": [], "NoSuch": 1}, "zeta": 1, "alpha": 2, "project_name": 1.5},
            "x",
            {"project_name": "p", "project_name": "q", "studies": {"a": 1}}
        ]}"#;
        let yaml = "
extra: 1
items:
  - studies:
      - series:
          - images:
              - true
              - image: 5
                props: {Laterality: Q}
    props: {Sex: [], NoSuch: 1}
    zeta: 1
    alpha: 2
    project_name: 1.5
  - x
  - project_name: p
    project_name: q
    studies: {a: 1}
";
        let (json_items, json_problems) = read(json, Format::Json);
        assert_eq!(
            read(yaml, Format::Yaml),
            (json_items, json_problems.clone())
        );
        assert_eq!(
            json_problems,
            expect(&[
                (
                    "(top level).extra",
                    "unknown key `extra`; expected one of items"
                ),
                (
                    "items[0].alpha",
                    &format!("unknown key `alpha`; expected one of {ITEM_KEYS_TEXT}")
                ),
                (
                    "items[0].zeta",
                    &format!("unknown key `zeta`; expected one of {ITEM_KEYS_TEXT}")
                ),
                ("items[0].props.NoSuch", "Patient has no column NoSuch"),
                (
                    "items[0].props.Sex",
                    "a list is not a valid value for Patient.Sex (enum('M','F'))"
                ),
                (
                    "items[0].studies[0].series[0].images[0]",
                    "expected an object, found boolean true"
                ),
                (
                    "items[0].studies[0].series[0].images[1].props.Laterality",
                    "'Q' is not one of L, R for ImageInstance.Laterality (enum('L','R'))"
                ),
                ("items[1]", "expected an object, found 'x'"),
                ("items[2].project_name", "`project_name` is given twice"),
                ("items[2].studies", "expected a list, found an object"),
            ])
        );
    }

    #[test]
    fn syntax_errors_name_the_format_and_position() {
        let reason = |text: &str, format: Format| match parse(text, format, tables()) {
            Err(ImportError::Syntax { format, reason }) => format!("{format}: {reason}"),
            other => panic!("expected a syntax error, got {other:?}"),
        };
        assert_eq!(
            reason(r#"[{"project_name": "p",]"#, Format::Json),
            "JSON: key must be a string at line 1 column 23"
        );
        assert_eq!(
            reason("[] []", Format::Json),
            "JSON: trailing characters at line 1 column 4"
        );
        assert_eq!(
            reason("- project_name: [p\n", Format::Yaml)
                .split(" at ")
                .next(),
            Some("YAML: unclosed bracket '['")
        );
    }

    #[test]
    fn yaml_with_a_byte_order_mark_reads_as_without() {
        let yaml = "items:\n  - project_name: p\n    patient_identifier: x\n    props: {Sex: M}\n";
        let plain = read(yaml, Format::Yaml);
        assert_eq!(plain.0.len(), 1);
        assert_eq!(read(&format!("\u{feff}{yaml}"), Format::Yaml), plain);
    }

    #[test]
    fn deep_yaml_fails_fast_naming_the_limit() {
        let deep = format!(
            "items: [{{props: {{Sex: {}{}}}}}]\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let started = std::time::Instant::now();
        let result = parse(&deep, Format::Yaml, tables());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        match result {
            Err(ImportError::Syntax { format, reason }) => {
                assert_eq!(format, "YAML");
                assert!(
                    reason.starts_with(
                        "nested more than 64 levels deep (the limit for an import file) at line 1, column "
                    ),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A tree of the usual depth with a nested prop value within the limit.
        let nested = format!(
            "items: [{{props: {{Sex: {}1{}}}}}]\n",
            "[".repeat(50),
            "]".repeat(50)
        );
        assert!(parse(&nested, Format::Yaml, tables()).is_ok());
    }

    /// A CSV record (a header or a row).
    fn record(cells: &str) -> csv::StringRecord {
        csv::StringRecord::from(cells.split(',').collect::<Vec<_>>())
    }

    fn pairs(problems: &[InputProblem]) -> Vec<(&str, &str)> {
        problems
            .iter()
            .map(|p| (p.at.as_str(), p.message.as_str()))
            .collect()
    }

    #[test]
    fn csv_header_names_fields_and_prop_columns() {
        let t = tables();
        let headers = record("project_name, Patient.Sex,study.NoSuch,Foo.Bar,Laterality,series_id");
        let fields = csv_fields(&headers, t);
        let expected = [
            (Field::Project, "project_name"),
            (Field::Prop(t.patient), "Sex"),
            (Field::Prop(t.study), "NoSuch"),
            (Field::Unknown, "Bar"),
            (Field::Prop(t.image), "Laterality"),
            (Field::SeriesId, "series_id"),
        ]
        .map(|(field, column)| (field, column.to_owned()));
        assert_eq!(fields, expected);
        let mut problems = Vec::new();
        header_problems(&fields, &headers, &mut problems);
        assert_eq!(
            pairs(&problems),
            [
                ("header, column 3", "Study has no column NoSuch"),
                (
                    "header, column 4",
                    "unknown column `Foo.Bar`; prefix props with Patient., Study. or Series., or name an ImageInstance column"
                ),
                ("header", "the CSV has no `image` column"),
            ]
        );
    }

    const CSV_HEADER: &str =
        "project_name,patient_identifier,study_date,series_id,image,Patient.Sex,Laterality";

    #[test]
    fn a_csv_row_gives_fields_and_props_of_each_level() {
        let headers = record(CSV_HEADER);
        let fields = csv_fields(&headers, tables());
        let mut problems = Vec::new();
        let row = read_row(
            &record(",A,2020-13-01,s1,,X,r"),
            At::Line(2),
            &fields,
            &headers,
            &mut problems,
        );
        assert_eq!(
            pairs(&problems),
            [
                (
                    "line 2, column study_date",
                    "'2020-13-01' is not a date (YYYY-MM-DD)"
                ),
                (
                    "line 2, column Patient.Sex",
                    "'X' is not one of M, F for Patient.Sex (enum('M','F'))"
                ),
                ("line 2, column project_name", "project_name is required"),
                ("line 2, column image", "image (the file path) is required"),
            ]
        );
        let laterality = Prop {
            column: "Laterality",
            value: Value::String(Some("R".to_owned())),
        };
        assert_eq!(
            row,
            CsvRow {
                at: At::Line(2),
                project: String::new(),
                patient_id: Some("A".to_owned()),
                date: None,
                series_id: Some("s1".to_owned()),
                image: String::new(),
                props: [vec![], vec![], vec![], vec![(laterality, 6)]],
            }
        );
    }

    #[test]
    fn csv_rows_group_into_patients_studies_and_series() {
        let headers = record(CSV_HEADER);
        let fields = csv_fields(&headers, tables());
        let mut problems = Vec::new();
        let mut tree = CsvTree::default();
        for (line, cells) in [
            "P,A,2020-01-01,,a.png,F,L",
            "P,A,2020-01-01,,b.png,,R",
            "P,A,2020-01-01,s1,c.png,M,L",
            "P,,2020-01-01,,d.png,,L",
            "P,A,,,e.png,,L",
        ]
        .into_iter()
        .enumerate()
        {
            let at = At::Line(line as u32 + 2);
            let row = read_row(&record(cells), at, &fields, &headers, &mut problems);
            tree.add(row, &headers, &mut problems);
        }
        assert_eq!(
            pairs(&problems),
            [(
                "line 4, column Patient.Sex",
                "Sex differs from the value given at line 2, column Patient.Sex for the same patient"
            )]
        );
        let shape: Vec<_> = tree
            .items
            .iter()
            .map(|item| {
                let studies: Vec<_> = item
                    .studies
                    .iter()
                    .map(|study| {
                        let series: Vec<_> = study
                            .series
                            .iter()
                            .map(|s| {
                                let images: Vec<_> =
                                    s.images.iter().map(|i| i.image.as_str()).collect();
                                (s.at, s.series_id.as_deref(), images)
                            })
                            .collect();
                        (study.at, study.study_date, series)
                    })
                    .collect();
                (item.at, item.patient_identifier.as_deref(), studies)
            })
            .collect();
        let date = parse_date("2020-01-01");
        assert_eq!(
            shape,
            [
                (
                    At::Line(2),
                    Some("A"),
                    vec![
                        (
                            At::Line(2),
                            date,
                            vec![
                                (At::Line(2), None, vec!["a.png", "b.png"]),
                                (At::Line(4), Some("s1"), vec!["c.png"]),
                            ]
                        ),
                        (At::Line(6), None, vec![(At::Line(6), None, vec!["e.png"])]),
                    ]
                ),
                (
                    At::Line(5),
                    None,
                    vec![(At::Line(5), date, vec![(At::Line(5), None, vec!["d.png"])])]
                ),
            ]
        );
        let sex = Value::String(Some("F".to_owned()));
        assert_eq!(tree.items[0].props[0].value, sex);
    }

    #[test]
    fn values_are_converted_by_type() {
        assert_eq!(
            integer_range(&SqlType::MediumInt { unsigned: false }),
            (-8_388_608, 8_388_607)
        );
        assert_eq!(
            integer_range(&SqlType::TinyInt { unsigned: true }),
            (0, 255)
        );
        assert_eq!(
            integer_range(&SqlType::BigInt { unsigned: true }),
            (i64::MIN, i64::MAX)
        );
        let json = |v: Json| convert_value(&SqlType::Json, Raw::Json(&v));
        let cases: [(SqlType, Raw<'_>, Result<Value, &str>); 10] = [
            (
                SqlType::TinyInt { unsigned: true },
                Raw::Text(" 256"),
                Err("256 is out of range"),
            ),
            (
                SqlType::Int { unsigned: false },
                Raw::Text("-7"),
                Ok(Value::BigInt(Some(-7))),
            ),
            (SqlType::Bool, Raw::Text("Yes"), Ok(Value::Bool(Some(true)))),
            (
                SqlType::Bool,
                Raw::Json(&Json::Bool(false)),
                Ok(Value::Bool(Some(false))),
            ),
            (
                SqlType::Float,
                Raw::Text("1e39"),
                Err(
                    "1000000000000000000000000000000000000000 is out of range for a single-precision float",
                ),
            ),
            (
                SqlType::VarBinary(2),
                Raw::Text("0x0a1b2c"),
                Err("3 bytes is too long (at most 2)"),
            ),
            (
                SqlType::Enum(vec!["L".to_owned(), "R".to_owned()]),
                Raw::Text(" r"),
                Ok(Value::String(Some("R".to_owned()))),
            ),
            (
                SqlType::Varchar(3),
                Raw::Text("abcd"),
                Err("a text of 4 characters is too long (at most 3)"),
            ),
            (
                SqlType::Date,
                Raw::Text("2020-02-30"),
                Err("'2020-02-30' is not a date (YYYY-MM-DD)"),
            ),
            (
                SqlType::TinyText,
                Raw::Json(&Json::Null),
                Err("null is not a valid value"),
            ),
        ];
        for (ty, raw, expected) in cases {
            assert_eq!(
                convert_value(&ty, raw),
                expected.map_err(str::to_owned),
                "{ty}"
            );
        }
        assert_eq!(
            json(serde_json::json!({"a": [1, 2]})),
            Ok(Value::String(Some(r#"{"a":[1,2]}"#.to_owned())))
        );
        assert_eq!(
            convert_value(&SqlType::Json, Raw::Text("{a")),
            Err("'{a' is not valid JSON: key must be a string at line 1 column 2".to_owned())
        );
    }
}
