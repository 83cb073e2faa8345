//! Moving rows: readers stream SQL text from source snapshots, writers load it into staging with
//! multi-row INSERTs; or, on one server, `INSERT ... SELECT` with no data leaving the server.
//!
//! Readers and writers are separate tasks joined by a bounded queue of INSERT statements, so
//! reading the next rows overlaps with loading the previous ones, and the number of writers does
//! not depend on how many snapshots could be shared (see [`open_snapshots`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sea_orm::sqlx::mysql::MySqlRow;
use sea_orm::sqlx::{AssertSqlSafe, Executor, Row};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::catalog::{Render, TableInfo, push_binary_digest, render_text};
use super::conn::{self, Conn};
use super::error::MirrorError;
use super::report::{bytes as show_bytes, duration as show_duration};
use super::verify::{self, Fingerprint};
use crate::config::DatabaseConfig;
use crate::load_data::{self, Loader};
use crate::progress::Progress;
use crate::sql::{ident, qualified};

/// Which rows of a table a chunk covers.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every row.
    All,
    /// `column >= lo AND column < hi` (either bound may be open).
    Range {
        /// The table's integer primary key.
        column: String,
        /// Inclusive lower bound; `None` for the first chunk.
        lo: Option<i64>,
        /// Exclusive upper bound; `None` for the last chunk.
        hi: Option<i64>,
    },
    /// `(columns) IN (list)`: the list is SQL text the server rendered (see
    /// [`TableInfo::tuple_literal`]).
    Keys {
        /// The key's columns, in the order of each tuple in `list`.
        columns: Vec<String>,
        /// Comma-separated values, or `(v1,v2)` tuples for several columns.
        list: String,
    },
}

impl Filter {
    /// The condition selecting these rows, without `WHERE`; `None` when it is every row.
    pub fn where_clause(&self) -> Option<String> {
        match self {
            Filter::All => None,
            Filter::Range { column, lo, hi } => {
                let mut parts = Vec::new();
                if let Some(lo) = lo {
                    parts.push(format!("{} >= {lo}", ident(column)));
                }
                if let Some(hi) = hi {
                    parts.push(format!("{} < {hi}", ident(column)));
                }
                (!parts.is_empty()).then(|| parts.join(" AND "))
            }
            Filter::Keys { columns, list } => {
                let cols = columns.iter().map(|c| ident(c)).collect::<Vec<_>>();
                let lhs = if cols.len() == 1 {
                    cols[0].clone()
                } else {
                    format!("({})", cols.join(","))
                };
                Some(format!("{lhs} IN ({list})"))
            }
        }
    }

    /// `SELECT <select_list> FROM <database>.<table>` restricted to these rows.
    pub fn select(&self, select_list: &str, database: &str, table: &str) -> String {
        format!(
            "SELECT {select_list} FROM {}{}",
            qualified(database, table),
            self.where_clause()
                .map(|w| format!(" WHERE {w}"))
                .unwrap_or_default()
        )
    }
}

/// A unit of work: some rows of one table.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// Index of the table in [`CopyJob::tables`].
    pub table: usize,
    /// Which of its rows.
    pub filter: Filter,
}

/// How big a chunk should be: about this many rows or this many bytes, whichever is reached
/// first (zero: no limit).
#[derive(Debug, Clone, Copy)]
pub struct ChunkSize {
    /// Rows per chunk, by the table's estimated row count.
    pub rows: u64,
    /// Bytes per chunk, by the table's estimated data size (`DATA_LENGTH`).
    pub bytes: u64,
}

impl ChunkSize {
    /// How many chunks `table` is split into, from its estimated size; 1 when it is under one
    /// and a half chunks either way.
    pub fn count(&self, table: &TableInfo) -> u64 {
        let by = |total: u64, per: u64| {
            if per == 0 || total < per + per / 2 {
                1
            } else {
                total.div_ceil(per)
            }
        };
        by(table.est_rows, self.rows)
            .max(by(table.est_bytes, self.bytes))
            .min(table.est_rows.max(1))
    }
}

/// Splits `table` into `size.count(table)` ranges of its integer key, read from the snapshot
/// `conn` sees. One chunk when the table is small or has no integer key.
pub async fn plan_chunks(
    conn: &mut Conn,
    index: usize,
    table: &TableInfo,
    source_db: &str,
    size: ChunkSize,
) -> Result<Vec<Chunk>, MirrorError> {
    let whole = vec![Chunk {
        table: index,
        filter: Filter::All,
    }];
    let Some(pk) = &table.int_pk else {
        return Ok(whole);
    };
    let n = size.count(table);
    if n <= 1 {
        return Ok(whole);
    }
    let rows = conn::rows(
        conn,
        format!(
            "SELECT CAST(MIN({0}) AS CHAR), CAST(MAX({0}) AS CHAR) FROM {1}",
            ident(pk),
            qualified(source_db, &table.name)
        ),
        || format!("source: key range of {}", table.name),
    )
    .await?;
    let bound = |i| {
        rows.first()
            .and_then(|r| conn::text(r, i))
            .and_then(|s| s.parse::<i64>().ok())
    };
    let (Some(min), Some(max)) = (bound(0), bound(1)) else {
        return Ok(whole);
    };
    let n = n as i64;
    let span = (max - min).saturating_add(1);
    let step = (span / n).max(1);
    let mut chunks = Vec::new();
    let mut lo = min;
    for i in 0..n {
        let hi = if i == n - 1 {
            None
        } else {
            Some(lo.saturating_add(step))
        };
        chunks.push(Chunk {
            table: index,
            filter: Filter::Range {
                column: pk.clone(),
                lo: if i == 0 { None } else { Some(lo) },
                hi,
            },
        });
        match hi {
            Some(h) if h <= max => lo = h,
            _ => break,
        }
    }
    Ok(chunks)
}

/// How the readers' snapshots were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Several connections started their snapshots while commits were blocked, so they see the
    /// same data: mydumper's technique. The string names the lock used.
    Shared {
        /// How many connections share the snapshot.
        readers: usize,
        /// The statement that blocked commits, e.g. `FLUSH TABLES WITH READ LOCK`.
        lock: &'static str,
    },
    /// One connection, one snapshot: tables are read one after another (writers still load in
    /// parallel). Used when the source user may not block commits (no RELOAD privilege).
    Single {
        /// Why, as shown to the user: `one worker`, or the error of the lock statement.
        reason: String,
    },
}

