//! database-mirror-full on real MariaDB: the copy is exact (schema fingerprint, CHECKSUM TABLE
//! of every table, version tables, views, triggers, routines), by every copy path; the target is
//! replaced whole; source = target is refused before anything is touched.

mod mirror_support;

use eyened_orm::mirror::{MirrorError, Mode, ServerSide};
use eyened_orm_tests::{fingerprint, fingerprint_diff, query_strings};
use mirror_support::*;
use sea_orm::ConnectionTrait;

const OBJECTS: &str = "CREATE VIEW `PatientImageCount` AS SELECT p.PatientID, p.PatientIdentifier, COUNT(i.ImageInstanceID) AS Images \
     FROM Patient p JOIN Study s ON s.PatientID = p.PatientID JOIN Series se ON se.StudyID = s.StudyID \
     JOIN ImageInstance i ON i.SeriesID = se.SeriesID GROUP BY p.PatientID, p.PatientIdentifier; \
     CREATE VIEW `BigPatients` AS SELECT * FROM `PatientImageCount` WHERE Images > 10; \
     CREATE TRIGGER `contact_name_trim` BEFORE UPDATE ON `Contact` FOR EACH ROW SET NEW.Name = TRIM(NEW.Name); \
     CREATE PROCEDURE `count_patients`() SELECT COUNT(*) FROM Patient; \
     CREATE FUNCTION `double_it`(x INT) RETURNS INT DETERMINISTIC RETURN x * 2";

async fn assert_equal_copies(source: &Db, target: &Db) {
    let conn = source.server_conn().await;
    let expected = fingerprint(&conn, &source.name).await;
    let actual = fingerprint(&conn, &target.name).await;
    assert!(
        expected == actual,
        "schema fingerprints differ:\n{}",
        fingerprint_diff(&expected, &actual)
    );
    let a = checksums(&conn, &source.name).await;
    let b = checksums(&conn, &target.name).await;
    assert_eq!(a.len(), 42, "40 Eyened tables and 2 version tables: {a:?}");
    assert_eq!(a, b, "CHECKSUM TABLE differs");
    assert_eq!(
        row_counts(&conn, &source.name).await,
        row_counts(&conn, &target.name).await
    );
    let version = query_strings(
        &conn,
        &format!("SELECT version_num FROM `{}`.alembic_version", target.name),
        vec![],
    )
    .await;
    assert_eq!(version, ["10d5ab598dc7"]);
    let _ = conn.close().await;
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );
    assert!(!target.exists(&format!("{}__eorm_old", target.name)).await);
}

