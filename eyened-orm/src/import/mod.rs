//! `eorm import`: import images, with their projects, patients, studies and series, from a
//! JSON, YAML or flat CSV file.
//!
//! The Python platform's `Importer` (catalog §13) with its bugs fixed:
//!
//! - `study_date` is honoured (falling back to `DEFAULT_STUDY_DATE`, then 1970-01-01, as the
//!   Python configuration does);
//! - `series_id` is the DICOM Series Instance UID, `Series.SeriesInstanceUid` (unique in the
//!   schema): an existing series with that UID is reused, a new one is created with it;
//! - new projects get a valid `External` value (`Y` unless `--project-external` says otherwise;
//!   the Python code meant `External=True`).
//!
//! Everything is checked before anything is committed: unknown columns in `props`, values of the
//! wrong type or out of range, enum values that do not exist, ids that reference no row, missing
//! files, directories, paths outside `IMAGES_BASEPATH` (written so, or through a symbolic link),
//! missing rows that may not be created. All problems are reported together, each with its
//! position (`items[3].studies[0].series[1].images[7].props.Laterality`, or `line 9, column
//! Laterality` for CSV). One transaction writes everything, or nothing: multi-row INSERTs, and
//! for the images `LOAD DATA LOCAL INFILE` when [`Options::load_data`] allows it. With a loader
//! and [`Options::overlap`], the transaction starts once the first items are checked, and the
//! server stores their rows while the later ones are checked and looked up (`overlap`); a
//! problem anywhere rolls it back, and the import runs again without overlap to report every
//! problem, as it reports them without a loader.
//!
//! Importing the same file twice adds nothing the second time: projects are matched by name,
//! patients by (project, identifier), studies by (patient, date), series by UID and images by
//! their unique keys (`DatasetIdentifier`, `SourceInfoID`) and `SOPInstanceUid`. A patient
//! without `patient_identifier` or a series without `series_id` has no key of its own: it is
//! matched through its images (an image that exists already brings its patient or series), and
//! it is created only when it holds at least one new image. Existing rows are never updated;
//! props given for them are ignored, with a warning.
//!
//! With [`Options::thumbnails`], the new images' thumbnails are made once the import has
//! committed, as `eorm update-thumbnails` makes them ([`crate::files::thumbnails`]); their
//! counts are in [`Summary::thumbnails`].

mod files;
pub mod input;
mod overlap;
mod plan;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sea_orm::sqlx::MySqlPool;
use sea_orm::{DatabaseConnection, DbErr};
use serde::Serialize;

use crate::config::{self, ConfigError, DatabaseConfig, PlatformConfig};
use crate::entity::project::External;
use crate::files::thumbnails::{self, ThumbnailSummary, UpdateOptions};
use crate::load_data::{self, Loader};
use crate::progress::Progress;
use crate::schema::entities;
pub use input::{At, Format, ImageIn, ItemIn, Prop, SeriesIn, StudyIn};

/// One problem in the input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputProblem {
    /// `items[0].studies[1].series[0].images[3].props.Laterality`, or `line 5, column X`.
    pub at: String,
    /// What is wrong there, e.g. `Image has no column Foo` or `file not found: /data/a.png`.
    pub message: String,
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Problems listed in an [`ImportError::Input`] message; the rest are counted.
const LISTED_PROBLEMS: usize = 200;

