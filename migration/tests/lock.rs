//! The migration lock on real MariaDB: while another session holds it every writing command
//! stops with a clear error and changes nothing; a run that loses it stops before recording; it
//! lives on a connection of its own, which the pool's recycling does not touch; dropping it (an
//! error, Ctrl-C) releases it.

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::sql::{ident, literal};
use eyened_orm_tests::{
    PrivateServer, SqliteDb, TestDb, output_text as text, query_i64, reference_dir,
};
use migration::lock::{self, Lock};
use migration::runner::{self, RunError};
use sea_orm::sqlx::{self, Connection, MySqlConnection};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager};

const LOCK_TIMEOUT_VAR: &str = "EYENED_MIGRATION_LOCK_TIMEOUT";

fn migration_command(url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_migration"));
    command
        .arg("-u")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env(LOCK_TIMEOUT_VAR, "0")
        .stdin(Stdio::null());
    command
}

fn migration(url: &str, args: &[&str]) -> Output {
    migration_command(url, args)
        .output()
        .expect("run the migration binary")
}

/// A session of the test's own, outside any pool.
async fn session(db: &TestDb) -> MySqlConnection {
    MySqlConnection::connect(&db.url())
        .await
        .unwrap_or_else(|e| panic!("cannot open a session on {}: {e}", db.name()))
}

async fn connection_id(conn: &mut MySqlConnection) -> u64 {
    sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS UNSIGNED)")
        .fetch_one(conn)
        .await
        .expect("CONNECTION_ID()")
}

/// The session holding the lock `name`, if any.
async fn holder(conn: &mut MySqlConnection, name: &str) -> Option<u64> {
    sqlx::query_scalar("SELECT CAST(IS_USED_LOCK(?) AS UNSIGNED)")
        .bind(name)
        .fetch_one(conn)
        .await
        .expect("IS_USED_LOCK")
}

/// `GET_LOCK(name, wait)`: whether the session got it.
async fn take(conn: &mut MySqlConnection, name: &str, wait_seconds: u64) -> bool {
    let got: Option<i64> = sqlx::query_scalar("SELECT CAST(GET_LOCK(?, ?) AS SIGNED)")
        .bind(name)
        .bind(wait_seconds)
        .fetch_one(conn)
        .await
        .expect("GET_LOCK");
    got == Some(1)
}

async fn give_back(conn: &mut MySqlConnection, name: &str) {
    sqlx::query("SELECT RELEASE_LOCK(?)")
        .bind(name)
        .execute(conn)
        .await
        .expect("RELEASE_LOCK");
}

/// The versions recorded in `seaql_migrations`, oldest first; empty when it does not exist.
async fn recorded(db: &TestDb) -> Vec<String> {
    let conn = db.connect().await;
    let exists = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = 'seaql_migrations'",
            literal(db.name())
        ),
    )
    .await;
    if exists == 0 {
        return Vec::new();
    }
    conn.query_all_raw(Statement::from_string(
        DbBackend::MySql,
        "SELECT version FROM seaql_migrations ORDER BY version".to_string(),
    ))
    .await
    .expect("read seaql_migrations")
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).expect("version"))
    .collect()
}

async fn table_exists(db: &TestDb, table: &str) -> bool {
    let conn = db.connect().await;
    query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
            literal(db.name()),
            literal(table)
        ),
    )
    .await
        == 1
}