async fn objects_of(db: &Db) -> Vec<String> {
    let conn = db.server_conn().await;
    let mut out = query_strings(
        &conn,
        "SELECT CONCAT('view ', TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? \
         UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? \
         UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
        vec![db.name.clone().into(), db.name.clone().into(), db.name.clone().into()],
    )
    .await;
    out.sort();
    let _ = conn.close().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_copy_is_exact_and_replaces_the_target() {
    let (source, counts) = eyened_source(25, 11).await;
    assert!(counts.get("ImageInstance") > 200, "{counts:?}");
    let conn = source.connect().await;
    conn.execute_unprepared(OBJECTS).await.unwrap();
    let _ = conn.close().await;
    let target = Db::empty("t").await;
    // An old target with a table the source does not have: it must be gone afterwards.
    let conn = target.connect().await;
    conn.execute_unprepared("CREATE TABLE junk (id INT PRIMARY KEY); INSERT INTO junk VALUES (1); CREATE VIEW junk_view AS SELECT * FROM junk")
        .await
        .unwrap();
    let _ = conn.close().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "full.yml", &source.name, &target.name, "");

    // Client streaming, small chunks (key ranges), indexes and foreign keys after the load.
    let outcome = run(Mode::Full, &config, |o| {
        o.server_side = ServerSide::Never;
        o.chunk_rows = 150;
        o.defer_indexes_min_rows = 0;
        o.batch_bytes = 64 * 1024;
    })
    .await
    .unwrap();
    let summary = outcome.summary.expect("a summary");
    assert!(summary.to_string().contains("ImageInstance"), "{summary}");
    assert!(
        summary
            .copying
            .contains("writers with LOAD DATA LOCAL INFILE;"),
        "{}",
        summary.copying
    );
    assert_equal_copies(&source, &target).await;
    assert_eq!(objects_of(&target).await, objects_of(&source).await);
    assert_eq!(objects_of(&source).await.len(), 5);
    let conn = target.connect().await;
    let n = query_strings(&conn, "SELECT CAST(double_it(21) AS CHAR)", vec![]).await;
    assert_eq!(n, ["42"]);
    let _ = conn.close().await;

    // Again with multi-row INSERTs instead of LOAD DATA.
    let outcome = run(Mode::Full, &config, |o| {
        o.server_side = ServerSide::Never;
        o.chunk_rows = 150;
        o.batch_bytes = 64 * 1024;
        o.load_data = false;
    })
    .await
    .unwrap();
    let summary = outcome.summary.expect("a summary");
    assert!(
        summary
            .copying
            .contains("multi-row INSERTs (--no-load-data)"),
        "{}",
        summary.copying
    );
    assert_equal_copies(&source, &target).await;

    // Again, over the existing copy, with indexes created up front, one worker, and row
    // fingerprints instead of CHECKSUM TABLE (what copies between server versions use).
    run(Mode::Full, &config, |o| {
        o.server_side = ServerSide::Never;
        o.workers = 1;
        o.verify = Some(eyened_orm::mirror::verify::Method::Literal);
    })
    .await
    .unwrap();
    assert_equal_copies(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_copy_is_exact() {
    let (source, _) = eyened_source(15, 12).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let config = write_config(dir.path(), "full.yml", &source.name, &target.name, "");
    let outcome = run(Mode::Full, &config, |o| {
        o.server_side = ServerSide::Always;
        o.chunk_rows = 100;
        o.defer_indexes_min_rows = 1000;
    })
    .await
    .unwrap();
    assert!(
        outcome.plan.to_string().contains("INSERT ... SELECT"),
        "{}",
        outcome.plan
    );
    assert_equal_copies(&source, &target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_changes_nothing() {
    let (source, _) = eyened_source(3, 13).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let config = write_config(dir.path(), "full.yml", &source.name, &target.name, "");
    let outcome = run(Mode::Full, &config, |o| o.dry_run = true)
        .await
        .unwrap();
    assert!(outcome.plan.dry_run && outcome.summary.is_none());
    let plan = outcome.plan.to_string();
    assert!(plan.contains("ImageInstance"), "{plan}");
    assert!(plan.contains("dry run"), "{plan}");
    assert!(!target.exists(&target.name).await);
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_equal_to_target_is_refused() {
    let (source, counts) = eyened_source(2, 14).await;
    let dir = TempDir::new();
    let s = server();
    let spellings = [
        // Same spelling.
        (s.host().to_owned(), s.port(), source.name.clone()),
        // localhost for 127.0.0.1, upper case name.
        ("localhost".to_owned(), s.port(), source.name.to_uppercase()),
    ];
    for (host, port, name) in spellings {
        let text = format!(
            "source:\n  database: {}\ntarget:\n  database: {{user: '{}', password: '{}', host: '{host}', port: {port}, database: '{name}'}}\ncopy_objects: [{{table: Patient, clause: '1=1'}}]\n",
            database_yaml(&s, &source.name),
            s.user(),
            s.password().expose()
        );
        let config = dir.path().join("same.yml");
        std::fs::write(&config, text).unwrap();
        for mode in [Mode::Full, Mode::Test] {
            let err = run(mode, &config, |_| {}).await.unwrap_err();
            assert!(
                matches!(err, MirrorError::Refused(ref m) if m.contains("same database")),
                "{host}:{port}/{name}: {err}"
            );
        }
    }

    // Through a TCP forwarder: another port, the same server.
    let (port, handle) = forwarder().await;
    let text = format!(
        "source:\n  database: {}\ntarget:\n  database: {{user: '{}', password: '{}', host: '127.0.0.1', port: {port}, database: '{}'}}\n",
        database_yaml(&s, &source.name),
        s.user(),
        s.password().expose(),
        source.name
    );
    let config = dir.path().join("alias.yml");
    std::fs::write(&config, text).unwrap();
    let err = run(Mode::Full, &config, |_| {}).await.unwrap_err();
    handle.abort();
    assert!(
        matches!(err, MirrorError::Refused(ref m) if m.contains("same database")),
        "{err}"
    );

    // The source is intact and nothing was created.
    let conn = source.connect().await;
    let now = row_counts(&conn, &source.name).await;
    let _ = conn.close().await;
    assert_eq!(
        now.get("ImageInstance").copied(),
        Some(counts.get("ImageInstance") as i64)
    );
    assert!(
        !source
            .exists(&format!("{}__eorm_staging", source.name))
            .await
    );
}
