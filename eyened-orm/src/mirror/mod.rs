//! `eorm database-mirror-full` and `eorm database-mirror-test`: fast, consistent and safe copies
//! of a (production) database, whole or a subset, for testing migrations.
//!
//! A run goes through these steps; nothing is written anywhere before step 5:
//!
//! 1. **Config** ([`config`]): the `transfer-config.yml` is read strictly.
//! 2. **Safety**: source and target must not be the same database. Compared first from the
//!    config (host after resolving `localhost`, 127.0.0.0/8, `::1`; port; name case-insensitively),
//!    then for real: a named lock taken on the source connection is visible from the target
//!    connection only if both are one server, whatever the host names say. Different servers
//!    are refused when they are one database by replication: Galera nodes, a primary and its
//!    replica, replicas of one primary ([`topology`]).
//! 3. **Plan**: the source catalog ([`catalog`]); for a subset, the live foreign-key graph
//!    ([`crate::schema::introspect()`]) and the selected rows ([`subset`]), read in a consistent,
//!    read-only snapshot. `--dry-run` stops after printing it.
//! 4. **Confirmation**: source and target are shown as `user@host:port/db` (never the password)
//!    and the user confirms on a terminal; without one, `--yes` is required.
//! 5. **Staging**: leftovers of an interrupted run (named in the plan, recognized by the
//!    ownership marker of [`owner`]; a database with their name but without it is refused) are
//!    dropped, `<target>__eorm_staging` is created with its marker and the source's DDL (`SHOW CREATE TABLE` replayed), and filled ([`copy`]): by
//!    streaming from source snapshots into multi-row INSERTs, or, when both are one server, by
//!    `INSERT ... SELECT`. Secondary indexes and foreign keys of big tables are added after the
//!    load.
//! 6. **Verification** ([`verify`]): per table, row count and content fingerprint equal to the
//!    source's, DDL equal; for a subset, zero orphans for every foreign key. (A subset copied
//!    on the server is compared with fingerprints of the selected rows taken in the selection's
//!    snapshot during the copy: `INSERT ... SELECT` itself reads the latest rows.) A subset with
//!    `copy_segmentation_data: true` then gets its segmentations' zarr data appended to the
//!    target's store and the staged rows' `ZarrArrayIndex` rewritten ([`segmentations`]).
//! 7. **Swap** ([`swap`]): one atomic `RENAME TABLE` puts the staged tables in place of the
//!    target's; views, triggers and routines are created; the old tables are dropped. Its
//!    statements wait at most `lock_wait_timeout` for locks; one that gives up names the
//!    session holding the target's tables ([`sessions`]).
//!
//! Names are checked before anything connects ([`names`]). A run that fails or is interrupted
//! after step 4 ends with [`RunState::cleanup`] ([`cleanup`]): a half-done swap is undone, so
//! the target is the old one or the new one, whole, and every database the run created is
//! dropped.
//!
//! Source reads run in `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY` under REPEATABLE
//! READ, so the source cannot be written by the mirror. Parallel readers share one snapshot when
//! the source user may block commits for a moment (see [`copy::open_snapshots`]); otherwise one
//! reader streams the tables one after another and writers still load in parallel.

pub mod catalog;
pub mod clause;
pub mod cleanup;
pub mod config;
pub mod conn;
pub mod copy;
pub mod error;
pub mod names;
pub mod owner;
pub mod report;
pub mod run_lock;
pub mod segmentations;
pub mod sessions;
pub mod subset;
pub mod swap;
pub mod topology;
pub mod verify;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use config::MirrorConfig;
pub use error::MirrorError;

use crate::sql::qualified;
use catalog::{Catalog, TableInfo};
use conn::Conn;
use copy::{Chunk, CopyJob, Filter, LOAD_SESSION};
use report::{
    CopyObjectRows, Objects, Phase, Plan, PlannedTable, Summary, TableSummary, TargetNow,
};
use run_lock::RunLock;
use serde::Serialize;
use swap::Names;
use verify::Fingerprint;

use crate::progress::Progress;

use crate::config::DatabaseConfig;
use crate::load_data::{self, Loader};

/// Which command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Schema and every row.
    Full,
    /// Schema, the rows named by `copy_objects` and everything they need.
    Test,
}

/// When to copy with `INSERT ... SELECT` on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSide {
    /// When source and target are one server (and the target user may read the source).
    Auto,
    /// For every copy: the run is refused unless source and target are one server whose target
    /// user may read the source.
    Always,
    /// Rows always stream through the client from source snapshots, even on one server.
    Never,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Full copy or test subset.
    pub mode: Mode,
    /// Path of the `transfer-config.yml`; relative `env_file`s in it are resolved against its
    /// directory.
    pub config: PathBuf,
    /// Stop after the plan: the source is read (for a subset, the rows are selected), nothing
    /// is written and `confirm` is not asked.
    pub dry_run: bool,
    /// Parallel readers and writers.
    pub workers: usize,
    /// Whether the copy may run as `INSERT ... SELECT` on the server.
    pub server_side: ServerSide,
    /// Tables with an integer key are split into chunks of about this many rows, or this many
    /// bytes (`chunk_bytes`), whichever makes more chunks.
    pub chunk_rows: u64,
    /// Chunk size in bytes of estimated table data (`DATA_LENGTH`); zero: split by rows only.
    pub chunk_bytes: u64,
    /// Stream rows into the target with `LOAD DATA LOCAL INFILE` where it is allowed (see
    /// [`crate::load_data`]); INSERTs otherwise.
    pub load_data: bool,
    /// Size of one INSERT statement (capped by the target's `max_allowed_packet`).
    pub batch_bytes: usize,
    /// Tables with this many rows or more to copy (estimated for a full copy, selected for a
    /// subset) get their secondary indexes and foreign keys after the load, unless they are
    /// bigger than the target's buffer pool.
    pub defer_indexes_min_rows: u64,
    /// A pause after every INSERT: zero, except in tests that must interrupt a copy midway.
    pub throttle: Duration,
    /// How to compare the copy with the source; by default CHECKSUM TABLE when both servers
    /// run the same version (full copies), else row fingerprints.
    pub verify: Option<verify::Method>,
    /// How long a statement of the swap waits for a lock (the session's `lock_wait_timeout`,
    /// whole seconds) before the run gives up, naming the session that holds the target.
    pub lock_wait_timeout: Duration,
    /// Tests only: make the swap fail just before this step, to check that the target is
    /// restored.
    #[doc(hidden)]
    pub fail_swap_before: Option<swap::Step>,
}

impl Options {
    /// The defaults for `mode` with the config at `config`: 4 workers ([`SUBSET_WORKERS`] for a
    /// subset), `INSERT ... SELECT` when possible, chunks of ~100 000 rows or ~32 MiB, `LOAD
    /// DATA` where allowed, INSERTs of up to 4 MiB, indexes deferred from 100 000 rows
    /// ([`SUBSET_DEFER_MIN_ROWS`] selected rows for a subset), no throttle, verification chosen by
    /// the run, locks waited for 5 s in the swap.
    pub fn new(mode: Mode, config: impl Into<PathBuf>) -> Self {
        Options {
            mode,
            config: config.into(),
            dry_run: false,
            workers: match mode {
                Mode::Full => 4,
                Mode::Test => SUBSET_WORKERS,
            },
            server_side: ServerSide::Auto,
            chunk_rows: 100_000,
            chunk_bytes: 32 << 20,
            load_data: true,
            batch_bytes: 4 << 20,
            defer_indexes_min_rows: match mode {
                Mode::Full => 100_000,
                Mode::Test => SUBSET_DEFER_MIN_ROWS,
            },
            throttle: Duration::ZERO,
            verify: None,
            lock_wait_timeout: Duration::from_secs(5),
            fail_swap_before: None,
        }
    }
}

/// What a finished run reports: its plan, and unless it was a dry run, what the copy did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// What the run planned (all a dry run did).
    pub plan: Plan,
    /// What the copy did; `None` for a dry run.
    pub summary: Option<Summary>,
}

/// Shared with the caller, so that a failed or interrupted run can clean up what it created:
/// [`run`] records what it writes to the target server, [`cleanup`](Self::cleanup) undoes it.
pub struct RunState {
    /// Identifies this run in the ownership markers of the databases it creates.
    run_id: String,
    written: Mutex<Option<cleanup::Written>>,
    /// The message of a cleanup that finished, repeated if asked again.
    cleaned: Mutex<Option<String>>,
}

