//! `migration check` on the reference schema with one legacy difference at a time: it exits 1 and
//! names each kind of difference (ON UPDATE, column collation and character set, table collation
//! and character set, engine, table and column comments), and exits 0 when only names the server
//! chose differ.

use std::process::{Command, Output};

use eyened_orm_tests::TestDb;
use sea_orm::ConnectionTrait;

fn check(db: &TestDb) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migration"))
        .args(["-u", &db.url(), "check"])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run migration check")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The reference schema with `statements` run on it, checked: the exit code and what it printed.
async fn checked(statements: &[&str]) -> (Option<i32>, String) {
    let db = TestDb::reference().await;
    let conn = db.connect().await;
    for sql in statements {
        conn.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let _ = conn.close().await;
    let out = check(&db);
    (out.status.code(), text(&out))
}

async fn assert_drift(statements: &[&str], expected_lines: &[&str]) {
    let (code, printed) = checked(statements).await;
    assert_eq!(code, Some(1), "{printed}");
    for line in expected_lines {
        assert!(printed.contains(line), "missing {line:?} in:\n{printed}");
    }
}

#[tokio::test]
async fn on_update_current_timestamp_is_drift() {
    assert_drift(
        &["ALTER TABLE ImageInstance MODIFY DateModified datetime NULL ON UPDATE CURRENT_TIMESTAMP"],
        &["semantic  safe   ImageInstance.DateModified: datetime ON UPDATE CURRENT_TIMESTAMP -> datetime"],
    )
    .await;
}

#[tokio::test]
async fn a_column_collation_is_drift() {
    assert_drift(
        &["ALTER TABLE Scan MODIFY ScanMode varchar(40) COLLATE utf8mb4_bin NOT NULL"],
        &["semantic  safe   Scan.ScanMode: varchar(40) COLLATE utf8mb4_bin NOT NULL -> varchar(40) NOT NULL"],
    )
    .await;
}

#[tokio::test]
async fn a_column_character_set_is_drift() {
    // Back to the table's utf8mb4: nothing latin1 holds is lost.
    assert_drift(
        &["ALTER TABLE Scan MODIFY ScanMode varchar(40) CHARACTER SET latin1 NOT NULL"],
        &["semantic  safe   Scan.ScanMode: varchar(40) COLLATE latin1_swedish_ci NOT NULL -> varchar(40) NOT NULL"],
    )
    .await;
}

#[tokio::test]
async fn a_table_converted_to_another_collation_is_drift() {
    assert_drift(
        &["ALTER TABLE Scan CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"],
        &["semantic  LOSSY  Scan: collation utf8mb4_unicode_ci -> (the database default)"],
    )
    .await;
}

#[tokio::test]
async fn a_table_default_character_set_is_drift() {
    // Only the table's default changes; its columns keep theirs, which now differ from it.
    assert_drift(
        &["ALTER TABLE Scan DEFAULT CHARACTER SET latin1"],
        &["Scan: collation latin1_swedish_ci -> (the database default)"],
    )
    .await;
}

#[tokio::test]
async fn another_engine_is_drift() {
    assert_drift(
        &[
            "ALTER TABLE ImageInstance DROP FOREIGN KEY ImageInstance_ibfk_5",
            "ALTER TABLE Scan ENGINE = MyISAM",
        ],
        &["semantic  safe   Scan: engine MyISAM -> InnoDB"],
    )
    .await;
}

#[tokio::test]
async fn table_and_column_comments_are_cosmetic_drift() {
    assert_drift(
        &[
            "ALTER TABLE Scan COMMENT = 'scan modes of the OCT devices'",
            "ALTER TABLE Scan MODIFY ScanMode varchar(40) NOT NULL COMMENT 'as the device names it'",
        ],
        &[
            "cosmetic  safe   Scan: comment 'scan modes of the OCT devices' -> (none)",
            "cosmetic  safe   Scan.ScanMode: varchar(40) NOT NULL COMMENT 'as the device names it' -> varchar(40) NOT NULL",
        ],
    )
    .await;
}

#[tokio::test]
async fn names_the_server_chose_are_not_drift() {
    let (code, printed) = checked(&[
        // Legacy constraint names...
        "ALTER TABLE ImageInstance DROP FOREIGN KEY ImageInstance_ibfk_2, ADD CONSTRAINT fk_ImageInstance_SourceInfo1 FOREIGN KEY (SourceInfoID) REFERENCES SourceInfo (SourceInfoID)",
        "ALTER TABLE FormAnnotation DROP FOREIGN KEY FormAnnotation_ibfk_5, ADD CONSTRAINT fk_FormAnnotation_Creator1 FOREIGN KEY (CreatorID) REFERENCES Creator (CreatorID)",
        // ...the index InnoDB made for one, named after it...
        "ALTER TABLE FormAnnotation RENAME INDEX CreatorID TO fk_FormAnnotation_Creator1",
        // ...and after a constraint since re-created under another name.
        "ALTER TABLE FormAnnotation RENAME INDEX StudyID TO fk_FormAnnotation_Study1",
    ])
    .await;
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("in sync: "), "{printed}");
}
