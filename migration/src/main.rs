//! `cargo run -p migration -- <command>`: generate, check, apply and inspect the Eyened
//! migrations.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser, Subcommand};
use eyened_orm::cli::{self, ConnectArgs, Exit, OutputArgs};
use eyened_orm::config::DatabaseConfig;
use eyened_orm::migrate::render::{self, Purpose};
use eyened_orm::migrate::{Dialect, plan};
use eyened_orm::schema::diff::Renames;
use eyened_orm::schema::{self, Unmanaged};
use eyened_orm::schema::{Change, Safety};
use eyened_orm::sql::ident;
use migration::changes_of;
use migration::drift::{Difference, Drift, UNMANAGED_FILE, drift};
use migration::files::{self, Position};
use migration::runner::{self, Direction, Event, Lock};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

#[derive(Parser)]
#[command(
    name = "migration",
    version,
    about = "Generate, check, apply and inspect the Eyened schema migrations",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Unmanaged-table declarations to use instead of the checked-in migration/unmanaged.toml
    #[arg(long, global = true, value_name = "FILE")]
    unmanaged: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare the entities with the live database and write a migration for the difference
    Generate {
        /// What the migration does, e.g. "add study round"
        message: String,
        /// Declare a rename instead of drop + add: Table.old=new or OldTable=NewTable
        #[arg(long = "rename", value_name = "SPEC")]
        renames: Vec<String>,
        /// Directory of the migration crate's sources
        #[arg(long, default_value = migration::files::SOURCE_DIR)]
        dir: PathBuf,
        /// Also drop tables that are neither entities nor declared unmanaged, with their rows
        #[arg(long)]
        drop_undeclared_tables: bool,
    },
    /// Exit 0 when the live database matches the entities, 1 on drift (each difference printed), 2 on error
    Check {
        #[arg(long = "rename", value_name = "SPEC")]
        renames: Vec<String>,
        /// Also apply all migrations to a scratch database and report entity changes with no migration yet
        #[arg(long)]
        migrations: bool,
    },
    /// Print the SQL that would bring the live database to the entities, writing nothing
    Diff {
        #[arg(long = "rename", value_name = "SPEC")]
        renames: Vec<String>,
        /// Also drop tables that are neither entities nor declared unmanaged, with their rows
        #[arg(long)]
        drop_undeclared_tables: bool,
    },
    /// Apply pending migrations
    Up {
        /// Apply at most this many
        #[arg(short = 'n', long)]
        num: Option<u32>,
    },
    /// Roll back applied migrations (the last one unless -n is given)
    Down {
        #[arg(short = 'n', long, default_value_t = 1)]
        num: u32,
        /// Do not ask for confirmation (required without a terminal)
        #[arg(long)]
        yes: bool,
    },
    /// Show applied and pending migrations, with when they were applied
    Status,
    /// List every migration with its changes, and whether it is applied
    History,
    /// Adopt a database built by Alembic that equals the baseline: record the baseline as applied
    Stamp,
    /// Adopt a database built by Alembic that differs from the baseline: record the baseline and
    /// write a reconciliation migration whose `up` takes the database to it
    Adopt {
        /// What the reconciliation is, e.g. "reconcile production"
        #[arg(default_value = "reconcile production")]
        message: String,
        /// Directory of the migration crate's sources
        #[arg(long, default_value = migration::files::SOURCE_DIR)]
        dir: PathBuf,
        /// Also drop tables that are neither entities nor declared unmanaged, with their rows
        #[arg(long)]
        drop_undeclared_tables: bool,
    },
    /// Print the SQL of the migrations for the mysql client; no database needed (except --pending)
    Sql {
        /// First migration to include (default: the first)
        #[arg(long)]
        from: Option<String>,
        /// Last migration to include (default: the last)
        #[arg(long)]
        to: Option<String>,
        /// Print the rollback script instead (newest first)
        #[arg(long)]
        down: bool,
        /// Only the migrations the database (-u / --env-file) has not applied yet
        #[arg(long, conflicts_with_all = ["from", "to", "down"])]
        pending: bool,
        /// SQL dialect: mysql (default) or sqlite
        #[arg(long, default_value = "mysql")]
        dialect: String,
    },
    /// Drop every table, then apply all migrations
    Fresh {
        #[arg(long)]
        yes: bool,
    },
    /// Roll back all applied migrations, then apply them again
    Refresh {
        #[arg(long)]
        yes: bool,
    },
    /// Roll back all applied migrations
    Reset {
        #[arg(long)]
        yes: bool,
    },
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// A failure, already worded for the user.
struct Failure {
    message: String,
    exit: Exit,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure {
            message: err.to_string(),
            exit: Exit::Error,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging(cli.output.verbose);
    let json = cli.output.json;
    let result = tokio::select! {
        result = run(cli) => result,
        name = interrupted() => Err(Failure {
            message: format!("interrupted ({name}); a migration under way may have run part of its statements: `status` and `check` tell"),
            exit: Exit::Interrupted,
        }),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => cli::fail(json, &failure.message, failure.exit),
    }
}

/// Resolves on Ctrl-C or SIGTERM with the signal's name.
async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "Ctrl-C",
            _ = term.recv() => "SIGTERM",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

impl Command {
    /// Whether the command writes to the database, and so runs under the migration lock.
    fn writes(&self) -> bool {
        match self {
            Command::Up { .. }
            | Command::Down { .. }
            | Command::Stamp
            | Command::Adopt { .. }
            | Command::Fresh { .. }
            | Command::Refresh { .. }
            | Command::Reset { .. } => true,
            Command::Generate { .. }
            | Command::Check { .. }
            | Command::Diff { .. }
            | Command::Status
            | Command::History
            | Command::Sql { .. }
            | Command::Completions { .. } => false,
        }
    }
}

/// What every database command works with.
struct Context<'a> {
    db: &'a DatabaseConnection,
    cfg: &'a DatabaseConfig,
    /// `user@host:port/db`, for messages.
    target: String,
    json: bool,
    unmanaged: Option<PathBuf>,
}

