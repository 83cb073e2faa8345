//! The migration workflow on real MariaDB, through the `migration` binary where it matters:
//! up/down/status, concurrent runs, a failing migration, adopting an Alembic-built database,
//! and offline SQL.

use std::process::{Command, Output};

use eyened_orm::schema::Change;
use eyened_orm::schema::{Column, SqlType, Table};
use eyened_orm_tests::{TestDb, query_i64, reference_dir};
use migration::runner::{self, RunError};
use sea_orm::ConnectionTrait;
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, MigratorTrait, SchemaManager};

fn migration(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("-u")
        .arg(db.url())
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the migration binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Rows in the version table; 0 when it does not even exist.
async fn recorded(db: &TestDb) -> i64 {
    let conn = db.connect().await;
    let exists = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'seaql_migrations'",
            db.name()
        ),
    )
    .await;
    if exists == 0 {
        return 0;
    }
    query_i64(&conn, "SELECT COUNT(*) FROM seaql_migrations").await
}

#[tokio::test]
async fn up_status_down_round_trip() {
    let db = TestDb::new().await;
    let out = migration(&db, &["status"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("pending  m20251125_000000_baseline"),
        "{}",
        text(&out)
    );

    let out = migration(&db, &["up"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("applied      m20251125_000000_baseline"),
        "{}",
        text(&out)
    );
    let out = migration(&db, &["status"]);
    assert!(
        text(&out).contains("applied  m20251125_000000_baseline"),
        "{}",
        text(&out)
    );
    assert_eq!(
        db.fingerprint().await.len(),
        TestDb::reference().await.fingerprint().await.len()
    );

    let out = migration(&db, &["up"]);
    assert!(text(&out).contains("nothing to do"), "{}", text(&out));

    // Destructive without a terminal needs --yes, and then changes nothing.
    let out = migration(&db, &["down"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("pass --yes"), "{}", text(&out));
    assert_eq!(recorded(&db).await, 1);

    let out = migration(&db, &["down", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(recorded(&db).await, 0);
    let conn = db.connect().await;
    let tables = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}'",
            db.name()
        ),
    )
    .await;
    assert_eq!(tables, 1, "only seaql_migrations is left");
}

#[tokio::test]
async fn concurrent_up_processes_apply_each_migration_once() {
    let db = TestDb::new().await;
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_migration"))
                .arg("-u")
                .arg(db.url())
                .arg("up")
                .env_remove("DATABASE_URL")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn migration up")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait for migration up"))
        .collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", text(out));
    }
    let applied = outputs
        .iter()
        .filter(|o| text(o).contains("applied      m20251125_000000_baseline"))
        .count();
    assert_eq!(applied, 1, "exactly one process applies the baseline");
    assert_eq!(
        outputs
            .iter()
            .filter(|o| text(o).contains("nothing to do"))
            .count(),
        2
    );
    assert_eq!(recorded(&db).await, 1);
}

/// Three statements, the second of which fails: the first has run, the version is not recorded.
struct Failing;

impl MigrationName for Failing {
    fn name(&self) -> &str {
        "m20990101_000000_failing"
    }
}

fn failing_changes() -> Vec<Change> {
    let t = |name: &str| {
        Table::new(name)
            .column(Column::new("ID", SqlType::INT).auto_increment())
            .primary_key(["ID"])
    };
    vec![
        Change::AddTable(t("FirstOk")),
        Change::AddColumn {
            table: "NoSuchTable".into(),
            column: Column::new("X", SqlType::INT).null(),
            after: None,
        },
        Change::AddTable(t("NeverCreated")),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Failing {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(manager.get_connection(), &failing_changes()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(
            manager.get_connection(),
            &eyened_orm::schema::reverse(&failing_changes()),
        )
        .await
    }
}

struct FailingMigrator;

impl MigratorTrait for FailingMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Failing)]
    }
}

#[tokio::test]
async fn failing_migration_is_not_recorded_and_names_the_statement() {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    let err = runner::up_with::<FailingMigrator>(&conn, None, |_| {})
        .await
        .expect_err("the migration fails");
    let message = err.to_string();
    assert!(matches!(err, RunError::MigrationFailed { .. }), "{message}");
    assert!(message.contains("m20990101_000000_failing"), "{message}");
    assert!(message.contains("statement 2 of 3"), "{message}");
    assert!(message.contains("1 already ran"), "{message}");
    assert!(message.contains("NoSuchTable"), "{message}");
    assert_eq!(
        query_i64(&conn, "SELECT COUNT(*) FROM seaql_migrations").await,
        0
    );
    let first = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'FirstOk'",
            db.name()
        ),
    )
    .await;
    assert_eq!(first, 1, "MySQL committed the statement before the failure");
}