impl std::fmt::Display for SnapshotMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotMode::Shared { readers, lock } => write!(
                f,
                "{readers} readers sharing one consistent snapshot (taken under {lock})"
            ),
            SnapshotMode::Single { reason } => write!(
                f,
                "1 reader in one consistent snapshot, tables read one after another ({reason})"
            ),
        }
    }
}

const START_SNAPSHOT: &str = "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; \
     START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";

/// Ends `reader`'s snapshot; nothing was written on it.
async fn end_snapshot(reader: &mut Conn) -> Result<(), MirrorError> {
    conn::exec(reader, "COMMIT", || "source: end snapshot".into()).await?;
    Ok(())
}

/// Ends the snapshots of `readers` and closes them.
pub async fn end_snapshots(readers: Vec<Conn>) -> Result<(), MirrorError> {
    for mut reader in readers {
        end_snapshot(&mut reader).await?;
    }
    Ok(())
}

/// Opens `wanted` source connections inside one consistent snapshot. With more than one, commits
/// are blocked for the moment it takes to start the transactions (MariaDB: `BACKUP STAGE
/// BLOCK_COMMIT`, MySQL: `FLUSH TABLES WITH READ LOCK`, each with a short lock wait so that a
/// long-running query on the source never stalls it); without the privilege, one connection.
pub async fn open_snapshots(
    source: &DatabaseConfig,
    database: &str,
    wanted: usize,
) -> Result<(Vec<Conn>, SnapshotMode), MirrorError> {
    let mut control = conn::connect(source, "source", Some(database)).await?;
    let version = conn::scalar(&mut control, "SELECT VERSION()", || {
        "source: server version".into()
    })
    .await?
    .unwrap_or_default();
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let mut readers = Vec::new();
    let mode = if wanted <= 1 {
        SnapshotMode::Single {
            reason: "one worker".into(),
        }
    } else {
        let (lock, unlock, name) = if mariadb {
            (
                "SET SESSION lock_wait_timeout = 10; BACKUP STAGE START; BACKUP STAGE BLOCK_COMMIT",
                "BACKUP STAGE END",
                "BACKUP STAGE BLOCK_COMMIT",
            )
        } else {
            (
                "SET SESSION lock_wait_timeout = 10; FLUSH TABLES WITH READ LOCK",
                "UNLOCK TABLES",
                "FLUSH TABLES WITH READ LOCK",
            )
        };
        for _ in 0..wanted {
            readers.push(conn::connect(source, "source", Some(database)).await?);
        }
        match conn::exec(&mut control, lock, || "source: lock".into()).await {
            Ok(_) => {
                let mut started = Ok(());
                for reader in &mut readers {
                    if let Err(e) =
                        conn::exec(reader, START_SNAPSHOT, || "source: start snapshot".into()).await
                    {
                        started = Err(e);
                        break;
                    }
                }
                // Always unlock, also when a snapshot failed to start.
                conn::exec(&mut control, unlock, || "source: unlock".into()).await?;
                started?;
                SnapshotMode::Shared {
                    readers: wanted,
                    lock: name,
                }
            }
            Err(e) => {
                if mariadb {
                    // A failed BACKUP STAGE may leave the backup started on this session.
                    let _ = conn::exec(&mut control, "BACKUP STAGE END", String::new).await;
                }
                readers.truncate(1);
                SnapshotMode::Single {
                    reason: format!("cannot block commits to share a snapshot: {e}"),
                }
            }
        }
    };
    if readers.is_empty() {
        readers.push(control);
    }
    if let SnapshotMode::Single { .. } = mode {
        let reader = &mut readers[0];
        conn::exec(reader, START_SNAPSHOT, || "source: start snapshot".into()).await?;
    }
    Ok((readers, mode))
}

/// Live state of one table during the copy.
pub struct TableState {
    /// Rows written to staging so far.
    pub rows: AtomicU64,
    /// Bytes sent to staging so far: INSERT text and bound values, or `LOAD DATA` input; for
    /// `INSERT ... SELECT`, rows times the table's estimated average row size.
    pub bytes: AtomicU64,
    pending_chunks: AtomicUsize,
    /// Whether any chunk reads this table (tables without one are not reported).
    has_chunks: bool,
    in_flight: AtomicUsize,
    done: AtomicBool,
    started: Mutex<Option<Instant>>,
    finished: Mutex<Option<Instant>>,
    /// The rows read from the source: hashed with [`CopyJob::hash_rows`], else only counted;
    /// left empty by [`server_side_copy`].
    pub fingerprint: Mutex<Fingerprint>,
    /// `CHECKSUM TABLE` of the source table, read in the readers' snapshot.
    pub source_checksum: Mutex<Option<u64>>,
    /// The staged table's fingerprint, taken once it was complete, with
    /// [`CopyJob::fingerprint_staged`].
    pub staged: Mutex<Option<Fingerprint>>,
    bar: Arc<dyn Progress>,
    name: String,
}

impl TableState {
    fn start(&self) {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        started.get_or_insert_with(Instant::now);
    }

    /// Marks the table loaded when nothing is pending; true the one time that happens.
    fn maybe_finish(&self, progress: &dyn Progress) -> bool {
        if self.pending_chunks.load(Ordering::SeqCst) == 0
            && self.in_flight.load(Ordering::SeqCst) == 0
            && !self.done.swap(true, Ordering::SeqCst)
        {
            *self.finished.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            let rows = self.rows.load(Ordering::Relaxed);
            self.bar.length(rows.max(1));
            self.bar.position(rows);
            self.bar.finish();
            if self.has_chunks {
                progress.line(&format!(
                    "  copied {:<28} {:>11} rows {:>11} in {}",
                    self.name,
                    rows,
                    show_bytes(self.bytes.load(Ordering::Relaxed)),
                    show_duration(self.elapsed())
                ));
            }
            return true;
        }
        false
    }