/// Why an import did not happen. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The import file (or, from `eorm import`, the `--env-file`) could not be read: missing,
    /// unreadable or not UTF-8.
    #[error("cannot read '{}': {reason}", path.display())]
    Read {
        /// The file as given.
        path: PathBuf,
        /// The I/O or parse error.
        reason: String,
    },
    /// No `--format` and an extension other than `.json`, `.yaml`, `.yml` or `.csv`.
    #[error(
        "cannot tell the format of '{}' from its extension; use .json, .yaml, .yml or .csv, or pass --format",
        path.display()
    )]
    UnknownFormat {
        /// The file as given.
        path: PathBuf,
    },
    /// The file cannot be parsed at all (broken JSON or YAML, an unreadable CSV header); errors
    /// in individual values are [`ImportError::Input`] instead.
    #[error("the file is not valid {format}: {reason}")]
    Syntax {
        /// `JSON`, `YAML` or `CSV`.
        format: &'static str,
        /// The parser's message, with the line and column where it has them.
        reason: String,
    },
    /// Every problem found in the input, each with its position; fix them and run again. The
    /// message lists the first 200 and counts the rest.
    #[error("{}", input_problems(.0))]
    Input(Vec<InputProblem>),
    /// `eorm import` found no images base path: pass `--images-basepath` or set
    /// `IMAGES_BASEPATH`.
    #[error(
        "IMAGES_BASEPATH is not set; pass --images-basepath or set it in the environment or the --env-file"
    )]
    NoBasepath,
    /// [`Options::images_basepath`] cannot be made absolute or is not a directory.
    #[error("images base path '{}': {reason}", path.display())]
    Basepath {
        /// The base path as given.
        path: PathBuf,
        /// Why it is unusable (`not a directory`, or the I/O error).
        reason: String,
    },
    /// The `DEFAULT_STUDY_DATE` variable `eorm import` read (the value) is not a `YYYY-MM-DD`
    /// date.
    #[error("DEFAULT_STUDY_DATE='{0}' is not a date (YYYY-MM-DD)")]
    DefaultStudyDate(String),
    /// The connection settings (`DATABASE_URL`, the `DATABASE_*` variables, the env file) are
    /// missing or invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Connecting, a lookup, or a write on the SeaORM connection failed; a write's transaction
    /// was rolled back.
    #[error("database error, nothing was written: {0}")]
    Database(#[from] DbErr),
    /// The rows of a multi-row INSERT, read back, are not at the consecutive ids expected from
    /// `LAST_INSERT_ID()`, or an id does not fit an `i32`. The transaction was rolled back, so
    /// the import can be run again; if it recurs, look at the table's auto-increment settings.
    #[error(
        "the ids the server assigned to new {table} rows are not the expected consecutive range; nothing was written"
    )]
    IdMismatch {
        /// The table being written.
        table: String,
    },
    /// A statement on the import's own loader connection (`LOAD DATA LOCAL INFILE` or an
    /// INSERT in its transaction) failed; the transaction was rolled back. The message is the
    /// server's or the driver's.
    #[error("loading the rows failed, nothing was written: {0}")]
    Load(String),
    /// [`Options::thumbnails`] asks for thumbnails, but `SECRET_KEY`, which names them, is not
    /// set; nothing was done.
    #[error(
        "SECRET_KEY is not set in {source_desc}; the import makes the new images' thumbnails, which are named with it: set it, or pass --no-thumbnails"
    )]
    NoSecretKey {
        /// Where the settings were read (`env file 'prod.env'`, `the environment`).
        source_desc: String,
    },
    /// The connection is not to MySQL or MariaDB (e.g. SQLite or PostgreSQL).
    #[error("eorm import supports MySQL and MariaDB only")]
    Unsupported,
}

impl ImportError {
    /// The input problems, if that is what went wrong.
    pub fn problems(&self) -> &[InputProblem] {
        match self {
            ImportError::Input(p) => p,
            _ => &[],
        }
    }
}

fn input_problems(problems: &[InputProblem]) -> String {
    let mut out = format!(
        "{} problem(s) in the input; nothing was written:",
        problems.len()
    );
    for p in problems.iter().take(LISTED_PROBLEMS) {
        out.push_str(&format!("\n  {p}"));
    }
    if problems.len() > LISTED_PROBLEMS {
        out.push_str(&format!(
            "\n  ... and {} more",
            problems.len() - LISTED_PROBLEMS
        ));
    }
    out
}

