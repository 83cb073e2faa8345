//! `eorm update-hashes`: fills in `FileChecksum` and `DataHash` of every image (inactive ones
//! too) that lacks either, reading the files on every core and writing in batches.
//!
//! As in the Python platform, each missing value is computed on its own: a file whose pixels
//! cannot be decoded still gets its `FileChecksum`. Failures are counted and returned, never
//! fatal; only database errors end the run. Updates set `DateModified` to now, as SQLAlchemy's
//! `onupdate` does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde::Serialize;

use super::hashes;
use crate::config::PlatformConfig;
use crate::image_instance::{Column, Entity};
use crate::progress::Progress;

/// How [`update_hashes`] runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Images written per transaction (the Python command commits every 1000).
    pub batch_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { batch_size: 1000 }
    }
}

/// Which value of an image could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HashKind {
    /// `FileChecksum`, the MD5 of the file.
    FileChecksum,
    /// `DataHash`, the SHA-256 of the pixels.
    DataHash,
}

impl HashKind {
    /// `"file checksum"` or `"data hash"`, as the Python command's messages say.
    pub fn describe(self) -> &'static str {
        match self {
            HashKind::FileChecksum => "file checksum",
            HashKind::DataHash => "data hash",
        }
    }
}

/// One value that could not be computed.
#[derive(Debug, Clone, Serialize)]
pub struct HashFailure {
    /// The image.
    pub image_instance_id: i32,
    /// Its file.
    pub path: String,
    /// Which value failed.
    pub kind: HashKind,
    /// Why.
    pub message: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HashSummary {
    /// Images that lacked `FileChecksum` or `DataHash`.
    pub found: usize,
    /// Images given at least one of them.
    pub updated: usize,
    /// Images for which at least one could not be computed (they stay NULL, and the next run
    /// tries again).
    pub failed_images: usize,
    /// Every value that could not be computed, in image order.
    pub failures: Vec<HashFailure>,
    /// How long the run took.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

impl HashSummary {
    /// One line, e.g. `Updated hashes for 998 of 1000 images; 2 failed (3 errors) in 1.2 s`.
    pub fn render(&self) -> String {
        format!(
            "Updated hashes for {} of {} images; {} failed ({} errors) in {:.1} s",
            self.updated,
            self.found,
            self.failed_images,
            self.failures.len(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// An image that lacks a hash: what is needed to compute what it lacks.
#[derive(Debug, Clone)]
struct Pending {
    id: i32,
    dataset_identifier: String,
    rows: Option<i32>,
    columns: Option<i32>,
    needs_checksum: bool,
    needs_data_hash: bool,
}

/// Fills in the missing `FileChecksum` and `DataHash` of every `ImageInstance`, inactive ones
/// included, with files under `cfg.images_basepath`. `progress` gets the number of images,
/// then one unit per image done.
pub async fn update_hashes(
    db: &DatabaseConnection,
    cfg: &PlatformConfig,
    options: &Options,
    progress: &Arc<dyn Progress>,
) -> Result<HashSummary, DbErr> {
    let start = Instant::now();
    let pending = pending(db).await?;
    let mut summary = HashSummary {
        found: pending.len(),
        ..HashSummary::default()
    };
    progress.step("hashing");
    progress.length(pending.len() as u64);
    let batches: Vec<&[Pending]> = pending.chunks(options.batch_size.max(1)).collect();
    // The next batch is hashed while this one is written, so that the cores never wait for
    // the database.
    let start_hashing = |batch: &&[Pending]| {
        tokio::spawn(compute(batch.to_vec(), cfg.clone(), Arc::clone(progress)))
    };
    let mut hashing = batches.first().map(start_hashing);
    for (i, batch) in batches.iter().enumerate() {
        let computed = match hashing.take() {
            Some(task) => task
                .await
                .map_err(|e| DbErr::Custom(format!("the hashing task failed: {e}")))??,
            None => break,
        };
        hashing = batches.get(i + 1).map(start_hashing);
        // `compute` keeps the batch's order.
        write(db, batch, &computed).await?;
        for (p, c) in batch.iter().zip(computed) {
            let path = cfg.images_basepath.join(&p.dataset_identifier);
            let mut any_ok = false;
            let mut any_failed = false;
            for (kind, result) in [
                (
                    HashKind::FileChecksum,
                    c.file_checksum.map(|r| r.map(|_| ())),
                ),
                (HashKind::DataHash, c.data_hash.map(|r| r.map(|_| ()))),
            ] {
                match result {
                    Some(Ok(())) => any_ok = true,
                    Some(Err(e)) => {
                        any_failed = true;
                        summary.failures.push(HashFailure {
                            image_instance_id: p.id,
                            path: path.display().to_string(),
                            kind,
                            message: e.to_string(),
                        });
                    }
                    None => {}
                }
            }
            summary.updated += usize::from(any_ok);
            summary.failed_images += usize::from(any_failed);
        }
    }
    progress.finish();
    summary.elapsed = start.elapsed();
    Ok(summary)
}

async fn pending(db: &DatabaseConnection) -> Result<Vec<Pending>, DbErr> {
    type Row = (
        i32,
        String,
        Option<i32>,
        Option<i32>,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let rows: Vec<Row> = Entity::find()
        .select_only()
        .column(Column::ImageInstanceId)
        .column(Column::DatasetIdentifier)
        .column(Column::RowsY)
        .column(Column::ColumnsX)
        .column(Column::FileChecksum)
        .column(Column::DataHash)
        .filter(
            Column::FileChecksum
                .is_null()
                .or(Column::DataHash.is_null()),
        )
        .order_by_asc(Column::ImageInstanceId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, dataset_identifier, rows, columns, checksum, data_hash)| Pending {
                id,
                dataset_identifier,
                rows,
                columns,
                needs_checksum: checksum.is_none(),
                needs_data_hash: data_hash.is_none(),
            },
        )
        .collect())
}

/// Images per rayon task: their checksums are computed side by side (`file_hashes_many`).
const FILES_PER_TASK: usize = 16;

/// Hashes `batch` on rayon's threads, off the async runtime.
async fn compute(
    batch: Vec<Pending>,
    cfg: PlatformConfig,
    progress: Arc<dyn Progress>,
) -> Result<Vec<hashes::FileHashes>, DbErr> {
    tokio::task::spawn_blocking(move || {
        let groups: Vec<Vec<hashes::FileHashes>> = batch
            .par_chunks(FILES_PER_TASK)
            .map(|group| {
                let requests: Vec<hashes::HashRequest> = group
                    .iter()
                    .map(|p| hashes::HashRequest {
                        path: cfg.images_basepath.join(&p.dataset_identifier),
                        rows: p.rows,
                        columns: p.columns,
                        want_checksum: p.needs_checksum,
                        want_data_hash: p.needs_data_hash,
                    })
                    .collect();
                let computed = hashes::file_hashes_many(&requests);
                progress.advance(group.len() as u64);
                computed
            })
            .collect();
        groups.into_iter().flatten().collect()
    })
    .await
    .map_err(|e| DbErr::Custom(format!("the hashing threads failed: {e}")))
}

/// One UPDATE per batch, in a transaction: `CASE ImageInstanceID WHEN ... THEN ...` for each
/// column, leaving a column as it is for the images whose value failed. `computed[i]` holds the
/// values of `batch[i]`.
async fn write(
    db: &DatabaseConnection,
    batch: &[Pending],
    computed: &[hashes::FileHashes],
) -> Result<(), DbErr> {
    let mut checksum_case = CaseStatement::new();
    let mut hash_case = CaseStatement::new();
    let mut ids = Vec::new();
    for (p, c) in batch.iter().zip(computed) {
        let mut touched = false;
        if let Some(Ok(md5)) = &c.file_checksum {
            checksum_case =
                checksum_case.case(Expr::col(Column::ImageInstanceId).eq(p.id), md5.to_vec());
            touched = true;
        }
        if let Some(Ok(hash)) = &c.data_hash {
            hash_case = hash_case.case(
                Expr::col(Column::ImageInstanceId).eq(p.id),
                hash.as_bytes().to_vec(),
            );
            touched = true;
        }
        if touched {
            ids.push(p.id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    let update = Query::update()
        .table(Entity)
        .value(
            Column::FileChecksum,
            checksum_case.finally(Expr::col(Column::FileChecksum)),
        )
        .value(
            Column::DataHash,
            hash_case.finally(Expr::col(Column::DataHash)),
        )
        .value(Column::DateModified, Expr::current_timestamp())
        .and_where(Expr::col(Column::ImageInstanceId).is_in(ids))
        .to_owned();
    let txn = db.begin().await?;
    txn.execute(&update).await?;
    txn.commit().await
}