impl Default for RunState {
    fn default() -> Self {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        RunState {
            run_id: format!(
                "{}-{:x}-{}",
                std::process::id(),
                nanos,
                RUNS.fetch_add(1, Ordering::Relaxed)
            ),
            written: Mutex::new(None),
            cleaned: Mutex::new(None),
        }
    }
}

impl RunState {
    /// A state with nothing written yet, to pass to [`run`] and keep for
    /// [`cleanup`](Self::cleanup).
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The id written into the ownership markers of the databases this run creates.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    fn record(&self, change: impl FnOnce(&mut cleanup::Written)) {
        if let Some(w) = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            change(w);
        }
    }

    /// After a failure or an interruption: kills the run's connection, puts the target back if
    /// the swap had begun (so it is the old target or the new one, whole), and drops the
    /// databases this run created (staging, old, the target if the run created it). Returns
    /// what the target is now and what was dropped, for the message; asked again, the same.
    pub async fn cleanup(&self) -> String {
        if let Some(done) = self
            .cleaned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return done;
        }
        let written = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(written) = written else {
            return "nothing had been changed".into();
        };
        let report = cleanup::clean_up(&written, &self.run_id, &|id| {
            self.record(|w| w.connection_id = Some(id))
        })
        .await;
        if report.complete {
            *self.cleaned.lock().unwrap_or_else(|e| e.into_inner()) = Some(report.message.clone());
        }
        report.message
    }
}

/// Asked with the plan before anything is written: `Ok(true)` to go on.
pub type Confirm<'a> = dyn FnMut(&Plan) -> Result<bool, MirrorError> + 'a;

/// Hosts that mean "this machine".
fn is_local(host: &str) -> bool {
    let h = host
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    h.is_empty()
        || h == "localhost"
        || h.starts_with('/')
        || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The addresses a host name resolves to (empty if it does not resolve).
fn addresses(host: &str, port: u16) -> Vec<IpAddr> {
    use std::net::ToSocketAddrs;
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    (host, port)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|a| a.ip()).collect())
        .unwrap_or_default()
}

/// Whether two configs name the same server, judging by the config alone: same port, and hosts
/// equal, both this machine (`localhost`, 127.0.0.0/8, `::1`, a socket path, or a name that
/// resolves to a loopback address), or resolving to a common address.
pub fn same_endpoint(a: &DatabaseConfig, b: &DatabaseConfig) -> bool {
    if a.port() != b.port() {
        return false;
    }
    let (ha, hb) = (
        a.host().trim().to_ascii_lowercase(),
        b.host().trim().to_ascii_lowercase(),
    );
    if ha == hb || (is_local(&ha) && is_local(&hb)) {
        return true;
    }
    let (ra, rb) = (addresses(&ha, a.port()), addresses(&hb, b.port()));
    let local = |h: &str, r: &[IpAddr]| {
        is_local(h) || (!r.is_empty() && r.iter().all(|ip| ip.is_loopback()))
    };
    (local(&ha, &ra) && local(&hb, &rb)) || ra.iter().any(|ip| rb.contains(ip))
}

const SYSTEM_DATABASES: &[&str] = &["mysql", "information_schema", "performance_schema", "sys"];

/// The checks that need no connection (the target's name was checked by [`Names::new`]).
fn static_checks(cfg: &MirrorConfig, names: &Names) -> Result<(), MirrorError> {
    let source = cfg.source.name();
    let target = cfg.target.name();
    // Only read, but printed: held to the same rules, for display safety.
    names::check(source, names::Role::Source)?;
    if SYSTEM_DATABASES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(target))
    {
        return Err(MirrorError::Refused(format!(
            "the target {} is a system database",
            cfg.target.db.display()
        )));
    }
    for suffix in [swap::STAGING_SUFFIX, swap::OLD_SUFFIX] {
        if target.to_ascii_lowercase().ends_with(suffix) {
            return Err(MirrorError::Refused(format!(
                "the target name {target} ends with {suffix}, which the mirror uses for its own databases"
            )));
        }
    }
    if same_endpoint(&cfg.source.db, &cfg.target.db) {
        refuse_same_names(source, names, &cfg.source.db, &cfg.target.db)?;
    }
    Ok(())
}

fn refuse_same_names(
    source: &str,
    names: &Names,
    source_db: &DatabaseConfig,
    target_db: &DatabaseConfig,
) -> Result<(), MirrorError> {
    if source.eq_ignore_ascii_case(&names.target) {
        return Err(MirrorError::Refused(format!(
            "source and target are the same database ({} and {}): the copy would destroy the source",
            source_db.display(),
            target_db.display()
        )));
    }
    if source.eq_ignore_ascii_case(&names.staging) || source.eq_ignore_ascii_case(&names.old) {
        return Err(MirrorError::Refused(format!(
            "the source {} is one of the target's helper databases, which the mirror drops",
            source_db.display()
        )));
    }
    Ok(())
}

/// Whether the two connections reach one server: a named lock held by the source connection is
/// visible from the target connection only then. Takes no lock on any table.
async fn same_server(source: &mut Conn, target: &mut Conn) -> Result<bool, MirrorError> {
    let token = format!(
        "eorm-mirror-probe-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let got = conn::scalar(
        source,
        format!("SELECT GET_LOCK({}, 0)", crate::sql::literal(&token)),
        || "source: server identity probe".into(),
    )
    .await?;
    if got.as_deref() != Some("1") {
        return Err(MirrorError::Internal(
            "could not take a uniquely named lock on the source".into(),
        ));
    }
    let holder = conn::scalar(
        target,
        format!("SELECT IS_USED_LOCK({})", crate::sql::literal(&token)),
        || "target: server identity probe".into(),
    )
    .await?;
    conn::scalar(
        source,
        format!("SELECT RELEASE_LOCK({})", crate::sql::literal(&token)),
        || "source: server identity probe".into(),
    )
    .await?;
    Ok(holder.is_some())
}

/// Whether `table` gets its secondary indexes and foreign keys after the load: when it has many
/// rows, so that sorted index builds pay, but not more data than the target's buffer pool holds,
/// since building an index afterwards reads the whole table again (from disk if it no longer
/// fits: on the 1 GB benchmark, 4 s for the 540 MiB blob table). A subset counts the rows
/// `selected` of the table.
fn defers_indexes(
    table: &TableInfo,
    options: &Options,
    buffer_pool: u64,
    selected: Option<&BTreeMap<String, u64>>,
) -> bool {
    // A subset's table without selected rows has no chunk to add its indexes after.
    let many = match (options.mode, selected) {
        (Mode::Full, _) => table.est_rows >= options.defer_indexes_min_rows,
        (Mode::Test, Some(counts)) => counts
            .get(&table.name)
            .is_some_and(|&rows| rows > 0 && rows >= options.defer_indexes_min_rows),
        (Mode::Test, None) => false,
    };
    many && table.est_bytes <= buffer_pool
}

/// Connections of a subset's selection and copy, unless [`Options::workers`] says otherwise. A
/// subset reads scattered rows through indexes, where a full copy reads ranges of the primary
/// key in order: on a source bigger than its buffer pool, each of those statements waits on
/// random reads, and more of them in flight keep both cores busy. Measured on the benchmark's
/// 10 % subset (964 MiB source, 128 MiB buffer pool, 2 cores): 3.3–3.7 s with 8 workers against
/// 3.9–4.2 s with 4; 12 and 16 were no faster than 8. With the source in the buffer pool, 4 and
/// 8 took the same time.
pub const SUBSET_WORKERS: usize = 8;

/// Selected rows from which a subset's table gets its secondary indexes after the load, unless
/// [`Options::defer_indexes_min_rows`] says otherwise. Measured
/// on the benchmark's 10 % subset: 57,173 `AttributeValue` rows (12 secondary indexes, 5 of them
/// unique) took 0.84 s to copy into the table with its indexes, and 0.16 s + 0.40 s to copy
/// without them and add them afterwards.
pub const SUBSET_DEFER_MIN_ROWS: u64 = 10_000;

