//! The server-side lock that keeps two runs off one target: `GET_LOCK` on the run's target
//! connection, held from before the first write until the swap is done.
//!
//! That connection sits idle while the copy runs. [`RunLock::hold_during`] keeps it busy with a
//! statement that also checks the lock, so that neither the server's `wait_timeout` nor the
//! idle timeout of a firewall or proxy on the way ends it unnoticed, and [`RunLock::check`]
//! confirms the lock before the swap: a run that lost it stops before it replaces anything.

use std::future::Future;
use std::time::Duration;

use super::conn::{self, Conn};
use super::error::MirrorError;
use crate::sql::literal;

/// How often, at most, the lock's connection is used while it would otherwise sit idle (more
/// often when its `wait_timeout` is shorter).
pub const KEEPALIVE: Duration = Duration::from_secs(30);

/// How long a lock check waits for the server's answer before the lock counts as lost.
const ANSWER_WITHIN: Duration = Duration::from_secs(60);

/// The run's lock, held by one target connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLock {
    name: String,
}

impl RunLock {
    /// Takes the lock `name` on `conn` without waiting; `None` when another session holds it.
    pub async fn take(conn: &mut Conn, name: String) -> Result<Option<RunLock>, MirrorError> {
        let got = conn::scalar(
            conn,
            format!("SELECT GET_LOCK({}, 0)", literal(&name)),
            || "target: taking the run lock".into(),
        )
        .await?;
        Ok((got.as_deref() == Some("1")).then_some(RunLock { name }))
    }

    /// The lock's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Fails with [`MirrorError::LockLost`] unless `conn`, the connection that took the lock,
    /// still holds it (and answers within a minute).
    pub async fn check(&self, conn: &mut Conn) -> Result<(), MirrorError> {
        let sql = format!(
            "SELECT IS_USED_LOCK({}) = CONNECTION_ID()",
            literal(&self.name)
        );
        let answer = tokio::time::timeout(
            ANSWER_WITHIN,
            conn::scalar(conn, sql, || "target: checking the run lock".into()),
        )
        .await;
        let why = match answer {
            Ok(Ok(Some(held))) if held == "1" => return Ok(()),
            Ok(Ok(_)) => "another session or none holds it now".to_owned(),
            Ok(Err(MirrorError::Sql { message, .. })) => {
                format!("its connection failed: {message}")
            }
            Ok(Err(other)) => other.to_string(),
            Err(_) => format!(
                "its connection did not answer within {} s",
                ANSWER_WITHIN.as_secs()
            ),
        };
        Err(MirrorError::LockLost {
            lock: self.name.clone(),
            why,
        })
    }

    /// Runs `work` while checking the lock on `conn` at intervals (a third of the connection's
    /// `wait_timeout`, at most [`KEEPALIVE`]), so that the connection never sits idle for long.
    /// Ends with `work`'s result, or as soon as a check fails, with that error (`work` is then
    /// dropped).
    pub async fn hold_during<T>(
        &self,
        conn: &mut Conn,
        work: impl Future<Output = Result<T, MirrorError>>,
    ) -> Result<T, MirrorError> {
        let wait_timeout = conn::scalar(conn, "SELECT @@SESSION.wait_timeout", || {
            "target: wait_timeout".into()
        })
        .await?
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::MAX);
        let every = Duration::from_secs_f64((wait_timeout / 3.0).min(KEEPALIVE.as_secs_f64()))
            .max(Duration::from_millis(250));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = ticks.tick() => self.check(conn).await?,
            }
        }
    }

    /// Gives the lock back (when the run is done); a failure only means that the connection is
    /// gone, which releases the lock too.
    pub async fn release(self, conn: &mut Conn) {
        let sql = format!("SELECT RELEASE_LOCK({})", literal(&self.name));
        let _ = conn::exec(conn, sql, String::new).await;
    }
}
