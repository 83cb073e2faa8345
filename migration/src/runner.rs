//! Running migrations: status, up, down, stamp, offline SQL, under a server-side lock.
//!
//! sea-orm-migration's `Migrator` lists the migrations; this runner applies them itself so that
//! it can time each one, name the failing migration and statement, refuse unknown applied
//! migrations (another branch) and adopt the Alembic-managed production database.
//!
//! The functions that write take the run's [`Lock`] (`None` on SQLite): before each migration
//! is run and before it is recorded they check that the lock is still this run's, and stop with
//! [`RunError::LockLost`] when it is not.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use eyened_orm::config::DatabaseConfig;
use eyened_orm::migrate::{Dialect, PlanError, fold, plan_for};
#[cfg(feature = "cli")]
use eyened_orm::schema::Unmanaged;
use eyened_orm::schema::diff::{Renames, diff};
use eyened_orm::schema::{self, Schema};
use eyened_orm::schema::{Change, reverse};
use eyened_orm::sql::{ident, literal};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};
use thiserror::Error;

#[cfg(feature = "cli")]
use crate::drift::Drift;
use crate::{Migrator, changes_of};

pub use crate::lock::Lock;

/// The Alembic revision the baseline corresponds to: production's head.
pub const ALEMBIC_HEAD: &str = "10d5ab598dc7";
/// Our version table (sea-orm-migration's).
pub const VERSION_TABLE: &str = schema::SEAQL_MIGRATIONS;

#[derive(Debug, Error)]
pub enum RunError {
    #[error("{0}")]
    Database(#[from] DbErr),
    #[error("{0}")]
    Connect(#[from] eyened_orm::config::ConfigError),
    #[error(
        "another migration run holds the lock '{lock}' on database {database}{}; waited {}s: let it finish and retry, or find a stuck session with SELECT IS_USED_LOCK('{lock}') and SHOW PROCESSLIST",
        .holder.map(|id| format!(" (connection {id})")).unwrap_or_default(),
        .waited.as_secs()
    )]
    Locked {
        lock: String,
        database: String,
        /// The session holding it, when it still did after the wait.
        holder: Option<u64>,
        waited: Duration,
    },
    #[error(
        "lost the migration lock '{lock}' on database {database} ({cause}), so another migration run may have started: stopped before {before}; once no other run is active, `migration status` and `migration check` show where the database stands"
    )]
    LockLost {
        lock: String,
        database: String,
        /// Why the lock is no longer this run's.
        cause: String,
        /// What the run did not do.
        before: String,
    },
    #[error("the connection holding the migration lock on database {database} failed: {message}")]
    LockSession { database: String, message: String },
    #[error(
        "the database has migrations applied that this code does not know: {}; they were generated on another branch: merge that branch (or check it out) before running this command",
        .0.join(", ")
    )]
    UnknownApplied(Vec<String>),
    #[error("migration {name} failed and was not recorded: {message}")]
    MigrationFailed { name: String, message: String },
    #[error(
        "the database already holds Eyened tables but no migration is recorded{alembic}: adopt it first, with `migration stamp` when it equals the baseline or `migration adopt` when it does not (`migration check` shows which)"
    )]
    NotAdopted { alembic: String },
    #[error(
        "the database is at Alembic revision {found}, older than head {ALEMBIC_HEAD}: upgrade it with the Python tooling first (`alembic upgrade head`), then run `migration stamp`"
    )]
    OldAlembic { found: String },
    #[cfg(feature = "cli")]
    #[error(
        "refusing to stamp: the live schema differs from the baseline in {}:\n{}{}\n\
         stamp records the baseline only over a database that equals it. To adopt this one, run \
         `cargo run -p migration -- adopt \"reconcile production\"`: it records the baseline and \
         writes a migration whose `up` takes this database to it (review the file; `sql --pending` \
         prints its SQL for the DBA; `up` applies it)",
        crate::drift::ways(.0.differences.len()),
        .0.differences.iter().map(|d| d.line()).collect::<Vec<_>>().join("\n"),
        .0.unmanaged_lines().iter().map(|l| format!("\n{l}")).collect::<String>()
    )]
    SchemaMismatch(Box<Drift>),
    #[error(
        "{0} is already recorded: this database is adopted; change the entities and use `generate` for what comes next"
    )]
    AlreadyAdopted(String),
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error("{0}")]
    Invalid(String),
}

