//! `eorm database-mirror-full` and `eorm database-mirror-test`.

use std::path::PathBuf;
use std::sync::Arc;

use eyened_orm::cli::{self, ConfirmError, Exit, OutputArgs, fail, print_json};
use eyened_orm::mirror::{self, MirrorError, Mode, Options, RunState, ServerSide};
use eyened_orm::progress::Progress;

/// Arguments of both mirror commands. Passwords are never taken on the command line (they come
/// from the config file, an env file or an environment variable), so they never appear in `ps`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The transfer config (YAML): source, target, and for the test mirror copy_objects.
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    pub config_file: PathBuf,

    /// Print the plan (tables, row estimates or selected rows, method) and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Replace the target without asking (required when not run from a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Parallel readers and writers [default: 4 for a full copy, 8 for a subset].
    #[arg(short = 'j', long, value_name = "N")]
    pub workers: Option<usize>,

    /// Copy with INSERT ... SELECT on the server when source and target share it (auto), always
    /// (fail otherwise) or never (stream through this process, in one consistent snapshot).
    #[arg(long, value_enum, default_value_t = ServerSideArg::Auto)]
    pub server_side: ServerSideArg,

    /// Split tables with an integer primary key into chunks of about this many rows...
    #[arg(long, default_value_t = 100_000, value_name = "ROWS")]
    pub chunk_rows: u64,

    /// ...or of about this many bytes (estimated), whichever makes more chunks.
    #[arg(long, default_value_t = 32 << 20, value_name = "BYTES")]
    pub chunk_bytes: u64,

    /// Maximum size of one INSERT statement (capped by the target's max_allowed_packet).
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES")]
    pub batch_bytes: usize,

    /// Tables with this many rows or more to copy (estimated for a full copy, selected for a
    /// subset) get their secondary indexes and foreign keys after the load, unless bigger than
    /// the target's InnoDB buffer pool [default: 100000 for a full copy, 10000 for a subset].
    #[arg(long, value_name = "ROWS")]
    pub defer_indexes_min_rows: Option<u64>,

    /// Write rows with multi-row INSERTs even where LOAD DATA LOCAL INFILE could be used
    /// (streaming copies).
    #[arg(long)]
    pub no_load_data: bool,

    /// No progress bars (they are also off when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,

    /// How to compare the copy with the source before the swap: CHECKSUM TABLE (default when
    /// both servers run the same version) or MD5 fingerprints of every row's values (literal).
    #[arg(long, value_enum)]
    pub verify: Option<VerifyArg>,

    /// How long a statement of the swap waits for a lock before the run gives up, naming the
    /// session that holds the target's tables (the target is then left as it was).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub lock_wait_timeout: u64,

    /// Pause after every INSERT, in milliseconds (for tests that interrupt a copy).
    #[arg(long, hide = true, default_value_t = 0)]
    pub throttle_ms: u64,
}

/// `--verify`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum VerifyArg {
    Checksum,
    Literal,
}

/// `--server-side`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ServerSideArg {
    Auto,
    Always,
    Never,
}

impl Args {
    fn options(&self, mode: Mode) -> Options {
        let mut options = Options::new(mode, &self.config_file);
        options.dry_run = self.dry_run;
        if let Some(workers) = self.workers {
            options.workers = workers;
        }
        options.server_side = match self.server_side {
            ServerSideArg::Auto => ServerSide::Auto,
            ServerSideArg::Always => ServerSide::Always,
            ServerSideArg::Never => ServerSide::Never,
        };
        options.chunk_rows = self.chunk_rows;
        options.chunk_bytes = self.chunk_bytes;
        options.load_data = !self.no_load_data;
        options.batch_bytes = self.batch_bytes;
        if let Some(rows) = self.defer_indexes_min_rows {
            options.defer_indexes_min_rows = rows;
        }
        options.throttle = std::time::Duration::from_millis(self.throttle_ms);
        options.lock_wait_timeout = std::time::Duration::from_secs(self.lock_wait_timeout);
        options.verify = self.verify.map(|v| match v {
            VerifyArg::Checksum => mirror::verify::Method::Checksum,
            VerifyArg::Literal => mirror::verify::Method::Literal,
        });
        options
    }
}

/// Runs a mirror command: prints the plan (text) before asking, the summary after; in JSON mode
/// one document with both at the end. Ctrl-C and SIGTERM end the run with its cleanup: a
/// half-done swap is undone and the databases the run created are dropped.
pub async fn run(mode: Mode, args: Args, output: OutputArgs) -> Exit {
    let options = args.options(mode);
    let progress: Arc<dyn Progress> = crate::bars::Bars::shown_if(!args.no_progress, 24);
    let state = RunState::new();
    let yes = args.yes;
    let json = output.json;
    let mut ask = move |plan: &mirror::report::Plan| {
        if !json {
            print!("{plan}");
        }
        match cli::confirm(&plan.confirmation(), yes) {
            Ok(answer) => Ok(answer),
            Err(ConfirmError::NoTerminal(_)) => Err(MirrorError::NeedsConfirmation {
                target: plan.target.clone(),
            }),
            Err(ConfirmError::Read(e)) => Err(MirrorError::Internal(format!(
                "cannot read the answer: {e}"
            ))),
        }
    };
    let result = tokio::select! {
        result = mirror::run(&options, &progress, &mut ask, &state) => result,
        name = crate::interrupted() => {
            let done = state.cleanup().await;
            Err(MirrorError::Interrupted(name, done))
        }
    };
    match result {
        Ok(outcome) if json => {
            print_json(&outcome);
            Exit::Ok
        }
        Ok(outcome) => {
            match &outcome.summary {
                None => print!("{}", outcome.plan),
                Some(summary) => print!("\n{summary}"),
            }
            Exit::Ok
        }
        Err(e) => {
            let exit = match e {
                MirrorError::Interrupted(..) => Exit::Interrupted,
                _ => Exit::Error,
            };
            let _ = fail(json, &e.to_string(), exit);
            exit
        }
    }
}
