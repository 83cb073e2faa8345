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
//! copy_segmentation_data: false   # database-mirror-test: true copies the subset's zarr data too
//! follow_down: [Study.PatientID, Series.StudyID]   # optional: replaces the default downward edges
//! skip_down: [AttributeValueInput.InputAttributeValueID]  # optional: removes some of them
//! ```
//!
//! In a `database:` mapping, `password_env: VAR` may replace `password`. `raise_on_warnings` is
//! accepted (and ignored: the mirror fails on any error anyway), as are the Eyened settings the
//! Python tool needed for `copy_segmentation_data` (`secret_key`, `images_basepath`, ...). Any
//! other key is an error naming its path, checked before anything is touched.
//!
//! `copy_segmentation_data: true` needs each side's segmentation zarr store:
//! `segmentations_zarr_store: <path>` in `source:` / `target:` (relative to this file), or else
//! `SEGMENTATIONS_ZARR_STORE` in the side's `env_file`.

use std::path::{Path, PathBuf};

use super::clause::Condition;
use super::error::{MirrorError, hint};
use crate::config::{self, DatabaseConfig};
use crate::yaml::{self, Value};

/// A mapping's entries, in the order written.
type Mapping = [(Value, Value)];

/// What a transfer config may be: it nests 4 levels (`copy_objects[0].clause.Column`), so 32
/// is plenty, and a file nested deeper is refused at once.
const YAML_LIMITS: yaml::Limits = yaml::Limits {
    depth: 32,
    what: "a transfer config",
    large: false,
    duplicate_keys_pass: false,
};

/// A transfer config is a page of YAML; anything near this size is the wrong file.
pub const MAX_BYTES: usize = 1 << 20;