/// One migration and when it was applied (seconds since the epoch), if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub applied_at: Option<i64>,
}

/// Every known migration in order, plus applied ones this code does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub entries: Vec<Entry>,
    pub unknown: Vec<Entry>,
}

impl Status {
    pub fn pending(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.applied_at.is_none())
    }
}

async fn table_exists<C: ConnectionTrait>(db: &C, table: &str) -> Result<bool, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => format!(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = {}",
            literal(table)
        ),
        _ => format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {}",
            literal(table)
        ),
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0)
        > 0)
}

async fn applied<C: ConnectionTrait>(db: &C) -> Result<Vec<Entry>, DbErr> {
    if !table_exists(db, VERSION_TABLE).await? {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT version, applied_at FROM {} ORDER BY applied_at, version",
        ident(VERSION_TABLE)
    );
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .iter()
        .map(|r| {
            Ok(Entry {
                name: r.try_get_by_index(0)?,
                applied_at: Some(r.try_get_by_index(1)?),
            })
        })
        .collect()
}

/// Applied and pending migrations, and applied ones this code does not know.
pub async fn status<C: ConnectionTrait>(db: &C) -> Result<Status, RunError> {
    status_of::<Migrator, C>(db).await
}

/// [`status`] for any list of migrations (tests use their own).
pub async fn status_of<M: MigratorTrait, C: ConnectionTrait>(db: &C) -> Result<Status, RunError> {
    let applied = applied(db).await?;
    let known: Vec<String> = M::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let entries = known
        .iter()
        .map(|name| Entry {
            name: name.clone(),
            applied_at: applied
                .iter()
                .find(|a| &a.name == name)
                .and_then(|a| a.applied_at),
        })
        .collect();
    let unknown = applied
        .into_iter()
        .filter(|a| !known.contains(&a.name))
        .collect();
    Ok(Status { entries, unknown })
}

/// What the runner did, for the caller to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Applied { name: String, took: Duration },
    RolledBack { name: String, took: Duration },
}

/// Applies pending migrations in order (at most `limit`), each recorded only after it succeeded
/// and only while `lock` is still held.
pub async fn up(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
    limit: Option<u32>,
    report: impl FnMut(Event),
) -> Result<usize, RunError> {
    up_locked::<Migrator>(db, lock, limit, report).await
}

/// [`up`] for any list of migrations, without a lock (tests, scratch databases).
pub async fn up_with<M: MigratorTrait>(
    db: &DatabaseConnection,
    limit: Option<u32>,
    report: impl FnMut(Event),
) -> Result<usize, RunError> {
    up_locked::<M>(db, None, limit, report).await
}

/// [`up`] for any list of migrations.
pub async fn up_locked<M: MigratorTrait>(
    db: &DatabaseConnection,
    mut lock: Option<&mut Lock>,
    limit: Option<u32>,
    mut report: impl FnMut(Event),
) -> Result<usize, RunError> {
    let st = status_of::<M, _>(db).await?;
    if !st.unknown.is_empty() {
        return Err(RunError::UnknownApplied(
            st.unknown.into_iter().map(|e| e.name).collect(),
        ));
    }
    let nothing_recorded = st.entries.iter().all(|e| e.applied_at.is_none());
    if nothing_recorded && db.get_database_backend() == DbBackend::MySql {
        refuse_unadopted(db).await?;
    }
    M::install(db).await?;
    let pending: BTreeSet<String> = st.pending().map(|e| e.name.clone()).collect();
    let mut done = 0;
    for migration in M::migrations() {
        if limit.is_some_and(|l| done >= l as usize) {
            break;
        }
        let name = migration.name().to_string();
        if !pending.contains(&name) {
            continue;
        }
        let started = Instant::now();
        run_one(db, lock.as_deref_mut(), migration.as_ref(), true).await?;
        report(Event::Applied {
            name,
            took: started.elapsed(),
        });
        done += 1;
    }
    Ok(done)
}

