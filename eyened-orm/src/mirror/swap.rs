//! The staging database and the swap that puts it in place of the target.
//!
//! MariaDB and MySQL have no `RENAME DATABASE`, but `RENAME TABLE a TO b, c TO d, ...` is atomic
//! (and crash-safe with MariaDB's atomic DDL) and can move tables between databases. The swap's
//! core is one such statement: the target's tables move to `<target>__eorm_old` and the staged
//! tables move into the target. Views and triggers cannot move between databases, so the
//! target's own are dropped before it, and the source's (checked to compile in the staging
//! database, then dropped there) are created after it, with the stored routines.
//!
//! That makes the swap a sequence of statements, so it is made restorable: before the first
//! change, everything needed to put the target back is read ([`Saved`]: its tables, the
//! definitions of its views, triggers and routines, its character set), and a failure to read
//! it stops the swap before anything changed. What the swap has done is kept in a [`Journal`]
//! shared with the run's cleanup, which on any failure or interruption puts the target back
//! ([`restore`]): it looks at where the tables are (the RENAME either happened or not), renames
//! them back if needed and recreates what is missing. Once the new views, triggers and routines
//! exist the journal is marked committed, and only then are the helper databases dropped.
//!
//! Every statement runs with the session's `lock_wait_timeout` set to a few seconds: when
//! another session holds the target's tables, the swap gives up quickly and names that session
//! ([`MirrorError::TargetLocked`]) instead of waiting for it, and everyone after it, for a day.

use std::time::Duration;

use sea_orm::sqlx::{self, AssertSqlSafe};

use super::catalog::{Catalog, ObjectDef, ObjectKind, strip_definer};
use super::conn::{self, Conn, text};
use super::error::MirrorError;
use super::owner;
use super::sessions;
use crate::progress::Progress;
use crate::sql::{ident, literal, qualified};

pub use super::names::{Names, OLD_SUFFIX, STAGING_SUFFIX};

/// MySQL's `ER_LOCK_WAIT_TIMEOUT`, also given when a metadata lock was not granted in time.
const LOCK_WAIT_TIMEOUT: u16 = 1205;

/// The lock wait of a cleanup and its restore: longer than the swap's, since giving up leaves
/// the target incomplete, but bounded.
pub const RESTORE_LOCK_WAIT: Duration = Duration::from_secs(60);

/// A statement group of the swap, in order; [`Settings::fail_before`] names one to make the
/// swap fail there (for tests of the restore).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `CREATE DATABASE <target>`, when it does not exist.
    CreateTarget,
    /// `CREATE DATABASE <target>__eorm_old` with its ownership marker.
    CreateOld,
    /// Dropping the target's triggers.
    DropTriggers,
    /// Dropping the target's views.
    DropViews,
    /// Dropping the target's stored routines.
    DropRoutines,
    /// The `RENAME TABLE`.
    Rename,
    /// `ALTER DATABASE` to the source's character set.
    Charset,
    /// Creating the source's views, triggers and routines.
    CreateObjects,
    /// Marking the swap committed.
    Commit,
}

/// How the swap runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The session's `lock_wait_timeout` during the swap (whole seconds).
    pub lock_wait: Duration,
    /// Written into the ownership marker of `<target>__eorm_old`.
    pub run_id: String,
    /// Tests only: fail just before this step.
    pub fail_before: Option<Step>,
}

impl Settings {
    fn reach(&self, step: Step) -> Result<(), MirrorError> {
        if self.fail_before == Some(step) {
            return Err(MirrorError::Internal(format!(
                "failure injected before swap step {step:?}"
            )));
        }
        Ok(())
    }
}

/// The target as it was before the swap: what [`restore`] puts back.
#[derive(Debug, Clone)]
pub struct Saved {
    /// Its default character set.
    pub charset: String,
    /// Its default collation.
    pub collation: String,
    /// Its base tables.
    pub tables: Vec<String>,
    /// Its views, triggers and routines, with their definitions.
    pub objects: Vec<ObjectDef>,
}

/// What the swap has done, kept by the run for its cleanup.
#[derive(Debug, Clone)]
pub struct Journal {
    /// The connection the swap runs on: a cleanup kills it first, so that none of its
    /// statements is still running or waiting for a lock while the target is put back.
    pub connection_id: u64,
    /// The target before the swap; `None` when it did not exist (the swap creates it).
    pub before: Option<Saved>,
    /// The staged tables the RENAME moves into the target.
    pub staged_tables: Vec<String>,
    /// Whether the target is the new copy, whole: only the helper databases remain to drop.
    pub committed: bool,
}

