//! A row with a 20 MiB blob, on a private mariadbd whose `max_allowed_packet` (22 MiB) takes
//! the row but not the row and the 3 MiB of rows before it: every path of the mirror copies it
//! byte for byte (MD5 of every blob on both sides) without ever sending a statement bigger
//! than the packet: streaming with LOAD DATA, with INSERTs, with INSERTs and row fingerprints
//! (the server renders the rows, which it cannot do in hexadecimal: 40 MiB), on the server with
//! INSERT ... SELECT, and a subset. A row bigger than the packet alone stops the run with an
//! error saying so, the target untouched. Skipped, saying so, without the MariaDB server
//! binaries.

mod mirror_support;

use std::path::PathBuf;

use eyened_orm::mirror::verify::Method;
use eyened_orm::mirror::{MirrorError, Mode, Options, ServerSide};
use eyened_orm_tests::{PrivateServer, query_strings};
use mirror_support::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The blob: bigger than the 16 MiB of a protocol packet, so it travels in several.
const BIG: usize = 20 << 20;

async fn insert(conn: &DatabaseConnection, sql: &str, id: i32, data: Vec<u8>) {
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::MySql,
        sql,
        [id.into(), data.into()],
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `BigID:MD5(Data)` of every row of `db`.`Big`.
async fn digests(conn: &DatabaseConnection, db: &str) -> Vec<String> {
    query_strings(
        conn,
        &format!(
            "SELECT CONCAT(BigID, ':', Name, ':', LENGTH(Data), ':', MD5(Data)) FROM `{db}`.Big ORDER BY BigID"
        ),
        vec![],
    )
    .await
}

/// A config from `source` to `target` on `server`, with `extra` YAML.
fn config(dir: &TempDir, file: &str, server: &PrivateServer, source: &str, extra: &str) -> PathBuf {
    let c = server.config();
    let path = dir.path().join(file);
    std::fs::write(
        &path,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\n{extra}",
            database_yaml(&c, source),
            database_yaml(&c, "dst"),
        ),
    )
    .unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mib_blob_copies_by_every_path_within_the_packet() {
    let server = match PrivateServer::start(&["--max-allowed-packet=22M"]).await {
        Ok(s) => s,
        Err(why) => {
            eprintln!("SKIPPED a_20_mib_blob_copies_by_every_path_within_the_packet: {why}");
            return;
        }
    };
    let conn = server.config().connect().await.unwrap();
    conn.execute_unprepared(
        "CREATE DATABASE src CHARACTER SET utf8mb4; \
         CREATE TABLE src.Big (BigID INT PRIMARY KEY, Name VARCHAR(20) NOT NULL, Data LONGBLOB); \
         CREATE DATABASE wide CHARACTER SET utf8mb4; \
         CREATE TABLE wide.Big (BigID INT PRIMARY KEY, Name VARCHAR(20) NOT NULL, Data LONGBLOB, More LONGBLOB)",
    )
    .await
    .unwrap();
    // 3 MiB of rows first: with the 20 MiB row they would be 23 MiB, more than the packet.
    for id in 1..=3 {
        let sql = "INSERT INTO src.Big VALUES (?, 'small', ?)";
        insert(&conn, sql, id, noise(1 << 20, id as u64)).await;
    }
    insert(
        &conn,
        "INSERT INTO src.Big VALUES (?, 'big', ?)",
        4,
        noise(BIG, 4),
    )
    .await;
    insert(
        &conn,
        "INSERT INTO src.Big VALUES (?, 'after', ?)",
        5,
        noise(1000, 5),
    )
    .await;
    let source = digests(&conn, "src").await;
    assert_eq!(source.len(), 5);
    assert!(
        source[3].starts_with(&format!("4:big:{BIG}:")),
        "{source:?}"
    );

    let dir = TempDir::new();
    let full = config(&dir, "full.yml", &server, "src", "");
    // How each path is forced, and how the run describes it.
    type Tweak = fn(&mut Options);
    let cases: [(Tweak, &str); 4] = [
        (
            |o| o.server_side = ServerSide::Never,
            "writers with LOAD DATA LOCAL INFILE",
        ),
        (
            |o| {
                o.server_side = ServerSide::Never;
                o.load_data = false;
            },
            "writers with multi-row INSERTs (--no-load-data)",
        ),
        (
            |o| {
                o.server_side = ServerSide::Never;
                o.verify = Some(Method::Literal);
            },
            "writers with multi-row INSERTs (row fingerprints need INSERTs)",
        ),
        (
            |o| {
                o.server_side = ServerSide::Always;
                o.verify = Some(Method::Literal);
            },
            "copying on the server (INSERT ... SELECT)",
        ),
    ];
    for (tweak, path) in cases {
        let outcome = run(Mode::Full, &full, tweak)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let copying = outcome.summary.expect("summary").copying;
        assert!(copying.contains(path), "{copying}");
        assert_eq!(digests(&conn, "dst").await, source, "{path}");
    }

    // A subset naming every row, read and fingerprinted in the selection's snapshot.
    let objects: String = (1..=5)
        .map(|id| format!("  - {{table: Big, clause: {{BigID: {id}}}}}\n"))
        .collect();
    let subset = config(
        &dir,
        "subset.yml",
        &server,
        "src",
        &format!("copy_objects:\n{objects}"),
    );
    run(Mode::Test, &subset, |_| {})
        .await
        .unwrap_or_else(|e| panic!("subset: {e}"));
    assert_eq!(digests(&conn, "dst").await, source, "subset");

    // Two 12 MB blobs in one row: more than the packet, however it is sent. The server stored
    // it in two statements, but no statement can copy it.
    insert(
        &conn,
        "INSERT INTO wide.Big VALUES (?, 'wide', ?, NULL)",
        1,
        noise(12_000_000, 6),
    )
    .await;
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::MySql,
        "UPDATE wide.Big SET More = ? WHERE BigID = 1",
        [noise(12_000_000, 7).into()],
    ))
    .await
    .unwrap();
    let too_wide = config(&dir, "wide.yml", &server, "wide", "");
    for load_data in [true, false] {
        let err = run(Mode::Full, &too_wide, |o| {
            o.server_side = ServerSide::Never;
            o.load_data = load_data;
        })
        .await
        .unwrap_err();
        assert!(
            matches!(err, MirrorError::RowTooBig { ref table, max_packet, .. } if table == "Big" && max_packet == 22 << 20),
            "{err}"
        );
        let message = err.to_string();
        eprintln!("load_data {load_data}: {message}");
        assert!(
            message.starts_with("Big: a row of 2")
                && message.contains(" does not fit the target's max_allowed_packet of 22.0 MiB; raise max_allowed_packet on the target server to at least 2")
                && !message.contains('\n'),
            "{message}"
        );
        // The target is the last good copy; the staging database is gone.
        assert_eq!(digests(&conn, "dst").await, source);
        let staging = query_strings(
            &conn,
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dst\\_\\_%'",
            vec![],
        )
        .await;
        assert!(staging.is_empty(), "{staging:?}");
    }
    let _ = conn.close().await;
}
