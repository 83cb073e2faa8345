//! The `eorm` binary as a user runs it: `--help` everywhere; no `--yes` without a terminal;
//! killed (SIGKILL) or stopped (SIGTERM) mid-copy, the old target is intact and a rerun
//! succeeds; the password never appears in any process's command line nor in the output.

mod mirror_support;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eyened_orm::mirror::Mode;
use eyened_orm_tests::query_strings;
use mirror_support::*;
use sea_orm::ConnectionTrait;

fn output_of(mut child: Child) -> (Option<i32>, String, String) {
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    let status = child.wait().unwrap();
    (status.code(), out, err)
}

fn eorm(args: &[&str]) -> Command {
    let mut cmd = Command::new(eorm_binary());
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["database-mirror-full", "--help"],
        vec!["database-mirror-test", "--help"],
        vec!["dataset", "--help"],
        vec!["help", "database-mirror-test"],
    ] {
        let (code, out, err) = output_of(eorm(&args).spawn().unwrap());
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(out.contains("Usage: eorm"), "{args:?}: {out}");
    }
    let (_, out, _) = output_of(eorm(&["database-mirror-full", "--help"]).spawn().unwrap());
    for flag in [
        "--config-file",
        "--dry-run",
        "--yes",
        "--workers",
        "--server-side",
    ] {
        assert!(out.contains(flag), "{flag} missing from:\n{out}");
    }
    let (code, _, err) = output_of(eorm(&["database-mirror-full"]).spawn().unwrap());
    assert_eq!(code, Some(2));
    assert!(err.contains("--config-file"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_yes_is_required() {
    let (source, _) = eyened_source(1, 41).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let config = config.to_string_lossy().into_owned();
    let (code, out, err) = output_of(
        eorm(&["database-mirror-full", "-c", &config, "--no-progress"])
            .spawn()
            .unwrap(),
    );
    // An error of the command, not a finding: exit 2.
    assert_eq!(code, Some(2), "{out}\n{err}");
    assert!(err.contains("pass --yes to confirm"), "{err}");
    // The plan was shown, nothing was created.
    assert!(out.contains("database-mirror-full"), "{out}");
    assert!(!target.exists(&target.name).await);
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );
    // --dry-run needs no confirmation.
    let (code, out, _) = output_of(
        eorm(&["database-mirror-full", "-c", &config, "--dry-run"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(code, Some(0));
    assert!(out.contains("dry run"), "{out}");
    assert!(!target.exists(&target.name).await);
}

/// A target holding a previous copy: one marker table with known rows.
async fn previous_target() -> Db {
    let target = Db::empty("t").await;
    let conn = target.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE previous_copy (id INT PRIMARY KEY, note VARCHAR(20)); \
         INSERT INTO previous_copy VALUES (1, 'keep'), (2, 'me'); \
         CREATE VIEW previous_view AS SELECT note FROM previous_copy",
    )
    .await
    .unwrap();
    let _ = conn.close().await;
    target
}

async fn assert_previous_intact(target: &Db) {
    let conn = target.connect().await;
    assert_eq!(tables(&conn, &target.name).await, ["previous_copy"]);
    let notes = query_strings(
        &conn,
        "SELECT note FROM previous_view ORDER BY note",
        vec![],
    )
    .await;
    assert_eq!(notes, ["keep", "me"]);
    let _ = conn.close().await;
}

/// Waits until the staging database of `target` holds loaded rows.
async fn wait_for_rows_in_staging(target: &Db, child: &mut Child) {
    let staging = format!("{}__eorm_staging", target.name);
    let conn = target.server_conn().await;
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("eorm ended before it could be interrupted: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no rows reached {staging}"
        );
        // The row counts InnoDB keeps, not a read of the tables: a `SELECT COUNT(*)` that began
        // as a load into an empty staging table did (a bulk insert: the loaders turn unique and
        // foreign-key checks off) once hung both statements in MariaDB 10.11, for good.
        let rows = query_strings(
            &conn,
            "SELECT CAST(COALESCE(SUM(TABLE_ROWS), 0) AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ?",
            vec![staging.clone().into()],
        )
        .await;
        if rows.first().is_some_and(|n| n != "0") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_copy_leaves_the_old_target_and_a_rerun_succeeds() {
    let (source, _) = eyened_source(12, 42).await;
    let target = previous_target().await;
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let config_arg = config.to_string_lossy().into_owned();
    let slow = [
        "database-mirror-full",
        "-c",
        &config_arg,
        "--yes",
        "--no-progress",
        "--server-side",
        "never",
        "--workers",
        "1",
        "--batch-bytes",
        "8192",
        "--throttle-ms",
        "100",
    ];

    // SIGTERM: the run stops, drops its staging database, exits 130.
    let mut child = eorm(&slow).spawn().unwrap();
    wait_for_rows_in_staging(&target, &mut child).await;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = output_of(child);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(err.contains("was left untouched"), "{err}");
    assert_previous_intact(&target).await;
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );

    // SIGKILL: no chance to clean up. The target is untouched, the staging database is left
    // for the next run to drop.
    let mut child = eorm(&slow).spawn().unwrap();
    wait_for_rows_in_staging(&target, &mut child).await;
    child.kill().unwrap();
    let _ = child.wait();
    assert_previous_intact(&target).await;
    assert!(
        target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );

    // A rerun succeeds and replaces the old target with an exact copy.
    let (code, out, err) = output_of(
        eorm(&[
            "database-mirror-full",
            "-c",
            &config_arg,
            "--yes",
            "--no-progress",
        ])
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("is now a verified copy"), "{out}");
    let conn = source.server_conn().await;
    assert_eq!(
        checksums(&conn, &source.name).await,
        checksums(&conn, &target.name).await
    );
    let _ = conn.close().await;
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await
    );
    assert!(!target.exists(&format!("{}__eorm_old", target.name)).await);
}

/// A MariaDB user with a password and rights on the test databases only (no RELOAD, so the
/// mirror cannot block commits and must fall back to a single snapshot); dropped on drop.
struct TestUser {
    name: String,
    password: String,
}

impl TestUser {
    async fn create() -> TestUser {
        let name = format!("eorm_mt_{}", std::process::id());
        let password = format!(
            "Pw-{}-{}",
            std::process::id(),
            unique_name("x").len() * 7919
        );
        let conn = Db::named("u").server_conn().await;
        let host = server().host().to_owned();
        for h in [host.as_str(), "localhost"] {
            conn.execute_unprepared(&format!(
                "DROP USER IF EXISTS '{name}'@'{h}'; CREATE USER '{name}'@'{h}' IDENTIFIED BY '{password}'; \
                 GRANT ALL PRIVILEGES ON `eorm\\_mirror\\_test\\_%`.* TO '{name}'@'{h}'"
            ))
            .await
            .unwrap();
        }
        let _ = conn.close().await;
        TestUser { name, password }
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let name = self.name.clone();
        let host = server().host().to_owned();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(conn) = server().connect().await {
                    for h in [host.as_str(), "localhost"] {
                        let _ = conn
                            .execute_unprepared(&format!("DROP USER IF EXISTS '{name}'@'{h}'"))
                            .await;
                    }
                }
            })
        })
        .join();
    }
}

