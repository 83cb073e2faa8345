//! `eorm database-mirror-full` and `eorm database-mirror-test`: fast, consistent and safe copies
//! of a (production) database, whole or a subset, for testing migrations.
//!
//! A run goes through these steps; nothing is written anywhere before step 5:
//!
//! 1. **Config** ([`config`]): the `transfer-config.yml` is read strictly.
//! 2. **Safety**: source and target must not be the same database. Compared first from the
//!    config (host after resolving `localhost`, 127.0.0.0/8, `::1`; port; name case-insensitively),
//!    then for real: a named lock taken on the source connection is visible from the target
//!    connection only if both are one server, whatever the host names say.
//! 3. **Plan**: the source catalog ([`catalog`]); for a subset, the live foreign-key graph
//!    ([`crate::schema::introspect()`]) and the selected rows ([`subset`]), read in a consistent,
//!    read-only snapshot. `--dry-run` stops after printing it.
//! 4. **Confirmation**: source and target are shown as `user@host:port/db` (never the password)
//!    and the user confirms on a terminal; without one, `--yes` is required.
//! 5. **Staging**: leftovers of an interrupted run are dropped, `<target>__eorm_staging` is
//!    created with the source's DDL (`SHOW CREATE TABLE` replayed), and filled ([`copy`]): by
//!    streaming from source snapshots into multi-row INSERTs, or, when both are one server, by
//!    `INSERT ... SELECT`. Secondary indexes and foreign keys of big tables are added after the
//!    load.
//! 6. **Verification** ([`verify`]): per table, row count and content fingerprint equal to the
//!    source's, DDL equal; for a subset, zero orphans for every foreign key.
//! 7. **Swap** ([`swap`]): one atomic `RENAME TABLE` puts the staged tables in place of the
//!    target's; views, triggers and routines are created; the old tables are dropped.
//!
//! Source reads run in `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY` under REPEATABLE
//! READ, so the source cannot be written by the mirror. Parallel readers share one snapshot when
//! the source user may block commits for a moment (see [`copy::open_snapshots`]); otherwise one
//! reader streams the tables one after another and writers still load in parallel.

pub mod catalog;
pub mod config;
pub mod conn;
pub mod copy;
pub mod error;
pub mod subset;
pub mod swap;
pub mod ui;
pub mod verify;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use config::MirrorConfig;
pub use error::MirrorError;

use crate::sql::{ident, qualified};
use catalog::{Catalog, TableInfo};
use conn::Conn;
use copy::{Chunk, CopyJob, Filter, LOAD_SESSION};
use swap::Names;
use ui::{TableSummary, Ui};
use verify::Fingerprint;

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
    Always,
    Never,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    pub config: PathBuf,
    pub dry_run: bool,
    /// Parallel readers and writers.
    pub workers: usize,
    pub server_side: ServerSide,
    /// Tables with an integer key are split into chunks of about this many rows, or this many
    /// bytes (`chunk_bytes`), whichever makes more chunks.
    pub chunk_rows: u64,
    pub chunk_bytes: u64,
    /// Stream rows into the target with `LOAD DATA LOCAL INFILE` where it is allowed (see
    /// [`crate::load_data`]); INSERTs otherwise.
    pub load_data: bool,
    /// Size of one INSERT statement (capped by the target's `max_allowed_packet`).
    pub batch_bytes: usize,
    /// Tables estimated at this many rows or more get their secondary indexes and foreign keys
    /// after the load, unless they are bigger than the target's buffer pool.
    pub defer_indexes_min_rows: u64,
    /// A pause after every INSERT: zero, except in tests that must interrupt a copy midway.
    pub throttle: Duration,
    /// How to compare the copy with the source; by default CHECKSUM TABLE when both servers
    /// run the same version (full copies), else row fingerprints.
    pub verify: Option<verify::Method>,
}

