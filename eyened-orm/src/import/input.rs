//! Reading an import file (JSON, YAML or flat CSV) into the nested form, checking every value
//! against the column it is meant for. Problems are collected, not raised, each with its
//! position in the file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use sea_orm::Value;
use serde_json::Value as Json;

use super::{ImportError, InputProblem};
use crate::schema::{SqlType, Table};

/// The input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
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
    pub value: Value,
}

/// Where a node is in the input: its indexes in the nested form, or the CSV line it was first
/// given on. Positions are rendered as text only for problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum At {
    Item(u32),
    Study(u32, u32),
    Series(u32, u32, u32),
    Image(u32, u32, u32, u32),
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

    /// The position of an element of this node's list `key` (`studies`, `series`, `images`).
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
    pub at: At,
    pub project_name: String,
    pub patient_identifier: Option<String>,
    pub props: Vec<Prop>,
    pub studies: Vec<StudyIn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StudyIn {
    pub at: At,
    pub study_date: Option<NaiveDate>,
    pub props: Vec<Prop>,
    pub series: Vec<SeriesIn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeriesIn {
    pub at: At,
    pub series_id: Option<String>,
    pub props: Vec<Prop>,
    pub images: Vec<ImageIn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageIn {
    pub at: At,
    /// The path as given.
    pub image: String,
    pub props: Vec<Prop>,
}

/// The tables whose columns `props` may name, from the entities.
pub struct Tables {
    pub patient: &'static Table,
    pub study: &'static Table,
    pub series: &'static Table,
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
    Json(&'a Json),
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

fn convert_value(ty: &SqlType, raw: Raw<'_>) -> Result<Value, String> {
    let wrong = || format!("{} is not a valid value", describe(raw));
    let text = match raw {
        Raw::Json(Json::String(s)) => Some(s.as_str()),
        Raw::Text(s) => Some(s),
        _ => None,
    };
    match ty {
        SqlType::Bool => match raw {
            Raw::Json(Json::Bool(b)) => Ok(Value::Bool(Some(*b))),
            Raw::Json(Json::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Value::Bool(Some(n.as_i64() == Some(1))))
            }
            Raw::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => Ok(Value::Bool(Some(true))),
                "0" | "false" | "no" => Ok(Value::Bool(Some(false))),
                _ => Err(wrong()),
            },
            _ => Err(wrong()),
        },
        t if t.is_integer() => {
            let n = match raw {
                Raw::Json(Json::Number(n)) => n.as_i64(),
                Raw::Text(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .ok_or_else(wrong)?;
            let (lo, hi): (i64, i64) = match t {
                SqlType::TinyInt { unsigned: false } => (i8::MIN.into(), i8::MAX.into()),
                SqlType::TinyInt { unsigned: true } => (0, u8::MAX.into()),
                SqlType::SmallInt { unsigned: false } => (i16::MIN.into(), i16::MAX.into()),
                SqlType::SmallInt { unsigned: true } => (0, u16::MAX.into()),
                SqlType::MediumInt { unsigned: false } => (-(1 << 23), (1 << 23) - 1),
                SqlType::MediumInt { unsigned: true } => (0, (1 << 24) - 1),
                SqlType::Int { unsigned: false } => (i32::MIN.into(), i32::MAX.into()),
                SqlType::Int { unsigned: true } => (0, u32::MAX.into()),
                _ => (i64::MIN, i64::MAX),
            };
            if n < lo || n > hi {
                return Err(format!("{n} is out of range"));
            }
            Ok(Value::BigInt(Some(n)))
        }
        SqlType::Float | SqlType::Double | SqlType::Decimal { .. } => {
            let f = match raw {
                Raw::Json(Json::Number(n)) => n.as_f64(),
                Raw::Text(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|f| f.is_finite())
            .ok_or_else(wrong)?;
            if *ty == SqlType::Float {
                if f.abs() > f64::from(f32::MAX) {
                    return Err(format!("{f} is out of range for a single-precision float"));
                }
                Ok(Value::Float(Some(f as f32)))
            } else {
                Ok(Value::Double(Some(f)))
            }
        }
        SqlType::Char(n) | SqlType::Varchar(n) => {
            let s = text.ok_or_else(wrong)?;
            let len = s.chars().count();
            if len > *n as usize {
                return Err(format!(
                    "a text of {len} characters is too long (at most {n})"
                ));
            }
            Ok(Value::String(Some(s.to_owned())))
        }
        SqlType::TinyText | SqlType::Text | SqlType::MediumText | SqlType::LongText => {
            let s = text.ok_or_else(wrong)?;
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
        SqlType::Enum(values) => {
            let s = text.ok_or_else(wrong)?;
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
        SqlType::Date => {
            let s = text.ok_or_else(wrong)?;
            parse_date(s)
                .map(|d| Value::ChronoDate(Some(d)))
                .ok_or_else(|| format!("{} is not a date (YYYY-MM-DD)", describe(raw)))
        }
        SqlType::DateTime | SqlType::Timestamp => {
            let s = text.ok_or_else(wrong)?;
            parse_datetime(s)
                .map(|d| Value::ChronoDateTime(Some(d)))
                .ok_or_else(|| {
                    format!(
                        "{} is not a date and time (YYYY-MM-DD HH:MM:SS)",
                        describe(raw)
                    )
                })
        }
        SqlType::Json => {
            let json = match raw {
                Raw::Json(v) => v.clone(),
                Raw::Text(s) => serde_json::from_str(s)
                    .map_err(|e| format!("{} is not valid JSON: {e}", describe(raw)))?,
            };
            Ok(Value::Json(Some(Box::new(json))))
        }
        SqlType::Binary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::Blob
        | SqlType::MediumBlob
        | SqlType::LongBlob => {
            let s = text.ok_or_else(wrong)?;
            let bytes = parse_hex(s).ok_or_else(|| {
                format!("{} is not hexadecimal bytes (e.g. 0a1b2c)", describe(raw))
            })?;
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
        _ => text
            .map(|s| Value::String(Some(s.to_owned())))
            .ok_or_else(wrong),
    }
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

/// Parses `text` in `format`; `Err` only when the file as a whole cannot be read, otherwise the
/// items and the problems found in them.
pub fn parse(
    text: &str,
    format: Format,
    tables: &Tables,
) -> Result<(Vec<ItemIn>, Vec<InputProblem>), ImportError> {
    match format {
        Format::Json => {
            let doc: Json = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
                format: "JSON",
                reason: e.to_string(),
            })?;
            let parsed = from_tree(&doc, tables);
            drop_in_background(doc);
            Ok(parsed)
        }
        Format::Yaml => {
            let doc: Json = serde_yaml_ng::from_str(text).map_err(|e| ImportError::Syntax {
                format: "YAML",
                reason: e.to_string(),
            })?;
            let parsed = from_tree(&doc, tables);
            drop_in_background(doc);
            Ok(parsed)
        }
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

/// The problems found while walking the document.
struct Walker<'t> {
    tables: &'t Tables,
    problems: Vec<InputProblem>,
}

impl Walker<'_> {
    fn problem(&mut self, at: String, message: impl Into<String>) {
        self.problems.push(InputProblem {
            at,
            message: message.into(),
        });
    }

    /// The object at `at` (rendered by `place`), or a problem.
    fn object<'j>(
        &mut self,
        value: &'j Json,
        place: impl Fn() -> String,
        allowed: &[&str],
    ) -> Option<&'j serde_json::Map<String, Json>> {
        let Some(map) = value.as_object() else {
            self.problem(
                place(),
                format!("expected an object, found {}", describe(Raw::Json(value))),
            );
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.problem(
                    format!("{}.{key}", place()),
                    format!(
                        "unknown key `{key}`; expected one of {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        Some(map)
    }

    /// An optional string field; numbers are accepted as their text.
    fn string(&mut self, map: &serde_json::Map<String, Json>, key: &str, at: At) -> Option<String> {
        match map.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(Json::Number(n)) => Some(n.to_string()),
            Some(other) => {
                self.problem(
                    at.field(key),
                    format!("expected a string, found {}", describe(Raw::Json(other))),
                );
                None
            }
        }
    }

    fn list<'j>(
        &mut self,
        map: &'j serde_json::Map<String, Json>,
        key: &str,
        at: At,
    ) -> &'j [Json] {
        match map.get(key) {
            None | Some(Json::Null) => &[],
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.problem(
                    at.field(key),
                    format!("expected a list, found {}", describe(Raw::Json(other))),
                );
                &[]
            }
        }
    }

    fn props(
        &mut self,
        map: &serde_json::Map<String, Json>,
        at: At,
        table: &'static Table,
    ) -> Vec<Prop> {
        match map.get("props") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Object(props)) => props
                .iter()
                .filter_map(|(column, value)| {
                    match convert(table, column, Raw::Json(value), || at.prop(column)) {
                        Ok(prop) => Some(prop),
                        Err(p) => {
                            self.problems.push(p);
                            None
                        }
                    }
                })
                .collect(),
            Some(other) => {
                self.problem(
                    at.field("props"),
                    format!(
                        "expected an object of columns, found {}",
                        describe(Raw::Json(other))
                    ),
                );
                Vec::new()
            }
        }
    }

    fn date(&mut self, map: &serde_json::Map<String, Json>, at: At) -> Option<NaiveDate> {
        let s = self.string(map, "study_date", at)?;
        let date = parse_date(&s);
        if date.is_none() {
            self.problem(
                at.field("study_date"),
                format!("'{s}' is not a date (YYYY-MM-DD)"),
            );
        }
        date
    }
}

const ITEM_KEYS: &[&str] = &["project_name", "patient_identifier", "props", "studies"];
const STUDY_KEYS: &[&str] = &["study_date", "props", "series"];
const SERIES_KEYS: &[&str] = &["series_id", "props", "images"];
const IMAGE_KEYS: &[&str] = &["image", "props"];

/// The nested form: a list of items, or `{"items": [...]}`.
fn from_tree(doc: &Json, tables: &Tables) -> (Vec<ItemIn>, Vec<InputProblem>) {
    let mut w = Walker {
        tables,
        problems: Vec::new(),
    };
    let items: &[Json] = match doc {
        Json::Array(items) => items,
        Json::Object(map) if map.contains_key("items") => {
            w.object(doc, || "(top level)".to_owned(), &["items"]);
            match map.get("items") {
                Some(Json::Array(items)) => items,
                _ => {
                    w.problem("items".to_owned(), "expected a list of items");
                    &[]
                }
            }
        }
        other => {
            w.problem(
                "(top level)".to_owned(),
                format!(
                    "expected a list of items (or an object with `items`), found {}",
                    describe(Raw::Json(other))
                ),
            );
            &[]
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = At::Item(u32::try_from(i).unwrap_or(u32::MAX));
        let Some(map) = w.object(item, || at.to_string(), ITEM_KEYS) else {
            continue;
        };
        let project_name = w.string(map, "project_name", at).unwrap_or_default();
        if project_name.trim().is_empty() {
            w.problem(at.field("project_name"), "project_name is required");
        }
        let patient_identifier = w.string(map, "patient_identifier", at);
        let props = w.props(map, at, w.tables.patient);
        let mut studies = Vec::new();
        for (j, study) in w.list(map, "studies", at).iter().enumerate() {
            let at = at.child(j);
            let Some(smap) = w.object(study, || at.to_string(), STUDY_KEYS) else {
                continue;
            };
            let study_date = w.date(smap, at);
            let props = w.props(smap, at, w.tables.study);
            let mut series = Vec::new();
            for (k, s) in w.list(smap, "series", at).iter().enumerate() {
                let at = at.child(k);
                let Some(sermap) = w.object(s, || at.to_string(), SERIES_KEYS) else {
                    continue;
                };
                let series_id = w.string(sermap, "series_id", at);
                let props = w.props(sermap, at, w.tables.series);
                let list = w.list(sermap, "images", at);
                let mut images = Vec::with_capacity(list.len());
                for (l, image) in list.iter().enumerate() {
                    let at = at.child(l);
                    let Some(imap) = w.object(image, || at.to_string(), IMAGE_KEYS) else {
                        continue;
                    };
                    let path = w.string(imap, "image", at).unwrap_or_default();
                    if path.trim().is_empty() {
                        w.problem(at.field("image"), "image (the file path) is required");
                    }
                    let props = w.props(imap, at, w.tables.image);
                    images.push(ImageIn {
                        at,
                        image: path,
                        props,
                    });
                }
                series.push(SeriesIn {
                    at,
                    series_id,
                    props,
                    images,
                });
            }
            studies.push(StudyIn {
                at,
                study_date,
                props,
                series,
            });
        }
        out.push(ItemIn {
            at,
            project_name,
            patient_identifier,
            props,
            studies,
        });
    }
    (out, w.problems)
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

    /// What a CSV column holds.
    #[derive(Clone, Copy, PartialEq)]
    enum Field<'t> {
        Project,
        PatientId,
        StudyDate,
        SeriesId,
        Image,
        Prop(&'t Table),
        Unknown,
    }
    let fields: Vec<(Field<'_>, String)> = headers
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
        .collect();
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

    let mut items: Vec<ItemIn> = Vec::new();
    // (project, identifier) → item index; (item, date) → study index; (item, study, series id).
    let mut patient_at: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut study_at: BTreeMap<(usize, Option<NaiveDate>), usize> = BTreeMap::new();
    let mut series_at: BTreeMap<(usize, usize, Option<String>), usize> = BTreeMap::new();
    // A patient (item), study or series, by its indexes.
    type Node = (usize, Option<usize>, Option<usize>);
    // Where each prop of a patient, study or series was given: its line and CSV column.
    let mut given_at: HashMap<(Node, &'static str), (At, usize)> = HashMap::new();
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
        let mut project = String::new();
        let mut patient_id = None;
        let mut date = None;
        let mut series_id = None;
        let mut image = String::new();
        // Props of each level, with the index of the CSV column they came from.
        let mut props: [Vec<(Prop, usize)>; 4] = Default::default();
        for (i, cell) in record.iter().enumerate() {
            let Some((field, column)) = fields.get(i) else {
                continue;
            };
            if cell.is_empty() {
                continue;
            }
            let cell_at = || at.field(&headers[i]);
            match field {
                Field::Project => project = cell.to_owned(),
                Field::PatientId => patient_id = Some(cell.to_owned()),
                Field::StudyDate => match parse_date(cell) {
                    Some(d) => date = Some(d),
                    None => problems.push(InputProblem {
                        at: cell_at(),
                        message: format!("'{cell}' is not a date (YYYY-MM-DD)"),
                    }),
                },
                Field::SeriesId => series_id = Some(cell.to_owned()),
                Field::Image => image = cell.to_owned(),
                Field::Prop(table) if table.get_column(column).is_some() => {
                    match convert(table, column, Raw::Text(cell), cell_at) {
                        Ok(p) => {
                            let level = match table.name.as_str() {
                                "Patient" => 0,
                                "Study" => 1,
                                "Series" => 2,
                                _ => 3,
                            };
                            props[level].push((p, i));
                        }
                        Err(p) => problems.push(p),
                    }
                }
                _ => {}
            }
        }
        if project.trim().is_empty() {
            problems.push(InputProblem {
                at: at.field("project_name"),
                message: "project_name is required".to_owned(),
            });
        }
        if image.trim().is_empty() {
            problems.push(InputProblem {
                at: at.field("image"),
                message: "image (the file path) is required".to_owned(),
            });
        }
        let [patient_props, study_props, series_props, image_props] = props;
        let item = match &patient_id {
            Some(id) => *patient_at
                .entry((project.clone(), id.clone()))
                .or_insert_with(|| {
                    items.push(ItemIn {
                        at,
                        project_name: project.clone(),
                        patient_identifier: Some(id.clone()),
                        props: Vec::new(),
                        studies: Vec::new(),
                    });
                    items.len() - 1
                }),
            None => {
                items.push(ItemIn {
                    at,
                    project_name: project.clone(),
                    patient_identifier: None,
                    props: Vec::new(),
                    studies: Vec::new(),
                });
                items.len() - 1
            }
        };
        let mut merge = |into: &mut Vec<Prop>, node: Node, new: Vec<(Prop, usize)>| {
            for (prop, column) in new {
                match into.iter().find(|p| p.column == prop.column) {
                    Some(old) if old.value != prop.value => problems.push(InputProblem {
                        at: at.field(&headers[column]),
                        message: format!(
                            "{} differs from the value given at {} for the same row",
                            prop.column,
                            given_at
                                .get(&(node, prop.column))
                                .map_or_else(String::new, |(line, c)| line.field(&headers[*c]))
                        ),
                    }),
                    Some(_) => {}
                    None => {
                        given_at.insert((node, prop.column), (at, column));
                        into.push(prop);
                    }
                }
            }
        };
        merge(&mut items[item].props, (item, None, None), patient_props);
        let study = *study_at.entry((item, date)).or_insert_with(|| {
            items[item].studies.push(StudyIn {
                at,
                study_date: date,
                props: Vec::new(),
                series: Vec::new(),
            });
            items[item].studies.len() - 1
        });
        merge(
            &mut items[item].studies[study].props,
            (item, Some(study), None),
            study_props,
        );
        let series = *series_at
            .entry((item, study, series_id.clone()))
            .or_insert_with(|| {
                items[item].studies[study].series.push(SeriesIn {
                    at,
                    series_id: series_id.clone(),
                    props: Vec::new(),
                    images: Vec::new(),
                });
                items[item].studies[study].series.len() - 1
            });
        let node = (item, Some(study), Some(series));
        let series = &mut items[item].studies[study].series[series];
        merge(&mut series.props, node, series_props);
        series.images.push(ImageIn {
            at,
            image,
            props: image_props.into_iter().map(|(p, _)| p).collect(),
        });
    }
    Ok((items, problems))
}
