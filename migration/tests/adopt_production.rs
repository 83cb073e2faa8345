//! Adopting a production-shaped database (`tests/fixtures/production`), through the `migration`
//! binary where a user would: `check` sees every difference with its class, `stamp` refuses and
//! names the way forward, `adopt` records the baseline and writes the reconciliation, `up` applies
//! it, and `check` then exits 0, with every row and every unmanaged table as it was.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use eyened_orm::migrate::guard;
use eyened_orm::migrate::render::{Purpose, render_file};
use eyened_orm::schema::Change;
use eyened_orm::schema::diff::{Class, Renames};
use eyened_orm::schema::{self, introspect};
use eyened_orm_tests::{TestDb, query_i64};
use migration::drift::{self, Drift};
use migration::runner;
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

/// A copy of `migration/src` in a fresh temporary directory, removed on drop.
struct SourceCopy(PathBuf);

impl SourceCopy {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm_adopt_{}_{}",
            std::process::id(),
            eyened_orm_tests::next_id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(&src).expect("migration/src") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
            }
        }
        SourceCopy(dir)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for SourceCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How `db` differs from the baseline, as `adopt` sees it.
async fn drift_from_baseline(db: &TestDb) -> Drift {
    let conn = db.connect().await;
    let found = drift::drift(
        &conn,
        &runner::baseline_schema().expect("baseline"),
        &Renames::default(),
        &drift::unmanaged(None).expect("checked-in declarations"),
    )
    .await
    .expect("drift");
    let _ = conn.close().await;
    found
}

thread_local! {
    /// The reconciliation the test migrator applies (tests run on a current-thread runtime).
    static RECONCILIATION: RefCell<Vec<Change>> = const { RefCell::new(Vec::new()) };
}

/// The migrations, with a reconciliation right after the baseline, as `adopt` registers it.
struct Reconcile;

impl MigrationName for Reconcile {
    fn name(&self) -> &str {
        "m20990101_000000_reconcile_production"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Reconcile {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let changes = RECONCILIATION.with(|r| r.borrow().clone());
        eyened_orm::migrate::reconcile(manager.get_connection(), &changes).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let changes = RECONCILIATION.with(|r| r.borrow().clone());
        eyened_orm::migrate::reconcile(
            manager.get_connection(),
            &eyened_orm::schema::reverse(&changes),
        )
        .await
    }
}

struct WithReconciliation;

impl MigratorTrait for WithReconciliation {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migration::Migrator::migrations();
        all.insert(1, Box::new(Reconcile));
        all
    }
}

