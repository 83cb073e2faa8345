//! `cargo run -p migration -- <command>`: generate, check, apply and inspect the Eyened
//! migrations.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use eyened_orm::config::{self, DatabaseConfig};
use eyened_orm::diff::{Diff, Renames, diff};
use eyened_orm::migrate::{Change, Dialect, Safety, plan, render};
use eyened_orm::schema::{self, Schema};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::MigrationStatus;

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
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/src"))]
        dir: PathBuf,
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
    /// Show applied and pending migrations
    Status,
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
    let cfg = config::resolve(cli.database_url.as_deref(), cli.env_file.as_deref())?;
    let db = cfg.connect().await?;
    let target = cfg.display();
    let started = Instant::now();
    let result = match cli.command {
        Command::Generate {
            message,
            renames,
            dir,
        } => return generate(&db, &message, &renames, &dir).await,
        Command::Check {
            renames,
            migrations,
        } => return check(&cfg, &db, &renames, migrations).await,
        Command::Diff { renames } => {
            let found = live_diff(&db, &renames).await?;
            report(&db, &found).await?;
            for sql in plan(Dialect::MySql, &found.changes)? {
                println!("{sql};");
            }
            return Ok(0);
        }
        Command::Status => {
            let migrations = Migrator::get_migration_with_status(&db)
                .await
                .map_err(|e| format!("cannot read migration status of {target}: {e}"))?;
            println!("migrations of {target}:");
            for m in migrations {
                let status = match m.status() {
                    MigrationStatus::Applied => "applied",
                    MigrationStatus::Pending => "pending",
                };
                println!("  {status:<8} {}", m.name());
            }
            return Ok(0);
        }
        Command::Up { num } => Migrator::up(&db, num).await,
        Command::Down { num, yes } => {
            confirm(&format!("roll back {num} migration(s) on {target}"), yes)?;
            Migrator::down(&db, Some(num)).await
        }
        Command::Fresh { yes } => {
            confirm(
                &format!("drop every table of {target} and re-apply all migrations"),
                yes,
            )?;
            Migrator::fresh(&db).await
        }
        Command::Refresh { yes } => {
            confirm(
                &format!("roll back and re-apply every migration on {target}"),
                yes,
            )?;
            Migrator::refresh(&db).await
        }
        Command::Reset { yes } => {
            confirm(&format!("roll back every migration on {target}"), yes)?;
            Migrator::reset(&db).await
        }
    };
    result.map_err(|e| format!("on {target}: {e}"))?;
    println!("done on {target} in {:.2?}", started.elapsed());
    Ok(0)
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

async fn live_diff(db: &DatabaseConnection, renames: &[String]) -> Result<Diff, Failure> {
    if db.get_database_backend() != DbBackend::MySql {
        return Err(
            "generate, check and diff compare against MySQL/MariaDB; this is not one"
                .to_string()
                .into(),
        );
    }
    let live = schema::introspect(db, None).await?;
    Ok(diff(&live, &schema::entities(), &parse_renames(renames)?))
}

/// Prints one line per change with its safety; NOT NULL changes count the NULLs they would reject.
async fn report(db: &DatabaseConnection, found: &Diff) -> Result<(), Failure> {
    for line in describe(db, &found.changes).await? {
        println!("{line}");
    }
    for pair in &found.possible_renames {
        println!(
            "note: {pair} looks like a rename; if it is, rerun with --rename {}",
            rename_hint(pair)
        );
    }
    Ok(())
}

fn rename_hint(pair: &str) -> String {
    let (old, new) = pair.split_once(" -> ").unwrap_or((pair, ""));
    match (old.split_once('.'), new.split_once('.')) {
        (Some((table, old_col)), Some((_, new_col))) => format!("{table}.{old_col}={new_col}"),
        _ => format!("{old}={new}"),
    }
}

async fn describe(db: &DatabaseConnection, changes: &[Change]) -> Result<Vec<String>, Failure> {
    let mut lines = Vec::new();
    for change in changes {
        let safety = match change.needs_null_count() {
            Some((table, column)) => {
                let nulls = count_nulls(db, table, column).await?;
                if nulls == 0 {
                    Safety::Safe
                } else {
                    Safety::Lossy(format!("{nulls} rows hold NULL and would fail NOT NULL"))
                }
            }
            None => change.safety(),
        };
        lines.push(match safety {
            Safety::Safe => format!("  safe   {change}"),
            Safety::Lossy(why) => format!("  LOSSY  {change} ({why})"),
        });
    }
    Ok(lines)
}