async fn buffer_pool_size(conn: &mut Conn) -> Result<u64, MirrorError> {
    let v = conn::scalar(conn, "SELECT @@innodb_buffer_pool_size", || {
        "target: innodb_buffer_pool_size".into()
    })
    .await?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(u64::MAX))
}

async fn max_packet(conn: &mut Conn) -> Result<usize, MirrorError> {
    let v = conn::scalar(conn, "SELECT @@max_allowed_packet", || {
        "target: max_allowed_packet".into()
    })
    .await?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(4 << 20))
}

async fn connect_many(
    config: &DatabaseConfig,
    role: &'static str,
    database: &str,
    n: usize,
    session: Option<&str>,
) -> Result<Vec<Conn>, MirrorError> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut c = conn::connect(config, role, Some(database)).await?;
        if let Some(sql) = session {
            conn::exec(&mut c, sql, || format!("{role}: session settings")).await?;
        }
        out.push(c);
    }
    Ok(out)
}

/// Runs a mirror: reads the config, checks source and target, plans (and for a subset selects
/// the rows), asks `confirm` with the plan (not for `--dry-run`), then stages, copies, verifies
/// and swaps. Nothing is written before `confirm` says yes; `progress` hears how far it is.
pub async fn run(
    options: &Options,
    progress: &Arc<dyn Progress>,
    confirm: &mut Confirm<'_>,
    state: &RunState,
) -> Result<Outcome, MirrorError> {
    let (cfg, notes) = load_config(options)?;
    let names = Names::new(cfg.target.name())?;
    static_checks(&cfg, &names)?;
    let mut sides = connect(&cfg, &names).await?;
    let survey = survey(options, &cfg, &names, &mut sides, notes).await?;
    let selection = select_subset(options, &cfg, &survey, progress.as_ref()).await?;
    let plan = plan(
        options,
        &cfg,
        &names,
        &survey,
        selection.as_ref().map(|s| &s.selection),
        &sides.topology,
    );
    if options.dry_run {
        return Ok(Outcome {
            plan,
            summary: None,
        });
    }
    if !confirm(&plan)? {
        return Err(MirrorError::Aborted);
    }

    // From here on, the target server is written to (never the target database itself before
    // the swap). Whatever fails, the cleanup phase undoes what the run wrote.
    let lock = take_run_lock(&mut sides.target, &names, &cfg).await?;
    begin_writing(state, &cfg, &names, &mut sides.target).await?;
    let total = Instant::now();
    let written = write(
        options, &cfg, &names, &survey, selection, &mut sides, &lock, state, progress,
    )
    .await;
    let (copied, phases) = match written {
        Ok(done) => done,
        Err(e) => {
            let done = state.cleanup().await;
            progress.line(&format!("cleaned up after the failure: {done}"));
            return Err(e);
        }
    };
    lock.release(&mut sides.target).await;

    let summary = Summary {
        target: cfg.target.db.display(),
        source: cfg.source.db.display(),
        kind: match options.mode {
            Mode::Full => "copy",
            Mode::Test => "test subset",
        },
        copying: copied.description,
        tables: survey
            .tables
            .iter()
            .zip(&copied.result.states)
            .map(|(t, s)| TableSummary {
                table: t.name.clone(),
                rows: s.rows.load(Ordering::Relaxed),
                bytes: s.bytes.load(Ordering::Relaxed),
                time: s.elapsed(),
            })
            .filter(|s| options.mode == Mode::Full || s.rows > 0)
            .collect(),
        phases: phases.0,
        copy_wall: copied.result.wall,
        total: total.elapsed(),
    };
    Ok(Outcome {
        plan,
        summary: Some(summary),
    })
}

/// Records that the run now writes to the target server, with the connection that holds the
/// run's lock (which a cleanup kills first).
async fn begin_writing(
    state: &RunState,
    cfg: &MirrorConfig,
    names: &Names,
    target: &mut Conn,
) -> Result<(), MirrorError> {
    let id = conn::scalar(target, "SELECT CONNECTION_ID()", || {
        "target: CONNECTION_ID()".into()
    })
    .await?
    .and_then(|s| s.parse().ok());
    *state.written.lock().unwrap_or_else(|e| e.into_inner()) = Some(cleanup::Written {
        target: cfg.target.db.clone(),
        names: names.clone(),
        connection_id: id,
        staging: false,
        swap: None,
    });
    Ok(())
}

/// Steps 5 to 7: stages, copies, verifies and swaps. Returns the copy and the phases' times.
#[allow(clippy::too_many_arguments)]
async fn write(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    selection: Option<Selected>,
    sides: &mut Sides,
    lock: &RunLock,
    state: &RunState,
    progress: &Arc<dyn Progress>,
) -> Result<(Copied, Phases), MirrorError> {
    let mut phases = Phases::default();
    let staged = phases
        .time(
            "schema",
            stage_schema(
                options,
                cfg,
                names,
                survey,
                selection.as_ref().map(|s| s.selection.counts()).as_ref(),
                sides,
                state,
                progress.as_ref(),
            ),
        )
        .await?;
    // The run lock's connection is idle while the rows are copied and indexed.
    let copying = phases.time(
        "copy",
        copy_rows(
            options,
            cfg,
            names,
            survey,
            selection,
            staged.writers,
            &staged.deferred,
            progress,
        ),
    );
    let mut copied = lock.hold_during(&mut sides.target, copying).await?;
    let writers = std::mem::take(&mut copied.writers);
    let writers = if staged.deferred.is_empty() {
        writers
    } else {
        let indexing = phases.time(
            "indexes",
            add_deferred(
                names,
                survey,
                &staged.deferred,
                copied.indexes_done,
                writers,
                progress.as_ref(),
            ),
        );
        lock.hold_during(&mut sides.target, indexing).await?
    };
    lock.check(&mut sides.target).await?;
    phases
        .time(
            "verify",
            verify_staging(
                cfg,
                names,
                survey,
                &copied,
                writers,
                &mut sides.target,
                progress.as_ref(),
            ),
        )
        .await?;
    if options.mode == Mode::Test && cfg.copy_segmentation_data {
        // Verified rows first, then their data: the staged rows' ZarrArrayIndex is rewritten to
        // the target store's positions before the swap makes them the target.
        let stores = segmentations::check_stores(cfg)?;
        let done = phases
            .time(
                "segmentations",
                segmentations::copy(&stores, &mut sides.target, &names.staging),
            )
            .await?;
        progress.line(&format!(
            "segmentation data: {} Segmentation and {} ModelSegmentation elements appended to {}",
            done.segmentations,
            done.model_segmentations,
            stores.target.display()
        ));
    }
    lock.check(&mut sides.target).await?;
    phases
        .time(
            "swap",
            swap_in(
                options,
                names,
                survey,
                &mut sides.target,
                state,
                progress.as_ref(),
            ),
        )
        .await?;
    Ok((copied, phases))
}

/// The config, checked for what the mode needs; and notes for the plan.
fn load_config(options: &Options) -> Result<(MirrorConfig, Vec<String>), MirrorError> {
    let cfg = MirrorConfig::load(&options.config)?;
    let mut notes = Vec::new();
    match options.mode {
        Mode::Test => {
            if cfg.copy_objects.is_none() {
                return Err(MirrorError::config(
                    "copy_objects",
                    "missing key: database-mirror-test copies the rows it names (a list of {table, clause})",
                ));
            }
            if cfg.copy_segmentation_data {
                let stores = segmentations::check_stores(&cfg)?;
                notes.push(format!(
                    "copy_segmentation_data: the zarr data of the copied segmentations is appended from {} to {}",
                    stores.source.display(),
                    stores.target.display()
                ));
            }
        }
        Mode::Full => {
            if cfg.copy_segmentation_data {
                notes.push(
                    "copy_segmentation_data is ignored by database-mirror-full (as it always was)"
                        .to_owned(),
                );
            }
        }
    }
    Ok((cfg, notes))
}

/// The two connections every run keeps, and whether they reach one server.
struct Sides {
    source: Conn,
    target: Conn,
    one_server: bool,
    topology: topology::Topology,
}