/// Rolls back the last `n` applied migrations, newest first, each unrecorded only while `lock`
/// is still held.
pub async fn down(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
    n: u32,
    report: impl FnMut(Event),
) -> Result<usize, RunError> {
    down_locked::<Migrator>(db, lock, n, report).await
}

/// [`down`] for any list of migrations, without a lock (tests, scratch databases).
pub async fn down_with<M: MigratorTrait>(
    db: &DatabaseConnection,
    n: u32,
    report: impl FnMut(Event),
) -> Result<usize, RunError> {
    down_locked::<M>(db, None, n, report).await
}

/// [`down`] for any list of migrations.
pub async fn down_locked<M: MigratorTrait>(
    db: &DatabaseConnection,
    mut lock: Option<&mut Lock>,
    n: u32,
    mut report: impl FnMut(Event),
) -> Result<usize, RunError> {
    let st = status_of::<M, _>(db).await?;
    if !st.unknown.is_empty() {
        return Err(RunError::UnknownApplied(
            st.unknown.into_iter().map(|e| e.name).collect(),
        ));
    }
    let targets = to_roll_back(&st, n);
    let mut done = 0;
    for name in targets {
        let Some(migration) = M::migrations().into_iter().find(|m| m.name() == name) else {
            continue;
        };
        let started = Instant::now();
        run_one(db, lock.as_deref_mut(), migration.as_ref(), false).await?;
        report(Event::RolledBack {
            name,
            took: started.elapsed(),
        });
        done += 1;
    }
    Ok(done)
}

/// The names `down` with `n` would roll back, newest first.
pub fn to_roll_back(status: &Status, n: u32) -> Vec<String> {
    status
        .entries
        .iter()
        .rev()
        .filter(|e| e.applied_at.is_some())
        .take(n as usize)
        .map(|e| e.name.clone())
        .collect()
}

/// Fails with [`RunError::LockLost`] when there is a lock and it is no longer held.
async fn ensure_held(
    lock: Option<&mut Lock>,
    before: impl FnOnce() -> String,
) -> Result<(), RunError> {
    match lock {
        Some(lock) => lock.ensure_held(&before()).await,
        None => Ok(()),
    }
}

async fn run_one(
    db: &DatabaseConnection,
    mut lock: Option<&mut Lock>,
    migration: &dyn MigrationTrait,
    up: bool,
) -> Result<(), RunError> {
    let name = migration.name().to_string();
    let (doing, recording) = if up {
        (
            "applying",
            format!("recording {name} as applied (its up has run)"),
        )
    } else {
        (
            "rolling back",
            format!("removing {name} from {VERSION_TABLE} (its down has run)"),
        )
    };
    ensure_held(lock.as_deref_mut(), || format!("{doing} {name}")).await?;
    let failed = |e: DbErr| RunError::MigrationFailed {
        name: name.clone(),
        message: e.to_string(),
    };
    let record = if up {
        format!(
            "INSERT INTO {} (version, applied_at) VALUES ({}, {})",
            ident(VERSION_TABLE),
            literal(&name),
            chrono::Utc::now().timestamp()
        )
    } else {
        format!(
            "DELETE FROM {} WHERE version = {}",
            ident(VERSION_TABLE),
            literal(&name)
        )
    };
    // SQLite can roll DDL back, so a migration is all or nothing there; MySQL commits each DDL
    // statement, so the failure report names the statement instead.
    if db.get_database_backend() == DbBackend::Sqlite {
        let txn = db.begin().await?;
        let manager = SchemaManager::new(&txn);
        let result = if up {
            migration.up(&manager).await
        } else {
            migration.down(&manager).await
        };
        result.map_err(failed)?;
        txn.execute_unprepared(&record).await?;
        txn.commit().await?;
    } else {
        let manager = SchemaManager::new(db);
        let result = if up {
            migration.up(&manager).await
        } else {
            migration.down(&manager).await
        };
        result.map_err(failed)?;
        ensure_held(lock, || recording).await?;
        db.execute_unprepared(&record).await?;
    }
    Ok(())
}

