//! The transfer config (`transfer-config.yml`), read strictly.
//!
//! The format of the Python tool works unchanged:
//!
//! ```yaml
//! source:
//!   database: {user: eyened, password: secret, host: db.prod, port: 3306, database: eyened_database}
//! target:
//!   env_file: test.env          # instead of `database:`; DATABASE_* variables, relative to this file
//! copy_objects:                 # database-mirror-test only
//!   - table: Patient
//!     clause: {PatientIdentifier: 'P-0001'}   # values are bound as parameters
//!   - table: Patient
//!     clause: "PatientID IN (1, 2, 3)"        # or a raw SQL condition
//!     follow_down: false                      # optional: only the rows and what they reference
//! copy_segmentation_data: false
//! follow_down: [Study.PatientID, Series.StudyID]   # optional: replaces the default downward edges
//! skip_down: [AttributeValueInput.InputAttributeValueID]  # optional: removes some of them
//! ```
//!
//! In a `database:` mapping, `password_env: VAR` may replace `password`. `raise_on_warnings` is
//! accepted (and ignored: the mirror fails on any error anyway), as are the Eyened settings the
//! Python tool needed for `copy_segmentation_data` (`secret_key`, `images_basepath`, ...). Any
//! other key is an error naming its path, checked before anything is touched.

use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::error::{MirrorError, hint};
use crate::config::{self, DatabaseConfig};

/// Keys of a `database:` mapping.
const DATABASE_KEYS: &[&str] = &[
    "user",
    "password",
    "password_env",
    "host",
    "port",
    "database",
    "raise_on_warnings",
];

/// Keys of `source:` / `target:`. The Eyened settings are what the Python tool's
/// `copy_segmentation_data` needed there; they are accepted and not used.
const ENDPOINT_KEYS: &[&str] = &[
    "database",
    "env_file",
    "secret_key",
    "images_basepath",
    "segmentations_zarr_store",
    "thumbnails_path",
    "annotations_path",
    "default_study_date",
    "cfi_cache_path",
    "image_server_url",
];

const TOP_KEYS: &[&str] = &[
    "source",
    "target",
    "copy_objects",
    "copy_segmentation_data",
    "follow_down",
    "skip_down",
];

const COPY_OBJECT_KEYS: &[&str] = &["table", "clause", "follow_down"];

/// One side of the transfer.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Connection settings; `database()` is always set.
    pub db: DatabaseConfig,
}

impl Endpoint {
    /// The database name.
    pub fn name(&self) -> &str {
        self.db.database().unwrap_or_default()
    }
}

/// A value of a clause mapping, bound as a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ClauseValue {
    /// YAML `null`: the column is matched with `IS NULL`, nothing is bound.
    Null,
    /// `true` or `false`, bound as 1 or 0.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string; the server converts it to the column's type when comparing.
    Text(String),
}

/// Which rows of a `copy_objects` entry to start from.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `column = value AND ...` (`IS NULL` for null), values bound as parameters.
    Columns(Vec<(String, ClauseValue)>),
    /// A raw SQL condition, run as one prepared statement inside a read-only transaction.
    Sql(String),
}

/// One entry of `copy_objects`.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyObject {
    /// Its key path, e.g. `copy_objects[2]`.
    pub key: String,
    /// The table the clause selects from (trimmed; checked against the source before the run).
    pub table: String,
    /// Which rows of `table` are roots.
    pub clause: Clause,
    /// Whether the rows that belong to the selected rows come along (default true).
    pub follow_down: bool,
}

/// A foreign key named in `follow_down` / `skip_down`: `Table.Column` or `Table.(A,B)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeName {
    /// Its key path, e.g. `follow_down[1]`.
    pub key: String,
    /// The referencing (child) table.
    pub table: String,
    /// The foreign key's columns in `table`; matched in any order.
    pub columns: Vec<String>,
}

impl std::fmt::Display for EdgeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.columns.len() == 1 {
            write!(f, "{}.{}", self.table, self.columns[0])
        } else {
            write!(f, "{}.({})", self.table, self.columns.join(","))
        }
    }
}

