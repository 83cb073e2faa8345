//! Long copies. On a private mariadbd whose `wait_timeout`, `net_write_timeout` and
//! `net_read_timeout` are 2 s, a streaming copy throttled to take several times that (so the run
//! lock's connection, the target connection and the writer whose loader does the work sit idle
//! for longer, and the reader stops reading while its writer pauses) completes, byte for byte.
//! On the test server: the run lock's connection is kept from idling out by its checks, and a
//! run whose lock connection is killed midway stops before the swap, the target untouched.
//! The private server's test is skipped, saying so, without the MariaDB server binaries.

mod mirror_support;

use std::time::Duration;

use eyened_orm::mirror::names::Names;
use eyened_orm::mirror::run_lock::RunLock;
use eyened_orm::mirror::{MirrorError, Mode, ServerSide, conn};
use eyened_orm_tests::{PrivateServer, query_strings};
use mirror_support::*;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// `ScanID:MD5(Data)` of every row of `db`.`Scan`.
async fn digests(conn: &DatabaseConnection, db: &str) -> Vec<String> {
    query_strings(
        conn,
        &format!("SELECT CONCAT(ScanID, ':', MD5(Data)) FROM `{db}`.Scan ORDER BY ScanID"),
        vec![],
    )
    .await
}

/// Fills `db`.`Scan` with `rows` rows of `bytes` bytes each.
async fn fill(conn: &DatabaseConnection, db: &str, rows: i32, bytes: usize) {
    conn.execute_unprepared(&format!(
        "CREATE TABLE `{db}`.Scan (ScanID INT PRIMARY KEY, Data LONGBLOB NOT NULL)"
    ))
    .await
    .unwrap();
    for id in 1..=rows {
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::MySql,
            format!("INSERT INTO `{db}`.Scan VALUES (?, ?)"),
            [id.into(), noise(bytes, id as u64).into()],
        ))
        .await
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_outlasting_the_servers_timeouts_completes() {
    let options = [
        "--wait-timeout=2",
        "--net-write-timeout=2",
        "--net-read-timeout=2",
        "--max-allowed-packet=64M",
    ];
    let server = match PrivateServer::start(&options).await {
        Ok(s) => s,
        Err(why) => {
            eprintln!("SKIPPED a_copy_outlasting_the_servers_timeouts_completes: {why}");
            return;
        }
    };
    let conn = server.config().connect().await.unwrap();
    conn.execute_unprepared(
        "CREATE DATABASE src; CREATE DATABASE dst; CREATE TABLE dst.Old (x INT); INSERT INTO dst.Old VALUES (1)",
    )
    .await
    .unwrap();
    // 48 MiB: the reader takes four 8 MiB batches (one being written, two queued, one
    // waiting), and the socket buffers hold less than the rest, so the server stalls writing
    // the result for as long as the writer pauses.
    fill(&conn, "src", 48, 1 << 20).await;
    let source = digests(&conn, "src").await;

    let dir = TempDir::new();
    let c = server.config();
    let path = dir.path().join("long.yml");
    std::fs::write(
        &path,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\n",
            database_yaml(&c, "src"),
            database_yaml(&c, "dst")
        ),
    )
    .unwrap();
    // One reader, one writer that pauses 2.5 s after every batch: about 15 s in all.
    let outcome = run(Mode::Full, &path, |o| {
        o.server_side = ServerSide::Never;
        o.workers = 1;
        o.batch_bytes = 8 << 20;
        o.throttle = Duration::from_millis(2500);
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let copying = outcome.summary.expect("summary").copying;
    assert!(copying.contains("LOAD DATA LOCAL INFILE"), "{copying}");
    let conn = server.config().connect().await.unwrap();
    assert_eq!(digests(&conn, "dst").await, source);
    let tables = tables(&conn, "dst").await;
    assert_eq!(tables, ["Scan"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_locks_checks_keep_its_connection_from_idling_out() {
    let config = server();
    let name = format!("eorm-test-lock:{}", unique_name("k"));
    let open = || async {
        let mut c = conn::connect(&config, "target", None).await.unwrap();
        // The session's own timeout, as short as a server's might be.
        conn::exec(&mut c, "SET SESSION wait_timeout = 1", String::new)
            .await
            .unwrap();
        c
    };
    let pause = || async {
        tokio::time::sleep(Duration::from_secs(4)).await;
        Ok::<(), MirrorError>(())
    };

    let mut held = open().await;
    let lock = RunLock::take(&mut held, name.clone())
        .await
        .unwrap()
        .unwrap();
    lock.hold_during(&mut held, pause()).await.unwrap();
    lock.check(&mut held).await.unwrap();
    lock.release(&mut held).await;

    // Left idle, the same connection is closed by the server and its lock is gone.
    let mut idle = open().await;
    let lock = RunLock::take(&mut idle, name).await.unwrap().unwrap();
    pause().await.unwrap();
    let err = lock.check(&mut idle).await.unwrap_err();
    assert!(matches!(err, MirrorError::LockLost { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("target: the run lock 'eorm-test-lock:") && !message.contains('\n'),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_loses_its_lock_stops_before_the_swap() {
    let source = Db::empty("s").await;
    let target = Db::empty("t").await;
    let conn = source.server_conn().await;
    fill(&conn, &source.name, 20, 70_000).await;
    conn.execute_unprepared(&format!(
        "CREATE TABLE `{0}`.Old (x INT); INSERT INTO `{0}`.Old VALUES (1)",
        target.name
    ))
    .await
    .unwrap();
    let dir = TempDir::new();
    let config = write_config(dir.path(), "lost.yml", &source.name, &target.name, "");
    // One row per batch, a quarter of a second apart: about 5 s of copying.
    let running = run(Mode::Full, &config, |o| {
        o.server_side = ServerSide::Never;
        o.workers = 1;
        o.batch_bytes = 64 << 10;
        o.throttle = Duration::from_millis(250);
    });
    // Once the copy into staging has begun, the connection holding the run lock is killed.
    let lock = Names::new(&target.name).unwrap().lock_name();
    let staging = format!("{}__eorm_staging", target.name);
    let kill = async {
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            // The staging table's entry in the catalog, never a read of the table: a
            // `SELECT COUNT(*)` that meets the first LOAD into the empty staging table (a bulk
            // insert) hangs both statements in MariaDB 10.11, unkillably, until the server is
            // restarted. (InnoDB's TABLE_ROWS estimate may lag the whole 5 s copy.)
            let created = query_strings(
                &conn,
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'Scan'",
                vec![staging.clone().into()],
            )
            .await;
            if created.is_empty() {
                continue;
            }
            // Into the copy, which takes about 5 s.
            tokio::time::sleep(Duration::from_millis(750)).await;
            let holder = query_strings(
                &conn,
                "SELECT CAST(IFNULL(IS_USED_LOCK(?), 0) AS CHAR)",
                vec![lock.clone().into()],
            )
            .await;
            assert_ne!(holder[0], "0", "the copy runs without the lock");
            conn.execute_unprepared(&format!("KILL CONNECTION {}", holder[0]))
                .await
                .unwrap();
            return;
        }
        panic!("the copy never started");
    };
    let (result, ()) = tokio::join!(running, kill);
    let err = result.unwrap_err();
    assert!(
        matches!(err, MirrorError::LockLost { ref lock, .. } if lock.starts_with("eorm-mirror:")),
        "{err}"
    );
    // The target is the old one; staging is gone.
    assert_eq!(tables(&conn, &target.name).await, ["Old"]);
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );
    let _ = conn.close().await;
}