/// Values after a `password` shorter than this are not masked in messages: masking `1` would
/// mask every digit.
const SHORTEST_MASKED: usize = 4;

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
/// `copy_segmentation_data` needed there; they are accepted, and all but
/// `segmentations_zarr_store` are not used.
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
    /// The side's segmentation zarr store: `segmentations_zarr_store:` (relative to the config
    /// file's directory), else `SEGMENTATIONS_ZARR_STORE` of its `env_file`; `None` when
    /// neither names one.
    pub segmentations_zarr_store: Option<PathBuf>,
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
    /// A raw SQL condition, parsed, checked and rendered again ([`super::clause`]); it runs only
    /// inside the selection's read-only snapshot.
    Sql(Condition),
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
        let bytes = std::fs::read(path).map_err(|e| MirrorError::ConfigFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        // Relative env files are relative to the config file, shown in full in messages.
        let base = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = base.canonicalize().unwrap_or(base);
        Self::from_bytes(&bytes, path, &base, &|name| std::env::var(name).ok())
    }

    /// Checks the file's size and encoding (UTF-8, with or without a byte-order mark), then
    /// parses it as [`MirrorConfig::parse`] does.
    pub fn from_bytes(
        bytes: &[u8],
        path: &Path,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, MirrorError> {
        if bytes.len() > MAX_BYTES {
            return Err(MirrorError::ConfigLimit {
                path: path.display().to_string(),
                reason: format!(
                    "the file is {} bytes, and a transfer config is at most {MAX_BYTES} (1 MiB); is this the right file?",
                    bytes.len()
                ),
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = position(&bytes[..e.valid_up_to()]);
            MirrorError::ConfigFile {
                path: path.display().to_string(),
                reason: format!(
                    "not UTF-8 text (at line {line}, column {column}); save it as UTF-8"
                ),
            }
        })?;
        Self::parse(text, path, base_dir, env)
    }

    /// Parses config text. `env` looks up `password_env` variables. Every error is one line
    /// and shows no value written after a `password` key, wherever the file's mistakes put it.
    pub fn parse(
        text: &str,
        path: &Path,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, MirrorError> {
        Self::parse_unmasked(text, path, base_dir, env).map_err(|e| mask(e, &passwords_in(text)))
    }

    fn parse_unmasked(
        text: &str,
        path: &Path,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, MirrorError> {
        let path_text = || path.display().to_string();
        let value = Value::parse(text, &YAML_LIMITS).map_err(|e| match e {
            yaml::ReadError::Syntax(reason) => MirrorError::ConfigSyntax {
                path: path_text(),
                reason,
            },
            yaml::ReadError::Limit(reason) => MirrorError::ConfigLimit {
                path: path_text(),
                reason,
            },
        })?;
        if value == Value::Null {
            return Err(MirrorError::ConfigEmpty { path: path_text() });
        }
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
                    format!("expected true or false, found {}", other.kind()),
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

/// Line and column (1-based, in characters) just after `bytes`.
fn position(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// What follows each `password` in `text` (not `password_env`), read loosely without parsing:
/// a broken file can put a password where a message quotes the file (in a key, say), and it
/// must not show there either.
fn passwords_in(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<String> = lower
        .match_indices("password")
        .filter_map(|(i, word)| {
            let rest = &text[i + word.len()..];
            let before = &text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i];
            let in_comment = before.trim_start().starts_with('#') || before.contains(" #");
            if in_comment || rest.to_ascii_lowercase().starts_with("_env") {
                return None;
            }
            let rest = rest.trim_start_matches([':', '=', ' ', '\t']);
            let line = rest.lines().next().unwrap_or("");
            let value = match line.chars().next() {
                Some(quote @ ('\'' | '"')) => {
                    let raw = quoted(&line[1..], quote);
                    // Also as YAML reads it: `"a\nb"` is shown with a line break.
                    let decoded = Value::parse(&format!("{quote}{raw}{quote}"), &YAML_LIMITS);
                    return Some(match decoded {
                        Ok(Value::String(s)) if s != raw => vec![raw.to_owned(), s],
                        _ => vec![raw.to_owned()],
                    });
                }
                // Unquoted: up to a comment, and in a flow mapping up to the next entry.
                _ => line.split(" #").next()?,
            };
            let in_flow = value.split([',', '}', ']']).next()?;
            Some(vec![value.trim().to_owned(), in_flow.trim().to_owned()])
        })
        .flatten()
        .filter(|p| p.chars().count() >= SHORTEST_MASKED)
        .collect();
    // The longest first, so that a password containing another is masked whole.
    found.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    found.dedup();
    found
}

/// The text of a YAML scalar quoted with `quote` up to its closing quote (or the end of `text`):
/// `''` is a quote in single quotes, `\"` in double quotes.
fn quoted(text: &str, quote: char) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == quote) {
                    chars.next();
                } else {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// `err` with every one of `passwords` replaced by `***`, on one line.
fn mask(err: MirrorError, passwords: &[String]) -> MirrorError {
    let clean = |text: String| {
        let masked = passwords
            .iter()
            .fold(text, |text, p| text.replace(p.as_str(), "***"));
        yaml::one_line(&masked)
    };
    match err {
        MirrorError::Config { key, message } => MirrorError::Config {
            key: clean(key),
            message: clean(message),
        },
        MirrorError::ConfigSyntax { path, reason } => MirrorError::ConfigSyntax {
            path,
            reason: clean(reason),
        },
        MirrorError::ConfigLimit { path, reason } => MirrorError::ConfigLimit {
            path,
            reason: clean(reason),
        },
        other => other,
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
        MirrorError::config(key, format!("expected a mapping, found {}", value.kind()))
    })
}

fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    yaml::get(map, key)
}

fn required<'a>(map: &'a Mapping, prefix: &str, key: &str) -> Result<&'a Value, MirrorError> {
    get(map, key).ok_or_else(|| MirrorError::config(join_key(prefix, key), "missing key"))
}

/// Every key of `map` must be a string in `allowed`.
fn check_keys(map: &Mapping, prefix: &str, allowed: &[&str]) -> Result<(), MirrorError> {
    for (key, _) in map {
        let Some(name) = key.as_str() else {
            return Err(MirrorError::config(
                if prefix.is_empty() {
                    "(top level)"
                } else {
                    prefix
                },
                format!("keys must be strings, found {}", key.kind()),
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
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => {
            Ok(value.number_text().unwrap_or_default())
        }
        other => Err(MirrorError::config(
            key,
            format!("expected a string, found {}", other.kind()),
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
        && get(map, "database").is_none_or(|d| d.as_mapping().is_none())
    {
        return Err(MirrorError::config(
            join_key(role, key),
            format!(
                "connection settings belong in a mapping under {role}.database: (e.g. {role}: {{database: {{user: ..., password: ..., host: ..., port: 3306, database: ...}}}})"
            ),
        ));
    }
    check_keys(map, role, ENDPOINT_KEYS)?;
    let mut env_file = None;
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
            env_file = Some(path);
            db
        }
    };
    let key = join_key(role, "segmentations_zarr_store");
    let segmentations_zarr_store = match get(map, "segmentations_zarr_store") {
        Some(Value::Null) | None => match &env_file {
            Some(path) => zarr_store_of_env_file(path, &join_key(role, "env_file"))?,
            None => None,
        },
        Some(value) => {
            let store = PathBuf::from(string(value, &key)?);
            if store.as_os_str().is_empty() {
                return Err(MirrorError::config(key, "an empty path"));
            }
            Some(base_dir.join(store))
        }
    };
    Ok(Endpoint {
        db,
        segmentations_zarr_store,
    })
}

/// `SEGMENTATIONS_ZARR_STORE` of the env file at `path`, read as the platform's settings are;
/// `None` when the file does not set it (the platform's default store is not assumed: a copy
/// must name where it writes).
fn zarr_store_of_env_file(path: &Path, key: &str) -> Result<Option<PathBuf>, MirrorError> {
    let vars = config::read_env_file(path).map_err(|e| MirrorError::config(key, e.to_string()))?;
    if !vars.contains_key(config::VAR_SEGMENTATIONS_ZARR_STORE) {
        return Ok(None);
    }
    let desc = format!("env file '{}'", path.display());
    let platform = config::PlatformConfig::from_lookup(&|name| vars.get(name).cloned(), &desc)
        .map_err(|e| MirrorError::config(key, e.to_string()))?;
    Ok(Some(platform.segmentations_zarr_store))
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
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::UInt(u) => Some(*u),
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
            format!("expected true or false, found {}", v.kind()),
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
        (Some(number @ (Value::Int(_) | Value::UInt(_) | Value::Float(_))), None) => {
            number.number_text().unwrap_or_default()
        }
        (Some(other), None) => {
            return Err(MirrorError::config(
                join_key(prefix, "password"),
                format!("expected a string, found {}", other.kind()),
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
                value.kind()
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
            Value::String(s) => Clause::Sql(
                Condition::parse(s).map_err(|e| MirrorError::config(&clause_key, e.to_string()))?,
            ),
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
                            format!("column names must be strings, found {}", k.kind()),
                        ));
                    };
                    let value_key = format!("{clause_key}.{column}");
                    let value = match v {
                        Value::Null => ClauseValue::Null,
                        Value::Bool(b) => ClauseValue::Bool(*b),
                        Value::Int(i) => ClauseValue::Int(*i),
                        Value::UInt(u) => ClauseValue::UInt(*u),
                        Value::Float(f) => ClauseValue::Float(*f),
                        Value::String(s) => ClauseValue::Text(s.clone()),
                        other => {
                            return Err(MirrorError::config(
                                value_key,
                                format!(
                                    "expected a single value (string, number, boolean or null), found {}",
                                    other.kind()
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
                        other.kind()
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
                    format!("expected true or false, found {}", other.kind()),
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
                value.kind()
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
        match &objects[1].clause {
            Clause::Sql(condition) => assert_eq!(condition.sql(), "PatientID IN (1, 2, 3)"),
            other => panic!("{other:?}"),
        }
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
    fn a_byte_order_mark_is_accepted() {
        let plain = parse(BASE).unwrap();
        let bom = MirrorConfig::from_bytes(
            format!("\u{feff}{BASE}").as_bytes(),
            Path::new("t.yml"),
            Path::new("."),
            &|_| None,
        )
        .unwrap();
        assert_eq!(bom.source.db.display(), plain.source.db.display());
        assert_eq!(bom.target.db.display(), plain.target.db.display());
    }

    #[test]
    fn an_empty_file_says_so() {
        for text in ["", "\n\n", "# only a comment\n", "\u{feff}", "---\n"] {
            let err = parse(text).unwrap_err();
            assert!(
                matches!(err, MirrorError::ConfigEmpty { .. }),
                "{text:?}: {err}"
            );
            assert!(
                err.to_string().starts_with(
                    "t.yml: the file is empty; a transfer config needs source: and target:"
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn deep_nesting_fails_fast_naming_the_limit() {
        let deep = format!(
            "{BASE}copy_objects: {}{}\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let started = std::time::Instant::now();
        let err = parse(&deep).unwrap_err();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(err, MirrorError::ConfigLimit { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.starts_with(
                "t.yml: nested more than 32 levels deep (the limit for a transfer config) at line 5, column "
            ),
            "{message}"
        );
    }

    #[test]
    fn size_and_encoding_are_checked_first() {
        let from_bytes = |bytes: &[u8]| {
            MirrorConfig::from_bytes(bytes, Path::new("t.yml"), Path::new("."), &|_| None)
        };
        let big = format!("{BASE}# {}\n", "x".repeat(MAX_BYTES));
        let err = from_bytes(big.as_bytes()).unwrap_err();
        assert!(matches!(err, MirrorError::ConfigLimit { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("a transfer config is at most 1048576"),
            "{err}"
        );
        let mut latin1 = BASE.as_bytes().to_vec();
        latin1.extend(b"copy_objects: [{table: P\xe4tient, clause: {a: 1}}]\n");
        assert_eq!(
            from_bytes(&latin1).unwrap_err().to_string(),
            "cannot read config file t.yml: not UTF-8 text (at line 5, column 25); save it as UTF-8"
        );
    }

    #[test]
    fn a_raw_clause_is_checked_while_parsing() {
        let err = parse(&format!(
            "{BASE}copy_objects:\n  - {{table: Patient, clause: {{PatientID: 1}}}}\n  - {{table: Patient, clause: \"1=1) INTO OUTFILE '/tmp/x.txt' -- \"}}\n"
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "copy_objects[1].clause: INTO (at column 6) is not allowed: a condition selects rows, it does not write them to files or variables"
        );
    }

    #[test]
    fn a_password_never_shows_even_where_a_broken_file_puts_it() {
        let cases = [
            // The separator deleted: the password becomes part of a key.
            BASE.replace("password: s3cret,", "passwords3cret,"),
            BASE.replace("password: s3cret,", "password; s3cret,"),
            BASE.replace("password: s3cret,", "password: s3cret, s3cret: 1,"),
            // A key given twice whose name is the password.
            format!("{BASE}s3cret: 1\ns3cret: 2\n"),
            // A password with a line break, quoted.
            BASE.replace(
                "password: s3cret,",
                "password: \"s3cret\\nmore\", \"s3cret\\nmore\": 1,",
            ),
        ];
        for text in cases {
            let err = parse(&text).unwrap_err().to_string();
            assert!(!err.contains("s3cret"), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
        assert_eq!(
            passwords_in(
                "a: {password: 'x y z', password_env: VAR}\npassword:\"q\"\nPassword: abcd # c\n# password: in a comment\nb: 1 # password: too\n"
            ),
            ["x y z", "abcd"]
        );
        assert_eq!(
            passwords_in("{password: \"p@ss w0rd#'\\\"x\", password: 'it''s ok', host: h}"),
            ["p@ss w0rd#'\\\"x", "p@ss w0rd#'\"x", "it''s ok", "it's ok"]
        );
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
