//! `eorm verify`: check the data of a live database.

use std::path::PathBuf;
use std::sync::Arc;

use eyened_orm::cli::{ConnectArgs, Exit, OutputArgs, fail};
use eyened_orm::progress::Progress;
use eyened_orm::schema::{Unmanaged, entities};
use eyened_orm::verify::{Options, verify};

/// Which checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    Schema,
    Integrity,
    Decode,
}

/// Check the data of a live database: schema drift against the entities, orphans and
/// duplicates, every row decoded through its entity, and (with --snapshot / --compare) which
/// columns' data changed. Exit 0 when nothing is wrong, 1 when problems were found.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Record per-table row counts and per-column checksums in this JSON file (before a migration)
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with a snapshot taken earlier and report the tables and columns whose data changed
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,
    /// A change the migration is meant to make, not reported as a problem: Table.Column, or
    /// Table for the whole table (repeatable)
    #[arg(long, value_name = "TABLE.COLUMN")]
    pub expect: Vec<String>,
    /// Skip a check (repeatable)
    #[arg(long, value_enum, value_name = "CHECK")]
    pub skip: Vec<Step>,
    /// Undecodable rows listed per table, column and reason; the rest are counted
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub examples: usize,
    /// Declarations of the tables the entities do not model, which are not checked [default:
    /// migration/unmanaged.toml in the current directory or the nearest parent holding one]
    #[arg(long, value_name = "FILE")]
    pub unmanaged: Option<PathBuf>,
    /// No progress bar (it is also off when stderr is not a terminal)
    #[arg(long)]
    pub no_progress: bool,
}

impl Args {
    fn options(&self) -> Result<Options, String> {
        let unmanaged = match self.unmanaged.clone().or_else(Unmanaged::find_file) {
            Some(path) => Unmanaged::read(&path, &entities())
                .map_err(|e| format!("unmanaged-table declarations: {e}"))?,
            None => Unmanaged::default(),
        };
        Ok(Options {
            schema: !self.skip.contains(&Step::Schema),
            integrity: !self.skip.contains(&Step::Integrity),
            decode: !self.skip.contains(&Step::Decode),
            snapshot: self.snapshot.clone(),
            compare: self.compare.clone(),
            expect: self.expect.clone(),
            examples: self.examples,
            unmanaged,
        })
    }
}

/// Runs `eorm verify`.
pub async fn run(args: Args, output: OutputArgs) -> Exit {
    let options = match args.options() {
        Ok(options) => options,
        Err(e) => return failed(output, &e),
    };
    let progress: Arc<dyn Progress> = crate::bars::Bars::shown_if(!args.no_progress, 24);
    let result = async {
        let config = args.connect.resolve()?;
        let db = config.connect().await?;
        let report = verify(&db, &config.display(), &options, &progress).await;
        let _ = db.close().await;
        report
    }
    .await;
    match result {
        Ok(report) => {
            if output.json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.render_table());
            }
            if report.is_ok() {
                Exit::Ok
            } else {
                Exit::Problems
            }
        }
        Err(e) => failed(output, &e.to_string()),
    }
}

fn failed(output: OutputArgs, message: &str) -> Exit {
    let _ = fail(output.json, message, Exit::Error);
    Exit::Error
}