impl Options {
    pub fn new(mode: Mode, config: impl Into<PathBuf>) -> Self {
        Options {
            mode,
            config: config.into(),
            dry_run: false,
            workers: 4,
            server_side: ServerSide::Auto,
            chunk_rows: 100_000,
            chunk_bytes: 32 << 20,
            load_data: true,
            batch_bytes: 4 << 20,
            defer_indexes_min_rows: 100_000,
            throttle: Duration::ZERO,
            verify: None,
        }
    }
}

/// What a finished run reports.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub dry_run: bool,
    /// The plan as printed.
    pub plan: String,
    /// How the rows were copied, as printed.
    pub copying: String,
    pub tables: Vec<TableSummary>,
    pub phases: Vec<(String, Duration)>,
    pub copy_wall: Duration,
    /// The summary table as printed.
    pub summary: String,
}

/// Shared with the caller, so that an interrupted run can clean up what it created.
#[derive(Default)]
pub struct RunState {
    staging: Mutex<Option<(DatabaseConfig, Names)>>,
    swapping: AtomicBool,
}

impl RunState {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// After an interruption: drops the staging database this run created (never the target).
    /// Returns what was done, for the message.
    pub async fn cleanup(&self) -> String {
        let staged = self
            .staging
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some((target, names)) = staged else {
            return "nothing had been changed".into();
        };
        let swapping = self.swapping.load(Ordering::SeqCst);
        let result: Result<(), MirrorError> = async {
            let mut c = conn::connect(&target, "target", None).await?;
            for name in [&names.staging, &names.old] {
                conn::exec(
                    &mut c,
                    format!("DROP DATABASE IF EXISTS {}", ident(name)),
                    || format!("target: dropping {name}"),
                )
                .await?;
            }
            Ok(())
        }
        .await;
        let state = if swapping {
            format!(
                "the swap was under way: {} is either the old or the new copy, never a mix",
                names.target
            )
        } else {
            format!("{} was left untouched", names.target)
        };
        match result {
            Ok(()) => format!("{state}; dropped {}", names.staging),
            Err(e) => format!(
                "{state}; could not drop {} ({e}): the next run drops it",
                names.staging
            ),
        }
    }
}

/// The answer to the confirmation prompt: `Ok(true)` to go on.
pub type Confirm<'a> = dyn FnMut(&str) -> Result<bool, MirrorError> + 'a;

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