/// Connects to both sides and refuses when they turn out to be one database.
async fn connect(cfg: &MirrorConfig, names: &Names) -> Result<Sides, MirrorError> {
    let source_db = cfg.source.name();
    let mut source = conn::connect(&cfg.source.db, "source", Some(source_db)).await?;
    let mut target = conn::connect(&cfg.target.db, "target", None).await?;
    let one_server = same_server(&mut source, &mut target).await?;
    // Before anything is written: different servers replicating into each other are one
    // database too (see `topology`).
    let topology = topology::survey(
        &mut source,
        &mut target,
        &cfg.source.db,
        &cfg.target.db,
        one_server,
    )
    .await?;
    topology.check()?;
    if topology.same_server() {
        refuse_same_names(source_db, names, &cfg.source.db, &cfg.target.db)?;
    }
    Ok(Sides {
        source,
        target,
        one_server,
        topology,
    })
}

/// What a run learns before it plans: nothing is written while it is gathered.
struct Survey {
    catalog: Arc<Catalog>,
    /// The catalog's tables, shared with the copy workers.
    tables: Arc<Vec<TableInfo>>,
    method: verify::Method,
    /// The foreign-key graph of a subset.
    graph: Option<subset::Graph>,
    target_exists: bool,
    target_tables: Vec<(String, u64)>,
    /// Helper databases an earlier run left, each with the mirror's marker.
    leftovers: Vec<owner::Found>,
    /// Copy with `INSERT ... SELECT` on the server.
    server_side: bool,
    workers: usize,
    buffer_pool: u64,
    /// The target's `max_allowed_packet`, which caps a statement.
    max_packet: usize,
    notes: Vec<String>,
}

/// Reads the source's catalog and the target's state, and decides how to copy and verify.
async fn survey(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    sides: &mut Sides,
    mut notes: Vec<String>,
) -> Result<Survey, MirrorError> {
    let source_db = cfg.source.name();
    let catalog = Catalog::read(&mut sides.source, source_db).await?;
    let version = |c: &'static str| move || format!("{c}: server version");
    let source_version =
        conn::scalar(&mut sides.source, "SELECT VERSION()", version("source")).await?;
    let target_version =
        conn::scalar(&mut sides.target, "SELECT VERSION()", version("target")).await?;
    // CHECKSUM TABLE is native and fast, but only comparable between equal server versions;
    // a subset is compared row by row in any case.
    let method = match (options.mode, options.verify) {
        (Mode::Test, _) => verify::Method::Literal,
        (Mode::Full, Some(method)) => method,
        (Mode::Full, None) if source_version == target_version => verify::Method::Checksum,
        (Mode::Full, None) => verify::Method::Literal,
    };
    // A subset needs the graph and checked copy_objects before anything else.
    let graph = match options.mode {
        Mode::Test => {
            let mut graph = subset::Graph::from_schema(&catalog.schema);
            graph.configure(cfg.follow_down.as_deref(), &cfg.skip_down, &catalog)?;
            subset::check_objects(&catalog, cfg.copy_objects.as_deref().unwrap_or_default())?;
            Some(graph)
        }
        Mode::Full => None,
    };
    let target_exists = swap::database_exists(&mut sides.target, &names.target).await?;
    let target_tables = if target_exists {
        swap::tables_of(&mut sides.target, &names.target).await?
    } else {
        Vec::new()
    };
    if catalog.table(owner::MARKER_TABLE).is_some() {
        return Err(MirrorError::Refused(format!(
            "the source has a table {}, the mirror's ownership marker: it is a mirror's staging or old database, not a database to copy",
            owner::MARKER_TABLE
        )));
    }
    let leftovers = owner::leftovers(&mut sides.target, names).await?;
    owner::refuse_unowned(&leftovers, names)?;
    let server_side = copy_on_server(options, cfg, &catalog, sides, &mut notes).await?;
    let buffer_pool = buffer_pool_size(&mut sides.target).await?;
    let max_packet = max_packet(&mut sides.target).await?;
    Ok(Survey {
        tables: Arc::new(catalog.tables.clone()),
        catalog: Arc::new(catalog),
        method,
        graph,
        target_exists,
        target_tables,
        leftovers,
        server_side,
        workers: options.workers.clamp(1, 64),
        buffer_pool,
        max_packet,
        notes,
    })
}

/// Whether the copy runs `INSERT ... SELECT` on the server: when both sides are one server and
/// the target user may read the source (or `--server-side` says so).
async fn copy_on_server(
    options: &Options,
    cfg: &MirrorConfig,
    catalog: &Catalog,
    sides: &mut Sides,
    notes: &mut Vec<String>,
) -> Result<bool, MirrorError> {
    let wanted = match options.server_side {
        ServerSide::Never => false,
        ServerSide::Always if !sides.one_server => {
            return Err(MirrorError::Refused(
                "--server-side=always needs source and target on one server".into(),
            ));
        }
        _ => sides.one_server,
    };
    if !wanted {
        return Ok(false);
    }
    // The target user runs INSERT ... SELECT, so it must be able to read the source.
    for t in &catalog.tables {
        let probe = format!(
            "SELECT 1 FROM {} LIMIT 0",
            qualified(cfg.source.name(), &t.name)
        );
        if let Err(e) = conn::exec(&mut sides.target, probe, String::new).await {
            let why = format!("{}: {e}", t.name);
            if options.server_side == ServerSide::Always {
                return Err(MirrorError::Refused(format!(
                    "--server-side=always, but the target user cannot read the source ({why})"
                )));
            }
            notes.push(format!(
                "same server, but the target user cannot read the source ({why}): streaming instead"
            ));
            return Ok(false);
        }
    }
    Ok(true)
}

/// A subset's selected rows and the snapshot connections, the first of which selected them:
/// all share its snapshot, in which the copy reads the rows (streaming) or fingerprints them
/// (on the server).
struct Selected {
    selection: subset::Selection,
    readers: Vec<Conn>,
    snapshot: copy::SnapshotMode,
}

/// For a subset, the selected rows and the snapshot connections (one per worker), so that the
/// plan shows exact counts.
async fn select_subset(
    options: &Options,
    cfg: &MirrorConfig,
    survey: &Survey,
    progress: &dyn Progress,
) -> Result<Option<Selected>, MirrorError> {
    let (Mode::Test, Some(graph)) = (options.mode, &survey.graph) else {
        return Ok(None);
    };
    let task = progress.task("selecting rows", 0);
    let (mut readers, snapshot) =
        copy::open_snapshots(&cfg.source.db, cfg.source.name(), survey.workers).await?;
    let started = Instant::now();
    let selection = subset::select(
        &mut readers,
        &survey.catalog,
        graph,
        cfg.copy_objects.as_deref().unwrap_or_default(),
        survey.method == verify::Method::Literal,
    )
    .await?;
    task.finish();
    progress.line(&format!(
        "selected rows in {}",
        report::duration(started.elapsed())
    ));
    Ok(Some(Selected {
        selection,
        readers,
        snapshot,
    }))
}

/// Takes the server-side lock that keeps two runs off one target.
async fn take_run_lock(
    target: &mut Conn,
    names: &Names,
    cfg: &MirrorConfig,
) -> Result<RunLock, MirrorError> {
    let lock = names.lock_name();
    RunLock::take(target, lock.clone())
        .await?
        .ok_or_else(|| MirrorError::Busy {
            target: cfg.target.db.display(),
            lock,
        })
}

/// The phases of a run and their times.
#[derive(Default)]
struct Phases(Vec<Phase>);

impl Phases {
    /// Runs `phase`, noting its time under `name`.
    async fn time<T>(
        &mut self,
        name: &str,
        phase: impl std::future::Future<Output = Result<T, MirrorError>>,
    ) -> Result<T, MirrorError> {
        let started = Instant::now();
        let out = phase.await?;
        self.0.push(Phase {
            name: name.to_owned(),
            time: started.elapsed(),
        });
        Ok(out)
    }
}

/// The staging database, created with every table, and its writer connections.
struct Staged {
    writers: Vec<Conn>,
    /// Tables created without their secondary indexes and foreign keys, added after the load.
    deferred: Vec<(usize, catalog::SplitDdl)>,
}

