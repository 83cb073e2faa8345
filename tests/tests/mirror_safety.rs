//! The mirror keeps the target safe, on real MariaDB: unusable database names are refused
//! before anything is touched; leftovers of an earlier run are named in the plan and dropped
//! only when they carry the mirror's ownership marker; a swap that fails at any step, or gives up
//! on a target another session holds (naming that session), or is interrupted, leaves the old
//! target whole and no database of the run behind.

mod mirror_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::mirror::swap::Step;
use eyened_orm::mirror::{self, MirrorError, Mode, Options, RunState};
use eyened_orm_tests::{PrivateServer, query_strings, quote_ident};
use mirror_support::*;
use sea_orm::ConnectionTrait;
use sea_orm::sqlx::{Connection, Executor, MySqlConnection, Row};

/// A small source: two tables with a foreign key, a view, a trigger and a function.
async fn small_source() -> Db {
    let db = Db::empty("s").await;
    let conn = db.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE Patient (PatientID INT PRIMARY KEY, Name VARCHAR(40) NOT NULL, Born DATE); \
         INSERT INTO Patient VALUES (1, 'Ada', '1815-12-10'), (2, 'Grace', '1906-12-09'), (3, 'Alan', NULL); \
         CREATE TABLE Study (StudyID INT PRIMARY KEY, PatientID INT NOT NULL, \
           FOREIGN KEY (PatientID) REFERENCES Patient (PatientID)); \
         INSERT INTO Study VALUES (10, 1), (11, 1), (12, 3); \
         CREATE VIEW patient_names AS SELECT Name FROM Patient; \
         CREATE TRIGGER study_positive BEFORE INSERT ON Study FOR EACH ROW SET NEW.StudyID = ABS(NEW.StudyID); \
         CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x",
    )
    .await
    .unwrap();
    let _ = conn.close().await;
    db
}

/// An old target unlike the source: latin1, other tables, two views (one named like the
/// source's), a trigger, a procedure and a function.
fn old_target_sql(name: &str) -> String {
    format!(
        "ALTER DATABASE {} CHARACTER SET latin1 COLLATE latin1_swedish_ci; \
         CREATE TABLE Patient (id INT PRIMARY KEY, note VARCHAR(20)); \
         INSERT INTO Patient VALUES (1, 'keep'), (2, 'me'); \
         CREATE TABLE Visit (id INT PRIMARY KEY, PatientID INT, at DATETIME); \
         INSERT INTO Visit VALUES (1, 1, '2020-01-01 10:00:00'), (2, 2, NULL); \
         CREATE VIEW patient_names AS SELECT note FROM Patient; \
         CREATE VIEW visit_count AS SELECT COUNT(*) AS n FROM Visit; \
         CREATE TRIGGER visit_stamp BEFORE INSERT ON Visit FOR EACH ROW SET NEW.at = IFNULL(NEW.at, '2000-01-01'); \
         CREATE PROCEDURE old_proc() SELECT 1; \
         CREATE FUNCTION old_fn(x INT) RETURNS INT DETERMINISTIC RETURN x + 1",
        quote_ident(name)
    )
}

async fn old_target() -> Db {
    let db = Db::empty("t").await;
    let conn = db.connect().await;
    conn.execute_unprepared(&old_target_sql(&db.name))
        .await
        .unwrap();
    let _ = conn.close().await;
    db
}

/// Everything that makes a database what it is: character set, tables (DDL, checksum), views,
/// triggers and routines with their definitions.
async fn snapshot(db: &Db, name: &str) -> Vec<String> {
    snapshot_on(&db.server, name).await
}

