//! `eorm`: command-line tools of the Eyened ORM.
//!
//! ```text
//! eorm database-mirror-full -c transfer-config.yml [--dry-run] [--yes] [--workers N]
//! eorm database-mirror-test -c transfer-config.yml [--dry-run] [--yes]
//! eorm dataset --env-file test.env --patients 500 [--seed 1] [--create-schema]
//! ```
//!
//! Passwords are never taken on the command line of the mirror commands (they come from the
//! config file, an env file or an environment variable), so they never appear in `ps`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use eyened_orm::config;
use eyened_orm::dataset::{self, DatasetOptions};
use eyened_orm::mirror::{self, MirrorError, Mode, Options, RunState, ServerSide, ui::Ui};
use sea_orm::ConnectionTrait;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "eorm",
    version,
    about = "Command-line tools of the Eyened ORM",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy a whole database (schema and every row) into a target database, e.g. production
    /// into a test server, through a verified staging copy.
    ///
    /// The target is replaced only after the copy has been verified (row counts, content
    /// fingerprints and DDL of every table), with one atomic RENAME; an interrupted or failed
    /// run leaves it untouched. Source reads run in a read-only consistent snapshot.
    #[command(name = "database-mirror-full")]
    DatabaseMirrorFull(MirrorArgs),

    /// Copy the schema and a subset of rows: those selected by `copy_objects` in the config,
    /// everything that belongs to them (down the foreign keys) and everything they reference
    /// (up the foreign keys), so that the copy has no orphans.
    ///
    /// Downward edges default to every foreign key; change them with `follow_down:` (the whole
    /// list, e.g. [Study.PatientID, Series.StudyID]) or `skip_down:` (removals) in the config,
    /// or with `follow_down: false` on a copy_objects entry.
    #[command(name = "database-mirror-test")]
    DatabaseMirrorTest(MirrorArgs),

    /// Fill an empty Eyened database with generated, Eyened-shaped data (all 40 tables),
    /// for tests and benchmarks. The same seed always gives the same rows.
    Dataset(DatasetArgs),

    /// Check the data of a live database: schema, orphans and duplicates, every row decoded
    /// through its entity, and (with --snapshot / --compare) which columns' data changed.
    Verify(eyened_orm::verify::Args),

    /// Import images with their projects, patients, studies and series from a JSON, YAML or
    /// flat CSV file: everything checked first, then one transaction.
    Import(eyened_orm::import::Args),
}

#[derive(Args)]
struct MirrorArgs {
    /// The transfer config (YAML): source, target, and for the test mirror copy_objects.
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    config_file: PathBuf,

    /// Print the plan (tables, row estimates or selected rows, method) and change nothing.
    #[arg(long)]
    dry_run: bool,

    /// Replace the target without asking (required when not run from a terminal).
    #[arg(short = 'y', long)]
    yes: bool,

    /// Parallel readers and writers.
    #[arg(short = 'j', long, default_value_t = 4, value_name = "N")]
    workers: usize,

    /// Copy with INSERT ... SELECT on the server when source and target share it (auto), always
    /// (fail otherwise) or never (stream through this process, in one consistent snapshot).
    #[arg(long, value_enum, default_value_t = ServerSideArg::Auto)]
    server_side: ServerSideArg,

    /// Split tables with an integer primary key into chunks of about this many rows...
    #[arg(long, default_value_t = 100_000, value_name = "ROWS")]
    chunk_rows: u64,

    /// ...or of about this many bytes (estimated), whichever makes more chunks.
    #[arg(long, default_value_t = 32 << 20, value_name = "BYTES")]
    chunk_bytes: u64,

    /// Maximum size of one INSERT statement (capped by the target's max_allowed_packet).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES")]
    batch_bytes: usize,

    /// Tables estimated at this many rows or more get their secondary indexes and foreign keys
    /// after the load (unless bigger than the target's InnoDB buffer pool).
    #[arg(long, default_value_t = 100_000, value_name = "ROWS")]
    defer_indexes_min_rows: u64,

    /// Write rows with multi-row INSERTs even where LOAD DATA LOCAL INFILE could be used
    /// (streaming copies).
    #[arg(long)]
    no_load_data: bool,

    /// No progress bars (they are also off when stderr is not a terminal).
    #[arg(long)]
    no_progress: bool,

    /// How to compare the copy with the source before the swap: CHECKSUM TABLE (default when
    /// both servers run the same version) or MD5 fingerprints of every row's values (literal).
    #[arg(long, value_enum)]
    verify: Option<VerifyArg>,

    /// Pause after every INSERT, in milliseconds (for tests that interrupt a copy).
    #[arg(long, hide = true, default_value_t = 0)]
    throttle_ms: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum VerifyArg {
    Checksum,
    Literal,
}

#[derive(Clone, Copy, ValueEnum)]
enum ServerSideArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct DatasetArgs {
    /// Env file with DATABASE_URL or DATABASE_USER/PASSWORD/HOST/PORT/NAME. Without it, the
    /// environment (and ./.env) is used.
    #[arg(short = 'e', long, value_name = "FILE")]
    env_file: Option<PathBuf>,

    /// Database URL (mysql://user:password@host:port/db). Visible in `ps`: prefer --env-file
    /// or DATABASE_URL in the environment when there is a password.
    #[arg(short = 'u', long, value_name = "URL")]
    database_url: Option<String>,

