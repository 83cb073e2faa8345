//! Source and target must not be one database under two addresses. On the test server: each
//! side's real identity is read and shown in the plan, one server still takes two databases and
//! refuses one database twice, and a forwarded port is recognized by identity alone. On a
//! primary/replica pair of throw-away mariadbd servers (skipped, saying so, without the MariaDB
//! server binaries): a replica is refused as target and as source, before anything is written,
//! also when the target user may not read the replication status; when neither user may, the
//! plan says what could not be checked.

mod mirror_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::mirror::topology::{self, Relation};
use eyened_orm::mirror::{MirrorError, Mode, conn};
use eyened_orm_tests::{PrivateServer, query_i64, query_strings, quote_ident};
use mirror_support::*;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A `database:` mapping for `db` on `server` as `user`.
fn mapping(server: &DatabaseConfig, user: (&str, &str), db: &str) -> String {
    format!(
        "{{user: '{}', password: '{}', host: '{}', port: {}, database: '{db}'}}",
        user.0,
        user.1,
        server.host(),
        server.port()
    )
}

fn write(dir: &Path, file: &str, source: &str, target: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!("source:\n  database: {source}\ntarget:\n  database: {target}\n"),
    )
    .unwrap();
    path
}

async fn scalar(conn: &DatabaseConnection, sql: &str) -> String {
    query_strings(conn, sql, vec![]).await.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_servers_identity_is_shown_and_one_server_still_takes_two_databases() {
    let source = Db::empty("s").await;
    let target = Db::named("t");
    let conn = source.connect().await;
    conn.execute_unprepared("CREATE TABLE `Patient` (`PatientID` INT PRIMARY KEY)")
        .await
        .unwrap();
    let server_id = scalar(&conn, "SELECT CAST(@@server_id AS CHAR)").await;
    let hostname = scalar(&conn, "SELECT @@hostname").await;
    let port = scalar(&conn, "SELECT CAST(@@port AS CHAR)").await;
    let _ = conn.close().await;
    let s = server();
    let root = (s.user(), s.password().expose());
    let dir = TempDir::new();

    // Two databases of one server: allowed as before, both sides shown with the server's own
    // identity.
    let two = write(
        dir.path(),
        "two.yml",
        &mapping(&s, root, &source.name),
        &mapping(&s, root, &target.name),
    );
    let outcome = run(Mode::Full, &two, |o| o.dry_run = true).await.unwrap();
    let servers = &outcome.plan.servers;
    assert_eq!(servers.len(), 2);
    for (identity, side) in servers.iter().zip(["source", "target"]) {
        assert_eq!(identity.side, side);
        assert_eq!(
            identity.server_id.map(|i| i.to_string()),
            Some(server_id.clone())
        );
        assert_eq!(identity.hostname.as_deref(), Some(hostname.as_str()));
        assert_eq!(identity.port.map(|p| p.to_string()), Some(port.clone()));
    }
    let text = outcome.plan.to_string();
    assert!(
        text.contains(&format!(
            "  source server: server_id {server_id}, {hostname}:{port} ("
        )),
        "{text}"
    );
    let json = serde_json::to_value(&outcome.plan).unwrap();
    assert_eq!(json["servers"][1]["server_id"].to_string(), server_id);

    // The same database twice on one server is still "the same database".
    let same = write(
        dir.path(),
        "same.yml",
        &mapping(&s, root, &source.name),
        &mapping(&s, root, &source.name),
    );
    let err = run(Mode::Full, &same, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, MirrorError::Refused(ref m) if m.contains("same database")),
        "{err}"
    );

    // Through a forwarded port the server answers with its own identity: one server by
    // identity alone, without the lock probe's help.
    let (forwarded, handle) = forwarder().await;
    let direct = s.with_database(&source.name);
    let other = DatabaseConfig::mysql(
        s.user(),
        s.password().expose(),
        "127.0.0.1",
        forwarded,
        None,
    );
    let mut a = conn::connect(&direct, "source", None).await.unwrap();
    let mut b = conn::connect(&other, "target", None).await.unwrap();
    let found = topology::survey(&mut a, &mut b, &direct, &other, false)
        .await
        .unwrap();
    handle.abort();
    assert!(
        matches!(found.relation, Relation::SameServer(ref e) if e.contains(&format!("server_id {server_id} on {hostname}:{port}"))),
        "{:?}",
        found.relation
    );
    assert!(!target.exists(&target.name).await);
}

/// Polls `sql` on `conn` until it returns a row (an error, e.g. a table not replicated yet,
/// counts as none), for at most 60 s.
async fn wait_for(conn: &DatabaseConnection, sql: &str, what: &str) {
    let started = Instant::now();
    let statement = || sea_orm::Statement::from_string(sea_orm::DbBackend::MySql, sql.to_owned());
    while conn
        .query_all_raw(statement())
        .await
        .map_or(true, |rows| rows.is_empty())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what}: not within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A primary (server_id 11) and its replica (server_id 12, `MASTER_HOST='127.0.0.1'`), with a
