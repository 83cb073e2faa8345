//! Test support for the eyened-orm integration tests, written as a downstream crate would use the
//! library: only the public API of `eyened_orm`, `migration` and `sea_orm`.
//!
//! - [`TestDb`]: a uniquely named, throw-away MariaDB/MySQL database, dropped on drop.
//! - [`SqliteDb`]: a throw-away SQLite database (temp file, removed on drop, or in memory).
//! - [`fingerprint`]: the Rust twin of `tests/fixtures/reference/schema-fingerprint`.
//! - [`seed`]: small builders for rows the tests need (an image tree, creators, tasks, ...).
//! - [`PrivateServer`]: a throw-away mariadbd with settings of the test's own.
//! - [`files`]: test images written by Pillow and pydicom, with the Python platform's view.
//!
//! The MariaDB server is `mysql://root@127.0.0.1:3306` unless `EYENED_TEST_MYSQL_URL` names
//! another (a server URL without a database). The reference schema directory is
//! `tests/fixtures/reference` (see its README) unless `EYENED_REFERENCE_DIR` names another.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eyened_orm::config::DatabaseConfig;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

/// The server used when `EYENED_TEST_MYSQL_URL` is not set.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306";

/// Prefix of every database a [`TestDb`] creates.
pub const TEST_DB_PREFIX: &str = "eorm_test_";

pub mod files;
pub mod private_server;
pub use private_server::PrivateServer;
pub mod python;
pub use python::{python, run_python};
pub mod temp_dir;
pub use temp_dir::TempDir;

/// Bookkeeping tables that are not part of the Eyened schema.
pub use eyened_orm::schema::VERSION_TABLES as BOOKKEEPING_TABLES;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A number unique within this process (for database, file and row names).
pub fn next_id() -> usize {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// The MariaDB/MySQL server URL (no database) the tests run against.
pub fn mysql_server_url() -> String {
    match std::env::var("EYENED_TEST_MYSQL_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => DEFAULT_MYSQL_URL.to_owned(),
    }
}

/// Whether the test server answers `SELECT 1` within five seconds, on a connection of its own.
/// A test that runs many cases asks after a failure, to stop at once when the server is gone
/// instead of failing every remaining case on a connection timeout.
pub async fn server_answers() -> bool {
    let mut options = sea_orm::ConnectOptions::new(mysql_server_url());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let probe = async {
        let conn = sea_orm::Database::connect(options).await.ok()?;
        let answered = conn.execute_unprepared("SELECT 1").await.is_ok();
        let _ = conn.close().await;
        Some(answered)
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(10), probe).await,
        Ok(Some(true))
    )
}

/// Directory of the reference schema (`eyened_schema.sql`, `alembic_version.sql`,
/// `schema-fingerprint`): the project's own copy in `tests/fixtures/reference`, or the directory
/// `EYENED_REFERENCE_DIR` names.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("EYENED_REFERENCE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => fixtures_dir().join("reference"),
    }
}

/// `tests/fixtures` of this repository.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The reference DDL: the 40 tables as the Python ORM creates them on MariaDB 10.11.
pub fn reference_schema_sql() -> PathBuf {
    reference_dir().join("eyened_schema.sql")
}

/// Pool settings of every test connection: a small pool (many tests run at once), patient
/// timeouts (the server is busy while they do), no statement logging.
fn tune(options: &mut ConnectOptions) {
    options
        .max_connections(4)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(30))
        .acquire_timeout(Duration::from_secs(120))
        .sqlx_logging(false);
}

/// A time-based suffix, so that names stay unique across processes that reuse a pid.
fn time_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    // Base 36 keeps the name short; 64 characters is MySQL's limit.
    let mut n = nanos % 36u128.pow(10);
    let mut out = Vec::new();
    for _ in 0..10 {
        out.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Quotes a MySQL identifier with backticks.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The `eorm` binary, built once per test process (`cargo build -p eyened-orm --bin eorm`).
pub fn eorm_bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "eyened-orm", "--bin", "eorm"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cannot run cargo to build eorm");
        assert!(
            status.success(),
            "cargo build -p eyened-orm --bin eorm failed"
        );
        // target/<profile>/deps/<this test> → target/<profile>/eorm
        let exe = std::env::current_exe().expect("test executable");
        let bin = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .join(format!("eorm{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} not found after building", bin.display());
        bin
    })
}