    /// What the source side of the copy looked like: the rows' fingerprint, and for
    /// [`Method::Checksum`](super::verify::Method::Checksum) the source's checksum in place of
    /// the XOR half (`u64::MAX` when it was not read).
    pub fn expected(&self, method: super::verify::Method) -> Fingerprint {
        let mut f = *self.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
        if method == super::verify::Method::Checksum {
            f.xor = self
                .source_checksum
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or(u64::MAX);
        }
        f
    }

    /// From the table's first chunk to its last row loaded, or to now while it still loads;
    /// zero if it never started.
    pub fn elapsed(&self) -> Duration {
        let started = *self.started.lock().unwrap_or_else(|e| e.into_inner());
        let finished = *self.finished.lock().unwrap_or_else(|e| e.into_inner());
        match (started, finished) {
            (Some(s), Some(f)) => f.duration_since(s),
            (Some(s), None) => s.elapsed(),
            _ => Duration::ZERO,
        }
    }

    fn update_message(&self) {
        let bytes = self.bytes.load(Ordering::Relaxed);
        let secs = self.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { bytes as f64 / secs } else { 0.0 };
        self.bar.detail(&format!(
            "{} {}/s",
            show_bytes(bytes),
            show_bytes(rate as u64)
        ));
    }
}

/// Rows on their way to a writer.
struct Batch {
    table: usize,
    payload: Payload,
    rows: u64,
    bytes: u64,
}

enum Payload {
    /// One INSERT statement, with the binary values its `?` stand for.
    Insert {
        sql: String,
        params: Vec<Option<Vec<u8>>>,
    },
    /// Rows in the format of [`crate::load_data`], for a writer's loader.
    Load(Vec<u8>),
}

/// Parameters per INSERT at most (MySQL allows 65535; each costs a packet at PREPARE).
const MAX_PARAMS: usize = 4096;

/// Bytes of `max_allowed_packet` kept for the protocol around a statement's text and values:
/// the head of a packet and, per bound value, its type and length (11 bytes at most, so
/// 45 KiB for [`MAX_PARAMS`]).
const PACKET_OVERHEAD: usize = 64 << 10;

/// The biggest statement or load batch for a target whose `max_allowed_packet` is
/// `max_packet`.
fn statement_limit(max_packet: usize) -> usize {
    max_packet
        .saturating_sub(PACKET_OVERHEAD)
        .max(PACKET_OVERHEAD)
}

/// The error for a row of `row_bytes` that no statement to the target can hold.
fn row_too_big(table: &TableInfo, row_bytes: usize, max_packet: usize) -> MirrorError {
    const MIB: u64 = 1 << 20;
    let needed = (row_bytes + PACKET_OVERHEAD) as u64;
    MirrorError::RowTooBig {
        table: table.name.clone(),
        row_bytes: row_bytes as u64,
        max_packet: max_packet as u64,
        needed: needed.div_ceil(MIB) * MIB,
    }
}

/// What the copy needs to know.
pub struct CopyJob {
    /// Every table of the source, in catalog order; [`Chunk::table`] and the result's states
    /// index into it.
    pub tables: Arc<Vec<TableInfo>>,
    /// Tables (indexes into `tables`) that get a progress line, with their expected row counts.
    pub expected_rows: Vec<(usize, u64)>,
    /// The work, taken in this order.
    pub chunks: Vec<Chunk>,
    /// The database the rows are read from.
    pub source_db: String,
    /// The database the rows are written to.
    pub staging_db: String,
    /// Size in bytes at which an INSERT (text plus bound values) or a load batch is sent;
    /// must stay below the target's `max_allowed_packet`.
    pub batch_bytes: usize,
    /// The target's `max_allowed_packet`: no INSERT or load batch is bigger (a row that would
    /// make one bigger goes into the next; a row bigger alone is [`MirrorError::RowTooBig`]).
    pub max_packet: usize,
    /// The number of writers planned. Not read by the copy, which uses one writer per
    /// connection it is given.
    pub writers: usize,
    /// A pause after every INSERT (zero normally; tests use it to interrupt a copy midway).
    pub throttle: Duration,
    /// Fingerprint every row's SQL text on the way (for [`super::verify::Method::Literal`]).
    pub hash_rows: bool,
    /// Readers that run out of chunks take `CHECKSUM TABLE` of the source tables in their
    /// snapshot (for [`super::verify::Method::Checksum`]).
    pub source_checksums: bool,
    /// Per table, a statement to run as soon as the table is loaded, while others still load
    /// (the deferred secondary indexes), on the `helpers` connections of [`stream_copy`].
    pub after_load: Vec<Option<String>>,
    /// Per table, whether the writers' loaders load it (see [`crate::load_data`]); all false when
    /// there are no loaders, or with `hash_rows`.
    pub use_loader: Vec<bool>,
    /// With `source_checksums`: the last reader takes the checksums before reading rows (the
    /// caller opened one reader more than it has writers for this).
    pub checksum_reader: bool,
    /// Each staged table is fingerprinted as soon as its last chunk is in, while the others
    /// copy on (see [`TableState::staged`]): by the worker that copied it in
    /// [`server_side_copy`], by a helper in [`stream_copy`].
    pub fingerprint_staged: bool,
}

/// The outcome per table (same order as `job.tables`).
pub struct CopyResult {
    /// What was copied of each table.
    pub states: Vec<Arc<TableState>>,
    /// Wall time of the whole copy, including the after-load statements.
    pub wall: Duration,
}

fn new_states(job: &CopyJob, progress: &dyn Progress) -> Vec<Arc<TableState>> {
    let mut pending = vec![0usize; job.tables.len()];
    for chunk in &job.chunks {
        pending[chunk.table] += 1;
    }
    job.tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let expected = job
                .expected_rows
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, n)| *n);
            let bar = match expected {
                Some(n) if pending[i] > 0 => progress.task(&t.name, n.max(1)),
                _ => crate::progress::silent(),
            };
            Arc::new(TableState {
                rows: AtomicU64::new(0),
                bytes: AtomicU64::new(0),
                pending_chunks: AtomicUsize::new(pending[i]),
                has_chunks: pending[i] > 0,
                in_flight: AtomicUsize::new(0),
                done: AtomicBool::new(false),
                started: Mutex::new(None),
                finished: Mutex::new(None),
                fingerprint: Mutex::new(Fingerprint::default()),
                source_checksum: Mutex::new(None),
                staged: Mutex::new(None),
                bar,
                name: t.name.clone(),
            })
        })
        .collect()
}