async fn count_nulls(db: &DatabaseConnection, table: &str, column: &str) -> Result<i64, Failure> {
    let q = |n: &str| format!("`{}`", n.replace('`', "``"));
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE {} IS NULL",
        q(table),
        q(column)
    );
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await?
        .ok_or("COUNT(*) returned no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn check(
    cfg: &DatabaseConfig,
    db: &DatabaseConnection,
    renames: &[String],
    migrations: bool,
) -> Result<u8, Failure> {
    let found = live_diff(db, renames).await?;
    let mut code = 0;
    if found.changes.is_empty() {
        println!("in sync: {} matches the entities", cfg.display());
    } else {
        println!(
            "drift: {} differs from the entities in {} ways:",
            cfg.display(),
            found.changes.len()
        );
        report(db, &found).await?;
        code = 1;
    }
    if migrations {
        let missing = unmigrated_changes(cfg).await?;
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

/// Applies every migration to a scratch database on the same server and diffs it with the
/// entities. The scratch database is dropped whatever happens.
async fn unmigrated_changes(cfg: &DatabaseConfig) -> Result<Vec<Change>, Failure> {
    let name = format!(
        "eorm_check_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let server = cfg.with_database("").connect().await?;
    let quoted = format!("`{name}`");
    server
        .execute_unprepared(&format!("CREATE DATABASE {quoted}"))
        .await?;
    let outcome = async {
        let scratch = cfg.with_database(&name).connect().await?;
        Migrator::up(&scratch, None).await?;
        let built: Schema = schema::introspect(&scratch, Some(&name)).await?;
        scratch.close().await?;
        Ok::<_, Failure>(diff(&built, &schema::entities(), &Renames::default()).changes)
    }
    .await;
    server
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}"))
        .await?;
    outcome
}

async fn generate(
    db: &DatabaseConnection,
    message: &str,
    renames: &[String],
    dir: &Path,
) -> Result<u8, Failure> {
    let found = live_diff(db, renames).await?;
    if found.changes.is_empty() {
        println!("in sync: the database matches the entities; no migration written");
        return Ok(0);
    }
    let slug: String = message
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if slug.is_empty() {
        return Err("the migration message needs at least one letter or digit"
            .to_string()
            .into());
    }
    let name = format!("m{}_{slug}", chrono::Utc::now().format("%Y%m%d_%H%M%S"));
    let lines = describe(db, &found.changes).await?;
    let mut doc =
        format!("{message}\n\nGenerated by `cargo run -p migration -- generate`. Changes:\n");
    for line in &lines {
        doc.push_str(&format!("- {}\n", line.trim()));
    }
    let source = render::migration_file(&name, doc.trim_end(), &found.changes);

    let lib = dir.join("lib.rs");
    let registry =
        std::fs::read_to_string(&lib).map_err(|e| format!("cannot read {}: {e}", lib.display()))?;
    let marker = "migrations! {";
    let start = registry.find(marker).ok_or_else(|| {
        format!(
            "{} has no `migrations! {{` list to register the migration in",
            lib.display()
        )
    })?;
    let end = start
        + registry[start..].find("\n}").ok_or_else(|| {
            format!(
                "the `migrations! {{` list in {} is not closed by a `}}` line",
                lib.display()
            )
        })?;
    let updated = format!("{}\n    {name},{}", &registry[..end], &registry[end..]);

    let file = dir.join(format!("{name}.rs"));
    if file.exists() {
        return Err(format!(
            "{} already exists; wait a second and run generate again",
            file.display()
        )
        .into());
    }
    std::fs::write(&file, source).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    if let Err(e) = std::fs::write(&lib, updated) {
        let _ = std::fs::remove_file(&file);
        return Err(format!("cannot register the migration in {}: {e}", lib.display()).into());
    }
    println!(
        "wrote {} ({} changes):",
        file.display(),
        found.changes.len()
    );
    for line in lines {
        println!("{line}");
    }
    for pair in &found.possible_renames {
        println!(
            "note: {pair} looks like a rename; if it is, delete the file and rerun with --rename {}",
            rename_hint(pair)
        );
    }
    println!(
        "registered in {}; review it, then apply with `cargo run -p migration -- up`",
        lib.display()
    );
    Ok(0)
}