#[tokio::test]
async fn stamp_adopts_the_alembic_database() {
    let db = TestDb::reference().await;
    db.load_sql_file(&reference_dir().join("alembic_version.sql"));

    let out = migration(&db, &["up"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("adopt it first, with `migration stamp` when it equals the baseline or `migration adopt` when it does not"),
        "{}",
        text(&out)
    );

    let out = migration(&db, &["stamp"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("schema verified"), "{}", text(&out));
    assert_eq!(recorded(&db).await, 1);
    let out = migration(&db, &["up"]);
    assert!(text(&out).contains("nothing to do"), "{}", text(&out));
}

#[tokio::test]
async fn stamp_refuses_a_changed_schema_and_lists_the_difference() {
    let db = TestDb::reference().await;
    db.load_sql_file(&reference_dir().join("alembic_version.sql"));
    let conn = db.connect().await;
    conn.execute_unprepared("ALTER TABLE Task MODIFY TaskName varchar(128) NOT NULL")
        .await
        .unwrap();
    let out = migration(&db, &["stamp"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("Task.TaskName: varchar(128) NOT NULL -> varchar(256) NOT NULL"),
        "{}",
        text(&out)
    );
    assert_eq!(recorded(&db).await, 0, "nothing recorded");
}

#[tokio::test]
async fn stamp_refuses_an_older_alembic_revision() {
    let db = TestDb::reference().await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    )
    .await
    .unwrap();
    conn.execute_unprepared("INSERT INTO alembic_version VALUES ('65eaddf0f0f8')")
        .await
        .unwrap();
    let out = migration(&db, &["stamp"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("Alembic revision 65eaddf0f0f8"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("alembic upgrade head"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn offline_sql_builds_the_same_schema_as_up() {
    let script = Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("sql")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run migration sql");
    assert!(script.status.success(), "{}", text(&script));
    let path = std::env::temp_dir().join(format!("eorm-sql-{}.sql", std::process::id()));
    std::fs::write(&path, &script.stdout).unwrap();

    let by_sql = TestDb::new().await;
    by_sql.load_sql_file(&path);
    let _ = std::fs::remove_file(&path);
    let by_up = TestDb::migrated().await;
    assert_eq!(by_sql.fingerprint().await, by_up.fingerprint().await);
    assert_eq!(recorded(&by_sql).await, 1, "the script records the version");

    // --pending on an up-to-date database prints nothing to run.
    let out = migration(&by_up, &["sql", "--pending"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());

    // The rollback script undoes it.
    let down = Command::new(env!("CARGO_BIN_EXE_migration"))
        .args(["sql", "--down"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&down.stdout).contains("DROP TABLE `AttributeValueInput`"));
}

#[tokio::test]
async fn unknown_applied_migration_is_reported_by_status_and_refused_by_up() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20991231_000000_other_branch', 0)",
    )
    .await
    .unwrap();
    let out = migration(&db, &["status"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("UNKNOWN  m20991231_000000_other_branch"),
        "{}",
        text(&out)
    );
    let out = migration(&db, &["up"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("another branch"), "{}", text(&out));
}

/// The fixed version of `Failing`: same name, the bad statement corrected.
struct Fixed;

impl MigrationName for Fixed {
    fn name(&self) -> &str {
        "m20990101_000000_failing"
    }
}

fn fixed_changes() -> Vec<Change> {
    let mut changes = failing_changes();
    changes[1] = Change::AddColumn {
        table: "FirstOk".into(),
        column: Column::new("X", SqlType::INT).null(),
        after: Some("ID".into()),
    };
    changes
}

#[async_trait::async_trait]
impl MigrationTrait for Fixed {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(manager.get_connection(), &fixed_changes()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(
            manager.get_connection(),
            &eyened_orm::schema::reverse(&fixed_changes()),
        )
        .await
    }
}

struct FixedMigrator;

impl MigratorTrait for FixedMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Fixed)]
    }
}

#[tokio::test]
async fn a_fixed_migration_reruns_over_its_half_applied_first_attempt() {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    runner::up_with::<FailingMigrator>(&conn, None, |_| {})
        .await
        .expect_err("the first attempt fails after creating FirstOk");
    // No hand surgery: FirstOk, already created, is skipped; the rest runs and is recorded.
    let applied = runner::up_with::<FixedMigrator>(&conn, None, |_| {})
        .await
        .expect("the fixed migration applies over the half-applied one");
    assert_eq!(applied, 1);
    assert_eq!(
        query_i64(&conn, "SELECT COUNT(*) FROM seaql_migrations").await,
        1
    );
    let tables = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{}' AND \
             ((TABLE_NAME = 'FirstOk' AND COLUMN_NAME = 'X') OR TABLE_NAME = 'NeverCreated')",
            db.name()
        ),
    )
    .await;
    assert_eq!(tables, 2, "FirstOk.X and NeverCreated.ID exist");
    // And down undoes all of it.
    runner::down_with::<FixedMigrator>(&conn, 1, |_| {})
        .await
        .unwrap();
    let left = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME IN ('FirstOk', 'NeverCreated')",
            db.name()
        ),
    )
    .await;
    assert_eq!(left, 0);
}