/// [`snapshot`] of database `name` on `server`.
async fn snapshot_on(server: &DatabaseConfig, name: &str) -> Vec<String> {
    let conn = server
        .connect_with(|o| {
            o.max_connections(1).min_connections(0);
        })
        .await
        .unwrap();
    let mut out = query_strings(
        &conn,
        "SELECT CONCAT('charset ', DEFAULT_CHARACTER_SET_NAME, ' ', DEFAULT_COLLATION_NAME) \
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ? \
         UNION ALL SELECT CONCAT('view ', TABLE_NAME, ': ', VIEW_DEFINITION) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? \
         UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME, ' ', ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ON ', EVENT_OBJECT_TABLE, ': ', ACTION_STATEMENT) \
           FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? \
         UNION ALL SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME, ' ', IFNULL(DTD_IDENTIFIER, ''), ': ', ROUTINE_DEFINITION) \
           FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?",
        vec![name.into(), name.into(), name.into(), name.into()],
    )
    .await;
    for (table, sum) in checksums(&conn, name).await {
        let ddl = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::MySql,
                format!(
                    "SHOW CREATE TABLE {}.{}",
                    quote_ident(name),
                    quote_ident(&table)
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        let ddl: String = ddl.try_get_by_index(1).unwrap();
        out.push(format!("table {table} checksum {sum}: {ddl}"));
    }
    let _ = conn.close().await;
    // Views name their own database: compare copies under one name.
    let mut out: Vec<String> = out.iter().map(|l| l.replace(name, "<db>")).collect();
    out.sort();
    out
}

/// Databases whose name starts with `prefix`.
async fn databases_like(db: &Db, prefix: &str) -> Vec<String> {
    let conn = db.server_conn().await;
    let all = query_strings(
        &conn,
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, CHAR_LENGTH(?)) = ? ORDER BY 1",
        vec![prefix.into(), prefix.into()],
    )
    .await;
    let _ = conn.close().await;
    all
}

fn helpers(target: &str) -> [String; 2] {
    [
        format!("{target}__eorm_staging"),
        format!("{target}__eorm_old"),
    ]
}

async fn assert_no_helpers(db: &Db, target: &str) {
    for helper in helpers(target) {
        assert!(!db.exists(&helper).await, "{helper} was left behind");
    }
}

/// A connection of its own, for a session that holds the target.
async fn session() -> (MySqlConnection, u64) {
    session_on(&mirror_support::server()).await
}

async fn session_on(server: &DatabaseConfig) -> (MySqlConnection, u64) {
    let mut c = MySqlConnection::connect(&server.server_url())
        .await
        .unwrap();
    let id: u64 = c
        .fetch_one("SELECT CAST(CONNECTION_ID() AS UNSIGNED)")
        .await
        .unwrap()
        .get(0);
    (c, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_names_are_refused_before_anything_is_touched() {
    let source = small_source().await;
    let dir = TempDir::new();
    let base = unique_name("n");
    let cases = [
        // Today's failure: the server cannot create it, after the staging database was made.
        (format!("{base} "), "target.database", "white space"),
        (
            format!("{base}`; DROP DATABASE {base}; --"),
            "target.database",
            "backticks",
        ),
        (format!("{base}/x"), "target.database", "'/'"),
        (format!("{base}.x"), "target.database", "'.'"),
        (format!(" {base}"), "target.database", "white space"),
        (format!("{base}\tx"), "target.database", "control"),
        (
            format!("{base}{}", "x".repeat(50)),
            "target.database",
            "more than the 50 allowed",
        ),
    ];
    for (target, key, rule) in &cases {
        let config = write_config(dir.path(), "c.yml", &source.name, target, "");
        let mut asked = false;
        let err = mirror::run(
            &Options::new(Mode::Full, &config),
            &eyened_orm::progress::silent(),
            &mut |_| {
                asked = true;
                Ok(true)
            },
            &RunState::new(),
        )
        .await
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, MirrorError::DatabaseName { .. }),
            "{target:?}: {text}"
        );
        assert!(
            text.contains(key) && text.contains(rule),
            "{target:?}: {text}"
        );
        assert!(text.contains(&format!("{target:?}")), "not escaped: {text}");
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(!asked, "{target:?} reached the confirmation");
        assert_eq!(databases_like(&source, &base).await, Vec::<String>::new());
    }

    // A source name gets the same treatment, before connecting (the password is wrong).
    let config = dir.path().join("source.yml");
    let s = mirror_support::server();
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {{user: '{}', password: 'wrong', host: '{}', port: {}, database: \"{base}\\e[31m\"}}\ntarget:\n  database: {}\n",
            s.user(),
            s.host(),
            s.port(),
            database_yaml(&s, &format!("{base}_t"))
        ),
    )
    .unwrap();
    let err = run(Mode::Full, &config, |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("source.database") && err.contains(r"\u{1b}[31m"),
        "{err}"
    );
    assert_eq!(databases_like(&source, &base).await, Vec::<String>::new());
}

/// The id of the session whose `RENAME TABLE` into `target` waits for a metadata lock.
async fn waiting_rename(conn: &sea_orm::DatabaseConnection, target: &str) -> Option<String> {
    query_strings(
        conn,
        "SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST \
         WHERE STATE = 'Waiting for table metadata lock' AND INFO LIKE 'RENAME TABLE %' AND LOCATE(?, INFO) > 0",
        vec![target.into()],
    )
    .await
    .into_iter()
    .next()
}