/// The whole config file.
#[derive(Debug, Clone)]
pub struct MirrorConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// The database copied from; only ever read.
    pub source: Endpoint,
    /// The database replaced by the copy.
    pub target: Endpoint,
    /// `None` when the key is absent (it is required by database-mirror-test only).
    pub copy_objects: Option<Vec<CopyObject>>,
    /// The Python tool's flag for copying zarr segmentation data (false when absent):
    /// database-mirror-test refuses `true`, database-mirror-full ignores it.
    pub copy_segmentation_data: bool,
    /// Replaces the default downward edges when given.
    pub follow_down: Option<Vec<EdgeName>>,
    /// Downward edges removed from the default (every foreign key); empty when absent, and
    /// never given together with `follow_down`.
    pub skip_down: Vec<EdgeName>,
}

impl MirrorConfig {
    /// Reads and checks `path`. Relative `env_file`s are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<Self, MirrorError> {
        let text = std::fs::read_to_string(path).map_err(|e| MirrorError::ConfigFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        // Relative env files are relative to the config file, shown in full in messages.
        let base = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = base.canonicalize().unwrap_or(base);
        Self::parse(&text, path, &base, &|name| std::env::var(name).ok())
    }

    /// Parses config text. `env` looks up `password_env` variables.
    pub fn parse(
        text: &str,
        path: &Path,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, MirrorError> {
        let value: Value =
            serde_yaml_ng::from_str(text).map_err(|e| MirrorError::ConfigSyntax {
                path: path.display().to_string(),
                // serde_yaml_ng quotes at most a token, never a whole line: no secrets here
                // beyond what the file itself shows at that position.
                reason: scrub_yaml_error(&e.to_string()),
            })?;
        let top = as_mapping(&value, "(top level)")?;
        check_keys(top, "", TOP_KEYS)?;

        let source = endpoint(required(top, "", "source")?, "source", base_dir, env)?;
        let target = endpoint(required(top, "", "target")?, "target", base_dir, env)?;

        let copy_objects = match get(top, "copy_objects") {
            None => None,
            Some(v) => Some(copy_objects(v)?),
        };
        let copy_segmentation_data = match get(top, "copy_segmentation_data") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(MirrorError::config(
                    "copy_segmentation_data",
                    format!("expected true or false, found {}", kind(other)),
                ));
            }
        };
        let follow_down = match get(top, "follow_down") {
            None => None,
            Some(v) => Some(edge_list(v, "follow_down")?),
        };
        let skip_down = match get(top, "skip_down") {
            None => Vec::new(),
            Some(v) => edge_list(v, "skip_down")?,
        };
        if follow_down.is_some() && !skip_down.is_empty() {
            return Err(MirrorError::config(
                "skip_down",
                "give either follow_down (the complete list) or skip_down (removals from the default), not both",
            ));
        }
        Ok(MirrorConfig {
            path: path.to_owned(),
            source,
            target,
            copy_objects,
            copy_segmentation_data,
            follow_down,
            skip_down,
        })
    }
}

fn scrub_yaml_error(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn as_mapping<'a>(value: &'a Value, key: &str) -> Result<&'a Mapping, MirrorError> {
    value.as_mapping().ok_or_else(|| {
        MirrorError::config(key, format!("expected a mapping, found {}", kind(value)))
    })
}

fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(Value::String(key.to_owned()))
}

fn required<'a>(map: &'a Mapping, prefix: &str, key: &str) -> Result<&'a Value, MirrorError> {
    get(map, key).ok_or_else(|| MirrorError::config(join_key(prefix, key), "missing key"))
}