/// Drops the leftovers of an interrupted run that the plan showed, creates the staging database
/// with its ownership marker and its tables (big ones without secondary indexes and foreign
/// keys), and connects the writers.
#[allow(clippy::too_many_arguments)]
async fn stage_schema(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    selected: Option<&BTreeMap<String, u64>>,
    sides: &mut Sides,
    state: &RunState,
    progress: &dyn Progress,
) -> Result<Staged, MirrorError> {
    for dropped in owner::drop_leftovers(&mut sides.target, names, &survey.leftovers).await? {
        progress.line(&format!(
            "dropped leftover database {dropped} of an earlier run"
        ));
    }
    state.record(|w| w.staging = true);
    swap::create_staging(&mut sides.target, names, &survey.catalog, state.run_id()).await?;
    let writers = connect_many(
        &cfg.target.db,
        "target",
        &names.staging,
        survey.workers,
        Some(LOAD_SESSION),
    )
    .await?;
    let mut deferred = Vec::new();
    let mut creates = Vec::new();
    for (i, t) in survey.catalog.tables.iter().enumerate() {
        let split = defers_indexes(t, options, survey.buffer_pool, selected)
            .then(|| t.split_ddl())
            .flatten();
        let ddl = match &split {
            Some(s) => s.create.clone(),
            None => t.create_sql.clone(),
        };
        creates.push((
            format!("creating table {} in {}", t.name, names.staging),
            ddl,
        ));
        if let Some(s) = split {
            deferred.push((i, s));
        }
    }
    // In parallel: each CREATE waits for its files to be synced. Foreign keys to tables not
    // created yet are accepted with foreign_key_checks = 0 (LOAD_SESSION).
    let writers = copy::parallel_statements(writers, creates, crate::progress::silent()).await?;
    Ok(Staged { writers, deferred })
}

/// The rows copied into staging.
struct Copied {
    result: copy::CopyResult,
    /// How, as shown to the user.
    description: String,
    writers: Vec<Conn>,
    /// Whether the source side was fingerprinted in a snapshot, while the copy read it (so the
    /// fingerprints are in `result`'s states).
    client_fingerprints: bool,
    /// The copy read the source's latest rows (`INSERT ... SELECT`) of keys selected in a
    /// snapshot, which was fingerprinted: a difference means the source changed in between.
    latest_rows: bool,
    /// Whether the deferred indexes were built during the load.
    indexes_done: bool,
    selection: Option<subset::Selection>,
}

/// Copies the rows by the path the survey chose: the subset's selection, `INSERT ... SELECT` on
/// the server, or streaming from snapshots.
#[allow(clippy::too_many_arguments)]
async fn copy_rows(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    selection: Option<Selected>,
    writers: Vec<Conn>,
    deferred: &[(usize, catalog::SplitDdl)],
    progress: &Arc<dyn Progress>,
) -> Result<Copied, MirrorError> {
    let packet = survey.max_packet;
    let job = |expected_rows, chunks, after_load| CopyJob {
        tables: survey.tables.clone(),
        expected_rows,
        chunks,
        source_db: cfg.source.name().to_owned(),
        staging_db: names.staging.clone(),
        batch_bytes: options
            .batch_bytes
            .min(packet.saturating_sub(64 * 1024))
            .max(64 * 1024),
        writers: survey.workers,
        throttle: options.throttle,
        hash_rows: survey.method == verify::Method::Literal,
        source_checksums: survey.method == verify::Method::Checksum,
        max_packet: packet,
        after_load,
        use_loader: vec![false; survey.tables.len()],
        checksum_reader: false,
        fingerprint_staged: false,
    };
    let after_load = index_statements(deferred, &survey.tables, &names.staging);
    match (options.mode, selection) {
        (Mode::Test, Some(selected)) if survey.server_side => {
            copy_subset_on_the_server(survey, selected, writers, job, after_load, progress).await
        }
        (Mode::Test, Some(selected)) => {
            copy_subset(
                options, cfg, names, survey, selected, writers, job, after_load, progress,
            )
            .await
        }
        (Mode::Test, None) => Err(MirrorError::Internal("no selection".into())),
        (Mode::Full, _) if survey.server_side => {
            copy_on_the_server(options, cfg, survey, writers, job, after_load, progress).await
        }
        (Mode::Full, _) => {
            stream_full(
                options, cfg, names, survey, writers, job, after_load, deferred, progress,
            )
            .await
        }
    }
}

/// A subset's chunks: the selected rows by primary key, and the version tables whole; with the
/// rows expected per table.
fn subset_chunks(
    tables: &[TableInfo],
    selection: &subset::Selection,
    keys: usize,
) -> (Vec<Chunk>, Vec<(usize, u64)>) {
    let counts = selection.counts();
    let mut chunks = selection.chunks(tables, keys);
    for (i, t) in tables.iter().enumerate() {
        if crate::schema::VERSION_TABLES.contains(&t.name.as_str()) {
            chunks.push(Chunk {
                table: i,
                filter: Filter::All,
            });
        }
    }
    let expected = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (i, counts.get(&t.name).copied().unwrap_or(t.est_rows)))
        .collect();
    (chunks, expected)
}

/// A subset streamed through the client: the selected rows and the version tables, read by the
/// readers sharing the selection's snapshot, and written with `LOAD DATA` where the target
/// allows it. The selection fingerprinted the rows it selected, in the same snapshot, so the
/// copy does not render them. Helpers add each table's deferred indexes and take its staged
/// fingerprint as soon as it is loaded.
#[allow(clippy::too_many_arguments)]
async fn copy_subset(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    selected: Selected,
    mut writers: Vec<Conn>,
    job: impl FnOnce(Vec<(usize, u64)>, Vec<Chunk>, Vec<Option<String>>) -> CopyJob,
    after_load: Vec<Option<String>>,
    progress: &Arc<dyn Progress>,
) -> Result<Copied, MirrorError> {
    let tables = &survey.tables;
    let Selected {
        selection,
        mut readers,
        snapshot,
    } = selected;
    let fingerprints = selection_fingerprints(survey, &selection, &mut readers[0]).await?;
    let (chunks, expected) = subset_chunks(tables, &selection, SUBSET_CHUNK_KEYS);
    let mut job = job(expected, chunks, after_load);
    job.hash_rows = false;
    job.fingerprint_staged = true;
    let (loaders, writing) = loaders(options, cfg, names, survey, &mut job, &mut writers).await?;
    let description = format!(
        "copying the subset: {snapshot}, the selection's; {} with {writing}",
        match writers.len() {
            1 => "1 writer".to_owned(),
            n => format!("{n} writers"),
        }
    );
    progress.line(&description);
    let helpers = connect_many(
        &cfg.target.db,
        "target",
        &names.staging,
        (writers.len() / 2).max(1),
        Some(LOAD_SESSION),
    )
    .await?;
    let (result, writers) =
        copy::stream_copy(job, readers, writers, loaders, helpers, progress).await?;
    for (state, f) in result.states.iter().zip(fingerprints) {
        *state.fingerprint.lock().unwrap_or_else(|e| e.into_inner()) = f;
    }
    Ok(Copied {
        result,
        description,
        writers,
        client_fingerprints: true,
        latest_rows: false,
        indexes_done: true,
        selection: Some(selection),
    })
}

/// Per table, the fingerprint of the rows a subset copies from the snapshot: the selection's,
/// taken by the queries that selected the rows, and for the version tables (copied whole), taken
/// now by `reader`, in the snapshot.
async fn selection_fingerprints(
    survey: &Survey,
    selection: &subset::Selection,
    reader: &mut Conn,
) -> Result<Vec<Fingerprint>, MirrorError> {
    let mut fingerprints = Vec::new();
    for t in survey.tables.iter() {
        fingerprints.push(
            if crate::schema::VERSION_TABLES.contains(&t.name.as_str()) {
                verify::server_fingerprint(reader, "source", t, &survey.catalog.database).await?
            } else {
                selection.fingerprint(&t.name).ok_or_else(|| {
                    MirrorError::Internal("the selection was not fingerprinted".into())
                })?
            },
        );
    }
    Ok(fingerprints)
}

/// Keys per chunk of a subset's copy: on the server, each `INSERT ... SELECT` is a transaction
/// with its own commit, and the server turns a long `IN` list into a semi-join; streamed, each
/// chunk is one `SELECT` (the rows are loaded in batches of their own size). Streaming the 10 %
/// benchmark subset took 2.31-2.42 s in chunks of 1,000 keys, 2.05-2.32 s in chunks of 5,000
/// and 2.21-2.24 s in chunks of 10,000.
const SUBSET_CHUNK_KEYS: usize = 10_000;

