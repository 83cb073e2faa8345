//! The last phase of a run that failed or was interrupted: put the target back as it was and
//! drop every database the run created, then say truthfully what the target is now.
//!
//! It works on a connection of its own: first it kills the run's connection (so that no
//! statement of the run is still running or waiting for a lock), then it takes the run's lock
//! (so that no other run starts meanwhile), restores the target if the swap had begun
//! ([`swap::restore`]), and drops the staging and old databases when they carry this run's
//! ownership marker ([`owner::drop_own`]). The old database is kept when the target could not
//! be restored: it may hold the old target's tables.

use std::time::Duration;

use super::conn::{self, Conn};
use super::names::Names;
use super::owner::{self, DropOutcome};
use super::swap::{self, Journal, Restored};
use crate::config::DatabaseConfig;
use crate::sql::literal;

/// How long the cleanup waits for the run's lock, which the killed connection releases.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// What a run has written to the target server, for its cleanup.
#[derive(Debug, Clone)]
pub struct Written {
    /// The target's connection settings.
    pub target: DatabaseConfig,
    /// The target and its helper databases.
    pub names: Names,
    /// The run's connection to kill first (the one holding the run's lock), if any.
    pub connection_id: Option<u64>,
    /// Whether the run went as far as creating the staging database.
    pub staging: bool,
    /// What the swap did, once it began.
    pub swap: Option<Journal>,
}

/// What the cleanup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// One line: what the target is now, what was dropped or kept.
    pub message: String,
    /// Whether everything was done: the target is whole and nothing of the run is left.
    pub complete: bool,
}

/// Cleans up after the run `run_id` that wrote `written`. `connected` hears the id of the
/// cleanup's own connection, so that a cleanup of the cleanup can kill it too.
pub async fn clean_up(written: &Written, run_id: &str, connected: &(dyn Fn(u64) + Sync)) -> Report {
    let names = &written.names;
    let mut c = match conn::connect(&written.target, "target", None).await {
        Ok(c) => c,
        Err(e) => {
            return Report {
                message: format!(
                    "{}; could not connect to clean up ({e}): {} may be left behind; the next run drops them if they carry the mirror's marker",
                    target_unknown(written),
                    names.helpers().join(" and ")
                ),
                complete: false,
            };
        }
    };
    // Bounded waits: a statement of the run that is still finishing must not hold the cleanup
    // for the server's default of a day.
    let _ = conn::exec(
        &mut c,
        format!(
            "SET SESSION lock_wait_timeout = {}",
            swap::RESTORE_LOCK_WAIT.as_secs()
        ),
        String::new,
    )
    .await;
    let lock = match take_lock(&mut c, written, connected).await {
        Ok(lock) => lock,
        Err(why) => {
            return Report {
                message: format!("{}; did not clean up: {why}", target_unknown(written)),
                complete: false,
            };
        }
    };
    let (state, whole) = restore(&mut c, written).await;
    let mut parts = vec![state];
    let mut complete = whole;
    let mut dropped = Vec::new();
    let mut helpers: Vec<&str> = Vec::new();
    if written.staging {
        helpers.push(&names.staging);
    }
    // The old database may hold the old target's tables when the target was not restored.
    if written.swap.is_some() && whole {
        helpers.push(&names.old);
    }
    for db in helpers {
        match owner::drop_own(&mut c, db, run_id).await {
            Ok(DropOutcome::Dropped) => dropped.push(db),
            Ok(DropOutcome::Absent) => {}
            Ok(DropOutcome::Kept(why)) => {
                parts.push(format!("kept {db} ({why})"));
            }
            Err(e) => {
                complete = false;
                parts.push(format!("could not drop {db} ({e}); the next run drops it"));
            }
        }
    }
    if !dropped.is_empty() {
        parts.insert(1, format!("dropped {}", dropped.join(" and ")));
    }
    if let Some(lock) = lock {
        let _ = conn::exec(
            &mut c,
            format!("SELECT RELEASE_LOCK({})", literal(&lock)),
            String::new,
        )
        .await;
    }
    Report {
        message: parts.join("; "),
        complete,
    }
}

/// What can be said of the target without looking.
fn target_unknown(written: &Written) -> String {
    let target = &written.names.target;
    match &written.swap {
        None => format!("{target} was left untouched"),
        Some(j) if j.committed => format!("{target} is the new, verified copy"),
        Some(_) => format!(
            "the swap was under way: {target} may be half-swapped (the next run replaces it; until then it may lack views, triggers or routines)"
        ),
    }
}

/// Kills the run's connection and takes the run's lock; `Ok(None)` when the lock is still held
/// by the killed connection as it goes (it is this run's). `Err` when another run holds it.
async fn take_lock(
    c: &mut Conn,
    written: &Written,
    connected: &(dyn Fn(u64) + Sync),
) -> Result<Option<String>, String> {
    let own = conn::scalar(c, "SELECT CONNECTION_ID()", String::new)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|s| s.parse().ok());
    if let Some(id) = own {
        connected(id);
    }
    if let Some(id) = written.connection_id {
        // Error 1094 (no such thread) when it is gone already.
        let _ = conn::exec(c, format!("KILL CONNECTION {id}"), String::new).await;
    }
    let lock = written.names.lock_name();
    let got = conn::scalar(
        c,
        format!(
            "SELECT GET_LOCK({}, {})",
            literal(&lock),
            LOCK_WAIT.as_secs()
        ),
        String::new,
    )
    .await
    .map_err(|e| e.to_string())?;
    if got.as_deref() == Some("1") {
        return Ok(Some(lock));
    }
    let holder = conn::scalar(
        c,
        format!("SELECT IS_USED_LOCK({})", literal(&lock)),
        String::new,
    )
    .await
    .map_err(|e| e.to_string())?
    .and_then(|s| s.parse::<u64>().ok());
    match holder {
        Some(id) if Some(id) == written.connection_id => Ok(None),
        None => Ok(None),
        Some(id) => Err(format!(
            "another run into {} (session {id}) holds the lock '{lock}'",
            written.names.target
        )),
    }
}

/// Puts the target back if the swap had begun and not committed; returns what the target is
/// now and whether it is whole.
async fn restore(c: &mut Conn, written: &Written) -> (String, bool) {
    let target = &written.names.target;
    let journal = match &written.swap {
        None => return (format!("{target} was left untouched"), true),
        Some(j) if j.committed => return (format!("{target} is the new, verified copy"), true),
        Some(j) => j,
    };
    match swap::restore(c, &written.names, journal).await {
        Ok(Restored::AsBefore { tables, objects }) => (
            format!(
                "the swap was under way: {target} was restored as it was ({tables} tables, {objects} views, triggers and routines)"
            ),
            true,
        ),
        Ok(Restored::Dropped) => (
            format!(
                "the swap was under way: {target}, which did not exist before, was dropped again"
            ),
            true,
        ),
        Ok(Restored::Absent) => (
            format!("{target} did not exist before and still does not"),
            true,
        ),
        Err(e) => (
            format!(
                "the swap was under way and {target} could not be restored ({e}): it may hold the new tables or lack views, triggers or routines; {} was kept, with the old tables if the swap had moved them",
                written.names.old
            ),
            false,
        ),
    }
}
