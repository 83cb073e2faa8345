//! `cargo run -p migration -- <command>`: generate, check, apply and inspect the Eyened
//! migrations.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use eyened_orm::config::{self, DatabaseConfig};
use eyened_orm::migrate::render::{self, Purpose};
use eyened_orm::migrate::{Dialect, plan};
use eyened_orm::schema::Change;
use eyened_orm::schema::diff::Renames;
use eyened_orm::schema::{self, Unmanaged};
use eyened_orm::sql::ident;
use migration::changes_of;
use migration::drift::{Difference, Drift, UNMANAGED_FILE, drift};
use migration::files::{self, Position};
use migration::runner::{self, Direction, Event, Lock};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

#[derive(Parser)]
#[command(
    name = "migration",
    about = "Generate, check, apply and inspect the Eyened schema migrations"
)]
struct Cli {
    /// Database URL, e.g. mysql://user:pass@host:3306/eyened (default: DATABASE_URL or DATABASE_*)
    #[arg(short = 'u', long, global = true)]
    database_url: Option<String>,
    /// Read DATABASE_URL or DATABASE_USER/PASSWORD/HOST/PORT/NAME from this .env file
    #[arg(long, global = true)]
    env_file: Option<PathBuf>,
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
}

/// A failure, already worded for the user; `code` is the exit status.
struct Failure {
    message: String,
    code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure {
            message: err.to_string(),
            code: 2,
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    if let Command::Sql {
        from,
        to,
        down,
        pending: false,
        dialect,
    } = &cli.command
    {
        let dialect = parse_dialect(dialect)?;
        let selected = runner::select_range(from.as_deref(), to.as_deref())?;
        let direction = if *down {
            Direction::Down
        } else {
            Direction::Up
        };
        print!("{}", runner::script(&selected, direction, dialect, None)?);
        return Ok(0);
    }
    let cfg = config::resolve(cli.database_url.as_deref(), cli.env_file.as_deref())?;
    // One session for the whole run: the migration lock belongs to the session that took it.
    let db = cfg
        .connect_with(|o| {
            o.max_connections(1).min_connections(1);
        })
        .await?;
    let target = cfg.display();
    let unmanaged = || migration::drift::unmanaged(cli.unmanaged.as_deref());
    match cli.command {
        Command::Generate {
            message,
            renames,
            dir,
            drop_undeclared_tables,
        } => {
            let found = live_drift(&db, &renames, &unmanaged()?).await?;
            generate(&found, &message, &dir, drop_undeclared_tables)
        }
        Command::Check {
            renames,
            migrations,
        } => {
            let found = live_drift(&db, &renames, &unmanaged()?).await?;
            check(&cfg, &found, migrations).await
        }
        Command::Diff {
            renames,
            drop_undeclared_tables,
        } => {
            let found = live_drift(&db, &renames, &unmanaged()?).await?;
            for line in report(&found) {
                println!("-- {}", line.trim_start());
            }
            for line in left_out(&found, drop_undeclared_tables) {
                println!("-- {line}");
            }
            for sql in plan(Dialect::MySql, &found.changes(drop_undeclared_tables))? {
                println!("{sql};");
            }
            Ok(0)
        }
        Command::Adopt {
            message,
            dir,
            drop_undeclared_tables,
        } => {
            let unmanaged = unmanaged()?;
            let lock = Lock::acquire(&db, lock_wait()).await?;
            let result = adopt(
                &db,
                &target,
                &unmanaged,
                &message,
                &dir,
                drop_undeclared_tables,
            )
            .await;
            if let Some(lock) = lock {
                lock.release().await?;
            }
            result
        }
        Command::Sql { dialect, .. } => {
            let dialect = parse_dialect(&dialect)?;
            let st = runner::status(&db).await?;
            if !st.unknown.is_empty() {
                return Err(runner::RunError::UnknownApplied(
                    st.unknown.into_iter().map(|e| e.name).collect(),
                )
                .into());
            }
            let pending: Vec<String> = st.pending().map(|e| e.name.clone()).collect();
            if pending.is_empty() {
                eprintln!("{target} is up to date: no pending migration");
                return Ok(0);
            }
            let selected: Vec<_> = changes_of()
                .into_iter()
                .filter(|(n, _)| pending.iter().any(|p| p == n))
                .collect();
            let collation = runner::database_collation(&db).await?;
            print!(
                "{}",
                runner::script(&selected, Direction::Up, dialect, collation.as_deref())?
            );
            Ok(0)
        }
        Command::Status => {
            let st = runner::status(&db).await?;
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
            Ok(if st.unknown.is_empty() { 0 } else { 1 })
        }
        Command::History => {
            let st = runner::status(&db).await?;
            for ((name, changes), entry) in changes_of().iter().zip(&st.entries) {
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
            Ok(0)
        }
        Command::Stamp => {
            let unmanaged = unmanaged()?;
            let lock = Lock::acquire(&db, lock_wait()).await?;
            let result = runner::stamp(&db, &unmanaged).await;
            if let Some(lock) = lock {
                lock.release().await?;
            }
            match result? {
                runner::Stamped::Recorded(name) => {
                    println!("stamped {target}: {name} recorded as applied (schema verified)")
                }
                runner::Stamped::AlreadyRecorded(name) => {
                    println!("{target} already has {name} recorded; nothing to do")
                }
            }
            Ok(0)
        }
        Command::Up { num } => {
            locked(&db, &target, |db| async move {
                runner::up(db, num, print_event).await
            })
            .await
        }
        Command::Down { num, yes } => {
            let doomed = runner::to_roll_back(&runner::status(&db).await?, num);
            if doomed.is_empty() {
                println!("{target}: nothing to roll back");
                return Ok(0);
            }
            confirm(&format!("roll back {} on {target}", doomed.join(", ")), yes)?;
            locked(&db, &target, |db| async move {
                runner::down(db, num, print_event).await
            })
            .await
        }
        Command::Reset { yes } => {
            let doomed = runner::to_roll_back(&runner::status(&db).await?, u32::MAX);
            confirm(
                &format!(
                    "roll back every migration on {target} ({})",
                    doomed.join(", ")
                ),
                yes,
            )?;
            locked(&db, &target, |db| async move {
                runner::down(db, u32::MAX, print_event).await
            })
            .await
        }
        Command::Refresh { yes } => {
            confirm(
                &format!("roll back and re-apply every migration on {target}"),
                yes,
            )?;
            locked(&db, &target, |db| async move {
                runner::down(db, u32::MAX, print_event).await?;
                runner::up(db, None, print_event).await
            })
            .await
        }
        Command::Fresh { yes } => {
            let tables = all_tables(&db).await?;
            confirm(
                &format!(
                    "DROP these tables of {target}: {}; then apply every migration",
                    tables.join(", ")
                ),
                yes,
            )?;
            locked(&db, &target, |db| async move {
                drop_tables(db, &tables).await?;
                runner::up(db, None, print_event).await
            })
            .await
        }
    }
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

fn print_event(event: Event) {
    match event {
        Event::Applied { name, took } => println!("applied      {name}  {took:.2?}"),
        Event::RolledBack { name, took } => println!("rolled back  {name}  {took:.2?}"),
    }
}

/// How long to wait for another run's migration lock.
fn lock_wait() -> std::time::Duration {
    std::time::Duration::from_secs(
        std::env::var("EYENED_MIGRATION_LOCK_TIMEOUT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    )
}

/// Runs `work` holding the migration lock, released whatever happens.
async fn locked<'a, F, Fut>(
    db: &'a DatabaseConnection,
    target: &str,
    work: F,
) -> Result<u8, Failure>
where
    F: FnOnce(&'a DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = Result<usize, runner::RunError>>,
{
    let started = Instant::now();
    let lock = Lock::acquire(db, lock_wait()).await?;
    let result = work(db).await;
    if let Some(lock) = lock {
        lock.release().await?;
    }
    let count = result?;
    if count == 0 {
        println!("{target}: nothing to do");
    } else {
        println!(
            "{target}: {count} migration(s) in {:.2?}",
            started.elapsed()
        );
    }
    Ok(0)
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

/// Destructive commands ask on a terminal; without one they need `--yes`.
fn confirm(what: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "refusing to {what} without confirmation: no terminal to ask on; pass --yes"
        )
        .into());
    }
    print!("This will {what}. Continue? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
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

async fn check(cfg: &DatabaseConfig, found: &Drift, migrations: bool) -> Result<u8, Failure> {
    let mut code = 0;
    if found.differences.is_empty() {
        println!("in sync: {} matches the entities", cfg.display());
    } else {
        println!(
            "drift: {} differs from the entities in {} ways:",
            cfg.display(),
            found.differences.len()
        );
        code = 1;
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
    if migrations {
        let missing = runner::unmigrated_changes(cfg).await?;
        if missing.is_empty() {
            println!("migrations complete: applying every migration gives the entities' schema");
        } else {
            println!(
                "missing migrations: the entities differ from what the migrations build in {} ways:",
                missing.len()
            );
            for change in &missing {
                println!("  {change}");
            }
            println!(
                "run `cargo run -p migration -- generate \"<message>\"` against a database at the latest migration"
            );
            code = 1;
        }
    }
    Ok(code)
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
) -> Result<u8, Failure> {
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
        return Ok(0);
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
    Ok(0)
}

/// `adopt`: records the baseline on a database built outside the migrations, and writes the
/// migration that takes it to the baseline, when it differs.
async fn adopt(
    db: &DatabaseConnection,
    target: &str,
    unmanaged: &Unmanaged,
    message: &str,
    dir: &Path,
    drop_undeclared: bool,
) -> Result<u8, Failure> {
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
        let baseline = runner::record_baseline(db).await?;
        println!(
            "adopted {target}: {baseline} recorded as applied; the database equals the baseline, no reconciliation needed"
        );
        return Ok(0);
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
    let baseline = match runner::record_baseline(db).await {
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
    Ok(0)
}
