//! Database connection settings (replaces the Python platform's
//! `set_connection_string.py` / `load_config`).
//!
//! Settings are resolved by [`resolve`] from, in order of precedence:
//!
//! 1. an explicit URL (e.g. `-u/--database-url`),
//! 2. an env file given by path (e.g. `--env-file test.env`),
//! 3. the process environment.
//!
//! From an env file or the environment, `DATABASE_URL` is used if set; otherwise
//! `DATABASE_USER`, `DATABASE_PASSWORD` (may be empty), `DATABASE_HOST`,
//! `DATABASE_PORT` and `DATABASE_NAME` are all required. Env files are read
//! without modifying the process environment. In env files, quote passwords
//! containing `$`, `#`, quotes or spaces with single quotes (`'...'`), otherwise
//! dotenv substitution and comment rules apply.
//!
//! Supported URLs are `mysql://user:password@host:port/database` and SQLite URLs
//! such as `sqlite://path/to/file.db?mode=rwc` or `sqlite::memory:`.
//!
//! A password in a `mysql://` URL may be pasted as it is, without percent-encoding: the last
//! `@` (before the `?ssl-mode=...` parameters) ends the user name and password, and the first
//! `:` separates them. So `mysql://app:4711?x/y@db/eyened` is user `app`, password `4711?x/y`
//! on host `db`. In full:
//!
//! 1. The parameters start at the first `?` followed by a parameter sqlx knows and `=`
//!    (`?ssl-mode=`, `?ssl-ca=`, `?charset=`, ...); an unknown parameter is an error.
//! 2. The last `@` before them ends the user name and password; the first `:` before it
//!    separates the two. An `@` in a parameter's value is written `%40`.
//! 3. The host runs from there to the next `/`, `?` or `#`; an IPv6 address is written in
//!    brackets (`[::1]:3306`). Without `@` there is no user name or password.
//!
//! `%` and two hex digits are a percent-encoded byte, in the password too. The URL connected
//! with has the user name and password percent-encoded, so that the driver reads them the same
//! way. Errors about a URL never quote it: they may show the scheme and say what part is wrong.
//!
//! The password is never printed: [`DatabaseConfig`]'s `Display`/`Debug` and all
//! [`ConfigError`] messages leave it out, and an error about a URL or an env file line that
//! cannot be parsed says what is wrong without quoting it.

use std::fmt;
use std::path::{Path, PathBuf};

use percent_encoding::{
    AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode,
};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};

const VAR_URL: &str = "DATABASE_URL";
const VAR_USER: &str = "DATABASE_USER";
const VAR_PASSWORD: &str = "DATABASE_PASSWORD";
const VAR_HOST: &str = "DATABASE_HOST";
const VAR_PORT: &str = "DATABASE_PORT";
const VAR_NAME: &str = "DATABASE_NAME";

/// Default MySQL port, used when a `mysql://` URL has none.
const DEFAULT_MYSQL_PORT: u16 = 3306;

/// RFC 3986 userinfo encoding: everything but the unreserved characters.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters sqlx would misread in a SQLite file path.
const SQLITE_PATH: &AsciiSet = &CONTROLS.add(b'%').add(b'?').add(b'#');

/// Description of the process environment as a settings source.
const SOURCE_ENV: &str = "the environment";
/// Description of the process environment layered over `./.env`.
const SOURCE_ENV_DOTENV: &str = "the environment or .env";

/// The longest value of a port variable that an error quotes: longer text is not a mistyped
/// port but, most likely, a line that ran into the next one, which may be the password's.
const SHOWN_PORT_CHARS: usize = 10;

mod env_file;
mod mysql_url;
mod platform;

pub use platform::*;