/// Runs `eorm` with `args`, no database variables from the environment, and returns its output.
pub fn eorm(args: &[&str]) -> std::process::Output {
    Command::new(eorm_bin())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_NAME")
        .output()
        .unwrap_or_else(|e| panic!("cannot run eorm: {e}"))
}

/// stdout and stderr of a finished command, for assertion messages.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A uniquely named MariaDB/MySQL database that exists for the lifetime of this value.
///
/// Named `eorm_test_<pid>_<counter>_<time>`, so tests may run in parallel in several processes.
/// Dropping it drops the database (and only that database).
pub struct TestDb {
    name: String,
    server: DatabaseConfig,
    config: DatabaseConfig,
}

impl TestDb {
    /// Creates an empty database on the test server.
    pub async fn new() -> Self {
        let server_url = mysql_server_url();
        let server = DatabaseConfig::from_url(&server_url)
            .unwrap_or_else(|e| panic!("EYENED_TEST_MYSQL_URL is not usable: {e}"));
        let name = format!(
            "{TEST_DB_PREFIX}{}_{}_{}",
            std::process::id(),
            next_id(),
            time_suffix()
        );
        let config = server.with_database(&name);
        let conn = server.connect_with(tune).await.unwrap_or_else(|e| {
            panic!("cannot reach the test server (set EYENED_TEST_MYSQL_URL to another): {e}")
        });
        conn.execute_unprepared(&format!("CREATE DATABASE {}", quote_ident(&name)))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
        let _ = conn.close().await;
        Self {
            name,
            server,
            config,
        }
    }

    /// Creates a database and applies every migration (`Migrator::up(&db, None)`).
    pub async fn migrated() -> Self {
        let db = Self::new().await;
        let conn = db.connect().await;
        Migrator::up(&conn, None)
            .await
            .unwrap_or_else(|e| panic!("Migrator::up on {} failed: {e}", db.name));
        let _ = conn.close().await;
        db
    }

    /// Creates a database and loads the reference DDL (`eyened_schema.sql`) into it.
    pub async fn reference() -> Self {
        let db = Self::new().await;
        db.load_sql_file(&reference_schema_sql());
        db
    }

