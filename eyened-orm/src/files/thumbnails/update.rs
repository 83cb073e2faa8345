//! Making the thumbnails of many images and recording them in `ImageInstance.ThumbnailPath`
//! (Python's `get_missing_thumbnail_images` and `update_thumbnails`): files are made on the rayon
//! pool while the previous batch's names are written, one UPDATE per batch of 100.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use serde::Serialize;

use super::{Resolution, ThumbnailError, into_picture, save_thumbnails, thumbnail_path_value};
use crate::ImageInstance;
use crate::config::{ConfigError, PlatformConfig, Secret};
use crate::progress::Progress;

/// An image to make thumbnails of, with the project its `ThumbnailPath` goes under.
#[derive(Debug, Clone)]
pub struct ThumbnailJob {
    /// The image's row.
    pub image: ImageInstance,
    /// The `ProjectID` of its patient.
    pub project_id: i32,
}

/// How [`update_thumbnails`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Images per UPDATE (each its own commit), as the Python code's `N`.
    pub batch: usize,
    /// Keep each failure's message in [`ThumbnailSummary::errors`].
    pub keep_errors: bool,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            batch: 100,
            keep_errors: true,
        }
    }
}

/// What [`update_thumbnails`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ThumbnailSummary {
    /// Images whose thumbnails were made (`ThumbnailPath` set to their name).
    pub made: u64,
    /// Images whose thumbnails could not be made (`ThumbnailPath = ''`).
    pub failed: u64,
    /// Images stored as `.json`, which have no thumbnail (`ThumbnailPath = NULL`).
    pub skipped: u64,
    /// `(ImageInstanceID, why)` of each failure, when [`UpdateOptions::keep_errors`].
    pub errors: Vec<(i32, String)>,
    /// Wall-clock time (not serialized).
    #[serde(skip)]
    pub elapsed: Duration,
}