async fn run(cli: Cli) -> Result<Exit, Failure> {
    let Cli {
        connect,
        output,
        unmanaged,
        command,
    } = cli;
    match command {
        Command::Completions { shell } => {
            cli::print_completions(Cli::command(), shell);
            return Ok(Exit::Ok);
        }
        Command::Sql {
            from,
            to,
            down,
            pending: false,
            dialect,
        } => return offline_sql(from, to, down, &dialect),
        _ => {}
    }
    let cfg = connect.resolve()?;
    // One session for the run's statements, never recycled: `fresh` turns foreign-key checks off
    // for the session that drops the tables. The migration lock has a connection of its own.
    let db = cfg
        .connect_with(|o| {
            o.max_connections(1)
                .min_connections(1)
                .max_lifetime(None::<Duration>)
                .idle_timeout(None::<Duration>);
        })
        .await?;
    // Taken before anything is read, so that what a prompt lists is what the run then does.
    let mut lock = if command.writes() {
        Lock::acquire(&db, lock_wait()?).await?
    } else {
        None
    };
    let context = Context {
        db: &db,
        cfg: &cfg,
        target: cfg.display(),
        json: output.json,
        unmanaged,
    };
    let outcome = execute(&context, lock.as_mut(), command).await;
    // Whatever happened the lock goes; an error leaves early and drops it, which closes its
    // connection and so releases it too.
    let released = match lock {
        Some(lock) => lock.release().await,
        None => Ok(()),
    };
    let exit = outcome?;
    released?;
    Ok(exit)
}