    /// A database shaped like production (`tests/fixtures/production/README.md`): the reference
    /// DDL, the Alembic head, seeded rows in every table, then `differences.sql`.
    pub async fn production() -> Self {
        let db = Self::reference().await;
        db.load_sql_file(&reference_dir().join("alembic_version.sql"));
        let conn = db.connect().await;
        eyened_orm::dataset::generate(
            &conn,
            &eyened_orm::dataset::DatasetOptions {
                seed: 14,
                patients: 12,
                blob_bytes: 256,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("generating rows in {} failed: {e}", db.name));
        let _ = conn.close().await;
        db.load_sql_file(&fixtures_dir().join("production").join("differences.sql"));
        db
    }

    /// Row count and `CHECKSUM TABLE` of every base table, by name.
    pub async fn table_checksums(&self) -> BTreeMap<String, (i64, i64)> {
        let conn = self.connect().await;
        let names = table_names(&conn).await;
        let mut out = BTreeMap::new();
        for table in names {
            let qualified = format!("{}.{}", quote_ident(&self.name), quote_ident(&table));
            let rows = query_i64(&conn, &format!("SELECT COUNT(*) FROM {qualified}")).await;
            let row = conn
                .query_one_raw(Statement::from_string(
                    DbBackend::MySql,
                    format!("CHECKSUM TABLE {qualified}"),
                ))
                .await
                .unwrap_or_else(|e| panic!("CHECKSUM TABLE {qualified}: {e}"))
                .expect("a row");
            let checksum: Option<i64> = row.try_get_by_index(1).expect("the checksum");
            out.insert(table, (rows, checksum.unwrap_or_default()));
        }
        let _ = conn.close().await;
        out
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection URL of this database (includes any password: do not print it).
    pub fn url(&self) -> String {
        self.config.url()
    }

    /// A new connection pool to this database.
    pub async fn connect(&self) -> DatabaseConnection {
        self.config
            .connect_with(tune)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Loads an SQL file with the `mysql` command-line client. A password is passed through the
    /// `MYSQL_PWD` environment variable, never on the command line.
    pub fn load_sql_file(&self, path: &Path) {
        let file =
            File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let mut cmd = Command::new("mysql");
        cmd.arg(format!("-h{}", self.server.host()))
            .arg(format!("-P{}", self.server.port()))
            .arg(format!("-u{}", self.server.user()))
            .arg("--batch")
            .arg(&self.name)
            .stdin(Stdio::from(file))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.server.password().is_empty() {
            cmd.env_remove("MYSQL_PWD");
        } else {
            cmd.env("MYSQL_PWD", self.server.password().expose());
        }
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run the mysql client: {e}"));
        assert!(
            output.status.success(),
            "mysql {} < {} failed ({}): {}",
            self.name,
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The schema fingerprint of this database (see [`fingerprint`]).
    pub async fn fingerprint(&self) -> Vec<String> {
        let conn = self.connect().await;
        let lines = fingerprint(&conn, &self.name).await;
        let _ = conn.close().await;
        lines
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop may run inside a tokio runtime, where blocking on another future is not allowed:
        // run the DROP on a thread of its own, with its own runtime.
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {}", quote_ident(&self.name));
        let name = self.name.clone();
        let result = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let conn = server.connect_with(tune).await.map_err(|e| e.to_string())?;
                let result = conn.execute_unprepared(&sql).await.map(|_| ());
                let _ = conn.close().await;
                result.map_err(|e| e.to_string())
            })
        })
        .join();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop test database {name}: {e}"),
            Err(_) => eprintln!("warning: dropping test database {name} panicked"),
        }
    }
}

/// A throw-away SQLite database: a unique file under the temp dir (removed on drop), or memory.
pub struct SqliteDb {
    path: Option<PathBuf>,
    url: String,
}

impl SqliteDb {
    /// A new, empty database file with a unique name under `std::env::temp_dir()`.
    pub fn file() -> Self {
        let path = std::env::temp_dir().join(format!(
            "{TEST_DB_PREFIX}{}_{}_{}.db",
            std::process::id(),
            next_id(),
            time_suffix()
        ));
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite:{}?mode=rwc", path.display());
        Self {
            path: Some(path),
            url,
        }
    }

    /// An in-memory database (`sqlite::memory:`); SeaORM keeps one connection, so it persists
    /// for as long as the connection does.
    pub fn memory() -> Self {
        Self {
            path: None,
            url: "sqlite::memory:".to_owned(),
        }
    }

    /// The connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The file, unless in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A connection (one connection: SQLite has a single writer).
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url.clone());
        tune(&mut options);
        options.max_connections(1);
        Database::connect(options)
            .await
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", self.url))
    }

    /// A file database with every migration applied, and its connection.
    pub async fn migrated() -> (Self, DatabaseConnection) {
        let db = Self::file();
        let conn = db.connect().await;
        Migrator::up(&conn, None)
            .await
            .unwrap_or_else(|e| panic!("Migrator::up on {} failed: {e}", db.url));
        (db, conn)
    }
}

impl Drop for SqliteDb {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
    }
}

/// A directory of (dummy) image files for `eorm import` tests, removed on drop.
pub struct ImageDir(pub PathBuf);

impl ImageDir {
    /// A new, empty directory.
    pub fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("eorm-import-{}-{}", std::process::id(), next_id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// A new directory holding a file at each of `paths` (relative).
    pub fn with(paths: &[String]) -> Self {
        let dir = Self::new();
        for p in paths {
            dir.touch(p);
        }
        dir
    }

    /// Creates the file `relative` (and its directories).
    pub fn touch(&self, relative: &str) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"img").unwrap();
    }
}