/// A subset on one server: `INSERT ... SELECT` of the selected keys in parallel. `INSERT ...
/// SELECT` cannot read the selection's snapshot (a read-only transaction may not write, and a
/// read-write one reads the latest rows under REPEATABLE READ), so verification compares the
/// staged rows with the fingerprints the selection took in the snapshot: equal, the copy is
/// exactly the snapshot's selection. A table's deferred indexes and its staged fingerprint are
/// taken as soon as its last chunk is in, while the others copy on.
async fn copy_subset_on_the_server(
    survey: &Survey,
    selected: Selected,
    writers: Vec<Conn>,
    job: impl FnOnce(Vec<(usize, u64)>, Vec<Chunk>, Vec<Option<String>>) -> CopyJob,
    after_load: Vec<Option<String>>,
    progress: &Arc<dyn Progress>,
) -> Result<Copied, MirrorError> {
    let tables = &survey.tables;
    let Selected {
        selection,
        mut readers,
        snapshot,
    } = selected;
    let fingerprints = selection_fingerprints(survey, &selection, &mut readers[0]).await?;
    copy::end_snapshots(readers).await?;
    let (chunks, expected) = subset_chunks(tables, &selection, SUBSET_CHUNK_KEYS);
    let description = format!(
        "copying the subset on the server (INSERT ... SELECT), {} workers, {} chunks; compared with the rows the selection fingerprinted in {snapshot}",
        writers.len(),
        chunks.len()
    );
    progress.line(&description);
    let mut job = job(expected, chunks, after_load);
    job.fingerprint_staged = true;
    let (result, writers) = copy::server_side_copy(job, writers, progress).await?;
    for (state, f) in result.states.iter().zip(fingerprints) {
        *state.fingerprint.lock().unwrap_or_else(|e| e.into_inner()) = f;
    }
    Ok(Copied {
        result,
        description,
        writers,
        client_fingerprints: true,
        latest_rows: true,
        indexes_done: true,
        selection: Some(selection),
    })
}

/// A full copy on one server: `INSERT ... SELECT` per chunk, chunk bounds from a snapshot.
async fn copy_on_the_server(
    options: &Options,
    cfg: &MirrorConfig,
    survey: &Survey,
    writers: Vec<Conn>,
    job: impl FnOnce(Vec<(usize, u64)>, Vec<Chunk>, Vec<Option<String>>) -> CopyJob,
    after_load: Vec<Option<String>>,
    progress: &Arc<dyn Progress>,
) -> Result<Copied, MirrorError> {
    let (mut planners, _) = copy::open_snapshots(&cfg.source.db, cfg.source.name(), 1).await?;
    let chunks = full_chunks(&mut planners[0], &survey.tables, cfg.source.name(), options).await?;
    drop(planners);
    let description = format!(
        "copying on the server (INSERT ... SELECT), {} workers, {} chunks",
        survey.workers,
        chunks.len()
    );
    progress.line(&description);
    let job = job(estimated_rows(&survey.tables), chunks, after_load);
    let (result, writers) = copy::server_side_copy(job, writers, progress).await?;
    Ok(Copied {
        result,
        description,
        writers,
        client_fingerprints: false,
        latest_rows: false,
        indexes_done: true,
        selection: None,
    })
}

/// A full copy streamed from snapshots, with `LOAD DATA` where the target allows it, and the
/// deferred indexes of loaded tables built while others still load.
#[allow(clippy::too_many_arguments)]
async fn stream_full(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    mut writers: Vec<Conn>,
    job: impl FnOnce(Vec<(usize, u64)>, Vec<Chunk>, Vec<Option<String>>) -> CopyJob,
    after_load: Vec<Option<String>>,
    deferred: &[(usize, catalog::SplitDdl)],
    progress: &Arc<dyn Progress>,
) -> Result<Copied, MirrorError> {
    let workers = survey.workers;
    // One reader more, for the source checksums (see `CopyJob::checksum_reader`).
    let checksum_reader = survey.method == verify::Method::Checksum && workers > 1;
    let (mut readers, mode) = copy::open_snapshots(
        &cfg.source.db,
        cfg.source.name(),
        workers + usize::from(checksum_reader),
    )
    .await?;
    let chunks = full_chunks(&mut readers[0], &survey.tables, cfg.source.name(), options).await?;
    let mut job = job(estimated_rows(&survey.tables), chunks, after_load);
    job.checksum_reader = checksum_reader;
    let (loaders, writing) = loaders(options, cfg, names, survey, &mut job, &mut writers).await?;
    let description = format!(
        "copying: {mode}; {workers} writers with {writing}; {} chunks",
        job.chunks.len()
    );
    progress.line(&description);
    let helpers = if deferred.is_empty() {
        Vec::new()
    } else {
        connect_many(
            &cfg.target.db,
            "target",
            &names.staging,
            (workers / 2).max(1),
            Some(LOAD_SESSION),
        )
        .await?
    };
    let (result, writers) =
        copy::stream_copy(job, readers, writers, loaders, helpers, progress).await?;
    Ok(Copied {
        result,
        description,
        writers,
        client_fingerprints: true,
        latest_rows: false,
        indexes_done: true,
        selection: None,
    })
}

/// The writers' `LOAD DATA LOCAL INFILE` loaders, when they may be used (else none, and why),
/// and how the rows are written, for the user.
async fn loaders(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    job: &mut CopyJob,
    writers: &mut [Conn],
) -> Result<(Vec<Loader>, String), MirrorError> {
    let why_not = match (options.load_data, job.hash_rows) {
        (false, _) => Some("--no-load-data".to_owned()),
        (true, true) => Some("row fingerprints need INSERTs".to_owned()),
        (true, false) => load_data::unusable(&mut writers[0], "target").await?,
    };
    if let Some(why) = why_not {
        return Ok((Vec::new(), format!("multi-row INSERTs ({why})")));
    }
    let mut loaders = Vec::with_capacity(survey.workers);
    for _ in 0..survey.workers {
        loaders.push(
            Loader::connect(
                &cfg.target.db,
                &names.staging,
                &[conn::SESSION, LOAD_SESSION],
                "target",
            )
            .await?,
        );
    }
    job.use_loader = survey.tables.iter().map(catalog::loadable).collect();
    let loaded = job.use_loader.iter().filter(|l| **l).count();
    let writing = if loaded == survey.tables.len() {
        "LOAD DATA LOCAL INFILE".to_owned()
    } else {
        format!(
            "LOAD DATA LOCAL INFILE ({loaded} of {} tables; INSERTs for the rest)",
            survey.tables.len()
        )
    };
    Ok((loaders, writing))
}

/// Every table with its estimated rows, for the progress of a full copy.
fn estimated_rows(tables: &[TableInfo]) -> Vec<(usize, u64)> {
    tables
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.est_rows))
        .collect()
}

/// The deferred secondary indexes (unless the load built them), then the foreign keys, which
/// may need the indexes of other tables. Returns the writers.
async fn add_deferred(
    names: &Names,
    survey: &Survey,
    deferred: &[(usize, catalog::SplitDdl)],
    indexes_done: bool,
    mut writers: Vec<Conn>,
    progress: &dyn Progress,
) -> Result<Vec<Conn>, MirrorError> {
    let tables = &survey.tables;
    if !indexes_done {
        let statements: Vec<(String, String)> = index_statements(deferred, tables, &names.staging)
            .into_iter()
            .enumerate()
            .filter_map(|(i, sql)| {
                sql.map(|sql| (format!("adding indexes to {}", tables[i].name), sql))
            })
            .collect();
        let task = progress.task(
            &format!("adding indexes to {} tables", statements.len()),
            statements.len() as u64,
        );
        writers = copy::parallel_statements(writers, statements, task.clone()).await?;
        task.finish();
    }
    let fk_statements: Vec<(String, String)> = deferred
        .iter()
        .filter(|(_, s)| !s.foreign_keys.is_empty())
        .map(|(i, s)| {
            let t = &tables[*i].name;
            (
                format!("adding foreign keys to {t}"),
                format!(
                    "ALTER TABLE {} {}",
                    qualified(&names.staging, t),
                    s.foreign_keys.join(", ")
                ),
            )
        })
        .collect();
    let task = progress.task("adding foreign keys", fk_statements.len() as u64);
    let writers = copy::parallel_statements(writers, fk_statements, task.clone()).await?;
    task.finish();
    Ok(writers)
}