/// Runs a mirror of `config` and abandons it in the middle of its swap, as a killed process
/// would (no cleanup), while `Patient` of the target is held; then ends its waiting RENAME.
/// Returns the run's id.
async fn abandon_a_run_in_the_swap(config: &Path, target: &Db) -> String {
    let (mut holder, _) = session().await;
    holder
        .execute(sea_orm::sqlx::AssertSqlSafe(format!(
            "LOCK TABLES {}.Patient READ",
            quote_ident(&target.name)
        )))
        .await
        .unwrap();
    let conn = target.server_conn().await;
    let state = RunState::new();
    let mut options = Options::new(Mode::Full, config);
    options.lock_wait_timeout = Duration::from_secs(600);
    let progress = eyened_orm::progress::silent();
    let mut yes = |_: &mirror::report::Plan| Ok(true);
    let abandoned = mirror::run(&options, &progress, &mut yes, &state);
    let started = Instant::now();
    let swapping = async {
        loop {
            if let Some(id) = waiting_rename(&conn, &target.name).await {
                return id;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no swap");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let rename = tokio::select! {
        result = abandoned => panic!("the run ended before it was abandoned: {result:?}"),
        id = swapping => id,
    };
    conn.execute_unprepared(&format!("KILL {rename}"))
        .await
        .unwrap();
    // KILL only signals: until the killed thread has gone, UNLOCK TABLES may still grant it the
    // lock it waits for, and the RENAME goes ahead (seen on a loaded machine).
    let started = Instant::now();
    while !query_strings(
        &conn,
        "SELECT 'there' FROM information_schema.PROCESSLIST WHERE ID = ?",
        vec![rename.clone().into()],
    )
    .await
    .is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the killed RENAME stays"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    holder.execute("UNLOCK TABLES").await.unwrap();
    let _ = holder.close().await;
    let lock = format!("eorm-mirror:{}", target.name.to_lowercase());
    while !query_strings(
        &conn,
        "SELECT 'held' FROM DUAL WHERE IS_USED_LOCK(?) IS NOT NULL",
        vec![lock.clone().into()],
    )
    .await
    .is_empty()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = conn.close().await;
    state.run_id().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marked_leftovers_are_named_in_the_plan_and_dropped() {
    let source = small_source().await;
    let target = old_target().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let [staging, old] = helpers(&target.name);

    // A run killed in its swap leaves its staging database (the copy) and the old database
    // (created for the target's tables, not yet moved), each with the run's marker.
    let run_id = abandon_a_run_in_the_swap(&config, &target).await;
    assert!(target.exists(&staging).await && target.exists(&old).await);

    // The plan names them (text, JSON, and the binary's --dry-run --json), and drops nothing.
    let outcome = run(Mode::Full, &config, |o| o.dry_run = true)
        .await
        .unwrap();
    let leftovers: Vec<(&str, usize, &str)> = outcome
        .plan
        .leftovers
        .iter()
        .map(|l| (l.database.as_str(), l.tables, l.run_id.as_str()))
        .collect();
    assert_eq!(
        leftovers,
        [
            (staging.as_str(), 2, run_id.as_str()),
            (old.as_str(), 0, run_id.as_str())
        ]
    );
    let text = outcome.plan.to_string();
    assert!(
        text.contains(&format!(
            "  leftover: {staging} (2 tables; left by run {run_id} of eyened-orm "
        )) && text.contains(&format!("  leftover: {old} (0 tables; ")),
        "{text}"
    );
    let json = serde_json::to_value(&outcome.plan).unwrap();
    assert_eq!(json["leftovers"][1]["run_id"], run_id.as_str());
    let out = Command::new(eorm_binary())
        .args(["database-mirror-full", "-c"])
        .arg(&config)
        .args(["--dry-run", "--json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["plan"]["leftovers"][0]["database"], staging.as_str());
    assert_eq!(json["plan"]["leftovers"][1]["database"], old.as_str());
    assert!(target.exists(&staging).await && target.exists(&old).await);

    // The confirmation says what is dropped; the run drops them and replaces the target.
    let mut confirmation = String::new();
    mirror::run(
        &Options::new(Mode::Full, &config),
        &eyened_orm::progress::silent(),
        &mut |plan| {
            confirmation = plan.confirmation();
            Ok(true)
        },
        &RunState::new(),
    )
    .await
    .unwrap();
    assert!(
        confirmation.ends_with(&format!(
            "first drops what an earlier run left: {staging} (2 tables), {old} (0 tables)"
        )),
        "{confirmation}"
    );
    assert_no_helpers(&target, &target.name).await;
    assert_eq!(
        snapshot(&target, &target.name).await,
        snapshot(&source, &source.name).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_name_without_the_marker_is_refused_and_kept() {
    let source = small_source().await;
    let target = old_target().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let before = snapshot(&target, &target.name).await;
    for helper in helpers(&target.name) {
        let conn = target.server_conn().await;
        conn.execute_unprepared(&format!(
            "CREATE DATABASE {db}; CREATE TABLE {db}.precious (id INT); INSERT INTO {db}.precious VALUES (42)",
            db = quote_ident(&helper)
        ))
        .await
        .unwrap();
        for dry_run in [true, false] {
            let err = run(Mode::Full, &config, |o| o.dry_run = dry_run)
                .await
                .unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, MirrorError::NotOurs { .. }), "{text}");
            assert!(
                text.contains(&format!(
                    "{helper} exists but was not created by the mirror"
                )) && text.contains("drop or rename it yourself"),
                "{text}"
            );
        }
        let kept = query_strings(
            &conn,
            &format!(
                "SELECT CAST(id AS CHAR) FROM {}.precious",
                quote_ident(&helper)
            ),
            vec![],
        )
        .await;
        assert_eq!(kept, ["42"], "{helper} was not kept");
        conn.execute_unprepared(&format!("DROP DATABASE {}", quote_ident(&helper)))
            .await
            .unwrap();
        let _ = conn.close().await;
    }
    assert_eq!(snapshot(&target, &target.name).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_at_any_step_of_the_swap_leaves_the_old_target_whole() {
    let source = small_source().await;
    let target = old_target().await;
    let absent = Db::named("a");
    let dir = TempDir::new();
    let into_old = write_config(dir.path(), "old.yml", &source.name, &target.name, "");
    let into_absent = write_config(dir.path(), "new.yml", &source.name, &absent.name, "");
    let before = snapshot(&target, &target.name).await;
    assert_eq!(before.len(), 8, "{before:#?}");
    let steps = [
        Step::CreateTarget,
        Step::CreateOld,
        Step::DropTriggers,
        Step::DropViews,
        Step::DropRoutines,
        Step::Rename,
        Step::Charset,
        Step::CreateObjects,
        Step::Commit,
    ];
    for step in steps {
        let err = run(Mode::Full, &into_old, |o| o.fail_swap_before = Some(step))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("failure injected"),
            "{step:?}: {err}"
        );
        assert_eq!(
            snapshot(&target, &target.name).await,
            before,
            "after a failure before {step:?}"
        );
        assert_no_helpers(&target, &target.name).await;

        // A target the run creates is dropped again.
        run(Mode::Full, &into_absent, |o| {
            o.fail_swap_before = Some(step)
        })
        .await
        .unwrap_err();
        assert!(!absent.exists(&absent.name).await, "{step:?}");
        assert_no_helpers(&absent, &absent.name).await;
    }
    run(Mode::Full, &into_old, |_| {}).await.unwrap();
    assert_eq!(
        snapshot(&target, &target.name).await,
        snapshot(&source, &source.name).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_held_by_another_session_is_named_and_left_whole() {
    let source = small_source().await;
    let target = old_target().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let before = snapshot(&target, &target.name).await;

    // An open transaction that read Patient holds its metadata lock until it ends.
    let (mut holder, id) = session().await;
    holder.execute("START TRANSACTION").await.unwrap();
    holder
        .execute(sea_orm::sqlx::AssertSqlSafe(format!(
            "SELECT * FROM {}.Patient",
            quote_ident(&target.name)
        )))
        .await
        .unwrap();
    let err = run(Mode::Full, &config, |o| {
        o.lock_wait_timeout = Duration::from_secs(1)
    })
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, MirrorError::TargetLocked { .. }), "{text}");
    assert!(
        text.contains(&format!("session {id} (user ")) && text.contains(&format!("KILL {id}")),
        "{text}"
    );
    assert!(text.contains("then rerun"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(snapshot(&target, &target.name).await, before);
    assert_no_helpers(&target, &target.name).await;

    // LOCK TABLES: the session cannot always be named without the metadata_lock_info plugin,
    // but the run gives up all the same and the target stays whole.
    holder.execute("COMMIT").await.unwrap();
    holder
        .execute(sea_orm::sqlx::AssertSqlSafe(format!(
            "LOCK TABLES {}.Patient READ",
            quote_ident(&target.name)
        )))
        .await
        .unwrap();
    let err = run(Mode::Full, &config, |o| {
        o.lock_wait_timeout = Duration::from_secs(1)
    })
    .await
    .unwrap_err();
    assert!(matches!(err, MirrorError::TargetLocked { .. }), "{err}");
    assert_eq!(snapshot(&target, &target.name).await, before);
    assert_no_helpers(&target, &target.name).await;

    // Once the session lets go, the run succeeds.
    holder.execute("UNLOCK TABLES").await.unwrap();
    run(Mode::Full, &config, |_| {}).await.unwrap();
    assert_eq!(
        snapshot(&target, &target.name).await,
        snapshot(&source, &source.name).await
    );
    let _ = holder.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_swap_is_undone() {
    let source = small_source().await;
    let target = old_target().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let before = snapshot(&target, &target.name).await;
    // Patient is held, so the RENAME waits (the triggers and views are dropped by then).
    let (mut holder, _) = session().await;
    holder
        .execute(sea_orm::sqlx::AssertSqlSafe(format!(
            "LOCK TABLES {}.Patient READ",
            quote_ident(&target.name)
        )))
        .await
        .unwrap();
    let mut child = Command::new(eorm_binary())
        .args(["database-mirror-full", "-c"])
        .arg(&config)
        .args(["--yes", "--no-progress", "--lock-wait-timeout", "120"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let conn = target.server_conn().await;
    let started = Instant::now();
    loop {
        if waiting_rename(&conn, &target.name).await.is_some() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("eorm ended before the swap waited: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the swap never waited"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let objects_during = query_strings(
        &conn,
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?",
        vec![target.name.clone().into()],
    )
    .await;
    assert!(
        objects_during.is_empty(),
        "the swap had not begun: {objects_during:?}"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted by Ctrl-C"), "{err}");
    assert!(
        err.contains(&format!(
            "the swap was under way: {} was restored as it was",
            target.name
        )),
        "{err}"
    );
    // Still under LOCK TABLES: the restore did not need the held table.
    assert_eq!(snapshot(&target, &target.name).await, before);
    assert_no_helpers(&target, &target.name).await;
    holder.execute("UNLOCK TABLES").await.unwrap();
    let _ = holder.close().await;
    let _ = conn.close().await;
    let names: BTreeSet<String> = databases_like(&target, &target.name)
        .await
        .into_iter()
        .collect();
    assert_eq!(names, BTreeSet::from([target.name.clone()]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_metadata_lock_info_the_session_under_lock_tables_is_named() {
    let private = match PrivateServer::start(&["--plugin-load-add=metadata_lock_info"]).await {
        Ok(s) => s,
        Err(why) => {
            eprintln!("SKIPPED: cannot start a private MariaDB server: {why}");
            return;
        }
    };
    let other = private.config();
    let source = small_source().await;
    let target = unique_name("t");
    let conn = other.connect().await.unwrap();
    conn.execute_unprepared(&format!("CREATE DATABASE {}", quote_ident(&target)))
        .await
        .unwrap();
    conn.execute_unprepared(&format!(
        "USE {}; {}",
        quote_ident(&target),
        old_target_sql(&target)
    ))
    .await
    .unwrap();
    let _ = conn.close().await;
    let before = snapshot_on(&other, &target).await;
    let dir = TempDir::new();
    let config = dir.path().join("c.yml");
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\n",
            database_yaml(&server(), &source.name),
            database_yaml(&other, &target)
        ),
    )
    .unwrap();

    let (mut holder, id) = session_on(&other).await;
    holder
        .execute(sea_orm::sqlx::AssertSqlSafe(format!(
            "LOCK TABLES {}.Patient READ",
            quote_ident(&target)
        )))
        .await
        .unwrap();
    let err = run(Mode::Full, &config, |o| {
        o.lock_wait_timeout = Duration::from_secs(1)
    })
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("; held by session {id} (user root, host "))
            && text.contains(&format!(
                "finish or kill that session (KILL {id}), then rerun"
            )),
        "{text}"
    );
    assert_eq!(snapshot_on(&other, &target).await, before);
    let helpers_left = query_strings(
        &other.connect().await.unwrap(),
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '%\\_\\_eorm\\_%'",
        vec![],
    )
    .await;
    assert!(helpers_left.is_empty(), "{helpers_left:?}");
    let _ = holder.close().await;
}