/// Errors from resolving settings or connecting. Messages are one line and
/// never contain the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The env file given by path does not exist.
    #[error(
        "env file '{}' not found; check the path (relative paths are resolved against the current directory)",
        path.display()
    )]
    EnvFileNotFound {
        /// Path as given.
        path: PathBuf,
    },

    /// The env file exists but could not be read.
    #[error("cannot read env file '{}': {reason}; check that it is a readable text file", path.display())]
    EnvFileUnreadable {
        /// Path as given.
        path: PathBuf,
        /// Cause (I/O error).
        reason: String,
    },

    /// The env file has a line that is not `KEY=value`.
    #[error(
        "cannot parse env file '{}' at line {line}{}; use KEY=value lines and single-quote values containing spaces, '#', '$' or quotes",
        path.display(),
        key.as_ref().map(|k| format!(" (the entry for {k})")).unwrap_or_default()
    )]
    EnvFileSyntax {
        /// Path as given.
        path: PathBuf,
        /// Line number (1-based) where the offending entry starts.
        line: usize,
        /// Variable name of the offending line when it is one of the `DATABASE_*` variables.
        /// The line itself is not kept since it may hold the password.
        key: Option<String>,
    },

    /// A required variable is missing (or empty).
    #[error("{name} is not set in {source_desc}; set it there, or set DATABASE_URL instead")]
    MissingVariable {
        /// Variable name, e.g. `DATABASE_HOST`.
        name: String,
        /// Where it was looked for, e.g. `env file 'test.env'` or `the environment`.
        source_desc: String,
    },

    /// A setting that a command needs is not set (`SECRET_KEY`, `IMAGE_SERVER_URL`, ...).
    #[error(
        "{name} is not set in {source_desc}; set it there (the platform's value, so that names and links match)"
    )]
    MissingSetting {
        /// Variable name.
        name: String,
        /// Where it was looked for.
        source_desc: String,
    },

    /// A variable's value cannot be used.
    #[error("{name} in {source_desc} is not valid; expected {expected}")]
    InvalidValue {
        /// Variable name.
        name: String,
        /// Where it was found.
        source_desc: String,
        /// What would be valid (may quote the value: never used for the password).
        expected: String,
    },

    /// A variable other than the password holds a control character (a carriage return, a
    /// NUL, ...).
    #[error(
        "{name} in {source_desc} contains a control character (not shown); end lines with LF or CR LF, not CR alone, and remove other control characters"
    )]
    ControlCharacter {
        /// Variable name.
        name: String,
        /// Where it was found.
        source_desc: String,
    },

    /// A port variable is not a number in 1..=65535.
    #[error(
        "{name}{} in {source_desc} is not a valid port; use a number between 1 and 65535 (MySQL's default is 3306)",
        value.as_ref().map_or_else(|| " (a long value, not shown: check for a missing line break)".to_owned(), |v| format!("='{v}'"))
    )]
    InvalidPort {
        /// Variable name.
        name: String,
        /// Offending value, if at most 10 characters: a longer one may have run into the next
        /// line, and that line's password.
        value: Option<String>,
        /// Where it was found.
        source_desc: String,
    },

    /// A database URL could not be understood.
    #[error("invalid database URL ({source_desc}): {reason}")]
    InvalidUrl {
        /// Where the URL came from.
        source_desc: String,
        /// What is wrong; never quotes the password.
        reason: String,
    },

    /// Connecting failed.
    #[error("cannot connect to {target}: {message}")]
    Connect {
        /// `user@host:port/db` or `sqlite:<path>`.
        target: String,
        /// Cause and hint, with the password scrubbed.
        message: String,
    },
}

/// A string that is never printed: `Debug` and `Display` show `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Database backend of a [`DatabaseConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// MySQL or MariaDB (`mysql://`).
    MySql,
    /// SQLite (`sqlite:`).
    Sqlite,
}

/// Where and how to connect to the database.
///
/// Built from components ([`DatabaseConfig::mysql`], env variables) or from a
/// URL ([`DatabaseConfig::from_url`]). A URL given by the user is used verbatim
/// for connecting; its parts are extracted for display only.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    backend: Backend,
    user: String,
    password: Secret,
    host: String,
    port: u16,
    /// Database name (MySQL) or file path / `:memory:` (SQLite).
    database: Option<String>,
    /// The URL as given by the user, if any.
    raw_url: Option<Secret>,
}

impl DatabaseConfig {
    /// MySQL/MariaDB settings from components; `database: None` means connect
    /// to the server without selecting a database.
    pub fn mysql(
        user: impl Into<String>,
        password: impl Into<Secret>,
        host: impl Into<String>,
        port: u16,
        database: Option<String>,
    ) -> Self {
        Self {
            backend: Backend::MySql,
            user: user.into(),
            password: password.into(),
            host: host.into(),
            port,
            database,
            raw_url: None,
        }
    }

