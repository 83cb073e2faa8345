//! `eorm verify`: is the data of a live database intact, for instance after a migration?
//!
//! Four checks, each reported as [`Problem`]s:
//!
//! - **schema**: the entities and the live database agree (the diff engine, as `check` uses it);
//! - **integrity**: orphans of every foreign key, duplicates of every unique key, rows failing a
//!   CHECK, each counted with one set-based query, so rows loaded with the server's checks off
//!   are found ([`integrity`]);
//! - **decode**: every row of every table read through its entity model, streamed, reporting
//!   table, primary key and column of each row that cannot be decoded ([`decode`]);
//! - **snapshots**: `--snapshot FILE` records row counts and per-column checksums, `--compare
//!   FILE` reports the tables and columns whose data changed since; `--expect Table.Column`
//!   declares the changes a migration is meant to make ([`snapshot`]).
//!
//! ```no_run
//! # async fn example(db: &sea_orm::DatabaseConnection) -> Result<(), eyened_orm::verify::VerifyError> {
//! use eyened_orm::verify::{Options, ProgressBar, verify};
//! let report = verify(db, "eyened", &Options::default(), &ProgressBar::hidden()).await?;
//! assert!(report.is_ok(), "{}", report.render_table());
//! # Ok(()) }
//! ```

pub mod decode;
pub mod integrity;
pub mod snapshot;

/// The progress bar the functions here report to (`ProgressBar::hidden()` for none).
pub use indicatif::ProgressBar;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;

use crate::config::{self, ConfigError};
use crate::schema::diff::{Renames, diff};
use crate::schema::{Unmanaged, UnmanagedTable, entities, introspect};
pub use snapshot::{Comparison, DataChange, Expectations, Snapshot};

/// What kind of problem a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The live schema differs from the entities.
    Schema,
    /// Rows whose foreign key references a missing row.
    Orphan,
    /// Rows sharing the value of a unique key.
    Duplicate,
    /// Rows failing a CHECK constraint.
    Check,
    /// A row that cannot be read through its entity model.
    Decode,
    /// Data changed since the `--compare` snapshot and no `--expect` covers it.
    DataChanged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Orphan => "orphan",
            Kind::Duplicate => "duplicate",
            Kind::Check => "check",
            Kind::Decode => "decode",
            Kind::DataChanged => "data changed",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: Kind,
    pub table: Option<String>,
    /// The column(s) concerned, comma-separated.
    pub column: Option<String>,
    /// The primary key of the row, or example keys (`;`-separated) for counted problems.
    pub key: Option<String>,
    /// How many rows (or groups) it concerns; 0 when not countable.
    pub count: u64,
    pub detail: String,
}

/// Which checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Step {
    Schema,
    Integrity,
    Decode,
}

/// What [`verify`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub schema: bool,
    pub integrity: bool,
    pub decode: bool,
    /// Write a snapshot here.
    pub snapshot: Option<PathBuf>,
    /// Compare with the snapshot read from here.
    pub compare: Option<PathBuf>,
    /// `--expect` specs: `Table.Column`, `Table` or `Table.*`.
    pub expect: Vec<String>,
    /// How many undecodable rows to list per table, column and reason (the rest are counted).
    pub examples: usize,
    /// Tables the entities do not model, declared to stay: left out of every check but the
    /// snapshots, and listed in the report.
    pub unmanaged: Unmanaged,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            schema: true,
            integrity: true,
            decode: true,
            snapshot: None,
            compare: None,
            expect: Vec::new(),
            examples: 20,
            unmanaged: Unmanaged::default(),
        }
    }
}