/// Settings of every connection that loads staging tables.
pub const LOAD_SESSION: &str = "SET SESSION foreign_key_checks = 0, unique_checks = 0";

/// What the readers, writers and helpers of [`stream_copy`] share; cheap to clone.
#[derive(Clone)]
struct Pipeline {
    tables: Arc<Vec<TableInfo>>,
    states: Vec<Arc<TableState>>,
    /// Chunks not read yet.
    chunks: Arc<Mutex<VecDeque<Chunk>>>,
    /// Tables whose source checksum is still to take, biggest last.
    checksums: Arc<Mutex<Vec<usize>>>,
    /// Batches from the readers to the writers.
    batches: Arc<tokio::sync::Mutex<mpsc::Receiver<Batch>>>,
    /// Tables whose load is complete, for the helpers (the readers and writers send, each
    /// with a sender of its own, so that the channel closes when they are all done).
    loaded_rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<usize>>>,
    /// Per table, whether the writers' loaders load it.
    use_loader: Arc<Vec<bool>>,
    /// Per table, whether a helper ran its after-load statement.
    ran_after_load: Arc<Mutex<Vec<bool>>>,
    after_load: Arc<Vec<Option<String>>>,
    fingerprint_staged: bool,
    source_db: String,
    staging_db: String,
    progress: Arc<dyn Progress>,
}

impl Pipeline {
    /// Takes `CHECKSUM TABLE` of the source tables left in `checksums` (biggest last), in the
    /// snapshot of `reader`.
    async fn source_checksums(&self, reader: &mut Conn) -> Result<(), MirrorError> {
        let (queue, tables, states, source_db) =
            (&self.checksums, &self.tables, &self.states, &self.source_db);
        loop {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(i) = next else { break };
            let table = &tables[i];
            let rows = conn::rows(
                reader,
                format!("CHECKSUM TABLE {}", qualified(source_db, &table.name)),
                || format!("source: checksum of {}", table.name),
            )
            .await?;
            let checksum = rows
                .first()
                .and_then(|r| conn::text(r, 1))
                .and_then(|c| c.parse().ok());
            *states[i]
                .source_checksum
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = checksum;
        }
        Ok(())
    }

    /// Marks a chunk or batch of `table` done; tells the helpers when the table is loaded.
    fn done_with(&self, table: usize, loaded: &mpsc::UnboundedSender<usize>) {
        if self.states[table].maybe_finish(self.progress.as_ref()) {
            let _ = loaded.send(table);
        }
    }
}

/// Streams every chunk from `readers` (snapshot connections) into the staging database through
/// `writers` target connections, each with a loader from `loaders` if there are any (one per
/// writer). `helpers` run each table's after-load statement as soon as it is loaded.
pub async fn stream_copy(
    job: CopyJob,
    readers: Vec<Conn>,
    mut writers: Vec<Conn>,
    loaders: Vec<Loader>,
    helpers: Vec<Conn>,
    progress: &Arc<dyn Progress>,
) -> Result<(CopyResult, Vec<Conn>), MirrorError> {
    let started = Instant::now();
    let (loaded_tx, loaded_rx) = mpsc::unbounded_channel::<usize>();
    let (tx, rx) = mpsc::channel::<Batch>(writers.len() * 2);
    // Biggest tables last: they are likely still loading, and their checksum takes longest.
    let mut checksum_order: Vec<usize> = Vec::new();
    if job.source_checksums {
        checksum_order = (0..job.tables.len()).collect();
        checksum_order.sort_by_key(|&i| std::cmp::Reverse(job.tables[i].est_bytes));
    }
    let pipeline = Pipeline {
        tables: job.tables.clone(),
        states: new_states(&job, progress.as_ref()),
        chunks: Arc::new(Mutex::new(VecDeque::from(job.chunks.clone()))),
        checksums: Arc::new(Mutex::new(checksum_order)),
        batches: Arc::new(tokio::sync::Mutex::new(rx)),
        loaded_rx: Arc::new(tokio::sync::Mutex::new(loaded_rx)),
        use_loader: Arc::new(job.use_loader.clone()),
        ran_after_load: Arc::new(Mutex::new(vec![false; job.tables.len()])),
        after_load: Arc::new(job.after_load.clone()),
        fingerprint_staged: job.fingerprint_staged,
        source_db: job.source_db.clone(),
        staging_db: job.staging_db.clone(),
        progress: Arc::clone(progress),
    };
    let mut tasks: JoinSet<Result<Option<Conn>, MirrorError>> = JoinSet::new();
    let reader_count = readers.len();
    for (r, reader) in readers.into_iter().enumerate() {
        // The last reader reads the source checksums before any rows, so that reading every
        // table once more overlaps the copy instead of following it.
        let checksums_first = job.checksum_reader && r + 1 == reader_count && reader_count > 1;
        let read = ReadSettings::of(&job);
        tasks.spawn(read_chunks(
            pipeline.clone(),
            reader,
            tx.clone(),
            loaded_tx.clone(),
            read,
            checksums_first,
        ));
    }
    drop(tx);
    let mut loaders = loaders.into_iter();
    for writer in writers.drain(..) {
        tasks.spawn(write_batches(
            pipeline.clone(),
            writer,
            loaders.next(),
            loaded_tx.clone(),
            job.throttle,
        ));
    }
    drop(loaded_tx);
    for helper in helpers {
        tasks.spawn(run_after_load(pipeline.clone(), helper));
    }
    let Pipeline {
        states,
        ran_after_load,
        ..
    } = pipeline;
    let mut conns = join_all(tasks).await?;
    for state in &states {
        state.maybe_finish(progress.as_ref());
    }
    // What the helpers did not get to (or all of it, without helpers).
    let ran = ran_after_load
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for (i, sql) in job.after_load.iter().enumerate() {
        if let (Some(sql), false, Some(c)) = (sql, ran[i], conns.first_mut()) {
            conn::exec(c, sql.clone(), || {
                format!("target: adding indexes to {}", job.tables[i].name)
            })
            .await?;
        }
    }
    Ok((
        CopyResult {
            states,
            wall: started.elapsed(),
        },
        conns,
    ))
}

