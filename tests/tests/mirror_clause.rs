//! Raw `copy_objects` clauses (issue 17): the OUTFILE injection is refused before anything
//! reaches a server, accepted clauses are rendered to SQL that selects the same rows as the text
//! written, and a mirror run selects with them (inside its snapshot) what the server selects.

mod mirror_support;

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use eyened_orm::mirror::clause::Condition;
use eyened_orm::mirror::{self, Mode, Options, RunState};
use eyened_orm_tests::{query_i64, query_strings, quote_ident};
use mirror_support::*;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// The clause of the issue, exactly.
const OUTFILE: &str = "1=1) INTO OUTFILE '/tmp/x.txt' -- ";

const REFUSAL: &str = "copy_objects[0].clause: INTO (at column 6) is not allowed: a condition selects rows, it does not write them to files or variables";

/// `T` with values that are hard to quote, and `U` referencing it.
async fn tricky_source() -> Db {
    let db = Db::empty("c").await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        r#"CREATE TABLE T (ID INT PRIMARY KEY, Name VARCHAR(40) NULL, Born DATE NULL,
             Score DOUBLE NULL, Flag TINYINT NULL, Data VARBINARY(8) NULL) DEFAULT CHARSET = utf8mb4;
           CREATE TABLE U (UID INT PRIMARY KEY, TID INT NOT NULL, Kind VARCHAR(10) NOT NULL,
             CONSTRAINT u_t FOREIGN KEY (TID) REFERENCES T (ID));
           INSERT INTO T VALUES
             (1, 'it''s', '2019-03-01', 1.5, 0, 0x0102),
             (2, 'a\\b', '2020-01-01', 2.5, 1, NULL),
             (3, '50%', '2020-06-30', NULL, NULL, 0xff),
             (4, 'x_y', '2021-12-31', 4, 1, NULL),
             (5, 'O''Brien', NULL, 5, 0, NULL),
             (6, 'plain', '2022-02-02', 6, NULL, 0x0102),
             (7, NULL, '2018-01-01', 7, 1, NULL),
             (8, 'tab\there', '2023-01-01', 8, 0, NULL),
             (9, 'back\\', '2024-01-01', 9, 1, NULL),
             (10, 'quote"d', '2017-05-05', 10, 0, NULL),
             (11, 'ünïcödé', '2016-01-01', 11, 1, NULL),
             (12, '-- not a comment', '2015-01-01', 12, 0, NULL),
             (13, '/* nor this */', '2014-01-01', 13, 1, NULL),
             (14, 'xay', '2013-01-01', 14, 0, NULL),
             (15, '50x', '2012-01-01', 15, 1, NULL);
           INSERT INTO U VALUES (1, 2, 'a'), (2, 4, 'b'), (3, 4, 'a'), (4, 9, 'bb'), (5, 11, 'c');"#,
    )
    .await
    .unwrap();
    let _ = conn.close().await;
    db
}

/// One connection with the mirror's session settings (`sql_mode` and time zone).
async fn mirror_session(db: &Db) -> DatabaseConnection {
    let conn = db
        .config()
        .connect_with(|o| {
            o.max_connections(1).min_connections(1);
        })
        .await
        .unwrap();
    conn.execute_unprepared(eyened_orm::mirror::conn::SESSION)
        .await
        .unwrap();
    conn
}

async fn mirror_test(config: &Path, dry_run: bool) -> Result<mirror::Outcome, mirror::MirrorError> {
    let mut options = Options::new(Mode::Test, config);
    options.workers = 2;
    options.dry_run = dry_run;
    let state = RunState::new();
    let progress = eyened_orm::progress::silent();
    let mut confirm = |_: &mirror::report::Plan| Ok(true);
    let run = mirror::run(&options, &progress, &mut confirm, &state);
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the run hung")
}

fn file_state(path: &str) -> Option<(u64, Option<std::time::SystemTime>)> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outfile_clause_is_refused_before_anything_connects() {
    // Source and target are a port that accepts connections but never answers: had the run
    // connected anywhere, the listener would hold the connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = TempDir::new();
    let endpoint = |db: &str| {
        format!(
            "{{user: root, password: hunter2-secret, host: 127.0.0.1, port: {port}, database: {db}}}"
        )
    };
    let config = dir.path().join("outfile.yml");
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\ncopy_objects:\n  - table: Patient\n    clause: \"{OUTFILE}\"\n",
            endpoint("eyened_database"),
            endpoint("eyened_test"),
        ),
    )
    .unwrap();
    let err = mirror_test(&config, false).await.unwrap_err();
    assert_eq!(err.to_string(), REFUSAL);
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the run connected: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outfile_clause_writes_no_file_on_a_real_source() {
    let source = tricky_source().await;
    let target = Db::named("t");
    let before = file_state("/tmp/x.txt");
    let conn = source.connect().await;
    let rows_before = row_counts(&conn, &source.name).await;
    let dir = TempDir::new();
    let config = write_config(
        dir.path(),
        "outfile.yml",
        &source.name,
        &target.name,
        &format!("copy_objects:\n  - table: T\n    clause: \"{OUTFILE}\"\n"),
    );
    for dry_run in [true, false] {
        let err = mirror_test(&config, dry_run).await.unwrap_err();
        assert_eq!(err.to_string(), REFUSAL);
    }
    assert_eq!(file_state("/tmp/x.txt"), before, "/tmp/x.txt was written");
    assert_eq!(row_counts(&conn, &source.name).await, rows_before);
    for db in [
        target.name.clone(),
        format!("{}__eorm_staging", target.name),
    ] {
        assert!(!source.exists(&db).await, "{db} was created");
    }
    let _ = conn.close().await;
}