    /// Parses a `mysql://` or `sqlite:` URL. A password may be given without
    /// percent-encoding: the last `@` ends it (see the [module docs](self)). A SQLite URL is
    /// kept as is for connecting; a MySQL URL too, but for the user name and
    /// password, which are percent-encoded. The user name and database are
    /// percent-decoded for display.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        Self::parse_url(url, "given explicitly")
    }

    fn parse_url(url: &str, source_desc: &str) -> Result<Self, ConfigError> {
        let url = url.trim();
        let invalid = |reason: String| ConfigError::InvalidUrl {
            source_desc: source_desc.to_owned(),
            reason,
        };
        if starts_with_ignore_case(url, "mysql://") {
            parse_mysql_url(url).map_err(invalid)
        } else if url.starts_with("sqlite:") {
            parse_sqlite_url(url).map_err(invalid)
        } else {
            Err(invalid(format!(
                "{}; expected mysql://user:password@host:port/database or sqlite://path/to/file.db",
                describe_scheme(url)
            )))
        }
    }

    /// Backend this configuration connects to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// User name (decoded); empty for SQLite.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Password (decoded); empty for SQLite.
    pub fn password(&self) -> &Secret {
        &self.password
    }

    /// Host name or IP address; empty for SQLite.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// TCP port; 0 for SQLite.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Database name (MySQL) or file path / `:memory:` (SQLite).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The connection URL, including the password; do not log it.
    ///
    /// Built as `mysql://user:password@host:port/db` with user, password and
    /// database percent-encoded, or the URL as given (user name and password
    /// percent-encoded).
    pub fn url(&self) -> String {
        match &self.raw_url {
            Some(raw) => raw.expose().to_owned(),
            None => self.build_mysql_url(self.database.as_deref()),
        }
    }

    /// The URL without a database, for `CREATE DATABASE` / `DROP DATABASE`.
    /// Query parameters of a given URL are kept. For SQLite (no server) this
    /// is the same as [`url`](Self::url).
    pub fn server_url(&self) -> String {
        match (&self.raw_url, self.backend) {
            (Some(raw), Backend::MySql) => replace_mysql_path(raw.expose(), None),
            (Some(raw), Backend::Sqlite) => raw.expose().to_owned(),
            (None, _) => self.build_mysql_url(None),
        }
    }

    /// The same settings with another database. For SQLite, `name` is the
    /// file path and URL query parameters (e.g. `mode=rwc`) are kept.
    pub fn with_database(&self, name: &str) -> Self {
        let mut config = self.clone();
        config.database = Some(name.to_owned());
        config.raw_url = match (&self.raw_url, self.backend) {
            (Some(raw), Backend::MySql) => {
                Some(Secret(replace_mysql_path(raw.expose(), Some(name))))
            }
            (Some(raw), Backend::Sqlite) => {
                let query = raw.expose().find('?').map_or("", |i| &raw.expose()[i..]);
                // `sqlite:<path>` rather than `sqlite://<path>`: the URL check in
                // SeaORM would read a relative path's first segment as a host.
                let path = utf8_percent_encode(name, SQLITE_PATH);
                Some(Secret(format!("sqlite:{path}{query}")))
            }
            (None, _) => None,
        };
        config
    }

    /// `user@host:port/db` (or `sqlite:<path>`); never includes the password.
    pub fn display(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite:{}", self.database.as_deref().unwrap_or("")),
            Backend::MySql => {
                let mut out = String::new();
                if !self.user.is_empty() {
                    out.push_str(&self.user);
                    out.push('@');
                }
                out.push_str(&bracket_host(&self.host));
                out.push(':');
                out.push_str(&self.port.to_string());
                if let Some(db) = &self.database {
                    out.push('/');
                    out.push_str(db);
                }
                out
            }
        }
    }

    /// SeaORM options for [`url`](Self::url). A server that does not answer fails within 10 s
    /// instead of sqlx's 30 s. Statements, slow ones too, are logged at debug level only
    /// (target `sqlx::query`), which nothing shows unless asked (`-vv`, `RUST_LOG`): they may
    /// carry patient data.
    pub fn connect_options(&self) -> ConnectOptions {
        let mut options = ConnectOptions::new(self.url());
        options
            .connect_timeout(std::time::Duration::from_secs(10))
            .acquire_timeout(std::time::Duration::from_secs(10))
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Debug)
            .sqlx_slow_statements_logging_settings(
                log::LevelFilter::Debug,
                std::time::Duration::from_secs(1),
            );
        options
    }

    /// Connects with SeaORM's default options; see [`connect_with`](Self::connect_with).
    pub async fn connect(&self) -> Result<DatabaseConnection, ConfigError> {
        self.connect_with(|_| {}).await
    }

    /// Connects after letting `configure` adjust the options (pool size,
    /// timeouts, logging). Failures become [`ConfigError::Connect`] naming
    /// [`display`](Self::display), the cause and a hint, without the password.
    pub async fn connect_with(
        &self,
        configure: impl FnOnce(&mut ConnectOptions),
    ) -> Result<DatabaseConnection, ConfigError> {
        let mut options = self.connect_options();
        configure(&mut options);
        Database::connect(options)
            .await
            .map_err(|err| self.connect_error(&err))
    }

    /// Turns a connection error into a one-line [`ConfigError::Connect`]
    /// without the password, for callers that connect by other means.
    pub fn connect_error(&self, err: &DbErr) -> ConfigError {
        let (cause, hint) = self.describe_db_err(err);
        let mut message = self.scrub(&cause);
        if let Some(hint) = hint {
            message.push_str(" — ");
            message.push_str(&hint);
        }
        ConfigError::Connect {
            target: self.display(),
            message,
        }
    }

    fn describe_db_err(&self, err: &DbErr) -> (String, Option<String>) {
        let sqlx_err = match err {
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(&**e),
            _ => None,
        };
        let Some(sqlx_err) = sqlx_err else {
            let text = err.to_string();
            let text = text.strip_prefix("Connection Error: ").unwrap_or(&text);
            if self.backend == Backend::Sqlite && text.contains("has no supporting driver") {
                return (
                    "this build has no SQLite driver".to_owned(),
                    Some("enable eyened-orm's `sqlite` feature (on by default)".to_owned()),
                );
            }
            return (text.to_owned(), None);
        };
        let sqlite = self.backend == Backend::Sqlite;
        let reach_hint = if sqlite {
            "check that the file path exists and is writable (add ?mode=rwc to create the file)"
                .to_owned()
        } else {
            format!(
                "check that the server is running and reachable at {}:{} (DATABASE_HOST, DATABASE_PORT)",
                bracket_host(&self.host),
                self.port
            )
        };
        use sea_orm::sqlx::Error as E;
        match sqlx_err {
            E::Database(db) => {
                let message = db.message().to_owned();
                let hint = if message.contains("Access denied") {
                    Some(
                        "check the user name and password (DATABASE_USER, DATABASE_PASSWORD) and the user's privileges"
                            .to_owned(),
                    )
                } else if message.contains("Unknown database") {
                    Some(
                        "check the database name (DATABASE_NAME) or create the database".to_owned(),
                    )
                } else if sqlite {
                    Some(reach_hint)
                } else {
                    None
                };
                (message, hint)
            }
            E::Io(io) => (io.to_string(), Some(reach_hint)),
            E::PoolTimedOut => (
                "timed out waiting for a connection (server unreachable or refusing connections)"
                    .to_owned(),
                Some(reach_hint),
            ),
            E::Tls(e) => (
                format!("TLS error: {e}"),
                Some("check the server's TLS setup or the ssl-mode URL parameter".to_owned()),
            ),
            E::Configuration(e) => (
                format!("invalid connection settings: {e}"),
                Some("check the database URL".to_owned()),
            ),
            other => (other.to_string(), None),
        }
    }

    /// Removes the URL and password from `text` (drivers may quote either)
    /// and folds it onto one line.
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for url in [self.url(), self.server_url()] {
            if !url.is_empty() {
                out = out.replace(&url, &self.display());
            }
        }
        let password = self.password.expose();
        if !password.is_empty() {
            let variants = [
                utf8_percent_encode(password, USERINFO).to_string(),
                utf8_percent_encode(password, NON_ALPHANUMERIC).to_string(),
                password.to_owned(),
            ];
            for variant in variants {
                out = out.replace(&variant, "***");
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn build_mysql_url(&self, database: Option<&str>) -> String {
        let mut url = String::from("mysql://");
        if !self.user.is_empty() || !self.password.is_empty() {
            url.push_str(&utf8_percent_encode(&self.user, USERINFO).to_string());
            if !self.password.is_empty() {
                url.push(':');
                url.push_str(&utf8_percent_encode(self.password.expose(), USERINFO).to_string());
            }
            url.push('@');
        }
        url.push_str(&bracket_host(&self.host));
        url.push(':');
        url.push_str(&self.port.to_string());
        if let Some(db) = database {
            url.push('/');
            url.push_str(&utf8_percent_encode(db, USERINFO).to_string());
        }
        url
    }
}

impl fmt::Display for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("backend", &self.backend)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("from_url", &self.raw_url.is_some())
            .finish()
    }
}

