//! The loader of streaming mirror copies (`LOAD DATA LOCAL INFILE` from memory): values arrive
//! byte for byte, and what the server would only warn about (a LOCAL load cannot be stopped
//! halfway, so the server downgrades errors to warnings) is an error.

use eyened_orm::config::DatabaseConfig;
use eyened_orm::load_data::{Loader, push_value};
use eyened_orm::mirror::conn::SESSION;
use eyened_orm::mirror::copy::LOAD_SESSION;
use eyened_orm_tests::{TestDb, query_strings};
use sea_orm::ConnectionTrait;

/// Rows in the load format.
fn rows(rows: &[&[Option<&[u8]>]]) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            push_value(&mut out, *v);
        }
        out.push(b'\n');
    }
    out
}

async fn setup() -> (TestDb, Loader) {
    let db = TestDb::new().await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(4) NULL, data BLOB NULL, x DOUBLE NULL) \
         DEFAULT CHARSET=utf8mb4",
    )
    .await
    .unwrap();
    let config = DatabaseConfig::from_url(&db.url()).unwrap();
    let loader = Loader::connect(&config, db.name(), &[SESSION, LOAD_SESSION], "target")
        .await
        .unwrap();
    (db, loader)
}

#[tokio::test]
async fn values_arrive_byte_for_byte() {
    let (db, mut loader) = setup().await;
    let blob: &[u8] = b"\x00\t\n\\N\xff\x01'\"";
    let data = rows(&[
        &[
            Some(b"1"),
            Some("é\tx".as_bytes()),
            Some(blob),
            Some(b"0.964712381362915"),
        ],
        &[Some(b"2"), None, None, None],
        &[Some(b"3"), Some(b"\\N"), Some(b""), Some(b"-1e300")],
    ]);
    loader
        .load("`t`", "`id`, `name`, `data`, `x`", data, 3, 1, || {
            "loading t".into()
        })
        .await
        .unwrap();
    let conn = db.connect().await;
    let got = query_strings(
        &conn,
        "SELECT CONCAT_WS('|', id, IFNULL(HEX(name), 'NULL'), IFNULL(HEX(data), 'NULL'), \
         IFNULL(x, 'NULL')) FROM t ORDER BY id",
        vec![],
    )
    .await;
    assert_eq!(
        got,
        vec![
            format!(
                "1|{}|{}|0.964712381362915",
                hex("é\tx".as_bytes()),
                hex(blob)
            ),
            "2|NULL|NULL|NULL".to_owned(),
            format!("3|{}||-1e300", hex(b"\\N")),
        ]
    );
    loader.close().await;
    drop(db);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[tokio::test]
async fn what_the_server_only_warns_about_is_an_error() {
    let (db, mut loader) = setup().await;
    // Too long for VARCHAR(4): an error for an INSERT in strict mode, a warning for LOCAL.
    let err = loader
        .load(
            "`t`",
            "`id`, `name`, `data`, `x`",
            rows(&[&[Some(b"1"), Some(b"abcdef"), None, None]]),
            1,
            1,
            || "loading t".into(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("loading t: "), "{err}");
    assert!(err.contains("name"), "{err}");

    // A duplicate key is skipped (LOCAL implies IGNORE): reported, not lost silently.
    let conn = db.connect().await;
    conn.execute_unprepared("DELETE FROM t").await.unwrap();
    conn.execute_unprepared("INSERT INTO t (id) VALUES (5)")
        .await
        .unwrap();
    let err = loader
        .load(
            "`t`",
            "`id`, `name`, `data`, `x`",
            rows(&[
                &[Some(b"5"), None, None, None],
                &[Some(b"6"), None, None, None],
            ]),
            2,
            1,
            || "loading t".into(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Duplicate") || err.contains("stored"), "{err}");
    loader.close().await;
    drop(db);
}