/// Clauses as users write them, with literals that are easy to get wrong; each selects some rows
/// of `T` (not all).
const ACCEPTED: &[&str] = &[
    "Born >= '2020-01-01' AND ID < 20",
    "Name = 'it''s'",
    r"Name = 'it\'s'",
    r#"Name = "O'Brien""#,
    r"Name = 'a\\b'",
    r"Name = 'back\\'",
    r"Name = 'back\\' OR Name = ') OR 1=1 -- '",
    r"Name LIKE '50\%'",
    r"Name LIKE 'x\_y'",
    r"Name LIKE '%\_%'",
    r"Name = 'tab\there'",
    r#"Name = 'quote"d'"#,
    r#"Name = "quote\"d""#,
    "Name = 'ünïcödé'",
    "Name = '-- not a comment' OR Name = '/* nor this */'",
    "Name IS NULL",
    "Name IS NOT NULL AND ID > 12",
    "ID IN (1,3,5)",
    "ID NOT IN (1, 2)",
    "ID BETWEEN 2 AND 4",
    "Born > DATE '2019-06-01'",
    "YEAR(Born) = 2021",
    "Born > CURDATE() - INTERVAL 7 YEAR",
    "DATE(Born) < NOW() AND MONTH(Born) = 1",
    "ID IN (SELECT TID FROM U WHERE Kind = 'a')",
    "EXISTS (SELECT 1 FROM U WHERE U.TID = T.ID)",
    "NOT EXISTS (SELECT 1 FROM U WHERE U.TID = T.ID AND U.Kind LIKE 'b%')",
    "ID IN (SELECT TID FROM U GROUP BY TID HAVING COUNT(*) > 1)",
    "Score * 2 > 15 OR Score IS NULL",
    "ID DIV 2 = 1",
    "MOD(ID, 2) = 0",
    "ID % 3 = 1",
    "COALESCE(Name, '') = ''",
    "CASE WHEN ID > 13 THEN 1 ELSE 0 END = 1",
    "Name REGEXP '^[a-c]'",
    "CAST(ID AS CHAR) = '2'",
    "Data = X'0102'",
    "Data = 0x0102",
    "LOWER(Name) = 'plain' OR CONCAT(Name, '!') = 'x_y!'",
    "LENGTH(Name) > 10",
    "Flag <=> NULL",
    "(ID, Flag) IN ((1, 0), (2, 1))",
    "N'plain' = Name",
    "ID = 1 XOR ID = 2",
    "ID = 1 || ID = 2",
    "Name = 'plain' COLLATE utf8mb4_bin",
    "`T`.`ID` < 3",
    "IF(Flag = 1, Score, 0) > 8",
    "TRIM(BOTH 'x' FROM Name) = 'ay'",
    "SUBSTRING(Name, 1, 2) = '50'",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_clauses_select_the_same_rows_as_written() {
    let source = tricky_source().await;
    let conn = mirror_session(&source).await;
    let total = query_i64(
        &conn,
        &format!("SELECT COUNT(*) FROM {}.T", quote_ident(&source.name)),
    )
    .await as usize;
    for text in ACCEPTED {
        let condition = Condition::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let ids = |where_: &str| {
            format!(
                "SELECT CAST(ID AS CHAR) FROM {}.T WHERE ({where_}) ORDER BY ID",
                quote_ident(&source.name)
            )
        };
        let written = query_strings(&conn, &ids(text), vec![]).await;
        let rendered = query_strings(&conn, &ids(condition.sql()), vec![]).await;
        assert_eq!(rendered, written, "{text}\nrendered as {condition}");
        assert!(
            !written.is_empty() && written.len() < total,
            "{text} selects {written:?}: a test that cannot tell"
        );
    }
    // The texts are rendered again, not passed through.
    for (text, rendered) in [
        (r#"Name = "O'Brien""#, "Name = 'O''Brien'"),
        (r"Name = 'it\'s'", "Name = 'it''s'"),
        ("ID IN (1,3,5)", "ID IN (1, 3, 5)"),
    ] {
        assert_eq!(Condition::parse(text).unwrap().sql(), rendered);
    }
    let _ = conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_selects_with_the_rendered_clause_inside_its_snapshot() {
    let source = tricky_source().await;
    let target = Db::named("t");
    let conn = mirror_session(&source).await;
    let clauses = [
        "Born >= '2020-01-01' AND ID < 20",
        "ID IN (SELECT TID FROM U WHERE Kind = 'a')",
        r"Name = 'back\\' OR Name LIKE '50\%'",
    ];
    let mut expected = Vec::new();
    for clause in clauses {
        expected.push(
            query_i64(
                &conn,
                &format!(
                    "SELECT COUNT(*) FROM {}.T WHERE ({clause})",
                    quote_ident(&source.name)
                ),
            )
            .await as u64,
        );
    }
    let _ = conn.close().await;
    let dir = TempDir::new();
    let objects: String = clauses
        .iter()
        .map(|c| format!("  - table: T\n    clause: '{}'\n", c.replace('\'', "''")))
        .collect();
    let config = write_config(
        dir.path(),
        "clauses.yml",
        &source.name,
        &target.name,
        &format!("copy_objects:\n{objects}"),
    );
    let outcome = mirror_test(&config, true).await.unwrap();
    let matched: Vec<u64> = outcome.plan.copy_objects.iter().map(|o| o.rows).collect();
    assert_eq!(matched, expected);
    assert!(!source.exists(&target.name).await);
}
