//! The command-line conventions of `migration` (shared with `eorm`, see `eyened_orm::cli`):
//! exit codes, --json (errors too), --version, -v logging on stderr, the confirmation prompt on
//! stderr, shell completions.

use std::process::{Command, Output, Stdio};

use eyened_orm_tests::{TestDb, output_text as text};
use sea_orm::ConnectionTrait;

fn migration(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migration"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run the migration binary")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", text(output)))
}

#[tokio::test]
async fn check_exits_0_in_sync_1_on_drift_and_says_so_in_json() {
    let db = TestDb::migrated().await;
    let url = db.url();
    let out = migration(&["-u", &url, "check", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["in_sync"], true);
    assert_eq!(v["differences"], serde_json::json!([]));

    let conn = db.connect().await;
    conn.execute_unprepared("ALTER TABLE Scan COMMENT = 'legacy'")
        .await
        .unwrap();
    let out = migration(&["-u", &url, "--json", "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["in_sync"], false);
    assert_eq!(
        v["differences"][0]["change"],
        "Scan: comment 'legacy' -> (none)"
    );
    assert_eq!(v["differences"][0]["class"], "cosmetic");
    assert_eq!(v["differences"][0]["safe"], true);

    let out = migration(&["-u", &url, "diff", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        json(&out)["statements"],
        serde_json::json!(["ALTER TABLE `Scan` COMMENT = ''"])
    );
}

#[tokio::test]
async fn status_and_history_in_json() {
    let db = TestDb::migrated().await;
    let url = db.url();
    let out = migration(&["-u", &url, "status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["migrations"][0]["name"], "m20251125_000000_baseline");
    assert!(v["migrations"][0]["applied_at"].is_string(), "{v}");
    assert_eq!(v["unknown"], serde_json::json!([]));

    let out = migration(&["-u", &url, "history", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v[0]["name"], "m20251125_000000_baseline");
    assert_eq!(v[0]["changes"].as_array().map(Vec::len), Some(40));
}

#[tokio::test]
async fn up_and_down_in_json() {
    let db = TestDb::new().await;
    let url = db.url();
    let out = migration(&["-u", &url, "up", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        json(&out)["migrations"][0]["applied"],
        "m20251125_000000_baseline"
    );
    let out = migration(&["-u", &url, "down", "--yes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        json(&out)["migrations"][0]["rolled_back"],
        "m20251125_000000_baseline"
    );
}

#[test]
fn errors_exit_2_and_are_json_in_json_mode() {
    let out = migration(&["-u", "not a url", "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: "),
        "{}",
        text(&out)
    );

    let out = migration(&["-u", "not a url", "check", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let v = json(&out);
    assert_eq!(v["error"]["exit_code"], 2);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

#[tokio::test]
async fn a_destructive_command_asks_on_stderr_and_needs_yes_without_a_terminal() {
    let db = TestDb::migrated().await;
    let url = db.url();
    for command in [&["fresh"][..], &["reset"], &["refresh"], &["down"]] {
        let mut args = vec!["-u", url.as_str()];
        args.extend_from_slice(command);
        let out = migration(&args);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}", text(&out));
        assert!(
            out.stdout.is_empty(),
            "{command:?} printed on stdout: {}",
            text(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("pass --yes"),
            "{}",
            text(&out)
        );
    }
    // The baseline's rollback names what it drops.
    let out = migration(&["-u", &url, "down"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("which drops every Eyened table"),
        "{}",
        text(&out)
    );
    // Nothing was rolled back.
    let out = migration(&["-u", &url, "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn verbose_logging_shows_the_sql_on_stderr() {
    let db = TestDb::migrated().await;
    let url = db.url();
    let quiet = migration(&["-u", &url, "check"]);
    assert!(quiet.stderr.is_empty(), "{}", text(&quiet));
    let loud = migration(&["-u", &url, "-vv", "check"]);
    assert_eq!(loud.status.code(), Some(0), "{}", text(&loud));
    let log = String::from_utf8_lossy(&loud.stderr);
    assert!(
        log.contains("sqlx::query") && log.contains("information_schema.COLUMNS"),
        "{log}"
    );
    // Not a terminal: no colour codes in the log.
    assert!(!log.contains('\x1b'), "{log}");
    // stdout is the same either way.
    assert_eq!(quiet.stdout, loud.stdout);
}

#[test]
fn version_and_completions() {
    let out = migration(&["--version"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("migration {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = migration(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("migration") && script.contains("adopt"),
            "{shell}: {script}"
        );
    }
}