/// How a reader reads and sends rows.
#[derive(Clone, Copy)]
struct ReadSettings {
    batch_bytes: usize,
    max_packet: usize,
    hash_rows: bool,
}

impl ReadSettings {
    fn of(job: &CopyJob) -> Self {
        ReadSettings {
            batch_bytes: job.batch_bytes,
            max_packet: job.max_packet,
            hash_rows: job.hash_rows,
        }
    }
}

/// A reader: takes chunks until none is left and sends their rows as batches; then takes the
/// source checksums left, and ends its snapshot.
async fn read_chunks(
    pipeline: Pipeline,
    mut reader: Conn,
    tx: mpsc::Sender<Batch>,
    loaded: mpsc::UnboundedSender<usize>,
    read: ReadSettings,
    checksums_first: bool,
) -> Result<Option<Conn>, MirrorError> {
    let p = &pipeline;
    if checksums_first {
        p.source_checksums(&mut reader).await?;
    }
    loop {
        let next = p
            .chunks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        let Some(chunk) = next else { break };
        let loads = p.use_loader.get(chunk.table).copied().unwrap_or(false) && !read.hash_rows;
        read_chunk(
            &mut reader,
            &chunk,
            &p.tables[chunk.table],
            &p.states[chunk.table],
            &p.source_db,
            &p.staging_db,
            read,
            loads,
            &tx,
        )
        .await?;
        p.states[chunk.table]
            .pending_chunks
            .fetch_sub(1, Ordering::SeqCst);
        p.done_with(chunk.table, &loaded);
    }
    drop(tx);
    drop(loaded);
    p.source_checksums(&mut reader).await?;
    end_snapshot(&mut reader).await?;
    Ok(None)
}

/// A writer: loads batches into staging until the readers are done, with INSERTs or its
/// loader.
async fn write_batches(
    pipeline: Pipeline,
    mut writer: Conn,
    mut loader: Option<Loader>,
    loaded: mpsc::UnboundedSender<usize>,
    throttle: Duration,
) -> Result<Option<Conn>, MirrorError> {
    let p = &pipeline;
    loop {
        let next = p.batches.lock().await.recv().await;
        let Some(batch) = next else { break };
        let table = &p.tables[batch.table];
        let context = || format!("target: loading {} into staging", table.name);
        match batch.payload {
            Payload::Insert { sql, params } => {
                conn::load(&mut writer, sql, &params, context).await?;
            }
            Payload::Load(data) => {
                let Some(loader) = loader.as_mut() else {
                    return Err(MirrorError::Internal(
                        "rows to load reached a writer without a loader".into(),
                    ));
                };
                loader
                    .load(
                        &qualified(&p.staging_db, &table.name),
                        &table.column_list(),
                        data,
                        batch.rows,
                        conn::LOAD_ATTEMPTS,
                        context,
                    )
                    .await?;
            }
        }
        let state = &p.states[batch.table];
        state.rows.fetch_add(batch.rows, Ordering::Relaxed);
        state.bytes.fetch_add(batch.bytes, Ordering::Relaxed);
        state.bar.advance(batch.rows);
        state.update_message();
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        p.done_with(batch.table, &loaded);
        if !throttle.is_zero() {
            tokio::time::sleep(throttle).await;
        }
    }
    if let Some(loader) = loader {
        loader.close().await;
    }
    Ok(Some(writer))
}

/// A helper: runs each loaded table's after-load statement (its deferred indexes), and with
/// [`CopyJob::fingerprint_staged`] takes its staged fingerprint, while other tables still load.
async fn run_after_load(pipeline: Pipeline, mut helper: Conn) -> Result<Option<Conn>, MirrorError> {
    let p = &pipeline;
    loop {
        let next = p.loaded_rx.lock().await.recv().await;
        let Some(i) = next else { break };
        let after_load = p.after_load[i].as_deref();
        if after_load.is_some() {
            p.ran_after_load.lock().unwrap_or_else(|e| e.into_inner())[i] = true;
        }
        let fingerprint = p.fingerprint_staged;
        let (table, state) = (&p.tables[i], &p.states[i]);
        finish_table(
            &mut helper,
            table,
            state,
            after_load,
            fingerprint,
            &p.staging_db,
        )
        .await?;
    }
    Ok(Some(helper))
}

/// What follows a table's last chunk, on `conn` while other tables still copy: its deferred
/// indexes (`after_load`), then with `fingerprint` its staged fingerprint, into
/// [`TableState::staged`].
async fn finish_table(
    conn: &mut Conn,
    table: &TableInfo,
    state: &TableState,
    after_load: Option<&str>,
    fingerprint: bool,
    staging_db: &str,
) -> Result<(), MirrorError> {
    if let Some(sql) = after_load {
        conn::exec(conn, sql.to_owned(), || {
            format!("target: adding indexes to {}", table.name)
        })
        .await?;
    }
    if fingerprint {
        let f = verify::server_fingerprint(conn, "target", table, staging_db).await?;
        *state.staged.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
    }
    Ok(())
}

/// Waits for every task; on the first error, cancels the rest (their connections close, and the
/// server rolls back what they had open) and returns that error.
async fn join_all(
    mut tasks: JoinSet<Result<Option<Conn>, MirrorError>>,
) -> Result<Vec<Conn>, MirrorError> {
    let mut conns = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let result = match joined {
            Ok(result) => result,
            Err(e) => Err(MirrorError::Internal(format!("a copy worker failed: {e}"))),
        };
        match result {
            Ok(Some(conn)) => conns.push(conn),
            Ok(None) => {}
            Err(e) => {
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                return Err(e);
            }
        }
    }
    Ok(conns)
}

/// The multi-row INSERT being filled, and its binary parameters.
struct InsertBuffer {
    /// `INSERT INTO staging.t (columns) VALUES `.
    prefix: String,
    sql: String,
    params: Vec<Option<Vec<u8>>>,
    param_bytes: usize,
    rows: u64,
    data_bytes: u64,
}

/// Where the row being written began in an [`InsertBuffer`].
#[derive(Clone, Copy)]
struct RowStart {
    /// In the statement's text.
    text: usize,
    /// Among its parameters.
    param: usize,
}

