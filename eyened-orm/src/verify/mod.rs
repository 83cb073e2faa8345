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
//! use eyened_orm::verify::{Options, verify};
//! let report = verify(db, "eyened", &Options::default(), &eyened_orm::progress::silent()).await?;
//! assert!(report.is_ok(), "{}", report.render_table());
//! # Ok(()) }
//! ```

pub mod decode;
pub mod integrity;
pub mod snapshot;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;

use crate::config::{self, ConfigError};
use crate::progress::Progress;
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
    /// The name in the text report: `schema`, `orphan`, ..., `data changed` (the JSON report
    /// spells it in snake case, `data_changed`).
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
    /// Which check found it.
    pub kind: Kind,
    /// The table concerned; `None` for schema problems (the detail names the table).
    pub table: Option<String>,
    /// The column(s) concerned, comma-separated.
    pub column: Option<String>,
    /// The primary key of the row, or example keys (`;`-separated) for counted problems.
    pub key: Option<String>,
    /// How many rows (or groups) it concerns; 0 when not countable.
    pub count: u64,
    /// What is wrong, in words (for schema problems, the change that would fix the drift).
    pub detail: String,
}

/// What [`verify`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Compare the live schema with the entities ([`Kind::Schema`]).
    pub schema: bool,
    /// Count orphans, duplicates and CHECK failures ([`integrity`]).
    pub integrity: bool,
    /// Read every row through its entity ([`decode`]); the slowest check, a full scan of every
    /// table.
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
    /// The connection settings (`DATABASE_URL`, the `DATABASE_*` variables, the env file) are
    /// missing or invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Connecting or a query failed (introspection, a count, the checksums).
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// The `--compare` snapshot cannot be read, is not a snapshot or is of another format
    /// version, or the `--snapshot` file cannot be written.
    #[error("snapshot file '{}': {reason}", path.display())]
    Snapshot {
        /// The snapshot file as given.
        path: PathBuf,
        /// The I/O or JSON error, or the unsupported format version.
        reason: String,
    },
    /// An `--expect` value is empty; use `Table.Column` or `Table`.
    #[error("invalid --expect: {0}")]
    Expect(String),
    /// The unmanaged-table declarations file cannot be read or is invalid.
    #[error("unmanaged-table declarations '{}': {reason}", path.display())]
    Unmanaged {
        /// The declarations file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The connection is not to MySQL or MariaDB.
    #[error("eorm verify supports MySQL and MariaDB only")]
    Unsupported,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The database as the caller named it; `eorm verify` gives `user@host:port/db`.
    pub database: String,
    /// No problems were found; the same as [`Report::is_ok`], kept for the JSON report.
    pub ok: bool,
    /// Tables of the live database (bookkeeping tables aside).
    pub tables: usize,
    /// Declared unmanaged tables the database has, with why they stay: not checked.
    pub unmanaged: Vec<UnmanagedTable>,
    /// Rows read through the entities.
    pub rows_decoded: u64,
    /// Everything found, schema problems first, then integrity, decode and data changes.
    pub problems: Vec<Problem>,
    /// Set when `--compare` was given: every change, expected or not.
    pub comparison: Option<Comparison>,
    /// Where the snapshot was written, with `--snapshot`.
    pub snapshot_written: Option<PathBuf>,
    /// Wall-clock time of the whole verification (not serialized).
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
    progress: &Arc<dyn Progress>,
) -> Result<Report, VerifyError> {
    let progress = progress.as_ref();
    let pool = config::mysql_pool(db).ok_or(VerifyError::Unsupported)?;
    let started = Instant::now();
    let expect = Expectations::parse(&options.expect)?;
    // Read the old snapshot first: a bad path should fail before minutes of work.
    let before = match &options.compare {
        Some(path) => Some(Snapshot::read(path)?),
        None => None,
    };
    progress.step("schema");
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
        progress.length(estimate);
        let outcome = decode::decode_all(pool, &live, progress, options.examples).await;
        rows_decoded = outcome.rows;
        problems.extend(outcome.problems);
    }
    let mut snapshot_written = None;
    let mut comparison = None;
    if options.snapshot.is_some() || before.is_some() {
        progress.step("checksums");
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
    progress.finish();
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
