//! `eorm dataset`: fill an empty database with generated, Eyened-shaped data.

use std::time::Instant;

use eyened_orm::cli::{ConnectArgs, Exit, OutputArgs, fail, print_json};
use eyened_orm::dataset::{self, DatasetOptions};
use sea_orm::ConnectionTrait;

/// Fill an empty Eyened database with generated, Eyened-shaped data (all 40 tables), for tests
/// and benchmarks. The same seed always gives the same rows.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Number of patients (about 17 images, 250 rows and 80 KiB each, see --blob-bytes)
    #[arg(short = 'n', long, default_value_t = 100)]
    pub patients: u32,
    /// Random seed: the same seed gives the same data
    #[arg(short = 's', long, default_value_t = 1)]
    pub seed: u64,
    /// Mean size of the annotation data blobs, in bytes (0: none)
    #[arg(long, default_value_t = 4096, value_name = "BYTES")]
    pub blob_bytes: u32,
    /// Create the database if missing and the 40 tables (from the entity registry) plus an
    /// `alembic_version` table at the Alembic head, before generating
    #[arg(long)]
    pub create_schema: bool,
    /// No progress bar (it is also off when stderr is not a terminal)
    #[arg(long)]
    pub no_progress: bool,
}

/// The Alembic head that the baseline corresponds to.
const ALEMBIC_HEAD: &str = "10d5ab598dc7";

/// Runs `eorm dataset`.
pub async fn run(args: Args, output: OutputArgs) -> Exit {
    match generate(&args, output).await {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let _ = fail(output.json, &e, Exit::Error);
            Exit::Error
        }
    }
}

async fn generate(args: &Args, output: OutputArgs) -> Result<(), String> {
    let db = args.connect.resolve().map_err(|e| e.to_string())?;
    let name = db
        .database()
        .filter(|d| !d.is_empty())
        .ok_or("the settings name no database (DATABASE_NAME or the URL's path)")?
        .to_owned();
    if args.create_schema {
        create_database(&db, &name).await?;
    }
    let conn = db.connect().await.map_err(|e| e.to_string())?;
    if args.create_schema {
        create_tables(&conn).await?;
    }
    let options = DatasetOptions {
        seed: args.seed,
        patients: args.patients,
        blob_bytes: args.blob_bytes,
        ..DatasetOptions::default()
    };
    let started = Instant::now();
    let progress = crate::bars::Bars::shown_if(!args.no_progress, 8);
    progress.step("patients");
    progress.length(u64::from(args.patients));
    let counts =
        dataset::generate_with_progress(&conn, &options, &mut |done| progress.position(done))
            .await
            .map_err(|e| e.to_string())?;
    progress.finish();
    let _ = conn.close().await;
    if output.json {
        print_json(&serde_json::json!({
            "database": db.display(),
            "seed": args.seed,
            "patients": args.patients,
            "rows": counts.0,
            "seconds": started.elapsed().as_secs_f64(),
        }));
        return Ok(());
    }
    for (table, n) in &counts.0 {
        println!("{table:<24} {n:>10}");
    }
    println!(
        "generated {} rows ({} patients, seed {}) into {} in {:.1}s",
        counts.total(),
        args.patients,
        args.seed,
        db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn create_database(
    db: &eyened_orm::config::DatabaseConfig,
    name: &str,
) -> Result<(), String> {
    let server = eyened_orm::config::DatabaseConfig::from_url(&db.server_url())
        .map_err(|e| e.to_string())?;
    let conn = server.connect().await.map_err(|e| e.to_string())?;
    conn.execute_unprepared(&format!(
        "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
        eyened_orm::sql::ident(name)
    ))
    .await
    .map_err(|e| format!("creating database {name}: {e}"))?;
    let _ = conn.close().await;
    Ok(())
}

async fn create_tables(conn: &sea_orm::DatabaseConnection) -> Result<(), String> {
    let changes: Vec<_> = eyened_orm::schema::entities()
        .tables
        .into_iter()
        .map(eyened_orm::schema::Change::AddTable)
        .collect();
    eyened_orm::migrate::apply(conn, &changes)
        .await
        .map_err(|e| format!("creating the tables: {e}"))?;
    conn.execute_unprepared(&format!(
        "CREATE TABLE `alembic_version` (`version_num` VARCHAR(32) NOT NULL, PRIMARY KEY (`version_num`)); \
         INSERT INTO `alembic_version` VALUES ('{ALEMBIC_HEAD}')"
    ))
    .await
    .map_err(|e| format!("creating alembic_version: {e}"))?;
    Ok(())
}