    /// Number of patients (about 17 images, 250 rows and 80 KiB each, see --blob-bytes).
    #[arg(short = 'n', long, default_value_t = 100)]
    patients: u32,

    /// Random seed: the same seed gives the same data.
    #[arg(short = 's', long, default_value_t = 1)]
    seed: u64,

    /// Mean size of the annotation data blobs, in bytes (0: none).
    #[arg(long, default_value_t = 4096, value_name = "BYTES")]
    blob_bytes: u32,

    /// Create the database if missing and the 40 tables (from the entity registry) plus an
    /// `alembic_version` table at the Alembic head, before generating.
    #[arg(long)]
    create_schema: bool,
}

/// The Alembic head that the baseline corresponds to.
const ALEMBIC_HEAD: &str = "10d5ab598dc7";

fn confirm(yes: bool, target: String) -> impl FnMut(&str) -> Result<bool, MirrorError> {
    move |prompt: &str| {
        if yes {
            return Ok(true);
        }
        if !std::io::stdin().is_terminal() {
            return Err(MirrorError::NeedsConfirmation {
                target: target.clone(),
            });
        }
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| MirrorError::Internal(format!("cannot read the answer: {e}")))?;
        Ok(answer.trim().eq_ignore_ascii_case("yes"))
    }
}

async fn mirror(mode: Mode, args: MirrorArgs) -> ExitCode {
    let mut options = Options::new(mode, &args.config_file);
    options.dry_run = args.dry_run;
    options.workers = args.workers;
    options.server_side = match args.server_side {
        ServerSideArg::Auto => ServerSide::Auto,
        ServerSideArg::Always => ServerSide::Always,
        ServerSideArg::Never => ServerSide::Never,
    };
    options.chunk_rows = args.chunk_rows;
    options.chunk_bytes = args.chunk_bytes;
    options.load_data = !args.no_load_data;
    options.batch_bytes = args.batch_bytes;
    options.defer_indexes_min_rows = args.defer_indexes_min_rows;
    options.throttle = std::time::Duration::from_millis(args.throttle_ms);
    options.verify = args.verify.map(|v| match v {
        VerifyArg::Checksum => mirror::verify::Method::Checksum,
        VerifyArg::Literal => mirror::verify::Method::Literal,
    });
    let ui = Ui::new(!args.no_progress);
    let state = RunState::new();
    let target = mirror::MirrorConfig::load(&args.config_file)
        .map(|c| c.target.db.display())
        .unwrap_or_else(|_| "the target".into());
    let mut ask = confirm(args.yes, target);

    #[cfg(unix)]
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot install the SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    let signal = async {
        #[cfg(unix)]
        {
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
    };
    let result = tokio::select! {
        result = mirror::run(&options, &ui, &mut ask, &state) => result,
        name = signal => {
            let done = state.cleanup().await;
            Err(MirrorError::Interrupted(name, done))
        }
    };
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                MirrorError::Interrupted(..) => ExitCode::from(130),
                MirrorError::Config { .. }
                | MirrorError::ConfigFile { .. }
                | MirrorError::ConfigSyntax { .. } => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

async fn generate(args: DatasetArgs) -> Result<(), String> {
    let db = config::resolve_with_dotenv(args.database_url.as_deref(), args.env_file.as_deref())
        .map_err(|e| e.to_string())?;
    let name = db
        .database()
        .filter(|d| !d.is_empty())
        .ok_or("the settings name no database (DATABASE_NAME or the URL's path)")?
        .to_owned();
    if args.create_schema {
        let server =
            config::DatabaseConfig::from_url(&db.server_url()).map_err(|e| e.to_string())?;
        let conn = server.connect().await.map_err(|e| e.to_string())?;
        conn.execute_unprepared(&format!(
            "CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
            eyened_orm::sql::ident(&name)
        ))
        .await
        .map_err(|e| format!("creating database {name}: {e}"))?;
        let _ = conn.close().await;
    }
    let conn = db.connect().await.map_err(|e| e.to_string())?;
    if args.create_schema {
        let changes: Vec<_> = eyened_orm::schema::entities()
            .tables
            .into_iter()
            .map(eyened_orm::schema::Change::AddTable)
            .collect();
        eyened_orm::migrate::apply(&conn, &changes)
            .await
            .map_err(|e| format!("creating the tables: {e}"))?;
        conn.execute_unprepared(&format!(
            "CREATE TABLE `alembic_version` (`version_num` VARCHAR(32) NOT NULL, PRIMARY KEY (`version_num`)); \
             INSERT INTO `alembic_version` VALUES ('{ALEMBIC_HEAD}')"
        ))
        .await
        .map_err(|e| format!("creating alembic_version: {e}"))?;
    }
    let options = DatasetOptions {
        seed: args.seed,
        patients: args.patients,
        blob_bytes: args.blob_bytes,
        ..DatasetOptions::default()
    };
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(u64::from(args.patients));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} patients {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let counts =
        dataset::generate_with_progress(&conn, &options, &mut |done| bar.set_position(done))
            .await
            .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
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
    let _ = conn.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::DatabaseMirrorFull(args) => mirror(Mode::Full, args).await,
        Command::DatabaseMirrorTest(args) => mirror(Mode::Test, args).await,
        Command::Verify(args) => ExitCode::from(eyened_orm::verify::run(&args).await),
        Command::Import(args) => ExitCode::from(eyened_orm::import::run(&args).await),
        Command::Dataset(args) => match generate(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