impl InsertBuffer {
    fn new(prefix: String) -> Self {
        InsertBuffer {
            prefix,
            sql: String::new(),
            params: Vec::new(),
            param_bytes: 0,
            rows: 0,
            data_bytes: 0,
        }
    }

    /// Starts a row: the statement's head for the first, a comma before the others.
    fn start_row(&mut self, batch_bytes: usize) -> RowStart {
        if self.sql.is_empty() {
            self.sql.reserve(batch_bytes + self.prefix.len());
            self.sql.push_str(&self.prefix);
        } else {
            self.sql.push(',');
        }
        RowStart {
            text: self.sql.len(),
            param: self.params.len(),
        }
    }

    /// A binary value bound as a parameter of the statement.
    fn push_param(&mut self, value: Option<&[u8]>) {
        let len = value.map_or(0, <[u8]>::len);
        self.data_bytes += len as u64;
        self.param_bytes += len;
        self.params.push(value.map(<[u8]>::to_vec));
    }

    /// What the statement would take of `max_allowed_packet`, protocol overhead aside.
    fn packet_bytes(&self) -> usize {
        self.sql.len() + self.param_bytes
    }

    /// Ends the row that began at `start`. When it makes the statement bigger than `limit`,
    /// returns the statement without it, to send first, and keeps the row for the next one; a
    /// row that is bigger alone is an error with its size.
    fn end_row(
        &mut self,
        start: RowStart,
        limit: usize,
        table: usize,
    ) -> Result<Option<Batch>, usize> {
        let text = self.sql.len() - start.text;
        if self.packet_bytes() <= limit {
            self.rows += 1;
            self.data_bytes += text as u64;
            return Ok(None);
        }
        let row_params = self.params.split_off(start.param);
        let row_param_bytes: usize = row_params.iter().flatten().map(Vec::len).sum();
        let row_bytes = self.prefix.len() + text + row_param_bytes;
        if self.rows == 0 {
            return Err(row_bytes);
        }
        let row_text = self.sql.split_off(start.text);
        // The comma before the row.
        self.sql.pop();
        self.param_bytes -= row_param_bytes;
        self.data_bytes -= row_param_bytes as u64;
        let before = self.take(table);
        self.sql.push_str(&self.prefix);
        self.sql.push_str(&row_text);
        self.params = row_params;
        self.param_bytes = row_param_bytes;
        self.rows = 1;
        self.data_bytes = (text + row_param_bytes) as u64;
        Ok(Some(before))
    }

    /// Whether the statement should go: its size, or the parameters another row would add.
    fn full(&self, batch_bytes: usize, next_params: usize) -> bool {
        self.packet_bytes() >= batch_bytes || self.params.len() + next_params > MAX_PARAMS
    }

    /// The statement as a batch; the buffer is left empty for the next.
    fn take(&mut self, table: usize) -> Batch {
        self.param_bytes = 0;
        insert_batch(
            table,
            &mut self.sql,
            &mut self.params,
            &mut self.rows,
            &mut self.data_bytes,
        )
    }
}

/// Writes a row read as plain values (see [`TableInfo::raw_select`]) as SQL text: binary
/// values become parameters, the rest literals.
fn render_client_row(
    out: &mut InsertBuffer,
    row: &MySqlRow,
    kinds: &[Render],
    context: &dyn Fn() -> String,
) -> Result<(), MirrorError> {
    out.sql.push('(');
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            out.sql.push(',');
        }
        let value: Option<&[u8]> = row
            .try_get_unchecked(i)
            .map_err(|e| conn::sql_error(context(), &e))?;
        match (kind, value) {
            (Render::Binary, value) => {
                out.sql.push('?');
                out.push_param(value);
            }
            (_, None) => out.sql.push_str("NULL"),
            (kind, Some(bytes)) => {
                let text = std::str::from_utf8(bytes).map_err(|_| not_utf8(context))?;
                match kind {
                    Render::Number => out.sql.push_str(text),
                    Render::Bit => {
                        out.sql.push_str("b'");
                        out.sql.push_str(text);
                        out.sql.push('\'');
                    }
                    Render::Hex => {
                        out.sql.push_str("X'");
                        out.sql.push_str(text);
                        out.sql.push('\'');
                    }
                    _ => render_text(&mut out.sql, text),
                }
            }
        }
    }
    out.sql.push(')');
    Ok(())
}

/// Writes a row the server rendered in pieces (see [`TableInfo::rendered_select`]): the text
/// with a `?` for each of its `binary` values, which become parameters. `fingerprint` is set
/// to the row's fingerprint text (see [`TableInfo::row_literal`]).
fn render_server_row(
    out: &mut InsertBuffer,
    row: &MySqlRow,
    binary: usize,
    fingerprint: &mut Vec<u8>,
    context: &dyn Fn() -> String,
) -> Result<(), MirrorError> {
    fingerprint.clear();
    for i in 0..=binary {
        let piece: &[u8] = row
            .try_get_unchecked::<&[u8], _>(2 * i)
            .map_err(|e| conn::sql_error(context(), &e))?;
        out.sql
            .push_str(std::str::from_utf8(piece).map_err(|_| not_utf8(context))?);
        fingerprint.extend_from_slice(piece);
        if i < binary {
            let value: Option<&[u8]> = row
                .try_get_unchecked(2 * i + 1)
                .map_err(|e| conn::sql_error(context(), &e))?;
            out.sql.push('?');
            out.push_param(value);
            push_binary_digest(fingerprint, value);
        }
    }
    Ok(())
}

fn not_utf8(context: &dyn Fn() -> String) -> MirrorError {
    MirrorError::Sql {
        context: context(),
        message: "the server sent a value that is not valid UTF-8".into(),
    }
}

