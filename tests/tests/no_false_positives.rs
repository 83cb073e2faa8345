//! No false positives: a database that holds exactly what the entities declare diffs empty
//! against them, however it was made — table by table from the registry, from the reference DDL
//! the Python ORM produced, or by the baseline migration — and the `migration` binary's `check`
//! and `generate` agree (exit codes 0 in sync, 1 on drift, 2 on error; nothing written when in
//! sync).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use eyened_orm::migrate::apply;
use eyened_orm::schema::diff::{Renames, diff};
use eyened_orm::schema::{Schema, Table, entities, introspect};
use eyened_orm_tests::{TestDb, quote_ident};
use sea_orm::{ConnectionTrait, DatabaseConnection};

async fn live_schema(db: &TestDb, conn: &DatabaseConnection) -> Schema {
    introspect(conn, Some(db.name()))
        .await
        .unwrap_or_else(|e| panic!("introspection of {} failed: {e}", db.name()))
}

/// The changes from `live` to the entities, one line each (empty when in sync).
fn drift(live: &Schema, entities: &Schema) -> Vec<String> {
    diff(live, entities, &Renames::default())
        .changes
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_in_sync(what: &str, live: &Schema) {
    let changes = drift(live, &entities());
    assert!(
        changes.is_empty(),
        "{what} differs from the entities in {} ways:\n  {}",
        changes.len(),
        changes.join("\n  ")
    );
}

/// `table` without the foreign keys into other tables, so that it can be created alone.
fn alone(table: &Table) -> Table {
    let mut t = table.clone();
    let name = t.name.clone();
    t.foreign_keys.retain(|fk| fk.referenced_table == name);
    t
}

#[tokio::test]
async fn every_entity_created_alone_diffs_empty() {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    let mut failures = Vec::new();
    for entity in entities().tables {
        let table = alone(&entity);
        let expected = Schema::new(vec![table.clone()]);
        let created = apply(
            &conn,
            &diff(&Schema::default(), &expected, &Renames::default()).changes,
        )
        .await;
        match created {
            Err(e) => failures.push(format!("{}: cannot create it: {e}", table.name)),
            Ok(()) => {
                let changes = drift(&live_schema(&db, &conn).await, &expected);
                if !changes.is_empty() {
                    failures.push(format!("{}:\n    {}", table.name, changes.join("\n    ")));
                }
            }
        }
        conn.execute_unprepared(&format!(
            "DROP TABLE IF EXISTS {}",
            quote_ident(&table.name)
        ))
        .await
        .unwrap_or_else(|e| panic!("DROP TABLE {}: {e}", table.name));
    }
    assert!(
        failures.is_empty(),
        "{} entities differ from themselves once created:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_entity_created_with_the_registry_diffs_empty() {
    // Foreign keys need the tables they point at: create the whole registry, then compare each
    // table on its own so that a failure names it.
    let db = TestDb::new().await;
    let conn = db.connect().await;
    let schema = entities();
    apply(
        &conn,
        &diff(&Schema::default(), &schema, &Renames::default()).changes,
    )
    .await
    .unwrap_or_else(|e| panic!("creating the registry failed: {e}"));
    let live = live_schema(&db, &conn).await;
    let mut failures = Vec::new();
    for entity in &schema.tables {
        let Some(created) = live.table(&entity.name) else {
            failures.push(format!("{}: not created", entity.name));
            continue;
        };
        let changes = drift(
            &Schema::new(vec![created.clone()]),
            &Schema::new(vec![entity.clone()]),
        );
        if !changes.is_empty() {
            failures.push(format!("{}:\n    {}", entity.name, changes.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} tables differ from their entity once created:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_in_sync("the database created from the registry", &live);
}

#[tokio::test]
async fn reference_schema_is_in_sync() {
    let db = TestDb::reference().await;
    let conn = db.connect().await;
    assert_in_sync("eyened_schema.sql", &live_schema(&db, &conn).await);
}

#[tokio::test]
async fn baseline_migration_is_in_sync() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    assert_in_sync(
        "the database made by Migrator::up",
        &live_schema(&db, &conn).await,
    );
}

/// The `migration` binary, built once per test run beside this test's own binary.
fn migration_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "migration", "--bin", "migration"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap_or_else(|e| panic!("cannot run cargo build -p migration: {e}"));
        assert!(status.success(), "cargo build -p migration failed");
        // target/debug/deps/<this test> → target/debug/migration
        let exe = std::env::current_exe().expect("test executable path");
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executable in target/<profile>/deps");
        let bin = dir.join(format!("migration{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} was not built", bin.display());
        bin
    })
}

fn run_cli(args: &[&str]) -> Output {
    Command::new(migration_bin())
        .args(args)
        // Only the URL given on the command line may count.
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_NAME")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", migration_bin().display()))
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("readable file");
            files.insert(path, bytes);
        }
    }
    files
}

