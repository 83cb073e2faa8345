//! `eorm verify` against real MariaDB: a clean database passes; each class of problem (orphan,
//! duplicate, undecodable enum value, NULL in a NOT NULL field, invalid JSON, changed column data
//! between snapshots) is found and named with its table, column and row.

use eyened_orm::schema::{Unmanaged, entities};
use eyened_orm::verify::{Kind, Options, Report, verify};
use eyened_orm_tests::{TestDb, eorm, output_text, query_i64, seed};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

async fn run(conn: &DatabaseConnection, db: &TestDb, options: &Options) -> Report {
    verify(conn, db.name(), options, &eyened_orm::progress::silent())
        .await
        .unwrap_or_else(|e| panic!("verify failed to run: {e}"))
}

/// A migrated database with a small image tree, an annotation and a second image.
async fn populated() -> (TestDb, DatabaseConnection, seed::ImageTree) {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let tree = seed::image_tree(&conn).await.unwrap();
    seed::image(&conn, &tree).await.unwrap();
    let creator = seed::creator(&conn).await.unwrap();
    seed::annotation(&conn, &tree, creator.creator_id)
        .await
        .unwrap();
    (db, conn, tree)
}

/// Runs `sqls` on one connection with the server's checks off, as a bulk load might.
async fn unchecked(conn: &DatabaseConnection, sqls: &[&str]) {
    let txn = conn.begin().await.unwrap();
    txn.execute_unprepared(
        "SET SESSION foreign_key_checks = 0, SESSION unique_checks = 0, SESSION check_constraint_checks = 0",
    )
    .await
    .unwrap();
    for sql in sqls {
        txn.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    }
    txn.execute_unprepared(
        "SET SESSION foreign_key_checks = 1, SESSION unique_checks = 1, SESSION check_constraint_checks = 1",
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

fn image_insert(tree: &seed::ImageTree, series_id: i32, path: &str, extra: &str) -> String {
    format!(
        "INSERT INTO ImageInstance (SeriesID, SourceInfoID, DeviceInstanceID, ModalityID, Laterality, \
         DatasetIdentifier, Inactive{}) VALUES ({series_id}, {}, {}, {}, 'L', '{path}', 0{})",
        extra
            .split_once('=')
            .map_or(String::new(), |(c, _)| format!(", {c}")),
        tree.source_info_id,
        tree.device_instance_id,
        tree.modality_id,
        extra
            .split_once('=')
            .map_or(String::new(), |(_, v)| format!(", {v}")),
    )
}

#[tokio::test]
async fn clean_database_passes() {
    // Every table populated by the seeded generator, self-references and blobs included.
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let generated = eyened_orm::dataset::generate(
        &conn,
        &eyened_orm::dataset::DatasetOptions {
            seed: 11,
            patients: 12,
            blob_bytes: 256,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let report = run(&conn, &db, &Options::default()).await;
    assert!(report.is_ok(), "{}", report.render_table());
    assert_eq!(report.tables, 40);
    assert_eq!(report.rows_decoded, generated.total());
    let empty: Vec<&String> = generated
        .0
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    assert!(empty.is_empty(), "tables left empty: {empty:?}");
    assert!(report.render_table().contains("OK: no problems found"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["ok"], true);

    // The command: exit code 0.
    let out = eorm(&["verify", "-u", &db.url(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], true);
}

#[tokio::test]
async fn orphans_and_duplicates_are_counted() {
    let (db, conn, tree) = populated().await;
    conn.execute_unprepared("ALTER TABLE ImageInstance DROP INDEX SOPInstanceUid_UNIQUE")
        .await
        .unwrap();
    unchecked(
        &conn,
        &[
            &image_insert(&tree, 987_654, "orphan-1.png", ""),
            &image_insert(&tree, 987_654, "orphan-2.png", ""),
            &image_insert(&tree, tree.series_id, "dup-1.png", "SOPInstanceUid='1.2.3'"),
            &image_insert(&tree, tree.series_id, "dup-2.png", "SOPInstanceUid='1.2.3'"),
        ],
    )
    .await;
    let report = run(&conn, &db, &Options::default()).await;
    assert!(!report.is_ok());

    let orphans: Vec<_> = report.of_kind(Kind::Orphan).collect();
    assert_eq!(orphans.len(), 1, "{}", report.render_table());
    let orphan = orphans[0];
    assert_eq!(orphan.table.as_deref(), Some("ImageInstance"));
    assert_eq!(orphan.column.as_deref(), Some("SeriesID"));
    assert_eq!(orphan.count, 2);
    assert!(
        orphan.key.as_deref().unwrap().contains("SeriesID=987654"),
        "{orphan:?}"
    );
    assert!(orphan.detail.contains("Series.SeriesID"), "{orphan:?}");

    let dups: Vec<_> = report.of_kind(Kind::Duplicate).collect();
    assert_eq!(dups.len(), 1, "{}", report.render_table());
    assert_eq!(dups[0].table.as_deref(), Some("ImageInstance"));
    assert_eq!(dups[0].column.as_deref(), Some("SOPInstanceUid"));
    assert_eq!(dups[0].count, 2);
    assert!(dups[0].detail.contains("SOPInstanceUid_UNIQUE"));
    // The dropped index is also a schema difference.
    assert!(
        report
            .of_kind(Kind::Schema)
            .any(|p| p.detail.contains("SOPInstanceUid_UNIQUE")),
        "{}",
        report.render_table()
    );

    let out = eorm(&["verify", "-u", &db.url(), "--skip", "decode"]);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
}

#[tokio::test]
async fn undecodable_rows_are_named() {
    let (db, conn, tree) = populated().await;
    // An ENUM value the Rust enum lacks.
    conn.execute_unprepared(
        "ALTER TABLE ImageInstance MODIFY Laterality enum('L','R','X') NOT NULL",
    )
    .await
    .unwrap();
    conn.execute_unprepared(
        &image_insert(&tree, tree.series_id, "x.png", "").replace("'L'", "'X'"),
    )
    .await
    .unwrap();
    let bad_enum = query_i64(&conn, "SELECT MAX(ImageInstanceID) FROM ImageInstance").await;
    // A NULL in a field that is not an Option.
    conn.execute_unprepared("ALTER TABLE ImageInstance MODIFY Inactive tinyint(1) NULL")
        .await
        .unwrap();
    conn.execute_unprepared(&format!(
        "UPDATE ImageInstance SET Inactive = NULL WHERE ImageInstanceID = {}",
        tree.image_instance_id
    ))
    .await
    .unwrap();
    // Invalid JSON, loaded with the json_valid CHECK off.
    unchecked(
        &conn,
        &[&format!(
            "UPDATE ImageInstance SET CFROI = '{{not json' WHERE ImageInstanceID = {bad_enum}"
        )],
    )
    .await;

    let report = run(&conn, &db, &Options::default()).await;
    let decode: Vec<_> = report.of_kind(Kind::Decode).collect();
    let find = |column: &str| {
        decode
            .iter()
            .find(|p| p.column.as_deref() == Some(column))
            .unwrap_or_else(|| panic!("no decode problem for {column}:\n{}", report.render_table()))
    };
    let laterality = find("Laterality");
    assert_eq!(laterality.table.as_deref(), Some("ImageInstance"));
    assert_eq!(
        laterality.key.as_deref(),
        Some(format!("ImageInstanceID={bad_enum}").as_str())
    );
    assert!(laterality.detail.contains("'X'"), "{laterality:?}");

    let inactive = find("Inactive");
    assert_eq!(
        inactive.key.as_deref(),
        Some(format!("ImageInstanceID={}", tree.image_instance_id).as_str())
    );
    assert!(inactive.detail.contains("NULL"), "{inactive:?}");

    let json = find("CFROI");
    assert_eq!(
        json.key.as_deref(),
        Some(format!("ImageInstanceID={bad_enum}").as_str())
    );
    assert!(json.detail.contains("JSON"), "{json:?}");
    assert_eq!(decode.len(), 3, "{}", report.render_table());

    let text = report.render_table();
    assert!(text.contains("decode"), "{text}");
    assert!(text.starts_with("eorm verify"), "{text}");
}

#[tokio::test]
async fn snapshots_show_changed_columns() {
    let (db, conn, tree) = populated().await;
    let dir = std::env::temp_dir().join(format!(
        "eorm-verify-{}-{}",
        std::process::id(),
        eyened_orm_tests::next_id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let before = dir.join("before.json");
    let options = Options {
        snapshot: Some(before.clone()),
        ..Options::default()
    };
    let report = run(&conn, &db, &options).await;
    assert!(report.is_ok(), "{}", report.render_table());
    assert_eq!(report.snapshot_written.as_deref(), Some(before.as_path()));

    // Unchanged: nothing to report.
    let compare = Options {
        compare: Some(before.clone()),
        ..Options::default()
    };
    let report = run(&conn, &db, &compare).await;
    assert!(report.is_ok(), "{}", report.render_table());
    assert!(report.comparison.unwrap().changes.is_empty());

    // One value of one column changes, and a row is added elsewhere.
    conn.execute_unprepared(&format!(
        "UPDATE ImageInstance SET Rows_y = 512 WHERE ImageInstanceID = {}",
        tree.image_instance_id
    ))
    .await
    .unwrap();
    seed::creator(&conn).await.unwrap();
    let report = run(&conn, &db, &compare).await;
    let changed: Vec<(String, Option<String>)> = report
        .of_kind(Kind::DataChanged)
        .map(|p| (p.table.clone().unwrap(), p.column.clone()))
        .collect();
    assert!(
        changed.contains(&("ImageInstance".to_owned(), Some("Rows_y".to_owned()))),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .all(|(t, c)| t == "Creator" || c.as_deref() == Some("Rows_y")),
        "only Rows_y of ImageInstance changed: {changed:?}"
    );
    assert!(
        changed.contains(&("Creator".to_owned(), None)),
        "row count: {changed:?}"
    );

    // Declared as intended: no problem, listed as expected.
    let expected = Options {
        compare: Some(before.clone()),
        expect: vec!["ImageInstance.Rows_y".into(), "Creator".into()],
        ..Options::default()
    };
    let report = run(&conn, &db, &expected).await;
    assert!(report.is_ok(), "{}", report.render_table());
    assert!(
        report.render_table().contains("ImageInstance.Rows_y"),
        "{}",
        report.render_table()
    );

    // A NULL is a change too, even where the text would be empty.
    conn.execute_unprepared(&format!(
        "UPDATE ImageInstance SET Rows_y = NULL WHERE ImageInstanceID = {}",
        tree.image_instance_id
    ))
    .await
    .unwrap();
    let report = run(&conn, &db, &expected).await;
    assert!(report.is_ok(), "{}", report.render_table());

    // A bad snapshot path is an error (exit 2), not a finding.
    let missing = dir.join("missing.json");
    let out = eorm(&[
        "verify",
        "-u",
        &db.url(),
        "--compare",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Both commands read MySQL/MariaDB only: another connection is refused with their error, not a
/// panic.
#[tokio::test]
async fn other_databases_are_refused_with_an_error() {
    let sqlite = eyened_orm_tests::SqliteDb::memory();
    let conn = sqlite.connect().await;
    let err = verify(
        &conn,
        "main",
        &Options::default(),
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, eyened_orm::verify::VerifyError::Unsupported),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "eorm verify supports MySQL and MariaDB only"
    );

    let dir = eyened_orm_tests::ImageDir::new();
    let options = eyened_orm::import::Options::new(&dir.0);
    let err = eyened_orm::import::import_text(
        &conn,
        "[]",
        eyened_orm::import::Format::Json,
        &options,
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, eyened_orm::import::ImportError::Unsupported),
        "{err}"
    );
}

#[tokio::test]
async fn declared_unmanaged_tables_are_listed_not_checked() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE Statistics (StatisticsID int PRIMARY KEY, Name varchar(64), \
         ImageInstanceID int, CONSTRAINT fk_Statistics_Image FOREIGN KEY (ImageInstanceID) \
         REFERENCES ImageInstance (ImageInstanceID))",
    )
    .await
    .unwrap();
    unchecked(&conn, &["INSERT INTO Statistics VALUES (1, 'orphan', 999)"]).await;

    // Undeclared: drift, and its orphan is counted.
    let report = run(&conn, &db, &Options::default()).await;
    assert!(
        report
            .of_kind(Kind::Schema)
            .any(|p| p.detail == "Statistics: drop table"),
        "{}",
        report.render_table()
    );
    assert!(
        report.of_kind(Kind::Orphan).count() == 1,
        "{}",
        report.render_table()
    );

    // Declared (as `eorm verify --unmanaged FILE` reads it): listed, and nothing in it checked.
    let file = std::env::temp_dir().join(format!("{}-unmanaged.toml", db.name()));
    std::fs::write(
        &file,
        "[[table]]\nname = \"Statistics\"\nreason = \"nightly counts\"\n",
    )
    .unwrap();
    let options = Options {
        unmanaged: Unmanaged::read(&file, &entities()).expect("declarations parse"),
        ..Options::default()
    };
    let report = run(&conn, &db, &options).await;
    assert!(report.is_ok(), "{}", report.render_table());
    assert_eq!(report.unmanaged.len(), 1);
    assert!(
        report
            .render_table()
            .contains("unmanaged: Statistics (not checked: nightly counts)"),
        "{}",
        report.render_table()
    );
    let file_arg = file.to_string_lossy().into_owned();
    let out = eorm(&["verify", "-u", &db.url(), "--unmanaged", &file_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("unmanaged: Statistics"),
        "{}",
        output_text(&out)
    );

    // A broken declaration file stops verify with its path (exit 2).
    std::fs::write(&file, "[[table]]\nname = \"Statistics\"\n").unwrap();
    let out = eorm(&["verify", "-u", &db.url(), "--unmanaged", &file_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&file_arg) && err.contains("reason"), "{err}");
    let _ = std::fs::remove_file(&file);
}