/// The checks that need no connection.
fn static_checks(cfg: &MirrorConfig, names: &Names) -> Result<(), MirrorError> {
    let source = cfg.source.name();
    let target = cfg.target.name();
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

/// Whether `table` gets its secondary indexes and foreign keys after the load (full copies):
/// when it has many rows, so that sorted index builds pay, but not more data than the target's
/// buffer pool holds, since building an index afterwards reads the whole table again (from disk
/// if it no longer fits: on the 1 GB benchmark, 4 s for the 540 MiB blob table).
fn defers_indexes(table: &TableInfo, options: &Options, buffer_pool: u64) -> bool {
    options.mode == Mode::Full
        && table.est_rows >= options.defer_indexes_min_rows
        && table.est_bytes <= buffer_pool
}

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

/// Runs a mirror. `confirm` is asked before anything is dropped (not for `--dry-run`).
pub async fn run(
    options: &Options,
    ui: &Ui,
    confirm: &mut Confirm<'_>,
    state: &RunState,
) -> Result<Outcome, MirrorError> {
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
                return Err(MirrorError::Unsupported(
                    "copy_segmentation_data: true (copying zarr segmentation data); set it to false and copy the zarr store separately".into(),
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
    let workers = options.workers.clamp(1, 64);
    let names = Names::new(cfg.target.name())?;
    static_checks(&cfg, &names)?;
    let source_db = cfg.source.name().to_owned();

    let mut src = conn::connect(&cfg.source.db, "source", Some(&source_db)).await?;
    let mut tgt = conn::connect(&cfg.target.db, "target", None).await?;
    let one_server = same_server(&mut src, &mut tgt).await?;
    if one_server {
        refuse_same_names(&source_db, &names, &cfg.source.db, &cfg.target.db)?;
    }
    let catalog = Arc::new(Catalog::read(&mut src, &source_db).await?);
    let version = |c: &'static str| move || format!("{c}: server version");
    let source_version = conn::scalar(&mut src, "SELECT VERSION()", version("source")).await?;
    let target_version = conn::scalar(&mut tgt, "SELECT VERSION()", version("target")).await?;
    // CHECKSUM TABLE is native and fast, but only comparable between equal server versions;
    // a subset is compared row by row in any case.
    let method = match (options.mode, options.verify) {
        (Mode::Test, _) => verify::Method::Literal,
        (Mode::Full, Some(method)) => method,
        (Mode::Full, None) if source_version == target_version => verify::Method::Checksum,
        (Mode::Full, None) => verify::Method::Literal,
    };

    // A subset needs the graph and checked copy_objects before anything else.
    let graph = if options.mode == Mode::Test {
        let seaorm = cfg
            .source
            .db
            .connect_with(|o| {
                o.max_connections(1).min_connections(0);
            })
            .await
            .map_err(|e| MirrorError::Connection {
                role: "source",
                source: e,
            })?;
        let schema = crate::schema::introspect(&seaorm, Some(&source_db))
            .await
            .map_err(|e| MirrorError::Sql {
                context: "source: reading the foreign-key graph".into(),
                message: e.to_string(),
            })?;
        let _ = seaorm.close().await;
        let mut graph = subset::Graph::from_schema(&schema);
        graph.configure(cfg.follow_down.as_deref(), &cfg.skip_down, &catalog)?;
        subset::check_objects(
            &mut src,
            &catalog,
            cfg.copy_objects.as_deref().unwrap_or_default(),
        )
        .await?;
        Some(graph)
    } else {
        None
    };

    let target_exists = swap::database_exists(&mut tgt, &names.target).await?;
    let target_tables = if target_exists {
        swap::tables_of(&mut tgt, &names.target).await?
    } else {
        Vec::new()
    };

    // The copy method.
    let server_side = match (options.mode, options.server_side) {
        (Mode::Test, _) | (_, ServerSide::Never) => false,
        (Mode::Full, ServerSide::Always) if !one_server => {
            return Err(MirrorError::Refused(
                "--server-side=always needs source and target on one server".into(),
            ));
        }
        (Mode::Full, _) => one_server,
    };
    let server_side = if server_side {
        // The target user runs INSERT ... SELECT, so it must be able to read the source.
        let mut denied = None;
        for t in &catalog.tables {
            let probe = format!("SELECT 1 FROM {} LIMIT 0", qualified(&source_db, &t.name));
            if let Err(e) = conn::exec(&mut tgt, probe, String::new).await {
                denied = Some(format!("{}: {e}", t.name));
                break;
            }
        }
        match denied {
            None => true,
            Some(why) if options.server_side == ServerSide::Always => {
                return Err(MirrorError::Refused(format!(
                    "--server-side=always, but the target user cannot read the source ({why})"
                )));
            }
            Some(why) => {
                notes.push(format!(
                    "same server, but the target user cannot read the source ({why}): streaming instead"
                ));
                false
            }
        }
    } else {
        false
    };

    // For a subset, select the rows now (read-only), so the plan shows exact counts.
    let mut selection_reader = None;
    let mut selection = None;
    if let (Mode::Test, Some(graph)) = (options.mode, &graph) {
        let spinner = ui.spinner("selecting rows");
        let (mut readers, _) = copy::open_snapshots(&cfg.source.db, &source_db, 1).await?;
        let mut reader = readers.remove(0);
        let started = Instant::now();
        let selected = subset::select(
            &mut reader,
            &catalog,
            graph,
            cfg.copy_objects.as_deref().unwrap_or_default(),
        )
        .await?;
        spinner.finish_and_clear();
        ui.line(format!(
            "selected rows in {}",
            ui::duration(started.elapsed())
        ));
        selection = Some(selected);
        selection_reader = Some(reader);
    }

    let buffer_pool = buffer_pool_size(&mut tgt).await?;
    let plan = render_plan(
        options,
        buffer_pool,
        &cfg,
        &catalog,
        &names,
        target_exists,
        &target_tables,
        server_side,
        workers,
        graph.as_ref(),
        selection.as_ref(),
        &notes,
        method,
    );
    println!("{plan}");
    if options.dry_run {
        return Ok(Outcome {
            dry_run: true,
            plan,
            ..Outcome::default()
        });
    }

    let target_rows: u64 = target_tables.iter().map(|(_, n)| n).sum();
    let prompt = format!(
        "This replaces database {} on {} with a {} of {}.\n{}\nContinue? Type 'yes': ",
        names.target,
        cfg.target
            .db
            .with_database("")
            .display()
            .trim_end_matches('/'),
        if options.mode == Mode::Full {
            "full copy"
        } else {
            "test subset"
        },
        cfg.source.db.display(),
        if target_exists {
            format!(
                "Its {} current tables (~{target_rows} rows) are dropped once the copy is verified.",
                target_tables.len()
            )
        } else {
            "It does not exist yet and will be created.".to_owned()
        }
    );
    if !confirm(&prompt)? {
        return Err(MirrorError::Aborted);
    }

    // From here on, the target server is written to (never the target database itself before
    // the swap).
    let lock = names.lock_name();
    let locked = conn::scalar(
        &mut tgt,
        format!("SELECT GET_LOCK({}, 0)", crate::sql::literal(&lock)),
        || "target: taking the run lock".into(),
    )
    .await?;
    if locked.as_deref() != Some("1") {
        return Err(MirrorError::Busy {
            target: cfg.target.db.display(),
            lock,
        });
    }
    let total = Instant::now();
    let mut phases: Vec<(String, Duration)> = Vec::new();
    let t0 = Instant::now();
    for dropped in swap::drop_leftovers(&mut tgt, &names).await? {
        ui.line(format!(
            "dropped leftover database {dropped} of an earlier run"
        ));
    }
    *state.staging.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((cfg.target.db.clone(), names.clone()));
    swap::create_staging(&mut tgt, &names, &catalog).await?;
    let mut stg = conn::connect(&cfg.target.db, "target", Some(&names.staging)).await?;
    conn::exec(&mut stg, LOAD_SESSION, || "target: session settings".into()).await?;

    // Tables, with secondary indexes and foreign keys of big tables deferred.
    let mut deferred: Vec<(usize, catalog::SplitDdl)> = Vec::new();
    for (i, t) in catalog.tables.iter().enumerate() {
        let split = defers_indexes(t, options, buffer_pool)
            .then(|| t.split_ddl())
            .flatten();
        let ddl = match &split {
            Some(s) => s.create.clone(),
            None => t.create_sql.clone(),
        };
        conn::exec(&mut stg, ddl, || {
            format!("target: creating table {} in {}", t.name, names.staging)
        })
        .await?;
        if let Some(s) = split {
            deferred.push((i, s));
        }
    }
    phases.push(("schema".into(), t0.elapsed()));

    // Rows.
    let t0 = Instant::now();
    let packet = max_packet(&mut tgt).await?;
    let batch_bytes = options
        .batch_bytes
        .min(packet.saturating_sub(64 * 1024))
        .max(64 * 1024);
    let tables = Arc::new(catalog.tables.clone());
    let mut writers = connect_many(
        &cfg.target.db,
        "target",
        &names.staging,
        workers,
        Some(LOAD_SESSION),
    )
    .await?;
    // The three copy paths differ only in which rows, how many, and what runs after a load.
    let copy_job = |expected_rows: Vec<(usize, u64)>,
                    chunks: Vec<Chunk>,
                    after_load: Vec<Option<String>>| CopyJob {
        tables: tables.clone(),
        expected_rows,
        chunks,
        source_db: source_db.clone(),
        staging_db: names.staging.clone(),
        batch_bytes,
        writers: workers,
        throttle: options.throttle,
        hash_rows: method == verify::Method::Literal,
        source_checksums: method == verify::Method::Checksum,
        binary_params: true,
        after_load,
        use_loader: vec![false; tables.len()],
        checksum_reader: false,
    };
    let estimated_rows = || {
        tables
            .iter()
            .enumerate()
            .map(|(i, t)| (i, t.est_rows))
            .collect()
    };
    let full_after_load = || index_statements(&deferred, &tables, &names.staging);
    let copy_line;
    let mut indexes_done = false;
    let (result, client_fingerprints) = match options.mode {
        Mode::Test => {
            let selection = selection
                .as_ref()
                .ok_or_else(|| MirrorError::Internal("no selection".into()))?;
            let counts = selection.counts();
            let mut chunks = selection.chunks(&tables);
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
            let reader = selection_reader
                .take()
                .ok_or_else(|| MirrorError::Internal("no reader".into()))?;
            copy_line = format!(
                "copying the subset: 1 reader in the selection's snapshot, {workers} writers"
            );
            ui.line(&copy_line);
            let job = copy_job(expected, chunks, vec![None; tables.len()]);
            let (result, w) =
                copy::stream_copy(job, vec![reader], writers, Vec::new(), Vec::new(), ui).await?;
            writers = w;
            (result, true)
        }
        Mode::Full if server_side => {
            // Chunk bounds from a snapshot; each INSERT ... SELECT reads its own.
            let (mut planners, _) = copy::open_snapshots(&cfg.source.db, &source_db, 1).await?;
            let chunks = full_chunks(&mut planners[0], &tables, &source_db, options).await?;
            drop(planners);
            copy_line = format!(
                "copying on the server (INSERT ... SELECT), {workers} workers, {} chunks",
                chunks.len()
            );
            ui.line(&copy_line);
            let job = copy_job(estimated_rows(), chunks, full_after_load());
            indexes_done = true;
            let (result, w) = copy::server_side_copy(job, writers, ui).await?;
            writers = w;
            (result, false)
        }
        Mode::Full => {
            // One reader more, for the source checksums (see `CopyJob::checksum_reader`).
            let checksum_reader = method == verify::Method::Checksum && workers > 1;
            let (mut readers, mode) = copy::open_snapshots(
                &cfg.source.db,
                &source_db,
                workers + usize::from(checksum_reader),
            )
            .await?;
            let chunks = full_chunks(&mut readers[0], &tables, &source_db, options).await?;
            let mut job = copy_job(estimated_rows(), chunks, full_after_load());
            job.checksum_reader = checksum_reader;
            let why_not = match (options.load_data, job.hash_rows) {
                (false, _) => Some("--no-load-data".to_owned()),
                (true, true) => Some("row fingerprints need INSERTs".to_owned()),
                (true, false) => load_data::unusable(&mut writers[0], "target").await?,
            };
            let (loaders, writing) = match why_not {
                Some(why) => (Vec::new(), format!("multi-row INSERTs ({why})")),
                None => {
                    let mut loaders = Vec::with_capacity(workers);
                    for _ in 0..workers {
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
                    job.use_loader = tables.iter().map(catalog::loadable).collect();
                    let loaded = job.use_loader.iter().filter(|l| **l).count();
                    let writing = if loaded == tables.len() {
                        "LOAD DATA LOCAL INFILE".to_owned()
                    } else {
                        format!(
                            "LOAD DATA LOCAL INFILE ({loaded} of {} tables; INSERTs for the rest)",
                            tables.len()
                        )
                    };
                    (loaders, writing)
                }
            };
            copy_line = format!(
                "copying: {mode}; {workers} writers with {writing}; {} chunks",
                job.chunks.len()
            );
            ui.line(&copy_line);
            // Indexes of tables already loaded are built while others still load.
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
            indexes_done = true;
            let (result, w) =
                copy::stream_copy(job, readers, writers, loaders, helpers, ui).await?;
            writers = w;
            (result, true)
        }
    };
    phases.push(("copy".into(), t0.elapsed()));

    // Deferred indexes, then foreign keys (which may need the indexes of other tables).
    if !deferred.is_empty() {
        let t0 = Instant::now();
        if !indexes_done {
            let statements: Vec<(String, String)> =
                index_statements(&deferred, &tables, &names.staging)
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, sql)| {
                        sql.map(|sql| (format!("adding indexes to {}", tables[i].name), sql))
                    })
                    .collect();
            let bar = ui.spinner(format!("adding indexes to {} tables", statements.len()));
            writers = copy::parallel_statements(writers, statements, bar.clone()).await?;
            bar.finish_and_clear();
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
        writers =
            copy::parallel_statements(writers, fk_statements, ui.spinner("adding foreign keys"))
                .await?;
        phases.push(("indexes".into(), t0.elapsed()));
    }

    // Verification.
    let t0 = Instant::now();
    let spinner = ui.spinner("verifying the staged copy");
    let mut problems = Vec::new();
    let staged = fingerprints(writers, &tables, &names.staging, "target", method).await?;
    let expected: Vec<Fingerprint> = if client_fingerprints {
        result
            .states
            .iter()
            .map(|s| {
                let mut f = *s.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
                if method == verify::Method::Checksum {
                    f.xor = s
                        .source_checksum
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .unwrap_or(u64::MAX);
                }
                f
            })
            .collect()
    } else {
        // INSERT ... SELECT read each chunk in its own snapshot. The source, measured now,
        // after the copy, must equal the staged tables: then every table was unchanged from
        // its copy until now, so the copy equals the source as it was when the copy ended.
        let readers = connect_many(&cfg.source.db, "source", &source_db, workers, None).await?;
        fingerprints(readers, &tables, &source_db, "source", method).await?
    };
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
        if let Some(sel) = &selection
            && !crate::schema::VERSION_TABLES.contains(&t.name.as_str())
        {
            let selected = sel.counts().get(&t.name).copied().unwrap_or(0);
            if selected != got.rows {
                problems.push(format!(
                    "{}: {selected} rows selected, {} copied",
                    t.name, got.rows
                ));
            }
        }
    }
    if !client_fingerprints && !problems.is_empty() {
        problems.push("the source changed during the copy (INSERT ... SELECT reads each table at its own moment); run again, or use --server-side=never for a snapshot copy".into());
    }
    for t in tables.iter() {
        if let Some(diff) = verify::ddl_difference(&mut tgt, t, &names.staging).await? {
            problems.push(diff);
        }
    }
    if let Some(graph) = &graph {
        for edge in &graph.edges {
            let n = verify::orphans(&mut tgt, &names.staging, &edge.child, &edge.key).await?;
            if n > 0 {
                problems.push(format!(
                    "{} -> {}: {n} orphan rows",
                    edge.name(),
                    edge.parent()
                ));
            }
        }
    }
    spinner.finish_and_clear();
    if !problems.is_empty() {
        return Err(MirrorError::Verify(problems));
    }
    // Views, triggers and routines must compile against the copy.
    if !catalog.views.is_empty() || !catalog.triggers.is_empty() || !catalog.routines.is_empty() {
        swap::create_objects(&mut tgt, &catalog, &names.staging).await?;
        swap::drop_objects(&mut tgt, &names.staging).await?;
    }
    phases.push(("verify".into(), t0.elapsed()));

    // Swap.
    let t0 = Instant::now();
    state.swapping.store(true, Ordering::SeqCst);
    let staged_names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    swap::swap(&mut tgt, &names, &catalog, &staged_names, ui).await?;
    *state.staging.lock().unwrap_or_else(|e| e.into_inner()) = None;
    state.swapping.store(false, Ordering::SeqCst);
    phases.push(("swap".into(), t0.elapsed()));
    let _ = conn::exec(
        &mut tgt,
        format!("SELECT RELEASE_LOCK({})", crate::sql::literal(&lock)),
        String::new,
    )
    .await;

    let summaries: Vec<TableSummary> = tables
        .iter()
        .zip(&result.states)
        .map(|(t, s)| TableSummary {
            table: t.name.clone(),
            rows: s.rows.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            time: s.elapsed(),
        })
        .filter(|s| options.mode == Mode::Full || s.rows > 0)
        .collect();
    let summary = ui::summary(&summaries, result.wall, &phases);
    println!("{summary}");
    println!(
        "{} is now a verified {} of {} ({copy_line}; {} in total).",
        cfg.target.db.display(),
        if options.mode == Mode::Full {
            "copy"
        } else {
            "test subset"
        },
        cfg.source.db.display(),
        ui::duration(total.elapsed())
    );
    Ok(Outcome {
        dry_run: false,
        copying: copy_line,
        plan,
        tables: summaries,
        phases,
        copy_wall: result.wall,
        summary,
    })
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

/// Fingerprints of every table of `database`, computed on the server over `conns` in parallel.
async fn fingerprints(
    conns: Vec<Conn>,
    tables: &Arc<Vec<TableInfo>>,
    database: &str,
    role: &'static str,
    method: verify::Method,
) -> Result<Vec<Fingerprint>, MirrorError> {
    // Smallest first, so that the biggest are taken first (pop from the end).
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| tables[i].est_bytes);
    let queue = Arc::new(Mutex::new(order));
    let results = Arc::new(Mutex::new(vec![Fingerprint::default(); tables.len()]));
    let mut tasks = tokio::task::JoinSet::new();
    for mut c in conns {
        let queue = queue.clone();
        let results = results.clone();
        let tables = tables.clone();
        let database = database.to_owned();
        tasks.spawn(async move {
            loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let Some(i) = next else { break };
                let f = verify::measure(&mut c, method, role, &tables[i], &database).await?;
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = f;
            }
            Ok::<(), MirrorError>(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tasks.abort_all();
                return Err(e);
            }
            Err(e) => {
                return Err(MirrorError::Internal(format!(
                    "a verification worker failed: {e}"
                )));
            }
        }
    }
    let out = results.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn render_plan(
    options: &Options,
    buffer_pool: u64,
    cfg: &MirrorConfig,
    catalog: &Catalog,
    names: &Names,
    target_exists: bool,
    target_tables: &[(String, u64)],
    server_side: bool,
    workers: usize,
    graph: Option<&subset::Graph>,
    selection: Option<&subset::Selection>,
    notes: &[String],
    verify_method: verify::Method,
) -> String {
    let mut out = String::new();
    let mode = match options.mode {
        Mode::Full => "database-mirror-full",
        Mode::Test => "database-mirror-test",
    };
    out.push_str(&format!(
        "{mode}{}\n",
        if options.dry_run {
            " (dry run: nothing will be changed)"
        } else {
            ""
        }
    ));
    out.push_str(&format!("  source:  {}\n", cfg.source.db.display()));
    out.push_str(&format!(
        "  target:  {} ({})\n",
        cfg.target.db.display(),
        if target_exists {
            format!(
                "exists with {} tables, ~{} rows: replaced after verification",
                target_tables.len(),
                target_tables.iter().map(|(_, n)| n).sum::<u64>()
            )
        } else {
            "does not exist: created".to_owned()
        }
    ));
    out.push_str(&format!(
        "  staging: {} (swapped in with one atomic RENAME TABLE)\n",
        names.staging
    ));
    let method = match options.mode {
        Mode::Test => format!("set-based selection in one read-only snapshot, {workers} writers"),
        Mode::Full if server_side => format!(
            "same server: INSERT ... SELECT, {workers} workers, chunks of ~{} rows or ~{}",
            options.chunk_rows,
            ui::bytes(options.chunk_bytes)
        ),
        Mode::Full => format!(
            "streaming from read-only snapshots, {workers} readers/writers, chunks of ~{} rows or ~{}, INSERTs of up to {}",
            options.chunk_rows,
            ui::bytes(options.chunk_bytes),
            ui::bytes(options.batch_bytes as u64)
        ),
    };
    out.push_str(&format!("  method:  {method}\n"));
    out.push_str(&format!(
        "  verify:  {}, and the DDL of every table, before the swap\n",
        match (verify_method, options.mode) {
            (verify::Method::Checksum, _) => "row count and CHECKSUM TABLE of every table (same server version)",
            (verify::Method::Literal, Mode::Full) => "row count and MD5 fingerprint of every row's values",
            (verify::Method::Literal, Mode::Test) => "row counts, MD5 fingerprints of the copied rows, zero orphans for every foreign key",
        }
    ));
    for note in notes {
        out.push_str(&format!("  note:    {note}\n"));
    }
    match (options.mode, selection) {
        (Mode::Test, Some(selection)) => {
            for root in &selection.roots {
                out.push_str(&format!(
                    "  {}: {} row(s) of {}{}\n",
                    root.key,
                    root.rows,
                    root.table,
                    if root.rows == 0 {
                        "  <- selects nothing"
                    } else {
                        ""
                    }
                ));
            }
            if let Some(graph) = graph {
                let down: Vec<String> = graph
                    .edges
                    .iter()
                    .filter(|e| e.down)
                    .map(subset::Edge::name)
                    .collect();
                out.push_str(&format!(
                    "  downward edges: {} of {} foreign keys\n",
                    down.len(),
                    graph.edges.len()
                ));
            }
            let counts = selection.counts();
            out.push_str(&format!(
                "  rows to copy ({} tables with rows, {} rows; all {} tables created):\n",
                counts.len(),
                counts.values().sum::<u64>(),
                catalog.tables.len()
            ));
            for (table, n) in &counts {
                out.push_str(&format!("    {table:<28} {n:>10}\n"));
            }
            for t in crate::schema::VERSION_TABLES {
                if let Some(info) = catalog.table(t) {
                    out.push_str(&format!(
                        "    {t:<28} {:>10}  (copied whole)\n",
                        format!("~{}", info.est_rows)
                    ));
                }
            }
        }
        _ => {
            out.push_str(&format!(
                "  tables ({}, ~{} rows, ~{}):\n",
                catalog.tables.len(),
                catalog.total_rows(),
                ui::bytes(catalog.total_bytes())
            ));
            let mut sorted: Vec<&TableInfo> = catalog.tables.iter().collect();
            sorted.sort_by(|a, b| b.est_bytes.cmp(&a.est_bytes).then(a.name.cmp(&b.name)));
            for t in sorted {
                let deferred = defers_indexes(t, options, buffer_pool) && t.split_ddl().is_some();
                out.push_str(&format!(
                    "    {:<28} ~{:>10} rows {:>11}{}\n",
                    t.name,
                    t.est_rows,
                    ui::bytes(t.est_bytes),
                    if deferred {
                        "  (indexes after load)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    let objects: BTreeMap<&str, usize> = BTreeMap::from([
        ("views", catalog.views.len()),
        ("triggers", catalog.triggers.len()),
        ("routines", catalog.routines.len()),
    ]);
    out.push_str(&format!(
        "  objects: {}\n",
        objects
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !catalog.events.is_empty() {
        out.push_str(&format!(
            "  not copied: events {}\n",
            catalog.events.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_deferred_for_many_rows_that_fit_the_buffer_pool() {
        let table = TableInfo::sized;
        let full = Options::new(Mode::Full, "c.yml");
        let pool = 128 << 20;
        assert!(defers_indexes(&table(150_000, 80 << 20), &full, pool));
        // Few rows: indexes during the load.
        assert!(!defers_indexes(&table(5_000, 1 << 20), &full, pool));
        // Bigger than the buffer pool: building indexes afterwards would read it from disk.
        assert!(!defers_indexes(&table(260_000, 540 << 20), &full, pool));
        // Subsets never defer.
        let test = Options::new(Mode::Test, "c.yml");
        assert!(!defers_indexes(&table(150_000, 80 << 20), &test, pool));
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