/// Reads one chunk and sends its rows as multi-row INSERTs (or, with `use_loader`, in the load
/// format), fingerprinting them on the way.
#[allow(clippy::too_many_arguments)]
async fn read_chunk(
    reader: &mut Conn,
    chunk: &Chunk,
    table: &TableInfo,
    state: &TableState,
    source_db: &str,
    staging_db: &str,
    read: ReadSettings,
    use_loader: bool,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), MirrorError> {
    state.start();
    if use_loader {
        return read_chunk_for_loader(reader, chunk, table, state, source_db, read, tx).await;
    }
    // With row fingerprints the server renders each row (the staged copy is fingerprinted the
    // same way); otherwise the client renders plain values, which is cheaper for the source.
    let (rendered_list, binary) = table.rendered_select();
    let (raw_list, kinds) = table.raw_select();
    let list = if read.hash_rows {
        &rendered_list
    } else {
        &raw_list
    };
    let sql = chunk.filter.select(list, source_db, &table.name);
    let mut out = InsertBuffer::new(format!(
        "INSERT INTO {} ({}) VALUES ",
        qualified(staging_db, &table.name),
        table.column_list()
    ));
    let limit = statement_limit(read.max_packet);
    let context = || format!("source: reading {}", table.name);
    let mut fingerprint = Fingerprint::default();
    let mut row_text = Vec::new();
    {
        let mut stream = reader.fetch(AssertSqlSafe(sql));
        while let Some(row) = stream
            .try_next()
            .await
            .map_err(|e| conn::sql_error(context(), &e))?
        {
            let start = out.start_row(read.batch_bytes);
            if read.hash_rows {
                render_server_row(&mut out, &row, binary, &mut row_text, &context)?;
                fingerprint.add(&row_text);
            } else {
                render_client_row(&mut out, &row, &kinds, &context)?;
                fingerprint.rows += 1;
            }
            let before = out
                .end_row(start, limit, chunk.table)
                .map_err(|bytes| row_too_big(table, bytes, read.max_packet))?;
            if let Some(batch) = before {
                send(tx, state, batch).await?;
            }
            if out.full(read.batch_bytes, kinds.len()) {
                send(tx, state, out.take(chunk.table)).await?;
            }
        }
    }
    if !out.sql.is_empty() {
        send(tx, state, out.take(chunk.table)).await?;
    }
    state
        .fingerprint
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .merge(&fingerprint);
    Ok(())
}

/// [`read_chunk`] for a table the loaders load: the values go out as the bytes the server sent,
/// escaped for the load format (FLOAT read as DOUBLE, as in [`TableInfo::raw_select`]).
async fn read_chunk_for_loader(
    reader: &mut Conn,
    chunk: &Chunk,
    table: &TableInfo,
    state: &TableState,
    source_db: &str,
    read: ReadSettings,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), MirrorError> {
    let (select_list, kinds) = table.raw_select();
    let sql = chunk.filter.select(&select_list, source_db, &table.name);
    let context = || format!("source: reading {}", table.name);
    // The loader sends a batch as one packet.
    let limit = statement_limit(read.max_packet);
    let mut data: Vec<u8> = Vec::new();
    let mut rows = 0u64;
    let mut total = 0u64;
    let mut stream = reader.fetch(AssertSqlSafe(sql));
    while let Some(row) = stream
        .try_next()
        .await
        .map_err(|e| conn::sql_error(context(), &e))?
    {
        if data.is_empty() {
            data.reserve(read.batch_bytes + read.batch_bytes / 8);
        }
        let start = data.len();
        for i in 0..kinds.len() {
            if i > 0 {
                data.push(b'\t');
            }
            let value: Option<&[u8]> = row
                .try_get_unchecked(i)
                .map_err(|e| conn::sql_error(context(), &e))?;
            load_data::push_value(&mut data, value);
        }
        data.push(b'\n');
        total += 1;
        if data.len() > limit {
            if start == 0 {
                return Err(row_too_big(table, data.len(), read.max_packet));
            }
            let row = data.split_off(start);
            send(tx, state, load_batch(chunk.table, &mut data, &mut rows)).await?;
            data = row;
        }
        rows += 1;
        if data.len() >= read.batch_bytes {
            send(tx, state, load_batch(chunk.table, &mut data, &mut rows)).await?;
        }
    }
    if !data.is_empty() {
        send(tx, state, load_batch(chunk.table, &mut data, &mut rows)).await?;
    }
    state
        .fingerprint
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .rows += total;
    Ok(())
}

/// Hands `batch` to the writers; it counts as in flight until one of them has written it.
async fn send(
    tx: &mpsc::Sender<Batch>,
    state: &TableState,
    batch: Batch,
) -> Result<(), MirrorError> {
    state.in_flight.fetch_add(1, Ordering::SeqCst);
    tx.send(batch).await.map_err(|_| {
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        MirrorError::Internal("the writers stopped early".into())
    })
}

/// The INSERT in `buffer` with its `params`, taken (the buffers are left empty for the next).
fn insert_batch(
    table: usize,
    buffer: &mut String,
    params: &mut Vec<Option<Vec<u8>>>,
    rows: &mut u64,
    bytes: &mut u64,
) -> Batch {
    Batch {
        table,
        payload: Payload::Insert {
            sql: std::mem::take(buffer),
            params: std::mem::take(params),
        },
        rows: std::mem::take(rows),
        bytes: std::mem::take(bytes),
    }
}

/// The rows in `data`, taken.
fn load_batch(table: usize, data: &mut Vec<u8>, rows: &mut u64) -> Batch {
    let data = std::mem::take(data);
    Batch {
        table,
        bytes: data.len() as u64,
        rows: std::mem::take(rows),
        payload: Payload::Load(data),
    }
}