/// Why verification could not be carried out (as opposed to what it found).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("snapshot file '{}': {reason}", path.display())]
    Snapshot { path: PathBuf, reason: String },
    #[error("invalid --expect: {0}")]
    Expect(String),
    #[error("unmanaged-table declarations '{}': {reason}", path.display())]
    Unmanaged { path: PathBuf, reason: String },
    #[error("eorm verify supports MySQL and MariaDB only")]
    Unsupported,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `user@host:port/db`.
    pub database: String,
    pub ok: bool,
    /// Tables of the live database (bookkeeping tables aside).
    pub tables: usize,
    /// Declared unmanaged tables the database has, with why they stay: not checked.
    pub unmanaged: Vec<UnmanagedTable>,
    /// Rows read through the entities.
    pub rows_decoded: u64,
    pub problems: Vec<Problem>,
    /// Set when `--compare` was given: every change, expected or not.
    pub comparison: Option<Comparison>,
    /// Where the snapshot was written, with `--snapshot`.
    pub snapshot_written: Option<PathBuf>,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Report {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Problems of one kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.kind == kind)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The report as a readable table.
    pub fn render_table(&self) -> String {
        let mut out = format!(
            "eorm verify {}: {} table(s), {} row(s) decoded in {:.1}s\n",
            self.database,
            self.tables,
            self.rows_decoded,
            self.elapsed.as_secs_f64()
        );
        if !self.problems.is_empty() {
            let header = ["KIND", "TABLE", "COLUMN", "KEY", "COUNT", "DETAIL"];
            let rows: Vec<[String; 6]> = self
                .problems
                .iter()
                .map(|p| {
                    [
                        p.kind.to_string(),
                        p.table.clone().unwrap_or_default(),
                        p.column.clone().unwrap_or_default(),
                        p.key.clone().unwrap_or_default(),
                        if p.count == 0 {
                            String::new()
                        } else {
                            p.count.to_string()
                        },
                        p.detail.clone(),
                    ]
                })
                .collect();
            out.push_str(&text_table(&header, &rows));
        }
        if let Some(cmp) = &self.comparison {
            let expected: Vec<&DataChange> = cmp.changes.iter().filter(|c| c.expected).collect();
            if !expected.is_empty() {
                out.push_str("expected changes:\n");
                for c in expected {
                    let place = match &c.column {
                        Some(col) => format!("{}.{col}", c.table),
                        None => c.table.clone(),
                    };
                    out.push_str(&format!("  {place}: {}\n", c.detail));
                }
            }
            for spec in &cmp.unmatched_expectations {
                out.push_str(&format!("note: --expect {spec} matched no change\n"));
            }
        }
        for table in &self.unmanaged {
            out.push_str(&format!(
                "unmanaged: {} (not checked: {})\n",
                table.name, table.reason
            ));
        }
        if let Some(path) = &self.snapshot_written {
            out.push_str(&format!("snapshot written to {}\n", path.display()));
        }
        if self.is_ok() {
            out.push_str("OK: no problems found\n");
        } else {
            let mut kinds: Vec<Kind> = self.problems.iter().map(|p| p.kind).collect();
            kinds.sort();
            kinds.dedup();
            let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            out.push_str(&format!(
                "FAILED: {} problem(s) ({})\n",
                self.problems.len(),
                kinds.join(", ")
            ));
        }
        out
    }
}