/// Every process's command line, as text.
fn all_command_lines() -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
                out.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_never_on_a_command_line_nor_in_the_output() {
    if !std::path::Path::new("/proc/self/cmdline").exists() {
        eprintln!("skipped: no /proc");
        return;
    }
    let user = TestUser::create().await;
    let (source, _) = eyened_source(8, 43).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let s = server();
    let mapping = |db: &str| {
        format!(
            "{{user: {}, password: '{}', host: '{}', port: {}, database: {db}}}",
            user.name,
            user.password,
            s.host(),
            s.port()
        )
    };
    let config = dir.path().join("c.yml");
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\n",
            mapping(&source.name),
            mapping(&target.name)
        ),
    )
    .unwrap();
    let config_arg = config.to_string_lossy().into_owned();

    let mut child = eorm(&[
        "database-mirror-full",
        "-c",
        &config_arg,
        "--yes",
        "--server-side",
        "never",
        "--workers",
        "2",
        "--batch-bytes",
        "16384",
        "--throttle-ms",
        "5",
    ])
    .spawn()
    .unwrap();
    let mut scans = 0;
    let mut seen_eorm = false;
    while child.try_wait().unwrap().is_none() {
        for line in all_command_lines() {
            assert!(
                !line.contains(&user.password),
                "password visible in: {line}"
            );
            seen_eorm |= line.contains("database-mirror-full");
        }
        scans += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (code, out, err) = output_of(child);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        scans > 3 && seen_eorm,
        "the run was not observed ({scans} scans)"
    );
    assert!(!out.contains(&user.password) && !err.contains(&user.password));
    // Without RELOAD the source cannot be frozen for a moment: one snapshot, tables in turn.
    assert!(out.contains("tables read one after another"), "{out}");
    let conn = source.server_conn().await;
    assert_eq!(
        checksums(&conn, &source.name).await,
        checksums(&conn, &target.name).await
    );
    let _ = conn.close().await;

    // A failing run does not show it either (an unknown target column in a subset config).
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\ncopy_objects: [{{table: Patient, clause: {{Nope: 1}}}}]\n",
            mapping(&source.name),
            mapping(&target.name)
        ),
    )
    .unwrap();
    let (code, out, err) = output_of(
        eorm(&["database-mirror-test", "-c", &config_arg, "--yes"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown column Patient.Nope"), "{err}");
    assert!(!out.contains(&user.password) && !err.contains(&user.password));
    // Nor does a refused login (wrong password in the config: the message names the user only).
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\n",
            mapping(&source.name).replace(&user.password, "wrong-Pw-x"),
            mapping(&target.name)
        ),
    )
    .unwrap();
    let (code, _, err) = output_of(
        eorm(&["database-mirror-full", "-c", &config_arg, "--yes"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("Access denied"), "{err}");
    assert!(
        !err.contains("wrong-Pw-x") && !err.contains(&user.password),
        "{err}"
    );
    let _ = Mode::Full;
}

/// The conventions every `eorm` command shares: --version, completions, --json for the plan and
/// the summary, and JSON errors (exit 2) in JSON mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_and_summary_in_json_and_json_errors() {
    let (code, out, _) = output_of(eorm(&["--version"]).spawn().unwrap());
    assert_eq!(code, Some(0));
    assert_eq!(out.trim(), format!("eorm {}", env!("CARGO_PKG_VERSION")));
    let (code, out, _) = output_of(eorm(&["completions", "bash"]).spawn().unwrap());
    assert_eq!(code, Some(0));
    assert!(out.contains("database-mirror-test"), "{out}");

    let (source, _) = eyened_source(1, 43).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let config = write_config(dir.path(), "c.yml", &source.name, &target.name, "");
    let config = config.to_string_lossy().into_owned();
    let json_of = |out: &str| -> serde_json::Value {
        serde_json::from_str(out).unwrap_or_else(|e| panic!("not one JSON document ({e}): {out}"))
    };

    let (code, out, err) = output_of(
        eorm(&["database-mirror-full", "-c", &config, "--dry-run", "--json"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(code, Some(0), "{err}");
    let v = json_of(&out);
    assert_eq!(v["plan"]["command"], "database-mirror-full");
    assert_eq!(v["plan"]["dry_run"], true);
    assert_eq!(v["plan"]["target_now"]["exists"], false);
    assert!(v["summary"].is_null(), "{v}");
    assert!(!target.exists(&target.name).await);

    let (code, out, err) = output_of(
        eorm(&[
            "database-mirror-full",
            "-c",
            &config,
            "--yes",
            "--json",
            "--no-progress",
        ])
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, Some(0), "{err}");
    let v = json_of(&out);
    let tables = v["summary"]["tables"].as_array().expect("summary tables");
    assert!(
        tables
            .iter()
            .any(|t| t["table"] == "ImageInstance" && t["rows"].as_u64() > Some(0)),
        "{v}"
    );
    assert!(v["summary"]["total"].as_f64().is_some(), "{v}");

    std::fs::write(dir.path().join("bad.yml"), "source: [").unwrap();
    let bad = dir.path().join("bad.yml").to_string_lossy().into_owned();
    let (code, out, _) = output_of(
        eorm(&["database-mirror-test", "-c", &bad, "--json"])
            .spawn()
            .unwrap(),
    );
    assert_eq!(code, Some(2));
    let v = json_of(&out);
    assert_eq!(v["error"]["exit_code"], 2);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("bad.yml")),
        "{v}"
    );
}