/// database `eyened` replicated, and a user `monitor` who may read everything but not the
/// replication status.
async fn replication_pair() -> Result<(PrivateServer, PrivateServer), String> {
    let primary = PrivateServer::start_with_grants(&["--server-id=11", "--log-bin"]).await?;
    let replica = PrivateServer::start_with_grants(&["--server-id=12", "--log-bin"]).await?;
    let p = primary.connect().await;
    p.execute_unprepared(
        "CREATE DATABASE eyened; CREATE TABLE eyened.Patient (PatientID INT PRIMARY KEY); \
         INSERT INTO eyened.Patient VALUES (1), (2); \
         CREATE USER 'monitor'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON *.* TO 'monitor'@'%'",
    )
    .await
    .unwrap();
    let r = replica.connect().await;
    r.execute_unprepared(&format!(
        "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='root', \
         MASTER_USE_GTID=slave_pos; START SLAVE",
        primary.port()
    ))
    .await
    .unwrap();
    wait_for(
        &r,
        "SELECT 1 FROM eyened.Patient WHERE PatientID = 2",
        "replication",
    )
    .await;
    // The replica registers with the primary once connected.
    wait_for(&p, "SHOW SLAVE HOSTS", "the replica's registration").await;
    let _ = p.close().await;
    let _ = r.close().await;
    Ok((primary, replica))
}

async fn databases(server: &PrivateServer) -> Vec<String> {
    let conn = server.connect().await;
    let names = query_strings(
        &conn,
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'copy%' ORDER BY 1",
        vec![],
    )
    .await;
    let _ = conn.close().await;
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_is_refused_as_target_and_as_source() {
    let (primary, replica) = match replication_pair().await {
        Ok(pair) => pair,
        Err(why) => {
            eprintln!("SKIPPED a_replica_is_refused_as_target_and_as_source: {why}");
            return;
        }
    };
    let (p, r) = (primary.config(), replica.config());
    let root = ("root", "");
    let monitor = ("monitor", "pw");
    let dir = TempDir::new();
    let refused = |config: PathBuf| async move {
        match run(Mode::Full, &config, |_| {}).await {
            Err(MirrorError::SharedTopology { link, .. }) => link,
            other => panic!("not refused: {:?}", other.map(|o| o.plan.to_string())),
        }
    };

    // Into the replica, under another name: the copy is refused before anything is written.
    let into_replica = write(
        dir.path(),
        "down.yml",
        &mapping(&p, root, "eyened"),
        &mapping(&r, root, "copy"),
    );
    let link = refused(into_replica).await;
    assert_eq!(
        link,
        format!(
            "target replicates from source (Master_Host=127.0.0.1, Master_Port={}, Master_Server_Id=11)",
            primary.port()
        )
    );

    // From the replica into its primary.
    let into_primary = write(
        dir.path(),
        "up.yml",
        &mapping(&r, root, "eyened"),
        &mapping(&p, root, "copy"),
    );
    let link = refused(into_primary).await;
    assert!(
        link.starts_with("source replicates from target (Master_Host=127.0.0.1"),
        "{link}"
    );

    // The target user may not read the replica's status; the primary still lists it.
    let hidden = write(
        dir.path(),
        "hidden.yml",
        &mapping(&p, root, "eyened"),
        &mapping(&r, monitor, "copy"),
    );
    let link = refused(hidden).await;
    assert_eq!(
        link,
        format!(
            "source lists target among its replicas (Host=localhost, Port={}, Server_id=12)",
            replica.port()
        )
    );
    assert!(databases(&primary).await.is_empty() && databases(&replica).await.is_empty());

    // Neither user may: nothing links them as far as can be seen, and the plan says so.
    let blind = write(
        dir.path(),
        "blind.yml",
        &mapping(&p, monitor, "eyened"),
        &mapping(&r, monitor, "copy"),
    );
    let outcome = run(Mode::Full, &blind, |o| o.dry_run = true).await.unwrap();
    let text = outcome.plan.to_string();
    for line in [
        "  source server: server_id 11, ",
        ", replication status unknown, replicas unknown",
        "    not checked: its primaries (SHOW ALL SLAVES STATUS: Access denied; you need (at least one of) the SUPER, SLAVE MONITOR privilege(s)",
        "    not checked: its replicas (SHOW SLAVE HOSTS: Access denied",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    assert_eq!(text.matches("not checked:").count(), 4, "{text}");
    let conn = replica.connect().await;
    let rows = query_i64(
        &conn,
        &format!("SELECT COUNT(*) FROM {}.Patient", quote_ident("eyened")),
    )
    .await;
    let _ = conn.close().await;
    assert_eq!(rows, 2);
}