/// A plain-text table with a header, columns padded to their widest cell.
fn text_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths: [usize; N] = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == N {
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Runs the checks `options` asks for against `db` (named `database` in the report).
pub async fn verify(
    db: &DatabaseConnection,
    database: &str,
    options: &Options,
    progress: &ProgressBar,
) -> Result<Report, VerifyError> {
    let pool = config::mysql_pool(db).ok_or(VerifyError::Unsupported)?;
    let started = Instant::now();
    let expect = Expectations::parse(&options.expect)?;
    // Read the old snapshot first: a bad path should fail before minutes of work.
    let before = match &options.compare {
        Some(path) => Some(Snapshot::read(path)?),
        None => None,
    };
    progress.set_message("schema");
    let everything = introspect(db, None).await?;
    let (live, declared) = options.unmanaged.split(everything.clone());
    let expected = entities();
    let mut problems = Vec::new();

    if options.schema {
        let d = diff(&live, &expected, &Renames::default());
        problems.extend(d.changes.iter().map(|change| Problem {
            kind: Kind::Schema,
            table: None,
            column: None,
            key: None,
            count: 0,
            detail: change.to_string(),
        }));
    }
    if options.integrity {
        problems.extend(integrity::check(db, &live, &expected, progress).await?);
    }
    let mut rows_decoded = 0;
    if options.decode {
        let estimate = integrity::count(
            db,
            "SELECT CAST(COALESCE(SUM(TABLE_ROWS), 0) AS SIGNED) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE()",
        )
        .await?;
        progress.set_length(estimate);
        progress.set_position(0);
        let outcome = decode::decode_all(pool, &live, progress, options.examples).await;
        rows_decoded = outcome.rows;
        problems.extend(outcome.problems);
    }
    let mut snapshot_written = None;
    let mut comparison = None;
    if options.snapshot.is_some() || before.is_some() {
        progress.set_message("checksums");
        let now = snapshot::take(db, database, &everything, progress).await?;
        if let Some(path) = &options.snapshot {
            now.write(path)?;
            snapshot_written = Some(path.clone());
        }
        if let Some(before) = &before {
            let cmp = snapshot::compare(before, &now, &expect);
            problems.extend(cmp.problems());
            comparison = Some(cmp);
        }
    }
    progress.finish_and_clear();
    Ok(Report {
        database: database.to_owned(),
        ok: problems.is_empty(),
        tables: everything.tables.len(),
        unmanaged: declared
            .iter()
            .map(|t| UnmanagedTable {
                name: t.name.clone(),
                reason: options
                    .unmanaged
                    .reason(&t.name)
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect(),
        rows_decoded,
        problems,
        comparison,
        snapshot_written,
        elapsed: started.elapsed(),
    })
}

/// `eorm verify`: check the data of a live database. Exit code 0 when nothing is wrong, 1 when
/// problems were found, 2 when verification could not run.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Database URL (mysql://user:password@host:port/db) [default: DATABASE_URL, or
    /// DATABASE_USER/PASSWORD/HOST/PORT/NAME]. Visible in `ps`: prefer --env-file or the
    /// environment when there is a password
    #[arg(short = 'u', long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Env file with DATABASE_URL or DATABASE_USER/PASSWORD/HOST/PORT/NAME; without it,
    /// the environment is used
    #[arg(short = 'e', long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
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
    /// Print the report as JSON instead of a table
    #[arg(long)]
    pub json: bool,
    /// Declarations of the tables the entities do not model, which are not checked [default:
    /// migration/unmanaged.toml in the current directory or the nearest parent holding one]
    #[arg(long, value_name = "FILE")]
    pub unmanaged: Option<PathBuf>,
}

impl Args {
    /// The [`Options`] these arguments ask for; reads the unmanaged-table declarations.
    pub fn options(&self) -> Result<Options, VerifyError> {
        Ok(Options {
            schema: !self.skip.contains(&Step::Schema),
            integrity: !self.skip.contains(&Step::Integrity),
            decode: !self.skip.contains(&Step::Decode),
            snapshot: self.snapshot.clone(),
            compare: self.compare.clone(),
            expect: self.expect.clone(),
            examples: self.examples,
            unmanaged: self.unmanaged_declarations()?,
        })
    }

    fn unmanaged_declarations(&self) -> Result<Unmanaged, VerifyError> {
        let path = match &self.unmanaged {
            Some(path) => path.clone(),
            None => match find_upwards(Path::new(UNMANAGED_FILE)) {
                Some(path) => path,
                None => return Ok(Unmanaged::default()),
            },
        };
        let error = |reason: String| VerifyError::Unmanaged {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
        Unmanaged::parse(&text, &entities()).map_err(error)
    }
}

/// Where the migration crate keeps its unmanaged-table declarations, from the workspace root.
pub const UNMANAGED_FILE: &str = "migration/unmanaged.toml";

/// `relative` under the current directory or its nearest parent that has it.
fn find_upwards(relative: &Path) -> Option<PathBuf> {
    let start = std::env::current_dir().ok()?;
    start
        .ancestors()
        .map(|dir| dir.join(relative))
        .find(|candidate| candidate.is_file())
}

/// Runs `eorm verify` with the connection the arguments give (see [`config::resolve`]); prints
/// the report on stdout and errors on stderr. Returns the exit code.
pub async fn run(args: &Args) -> u8 {
    match run_inner(args).await {
        Ok(report) => {
            if args.json {
                println!("{}", report.to_json());
            } else {
                print!("{}", report.render_table());
            }
            if report.is_ok() { 0 } else { 1 }
        }
        Err(err) => {
            eprintln!("error: {err}");
            2
        }
    }
}

async fn run_inner(args: &Args) -> Result<Report, VerifyError> {
    let config = config::resolve(args.database_url.as_deref(), args.env_file.as_deref())?;
    let db = config.connect().await?;
    let options = args.options()?;
    let report = verify(&db, &config.display(), &options, &crate::progress::bar(24)).await;
    let _ = db.close().await;
    report
}