/// Runs a database command; `lock` is held when the command writes (and the database is MySQL).
async fn execute(
    context: &Context<'_>,
    lock: Option<&mut Lock>,
    command: Command,
) -> Result<Exit, Failure> {
    let Context {
        db,
        cfg,
        ref target,
        json,
        ref unmanaged,
    } = *context;
    let declared = || migration::drift::unmanaged(unmanaged.as_deref());
    match command {
        Command::Generate {
            message,
            renames,
            dir,
            drop_undeclared_tables,
        } => {
            let found = live_drift(db, &renames, &declared()?).await?;
            generate(&found, &message, &dir, drop_undeclared_tables)
        }
        Command::Check {
            renames,
            migrations,
        } => {
            let found = live_drift(db, &renames, &declared()?).await?;
            check(cfg, &found, migrations, json).await
        }
        Command::Diff {
            renames,
            drop_undeclared_tables,
        } => {
            let found = live_drift(db, &renames, &declared()?).await?;
            diff(&found, drop_undeclared_tables, json)
        }
        Command::Adopt {
            message,
            dir,
            drop_undeclared_tables,
        } => {
            let unmanaged = declared()?;
            adopt(
                db,
                lock,
                target,
                &unmanaged,
                &message,
                &dir,
                drop_undeclared_tables,
            )
            .await
        }
        Command::Sql { dialect, .. } => pending_sql(db, target, &dialect).await,
        Command::Status => status(db, target, json).await,
        Command::History => history(db, json).await,
        Command::Stamp => {
            match runner::stamp(db, lock, &declared()?).await? {
                runner::Stamped::Recorded(name) => {
                    println!("stamped {target}: {name} recorded as applied (schema verified)")
                }
                runner::Stamped::AlreadyRecorded(name) => {
                    println!("{target} already has {name} recorded; nothing to do")
                }
            }
            Ok(Exit::Ok)
        }
        Command::Up { num } => {
            migrate(db, target, json, |db, events| async move {
                runner::up(db, lock, num, events).await
            })
            .await
        }
        Command::Down { num, yes } => down(db, lock, target, num, yes, json).await,
        Command::Reset { yes } => {
            let doomed = runner::to_roll_back(&runner::status(db).await?, u32::MAX);
            ask(&roll_back_question(&doomed, target, ""), yes)?;
            migrate(db, target, json, |db, events| async move {
                runner::down(db, lock, u32::MAX, events).await
            })
            .await
        }
        Command::Refresh { yes } => {
            let doomed = runner::to_roll_back(&runner::status(db).await?, u32::MAX);
            ask(
                &roll_back_question(&doomed, target, ", then apply every migration again"),
                yes,
            )?;
            migrate(db, target, json, |db, mut events| async move {
                let mut lock = lock;
                runner::down(db, lock.as_deref_mut(), u32::MAX, &mut events).await?;
                runner::up(db, lock, None, events).await
            })
            .await
        }
        Command::Fresh { yes } => {
            let tables = all_tables(db).await?;
            ask(
                &format!(
                    "DROP these tables of {target}: {}; then apply every migration",
                    tables.join(", ")
                ),
                yes,
            )?;
            migrate(db, target, json, |db, events| async move {
                drop_tables(db, &tables).await?;
                runner::up(db, lock, None, events).await
            })
            .await
        }
        Command::Completions { .. } => Ok(Exit::Ok),
    }
}

/// `sql` without `--pending`: the script of a range of migrations, with no database.
fn offline_sql(
    from: Option<String>,
    to: Option<String>,
    down: bool,
    dialect: &str,
) -> Result<Exit, Failure> {
    let dialect = parse_dialect(dialect)?;
    let selected = runner::select_range(from.as_deref(), to.as_deref())?;
    let direction = if down { Direction::Down } else { Direction::Up };
    print!("{}", runner::script(&selected, direction, dialect, None)?);
    Ok(Exit::Ok)
}

/// `sql --pending`: the script of what the database has not applied, for the DBA.
async fn pending_sql(
    db: &DatabaseConnection,
    target: &str,
    dialect: &str,
) -> Result<Exit, Failure> {
    let dialect = parse_dialect(dialect)?;
    let st = runner::status(db).await?;
    if !st.unknown.is_empty() {
        return Err(runner::RunError::UnknownApplied(
            st.unknown.into_iter().map(|e| e.name).collect(),
        )
        .into());
    }
    let pending: Vec<String> = st.pending().map(|e| e.name.clone()).collect();
    if pending.is_empty() {
        eprintln!("{target} is up to date: no pending migration");
        return Ok(Exit::Ok);
    }
    let selected: Vec<_> = changes_of()
        .into_iter()
        .filter(|(n, _)| pending.iter().any(|p| p == n))
        .collect();
    let collation = runner::database_collation(db).await?;
    print!(
        "{}",
        runner::script(&selected, Direction::Up, dialect, collation.as_deref())?
    );
    Ok(Exit::Ok)
}