/// What an import does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Create a project whose `project_name` matches none; otherwise that is a problem.
    pub create_projects: bool,
    /// Create a patient that does not exist in its project, and, for an item without
    /// `patient_identifier` whose images are all new, a patient with a random 16-hex-digit
    /// identifier; otherwise either is a problem.
    pub create_patients: bool,
    /// Create a study when the patient has none on the study date; otherwise that is a problem.
    pub create_studies: bool,
    /// Create a series whose `series_id` matches none, or that has no `series_id` and only new
    /// images; otherwise either is a problem.
    pub create_series: bool,
    /// Check and count, write nothing.
    pub dry_run: bool,
    /// Image paths are relative to this directory, or absolute inside it.
    pub images_basepath: PathBuf,
    /// The study date when an item gives none.
    pub default_study_date: NaiveDate,
    /// `External` of new projects.
    pub project_external: External,
    /// At most this many rows per INSERT statement.
    pub batch_rows: usize,
    /// The server the SeaORM connection is connected to, for a connection of the import's own
    /// that loads the images with `LOAD DATA LOCAL INFILE` (several times faster for the server
    /// than INSERTs). Used when the server allows `local_infile` and the SeaORM connection is
    /// not encrypted (the loader does not speak TLS); `None`: INSERTs only.
    pub load_data: Option<DatabaseConfig>,
    /// With a loader ([`Options::load_data`]), start writing in the transaction while the later
    /// items are still checked and looked up; on any problem the transaction is rolled back and
    /// the import runs again without overlap to report every problem (see `overlap`). Off by
    /// default: on the 2-core machine of BENCHMARKS.md the server's lookups and its load slow
    /// each other down about as much as the overlap saves.
    pub overlap: bool,
    /// Make the new images' thumbnails after the import committed, with these settings
    /// (`SECRET_KEY` and `THUMBNAILS_PATH`; images are read under [`Options::images_basepath`]).
    /// Checked before anything is done: without `SECRET_KEY` the import is refused. `None`: no
    /// thumbnails (`eorm update-thumbnails` makes them later).
    pub thumbnails: Option<PlatformConfig>,
}

impl Options {
    /// The Python importer's defaults (`create_series` only) for `images_basepath`.
    pub fn new(images_basepath: impl Into<PathBuf>) -> Self {
        Self {
            create_projects: false,
            create_patients: false,
            create_studies: false,
            create_series: true,
            dry_run: false,
            images_basepath: images_basepath.into(),
            default_study_date: default_study_date(),
            project_external: External::Y,
            batch_rows: 2000,
            load_data: None,
            overlap: false,
            thumbnails: None,
        }
    }
}

/// 1970-01-01, the Python configuration's default `DEFAULT_STUDY_DATE`.
pub fn default_study_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// New and existing rows of one table that the input refers to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows inserted (or, in a dry run, that would be).
    pub new: u64,
    /// Distinct rows that exist already and that the input matched.
    pub existing: u64,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// `Project` rows.
    pub projects: Counts,
    /// `Patient` rows.
    pub patients: Counts,
    /// `Study` rows.
    pub studies: Counts,
    /// `Series` rows.
    pub series: Counts,
    /// `ImageInstance` rows.
    pub images: Counts,
    /// Copied from [`Options::dry_run`]: nothing was written.
    pub dry_run: bool,
    /// How the images were (or would be) written: `LOAD DATA LOCAL INFILE`, or INSERTs and why.
    pub writing: String,
    /// Things that did not stop the import (props ignored for existing rows, ...).
    pub warnings: Vec<String>,
    /// The new images' thumbnails, when [`Options::thumbnails`] asked for them.
    pub thumbnails: Option<ThumbnailSummary>,
    /// Wall-clock time of the whole import, parsing included (not serialized).
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Summary {
    /// Counts as a small table.
    pub fn render_table(&self) -> String {
        let mut out = format!("{:<10}{:>10}{:>10}\n", "", "new", "existing");
        for (name, c) in [
            ("projects", self.projects),
            ("patients", self.patients),
            ("studies", self.studies),
            ("series", self.series),
            ("images", self.images),
        ] {
            out.push_str(&format!("{name:<10}{:>10}{:>10}\n", c.new, c.existing));
        }
        if self.dry_run {
            out.push_str("dry run: nothing was written\n");
        } else {
            if self.images.new > 0 {
                out.push_str(&format!("images written with {}\n", self.writing));
            }
            out.push_str(&format!("imported in {:.2}s\n", self.elapsed.as_secs_f64()));
            if let Some(thumbnails) = &self.thumbnails {
                out.push_str(&thumbnails.render());
                out.push('\n');
            }
        }
        out
    }
}

