//! Rolling back the baseline drops every Eyened table with its rows: each command that does so
//! (`down`, `reset`, `refresh`) says it in its confirmation question, and without a terminal
//! needs `--yes`.

use std::process::{Command, Stdio};

use eyened_orm_tests::TestDb;

#[tokio::test]
async fn every_rollback_of_the_baseline_says_it_drops_every_eyened_table() {
    let db = TestDb::migrated().await;
    let before = db.table_checksums().await;
    for command in [
        &["down"][..],
        &["down", "-n", "5"],
        &["reset"],
        &["refresh"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_migration"))
            .arg("-u")
            .arg(db.url())
            .args(command)
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .expect("run the migration binary");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.starts_with("error: refusing to roll back m20251125_000000_baseline on "),
            "{command:?}: {stderr}"
        );
        assert!(
            stderr.contains(", which drops every Eyened table and all their rows"),
            "{command:?}: {stderr}"
        );
        assert!(
            stderr
                .trim_end()
                .ends_with("no terminal to ask on; pass --yes"),
            "{command:?}: {stderr}"
        );
    }
    assert_eq!(
        db.table_checksums().await,
        before,
        "nothing was rolled back"
    );
}