/// Compares staging with the source (counts and fingerprints, or checksums), the DDL of every
/// table, a subset's selected counts and its orphans; then creates the views, triggers and
/// routines once to see that they compile against the copy.
async fn verify_staging(
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    copied: &Copied,
    mut writers: Vec<Conn>,
    target: &mut Conn,
    progress: &dyn Progress,
) -> Result<(), MirrorError> {
    let task = progress.task("verifying the staged copy", 0);
    let tables = &survey.tables;
    let method = survey.method;
    let known: Vec<Option<Fingerprint>> = copied
        .result
        .states
        .iter()
        .map(|s| *s.staged.lock().unwrap_or_else(|e| e.into_inner()))
        .collect();
    // The staged fingerprints still unknown on some of the writers' connections; meanwhile the
    // DDL on the run's own, then the orphans on it and the writers left.
    let unknown = known.iter().filter(|k| k.is_none()).count();
    let mut spare = writers.split_off(unknown.max(1).min(writers.len()));
    let staging_checks = async {
        let mut problems = Vec::new();
        for t in tables.iter() {
            if let Some(diff) = verify::ddl_difference(target, t, &names.staging).await? {
                problems.push(diff);
            }
        }
        if let Some(graph) = &survey.graph {
            let keys: Vec<(&str, &crate::schema::ForeignKey)> = graph
                .edges
                .iter()
                .map(|e| (e.child.as_str(), &e.key))
                .collect();
            let mut conns: Vec<&mut Conn> = spare.iter_mut().collect();
            conns.push(&mut *target);
            let counts = conn::share_out(conns, &keys, async |conn, (child, key)| {
                verify::orphans(conn, &names.staging, child, key).await
            })
            .await?;
            for (edge, n) in graph.edges.iter().zip(counts) {
                if n > 0 {
                    problems.push(format!(
                        "{} -> {}: {n} orphan rows",
                        edge.name(),
                        edge.parent()
                    ));
                }
            }
        }
        Ok::<_, MirrorError>(problems)
    };
    let (staged, staging_problems) = tokio::try_join!(
        fingerprints(writers, tables, &names.staging, "target", method, known),
        staging_checks
    )?;
    let expected: Vec<Fingerprint> = if copied.client_fingerprints {
        copied
            .result
            .states
            .iter()
            .map(|s| s.expected(method))
            .collect()
    } else {
        // INSERT ... SELECT read each chunk in its own snapshot. The source, measured now,
        // after the copy, must equal the staged tables: then every table was unchanged from
        // its copy until now, so the copy equals the source as it was when the copy ended.
        let readers = connect_many(
            &cfg.source.db,
            "source",
            cfg.source.name(),
            survey.workers,
            None,
        )
        .await?;
        let unknown = vec![None; tables.len()];
        fingerprints(
            readers,
            tables,
            cfg.source.name(),
            "source",
            method,
            unknown,
        )
        .await?
    };
    let mut problems = compare_fingerprints(tables, &expected, &staged, copied.selection.as_ref());
    if !copied.client_fingerprints && !problems.is_empty() {
        problems.push("the source changed during the copy (INSERT ... SELECT reads each table at its own moment); run again, or use --server-side=never for a snapshot copy".into());
    }
    if copied.latest_rows && !problems.is_empty() {
        problems.push("the source changed after the rows were selected (INSERT ... SELECT reads the latest rows, the selection a snapshot); run again, or use --server-side=never to copy from the snapshot".into());
    }
    problems.extend(staging_problems);
    task.finish();
    if !problems.is_empty() {
        return Err(MirrorError::Verify(problems));
    }
    let catalog = &survey.catalog;
    if !catalog.views.is_empty() || !catalog.triggers.is_empty() || !catalog.routines.is_empty() {
        swap::create_objects(target, catalog, &names.staging).await?;
        swap::drop_objects(target, &names.staging).await?;
    }
    Ok(())
}

/// What differs between the source's and the copy's fingerprints, table by table, and between
/// a subset's selected and copied rows.
fn compare_fingerprints(
    tables: &[TableInfo],
    expected: &[Fingerprint],
    staged: &[Fingerprint],
    selection: Option<&subset::Selection>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let counts = selection.map(subset::Selection::counts);
    for (i, t) in tables.iter().enumerate() {
        let (want, got) = (expected[i], staged[i]);
        if want.rows != got.rows {
            problems.push(format!(
                "{}: {} rows read from the source, {} in the copy",
                t.name, want.rows, got.rows
            ));
        } else if want != got {
            problems.push(format!(
                "{}: same row count ({}) but different contents",
                t.name, got.rows
            ));
        }
        if let Some(counts) = &counts
            && !crate::schema::VERSION_TABLES.contains(&t.name.as_str())
        {
            let selected = counts.get(&t.name).copied().unwrap_or(0);
            if selected != got.rows {
                problems.push(format!(
                    "{}: {selected} rows selected, {} copied",
                    t.name, got.rows
                ));
            }
        }
    }
    problems
}

/// Puts the verified staging tables in place of the target's; what the swap does is recorded in
/// `state`, for the cleanup should it fail.
async fn swap_in(
    options: &Options,
    names: &Names,
    survey: &Survey,
    target: &mut Conn,
    state: &RunState,
    progress: &dyn Progress,
) -> Result<(), MirrorError> {
    let staged_names: Vec<String> = survey.tables.iter().map(|t| t.name.clone()).collect();
    let settings = swap::Settings {
        lock_wait: options.lock_wait_timeout,
        run_id: state.run_id().to_owned(),
        fail_before: options.fail_swap_before,
    };
    let record = |journal: &swap::Journal| state.record(|w| w.swap = Some(journal.clone()));
    swap::swap(
        target,
        names,
        &survey.catalog,
        &staged_names,
        &settings,
        &record,
        progress,
    )
    .await
}

/// Per table, the `ALTER TABLE ... ADD KEY ...` of its deferred secondary indexes.
fn index_statements(
    deferred: &[(usize, catalog::SplitDdl)],
    tables: &[TableInfo],
    staging: &str,
) -> Vec<Option<String>> {
    let mut out = vec![None; tables.len()];
    for (i, split) in deferred {
        if !split.indexes.is_empty() {
            out[*i] = Some(format!(
                "ALTER TABLE {} {}",
                qualified(staging, &tables[*i].name),
                split.indexes.join(", ")
            ));
        }
    }
    out
}

async fn full_chunks(
    conn: &mut Conn,
    tables: &[TableInfo],
    source_db: &str,
    options: &Options,
) -> Result<Vec<Chunk>, MirrorError> {
    let mut per_table = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let size = copy::ChunkSize {
            rows: options.chunk_rows,
            bytes: options.chunk_bytes,
        };
        per_table.push((
            (t.est_bytes, t.est_rows),
            copy::plan_chunks(conn, i, t, source_db, size).await?,
        ));
    }
    // Biggest tables first (by bytes: a table of large blobs takes longest), their chunks
    // interleaved with nothing else so that a table finishes early and its indexes can follow;
    // small tables fill the gaps at the end.
    per_table.sort_by_key(|p| std::cmp::Reverse(p.0));
    Ok(per_table.into_iter().flat_map(|(_, c)| c).collect())
}

/// Fingerprints of every table of `database`: those `known` already, the others computed on the
/// server over `conns` in parallel.
async fn fingerprints(
    mut conns: Vec<Conn>,
    tables: &Arc<Vec<TableInfo>>,
    database: &str,
    role: &'static str,
    method: verify::Method,
    known: Vec<Option<Fingerprint>>,
) -> Result<Vec<Fingerprint>, MirrorError> {
    // The biggest first, so that none is left to run alone at the end.
    let mut unknown: Vec<usize> = (0..tables.len()).filter(|&i| known[i].is_none()).collect();
    unknown.sort_by_key(|&i| std::cmp::Reverse(tables[i].est_bytes));
    let measured = conn::share_out(conns.iter_mut().collect(), &unknown, async |c, &i| {
        verify::measure(c, method, role, &tables[i], database).await
    })
    .await?;
    let mut out: Vec<Fingerprint> = known.into_iter().map(Option::unwrap_or_default).collect();
    for (i, f) in unknown.into_iter().zip(measured) {
        out[i] = f;
    }
    Ok(out)
}

