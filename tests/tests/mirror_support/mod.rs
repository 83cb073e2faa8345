//! Shared helpers of the mirror tests: uniquely named databases (dropped with their mirror
//! helper databases), an Eyened-shaped source made by the dataset generator, configs, and
//! independent checks (CHECKSUM TABLE, primary keys, orphans).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::dataset::{self, Counts, DatasetOptions};
use eyened_orm::mirror::{self, MirrorError, Mode, Options, Outcome, RunState};
use eyened_orm_tests::{mysql_server_url, query_strings, quote_ident};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Prefix of every database these tests create.
pub const PREFIX: &str = "eorm_mirror_test_";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn server() -> DatabaseConfig {
    DatabaseConfig::from_url(&mysql_server_url()).expect("EYENED_TEST_MYSQL_URL is not usable")
}

/// A unique database name (at most 40 characters, so the mirror's helper names fit).
pub fn unique_name(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!("{PREFIX}{}_{n}_{:x}{tag}", std::process::id(), nanos % 4096);
    assert!(name.len() <= 50, "{name} is too long");
    name
}

/// A database on the test server, dropped on drop together with the mirror's
/// `__eorm_staging` / `__eorm_old` helpers of the same name. It may not exist yet (a target).
pub struct Db {
    pub name: String,
    pub server: DatabaseConfig,
}

impl Db {
    /// A name for a database that does not exist yet.
    pub fn named(tag: &str) -> Db {
        Db {
            name: unique_name(tag),
            server: server(),
        }
    }

    /// An empty database.
    pub async fn empty(tag: &str) -> Db {
        let db = Db::named(tag);
        let conn = db.server_conn().await;
        conn.execute_unprepared(&format!("CREATE DATABASE {}", quote_ident(&db.name)))
            .await
            .unwrap();
        let _ = conn.close().await;
        db
    }

    pub fn config(&self) -> DatabaseConfig {
        self.server.with_database(&self.name)
    }

    pub async fn connect(&self) -> DatabaseConnection {
        self.config()
            .connect_with(|o| {
                o.max_connections(2).min_connections(0);
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn server_conn(&self) -> DatabaseConnection {
        self.server
            .connect_with(|o| {
                o.max_connections(1).min_connections(0);
            })
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test server: {e}"))
    }

    pub async fn exists(&self, name: &str) -> bool {
        let conn = self.server_conn().await;
        let found = query_strings(
            &conn,
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            vec![name.into()],
        )
        .await;
        let _ = conn.close().await;
        !found.is_empty()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let server = self.server.clone();
        let names = [
            self.name.clone(),
            format!("{}__eorm_staging", self.name),
            format!("{}__eorm_old", self.name),
        ];
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(conn) = server.connect().await {
                    for name in names {
                        let _ = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {}",
                                quote_ident(&name)
                            ))
                            .await;
                    }
                    let _ = conn.close().await;
                }
            })
        })
        .join();
    }
}

/// An Eyened database: migrated (so `seaql_migrations` exists), an `alembic_version` row, and
/// `patients` generated patients.
pub async fn eyened_source(patients: u32, seed: u64) -> (Db, Counts) {
    let db = Db::empty("s").await;
    let conn = db.connect().await;
    Migrator::up(&conn, None).await.expect("migration up");
    conn.execute_unprepared(
        "CREATE TABLE `alembic_version` (`version_num` VARCHAR(32) NOT NULL, PRIMARY KEY (`version_num`)); \
         INSERT INTO `alembic_version` VALUES ('10d5ab598dc7')",
    )
    .await
    .unwrap();
    let counts = dataset::generate(
        &conn,
        &DatasetOptions {
            seed,
            patients,
            blob_bytes: 512,
            ..DatasetOptions::default()
        },
    )
    .await
    .expect("dataset");
    let _ = conn.close().await;
    (db, counts)
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(unique_name("d"));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `database:` mapping of a config for `db` on `server`, YAML flow style.
pub fn database_yaml(server: &DatabaseConfig, db: &str) -> String {
    format!(
        "{{user: '{}', password: '{}', host: '{}', port: {}, database: '{}'}}",
        server.user(),
        server.password().expose(),
        server.host(),
        server.port(),
        db
    )
}

/// Writes a config file with `source` → `target` (databases of the test server) and `extra`
/// YAML appended.
pub fn write_config(dir: &Path, file: &str, source: &str, target: &str, extra: &str) -> PathBuf {
    let s = server();
    write_config_between(dir, file, (&s, source), (&s, target), extra)
}

/// [`write_config`] for databases of any servers: each side is (server, database).
pub fn write_config_between(
    dir: &Path,
    file: &str,
    (source_server, source): (&DatabaseConfig, &str),
    (target_server, target): (&DatabaseConfig, &str),
    extra: &str,
) -> PathBuf {
    let text = format!(
        "source:\n  database: {}\ntarget:\n  database: {}\n{extra}",
        database_yaml(source_server, source),
        database_yaml(target_server, target)
    );
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs a mirror in this process, answering yes.
pub async fn run(
    mode: Mode,
    config: &Path,
    tweak: impl FnOnce(&mut Options),
) -> Result<Outcome, MirrorError> {
    let mut options = Options::new(mode, config);
    options.workers = 3;
    tweak(&mut options);
    let state = RunState::new();
    mirror::run(
        &options,
        &eyened_orm::progress::silent(),
        &mut |_| Ok(true),
        &state,
    )
    .await
}

/// Tables of `db` (base tables).
pub async fn tables(conn: &DatabaseConnection, db: &str) -> Vec<String> {
    query_strings(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        vec![db.into()],
    )
    .await
}

/// `CHECKSUM TABLE` of every table of `db`.
pub async fn checksums(conn: &DatabaseConnection, db: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for t in tables(conn, db).await {
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::MySql,
                format!("CHECKSUM TABLE {}.{}", quote_ident(db), quote_ident(&t)),
            ))
            .await
            .unwrap()
            .unwrap();
        let sum: Option<i64> = row.try_get_by_index(1).unwrap();
        out.insert(t, sum.map(|s| s.to_string()).unwrap_or_default());
    }
    out
}