#[tokio::test]
async fn check_migrations_passes_when_the_migrations_build_the_entities() {
    let db = TestDb::migrated().await;
    let out = migration(&db, &["check", "--migrations"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let printed = text(&out);
    assert!(printed.contains("in sync: "), "{printed}");
    assert!(
        printed
            .contains("migrations complete: applying every migration gives the entities' schema"),
        "{printed}"
    );
}

/// The baseline without `Series.SeriesNumber`: an entity change no migration carries.
struct Incomplete;

impl MigrationName for Incomplete {
    fn name(&self) -> &str {
        "m20251125_000000_baseline"
    }
}

fn incomplete_changes() -> Vec<Change> {
    let (_, mut changes) = migration::changes_of().remove(0);
    for change in &mut changes {
        if let Change::AddTable(table) = change
            && table.name == "Series"
        {
            table.columns.retain(|c| c.name != "SeriesNumber");
        }
    }
    changes
}

#[async_trait::async_trait]
impl MigrationTrait for Incomplete {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(manager.get_connection(), &incomplete_changes()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        eyened_orm::migrate::apply(
            manager.get_connection(),
            &eyened_orm::schema::reverse(&incomplete_changes()),
        )
        .await
    }
}

struct IncompleteMigrator;

impl MigratorTrait for IncompleteMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Incomplete)]
    }
}

#[tokio::test]
async fn check_migrations_finds_an_entity_change_without_a_migration_and_drops_its_scratch_database()
 {
    let db = TestDb::new().await;
    let cfg = eyened_orm::config::DatabaseConfig::from_url(&db.url()).unwrap();
    let missing = runner::unmigrated_changes_of::<IncompleteMigrator>(&cfg)
        .await
        .expect("scratch build and diff");
    let lines: Vec<String> = missing.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        lines,
        vec!["Series.SeriesNumber: add column int"],
        "{lines:?}"
    );
    let conn = db.connect().await;
    let left = query_i64(
        &conn,
        &format!(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'eorm\\\\_check\\\\_{}\\\\_%'",
            std::process::id()
        ),
    )
    .await;
    assert_eq!(left, 0, "the scratch database is dropped");
}

#[tokio::test]
async fn sql_pending_prints_what_the_database_has_not_applied_and_nothing_after() {
    let db = TestDb::new().await;
    let out = migration(&db, &["sql", "--pending"]);
    assert!(out.status.success(), "{}", text(&out));
    let script = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        script.contains("-- m20251125_000000_baseline (up)"),
        "{script}"
    );
    assert!(script.contains("CREATE TABLE `ImageInstance`"), "{script}");
    assert_eq!(recorded(&db).await, 0, "sql --pending writes nothing");

    // The DBA runs it; the database is then what `up` builds, and nothing is pending.
    let path = std::env::temp_dir().join(format!(
        "eorm-pending-{}-{}.sql",
        std::process::id(),
        db.name()
    ));
    std::fs::write(&path, &script).unwrap();
    db.load_sql_file(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(recorded(&db).await, 1);
    let by_up = TestDb::migrated().await;
    assert_eq!(db.fingerprint().await, by_up.fingerprint().await);
    let again = migration(&db, &["sql", "--pending"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stdout).is_empty());
    assert!(text(&again).contains("is up to date: no pending migration"));
}