#[tokio::test]
async fn check_lists_every_production_difference_by_class_and_the_unmanaged_tables() {
    let db = TestDb::production().await;
    let out = migration(&db, &["check"]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    for expected in [
        "semantic  safe   ImageInstance.Inactive: tinyint(1) NOT NULL DEFAULT '0' -> tinyint(1) NOT NULL",
        "semantic  safe   ImageInstance.DateModified: datetime ON UPDATE CURRENT_TIMESTAMP -> datetime",
        "semantic  safe   AnnotationData.DateModified: datetime ON UPDATE CURRENT_TIMESTAMP -> datetime",
        "semantic  safe   AttributeValue: drop check ck_AttributeValue_exactly_one_entity",
        "semantic  safe   AttributeValue: add check ck_AttributeValue_exactly_one_entity",
        "semantic  LOSSY  FormSchema: collation utf8mb4_unicode_ci -> (the database default)",
        "cosmetic  safe   FormAnnotation: drop foreign key FormAnnotation_ibfk_8 (SubTaskID) -> SubTask",
        "cosmetic  safe   ImageInstance: rename index idx_ImageInstance_Series (SeriesID) to fk_ImageInstance_Series1_idx",
        "unmanaged ProjectToImageInstance (195 rows): pre-baseline link",
        "unmanaged Statistics (4 rows): pre-baseline statistics table",
    ] {
        assert!(
            printed.contains(expected),
            "missing {expected:?} in:\n{printed}"
        );
    }
    assert!(
        printed.contains("differs from the entities in 8 ways"),
        "{printed}"
    );
    // Names the server chose (legacy foreign keys, the indexes InnoDB made for them) are not
    // drift; the unmanaged tables are never dropped.
    for absent in [
        "fk_ImageInstance_Modality1",
        "fk_FormAnnotation_Patient1",
        "fk_FormAnnotation_SubTask1",
        "drop table",
    ] {
        assert!(!printed.contains(absent), "{absent:?} in:\n{printed}");
    }
}

#[tokio::test]
async fn stamp_refuses_a_differing_database_with_classes_and_the_way_forward() {
    let db = TestDb::production().await;
    let out = migration(&db, &["stamp"]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(2), "{printed}");
    assert!(
        printed.contains("refusing to stamp: the live schema differs from the baseline in 8 ways"),
        "{printed}"
    );
    assert!(printed.contains("  cosmetic  "), "{printed}");
    assert!(printed.contains("  semantic  "), "{printed}");
    assert!(printed.contains("  unmanaged Statistics"), "{printed}");
    assert!(
        printed.contains("cargo run -p migration -- adopt \"reconcile production\""),
        "{printed}"
    );
    let conn = db.connect().await;
    assert_eq!(
        query_i64(
            &conn,
            &format!(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'seaql_migrations'",
                db.name()
            )
        )
        .await,
        0,
        "stamp recorded nothing"
    );
}

#[tokio::test]
async fn adopt_then_up_brings_production_in_sync_and_keeps_every_row() {
    let db = TestDb::production().await;
    let before = db.table_checksums().await;
    let expected = drift_from_baseline(&db).await;
    let classes: Vec<Class> = expected.differences.iter().map(|d| d.class).collect();
    assert!(classes.contains(&Class::Cosmetic) && classes.contains(&Class::Semantic));

    // adopt: records the baseline, writes the reconciliation right after it.
    let sources = SourceCopy::new();
    let out = migration(
        &db,
        &["adopt", "reconcile production", "--dir", &sources.path()],
    );
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(
        printed.contains("m20251125_000000_baseline recorded as applied"),
        "{printed}"
    );
    let lib = std::fs::read_to_string(sources.0.join("lib.rs")).unwrap();
    let registered: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('m') && l.ends_with(','))
        .collect();
    assert_eq!(registered.len(), 2, "{lib}");
    assert_eq!(registered[0], "m20251125_000000_baseline,");
    let name = registered[1].trim_end_matches(',');
    assert!(name.ends_with("_reconcile_production"), "{name}");
    let written = std::fs::read_to_string(sources.0.join(format!("{name}.rs"))).unwrap();

    // The file holds exactly the differences, as a reconciliation.
    let changes = expected.changes(false);
    let mut doc =
        "reconcile production\n\nGenerated by `cargo run -p migration -- adopt`. Changes:\n"
            .to_string();
    for d in &expected.differences {
        doc.push_str(&format!("- {}\n", d.line().trim()));
    }
    assert_eq!(
        written,
        render_file(name, doc.trim_end(), &changes, Purpose::Reconciliation)
    );
    assert!(written.contains("reconcile(manager.get_connection(), &changes())"));
    syn::parse_file(&written).expect("the file is Rust");

    // The DBA's script: only the reconciliation is pending.
    let script = migration(&db, &["sql", "--pending"]);
    let sql = String::from_utf8_lossy(&script.stdout).into_owned();
    assert!(script.status.success(), "{}", text(&script));
    assert!(!sql.contains("CREATE TABLE `Patient`"), "{sql}");

    // up (what `cargo run -p migration -- up` does once the file is compiled in).
    RECONCILIATION.with(|r| *r.borrow_mut() = changes.clone());
    let conn = db.connect().await;
    let applied = runner::up_with::<WithReconciliation>(&conn, None, |_| {})
        .await
        .expect("up");
    assert_eq!(applied, 1, "only the reconciliation runs");
    let _ = conn.close().await;

    let out = migration(&db, &["check"]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(printed.contains("in sync: "), "{printed}");
    assert!(
        printed.contains("unmanaged ProjectToImageInstance (195 rows)"),
        "{printed}"
    );

    // Nothing lost: every table, the unmanaged ones included, has its rows and checksum.
    let mut after = db.table_checksums().await;
    assert!(
        after.remove("seaql_migrations").is_some(),
        "the version table is new"
    );
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let mut changed = Vec::new();
    for (table, was) in &before {
        let now = &after[table];
        assert_eq!(was.0, now.0, "{table}: row count changed");
        if was.1 != now.1 {
            changed.push(table.clone());
        }
    }
    assert!(changed.is_empty(), "CHECKSUM TABLE changed for {changed:?}");
}

#[tokio::test]
async fn the_reconciliation_changes_nothing_on_a_database_built_by_up() {
    let production = TestDb::production().await;
    let changes = drift_from_baseline(&production).await.changes(false);
    assert!(!changes.is_empty());

    let built = TestDb::migrated().await;
    let out = migration(&built, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let conn = built.connect().await;
    let live = introspect(&conn, None).await.unwrap();
    assert_eq!(
        guard::not_in_effect(&changes, live),
        vec![],
        "every change is already in effect"
    );
    let fingerprint = built.fingerprint().await;
    let schema_before = introspect(&conn, None).await.unwrap();
    RECONCILIATION.with(|r| *r.borrow_mut() = changes.clone());
    let applied = runner::up_with::<WithReconciliation>(&conn, None, |_| {})
        .await
        .expect("up");
    assert_eq!(applied, 1, "recorded");
    assert_eq!(built.fingerprint().await, fingerprint);
    assert_eq!(introspect(&conn, None).await.unwrap(), schema_before);
    let _ = conn.close().await;
    let out = migration(&built, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn adopt_on_a_database_equal_to_the_baseline_records_it_and_writes_nothing() {
    let db = TestDb::reference().await;
    db.load_sql_file(&eyened_orm_tests::reference_dir().join("alembic_version.sql"));
    let sources = SourceCopy::new();
    let before: Vec<_> = std::fs::read_dir(&sources.0).unwrap().collect();
    let out = migration(&db, &["adopt", "--dir", &sources.path()]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(
        printed.contains("the database equals the baseline, no reconciliation needed"),
        "{printed}"
    );
    let after: Vec<_> = std::fs::read_dir(&sources.0).unwrap().collect();
    assert_eq!(before.len(), after.len());
    let again = migration(&db, &["adopt", "--dir", &sources.path()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(
        text(&again).contains("already recorded"),
        "{}",
        text(&again)
    );
}

#[tokio::test]
async fn the_unmanaged_declarations_are_what_the_catalog_names() {
    let declared = drift::unmanaged(None).expect("migration/unmanaged.toml parses");
    let names: Vec<&str> = declared.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ProjectToImageInstance", "Statistics"]);
    assert!(
        schema::entities()
            .tables
            .iter()
            .all(|t| declared.reason(&t.name).is_none())
    );
}