/// A copy of `migration/src` in a fresh temporary directory, removed on drop.
struct SourceCopy(PathBuf);

impl SourceCopy {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm_generate_{}_{}",
            std::process::id(),
            eyened_orm_tests::next_id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migration/src");
        for (path, bytes) in snapshot(&src) {
            let name = path.file_name().expect("file name");
            std::fs::write(dir.join(name), bytes).expect("copy");
        }
        SourceCopy(dir)
    }
}

impl Drop for SourceCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn cli_check_exit_codes() {
    let db = TestDb::reference().await;
    let url = db.url();

    let in_sync = run_cli(&["-u", &url, "check"]);
    assert_eq!(in_sync.status.code(), Some(0), "{}", describe(&in_sync));

    let conn = db.connect().await;
    conn.execute_unprepared("ALTER TABLE `Task` MODIFY COLUMN `TaskName` varchar(128) NOT NULL")
        .await
        .expect("narrow Task.TaskName");
    let drifted = run_cli(&["-u", &url, "check"]);
    assert_eq!(drifted.status.code(), Some(1), "{}", describe(&drifted));
    let stdout = String::from_utf8_lossy(&drifted.stdout);
    assert!(
        stdout.contains("Task.TaskName: varchar(128) NOT NULL -> varchar(256) NOT NULL"),
        "{}",
        describe(&drifted)
    );

    let missing = format!("{url}_no_such_database");
    let error = run_cli(&["-u", &missing, "check"]);
    assert_eq!(error.status.code(), Some(2), "{}", describe(&error));
    let unusable = run_cli(&["-u", "not a url", "check"]);
    assert_eq!(unusable.status.code(), Some(2), "{}", describe(&unusable));
}

#[tokio::test]
async fn cli_generate_writes_nothing_when_in_sync() {
    let db = TestDb::reference().await;
    let url = db.url();
    let copy = SourceCopy::new();
    let dir = copy.0.to_string_lossy().into_owned();
    let before = snapshot(&copy.0);

    let output = run_cli(&["-u", &url, "generate", "nothing to do", "--dir", &dir]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("in sync"),
        "{}",
        describe(&output)
    );
    assert_eq!(
        snapshot(&copy.0),
        before,
        "generate changed {dir} although the database is in sync"
    );
}

#[tokio::test]
async fn cli_generate_writes_a_migration_on_drift() {
    let db = TestDb::reference().await;
    let url = db.url();
    let conn = db.connect().await;
    conn.execute_unprepared("ALTER TABLE `Task` MODIFY COLUMN `TaskName` varchar(128) NOT NULL")
        .await
        .expect("narrow Task.TaskName");
    let copy = SourceCopy::new();
    let dir = copy.0.to_string_lossy().into_owned();
    let before = snapshot(&copy.0);

    let output = run_cli(&["-u", &url, "generate", "widen task name", "--dir", &dir]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let after = snapshot(&copy.0);
    let new_files: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(new_files.len(), 1, "{new_files:?}\n{}", describe(&output));
    let name = new_files[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        name.starts_with('m') && name.ends_with("_widen_task_name"),
        "{name}"
    );
    let source = String::from_utf8_lossy(&after[new_files[0]]).into_owned();
    assert!(source.contains("Varchar(256)"), "{source}");
    let lib = String::from_utf8_lossy(&after[&copy.0.join("lib.rs")]).into_owned();
    assert!(lib.contains(&format!("{name},")), "not registered:\n{lib}");
}