/// The sqlx pool behind `db` when it is a MySQL/MariaDB pool (`None` for SQLite, or a mock or
/// proxy connection that reports the MySQL backend), for the commands that stream rows or open
/// connections of their own. SeaORM's `get_mysql_connection_pool` panics instead.
pub fn mysql_pool(db: &DatabaseConnection) -> Option<&sea_orm::sqlx::MySqlPool> {
    match &db.inner {
        sea_orm::DatabaseConnectionType::SqlxMySqlPoolConnection(_) => {
            Some(db.get_mysql_connection_pool())
        }
        #[allow(unreachable_patterns)] // with only the sqlx-mysql feature there is no other kind
        _ => None,
    }
}

/// The variables of the env file at `path`, read as [`resolve`] reads them: dotenv syntax,
/// later entries override earlier ones, a leading byte-order mark is skipped. An error names
/// the file and, for a line that does not parse, its number, never its text (which may hold the
/// password).
pub fn read_env_file(
    path: &Path,
) -> Result<std::collections::HashMap<String, String>, ConfigError> {
    env_file::read(path)
}

/// Resolves settings: `url` if given, else the env file at `env_file` if
/// given, else the process environment. See the [module docs](self).
pub fn resolve(url: Option<&str>, env_file: Option<&Path>) -> Result<DatabaseConfig, ConfigError> {
    resolve_inner(url, env_file, None, &process_env)
}

/// Like [`resolve`], but when neither `url` nor `env_file` is given, a `.env`
/// file in the current directory (if present) is used as a fallback beneath
/// the process environment, like `dotenvy::dotenv()` but without modifying
/// the process environment.
pub fn resolve_with_dotenv(
    url: Option<&str>,
    env_file: Option<&Path>,
) -> Result<DatabaseConfig, ConfigError> {
    resolve_inner(url, env_file, Some(Path::new(".env")), &process_env)
}

fn process_env(name: &str) -> Option<String> {
    // Non-UTF-8 values count as unset.
    std::env::var(name).ok()
}

/// `env` stands in for the process environment so tests can inject it.
fn resolve_inner(
    url: Option<&str>,
    env_file: Option<&Path>,
    dotenv: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatabaseConfig, ConfigError> {
    if let Some(url) = url {
        return DatabaseConfig::from_url(url);
    }
    let source = Source::open(env_file, dotenv, env)?;
    from_lookup(&|name| source.get(name), source.desc())
}

/// Where settings are read: an env file given by path, the environment over `./.env`, or any
/// lookup (the environment alone).
enum Source<'a> {
    File {
        vars: std::collections::HashMap<String, String>,
        desc: String,
    },
    EnvOverDotenv {
        env: &'a dyn Fn(&str) -> Option<String>,
        vars: std::collections::HashMap<String, String>,
    },
    Lookup {
        lookup: &'a dyn Fn(&str) -> Option<String>,
        desc: String,
    },
}