/// Reads `path` (format from `format` or the extension) and imports it.
pub async fn import_file(
    db: &DatabaseConnection,
    path: &Path,
    format: Option<Format>,
    options: &Options,
    progress: &Arc<dyn Progress>,
) -> Result<Summary, ImportError> {
    let format =
        format
            .or_else(|| Format::of_path(path))
            .ok_or_else(|| ImportError::UnknownFormat {
                path: path.to_owned(),
            })?;
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    import_text(db, &text, format, options, progress).await
}

/// Imports a document given as text.
pub async fn import_text(
    db: &DatabaseConnection,
    text: &str,
    format: Format,
    options: &Options,
    progress: &Arc<dyn Progress>,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    if let Some(cfg) = &options.thumbnails {
        check_secret_key(cfg)?;
    }
    let pool = config::mysql_pool(db).ok_or(ImportError::Unsupported)?;
    let tables = plan::tables(schema());
    let (mut items, mut problems) = input::parse(text, format, &tables)?;
    let basepath = basepath(&options.images_basepath)?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        items = items.len(),
        "import: parsed"
    );
    let overlap = options.overlap && !options.dry_run && problems.is_empty();
    if let (true, Some(config)) = (overlap, &options.load_data) {
        // Any error here is left to the sequential import below, which reports the input's
        // problems before it.
        if let Ok(Ok(loader)) = loader(pool, config).await {
            let outcome =
                overlap::import(db, loader, &tables, items, &basepath, options, progress).await?;
            if let overlap::Outcome::Imported {
                mut summary,
                new_images,
            } = outcome
            {
                summary.writing = LOAD_DATA.to_owned();
                summary.elapsed = started.elapsed();
                thumbnails_after(db, options, &basepath, &new_images, &mut summary, progress).await;
                progress.finish();
                return Ok(*summary);
            }
            // Given up, nothing written: the sequential import says why, or writes.
            tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "import: gave up writing while planning, nothing written; importing again without"
            );
            (items, problems) = input::parse(text, format, &tables)?;
        }
    }
    let plan = plan::plan(db, &tables, items, problems, &basepath, options).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "import: planned");
    let mut summary = plan.summary();
    summary.dry_run = options.dry_run;
    let loader = match &options.load_data {
        None => Err("no loader connection was configured".to_owned()),
        Some(config) => loader(pool, config).await?,
    };
    summary.writing = match &loader {
        Ok(_) => LOAD_DATA.to_owned(),
        Err(why) => format!("multi-row INSERTs ({why})"),
    };
    if options.dry_run {
        if let Ok(loader) = loader {
            loader.close().await;
        }
        input::drop_in_background(plan);
    } else {
        let new_images: Vec<String> = match options.thumbnails {
            Some(_) => plan
                .new
                .images
                .iter()
                .map(|i| i.dataset_identifier.clone())
                .collect(),
            None => Vec::new(),
        };
        write::write(db, loader.ok(), plan, options, progress).await?;
        summary.elapsed = started.elapsed();
        tracing::info!(seconds = summary.elapsed.as_secs_f64(), "import: written");
        thumbnails_after(db, options, &basepath, &new_images, &mut summary, progress).await;
    }
    progress.finish();
    if summary.elapsed.is_zero() {
        summary.elapsed = started.elapsed();
    }
    Ok(summary)
}