async fn refuse_unadopted(db: &DatabaseConnection) -> Result<(), RunError> {
    let live = schema::introspect(db, None).await?;
    let ours: BTreeSet<String> = schema::entities()
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect();
    if live.tables.iter().any(|t| ours.contains(&t.name)) {
        let alembic = alembic_revision(db).await?;
        return Err(RunError::NotAdopted {
            alembic: alembic
                .map(|r| format!(" (Alembic revision {r})"))
                .unwrap_or_default(),
        });
    }
    Ok(())
}

async fn alembic_revision<C: ConnectionTrait>(db: &C) -> Result<Option<String>, DbErr> {
    if !table_exists(db, schema::ALEMBIC_VERSION).await? {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT version_num FROM {}", ident(schema::ALEMBIC_VERSION)),
        ))
        .await?;
    row.map(|r| r.try_get_by_index::<String>(0)).transpose()
}

/// The schema the baseline migration builds, computed without a database.
pub fn baseline_schema() -> Result<Schema, RunError> {
    let (_, changes) = changes_of()
        .into_iter()
        .next()
        .ok_or_else(|| RunError::Invalid("no baseline migration is registered".into()))?;
    fold::apply_to(&Schema::default(), &changes).map_err(RunError::Invalid)
}

/// The entity changes no migration carries yet: every migration is applied to a scratch database
/// on `cfg`'s server (named `eorm_check_<pid>_<millis>`, dropped whatever happens), and the schema
/// they build is diffed with the entities.
pub async fn unmigrated_changes(cfg: &DatabaseConfig) -> Result<Vec<Change>, RunError> {
    unmigrated_changes_of::<Migrator>(cfg).await
}

/// [`unmigrated_changes`] for any list of migrations (tests use their own).
pub async fn unmigrated_changes_of<M: MigratorTrait>(
    cfg: &DatabaseConfig,
) -> Result<Vec<Change>, RunError> {
    let name = format!(
        "eorm_check_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let server = cfg.with_database("").connect().await?;
    server
        .execute_unprepared(&format!("CREATE DATABASE {}", ident(&name)))
        .await?;
    let outcome = async {
        let scratch = cfg.with_database(&name).connect().await?;
        let built = async {
            up_with::<M>(&scratch, None, |_| {}).await?;
            Ok::<_, RunError>(schema::introspect(&scratch, Some(&name)).await?)
        }
        .await;
        let _ = scratch.close().await;
        Ok::<_, RunError>(diff(&built?, &schema::entities(), &Renames::default()).changes)
    }
    .await;
    let dropped = server
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {}", ident(&name)))
        .await;
    let _ = server.close().await;
    let changes = outcome?;
    dropped?;
    Ok(changes)
}

/// What `stamp` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamped {
    Recorded(String),
    AlreadyRecorded(String),
}

fn baseline_name() -> Result<String, RunError> {
    Migrator::migrations()
        .first()
        .map(|m| m.name().to_string())
        .ok_or_else(|| RunError::Invalid("no baseline migration is registered".into()))
}

/// Adopts a database built outside these migrations (the Alembic-managed production one): records
/// the baseline as applied without running it, after verifying that the live schema is the
/// baseline's (declared unmanaged tables aside), and that an Alembic-managed database is at head.
#[cfg(feature = "cli")]
pub async fn stamp(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
    unmanaged: &Unmanaged,
) -> Result<Stamped, RunError> {
    let baseline = baseline_name()?;
    if baseline_recorded(db).await? {
        return Ok(Stamped::AlreadyRecorded(baseline));
    }
    let found = adoption_drift(db, unmanaged).await?;
    if !found.differences.is_empty() {
        return Err(RunError::SchemaMismatch(Box::new(found)));
    }
    record_baseline(db, lock).await?;
    Ok(Stamped::Recorded(baseline))
}

/// The default collation of the connection's database (`@@collation_database`).
pub async fn database_collation<C: ConnectionTrait>(db: &C) -> Result<Option<String>, RunError> {
    if db.get_database_backend() != DbBackend::MySql {
        return Ok(None);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT @@collation_database".to_string(),
        ))
        .await?;
    Ok(row.map(|r| r.try_get_by_index::<String>(0)).transpose()?)
}