impl<'a> Source<'a> {
    /// The env file at `env_file` if given; else `env` over the file at `dotenv` if that
    /// exists; else `env`.
    fn open(
        env_file: Option<&Path>,
        dotenv: Option<&Path>,
        env: &'a dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        if let Some(path) = env_file {
            return Ok(Source::File {
                vars: env_file::read(path)?,
                desc: format!("env file '{}'", path.display()),
            });
        }
        Ok(match dotenv.filter(|path| path.exists()) {
            Some(path) => Source::EnvOverDotenv {
                env,
                vars: env_file::read(path)?,
            },
            None => Source::Lookup {
                lookup: env,
                desc: SOURCE_ENV.to_owned(),
            },
        })
    }

    fn get(&self, name: &str) -> Option<String> {
        match self {
            Source::File { vars, .. } => vars.get(name).cloned(),
            Source::EnvOverDotenv { env, vars } => env(name).or_else(|| vars.get(name).cloned()),
            Source::Lookup { lookup, .. } => lookup(name),
        }
    }

    fn desc(&self) -> &str {
        match self {
            Source::File { desc, .. } | Source::Lookup { desc, .. } => desc,
            Source::EnvOverDotenv { .. } => SOURCE_ENV_DOTENV,
        }
    }
}

fn from_lookup(
    lookup: &dyn Fn(&str) -> Option<String>,
    source_desc: &str,
) -> Result<DatabaseConfig, ConfigError> {
    if let Some(url) = lookup(VAR_URL).filter(|url| !url.trim().is_empty()) {
        return DatabaseConfig::parse_url(&url, &format!("{VAR_URL} in {source_desc}"));
    }
    let missing = |name: &str| ConfigError::MissingVariable {
        name: name.to_owned(),
        source_desc: source_desc.to_owned(),
    };
    let required = |name: &str| {
        let value = lookup(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| missing(name))?;
        // A carriage return alone does not end a line: a file saved with those runs every
        // line into the first value.
        match value.contains(char::is_control) {
            true => Err(ConfigError::ControlCharacter {
                name: name.to_owned(),
                source_desc: source_desc.to_owned(),
            }),
            false => Ok(value),
        }
    };
    let user = required(VAR_USER)?;
    // An empty password is valid (e.g. local root without password).
    let password = lookup(VAR_PASSWORD).ok_or_else(|| missing(VAR_PASSWORD))?;
    let host = required(VAR_HOST)?;
    let port_text = required(VAR_PORT)?;
    let port = parse_port(&port_text).ok_or_else(|| ConfigError::InvalidPort {
        name: VAR_PORT.to_owned(),
        value: (port_text.chars().count() <= SHOWN_PORT_CHARS).then(|| port_text.clone()),
        source_desc: source_desc.to_owned(),
    })?;
    let database = required(VAR_NAME)?;
    Ok(DatabaseConfig::mysql(
        user,
        password,
        host,
        port,
        Some(database),
    ))
}

fn parse_port(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|&port| port != 0)
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Names the scheme of an unsupported URL, without quoting anything that
/// might be a secret: only a `scheme://` is named (`user:password@host` is
/// not a scheme and its password).
fn describe_scheme(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme.len() <= 16
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            format!("unsupported scheme '{scheme}'")
        }
        _ if starts_with_ignore_case(url, "mysql:") => {
            "a MySQL URL starts with mysql://".to_owned()
        }
        _ => "no URL scheme".to_owned(),
    }
}

fn decode(text: &str, what: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("the {what} is not valid UTF-8 after percent-decoding"))
}

/// Adds brackets around IPv6 addresses.
fn bracket_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// Byte index where the authority of a `mysql://` URL ends, as the `url` crate
/// (used by sqlx) determines it.
fn mysql_authority_end(url: &str) -> usize {
    let start = "mysql://".len();
    start
        + url[start..]
            .find(['/', '?', '#'])
            .unwrap_or(url.len() - start)
}

/// A `mysql://` URL's settings; see [`mysql_url`] for how it is read.
fn parse_mysql_url(url: &str) -> Result<DatabaseConfig, String> {
    let parts = mysql_url::parse(url)?;
    Ok(DatabaseConfig {
        backend: Backend::MySql,
        user: parts.user,
        password: Secret(parts.password),
        host: parts.host,
        port: parts.port,
        database: parts.database,
        raw_url: Some(Secret(parts.normalized)),
    })
}

/// Mirrors sqlx: strip `sqlite://` or `sqlite:`, the path ends at `?`.
fn parse_sqlite_url(url: &str) -> Result<DatabaseConfig, String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Err(
            "no database file; use e.g. sqlite://path/to/file.db?mode=rwc or sqlite::memory:"
                .to_owned(),
        );
    }
    let database = decode(path, "file path")?;
    Ok(DatabaseConfig {
        backend: Backend::Sqlite,
        user: String::new(),
        password: Secret::default(),
        host: String::new(),
        port: 0,
        database: Some(database),
        raw_url: Some(Secret(url.to_owned())),
    })
}