/// The server-side path (source and target on one server): every chunk is one
/// `INSERT INTO staging.t SELECT ... FROM source.t WHERE ...` on a target connection in READ
/// COMMITTED, so the SELECT is a lock-free consistent read and no row leaves the server. Each
/// statement reads its own snapshot: the caller proves the copy consistent afterwards by
/// fingerprinting all source tables in one snapshot taken after the copy (see `mod.rs`).
pub async fn server_side_copy(
    job: CopyJob,
    mut workers: Vec<Conn>,
    progress: &Arc<dyn Progress>,
) -> Result<(CopyResult, Vec<Conn>), MirrorError> {
    let started = Instant::now();
    let states = new_states(&job, progress.as_ref());
    let queue = Arc::new(Mutex::new(VecDeque::from(job.chunks.clone())));
    let mut tasks: JoinSet<Result<Option<Conn>, MirrorError>> = JoinSet::new();
    for mut worker in workers.drain(..) {
        let queue = queue.clone();
        let states = states.clone();
        let tables = job.tables.clone();
        let staging = job.staging_db.clone();
        let source_db = job.source_db.clone();
        let after_load = job.after_load.clone();
        let fingerprint_staged = job.fingerprint_staged;
        let progress = Arc::clone(progress);
        tasks.spawn(async move {
            conn::exec(
                &mut worker,
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                || "target: session isolation".into(),
            )
            .await?;
            loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some(chunk) = next else { break };
                let table = &tables[chunk.table];
                let state = &states[chunk.table];
                state.start();
                let columns = table.column_list();
                let sql = format!(
                    "INSERT INTO {} ({columns}) {}",
                    qualified(&staging, &table.name),
                    chunk.filter.select(&columns, &source_db, &table.name)
                );
                let rows = conn::load(&mut worker, sql, &[], || {
                    format!("target: INSERT ... SELECT into {}", table.name)
                })
                .await?;
                let avg = table.est_bytes.checked_div(table.est_rows).unwrap_or(0);
                state.rows.fetch_add(rows, Ordering::Relaxed);
                state.bytes.fetch_add(rows * avg, Ordering::Relaxed);
                state.bar.advance(rows);
                state.update_message();
                state.pending_chunks.fetch_sub(1, Ordering::SeqCst);
                // The last chunk of a table: its deferred indexes and its fingerprint now, while
                // others copy on.
                if state.maybe_finish(progress.as_ref()) {
                    let sql = after_load.get(chunk.table).and_then(Option::as_deref);
                    finish_table(&mut worker, table, state, sql, fingerprint_staged, &staging)
                        .await?;
                }
            }
            conn::exec(
                &mut worker,
                "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                || "target: session isolation".into(),
            )
            .await?;
            Ok(Some(worker))
        });
    }
    let workers = join_all(tasks).await?;
    for state in &states {
        state.maybe_finish(progress.as_ref());
    }
    Ok((
        CopyResult {
            states,
            wall: started.elapsed(),
        },
        workers,
    ))
}

/// Runs one statement per item on up to `conns.len()` connections in parallel, e.g. the
/// `ALTER TABLE ... ADD KEY` of each table. Returns the connections.
pub async fn parallel_statements(
    mut conns: Vec<Conn>,
    statements: Vec<(String, String)>,
    bar: Arc<dyn Progress>,
) -> Result<Vec<Conn>, MirrorError> {
    conn::share_out(
        conns.iter_mut().collect(),
        &statements,
        async |c, (what, sql)| {
            conn::exec(c, sql.clone(), || format!("target: {what}")).await?;
            bar.advance(1);
            Ok(())
        },
    )
    .await?;
    Ok(conns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(est_rows: u64, est_bytes: u64) -> TableInfo {
        TableInfo::sized(est_rows, est_bytes)
    }

    #[test]
    fn chunk_count_by_rows_or_bytes() {
        let size = ChunkSize {
            rows: 100_000,
            bytes: 32 << 20,
        };
        // Small either way: one chunk.
        assert_eq!(size.count(&table(140_000, 1 << 20)), 1);
        // Many narrow rows: split by rows.
        assert_eq!(size.count(&table(560_000, 30 << 20)), 6);
        // Few wide rows (blobs): split by bytes.
        assert_eq!(size.count(&table(200_000, 540 << 20)), 17);
        // Never more chunks than rows.
        assert_eq!(size.count(&table(3, 1 << 30)), 3);
        // Zero: no limit of that kind.
        let rows_only = ChunkSize {
            rows: 100_000,
            bytes: 0,
        };
        assert_eq!(rows_only.count(&table(200_000, 540 << 20)), 2);
    }

    /// Adds a row of one text value and one binary value of `blob` bytes.
    fn add_row(out: &mut InsertBuffer, blob: usize, limit: usize) -> Result<Option<Batch>, usize> {
        let start = out.start_row(1 << 20);
        out.sql.push_str("(1,?)");
        out.push_param(Some(&vec![7u8; blob]));
        out.end_row(start, limit, 0)
    }

    fn statement(batch: &Batch) -> (&str, usize) {
        match &batch.payload {
            Payload::Insert { sql, params } => (sql.as_str(), params.len()),
            Payload::Load(_) => panic!("not an INSERT"),
        }
    }

    #[test]
    fn a_row_that_would_overfill_the_statement_starts_the_next() {
        let limit = 1000;
        let mut out = InsertBuffer::new("INSERT INTO t VALUES ".into());
        assert!(add_row(&mut out, 300, limit).unwrap().is_none());
        assert!(add_row(&mut out, 300, limit).unwrap().is_none());
        // 2 × (300 + text) fit; a third row of 500 would not: the two go first.
        let before = add_row(&mut out, 500, limit).unwrap().expect("split");
        assert_eq!(statement(&before), ("INSERT INTO t VALUES (1,?),(1,?)", 2));
        assert_eq!(before.rows, 2);
        assert_eq!(before.bytes, 2 * (300 + 5));
        assert!(out.packet_bytes() <= limit);
        let rest = out.take(0);
        assert_eq!(statement(&rest), ("INSERT INTO t VALUES (1,?)", 1));
        assert_eq!((rest.rows, rest.bytes), (1, 505));
        // A row bigger than the limit alone is an error with its size.
        let mut out = InsertBuffer::new("INSERT INTO t VALUES ".into());
        assert!(
            matches!(add_row(&mut out, 2000, limit), Err(n) if n == "INSERT INTO t VALUES (1,?)".len() + 2000)
        );
    }

    #[test]
    fn filters() {
        assert_eq!(Filter::All.where_clause(), None);
        assert_eq!(
            Filter::Range {
                column: "id".into(),
                lo: Some(10),
                hi: Some(20)
            }
            .where_clause()
            .unwrap(),
            "`id` >= 10 AND `id` < 20"
        );
        assert_eq!(
            Filter::Keys {
                columns: vec!["a".into(), "b".into()],
                list: "(1,2),(3,4)".into()
            }
            .where_clause()
            .unwrap(),
            "(`a`,`b`) IN ((1,2),(3,4))"
        );
    }
}