impl Default for ImageDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ImageDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A migrated database with the source, device and modality rows (ids 1) that imported images
/// point at.
pub async fn import_database() -> (TestDb, DatabaseConnection) {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    for sql in [
        "INSERT INTO SourceInfo (SourceName, SourcePath, ThumbnailPath) VALUES ('s', '/i', '/t')",
        "INSERT INTO DeviceModel (Manufacturer, ManufacturerModelName) VALUES ('Topcon', 'NW8')",
        "INSERT INTO DeviceInstance (DeviceModelID, Description) VALUES (1, 'camera')",
        "INSERT INTO Modality (ModalityTag) VALUES ('CF')",
    ] {
        conn.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    (db, conn)
}

/// Runs a query and returns its first column as strings.
pub async fn query_strings<C: ConnectionTrait>(
    db: &C,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Vec<String> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .unwrap_or_else(|e| panic!("query failed: {e}\n{sql}"));
    rows.iter()
        .map(|row| {
            row.try_get_by_index::<Option<String>>(0)
                .unwrap_or_else(|e| panic!("cannot read column 0 as text: {e}\n{sql}"))
                .unwrap_or_else(|| "<NULL>".to_owned())
        })
        .collect()
}

/// Runs a query that returns one integer.
pub async fn query_i64<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("query failed: {e}\n{sql}"))
        .unwrap_or_else(|| panic!("no row: {sql}"));
    row.try_get_by_index::<i64>(0)
        .unwrap_or_else(|e| panic!("cannot read column 0 as integer: {e}\n{sql}"))
}

/// The five `information_schema` queries of `schema-fingerprint`, each returning one fact per row.
/// `?` is the schema name; `{EXCLUDED}` becomes the list of bookkeeping tables, left out.
const FINGERPRINT_QUERIES: [&str; 5] = [
    "SELECT CONVERT(CONCAT_WS(' | ','table',TABLE_NAME,ENGINE) USING utf8mb4)
     FROM information_schema.TABLES
     WHERE TABLE_SCHEMA=? AND TABLE_TYPE='BASE TABLE'
       AND TABLE_NAME NOT IN ({EXCLUDED})",
    "SELECT CONVERT(CONCAT_WS(' | ','column',TABLE_NAME,COLUMN_NAME,COLUMN_TYPE,IS_NULLABLE,
            IFNULL(COLUMN_DEFAULT,'<no default>'),EXTRA) USING utf8mb4)
     FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA=? AND TABLE_NAME NOT IN ({EXCLUDED})",
    "SELECT CONVERT(CONCAT_WS(' | ','index',TABLE_NAME,INDEX_NAME,
            IF(NON_UNIQUE=0,'unique','non-unique'),
            GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',')) USING utf8mb4)
     FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA=? AND TABLE_NAME NOT IN ({EXCLUDED})
     GROUP BY TABLE_NAME,INDEX_NAME,NON_UNIQUE",
    "SELECT CONVERT(CONCAT_WS(' | ','foreign-key',k.TABLE_NAME,
            GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ','),
            k.REFERENCED_TABLE_NAME,
            GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ','),
            CONCAT('ON DELETE ',r.DELETE_RULE),CONCAT('ON UPDATE ',r.UPDATE_RULE)) USING utf8mb4)
     FROM information_schema.KEY_COLUMN_USAGE k
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r
       ON r.CONSTRAINT_SCHEMA=k.TABLE_SCHEMA AND r.CONSTRAINT_NAME=k.CONSTRAINT_NAME
      AND r.TABLE_NAME=k.TABLE_NAME
     WHERE k.TABLE_SCHEMA=? AND k.REFERENCED_TABLE_NAME IS NOT NULL
       AND k.TABLE_NAME NOT IN ({EXCLUDED})
     GROUP BY k.TABLE_NAME,k.CONSTRAINT_NAME,k.REFERENCED_TABLE_NAME,r.DELETE_RULE,r.UPDATE_RULE",
    "SELECT CONVERT(CONCAT_WS(' | ','check',TABLE_NAME,CHECK_CLAUSE) USING utf8mb4)
     FROM information_schema.CHECK_CONSTRAINTS
     WHERE CONSTRAINT_SCHEMA=? AND TABLE_NAME NOT IN ({EXCLUDED})",
];

