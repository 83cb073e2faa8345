//! A throw-away mariadbd of the test's own: a data directory under the temp dir, a free port on
//! 127.0.0.1, no grant tables (any user, `root` without a password) unless the test needs users
//! of its own, no binary log unless asked (`--log-bin`); stopped and removed on drop. Its global settings are the test's to choose (`--wait-timeout=2`,
//! `--max-allowed-packet=24M`, ...), which the shared test server's never are.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;

/// Options every private server starts with; the caller's come after them and win.
const DEFAULTS: &[&str] = &[
    "--bind-address=127.0.0.1",
    "--innodb-buffer-pool-size=64M",
    "--max-allowed-packet=16M",
];

/// A running private mariadbd.
pub struct PrivateServer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl PrivateServer {
    /// Installs a data directory and starts mariadbd with `options` (e.g.
    /// `["--wait-timeout=2"]`), then waits until it accepts connections. An error when the
    /// MariaDB server binaries are not installed or the server does not come up; callers skip
    /// their test then, saying so.
    pub async fn start(options: &[&str]) -> Result<PrivateServer, String> {
        let mut server = Self::spawn(options, false)?;
        server.wait_ready().await?;
        Ok(server)
    }

    /// As [`start`](Self::start), with grant tables: `root` (no password) is the only user, and
    /// the test may create others with privileges of their own.
    pub async fn start_with_grants(options: &[&str]) -> Result<PrivateServer, String> {
        let mut server = Self::spawn(options, true)?;
        server.wait_ready().await?;
        Ok(server)
    }

    fn spawn(options: &[&str], grants: bool) -> Result<PrivateServer, String> {
        let install = find(&["mariadb-install-db", "mysql_install_db"])
            .ok_or("mariadb-install-db not found")?;
        let binary = find(&["mariadbd", "mysqld"]).ok_or("mariadbd not found")?;
        let dir = std::env::temp_dir().join(format!(
            "eorm-private-server-{}-{}-{:x}",
            std::process::id(),
            crate::next_id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        ));
        let data = dir.join("data");
        // A temp dir of its own: at start-up mariadbd deletes every `#sql*` file in its tmpdir,
        // which in the shared /tmp are the internal temporary tables of the machine's server,
        // in use by other tests' queries ("Error on delete of '/tmp/#sql-temptable-...'").
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        // As root, mariadbd must be told to stay root (it would switch to the mysql user).
        let user: &[&str] = if is_root() { &["--user=root"] } else { &[] };
        let out = Command::new(&install)
            .env("TMPDIR", &tmp)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(user)
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .output()
            .map_err(|e| format!("{}: {e}", install.display()))?;
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
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
        let child = Command::new(&binary)
            .env("TMPDIR", &tmp)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", tmp.display()))
            .arg(format!("--port={port}"))
            .arg(format!("--socket={}", dir.join("sock").display()))
            .arg(format!("--pid-file={}", dir.join("pid").display()))
            .arg(format!("--log-error={}", dir.join("error.log").display()))
            .args(DEFAULTS)
            .args(if grants {
                None
            } else {
                Some("--skip-grant-tables")
            })
            .args(options)
            .args(user)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = child.map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            format!("{}: {e}", binary.display())
        })?;
        Ok(PrivateServer { child, dir, port })
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `root@127.0.0.1:<port>`, no database.
    pub fn config(&self) -> DatabaseConfig {
        DatabaseConfig::mysql("root", "", "127.0.0.1", self.port, None)
    }

    /// A connection as `root`, no database.
    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        self.config()
            .connect()
            .await
            .unwrap_or_else(|e| panic!("private server on port {}: {e}", self.port))
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

impl Drop for PrivateServer {
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

fn find(names: &[&str]) -> Option<PathBuf> {
    let dirs = ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"];
    names.iter().find_map(|name| {
        dirs.iter()
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.exists())
    })
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