/// Whether `conn`'s server has a database named `name`.
pub async fn database_exists(conn: &mut Conn, name: &str) -> Result<bool, MirrorError> {
    let rows = conn::rows_with(
        conn,
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        &[name],
        || format!("target: looking for database {name}"),
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Base tables of `database` and their estimated rows.
pub async fn tables_of(conn: &mut Conn, database: &str) -> Result<Vec<(String, u64)>, MirrorError> {
    Ok(conn::rows_with(
        conn,
        "SELECT TABLE_NAME, CAST(IFNULL(TABLE_ROWS, 0) AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        &[database],
        || format!("target: listing tables of {database}"),
    )
    .await?
    .iter()
    .map(|r| (text(r, 0).unwrap_or_default(), conn::number(r, 1)))
    .collect())
}

async fn table_exists(conn: &mut Conn, database: &str, table: &str) -> Result<bool, MirrorError> {
    let rows = conn::rows_with(
        conn,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        &[database, table],
        || format!("target: looking for table {table} in {database}"),
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Creates the staging database with the source's character set and collation, and its
/// ownership marker for run `run_id`.
pub async fn create_staging(
    conn: &mut Conn,
    names: &Names,
    catalog: &Catalog,
    run_id: &str,
) -> Result<(), MirrorError> {
    owner::create_marked(
        conn,
        &names.staging,
        Some((&catalog.charset, &catalog.collation)),
        run_id,
        &names.target,
    )
    .await
}

/// Runs a statement of the swap. A lock wait that timed out becomes
/// [`MirrorError::TargetLocked`], naming the sessions that hold tables of `watched`.
async fn exec(
    conn: &mut Conn,
    sql: String,
    context: impl FnOnce() -> String,
    watched: &[&str],
) -> Result<(), MirrorError> {
    let err = match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await {
        Ok(_) => return Ok(()),
        Err(err) => err,
    };
    if conn::error_number(&err) != Some(LOCK_WAIT_TIMEOUT) {
        return Err(conn::sql_error(context(), &err));
    }
    let seconds = conn::scalar(conn, "SELECT @@SESSION.lock_wait_timeout", String::new)
        .await
        .ok()
        .flatten()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0) as u64;
    Err(MirrorError::TargetLocked {
        context: context(),
        database: watched.first().copied().unwrap_or_default().to_owned(),
        seconds,
        holders: sessions::holders(conn, watched).await,
    })
}

/// Sets the session's `lock_wait_timeout`, returning the previous value.
async fn set_lock_wait(conn: &mut Conn, wait: Duration) -> Result<String, MirrorError> {
    let what = || "target: setting lock_wait_timeout".to_owned();
    let previous = conn::scalar(conn, "SELECT @@SESSION.lock_wait_timeout", what)
        .await?
        .unwrap_or_else(|| "86400".into());
    conn::exec(
        conn,
        format!("SET SESSION lock_wait_timeout = {}", wait.as_secs()),
        what,
    )
    .await?;
    Ok(previous)
}

/// Creates views, routines and triggers in the connection's current database. Views may depend
/// on each other: they are retried until no more can be created.
pub async fn create_objects(
    conn: &mut Conn,
    catalog: &Catalog,
    database: &str,
) -> Result<(), MirrorError> {
    let all: Vec<ObjectDef> = catalog
        .routines
        .iter()
        .chain(&catalog.views)
        .chain(&catalog.triggers)
        .cloned()
        .collect();
    create_all(conn, &all, database).await
}

/// Creates `objects` in `database`: routines, then views (retried while some can be created,
/// since they may use each other), then triggers in their order.
async fn create_all(
    conn: &mut Conn,
    objects: &[ObjectDef],
    database: &str,
) -> Result<(), MirrorError> {
    conn::exec(conn, format!("USE {}", ident(database)), || {
        format!("target: USE {database}")
    })
    .await?;
    let of = |kinds: &[ObjectKind]| -> Vec<&ObjectDef> {
        objects.iter().filter(|o| kinds.contains(&o.kind)).collect()
    };
    for routine in of(&[ObjectKind::Function, ObjectKind::Procedure]) {
        create_object(conn, routine, database).await?;
    }
    let mut pending = of(&[ObjectKind::View]);
    while !pending.is_empty() {
        let mut failed = Vec::new();
        let mut last_error = None;
        for view in &pending {
            if let Err(e) = create_object(conn, view, database).await {
                last_error = Some(e);
                failed.push(*view);
            }
        }
        if failed.len() == pending.len() {
            return Err(last_error.unwrap_or_else(|| MirrorError::Internal("view creation".into())));
        }
        pending = failed;
    }
    for trigger in of(&[ObjectKind::Trigger]) {
        create_object(conn, trigger, database).await?;
    }
    Ok(())
}

async fn create_object(
    conn: &mut Conn,
    object: &ObjectDef,
    database: &str,
) -> Result<(), MirrorError> {
    let what = || {
        format!(
            "target: creating {} {} in {database}",
            object.kind.keyword().to_ascii_lowercase(),
            object.name
        )
    };
    if let Some(mode) = &object.sql_mode {
        conn::exec(
            conn,
            format!("SET SESSION sql_mode = {}", literal(mode)),
            what,
        )
        .await?;
    }
    let result = exec(conn, object.create_sql.clone(), what, &[database]).await;
    if object.sql_mode.is_some() {
        conn::exec(
            conn,
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
            what,
        )
        .await?;
    }
    result
}

/// The triggers (in their order of action), views and routines of `database`, by kind and name.
async fn list_objects(
    conn: &mut Conn,
    database: &str,
) -> Result<Vec<(ObjectKind, String)>, MirrorError> {
    let queries = [
        "SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? \
         ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER",
        "SELECT 'VIEW', TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
        "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? \
         ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
    ];
    let mut out = Vec::new();
    for sql in queries {
        let rows = conn::rows_with(conn, sql, &[database], || {
            format!("target: listing the views, triggers and routines of {database}")
        })
        .await?;
        out.extend(rows.iter().filter_map(|r| {
            let kind = match text(r, 0)?.as_str() {
                "TRIGGER" => ObjectKind::Trigger,
                "VIEW" => ObjectKind::View,
                "FUNCTION" => ObjectKind::Function,
                _ => ObjectKind::Procedure,
            };
            Some((kind, text(r, 1)?))
        }));
    }
    Ok(out)
}

/// Drops every view, trigger and routine of `database`.
pub async fn drop_objects(conn: &mut Conn, database: &str) -> Result<(), MirrorError> {
    for (kind, name) in list_objects(conn, database).await? {
        drop_object(conn, kind, &name, database).await?;
    }
    Ok(())
}

async fn drop_object(
    conn: &mut Conn,
    kind: ObjectKind,
    name: &str,
    database: &str,
) -> Result<(), MirrorError> {
    exec(
        conn,
        format!(
            "DROP {} IF EXISTS {}",
            kind.keyword(),
            qualified(database, name)
        ),
        || {
            format!(
                "target: dropping {} {name} of {database}",
                kind.keyword().to_ascii_lowercase()
            )
        },
        &[database],
    )
    .await
}

/// The default character set and collation of `database`.
async fn charset_of(conn: &mut Conn, database: &str) -> Result<(String, String), MirrorError> {
    let defaults = conn::rows_with(
        conn,
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        &[database],
        || format!("target: reading the character set of {database}"),
    )
    .await?;
    defaults
        .first()
        .map(|r| {
            (
                text(r, 0).unwrap_or_default(),
                text(r, 1).unwrap_or_default(),
            )
        })
        .ok_or_else(|| MirrorError::Internal(format!("the database {database} disappeared")))
}

/// Reads what [`restore`] needs to put `database` back: its character set, tables, and the
/// definitions of its views, triggers and routines (`DEFINER=` removed, as for the source's).
/// Any failure is an error: the swap must not start without it.
pub async fn read_saved(conn: &mut Conn, database: &str) -> Result<Saved, MirrorError> {
    // SHOW CREATE VIEW leaves names of the view's own database unqualified only when it is the
    // default database.
    conn::exec(conn, format!("USE {}", ident(database)), || {
        format!("target: USE {database}")
    })
    .await?;
    let (charset, collation) = charset_of(conn, database).await?;
    let tables = tables_of(conn, database)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let mut objects = Vec::new();
    for (kind, name) in list_objects(conn, database).await? {
        let what = || {
            format!(
                "target: reading {} {name} of {database}, to restore it should the swap fail",
                kind.keyword().to_ascii_lowercase()
            )
        };
        let rows = conn::rows(
            conn,
            format!(
                "SHOW CREATE {} {}",
                kind.keyword(),
                qualified(database, &name)
            ),
            what,
        )
        .await?;
        let (create, sql_mode) = match (kind, rows.first()) {
            (ObjectKind::View, Some(r)) => (text(r, 1), None),
            (_, Some(r)) => (text(r, 2), text(r, 1)),
            (_, None) => (None, None),
        };
        let Some(create) = create else {
            return Err(MirrorError::Refused(format!(
                "cannot read the definition of {} {name} of {database} (the target user may lack SHOW_ROUTINE or SELECT on mysql.proc), so it could not be restored if the swap failed; nothing was changed",
                kind.keyword().to_ascii_lowercase()
            )));
        };
        objects.push(ObjectDef {
            kind,
            name,
            create_sql: strip_definer(&create, kind),
            sql_mode,
        });
    }
    Ok(Saved {
        charset,
        collation,
        tables,
        objects,
    })
}

/// Puts the staged tables in place of the target's. See the module docs: `record` hears the
/// [`Journal`] before the first change and again once committed; on an error the target may be
/// half-swapped, and the caller must [`restore`] it.
pub async fn swap(
    conn: &mut Conn,
    names: &Names,
    catalog: &Catalog,
    staged_tables: &[String],
    settings: &Settings,
    record: &(dyn Fn(&Journal) + Sync),
    progress: &dyn Progress,
) -> Result<(), MirrorError> {
    let previous_wait = set_lock_wait(conn, settings.lock_wait).await?;
    let before = if database_exists(conn, &names.target).await? {
        Some(read_saved(conn, &names.target).await?)
    } else {
        None
    };
    let connection_id = conn::scalar(conn, "SELECT CONNECTION_ID()", || {
        "target: CONNECTION_ID()".into()
    })
    .await?
    .and_then(|s| s.parse().ok())
    .ok_or_else(|| MirrorError::Internal("no CONNECTION_ID()".into()))?;
    let mut journal = Journal {
        connection_id,
        before,
        staged_tables: staged_tables.to_vec(),
        committed: false,
    };
    record(&journal);
    apply(conn, names, catalog, &journal, settings).await?;
    journal.committed = true;
    record(&journal);
    for helper in names.helpers() {
        if let Err(e) = owner::drop_own(conn, helper, &settings.run_id).await {
            progress.line(&format!(
                "warning: {} is the new copy, but {helper} could not be dropped ({e}); the next run drops it",
                names.target
            ));
        }
    }
    let _ = conn::exec(
        conn,
        format!("SET SESSION lock_wait_timeout = {previous_wait}"),
        String::new,
    )
    .await;
    Ok(())
}

/// The changing statements of the swap, in order.
async fn apply(
    conn: &mut Conn,
    names: &Names,
    catalog: &Catalog,
    journal: &Journal,
    settings: &Settings,
) -> Result<(), MirrorError> {
    let target = names.target.as_str();
    let watched = [target, names.staging.as_str(), names.old.as_str()];
    settings.reach(Step::CreateTarget)?;
    let old_tables: &[String] = match &journal.before {
        Some(saved) => &saved.tables,
        None => {
            exec(
                conn,
                format!(
                    "CREATE DATABASE {} CHARACTER SET {} COLLATE {}",
                    ident(target),
                    catalog.charset,
                    catalog.collation
                ),
                || format!("target: creating database {target}"),
                &watched,
            )
            .await?;
            &[]
        }
    };
    settings.reach(Step::CreateOld)?;
    owner::create_marked(conn, &names.old, None, &settings.run_id, target).await?;
    let saved = journal
        .before
        .as_ref()
        .map(|s| &s.objects[..])
        .unwrap_or(&[]);
    for (step, kinds) in [
        (Step::DropTriggers, &[ObjectKind::Trigger][..]),
        (Step::DropViews, &[ObjectKind::View]),
        (
            Step::DropRoutines,
            &[ObjectKind::Procedure, ObjectKind::Function],
        ),
    ] {
        settings.reach(step)?;
        for o in saved.iter().filter(|o| kinds.contains(&o.kind)) {
            drop_object(conn, o.kind, &o.name, target).await?;
        }
    }
    settings.reach(Step::Rename)?;
    let moves = old_tables
        .iter()
        .map(|t| (names.target.as_str(), names.old.as_str(), t))
        .chain(
            journal
                .staged_tables
                .iter()
                .map(|t| (names.staging.as_str(), target, t)),
        );
    rename(conn, moves, &watched, || {
        format!("target: swapping {} into {target}", names.staging)
    })
    .await?;
    settings.reach(Step::Charset)?;
    exec(
        conn,
        format!(
            "ALTER DATABASE {} CHARACTER SET {} COLLATE {}",
            ident(target),
            catalog.charset,
            catalog.collation
        ),
        || format!("target: setting the character set of {target}"),
        &watched,
    )
    .await?;
    settings.reach(Step::CreateObjects)?;
    create_objects(conn, catalog, target).await?;
    settings.reach(Step::Commit)
}

/// One `RENAME TABLE` moving each `(from, to, table)`; nothing when there is nothing to move.
async fn rename<'a>(
    conn: &mut Conn,
    moves: impl Iterator<Item = (&'a str, &'a str, &'a String)>,
    watched: &[&str],
    context: impl FnOnce() -> String,
) -> Result<(), MirrorError> {
    let list: Vec<String> = moves
        .map(|(from, to, t)| format!("{} TO {}", qualified(from, t), qualified(to, t)))
        .collect();
    if list.is_empty() {
        return Ok(());
    }
    exec(
        conn,
        format!("RENAME TABLE {}", list.join(", ")),
        context,
        watched,
    )
    .await
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    /// The target is as it was: its tables, and its views, triggers and routines.
    AsBefore {
        /// Its base tables.
        tables: usize,
        /// Its views, triggers and routines.
        objects: usize,
    },
    /// The target did not exist before; the swap had created it, and it was dropped.
    Dropped,
    /// The target did not exist before and still does not.
    Absent,
}

/// Puts the target back as `journal` says it was, whatever part of the swap ran (each step is
/// looked at, not assumed): when the RENAME happened, the new views, triggers and routines are
/// dropped and the tables renamed back; then the old target's missing objects are recreated
/// and its character set set back, or, when it did not exist, the database is dropped again.
/// Running it twice does no harm.
pub async fn restore(
    conn: &mut Conn,
    names: &Names,
    journal: &Journal,
) -> Result<Restored, MirrorError> {
    let target = names.target.as_str();
    let watched = [target, names.staging.as_str(), names.old.as_str()];
    let target_exists = database_exists(conn, target).await?;
    if target_exists && was_renamed(conn, names, journal).await? {
        drop_objects(conn, target).await?;
        let old_tables = journal
            .before
            .as_ref()
            .map(|s| &s.tables[..])
            .unwrap_or(&[]);
        let moves = journal
            .staged_tables
            .iter()
            .map(|t| (target, names.staging.as_str(), t))
            .chain(old_tables.iter().map(|t| (names.old.as_str(), target, t)));
        rename(conn, moves, &watched, || {
            format!("target: moving the old tables back into {target}")
        })
        .await?;
    }
    let Some(saved) = &journal.before else {
        if !target_exists {
            return Ok(Restored::Absent);
        }
        if owner::other_tables(conn, target).await? > 0
            || !list_objects(conn, target).await?.is_empty()
        {
            return Err(MirrorError::Internal(format!(
                "{target} did not exist before the swap but now holds tables this run did not put there; it was kept"
            )));
        }
        conn::exec(conn, format!("DROP DATABASE {}", ident(target)), || {
            format!("target: dropping {target}, which this run created")
        })
        .await?;
        return Ok(Restored::Dropped);
    };
    let present = list_objects(conn, target).await?;
    let missing: Vec<ObjectDef> = saved
        .objects
        .iter()
        .filter(|o| !present.iter().any(|(k, n)| *k == o.kind && *n == o.name))
        .cloned()
        .collect();
    create_all(conn, &missing, target).await?;
    // Only when changed: ALTER DATABASE waits for every session using the database.
    if charset_of(conn, target).await? != (saved.charset.clone(), saved.collation.clone()) {
        exec(
            conn,
            format!(
                "ALTER DATABASE {} CHARACTER SET {} COLLATE {}",
                ident(target),
                saved.charset,
                saved.collation
            ),
            || format!("target: setting the character set of {target} back"),
            &watched,
        )
        .await?;
    }
    Ok(Restored::AsBefore {
        tables: saved.tables.len(),
        objects: saved.objects.len(),
    })
}

/// Whether the RENAME of the swap happened (it is atomic: all its tables moved, or none).
async fn was_renamed(
    conn: &mut Conn,
    names: &Names,
    journal: &Journal,
) -> Result<bool, MirrorError> {
    if let Some(t) = journal.staged_tables.first() {
        return Ok(!table_exists(conn, &names.staging, t).await?
            && table_exists(conn, &names.target, t).await?);
    }
    match journal.before.as_ref().and_then(|s| s.tables.first()) {
        Some(t) => table_exists(conn, &names.old, t).await,
        None => Ok(false),
    }
}