/// A normalized, sorted description of one MySQL/MariaDB database's schema, one fact per line:
/// the same facts as `tests/fixtures/reference/schema-fingerprint` (tables with engine; columns with
/// type, nullability, default and extra; indexes with uniqueness and ordered columns; foreign keys
/// with their rules but not their names; check constraints), without the bookkeeping tables
/// `seaql_migrations` and `alembic_version`. Sorted bytewise, like `LC_ALL=C sort`.
pub async fn fingerprint(db: &DatabaseConnection, db_name: &str) -> Vec<String> {
    assert_eq!(
        db.get_database_backend(),
        DbBackend::MySql,
        "fingerprint reads MySQL's information_schema"
    );
    // GROUP_CONCAT is cut at 1024 bytes by default; no Eyened index is that long, but be safe.
    db.execute_unprepared("SET SESSION group_concat_max_len = 1048576")
        .await
        .expect("SET group_concat_max_len");
    let excluded = BOOKKEEPING_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(",");
    let mut lines = Vec::new();
    for sql in FINGERPRINT_QUERIES {
        let sql = sql.replace("{EXCLUDED}", &excluded);
        lines.extend(query_strings(db, &sql, vec![db_name.into()]).await);
    }
    lines.sort();
    lines
}

/// A readable diff of two sorted fingerprints: `-` lines only in `expected`, `+` only in `actual`.
/// Empty when they are equal.
pub fn fingerprint_diff(expected: &[String], actual: &[String]) -> String {
    let left: BTreeSet<&String> = expected.iter().collect();
    let right: BTreeSet<&String> = actual.iter().collect();
    let mut out = String::new();
    let mut all: Vec<&String> = left.union(&right).copied().collect();
    all.sort();
    for line in all {
        match (left.contains(line), right.contains(line)) {
            (true, false) => out.push_str(&format!("- {line}\n")),
            (false, true) => out.push_str(&format!("+ {line}\n")),
            _ => {}
        }
    }
    // Duplicated lines (the same fact twice) would hide in a set difference.
    if out.is_empty() && expected != actual {
        out.push_str(&format!(
            "same facts, different multiplicity: {} vs {} lines\n",
            expected.len(),
            actual.len()
        ));
    }
    out
}

/// The base tables of the connected database, sorted (MySQL: the current schema; SQLite: the main
/// database without its internal `sqlite_` tables).
pub async fn table_names<C: ConnectionTrait>(db: &C) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        _ => {
            "SELECT CONVERT(TABLE_NAME USING utf8mb4) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
        }
    };
    let mut names = query_strings(db, sql, vec![]).await;
    names.sort();
    names
}

/// Small builders for the rows tests need. Names are made unique with a counter, so each builder
/// may be called any number of times on one database.
pub mod seed {
    use chrono::NaiveDate;
    use eyened_orm::{
        DataRepresentation, DataType, External, Laterality, ModelKind, SubTaskState, TaskState,
        annotation, annotation_type, creator, device_instance, device_model, feature,
        form_annotation, form_schema, image_instance, modality, model, patient, project,
        segmentation, series, source_info, study, sub_task, sub_task_image_link, task,
        task_definition,
    };
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

    /// A name unique within this process.
    pub fn unique(prefix: &str) -> String {
        format!("{prefix}-{}", super::next_id())
    }