/// How [`Summary::writing`] names the loader.
const LOAD_DATA: &str = "LOAD DATA LOCAL INFILE";

/// The thumbnails of `new_images` once the import committed, if the options ask for them; a
/// failure is a warning in `summary`.
async fn thumbnails_after(
    db: &DatabaseConnection,
    options: &Options,
    basepath: &Path,
    new_images: &[String],
    summary: &mut Summary,
    progress: &Arc<dyn Progress>,
) {
    if let Some(cfg) = &options.thumbnails {
        match make_thumbnails(db, cfg, basepath, new_images, progress).await {
            Ok(made) => summary.thumbnails = Some(made),
            Err(e) => summary.warnings.push(format!(
                "the import committed, but its thumbnails were not made ({e}); run eorm update-thumbnails"
            )),
        }
    }
}

/// [`ImportError::NoSecretKey`] unless `cfg` has a `SECRET_KEY`.
pub fn check_secret_key(cfg: &PlatformConfig) -> Result<(), ImportError> {
    match cfg.secret_key {
        Some(_) => Ok(()),
        None => Err(ImportError::NoSecretKey {
            source_desc: cfg.source_desc.clone(),
        }),
    }
}

/// The thumbnails of the images stored under `datasets` that have none, read under `basepath`.
async fn make_thumbnails(
    db: &DatabaseConnection,
    cfg: &PlatformConfig,
    basepath: &Path,
    datasets: &[String],
    progress: &Arc<dyn Progress>,
) -> Result<ThumbnailSummary, thumbnails::UpdateError> {
    progress.step("thumbnails");
    let jobs = thumbnails::jobs_for_datasets(db, datasets).await?;
    let cfg = PlatformConfig {
        images_basepath: basepath.to_owned(),
        ..cfg.clone()
    };
    thumbnails::update_thumbnails(db, &cfg, jobs, &UpdateOptions::default(), progress).await
}

/// A loader connection to `config`'s server and database (that of `pool`), or why the images cannot be loaded
/// (then they are inserted).
async fn loader(
    pool: &MySqlPool,
    config: &DatabaseConfig,
) -> Result<Result<Loader, String>, ImportError> {
    let error = |e: String| ImportError::Database(DbErr::Custom(e));
    let mut probe = pool.acquire().await.map_err(|e| error(e.to_string()))?;
    let unusable = load_data::unusable(&mut probe, "database")
        .await
        .map_err(|e| error(e.to_string()))?;
    if let Some(why) = unusable {
        return Ok(Err(why));
    }
    let Some(database) = config.database() else {
        return Ok(Err("the connection names no database".to_owned()));
    };
    // The import can go on without a loader: it says why in the summary.
    Ok(
        Loader::connect(config, database, &[LOADER_SESSION], "import")
            .await
            .map_err(|e| e.to_string()),
    )
}

/// The loader's session: the time zone and character set of the SeaORM (sqlx) connection, so
/// that defaults such as `CURRENT_TIMESTAMP` and text arrive the same either way.
const LOADER_SESSION: &str = "SET time_zone = '+00:00', NAMES utf8mb4";

/// The entities' schema, built once.
fn schema() -> &'static crate::schema::Schema {
    static SCHEMA: std::sync::OnceLock<crate::schema::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(entities)
}

/// The base path, absolute and checked to be a directory.
fn basepath(path: &Path) -> Result<PathBuf, ImportError> {
    let error = |reason: String| ImportError::Basepath {
        path: path.to_owned(),
        reason,
    };
    let absolute = std::path::absolute(path).map_err(|e| error(e.to_string()))?;
    if !absolute.is_dir() {
        return Err(error("not a directory".to_owned()));
    }
    Ok(plan::normalize(&absolute))
}