/// Replaces the path (database) of a `mysql://` URL, keeping authority and
/// query untouched.
fn replace_mysql_path(url: &str, database: Option<&str>) -> String {
    let authority_end = mysql_authority_end(url);
    let after = &url[authority_end..];
    let suffix = after.find(['?', '#']).map_or("", |i| &after[i..]);
    let path = database
        .map(|db| format!("/{}", utf8_percent_encode(db, USERINFO)))
        .unwrap_or_default();
    format!("{}{path}{suffix}", &url[..authority_end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sqlx::ConnectOptions as _;
    use sea_orm::sqlx::mysql::MySqlConnectOptions;
    use std::collections::HashMap;
    use std::str::FromStr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const NASTY: &str = "p@ss:w/rd%#?x y";

    /// An env file under the temp dir, removed on drop.
    struct TempEnv(PathBuf);

    impl TempEnv {
        fn new(contents: &str) -> Self {
            let path = unique_path();
            std::fs::write(&path, contents).unwrap();
            Self(path)
        }
    }

    impl Drop for TempEnv {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn unique_path() -> PathBuf {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        std::env::temp_dir().join(format!(
            "eyened-orm-config-test-{}-{}.env",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ))
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    const FULL: &str = "DATABASE_USER=root\nDATABASE_PASSWORD='s3cret pw'\nDATABASE_HOST=db.local\nDATABASE_PORT=3307\nDATABASE_NAME=eyened\n";

    #[test]
    fn special_password_round_trips_through_sqlx() {
        let config =
            DatabaseConfig::mysql("us er@x", NASTY, "127.0.0.1", 3306, Some("test".into()));
        let url = config.url();
        assert!(!url.contains(NASTY));

        let options = MySqlConnectOptions::from_str(&url).unwrap();
        assert_eq!(options.get_username(), "us er@x");
        assert_eq!(options.get_host(), "127.0.0.1");
        assert_eq!(options.get_port(), 3306);
        assert_eq!(options.get_database(), Some("test"));
        let rebuilt = options.to_url_lossy();
        let password = percent_decode_str(rebuilt.password().unwrap())
            .decode_utf8()
            .unwrap();
        assert_eq!(password, NASTY);

        let parsed = DatabaseConfig::from_url(&url).unwrap();
        assert_eq!(parsed.password().expose(), NASTY);
        assert_eq!(parsed.user(), "us er@x");
        assert_eq!(parsed.host(), "127.0.0.1");
        assert_eq!(parsed.database(), Some("test"));
        assert_eq!(parsed.url(), url);
    }

    #[test]
    fn display_and_debug_never_show_password() {
        let config = DatabaseConfig::mysql("root", NASTY, "127.0.0.1", 3306, Some("test".into()));
        assert_eq!(config.display(), "root@127.0.0.1:3306/test");
        assert_eq!(config.to_string(), config.display());
        let from_url = DatabaseConfig::from_url(&config.url()).unwrap();
        for c in [&config, &from_url] {
            for text in [
                c.display(),
                format!("{c}"),
                format!("{c:?}"),
                format!("{c:#?}"),
            ] {
                assert!(!text.contains(NASTY), "{text}");
                assert!(!text.contains("p%40ss"), "{text}");
            }
        }
        assert_eq!(format!("{:?}", Secret::new("x")), "***");
        assert_eq!(format!("{}", Secret::new("x")), "***");
    }

    #[test]
    fn given_url_is_kept_verbatim() {
        let raw = "mysql://root:p%40ss@db.example:3307/eyened?ssl-mode=DISABLED";
        let config = DatabaseConfig::from_url(raw).unwrap();
        assert_eq!(config.url(), raw);
        assert_eq!(config.password().expose(), "p@ss");
        assert_eq!(config.display(), "root@db.example:3307/eyened");
        assert_eq!(
            config.server_url(),
            "mysql://root:p%40ss@db.example:3307?ssl-mode=DISABLED"
        );
        let other = config.with_database("other db");
        assert_eq!(
            other.url(),
            "mysql://root:p%40ss@db.example:3307/other%20db?ssl-mode=DISABLED"
        );
        assert_eq!(other.display(), "root@db.example:3307/other db");

        // Unencoded '@' in the password: the last '@' ends the userinfo, as in sqlx.
        let config = DatabaseConfig::from_url("mysql://root:p@ss@localhost/x").unwrap();
        assert_eq!(config.password().expose(), "p@ss");
        assert_eq!(config.port(), 3306);
        assert_eq!(config.display(), "root@localhost:3306/x");
    }

    #[test]
    fn server_url_and_with_database_from_components() {
        let config = DatabaseConfig::mysql("root", "", "::1", 3306, None);
        assert_eq!(config.url(), "mysql://root@[::1]:3306");
        assert_eq!(config.display(), "root@[::1]:3306");
        let with = config.with_database("eyened_test");
        assert_eq!(with.url(), "mysql://root@[::1]:3306/eyened_test");
        assert_eq!(with.server_url(), config.url());
        assert_eq!(
            DatabaseConfig::from_url(&with.url()).unwrap(),
            DatabaseConfig {
                raw_url: Some(Secret(with.url())),
                ..with.clone()
            }
        );
    }

    #[test]
    fn sqlite_urls_pass_through() {
        let raw = "sqlite://target/quickstart.db?mode=rwc";
        let config = DatabaseConfig::from_url(raw).unwrap();
        assert_eq!(config.backend(), Backend::Sqlite);
        assert_eq!(config.url(), raw);
        assert_eq!(config.server_url(), raw);
        assert_eq!(config.display(), "sqlite:target/quickstart.db");
        assert_eq!(config.with_database("x.db").url(), "sqlite:x.db?mode=rwc");
        assert_eq!(config.with_database("x.db").display(), "sqlite:x.db");

        let memory = DatabaseConfig::from_url("sqlite::memory:").unwrap();
        assert_eq!(memory.url(), "sqlite::memory:");
        assert_eq!(memory.display(), "sqlite::memory:");
    }

    #[test]
    fn bad_urls_are_rejected_without_leaking() {
        let err = DatabaseConfig::from_url("postgres://u:hunter2@h/db").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("unsupported scheme 'postgres'"), "{text}");
        assert!(!text.contains("hunter2"));

        let err = DatabaseConfig::from_url("hunter2").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");

        // An unencoded '/' in the password: the last '@' ends it.
        let config = DatabaseConfig::from_url("mysql://root:hunt/er2@h/db").unwrap();
        assert_eq!(config.password().expose(), "hunt/er2");
        assert_eq!(config.display(), "root@h:3306/db");
        // Without '@', what follows ':' is a port, and not quoted.
        let err = DatabaseConfig::from_url("mysql://root:hunter2/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("the port is not a number"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");

        assert!(DatabaseConfig::from_url("sqlite:").is_err());
    }

    #[test]
    fn env_file_components() {
        let file = TempEnv::new(FULL);
        let config = resolve_inner(None, Some(&file.0), None, &no_env).unwrap();
        assert_eq!(config.display(), "root@db.local:3307/eyened");
        assert_eq!(config.password().expose(), "s3cret pw");
        assert_eq!(
            config.url(),
            "mysql://root:s3cret%20pw@db.local:3307/eyened"
        );
    }

    #[test]
    fn missing_env_file_names_path() {
        let path = unique_path();
        let err = resolve_inner(None, Some(&path), None, &no_env).unwrap_err();
        assert_eq!(err, ConfigError::EnvFileNotFound { path: path.clone() });
        assert!(err.to_string().contains(&path.display().to_string()));
    }

    #[test]
    fn missing_variable_names_variable_and_file() {
        let file = TempEnv::new(&FULL.replace("DATABASE_HOST=db.local\n", ""));
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, ConfigError::MissingVariable { ref name, .. } if name == "DATABASE_HOST")
        );
        assert!(text.contains("DATABASE_HOST"), "{text}");
        assert!(text.contains(&file.0.display().to_string()), "{text}");

        let err = resolve_inner(None, None, None, &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("DATABASE_USER is not set in the environment"),
            "{err}"
        );
    }

    #[test]
    fn invalid_port_names_value() {
        let file = TempEnv::new(&FULL.replace("3307", "33o6"));
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("DATABASE_PORT='33o6'"), "{text}");
        assert!(text.contains(&file.0.display().to_string()), "{text}");
        let err = resolve_inner(
            None,
            None,
            None,
            &env_of(&[
                ("DATABASE_USER", "u"),
                ("DATABASE_PASSWORD", "p"),
                ("DATABASE_HOST", "h"),
                ("DATABASE_PORT", "70000"),
                ("DATABASE_NAME", "d"),
            ]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("'70000' in the environment"),
            "{err}"
        );
    }

    #[test]
    fn values_that_ran_into_another_line_are_not_shown() {
        // A lost line break: the port runs into the password's line (given twice).
        let file = TempEnv::new(&FULL.replace(
            "DATABASE_PORT=3307\n",
            "DATABASE_PORT=3307DATABASE_PASSWORD='s3cret pw'\n",
        ));
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidPort { value: None, .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("DATABASE_PORT (a long value, not shown"),
            "{text}"
        );
        assert!(!text.contains("s3cret") && !format!("{err:?}").contains("s3cret"));

        // Lines ended by a carriage return alone are one line to dotenv.
        let file = TempEnv::new(&FULL.replace('\n', "\r"));
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("DATABASE_USER in env file") && text.contains("CR alone"),
            "{text}"
        );
        assert!(!text.contains("s3cret") && !text.contains('\r'), "{text}");
    }

    #[test]
    fn empty_password_allowed() {
        let file = TempEnv::new(&FULL.replace("'s3cret pw'", ""));
        let config = resolve_inner(None, Some(&file.0), None, &no_env).unwrap();
        assert!(config.password().is_empty());
        assert_eq!(config.url(), "mysql://root@db.local:3307/eyened");

        // ... but it must be present.
        let file = TempEnv::new(&FULL.replace("DATABASE_PASSWORD='s3cret pw'\n", ""));
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        assert!(
            err.to_string().contains("DATABASE_PASSWORD is not set"),
            "{err}"
        );
    }

    #[test]
    fn database_url_in_env_file_wins() {
        let file = TempEnv::new(&format!("{FULL}DATABASE_URL=sqlite::memory:\n"));
        let config = resolve_inner(None, Some(&file.0), None, &no_env).unwrap();
        assert_eq!(config.url(), "sqlite::memory:");

        let file = TempEnv::new("DATABASE_URL=mysql://a:b@h:1/db\nDATABASE_PORT=bad\n");
        let config = resolve_inner(None, Some(&file.0), None, &no_env).unwrap();
        assert_eq!(config.display(), "a@h:1/db");
    }

    #[test]
    fn precedence_url_then_file_then_env() {
        let file = TempEnv::new(FULL);
        let env = env_of(&[("DATABASE_URL", "mysql://env@envhost/envdb")]);
        let explicit = resolve_inner(Some("sqlite::memory:"), Some(&file.0), None, &env).unwrap();
        assert_eq!(explicit.url(), "sqlite::memory:");
        let from_file = resolve_inner(None, Some(&file.0), None, &env).unwrap();
        assert_eq!(from_file.display(), "root@db.local:3307/eyened");
        let from_env = resolve_inner(None, None, None, &env).unwrap();
        assert_eq!(from_env.display(), "env@envhost:3306/envdb");
        // Empty DATABASE_URL counts as unset.
        let env = env_of(&[
            ("DATABASE_URL", ""),
            ("DATABASE_USER", "u"),
            ("DATABASE_PASSWORD", ""),
            ("DATABASE_HOST", "h"),
            ("DATABASE_PORT", "1"),
            ("DATABASE_NAME", "d"),
        ]);
        assert_eq!(
            resolve_inner(None, None, None, &env).unwrap().display(),
            "u@h:1/d"
        );
    }

    #[test]
    fn dotenv_is_a_fallback_beneath_the_environment() {
        let dotenv = TempEnv::new(FULL);
        let env = env_of(&[("DATABASE_HOST", "override"), ("DATABASE_USER", "me")]);
        let config = resolve_inner(None, None, Some(&dotenv.0), &env).unwrap();
        assert_eq!(config.display(), "me@override:3307/eyened");

        let missing = unique_path();
        let err = resolve_inner(None, None, Some(&missing), &env).unwrap_err();
        assert!(
            err.to_string()
                .contains("DATABASE_PASSWORD is not set in the environment"),
            "{err}"
        );

        let partial = TempEnv::new("DATABASE_USER=u\n");
        let err = resolve_inner(None, None, Some(&partial.0), &no_env).unwrap_err();
        assert!(
            err.to_string().contains("in the environment or .env"),
            "{err}"
        );
    }

    #[test]
    fn env_file_syntax_error_hides_line() {
        let file = TempEnv::new("DATABASE_USER=root\nDATABASE_PASSWORD='hunter2\n");
        let err = resolve_inner(None, Some(&file.0), None, &no_env).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains(&file.0.display().to_string()), "{text}");
    }

    #[test]
    fn scrub_removes_url_and_password() {
        let config = DatabaseConfig::mysql("root", NASTY, "h", 3306, Some("d".into()));
        let msg = format!(
            "The connection string '{}' cannot be parsed.\npassword {NASTY} or {}",
            config.url(),
            utf8_percent_encode(NASTY, NON_ALPHANUMERIC)
        );
        let scrubbed = config.scrub(&msg);
        assert!(!scrubbed.contains(NASTY), "{scrubbed}");
        assert!(!scrubbed.contains("p%40ss"), "{scrubbed}");
        assert!(scrubbed.contains("root@h:3306/d"), "{scrubbed}");
        assert!(!scrubbed.contains('\n'));
    }

    #[test]
    fn missing_sqlite_driver_names_the_feature() {
        let config = DatabaseConfig::from_url("sqlite://eyened.db").unwrap();
        let err = DbErr::Conn(RuntimeErr::Internal(
            "The connection string 'sqlite://eyened.db' has no supporting driver.".to_owned(),
        ));
        assert_eq!(
            config.connect_error(&err).to_string(),
            "cannot connect to sqlite:eyened.db: this build has no SQLite driver — enable \
             eyened-orm's `sqlite` feature (on by default)"
        );
    }

    #[tokio::test]
    async fn connect_sqlite_memory() {
        let config = DatabaseConfig::from_url("sqlite::memory:").unwrap();
        config.connect().await.unwrap();
    }

    #[tokio::test]
    async fn connect_failure_is_one_line_without_password() {
        let missing_dir = unique_path().join("missing.db");
        let config =
            DatabaseConfig::from_url(&format!("sqlite://{}", missing_dir.display())).unwrap();
        let err = config.connect().await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot connect to sqlite:{}",
                missing_dir.display()
            )),
            "{text}"
        );
        assert!(!text.contains('\n'));

        // Nothing listens on port 1 of the loopback interface.
        let config = DatabaseConfig::mysql("root", NASTY, "127.0.0.1", 1, Some("d".into()));
        let err = config
            .connect_with(|o| {
                o.acquire_timeout(std::time::Duration::from_millis(500));
            })
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("cannot connect to root@127.0.0.1:1/d: "),
            "{text}"
        );
        assert!(text.contains("DATABASE_HOST"), "{text}");
        assert!(!text.contains(NASTY) && !text.contains("p%40ss"), "{text}");
    }
}