/// How a database to adopt differs from the baseline, after checking that it can be adopted:
/// an Alembic-managed database must be at head, and no migration may be recorded yet.
#[cfg(feature = "cli")]
pub async fn adoption_drift(
    db: &DatabaseConnection,
    unmanaged: &Unmanaged,
) -> Result<Drift, RunError> {
    if let Some(found) = alembic_revision(db).await?
        && found != ALEMBIC_HEAD
    {
        return Err(RunError::OldAlembic { found });
    }
    if baseline_recorded(db).await? {
        return Err(RunError::AlreadyAdopted(baseline_name()?));
    }
    crate::drift::drift(db, &baseline_schema()?, &Renames::default(), unmanaged).await
}

#[cfg(feature = "cli")]
async fn baseline_recorded(db: &DatabaseConnection) -> Result<bool, RunError> {
    let st = status(db).await?;
    Ok(st.entries.first().is_some_and(|e| e.applied_at.is_some()))
}

/// Records the baseline as applied, without running it, while `lock` is held; returns its name.
pub async fn record_baseline(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
) -> Result<String, RunError> {
    let baseline = baseline_name()?;
    Migrator::install(db).await?;
    ensure_held(lock, || format!("recording {baseline} as applied")).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO {} (version, applied_at) VALUES ({}, {})",
        ident(VERSION_TABLE),
        literal(&baseline),
        chrono::Utc::now().timestamp()
    ))
    .await?;
    Ok(baseline)
}

/// Which way an offline script goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// The SQL of `migrations` (name and changes, in apply order) as one script for the `mysql`
/// client, recording each migration in the version table as it goes. For `Down` the migrations
/// are undone newest first. `database_collation` names the default collation of the database
/// the script is for, when known (see [`plan_for`]).
pub fn script(
    migrations: &[(&str, Vec<Change>)],
    direction: Direction,
    dialect: Dialect,
    database_collation: Option<&str>,
) -> Result<String, RunError> {
    let mut out = String::new();
    out.push_str("-- Eyened schema migrations, generated by `cargo run -p migration -- sql`.\n");
    out.push_str(&format!(
        "CREATE TABLE IF NOT EXISTS {} (`version` varchar(255) NOT NULL PRIMARY KEY, `applied_at` bigint NOT NULL);\n",
        ident(VERSION_TABLE)
    ));
    let ordered: Vec<&(&str, Vec<Change>)> = match direction {
        Direction::Up => migrations.iter().collect(),
        Direction::Down => migrations.iter().rev().collect(),
    };
    for (name, changes) in ordered {
        let (label, changes, record) = match direction {
            Direction::Up => (
                "up",
                changes.clone(),
                format!(
                    "INSERT INTO {} (`version`, `applied_at`) VALUES ({}, UNIX_TIMESTAMP());",
                    ident(VERSION_TABLE),
                    literal(name)
                ),
            ),
            Direction::Down => (
                "down",
                reverse(changes),
                format!(
                    "DELETE FROM {} WHERE `version` = {};",
                    ident(VERSION_TABLE),
                    literal(name)
                ),
            ),
        };
        out.push_str(&format!("\n-- {name} ({label})\n"));
        for sql in plan_for(dialect, &changes, database_collation)? {
            out.push_str(&sql);
            out.push_str(";\n");
        }
        out.push_str(&record);
        out.push('\n');
    }
    Ok(out)
}

/// The migrations from `from` to `to` (inclusive, by name; `None` = first / last).
pub fn select_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<(&'static str, Vec<Change>)>, RunError> {
    let all = changes_of();
    let index = |name: &str| {
        all.iter().position(|(n, _)| *n == name).ok_or_else(|| {
            RunError::Invalid(format!(
                "no migration named {name}; `migration history` lists them"
            ))
        })
    };
    let start = from.map(index).transpose()?.unwrap_or(0);
    let end = to
        .map(index)
        .transpose()?
        .unwrap_or(all.len().saturating_sub(1));
    if start > end {
        return Err(RunError::Invalid(format!(
            "--from {} comes after --to {}",
            from.unwrap_or_default(),
            to.unwrap_or_default()
        )));
    }
    Ok(all.into_iter().skip(start).take(end + 1 - start).collect())
}
