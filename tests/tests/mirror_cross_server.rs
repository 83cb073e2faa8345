//! Mirroring between two servers: a second mariadbd, started here on a free port with a data
//! directory of its own (stopped and removed at the end), receives a full copy and a subset of
//! a database on the test server, under the same database name (which is allowed across
//! servers). Skipped, saying so, when the MariaDB server binaries are not installed.

mod mirror_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::mirror::{Mode, ServerSide};
use eyened_orm_tests::{fingerprint, fingerprint_diff, query_strings};
use mirror_support::*;

fn find(names: &[&str]) -> Option<PathBuf> {
    let dirs = ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"];
    for name in names {
        for dir in dirs {
            let p = Path::new(dir).join(name);
            if p.exists() {
                return Some(p);
            }
        }
    }
    None
}

/// A throw-away mariadbd.
struct SecondServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl SecondServer {
    fn start() -> Result<SecondServer, String> {
        let install = find(&["mariadb-install-db", "mysql_install_db"])
            .ok_or("mariadb-install-db not found")?;
        let server = find(&["mariadbd", "mysqld"]).ok_or("mariadbd not found")?;
        let dir = std::env::temp_dir().join(unique_name("srv"));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // As root, mariadbd must be told to stay root (it would switch to the mysql user).
        let user: Vec<String> = if is_root() {
            vec!["--user=root".to_owned()]
        } else {
            Vec::new()
        };
        let out = Command::new(&install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(&user)
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .output()
            .map_err(|e| format!("{}: {e}", install.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed: {}",
                install.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(&server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={port}"))
            .arg(format!("--socket={}", dir.join("sock").display()))
            .arg(format!("--pid-file={}", dir.join("pid").display()))
            .arg(format!("--log-error={}", dir.join("error.log").display()))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--skip-log-bin",
            ])
            .args(["--innodb-buffer-pool-size=64M", "--max-allowed-packet=16M"])
            .args(&user)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", server.display()))?;
        Ok(SecondServer { child, dir, port })
    }

    fn config(&self) -> DatabaseConfig {
        DatabaseConfig::mysql("root", "", "127.0.0.1", self.port, None)
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
                return Err(format!("mariadbd exited ({status}): {log}"));
            }
            if let Ok(conn) = self.config().connect().await {
                let _ = conn.close().await;
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(60) {
                return Err("mariadbd did not accept connections within 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_to_a_second_server() {
    let mut second = match SecondServer::start() {
        Ok(s) => s,
        Err(why) => {
            eprintln!(
                "SKIPPED mirror_to_a_second_server: cannot start a second MariaDB server: {why}"
            );
            return;
        }
    };
    second.wait_ready().await.expect("second server");
    let (source, counts) = eyened_source(10, 51).await;
    let s = server();
    let dir = TempDir::new();
    let other = second.config();
    let mapping = |c: &DatabaseConfig, db: &str| {
        format!(
            "{{user: '{}', password: '{}', host: '{}', port: {}, database: '{db}'}}",
            c.user(),
            c.password().expose(),
            c.host(),
            c.port()
        )
    };
    // The same database name on the other server: a legitimate copy, not "source = target".
    let config = dir.path().join("cross.yml");
    std::fs::write(
        &config,
        format!(
            "source:\n  database: {}\ntarget:\n  database: {}\ncopy_objects: [{{table: Patient, clause: {{PatientIdentifier: P0000002}}}}]\n",
            mapping(&s, &source.name),
            mapping(&other, &source.name)
        ),
    )
    .unwrap();

    // The server-side path is impossible across servers.
    let err = run(Mode::Full, &config, |o| o.server_side = ServerSide::Always)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("needs source and target on one server"),
        "{err}"
    );

    let outcome = run(Mode::Full, &config, |o| o.chunk_rows = 200)
        .await
        .unwrap();
    assert!(
        outcome.plan.to_string().contains("streaming"),
        "{}",
        outcome.plan
    );
    let here = source.server_conn().await;
    let there = other.connect().await.unwrap();
    let a = fingerprint(&here, &source.name).await;
    let b = fingerprint(&there, &source.name).await;
    assert!(a == b, "schemas differ:\n{}", fingerprint_diff(&a, &b));
    assert_eq!(
        checksums(&here, &source.name).await,
        checksums(&there, &source.name).await
    );

    // A subset over the full copy, on the other server.
    run(Mode::Test, &config, |_| {}).await.unwrap();
    let patients = query_strings(
        &there,
        &format!("SELECT PatientIdentifier FROM `{}`.Patient", source.name),
        vec![],
    )
    .await;
    assert_eq!(patients, ["P0000002"]);
    for (fk, n) in orphans(&there, &source.name).await {
        assert_eq!(n, 0, "orphans of {fk}");
    }
    let copied = row_counts(&there, &source.name).await;
    assert!(
        copied["ImageInstance"] > 0
            && (copied["ImageInstance"] as u64) < counts.get("ImageInstance")
    );
    let _ = here.close().await;
    let _ = there.close().await;
}