/// `status`: applied and pending migrations; exit 1 when the database has applied migrations
/// this code does not know.
async fn status(db: &DatabaseConnection, target: &str, json: bool) -> Result<Exit, Failure> {
    let st = runner::status(db).await?;
    let exit = if st.unknown.is_empty() {
        Exit::Ok
    } else {
        Exit::Problems
    };
    if json {
        let entry = |e: &runner::Entry| serde_json::json!({ "name": e.name, "applied_at": e.applied_at.map(when) });
        cli::print_json(&serde_json::json!({
            "database": target,
            "migrations": st.entries.iter().map(entry).collect::<Vec<_>>(),
            "unknown": st.unknown.iter().map(entry).collect::<Vec<_>>(),
        }));
        return Ok(exit);
    }
    println!("migrations of {target}:");
    for e in &st.entries {
        match e.applied_at {
            Some(at) => println!("  applied  {}  {}", e.name, when(at)),
            None => println!("  pending  {}", e.name),
        }
    }
    for e in &st.unknown {
        println!(
            "  UNKNOWN  {}  {}  applied here but not in this code: it comes from another branch; merge it before migrating",
            e.name,
            e.applied_at.map(when).unwrap_or_default()
        );
    }
    Ok(exit)
}

/// `history`: every migration with its changes, and whether it is applied.
async fn history(db: &DatabaseConnection, json: bool) -> Result<Exit, Failure> {
    let st = runner::status(db).await?;
    let all = changes_of();
    if json {
        let list: Vec<serde_json::Value> = all
            .iter()
            .zip(&st.entries)
            .map(|((name, changes), entry)| {
                serde_json::json!({
                    "name": name,
                    "applied_at": entry.applied_at.map(when),
                    "changes": changes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        cli::print_json(&list);
        return Ok(Exit::Ok);
    }
    for ((name, changes), entry) in all.iter().zip(&st.entries) {
        let state = entry
            .applied_at
            .map(when)
            .unwrap_or_else(|| "pending".to_string());
        println!("{name}  ({} changes)  {state}", changes.len());
        for change in changes.iter().take(12) {
            println!("    {change}");
        }
        if changes.len() > 12 {
            println!("    ... and {} more", changes.len() - 12);
        }
    }
    Ok(Exit::Ok)
}

/// `down`: asks, naming the migrations it rolls back; rolling back the baseline drops every
/// Eyened table, and the question says so.
async fn down(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
    target: &str,
    num: u32,
    yes: bool,
    json: bool,
) -> Result<Exit, Failure> {
    let doomed = runner::to_roll_back(&runner::status(db).await?, num);
    if doomed.is_empty() {
        println!("{target}: nothing to roll back");
        return Ok(Exit::Ok);
    }
    ask(&roll_back_question(&doomed, target, ""), yes)?;
    migrate(db, target, json, |db, events| async move {
        runner::down(db, lock, num, events).await
    })
    .await
}

/// What rolling back `doomed` does, for the confirmation prompt (`then` is what follows); when
/// the baseline is among them it says that every Eyened table goes, with its rows.
fn roll_back_question(doomed: &[String], target: &str, then: &str) -> String {
    let baseline = changes_of().first().map(|(name, _)| *name);
    let mut what = if doomed.is_empty() {
        format!("roll back nothing on {target} (no migration is applied)")
    } else {
        format!("roll back {} on {target}", doomed.join(", "))
    };
    if doomed.iter().any(|d| Some(d.as_str()) == baseline) {
        what.push_str(", which drops every Eyened table and all their rows");
    }
    what.push_str(then);
    what
}

fn parse_dialect(name: &str) -> Result<Dialect, Failure> {
    match name.to_ascii_lowercase().as_str() {
        "mysql" | "mariadb" => Ok(Dialect::MySql),
        "sqlite" => Ok(Dialect::Sqlite),
        other => Err(format!("unknown dialect `{other}`: use mysql or sqlite").into()),
    }
}

fn when(epoch_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| epoch_seconds.to_string())
}

fn print_event(event: &Event) {
    match event {
        Event::Applied { name, took } => println!("applied      {name}  {took:.2?}"),
        Event::RolledBack { name, took } => println!("rolled back  {name}  {took:.2?}"),
    }
}

/// The variable that sets how long to wait for another run's migration lock, in seconds.
const LOCK_TIMEOUT_VAR: &str = "EYENED_MIGRATION_LOCK_TIMEOUT";

/// How long to wait for another run's migration lock: [`LOCK_TIMEOUT_VAR`], else 5 minutes.
fn lock_wait() -> Result<Duration, Failure> {
    let Ok(text) = std::env::var(LOCK_TIMEOUT_VAR) else {
        return Ok(Duration::from_secs(300));
    };
    text.trim().parse().map(Duration::from_secs).map_err(|_| {
        format!("{LOCK_TIMEOUT_VAR} must be a whole number of seconds to wait for the migration lock, not `{text}`").into()
    })
}

/// Where the runner reports each migration it applied or rolled back.
type Events = Box<dyn FnMut(Event) + Send>;

/// Runs `work` (applying or rolling back migrations): each migration is printed as it is done,
/// or with `--json` all of them at the end.
async fn migrate<'a, F, Fut>(
    db: &'a DatabaseConnection,
    target: &str,
    json: bool,
    work: F,
) -> Result<Exit, Failure>
where
    F: FnOnce(&'a DatabaseConnection, Events) -> Fut,
    Fut: std::future::Future<Output = Result<usize, runner::RunError>>,
{
    let started = Instant::now();
    let done = Arc::new(Mutex::new(Vec::new()));
    let events: Events = {
        let done = Arc::clone(&done);
        Box::new(move |event: Event| {
            if !json {
                print_event(&event);
            }
            done.lock().unwrap_or_else(|e| e.into_inner()).push(event);
        })
    };
    let count = work(db, events).await?;
    let took = started.elapsed();
    if json {
        let done = done.lock().unwrap_or_else(|e| e.into_inner());
        let list: Vec<serde_json::Value> = done
            .iter()
            .map(|e| match e {
                Event::Applied { name, took } => serde_json::json!({
                    "applied": name, "seconds": took.as_secs_f64()
                }),
                Event::RolledBack { name, took } => serde_json::json!({
                    "rolled_back": name, "seconds": took.as_secs_f64()
                }),
            })
            .collect();
        cli::print_json(&serde_json::json!({
            "database": target, "migrations": list, "seconds": took.as_secs_f64()
        }));
    } else if count == 0 {
        println!("{target}: nothing to do");
    } else {
        println!("{target}: {count} migration(s) in {took:.2?}");
    }
    Ok(Exit::Ok)
}

async fn all_tables(db: &DatabaseConnection) -> Result<Vec<String>, Failure> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        _ => {
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_string(),
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?)
}

async fn drop_tables(
    db: &DatabaseConnection,
    tables: &[String],
) -> Result<usize, runner::RunError> {
    let mysql = db.get_database_backend() == DbBackend::MySql;
    if mysql {
        db.execute_unprepared("SET FOREIGN_KEY_CHECKS = 0").await?;
    } else {
        db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    }
    for table in tables {
        db.execute_unprepared(&format!("DROP TABLE {}", ident(table)))
            .await?;
    }
    if mysql {
        db.execute_unprepared("SET FOREIGN_KEY_CHECKS = 1").await?;
    } else {
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(tables.len())
}

/// Destructive commands ask on a terminal (on stderr); without one they need `--yes`.
fn ask(what: &str, yes: bool) -> Result<(), Failure> {
    if cli::confirm(what, yes)? {
        Ok(())
    } else {
        Err("cancelled; nothing was changed".to_string().into())
    }
}

fn parse_renames(specs: &[String]) -> Result<Renames, Failure> {
    let mut renames = Renames::default();
    for spec in specs {
        renames.add(spec)?;
    }
    Ok(renames)
}

/// How the live database differs from the entities.
async fn live_drift(
    db: &DatabaseConnection,
    renames: &[String],
    unmanaged: &Unmanaged,
) -> Result<Drift, Failure> {
    Ok(drift(db, &schema::entities(), &parse_renames(renames)?, unmanaged).await?)
}

/// One line per difference with its class and safety, then the rename hints.
fn report(found: &Drift) -> Vec<String> {
    let mut lines: Vec<String> = found.differences.iter().map(|d| d.line()).collect();
    for pair in &found.possible_renames {
        lines.push(format!(
            "note: {pair} looks like a rename; if it is, rerun with --rename {}",
            rename_hint(pair)
        ));
    }
    lines
}

/// What a migration leaves out unless asked: dropping undeclared tables.
fn left_out(found: &Drift, drop_undeclared: bool) -> Vec<String> {
    if drop_undeclared {
        return Vec::new();
    }
    found
        .undeclared_tables()
        .into_iter()
        .map(|table| {
            format!(
                "left out: DROP TABLE {table}; declare the table in {UNMANAGED_FILE} to keep it, or pass --drop-undeclared-tables to drop it"
            )
        })
        .collect()
}

fn rename_hint(pair: &str) -> String {
    let (old, new) = pair.split_once(" -> ").unwrap_or((pair, ""));
    match (old.split_once('.'), new.split_once('.')) {
        (Some((table, old_col)), Some((_, new_col))) => format!("{table}.{old_col}={new_col}"),
        _ => format!("{old}={new}"),
    }
}

/// A difference as JSON: its change, class and safety.
fn difference_json(d: &Difference) -> serde_json::Value {
    let (safe, risk) = match &d.safety {
        Safety::Safe => (true, None),
        Safety::Lossy(why) => (false, Some(why.clone())),
    };
    serde_json::json!({
        "change": d.change.to_string(),
        "table": d.change.table(),
        "class": d.class.as_str(),
        "safe": safe,
        "risk": risk,
    })
}

/// `check`: exit 0 in sync, 1 on drift (or on entity changes no migration carries, with
/// `--migrations`).
async fn check(
    cfg: &DatabaseConfig,
    found: &Drift,
    migrations: bool,
    json: bool,
) -> Result<Exit, Failure> {
    let missing = if migrations {
        Some(runner::unmigrated_changes(cfg).await?)
    } else {
        None
    };
    let in_sync = found.differences.is_empty();
    let complete = missing.as_ref().is_none_or(|m| m.is_empty());
    let exit = if in_sync && complete {
        Exit::Ok
    } else {
        Exit::Problems
    };
    if json {
        cli::print_json(&serde_json::json!({
            "database": cfg.display(),
            "in_sync": in_sync,
            "differences": found.differences.iter().map(difference_json).collect::<Vec<_>>(),
            "possible_renames": found.possible_renames,
            "unmanaged": found.unmanaged.iter().map(|u| serde_json::json!({
                "table": u.table, "rows": u.rows, "reason": u.reason
            })).collect::<Vec<_>>(),
            "missing_migrations": missing.as_ref().map(|m| m.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
        }));
        return Ok(exit);
    }
    if in_sync {
        println!("in sync: {} matches the entities", cfg.display());
    } else {
        println!(
            "drift: {} differs from the entities in {}:",
            cfg.display(),
            migration::drift::ways(found.differences.len())
        );
    }
    for line in report(found) {
        println!("{line}");
    }
    if !found.unmanaged.is_empty() {
        println!(
            "unmanaged: {} table(s) declared in {UNMANAGED_FILE}, left alone:",
            found.unmanaged.len()
        );
        for line in found.unmanaged_lines() {
            println!("{line}");
        }
    }
    match missing {
        Some(missing) if missing.is_empty() => {
            println!("migrations complete: applying every migration gives the entities' schema");
        }
        Some(missing) => {
            println!(
                "missing migrations: the entities differ from what the migrations build in {}:",
                migration::drift::ways(missing.len())
            );
            for change in &missing {
                println!("  {change}");
            }
            println!(
                "run `cargo run -p migration -- generate \"<message>\"` against a database at the latest migration"
            );
        }
        None => {}
    }
    Ok(exit)
}

/// `diff`: the SQL that would bring the database to the entities, writing nothing.
fn diff(found: &Drift, drop_undeclared: bool, json: bool) -> Result<Exit, Failure> {
    let statements = plan(Dialect::MySql, &found.changes(drop_undeclared))?;
    if json {
        cli::print_json(&serde_json::json!({
            "differences": found.differences.iter().map(difference_json).collect::<Vec<_>>(),
            "left_out": left_out(found, drop_undeclared),
            "statements": statements,
        }));
        return Ok(Exit::Ok);
    }
    for line in report(found) {
        println!("-- {}", line.trim_start());
    }
    for line in left_out(found, drop_undeclared) {
        println!("-- {line}");
    }
    for sql in statements {
        println!("{sql};");
    }
    Ok(Exit::Ok)
}

/// The module comment of a generated migration: the message, then one line per change.
fn file_doc(message: &str, command: &str, differences: &[&Difference]) -> String {
    let mut doc =
        format!("{message}\n\nGenerated by `cargo run -p migration -- {command}`. Changes:\n");
    for d in differences {
        doc.push_str(&format!("- {}\n", d.line().trim()));
    }
    doc.trim_end().to_string()
}

fn generate(
    found: &Drift,
    message: &str,
    dir: &Path,
    drop_undeclared: bool,
) -> Result<Exit, Failure> {
    let kept: Vec<&Difference> = found
        .differences
        .iter()
        .filter(|d| drop_undeclared || !d.is_undeclared_drop())
        .collect();
    for line in left_out(found, drop_undeclared) {
        println!("{line}");
    }
    if kept.is_empty() {
        println!("in sync: the database matches the entities; no migration written");
        return Ok(Exit::Ok);
    }
    let name = files::migration_name(message, chrono::Utc::now())?;
    let changes: Vec<Change> = kept.iter().map(|d| d.change.clone()).collect();
    let source = render::migration_file(&name, &file_doc(message, "generate", &kept), &changes);
    let written = files::write_migration(dir, &name, &source, Position::Last)?;
    println!(
        "wrote {} ({} changes):",
        files::shown(&written.file).display(),
        kept.len()
    );
    for d in &kept {
        println!("{}", d.line());
    }
    for pair in &found.possible_renames {
        println!(
            "note: {pair} looks like a rename; if it is, delete the file and rerun with --rename {}",
            rename_hint(pair)
        );
    }
    println!(
        "registered in {}; review it, then apply with `cargo run -p migration -- up`",
        files::shown(&written.lib).display()
    );
    Ok(Exit::Ok)
}

/// `adopt`: records the baseline on a database built outside the migrations, and writes the
/// migration that takes it to the baseline, when it differs.
async fn adopt(
    db: &DatabaseConnection,
    lock: Option<&mut Lock>,
    target: &str,
    unmanaged: &Unmanaged,
    message: &str,
    dir: &Path,
    drop_undeclared: bool,
) -> Result<Exit, Failure> {
    let found = runner::adoption_drift(db, unmanaged).await?;
    let kept: Vec<&Difference> = found
        .differences
        .iter()
        .filter(|d| drop_undeclared || !d.is_undeclared_drop())
        .collect();
    for line in found.unmanaged_lines() {
        println!("{line}");
    }
    for line in left_out(&found, drop_undeclared) {
        println!("{line}");
    }
    if kept.is_empty() {
        let baseline = runner::record_baseline(db, lock).await?;
        println!(
            "adopted {target}: {baseline} recorded as applied; the database equals the baseline, no reconciliation needed"
        );
        return Ok(Exit::Ok);
    }
    let name = files::migration_name(message, chrono::Utc::now())?;
    let changes: Vec<Change> = kept.iter().map(|d| d.change.clone()).collect();
    let source = render::render_file(
        &name,
        &file_doc(message, "adopt", &kept),
        &changes,
        Purpose::Reconciliation,
    );
    let written = files::write_migration(dir, &name, &source, Position::AfterBaseline)?;
    let baseline = match runner::record_baseline(db, lock).await {
        Ok(baseline) => baseline,
        Err(e) => {
            written.undo()?;
            return Err(e.into());
        }
    };
    println!("adopted {target}: {baseline} recorded as applied");
    println!(
        "wrote {} ({} changes, from this database to the baseline):",
        files::shown(&written.file).display(),
        kept.len()
    );
    for d in &kept {
        println!("{}", d.line());
    }
    println!(
        "registered in {} after the baseline. Next: review the file; `cargo run -p migration -- sql --pending` prints its SQL for the DBA; `cargo run -p migration -- up` applies it (on databases built by `up` it changes nothing)",
        files::shown(&written.lib).display()
    );
    Ok(Exit::Ok)
}