/// A directory under the temp dir, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(what: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm-lock-{what}-{}-{}",
            std::process::id(),
            eyened_orm_tests::next_id()
        ));
        std::fs::create_dir_all(&dir).expect("create the temp dir");
        TempDir(dir)
    }

    fn entries(&self) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&self.0)
            .expect("read the temp dir")
            .map(|e| e.expect("a directory entry").path())
            .collect()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_held_lock_keeps_every_writing_command_out_and_changes_nothing() {
    let empty = TestDb::new().await;
    let migrated = TestDb::migrated().await;
    let alembic = TestDb::reference().await;
    alembic.load_sql_file(&reference_dir().join("alembic_version.sql"));
    let sources = TempDir::new("adopt");
    let dir = sources.0.to_str().expect("a UTF-8 temp dir").to_string();
    let cases: [(&TestDb, &[&str]); 7] = [
        (&empty, &["up"]),
        (&migrated, &["down", "--yes"]),
        (&migrated, &["reset", "--yes"]),
        (&migrated, &["refresh", "--yes"]),
        (&migrated, &["fresh", "--yes"]),
        (&alembic, &["stamp"]),
        (&alembic, &["adopt", "--dir", &dir]),
    ];

    // Another run, as far as the tool can tell: a session holding each database's lock.
    let mut holders = Vec::new();
    for db in [&empty, &migrated, &alembic] {
        let mut other = session(db).await;
        assert!(take(&mut other, &lock::name_for(db.name()), 0).await);
        let id = connection_id(&mut other).await;
        holders.push((other, id, db.table_checksums().await));
    }
    for (db, args) in cases {
        let (_, id, _) = &holders[[&empty, &migrated, &alembic]
            .iter()
            .position(|d| std::ptr::eq(*d, db))
            .expect("one of the three")];
        let out = migration(&db.url(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = db.name();
        let expected = format!(
            "error: another migration run holds the lock 'eyened-migrations:{name}' on database {name} (connection {id}); waited 0s: "
        );
        assert!(stderr.starts_with(&expected), "{args:?}: {}", text(&out));
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {}", text(&out));
    }
    for (db, (_, _, before)) in [&empty, &migrated, &alembic].iter().zip(&holders) {
        assert_eq!(&db.table_checksums().await, before, "{} changed", db.name());
    }
    assert_eq!(sources.entries(), Vec::<std::path::PathBuf>::new());

    // Once the other run is gone the same commands go through: it was the lock that stopped them.
    for ((mut other, _, _), db) in holders.into_iter().zip([&empty, &migrated, &alembic]) {
        give_back(&mut other, &lock::name_for(db.name())).await;
    }
    let out = migration(&empty.url(), &["up"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = migration(&alembic.url(), &["stamp"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = migration(&migrated.url(), &["down", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test]
async fn a_lock_timeout_that_is_no_number_is_refused_before_anything_runs() {
    let db = TestDb::new().await;
    let out = migration_command(&db.url(), &["up"])
        .env(LOCK_TIMEOUT_VAR, "5m")
        .output()
        .expect("run the migration binary");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: EYENED_MIGRATION_LOCK_TIMEOUT must be a whole number of seconds to wait for the migration lock, not `5m`"
    );
    assert!(recorded(&db).await.is_empty());
}

/// A migration that creates (and drops) one table. `kill_on_up` / `kill_on_down` make it first
/// kill the session holding its database's migration lock, as a DBA or a server restart might,
/// and note that session's id there.
struct Step {
    name: &'static str,
    table: &'static str,
    kill_on_up: Option<&'static AtomicU64>,
    kill_on_down: Option<&'static AtomicU64>,
}

impl MigrationName for Step {
    fn name(&self) -> &str {
        self.name
    }
}

async fn scalar<C: ConnectionTrait, T: sea_orm::TryGetable>(
    db: &C,
    sql: String,
) -> Result<T, DbErr> {
    db.query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await?
        .ok_or_else(|| DbErr::Custom("no row".into()))?
        .try_get_by_index(0)
}

/// The session holding the migration lock of `db`'s database, asked from `db`.
async fn lock_holder<C: ConnectionTrait>(db: &C) -> Result<Option<u64>, DbErr> {
    let database: String = scalar(db, "SELECT DATABASE()".into()).await?;
    scalar(
        db,
        format!(
            "SELECT CAST(IS_USED_LOCK({}) AS UNSIGNED)",
            literal(&lock::name_for(&database))
        ),
    )
    .await
}

async fn kill_lock_holder<C: ConnectionTrait>(db: &C, killed: &AtomicU64) -> Result<(), DbErr> {
    let id = lock_holder(db)
        .await?
        .ok_or_else(|| DbErr::Custom("nobody holds the migration lock".into()))?;
    db.execute_unprepared(&format!("KILL {id}")).await?;
    killed.store(id, Ordering::SeqCst);
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Step {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if let Some(killed) = self.kill_on_up {
            kill_lock_holder(db, killed).await?;
        }
        db.execute_unprepared(&format!(
            "CREATE TABLE {} (ID int PRIMARY KEY)",
            ident(self.table)
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if let Some(killed) = self.kill_on_down {
            kill_lock_holder(db, killed).await?;
        }
        db.execute_unprepared(&format!("DROP TABLE {}", ident(self.table)))
            .await?;
        Ok(())
    }
}

const FIRST: &str = "m20990201_000001_first";
const SECOND: &str = "m20990201_000002_second";

fn first() -> Box<dyn MigrationTrait> {
    Box::new(Step {
        name: FIRST,
        table: "LockFirst",
        kill_on_up: None,
        kill_on_down: None,
    })
}

static KILLED_DURING_UP: AtomicU64 = AtomicU64::new(0);

/// Two migrations; the second kills the lock's session while it is applied.
struct KillDuringSecondUp;

impl MigratorTrait for KillDuringSecondUp {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            first(),
            Box::new(Step {
                name: SECOND,
                table: "LockSecond",
                kill_on_up: Some(&KILLED_DURING_UP),
                kill_on_down: None,
            }),
        ]
    }
}

static KILLED_DURING_DOWN: AtomicU64 = AtomicU64::new(0);

/// Two migrations; the second kills the lock's session while it is rolled back.
struct KillDuringSecondDown;

impl MigratorTrait for KillDuringSecondDown {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            first(),
            Box::new(Step {
                name: SECOND,
                table: "LockSecond",
                kill_on_up: None,
                kill_on_down: Some(&KILLED_DURING_DOWN),
            }),
        ]
    }
}

fn assert_lost(err: &RunError, lock_name: &str, database: &str, before: &str) {
    let message = err.to_string();
    assert!(matches!(err, RunError::LockLost { .. }), "{message}");
    assert!(
        message.starts_with(&format!(
            "lost the migration lock '{lock_name}' on database {database} ("
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "another migration run may have started: stopped before {before};"
        )),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
}

#[tokio::test]
async fn losing_the_lock_during_up_stops_before_the_migration_is_recorded() {
    let db = TestDb::new().await;
    let pool = db.connect().await;
    let mut lock = Lock::acquire(&pool, Duration::ZERO)
        .await
        .expect("take the lock")
        .expect("MariaDB has the lock");
    let lock_name = lock.name().to_string();
    let lock_session = lock.connection_id();

    let err = runner::up_locked::<KillDuringSecondUp>(&pool, Some(&mut lock), None, |_| {})
        .await
        .expect_err("the second migration loses the lock");

    assert_eq!(
        KILLED_DURING_UP.load(Ordering::SeqCst),
        lock_session,
        "the migration killed the lock's session"
    );
    assert_lost(
        &err,
        &lock_name,
        db.name(),
        &format!("recording {SECOND} as applied (its up has run)"),
    );
    assert_eq!(recorded(&db).await, vec![FIRST.to_string()]);
    assert!(table_exists(&db, "LockSecond").await, "its up did run");
}

#[tokio::test]
async fn losing_the_lock_during_down_stops_before_the_migration_is_unrecorded() {
    let db = TestDb::new().await;
    let pool = db.connect().await;
    let mut lock = Lock::acquire(&pool, Duration::ZERO)
        .await
        .expect("take the lock")
        .expect("MariaDB has the lock");
    let lock_name = lock.name().to_string();
    let lock_session = lock.connection_id();
    let applied = runner::up_locked::<KillDuringSecondDown>(&pool, Some(&mut lock), None, |_| {})
        .await
        .expect("both apply while the lock is held");
    assert_eq!(applied, 2);

    let err = runner::down_locked::<KillDuringSecondDown>(&pool, Some(&mut lock), 2, |_| {})
        .await
        .expect_err("the second migration's rollback loses the lock");

    assert_eq!(KILLED_DURING_DOWN.load(Ordering::SeqCst), lock_session);
    assert_lost(
        &err,
        &lock_name,
        db.name(),
        &format!("removing {SECOND} from seaql_migrations (its down has run)"),
    );
    assert_eq!(
        recorded(&db).await,
        vec![FIRST.to_string(), SECOND.to_string()]
    );
    assert!(!table_exists(&db, "LockSecond").await, "its down did run");
    assert!(
        table_exists(&db, "LockFirst").await,
        "the first is not rolled back"
    );
}

static SLOW_STEP_SESSIONS: [AtomicU64; 3] =
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// Outlives the pool's `max_lifetime`: notes its pool session before and after a pause, and who
/// holds the migration lock after it.
struct SlowStep;

impl MigrationName for SlowStep {
    fn name(&self) -> &str {
        "m20990301_000000_slow"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SlowStep {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let session_id = "SELECT CAST(CONNECTION_ID() AS UNSIGNED)";
        let before: u64 = scalar(db, session_id.into()).await?;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let after: u64 = scalar(db, session_id.into()).await?;
        let holder = lock_holder(db).await?.unwrap_or(0);
        for (slot, value) in SLOW_STEP_SESSIONS.iter().zip([before, after, holder]) {
            slot.store(value, Ordering::SeqCst);
        }
        db.execute_unprepared("CREATE TABLE `LockSlow` (ID int PRIMARY KEY)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE `LockSlow`")
            .await?;
        Ok(())
    }
}

struct SlowMigrator;

impl MigratorTrait for SlowMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(SlowStep)]
    }
}

#[tokio::test]
async fn the_lock_outlives_the_pool_recycling_its_connection() {
    let db = TestDb::new().await;
    let cfg = DatabaseConfig::from_url(&db.url()).expect("the test URL");
    let pool = cfg
        .connect_with(|o| {
            o.max_connections(1)
                .min_connections(0)
                .max_lifetime(Duration::from_secs(1))
                .sqlx_logging(false);
        })
        .await
        .expect("connect");
    let mut lock = Lock::acquire(&pool, Duration::ZERO)
        .await
        .expect("take the lock")
        .expect("MariaDB has the lock");

    let applied = runner::up_locked::<SlowMigrator>(&pool, Some(&mut lock), None, |_| {})
        .await
        .expect("the slow migration is applied and recorded");

    assert_eq!(applied, 1);
    let [before, after, holder_then] = SLOW_STEP_SESSIONS
        .each_ref()
        .map(|s| s.load(Ordering::SeqCst));
    assert_ne!(
        before, after,
        "the pool replaced its connection during the step"
    );
    assert_eq!(
        holder_then,
        lock.connection_id(),
        "held after the recycling"
    );
    let mut own = session(&db).await;
    assert_eq!(
        holder(&mut own, lock.name()).await,
        Some(lock.connection_id()),
        "still held after the run"
    );
    assert_eq!(
        recorded(&db).await,
        vec!["m20990301_000000_slow".to_string()]
    );
    let name = lock.name().to_string();
    lock.release().await.expect("release");
    assert_eq!(holder(&mut own, &name).await, None);
}

/// Idles longer than the private server's `wait_timeout`.
struct IdleStep;

impl MigrationName for IdleStep {
    fn name(&self) -> &str {
        "m20990401_000000_idle"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IdleStep {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        tokio::time::sleep(Duration::from_secs(4)).await;
        manager
            .get_connection()
            .execute_unprepared("CREATE TABLE `LockIdle` (ID int PRIMARY KEY)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE `LockIdle`")
            .await?;
        Ok(())
    }
}

struct IdleMigrator;

impl MigratorTrait for IdleMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(IdleStep)]
    }
}

#[tokio::test]
async fn the_lock_outlives_a_server_wait_timeout_shorter_than_a_migration() {
    let server = match PrivateServer::start(&["--wait-timeout=2"]).await {
        Ok(server) => server,
        Err(why) => {
            eprintln!("SKIPPED: cannot start a private MariaDB server: {why}");
            return;
        }
    };
    let database = "eorm_lock_idle";
    let root = server.config().connect().await.expect("connect");
    root.execute_unprepared(&format!("CREATE DATABASE {}", ident(database)))
        .await
        .expect("create the database");
    let pool = server
        .config()
        .with_database(database)
        .connect()
        .await
        .expect("connect");
    let mut lock = Lock::acquire(&pool, Duration::ZERO)
        .await
        .expect("take the lock")
        .expect("MariaDB has the lock");

    let applied = runner::up_locked::<IdleMigrator>(&pool, Some(&mut lock), None, |_| {}).await;

    assert_eq!(
        applied.expect("applied and recorded: the idle lock session was not closed"),
        1
    );
    let recorded = query_i64(&pool, "SELECT COUNT(*) FROM seaql_migrations").await;
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn dropping_the_lock_releases_it() {
    let db = TestDb::new().await;
    let pool = db.connect().await;
    let lock = Lock::acquire(&pool, Duration::ZERO)
        .await
        .expect("take the lock")
        .expect("MariaDB has the lock");
    let name = lock.name().to_string();
    let mut own = session(&db).await;
    assert!(!take(&mut own, &name, 0).await, "held by the lock");

    drop(lock);

    // The server ends the session when it sees the connection close; a leak would time out.
    assert!(take(&mut own, &name, 10).await, "released by the drop");
    // The pool the lock was taken through is still open and never held it.
    assert_eq!(query_i64(&pool, "SELECT 1").await, 1);
}

/// The base tables of `db`.
async fn tables(db: &TestDb) -> Vec<String> {
    let conn = db.connect().await;
    conn.query_all_raw(Statement::from_string(
        DbBackend::MySql,
        format!(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_TYPE = 'BASE TABLE'",
            literal(db.name())
        ),
    ))
    .await
    .expect("list tables")
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).expect("a name"))
    .collect()
}

/// The id of the session of `database` running a statement that starts with `prefix`.
async fn session_running(own: &mut MySqlConnection, database: &str, prefix: &str) -> Option<u64> {
    sqlx::query_scalar(
        "SELECT CAST(ID AS UNSIGNED) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE CONCAT(?, '%') LIMIT 1",
    )
    .bind(database)
    .bind(prefix)
    .fetch_optional(own)
    .await
    .expect("read the process list")
}

#[tokio::test]
async fn ctrl_c_releases_the_lock_the_binary_held_on_a_connection_of_its_own() {
    let db = TestDb::migrated().await;
    let name = lock::name_for(db.name());
    // A transaction that has read every table: `fresh` then waits at its first DROP TABLE.
    let blocker_pool = db.connect().await;
    let blocker = blocker_pool.begin().await.expect("begin");
    for table in tables(&db).await {
        blocker
            .execute_unprepared(&format!("SELECT COUNT(*) FROM {}", ident(&table)))
            .await
            .expect("read a table");
    }
    let run = migration_command(&db.url(), &["fresh", "--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn migration fresh");

    let mut own = session(&db).await;
    let sessions = lock_and_statement_sessions(&mut own, db.name(), &name).await;

    // Interrupt the run and end the blocker before asserting: a failure leaves nothing waiting.
    let signalled = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("run kill");
    let out = tokio::task::spawn_blocking(move || finish(run))
        .await
        .expect("join");
    let released = take(&mut own, &name, 10).await;
    blocker.rollback().await.expect("rollback");

    let (lock_session, statement_session) =
        sessions.expect("fresh got to its DROP TABLE holding the lock");
    assert_ne!(
        lock_session, statement_session,
        "the lock is not held by the pooled session that runs the statements"
    );
    assert!(signalled.success());
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: interrupted (Ctrl-C)"),
        "{}",
        text(&out)
    );
    assert!(released, "released when interrupted");
}

/// Once `fresh` waits at a DROP TABLE: the session holding the lock `name` and the one running
/// the DROP. `None` if that does not happen within a minute (a hang, not a measure).
async fn lock_and_statement_sessions(
    own: &mut MySqlConnection,
    database: &str,
    name: &str,
) -> Option<(u64, u64)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let dropping = session_running(own, database, "DROP TABLE").await;
        if let (Some(lock_session), Some(dropping)) = (holder(own, name).await, dropping) {
            return Some((lock_session, dropping));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// The output of `child` once it exits; killed if it has not within 30 s of being interrupted.
fn finish(mut child: std::process::Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("poll the child").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    child.wait_with_output().expect("wait for the child")
}

#[tokio::test]
async fn sqlite_has_no_server_lock_and_migrates_as_before() {
    let db = SqliteDb::file();
    let out = migration(db.url(), &["up"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("applied      m20251125_000000_baseline"),
        "{}",
        text(&out)
    );
    let out = migration(db.url(), &["down", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("rolled back  m20251125_000000_baseline"),
        "{}",
        text(&out)
    );
}