/// Row counts of every table of `db`.
pub async fn row_counts(conn: &DatabaseConnection, db: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for t in tables(conn, db).await {
        let n = eyened_orm_tests::query_i64(
            conn,
            &format!(
                "SELECT COUNT(*) FROM {}.{}",
                quote_ident(db),
                quote_ident(&t)
            ),
        )
        .await;
        out.insert(t, n);
    }
    out
}

/// Orphans per foreign key of `db` (MATCH SIMPLE: keys with a NULL reference nothing), found
/// from information_schema, independently of the mirror's own check.
pub async fn orphans(conn: &DatabaseConnection, db: &str) -> BTreeMap<String, i64> {
    let fks = query_strings(
        conn,
        "SELECT CONCAT_WS('|', k.TABLE_NAME, GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), \
         k.REFERENCED_TABLE_NAME, GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION)) \
         FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME",
        vec![db.into()],
    )
    .await;
    let mut out = BTreeMap::new();
    for fk in fks {
        let parts: Vec<&str> = fk.split('|').collect();
        let (child, cols, parent, refs) = (parts[0], parts[1], parts[2], parts[3]);
        let cols: Vec<&str> = cols.split(',').collect();
        let refs: Vec<&str> = refs.split(',').collect();
        let not_null = cols
            .iter()
            .map(|c| format!("c.{} IS NOT NULL", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let on = cols
            .iter()
            .zip(&refs)
            .map(|(c, r)| format!("p.{} = c.{}", quote_ident(r), quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let n = eyened_orm_tests::query_i64(
            conn,
            &format!(
                "SELECT COUNT(*) FROM {}.{} c LEFT JOIN {}.{} p ON {on} WHERE {not_null} AND p.{} IS NULL",
                quote_ident(db),
                quote_ident(child),
                quote_ident(db),
                quote_ident(parent),
                quote_ident(refs[0])
            ),
        )
        .await;
        out.insert(format!("{child}.({}) -> {parent}", cols.join(",")), n);
    }
    out
}

/// The `eorm` binary, built if needed (`cargo build -p eyened-orm --bin eorm`).
pub fn eorm_binary() -> PathBuf {
    eyened_orm_tests::eorm_bin().to_path_buf()
}

/// Primary keys (as text) of every table of `db`.
pub async fn primary_keys(
    conn: &DatabaseConnection,
    db: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for t in tables(conn, db).await {
        let cols = query_strings(
            conn,
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
            vec![db.into(), t.clone().into()],
        )
        .await;
        let expr = cols
            .iter()
            .map(|c| format!("CAST({} AS CHAR)", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(",");
        let keys = query_strings(
            conn,
            &format!(
                "SELECT CONCAT_WS(',', {expr}) FROM {}.{}",
                quote_ident(db),
                quote_ident(&t)
            ),
            vec![],
        )
        .await;
        out.insert(t, keys.into_iter().collect());
    }
    out
}

/// Deterministic bytes that look random (every byte value, so the load format escapes some).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Forwards 127.0.0.1:<port> to the test server: the same server under another address. The
/// task ends when the handle is aborted.
pub async fn forwarder() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = format!("{}:{}", server().host(), server().port());
    let handle = tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (port, handle)
}