/// Every key of `map` must be a string in `allowed`.
fn check_keys(map: &Mapping, prefix: &str, allowed: &[&str]) -> Result<(), MirrorError> {
    for key in map.keys() {
        let Some(name) = key.as_str() else {
            return Err(MirrorError::config(
                if prefix.is_empty() {
                    "(top level)"
                } else {
                    prefix
                },
                format!("keys must be strings, found {}", kind(key)),
            ));
        };
        if !allowed.contains(&name) {
            return Err(MirrorError::config(
                join_key(prefix, name),
                format!(
                    "unknown key{}; expected one of {}",
                    hint(name, allowed.iter().copied()),
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn string(value: &Value, key: &str) -> Result<String, MirrorError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        // YAML reads `user: 1234` as a number; a user or database name may well be digits.
        Value::Number(n) => Ok(n.to_string()),
        other => Err(MirrorError::config(
            key,
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn endpoint(
    value: &Value,
    role: &'static str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, MirrorError> {
    let map = as_mapping(value, role)?;
    // The flat layout of the platform's dev/README.md, which the Python tool never read.
    if let Some(key) = ["user", "host", "port", "password"]
        .into_iter()
        .find(|k| get(map, k).is_some())
        && get(map, "database").is_none_or(|d| !d.is_mapping())
    {
        return Err(MirrorError::config(
            join_key(role, key),
            format!(
                "connection settings belong in a mapping under {role}.database: (e.g. {role}: {{database: {{user: ..., password: ..., host: ..., port: 3306, database: ...}}}})"
            ),
        ));
    }
    check_keys(map, role, ENDPOINT_KEYS)?;
    let db = match (get(map, "database"), get(map, "env_file")) {
        (Some(_), Some(_)) => {
            return Err(MirrorError::config(
                join_key(role, "env_file"),
                "give either database: or env_file:, not both",
            ));
        }
        (None, None) => {
            return Err(MirrorError::config(
                join_key(role, "database"),
                "missing key (or give env_file: with DATABASE_* variables)",
            ));
        }
        (Some(db), None) => database_mapping(db, &join_key(role, "database"), env)?,
        (None, Some(file)) => {
            let key = join_key(role, "env_file");
            let file = PathBuf::from(string(file, &key)?);
            let path = if file.is_absolute() {
                file
            } else {
                base_dir.join(file)
            };
            let db = config::resolve(None, Some(&path))
                .map_err(|e| MirrorError::config(&key, e.to_string()))?;
            if db.backend() != config::Backend::MySql {
                return Err(MirrorError::config(
                    key,
                    "names a SQLite database; mirroring needs MySQL or MariaDB",
                ));
            }
            if db.database().is_none_or(str::is_empty) {
                return Err(MirrorError::config(key, "names no database"));
            }
            db
        }
    };
    Ok(Endpoint { db })
}

fn database_mapping(
    value: &Value,
    prefix: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatabaseConfig, MirrorError> {
    let map = as_mapping(value, prefix)?;
    check_keys(map, prefix, DATABASE_KEYS)?;
    let user = string(required(map, prefix, "user")?, &join_key(prefix, "user"))?;
    let host = string(required(map, prefix, "host")?, &join_key(prefix, "host"))?;
    let database = string(
        required(map, prefix, "database")?,
        &join_key(prefix, "database"),
    )?;
    let port_key = join_key(prefix, "port");
    let port = match required(map, prefix, "port")? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|p| (1..=65535).contains(p))
    .ok_or_else(|| MirrorError::config(&port_key, "expected a port number between 1 and 65535"))?
        as u16;
    if host.trim().is_empty() {
        return Err(MirrorError::config(
            join_key(prefix, "host"),
            "must not be empty",
        ));
    }
    if database.trim().is_empty() {
        return Err(MirrorError::config(
            join_key(prefix, "database"),
            "must not be empty",
        ));
    }
    if let Some(v) = get(map, "raise_on_warnings")
        && !matches!(v, Value::Bool(_) | Value::Null)
    {
        return Err(MirrorError::config(
            join_key(prefix, "raise_on_warnings"),
            format!("expected true or false, found {}", kind(v)),
        ));
    }
    let password = match (get(map, "password"), get(map, "password_env")) {
        (Some(_), Some(_)) => {
            return Err(MirrorError::config(
                join_key(prefix, "password_env"),
                "give either password or password_env, not both",
            ));
        }
        (None, None) => {
            return Err(MirrorError::config(
                join_key(prefix, "password"),
                "missing key (use password: '' for none, or password_env: VAR)",
            ));
        }
        (Some(Value::Null), None) => String::new(),
        // Never echo the value: it is a password.
        (Some(Value::String(s)), None) => s.clone(),
        (Some(Value::Number(n)), None) => n.to_string(),
        (Some(other), None) => {
            return Err(MirrorError::config(
                join_key(prefix, "password"),
                format!("expected a string, found {}", kind(other)),
            ));
        }
        (None, Some(var)) => {
            let key = join_key(prefix, "password_env");
            let var = string(var, &key)?;
            env(&var).ok_or_else(|| {
                MirrorError::config(&key, format!("environment variable {var} is not set"))
            })?
        }
    };
    Ok(DatabaseConfig::mysql(
        user,
        password,
        host.trim(),
        port,
        Some(database),
    ))
}

fn copy_objects(value: &Value) -> Result<Vec<CopyObject>, MirrorError> {
    let Value::Sequence(items) = value else {
        return Err(MirrorError::config(
            "copy_objects",
            format!(
                "expected a list of {{table, clause}} entries, found {}",
                kind(value)
            ),
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("copy_objects[{i}]");
        let map = as_mapping(item, &key)?;
        check_keys(map, &key, COPY_OBJECT_KEYS)?;
        let table = string(required(map, &key, "table")?, &format!("{key}.table"))?;
        if table.trim().is_empty() {
            return Err(MirrorError::config(
                format!("{key}.table"),
                "must not be empty",
            ));
        }
        let clause_key = format!("{key}.clause");
        let clause = match required(map, &key, "clause")? {
            Value::String(s) if s.trim().is_empty() => {
                return Err(MirrorError::config(
                    clause_key,
                    "empty condition; to copy every row write clause: \"1=1\"",
                ));
            }
            Value::String(s) => Clause::Sql(s.clone()),
            Value::Mapping(m) => {
                if m.is_empty() {
                    return Err(MirrorError::config(
                        clause_key,
                        "empty mapping; give at least one column: value",
                    ));
                }
                let mut columns = Vec::new();
                for (k, v) in m {
                    let Some(column) = k.as_str() else {
                        return Err(MirrorError::config(
                            clause_key,
                            format!("column names must be strings, found {}", kind(k)),
                        ));
                    };
                    let value_key = format!("{clause_key}.{column}");
                    let value = match v {
                        Value::Null => ClauseValue::Null,
                        Value::Bool(b) => ClauseValue::Bool(*b),
                        Value::Number(n) => {
                            if let Some(i) = n.as_i64() {
                                ClauseValue::Int(i)
                            } else if let Some(u) = n.as_u64() {
                                ClauseValue::UInt(u)
                            } else {
                                ClauseValue::Float(n.as_f64().unwrap_or(f64::NAN))
                            }
                        }
                        Value::String(s) => ClauseValue::Text(s.clone()),
                        other => {
                            return Err(MirrorError::config(
                                value_key,
                                format!(
                                    "expected a single value (string, number, boolean or null), found {}",
                                    kind(other)
                                ),
                            ));
                        }
                    };
                    columns.push((column.to_owned(), value));
                }
                Clause::Columns(columns)
            }
            other => {
                return Err(MirrorError::config(
                    clause_key,
                    format!(
                        "expected a mapping of column: value or an SQL condition string, found {}",
                        kind(other)
                    ),
                ));
            }
        };
        let follow_down = match get(map, "follow_down") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(MirrorError::config(
                    format!("{key}.follow_down"),
                    format!("expected true or false, found {}", kind(other)),
                ));
            }
        };
        out.push(CopyObject {
            key,
            table: table.trim().to_owned(),
            clause,
            follow_down,
        });
    }
    Ok(out)
}

fn edge_list(value: &Value, key: &str) -> Result<Vec<EdgeName>, MirrorError> {
    let Value::Sequence(items) = value else {
        return Err(MirrorError::config(
            key,
            format!(
                "expected a list of foreign keys written Table.Column, found {}",
                kind(value)
            ),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_key = format!("{key}[{i}]");
            let text = string(item, &item_key)?;
            parse_edge(&text).map(|(table, columns)| EdgeName {
                key: item_key.clone(),
                table,
                columns,
            }).ok_or_else(|| {
                MirrorError::config(
                    item_key,
                    format!("'{text}' is not a foreign key name; write Table.Column (the referencing table and column), or Table.(A,B) for a composite key"),
                )
            })
        })
        .collect()
}

/// `Table.Column` or `Table.(A, B)`.
fn parse_edge(text: &str) -> Option<(String, Vec<String>)> {
    let (table, rest) = text.trim().split_once('.')?;
    let table = table.trim();
    let rest = rest.trim();
    let columns: Vec<String> = match rest.strip_prefix('(') {
        Some(inner) => inner
            .strip_suffix(')')?
            .split(',')
            .map(|c| c.trim().to_owned())
            .collect(),
        None => vec![rest.to_owned()],
    };
    if table.is_empty() || columns.iter().any(|c| c.is_empty() || c.contains('.')) {
        return None;
    }
    Some((table.to_owned(), columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MirrorConfig, MirrorError> {
        MirrorConfig::parse(text, Path::new("t.yml"), Path::new("."), &|name| {
            (name == "PW").then(|| "from-env".to_owned())
        })
    }

    const BASE: &str = "source:\n  database: {user: u, password: s3cret, host: h, port: 3306, database: src, raise_on_warnings: true}\ntarget:\n  database: {user: u, password: '', host: h, port: '3307', database: dst}\n";

    #[test]
    fn python_format_parses() {
        let text = format!(
            "{BASE}copy_objects:\n  - table: Patient\n    clause:\n      PatientIdentifier: '1'\n  - table: Patient\n    clause: PatientID IN (1,2,3)\ncopy_segmentation_data: false\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.source.db.display(), "u@h:3306/src");
        assert_eq!(config.source.db.password().expose(), "s3cret");
        assert_eq!(config.target.db.port(), 3307);
        let objects = config.copy_objects.unwrap();
        assert_eq!(
            objects[0].clause,
            Clause::Columns(vec![(
                "PatientIdentifier".into(),
                ClauseValue::Text("1".into())
            )])
        );
        assert_eq!(
            objects[1].clause,
            Clause::Sql("PatientID IN (1,2,3)".into())
        );
        assert!(!config.copy_segmentation_data);
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                BASE.replace("port: 3306", "prot: 3306"),
                "source.database.prot",
            ),
            (
                BASE.replace("password: s3cret, ", ""),
                "source.database.password",
            ),
            (format!("{BASE}extra: 1\n"), "extra"),
            (
                format!("{BASE}copy_objects: [{{table: Patient}}]\n"),
                "copy_objects[0].clause",
            ),
            (
                format!("{BASE}copy_objects: [{{table: P, clause: {{a: [1]}}}}]\n"),
                "copy_objects[0].clause.a",
            ),
            (format!("{BASE}follow_down: [Study]\n"), "follow_down[0]"),
            (
                BASE.replace("port: 3306", "port: 99999"),
                "source.database.port",
            ),
        ];
        for (text, key) in cases {
            match parse(&text) {
                Err(MirrorError::Config { key: k, message }) => {
                    assert_eq!(k, key, "{message}");
                    assert!(!message.contains("s3cret"));
                }
                other => panic!("{key}: {other:?}"),
            }
        }
    }

    #[test]
    fn password_env_and_suggestions() {
        let config = parse(&BASE.replace("password: s3cret", "password_env: PW")).unwrap();
        assert_eq!(config.source.db.password().expose(), "from-env");
        let err = parse(&BASE.replace("password: s3cret", "password_env: NOPE")).unwrap_err();
        assert!(err.to_string().contains("NOPE is not set"), "{err}");
        let err = parse(&BASE.replace("host: h, port: 3306", "hots: h, port: 3306")).unwrap_err();
        assert!(err.to_string().contains("did you mean host?"), "{err}");
    }

    #[test]
    fn edges_parse() {
        assert_eq!(
            parse_edge("Study.PatientID"),
            Some(("Study".into(), vec!["PatientID".into()]))
        );
        assert_eq!(
            parse_edge("T.(A, B)"),
            Some(("T".into(), vec!["A".into(), "B".into()]))
        );
        assert_eq!(parse_edge("Study"), None);
        assert_eq!(parse_edge("a.b.c"), None);
    }
}