    /// The ids of a minimal image tree: one image of one series of one study of one patient of one
    /// project, with its source, device and modality rows.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ImageTree {
        pub project_id: i32,
        pub patient_id: i32,
        pub study_id: i32,
        pub series_id: i32,
        pub source_info_id: i32,
        pub device_model_id: i32,
        pub device_instance_id: i32,
        pub modality_id: i32,
        pub image_instance_id: i32,
    }

    /// A project; `External::N`.
    pub async fn project<C: ConnectionTrait>(db: &C) -> Result<project::Model, DbErr> {
        project::ActiveModel {
            project_name: Set(unique("project")),
            external: Set(External::N),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A patient of `project_id`.
    pub async fn patient<C: ConnectionTrait>(
        db: &C,
        project_id: i32,
    ) -> Result<patient::Model, DbErr> {
        patient::ActiveModel {
            project_id: Set(project_id),
            patient_identifier: Set(unique("patient")),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A study of `patient_id` on 2024-03-05.
    pub async fn study<C: ConnectionTrait>(db: &C, patient_id: i32) -> Result<study::Model, DbErr> {
        study::ActiveModel {
            patient_id: Set(patient_id),
            study_date: Set(NaiveDate::from_ymd_opt(2024, 3, 5).expect("valid date")),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A series of `study_id`.
    pub async fn series<C: ConnectionTrait>(db: &C, study_id: i32) -> Result<series::Model, DbErr> {
        series::ActiveModel {
            study_id: Set(study_id),
            series_number: Set(Some(1)),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An image of the tree's series (and its source, device and modality), left eye, active.
    pub async fn image<C: ConnectionTrait>(
        db: &C,
        tree: &ImageTree,
    ) -> Result<image_instance::Model, DbErr> {
        image_in(db, tree, tree.series_id).await
    }

    /// An image of `series_id`, using the tree's source, device and modality.
    pub async fn image_in<C: ConnectionTrait>(
        db: &C,
        tree: &ImageTree,
        series_id: i32,
    ) -> Result<image_instance::Model, DbErr> {
        image_instance::ActiveModel {
            series_id: Set(series_id),
            source_info_id: Set(tree.source_info_id),
            device_instance_id: Set(tree.device_instance_id),
            modality_id: Set(tree.modality_id),
            laterality: Set(Laterality::L),
            dataset_identifier: Set(unique("image") + ".png"),
            inactive: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// Project → patient → study → series → image, with a source, device model, device instance
    /// and modality row.
    pub async fn image_tree<C: ConnectionTrait>(db: &C) -> Result<ImageTree, DbErr> {
        let project = project(db).await?;
        let patient = patient(db, project.project_id).await?;
        let study = study(db, patient.patient_id).await?;
        let series = series(db, study.study_id).await?;
        let source = source_info::ActiveModel {
            source_name: Set(unique("source")),
            source_path: Set(unique("/images/source")),
            thumbnail_path: Set(unique("/thumbnails/source")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let device_model = device_model::ActiveModel {
            manufacturer: Set("Topcon".into()),
            manufacturer_model_name: Set(unique("TRC-NW8")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let device = device_instance::ActiveModel {
            device_model_id: Set(device_model.device_model_id),
            description: Set("clinic camera".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let modality = modality::ActiveModel {
            modality_tag: Set(unique("CF")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let mut tree = ImageTree {
            project_id: project.project_id,
            patient_id: patient.patient_id,
            study_id: study.study_id,
            series_id: series.series_id,
            source_info_id: source.source_info_id,
            device_model_id: device_model.device_model_id,
            device_instance_id: device.device_instance_id,
            modality_id: modality.modality_id,
            image_instance_id: 0,
        };
        tree.image_instance_id = image(db, &tree).await?.image_instance_id;
        Ok(tree)
    }

    /// A human creator with this exact name.
    pub async fn creator_named<C: ConnectionTrait>(
        db: &C,
        name: &str,
    ) -> Result<creator::Model, DbErr> {
        creator::ActiveModel {
            creator_name: Set(name.to_owned()),
            is_human: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A human creator with a unique name.
    pub async fn creator<C: ConnectionTrait>(db: &C) -> Result<creator::Model, DbErr> {
        creator_named(db, &unique("creator")).await
    }

    /// A feature with a unique name.
    pub async fn feature<C: ConnectionTrait>(db: &C) -> Result<feature::Model, DbErr> {
        feature::ActiveModel {
            feature_name: Set(unique("feature")),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An annotation type with a unique name.
    pub async fn annotation_type<C: ConnectionTrait>(
        db: &C,
    ) -> Result<annotation_type::Model, DbErr> {
        annotation_type::ActiveModel {
            annotation_type_name: Set(unique("type")),
            interpretation: Set("R/G mask".into()),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An active annotation of the tree's image (and patient) by `creator_id`, with a new feature
    /// and annotation type.
    pub async fn annotation<C: ConnectionTrait>(
        db: &C,
        tree: &ImageTree,
        creator_id: i32,
    ) -> Result<annotation::Model, DbErr> {
        annotation_of(
            db,
            tree.patient_id,
            Some(tree.image_instance_id),
            creator_id,
        )
        .await
    }

    /// An active annotation of `patient_id` and optionally an image.
    pub async fn annotation_of<C: ConnectionTrait>(
        db: &C,
        patient_id: i32,
        image_instance_id: Option<i32>,
        creator_id: i32,
    ) -> Result<annotation::Model, DbErr> {
        let feature = feature(db).await?;
        let kind = annotation_type(db).await?;
        annotation::ActiveModel {
            patient_id: Set(patient_id),
            image_instance_id: Set(image_instance_id),
            creator_id: Set(creator_id),
            feature_id: Set(feature.feature_id),
            annotation_type_id: Set(kind.annotation_type_id),
            inactive: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A task (with a new task definition), `TaskState::NotStarted`.
    pub async fn task<C: ConnectionTrait>(
        db: &C,
        creator_id: Option<i32>,
    ) -> Result<task::Model, DbErr> {
        let definition = task_definition::ActiveModel {
            task_definition_name: Set(unique("definition")),
            ..Default::default()
        }
        .insert(db)
        .await?;
        task::ActiveModel {
            task_name: Set(unique("task")),
            creator_id: Set(creator_id),
            task_definition_id: Set(definition.task_definition_id),
            task_state: Set(TaskState::NotStarted),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A sub-task of `task_id`, `SubTaskState::NotStarted`.
    pub async fn sub_task<C: ConnectionTrait>(
        db: &C,
        task_id: i32,
        creator_id: Option<i32>,
    ) -> Result<sub_task::Model, DbErr> {
        sub_task::ActiveModel {
            task_id: Set(task_id),
            creator_id: Set(creator_id),
            task_state: Set(SubTaskState::NotStarted),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// Links an image to a sub-task.
    pub async fn link_image<C: ConnectionTrait>(
        db: &C,
        sub_task_id: i32,
        image_instance_id: i32,
    ) -> Result<sub_task_image_link::Model, DbErr> {
        sub_task_image_link::ActiveModel {
            sub_task_id: Set(sub_task_id),
            image_instance_id: Set(image_instance_id),
        }
        .insert(db)
        .await
    }

    /// A form schema with a unique name and no schema document.
    pub async fn form_schema<C: ConnectionTrait>(db: &C) -> Result<form_schema::Model, DbErr> {
        form_schema::ActiveModel {
            schema_name: Set(unique("schema")),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An active form annotation of the tree's patient and image (with a new form schema).
    pub async fn form_annotation<C: ConnectionTrait>(
        db: &C,
        tree: &ImageTree,
        creator_id: i32,
        sub_task_id: Option<i32>,
    ) -> Result<form_annotation::Model, DbErr> {
        let schema = form_schema(db).await?;
        form_annotation::ActiveModel {
            form_schema_id: Set(schema.form_schema_id),
            patient_id: Set(tree.patient_id),
            image_instance_id: Set(Some(tree.image_instance_id)),
            creator_id: Set(creator_id),
            sub_task_id: Set(sub_task_id),
            inactive: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// An active binary R8 segmentation of the tree's image (with a new feature).
    pub async fn segmentation<C: ConnectionTrait>(
        db: &C,
        tree: &ImageTree,
        creator_id: i32,
        sub_task_id: Option<i32>,
    ) -> Result<segmentation::Model, DbErr> {
        let feature = feature(db).await?;
        segmentation::ActiveModel {
            creator_id: Set(creator_id),
            feature_id: Set(feature.feature_id),
            sub_task_id: Set(sub_task_id),
            inactive: Set(false),
            image_instance_id: Set(tree.image_instance_id),
            data_representation: Set(DataRepresentation::Binary),
            data_type: Set(DataType::R8),
            depth: Set(1),
            height: Set(16),
            width: Set(16),
            ..Default::default()
        }
        .insert(db)
        .await
    }

    /// A model row with a unique name.
    pub async fn model<C: ConnectionTrait>(db: &C, kind: ModelKind) -> Result<model::Model, DbErr> {
        model::ActiveModel {
            model_name: Set(unique("model")),
            version: Set("1".into()),
            model_type: Set(kind),
            ..Default::default()
        }
        .insert(db)
        .await
    }
}