impl ThumbnailSummary {
    /// One line: `Thumbnails: 5 made, 1 failed, 2 skipped (.json) in 0.4 s`.
    pub fn render(&self) -> String {
        format!(
            "Thumbnails: {} made, {} failed, {} skipped (.json) in {:.1} s",
            self.made,
            self.failed,
            self.skipped,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Why [`update_thumbnails`] stopped. Batches stored before the error stay stored.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// `SECRET_KEY` is not set, so no thumbnail can be named; nothing was done.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Reading the images or storing their names failed.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// What became of one image.
enum Outcome {
    Made(String),
    Failed(String),
    Skipped,
}

impl Outcome {
    /// The new `ThumbnailPath`.
    fn value(&self) -> Option<&str> {
        match self {
            Outcome::Made(name) => Some(name),
            Outcome::Failed(_) => Some(""),
            Outcome::Skipped => None,
        }
    }
}

const SELECT_JOBS: &str = "SELECT i.*, pa.ProjectID AS ThumbnailProjectID FROM ImageInstance i \
     JOIN Series se ON se.SeriesID = i.SeriesID \
     JOIN Study st ON st.StudyID = se.StudyID \
     JOIN Patient pa ON pa.PatientID = st.PatientID \
     WHERE i.Inactive = 0 AND ";

/// Active images without thumbnails (`ThumbnailPath IS NULL`), and with `include_failed` also
/// those whose thumbnails failed before (`ThumbnailPath = ''`), by `ImageInstanceID`.
pub async fn missing_thumbnails<C: ConnectionTrait>(
    db: &C,
    include_failed: bool,
) -> Result<Vec<ThumbnailJob>, DbErr> {
    let condition = if include_failed {
        "(i.ThumbnailPath IS NULL OR i.ThumbnailPath = '')"
    } else {
        "i.ThumbnailPath IS NULL"
    };
    let sql = format!("{SELECT_JOBS}{condition} ORDER BY i.ImageInstanceID");
    jobs(db, Statement::from_string(db.get_database_backend(), sql)).await
}

/// Active images without thumbnails stored under one of `dataset_identifiers` (e.g. those an
/// import just added), by `ImageInstanceID`.
pub async fn jobs_for_datasets<C: ConnectionTrait>(
    db: &C,
    dataset_identifiers: &[String],
) -> Result<Vec<ThumbnailJob>, DbErr> {
    let mut out = Vec::new();
    for chunk in dataset_identifiers.chunks(1000) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "{SELECT_JOBS}i.ThumbnailPath IS NULL AND i.DatasetIdentifier IN ({marks}) \
             ORDER BY i.ImageInstanceID"
        );
        let values = chunk
            .iter()
            .map(|d| Value::from(d.as_str()))
            .collect::<Vec<_>>();
        let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        out.extend(jobs(db, stmt).await?);
    }
    out.sort_by_key(|job| job.image.image_instance_id);
    out.dedup_by_key(|job| job.image.image_instance_id);
    Ok(out)
}

async fn jobs<C: ConnectionTrait>(db: &C, stmt: Statement) -> Result<Vec<ThumbnailJob>, DbErr> {
    db.query_all_raw(stmt)
        .await?
        .iter()
        .map(|row| {
            Ok(ThumbnailJob {
                image: ImageInstance::from_query_result(row, "")?,
                project_id: row.try_get("", "ThumbnailProjectID")?,
            })
        })
        .collect()
}

/// Makes the thumbnails of `jobs` on every core and records each image's `ThumbnailPath`: its
/// name when the files were made, `''` when they could not be (the error is counted, and kept
/// with [`UpdateOptions::keep_errors`]), NULL for `.json` images. Names are stored one UPDATE
/// per batch, so an interrupted run keeps what it finished. Needs `SECRET_KEY`: without it,
/// nothing is done.
pub async fn update_thumbnails<C: ConnectionTrait>(
    db: &C,
    cfg: &PlatformConfig,
    jobs: Vec<ThumbnailJob>,
    options: &UpdateOptions,
    progress: &Arc<dyn Progress>,
) -> Result<ThumbnailSummary, UpdateError> {
    let started = Instant::now();
    let key = cfg.require_secret_key()?.clone();
    let context = Arc::new((cfg.clone(), key));
    progress.length(jobs.len() as u64);
    let mut batches = batches(jobs, options.batch.max(1)).into_iter();
    let start = |batch: Vec<ThumbnailJob>| {
        let (tx, rx) = futures_channel::oneshot::channel();
        let context = Arc::clone(&context);
        let progress = Arc::clone(progress);
        rayon::spawn(move || {
            let (cfg, key) = &*context;
            let outcomes: Vec<(i32, Outcome)> = batch
                .par_iter()
                .map(|job| {
                    let outcome =
                        std::panic::catch_unwind(AssertUnwindSafe(|| make(job, cfg, key)))
                            .unwrap_or_else(|_| {
                                Outcome::Failed("the thumbnail code panicked".into())
                            });
                    progress.advance(1);
                    (job.image.image_instance_id, outcome)
                })
                .collect();
            let _ = tx.send(outcomes);
        });
        rx
    };
    let mut summary = ThumbnailSummary::default();
    let mut pending = batches.next().map(start);
    while let Some(batch) = pending {
        let outcomes = batch
            .await
            .map_err(|_| DbErr::Custom("a thumbnail batch was lost".into()))?;
        // The next batch is made while this one is stored.
        pending = batches.next().map(start);
        store(db, &outcomes).await?;
        for (id, outcome) in outcomes {
            match outcome {
                Outcome::Made(_) => summary.made += 1,
                Outcome::Skipped => summary.skipped += 1,
                Outcome::Failed(why) => {
                    summary.failed += 1;
                    if options.keep_errors {
                        summary.errors.push((id, why));
                    }
                }
            }
        }
    }
    progress.finish();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn batches(jobs: Vec<ThumbnailJob>, size: usize) -> Vec<Vec<ThumbnailJob>> {
    let mut out = Vec::with_capacity(jobs.len().div_ceil(size));
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        out.push(jobs.by_ref().take(size).collect());
    }
    out
}

/// One image: `.json` is skipped, anything else read, reduced, resized and written.
fn make(job: &ThumbnailJob, cfg: &PlatformConfig, key: &Secret) -> Outcome {
    let image = &job.image;
    let is_json = Path::new(&image.dataset_identifier)
        .extension()
        .is_some_and(|e| e == "json");
    if is_json {
        return Outcome::Skipped;
    }
    let name = thumbnail_path_value(key, job.project_id, image.image_instance_id);
    let made = image
        .pixel_array(cfg)
        .map_err(ThumbnailError::from)
        .and_then(|pixels| {
            let resolution = Resolution {
                horizontal: image.resolution_horizontal,
                vertical: image.resolution_vertical,
            };
            into_picture(pixels, resolution)
        })
        .and_then(|picture| save_thumbnails(&picture, &cfg.thumbnails_path, &name));
    match made {
        Ok(_) => Outcome::Made(name),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// One UPDATE setting each image's `ThumbnailPath`.
async fn store<C: ConnectionTrait>(db: &C, outcomes: &[(i32, Outcome)]) -> Result<(), DbErr> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("UPDATE ImageInstance SET ThumbnailPath = CASE ImageInstanceID");
    let mut values: Vec<Value> = Vec::with_capacity(outcomes.len() * 3);
    for (id, outcome) in outcomes {
        sql.push_str(" WHEN ? THEN ?");
        values.push(Value::from(*id));
        values.push(Value::String(outcome.value().map(str::to_owned)));
    }
    sql.push_str(" END WHERE ImageInstanceID IN (");
    sql.push_str(&vec!["?"; outcomes.len()].join(", "));
    sql.push(')');
    values.extend(outcomes.iter().map(|(id, _)| Value::from(*id)));
    let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    db.execute_raw(stmt).await?;
    Ok(())
}
