//! The ownership marker: a table the mirror writes into every database it creates (the staging
//! database and `<target>__eorm_old`), right after creating it, holding the run's id, the tool's
//! version, the target's name and the time. A run drops a database with a helper name only when
//! it carries the marker; one without is someone else's, and the run is refused.
//!
//! The marker is not one of the source's tables, so it is never copied, verified or renamed into
//! the target; it goes away with its database.

use super::conn::{self, Conn, text};
use super::error::MirrorError;
use super::names::Names;
use crate::sql::{ident, literal, qualified};

/// The marker table's name.
pub const MARKER_TABLE: &str = "_eorm_mirror_owner";

/// What the marker of a database says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The run that created the database.
    pub run_id: String,
    /// The version of eyened-orm that ran it.
    pub tool_version: String,
    /// The target the run copied into.
    pub target: String,
    /// When the database was created, UTC (`YYYY-MM-DD HH:MM:SS`).
    pub created_at: String,
}

/// A database with a helper name found on the target server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its name.
    pub name: String,
    /// Its marker, if it has a readable one.
    pub marker: Option<Marker>,
    /// Its tables and views besides the marker.
    pub tables: usize,
}

impl Found {
    /// Whether the mirror may drop it as a leftover of a run into `target`; if not, why.
    pub fn ownership(&self, target: &str) -> Result<(), String> {
        match &self.marker {
            None => Err(format!(
                "it has no ownership marker, a {MARKER_TABLE} table with a row"
            )),
            Some(m) if !m.target.eq_ignore_ascii_case(target) => Err(format!(
                "its {MARKER_TABLE} names the target {:?}, not {target:?}",
                m.target
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Creates `database` (with `defaults`' character set and collation, if given) and writes the
/// marker of run `run_id` into it.
pub async fn create_marked(
    conn: &mut Conn,
    database: &str,
    defaults: Option<(&str, &str)>,
    run_id: &str,
    target: &str,
) -> Result<(), MirrorError> {
    let charset = defaults
        .map(|(cs, co)| format!(" CHARACTER SET {cs} COLLATE {co}"))
        .unwrap_or_default();
    conn::exec(
        conn,
        format!("CREATE DATABASE {}{charset}", ident(database)),
        || format!("target: creating {database}"),
    )
    .await?;
    conn::exec(
        conn,
        format!(
            "CREATE TABLE {} (run_id VARCHAR(64) NOT NULL PRIMARY KEY, tool_version VARCHAR(32) NOT NULL, \
             target VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL) \
             COMMENT 'created by eorm database-mirror, which drops this database; see the README'; \
             INSERT INTO {} VALUES ({}, {}, {}, UTC_TIMESTAMP())",
            qualified(database, MARKER_TABLE),
            qualified(database, MARKER_TABLE),
            literal(run_id),
            literal(env!("CARGO_PKG_VERSION")),
            literal(target)
        ),
        || format!("target: writing the ownership marker into {database}"),
    )
    .await?;
    Ok(())
}

/// The marker of `database`, if it has a table named [`MARKER_TABLE`] with a row.
pub async fn read_marker(conn: &mut Conn, database: &str) -> Result<Option<Marker>, MirrorError> {
    let has_table = conn::rows_with(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        &[database, MARKER_TABLE],
        || format!("target: looking for the ownership marker of {database}"),
    )
    .await?;
    if has_table.is_empty() {
        return Ok(None);
    }
    let rows = conn::rows(
        conn,
        format!(
            "SELECT run_id, tool_version, target, CAST(created_at AS CHAR) FROM {} LIMIT 1",
            qualified(database, MARKER_TABLE)
        ),
        || format!("target: reading the ownership marker of {database}"),
    )
    .await?;
    Ok(rows.first().map(|r| Marker {
        run_id: text(r, 0).unwrap_or_default(),
        tool_version: text(r, 1).unwrap_or_default(),
        target: text(r, 2).unwrap_or_default(),
        created_at: text(r, 3).unwrap_or_default(),
    }))
}

/// Tables and views of `database` besides the marker.
pub async fn other_tables(conn: &mut Conn, database: &str) -> Result<usize, MirrorError> {
    let n = conn::rows_with(
        conn,
        "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ?",
        &[database, MARKER_TABLE],
        || format!("target: counting the tables of {database}"),
    )
    .await?;
    Ok(n.first().map(|r| conn::number(r, 0) as usize).unwrap_or(0))
}

/// The helper databases of `names` (staging, old) that exist now.
pub async fn leftovers(conn: &mut Conn, names: &Names) -> Result<Vec<Found>, MirrorError> {
    let mut found = Vec::new();
    for name in names.helpers() {
        if super::swap::database_exists(conn, name).await? {
            found.push(Found {
                name: name.to_owned(),
                marker: read_marker(conn, name).await?,
                tables: other_tables(conn, name).await?,
            });
        }
    }
    Ok(found)
}

/// `Err(NotOurs)` for the first of `found` the mirror did not create.
pub fn refuse_unowned(found: &[Found], names: &Names) -> Result<(), MirrorError> {
    for f in found {
        if let Err(why) = f.ownership(&names.target) {
            return Err(MirrorError::NotOurs {
                database: f.name.clone(),
                why,
            });
        }
    }
    Ok(())
}

/// Drops the leftovers `planned` (those the plan showed), after reading their markers again;
/// refused when one is no longer the mirror's or another appeared since the plan.
pub async fn drop_leftovers(
    conn: &mut Conn,
    names: &Names,
    planned: &[Found],
) -> Result<Vec<String>, MirrorError> {
    let now = leftovers(conn, names).await?;
    refuse_unowned(&now, names)?;
    for f in &now {
        let shown = planned
            .iter()
            .any(|p| p.name == f.name && p.marker == f.marker);
        if !shown {
            return Err(MirrorError::Refused(format!(
                "{} appeared after the plan was shown; run again to see it in the plan",
                f.name
            )));
        }
    }
    let mut dropped = Vec::new();
    for f in now {
        conn::exec(conn, format!("DROP DATABASE {}", ident(&f.name)), || {
            format!("target: dropping leftover database {}", f.name)
        })
        .await?;
        dropped.push(f.name);
    }
    Ok(dropped)
}

/// Drops `database` when this run created it: when it carries run `run_id`'s marker, or holds no
/// table at all (created, but the marker was not yet written). Returns what happened, for the
/// cleanup's message.
pub async fn drop_own(
    conn: &mut Conn,
    database: &str,
    run_id: &str,
) -> Result<DropOutcome, MirrorError> {
    if !super::swap::database_exists(conn, database).await? {
        return Ok(DropOutcome::Absent);
    }
    let marker = read_marker(conn, database).await?;
    let ours = marker.as_ref().is_some_and(|m| m.run_id == run_id);
    let empty = marker.is_none() && other_tables(conn, database).await? == 0;
    if !(ours || empty) {
        return Ok(DropOutcome::Kept(match marker {
            Some(m) => format!("its marker is of run {}", m.run_id),
            None => format!("it has tables and no {MARKER_TABLE}"),
        }));
    }
    conn::exec(conn, format!("DROP DATABASE {}", ident(database)), || {
        format!("target: dropping {database}")
    })
    .await?;
    Ok(DropOutcome::Dropped)
}

/// What [`drop_own`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropOutcome {
    /// It did not exist.
    Absent,
    /// It was dropped.
    Dropped,
    /// It was kept, because it is not (only) this run's: why.
    Kept(String),
}
