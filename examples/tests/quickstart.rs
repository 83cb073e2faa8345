//! The quickstart is the first thing a newcomer runs: run it, as built by `cargo test`, on its
//! embedded SQLite default and on MariaDB, and check what it prints.

use std::path::PathBuf;
use std::process::{Command, Output};

use eyened_orm_tests::{TestDb, query_i64};

/// `target/<profile>/examples/quickstart`, which `cargo test` builds beside this test binary.
fn quickstart() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} was not built: run the tests with `cargo test` (it builds the examples)",
        path.display()
    );
    path
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The lines every run prints, whatever the database.
fn assert_walkthrough(output: &Output) {
    let out = text(output);
    assert!(output.status.success(), "the quickstart failed:\n{out}");
    for expected in [
        "migrations applied: ",
        "series #",
        "has 3 images",
        "right-eye images: 2; keypoints of the first: Some(",
        "by_ids([",
        "right-eye images of the project (where_): 2",
        "with 2 sub-tasks for grader-",
        "an unknown task definition is refused: no TaskDefinition with TaskDefinitionName = 'no such definition'",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn quickstart_runs_on_its_embedded_sqlite_default() {
    // A temp dir of its own: the quickstart recreates `eyened-quickstart.db` there.
    let dir = std::env::temp_dir().join(format!("eorm-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = Command::new(quickstart())
        .env_remove("DATABASE_URL")
        .env("TMPDIR", &dir)
        .output()
        .expect("run the quickstart");
    let file = dir.join("eyened-quickstart.db");
    let exists = file.exists();
    let _ = std::fs::remove_dir_all(&dir);
    assert_walkthrough(&output);
    assert!(
        text(&output).contains(&format!("database: sqlite:{}", file.display())),
        "{}",
        text(&output)
    );
    assert!(exists, "no SQLite file at {}", file.display());
    assert!(
        text(&output).contains("image instances in the database: 3"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn quickstart_runs_on_mariadb_and_again_on_the_same_database() {
    let db = TestDb::new().await;
    for run in 1..=2 {
        let output = Command::new(quickstart())
            .env("DATABASE_URL", db.url())
            .output()
            .expect("run the quickstart");
        assert_walkthrough(&output);
        assert!(
            text(&output).contains(&format!("image instances in the database: {}", 3 * run)),
            "run {run}: {}",
            text(&output)
        );
    }
    let conn = db.connect().await;
    assert_eq!(query_i64(&conn, "SELECT COUNT(*) FROM Project").await, 2);
    assert_eq!(
        query_i64(&conn, "SELECT COUNT(*) FROM seaql_migrations").await,
        1
    );
}