/// The plan shown before anything is written.
fn plan(
    options: &Options,
    cfg: &MirrorConfig,
    names: &Names,
    survey: &Survey,
    selection: Option<&subset::Selection>,
    topology: &topology::Topology,
) -> Plan {
    let catalog = &survey.catalog;
    let workers = survey.workers;
    let method = match options.mode {
        Mode::Test if survey.server_side => format!(
            "set-based selection in a read-only snapshot, which fingerprints the rows it selects; same server: INSERT ... SELECT of the selected keys, {workers} workers"
        ),
        Mode::Test => format!(
            "set-based selection in a read-only snapshot, which fingerprints the rows it selects; {workers} readers sharing it, {workers} writers"
        ),
        Mode::Full if survey.server_side => format!(
            "same server: INSERT ... SELECT, {workers} workers, chunks of ~{} rows or ~{}",
            options.chunk_rows,
            report::bytes(options.chunk_bytes)
        ),
        Mode::Full => format!(
            "streaming from read-only snapshots, {workers} readers/writers, chunks of ~{} rows or ~{}, INSERTs of up to {}",
            options.chunk_rows,
            report::bytes(options.chunk_bytes),
            report::bytes(options.batch_bytes as u64)
        ),
    };
    let verify = match (survey.method, options.mode) {
        (verify::Method::Checksum, _) => {
            "row count and CHECKSUM TABLE of every table (same server version)"
        }
        (verify::Method::Literal, Mode::Full) => {
            "row count and MD5 fingerprint of every row's values"
        }
        (verify::Method::Literal, Mode::Test) => {
            "row counts, MD5 fingerprints of the copied rows, zero orphans for every foreign key"
        }
    };
    let tables = match selection {
        Some(selection) => subset_tables(options, catalog, selection, survey.buffer_pool),
        None => full_tables(options, catalog, survey.buffer_pool),
    };
    Plan {
        command: match options.mode {
            Mode::Full => "database-mirror-full",
            Mode::Test => "database-mirror-test",
        },
        dry_run: options.dry_run,
        source: cfg.source.db.display(),
        target: cfg.target.db.display(),
        target_server: cfg
            .target
            .db
            .with_database("")
            .display()
            .trim_end_matches('/')
            .to_owned(),
        target_now: TargetNow {
            exists: survey.target_exists,
            tables: survey.target_tables.len(),
            rows: survey.target_tables.iter().map(|(_, n)| n).sum(),
        },
        staging: names.staging.clone(),
        leftovers: survey
            .leftovers
            .iter()
            .filter_map(|f| {
                let m = f.marker.as_ref()?;
                Some(report::Leftover {
                    database: f.name.clone(),
                    tables: f.tables,
                    run_id: m.run_id.clone(),
                    tool_version: m.tool_version.clone(),
                    created_at: m.created_at.clone(),
                })
            })
            .collect(),
        method,
        verify: verify.to_owned(),
        notes: survey.notes.clone(),
        copy_objects: selection
            .map(|s| {
                s.roots
                    .iter()
                    .map(|r| CopyObjectRows {
                        key: r.key.clone(),
                        table: r.table.clone(),
                        rows: r.rows,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        downward_edges: survey
            .graph
            .as_ref()
            .map(|g| (g.edges.iter().filter(|e| e.down).count(), g.edges.len())),
        tables,
        source_tables: catalog.tables.len(),
        objects: Objects {
            views: catalog.views.len(),
            triggers: catalog.triggers.len(),
            routines: catalog.routines.len(),
        },
        events_not_copied: catalog.events.clone(),
        servers: topology.identities(),
    }
}

/// A subset's tables: those with selected rows, by name, then the version tables, copied whole.
fn subset_tables(
    options: &Options,
    catalog: &Catalog,
    selection: &subset::Selection,
    buffer_pool: u64,
) -> Vec<PlannedTable> {
    let counts = selection.counts();
    let mut tables: Vec<PlannedTable> = counts
        .iter()
        .map(|(name, &rows)| PlannedTable {
            name: name.clone(),
            rows,
            rows_estimated: false,
            bytes: None,
            indexes_after_load: catalog.table(name).is_some_and(|t| {
                defers_indexes(t, options, buffer_pool, Some(&counts)) && t.split_ddl().is_some()
            }),
            whole: false,
        })
        .collect();
    for t in crate::schema::VERSION_TABLES {
        if let Some(info) = catalog.table(t) {
            tables.push(PlannedTable {
                name: info.name.clone(),
                rows: info.est_rows,
                rows_estimated: true,
                bytes: None,
                indexes_after_load: false,
                whole: true,
            });
        }
    }
    tables
}

/// A full copy's tables, biggest first, with their estimates.
fn full_tables(options: &Options, catalog: &Catalog, buffer_pool: u64) -> Vec<PlannedTable> {
    let mut sorted: Vec<&TableInfo> = catalog.tables.iter().collect();
    sorted.sort_by(|a, b| b.est_bytes.cmp(&a.est_bytes).then(a.name.cmp(&b.name)));
    sorted
        .into_iter()
        .map(|t| PlannedTable {
            name: t.name.clone(),
            rows: t.est_rows,
            rows_estimated: true,
            bytes: Some(t.est_bytes),
            indexes_after_load: defers_indexes(t, options, buffer_pool, None)
                && t.split_ddl().is_some(),
            whole: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_deferred_for_many_rows_that_fit_the_buffer_pool() {
        let table = TableInfo::sized;
        let full = Options::new(Mode::Full, "c.yml");
        let pool = 128 << 20;
        assert!(defers_indexes(&table(150_000, 80 << 20), &full, pool, None));
        // Few rows: indexes during the load.
        assert!(!defers_indexes(&table(5_000, 1 << 20), &full, pool, None));
        // Bigger than the buffer pool: building indexes afterwards would read it from disk.
        assert!(!defers_indexes(
            &table(260_000, 540 << 20),
            &full,
            pool,
            None
        ));
        // Subsets count the selected rows, not the table's.
        let test = Options::new(Mode::Test, "c.yml");
        let selected = |rows: u64| BTreeMap::from([("t".to_owned(), rows)]);
        assert!(defers_indexes(
            &table(150_000, 80 << 20),
            &test,
            pool,
            Some(&selected(20_000))
        ));
        assert!(!defers_indexes(
            &table(150_000, 80 << 20),
            &test,
            pool,
            Some(&selected(900))
        ));
        assert!(!defers_indexes(
            &table(150_000, 80 << 20),
            &test,
            pool,
            Some(&BTreeMap::new())
        ));
        assert!(!defers_indexes(
            &table(150_000, 80 << 20),
            &test,
            pool,
            None
        ));
        // A table without selected rows has no chunk to add its indexes after.
        let mut every = Options::new(Mode::Test, "c.yml");
        every.defer_indexes_min_rows = 0;
        assert!(!defers_indexes(
            &table(10, 1 << 20),
            &every,
            pool,
            Some(&selected(0))
        ));
        assert!(defers_indexes(
            &table(10, 1 << 20),
            &every,
            pool,
            Some(&selected(1))
        ));
    }

    #[test]
    fn local_hosts() {
        for h in [
            "localhost",
            "127.0.0.1",
            "127.0.1.1",
            "::1",
            "[::1]",
            "",
            "/run/mysqld/mysqld.sock",
        ] {
            assert!(is_local(h), "{h}");
        }
        assert!(!is_local("db.prod"));
        let a = DatabaseConfig::mysql("u", "", "localhost", 3306, Some("x".into()));
        let b = DatabaseConfig::mysql("v", "", "127.0.0.1", 3306, Some("X".into()));
        assert!(same_endpoint(&a, &b));
        let c = DatabaseConfig::mysql("u", "", "127.0.0.1", 3307, Some("x".into()));
        assert!(!same_endpoint(&a, &c));
        let d = DatabaseConfig::mysql("u", "", "127.0.0.1", 3307, Some("x".into()));
        assert!(same_endpoint(&c, &d));
    }
}
