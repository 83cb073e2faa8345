//! `cargo run -p migration -- <command>`: apply and inspect the Eyened migrations.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use eyened_orm::config;
use migration::{Migrator, MigratorTrait};
use sea_orm_migration::MigrationStatus;

#[derive(Parser)]
#[command(
    name = "migration",
    about = "Apply and inspect the Eyened schema migrations"
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
    },
    /// Show applied and pending migrations
    Status,
    /// Drop every table, then apply all migrations
    Fresh,
    /// Roll back all applied migrations, then apply them again
    Refresh,
    /// Roll back all applied migrations
    Reset,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let cfg = config::resolve(cli.database_url.as_deref(), cli.env_file.as_deref())
        .map_err(|e| e.to_string())?;
    let db = cfg.connect().await.map_err(|e| e.to_string())?;
    let target = cfg.display();
    let started = Instant::now();
    let result = match cli.command {
        Command::Up { num } => Migrator::up(&db, num).await,
        Command::Down { num } => Migrator::down(&db, Some(num)).await,
        Command::Fresh => Migrator::fresh(&db).await,
        Command::Refresh => Migrator::refresh(&db).await,
        Command::Reset => Migrator::reset(&db).await,
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
            return Ok(());
        }
    };
    result.map_err(|e| format!("on {target}: {e}"))?;
    println!("done on {target} in {:.2?}", started.elapsed());
    Ok(())
}
