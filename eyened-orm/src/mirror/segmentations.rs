//! `copy_segmentation_data: true` of database-mirror-test: the zarr data of the subset's
//! segmentations comes along, so the copy is self-consistent.
//!
//! What the Python tool meant to do (its version copied only `ModelSegmentation` rows, crashed on
//! a NULL `ZarrArrayIndex` and read the config in a way no file could satisfy): every
//! `Segmentation` and `ModelSegmentation` row of the staged copy that has a `ZarrArrayIndex` gets
//! its element read from the source store and appended to the target store, and the staged row's
//! `ZarrArrayIndex` (and nothing else) becomes the new position. This runs after the staged copy
//! is verified and before the swap, so the target database is replaced by a copy whose indices
//! already point into the target store; a failure leaves the target database untouched (the
//! target store may then hold appended elements no row points to, which is harmless: elements
//! are only ever appended, never compacted).
//!
//! The source store is opened read-only and never written. Source and target must be different
//! stores, checked before anything is touched.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::config::MirrorConfig;
use super::conn::{self, Conn};
use super::error::MirrorError;
use crate::enums::DataType;
use crate::files::segmentation::{UNKNOWN_MODEL_GROUP, representation_group};
use crate::files::{ArrayKey, SegmentationStore};
use crate::sql::qualified;

/// The two stores of a run with `copy_segmentation_data: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stores {
    /// Read from (opened read-only).
    pub source: PathBuf,
    /// Appended to (created when missing).
    pub target: PathBuf,
}

/// The stores the config names, checked: both given, the source an existing zarr store, the
/// target another directory. Nothing is created or written.
pub fn check_stores(cfg: &MirrorConfig) -> Result<Stores, MirrorError> {
    let named = |store: &Option<PathBuf>, role: &str| {
        store.clone().ok_or_else(|| {
            MirrorError::config(
                format!("{role}.segmentations_zarr_store"),
                format!(
                    "copy_segmentation_data: true needs the {role}'s segmentation zarr store: give {role}.segmentations_zarr_store, or SEGMENTATIONS_ZARR_STORE in {role}.env_file"
                ),
            )
        })
    };
    let source = named(&cfg.source.segmentations_zarr_store, "source")?;
    let target = named(&cfg.target.segmentations_zarr_store, "target")?;
    if same_directory(&source, &target) {
        return Err(MirrorError::Refused(format!(
            "source and target segmentation stores are the same directory ({}): the copy would append to the store it reads from; give the target a store of its own",
            source.display()
        )));
    }
    SegmentationStore::open_read_only(&source)
        .map_err(|e| MirrorError::config("source.segmentations_zarr_store", e.to_string()))?;
    if target.exists() && !target.is_dir() {
        return Err(MirrorError::config(
            "target.segmentations_zarr_store",
            format!("{} is not a directory", target.display()),
        ));
    }
    Ok(Stores { source, target })
}

/// Whether `a` and `b` name one directory, once symbolic links and `..` are resolved (a missing
/// path by its nearest existing ancestor).
fn same_directory(a: &Path, b: &Path) -> bool {
    resolved(a) == resolved(b)
}

fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// One row whose data is copied.
#[derive(Debug, Clone)]
struct Row {
    table: &'static str,
    id_column: &'static str,
    id: i64,
    key: ArrayKey,
    index: i64,
}

/// What the copy did, for the run's report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    /// `Segmentation` rows whose data was copied.
    pub segmentations: usize,
    /// `ModelSegmentation` rows whose data was copied.
    pub model_segmentations: usize,
}

/// Copies the data of every segmentation row with a `ZarrArrayIndex` in the staging database
/// `staging` from the source store to the target store, and points the rows at the copies.
pub async fn copy(
    stores: &Stores,
    target: &mut Conn,
    staging: &str,
) -> Result<Copied, MirrorError> {
    let mut rows = Vec::new();
    let segmentations = conn::rows(
        target,
        format!(
            "SELECT SegmentationID, ZarrArrayIndex, DataRepresentation, DataType, Depth, Height, Width \
             FROM {} WHERE ZarrArrayIndex IS NOT NULL ORDER BY SegmentationID",
            qualified(staging, "Segmentation")
        ),
        || "staging: segmentations with data".into(),
    )
    .await?;
    for row in &segmentations {
        let group = representation_group(
            conn::text(row, 2)
                .unwrap_or_default()
                .parse()
                .map_err(|e| {
                    MirrorError::Internal(format!("Segmentation.DataRepresentation: {e}"))
                })?,
        );
        rows.push(parse_row("Segmentation", "SegmentationID", row, group)?);
    }
    let model_segmentations = conn::rows(
        target,
        format!(
            "SELECT s.ModelSegmentationID, s.ZarrArrayIndex, CONCAT('model_', m.ModelName, '_', m.Version), \
             s.DataType, s.Depth, s.Height, s.Width \
             FROM {} s LEFT JOIN {} m ON m.ModelID = s.ModelID \
             WHERE s.ZarrArrayIndex IS NOT NULL ORDER BY s.ModelSegmentationID",
            qualified(staging, "ModelSegmentation"),
            qualified(staging, "Model")
        ),
        || "staging: model segmentations with data".into(),
    )
    .await?;
    for row in &model_segmentations {
        // The Python platform's fallback when the model row is missing.
        let group = conn::text(row, 2).unwrap_or_else(|| UNKNOWN_MODEL_GROUP.to_owned());
        rows.push(parse_row(
            "ModelSegmentation",
            "ModelSegmentationID",
            row,
            group,
        )?);
    }

    let stores = stores.clone();
    let copied_rows = rows.clone();
    // Blocking file I/O, off the runtime's threads.
    let new_indices = tokio::task::spawn_blocking(move || copy_data(&stores, &copied_rows))
        .await
        .map_err(|e| MirrorError::Internal(format!("segmentation copy: {e}")))??;

    for (table, id_column) in [
        ("Segmentation", "SegmentationID"),
        ("ModelSegmentation", "ModelSegmentationID"),
    ] {
        let updates: Vec<(i64, i64)> = rows
            .iter()
            .zip(&new_indices)
            .filter(|(r, _)| r.table == table)
            .map(|(r, i)| (r.id, *i))
            .collect();
        for batch in updates.chunks(1000) {
            let cases: String = batch
                .iter()
                .map(|(id, index)| format!(" WHEN {id} THEN {index}"))
                .collect();
            let ids: Vec<String> = batch.iter().map(|(id, _)| id.to_string()).collect();
            conn::exec(
                target,
                format!(
                    "UPDATE {} SET ZarrArrayIndex = CASE {id_column}{cases} END WHERE {id_column} IN ({})",
                    qualified(staging, table),
                    ids.join(",")
                ),
                || format!("staging: {table}.ZarrArrayIndex of the copied data"),
            )
            .await?;
        }
    }
    Ok(Copied {
        segmentations: segmentations.len(),
        model_segmentations: model_segmentations.len(),
    })
}

fn parse_row(
    table: &'static str,
    id_column: &'static str,
    row: &sea_orm::sqlx::mysql::MySqlRow,
    group: String,
) -> Result<Row, MirrorError> {
    let int = |i: usize, what: &str| -> Result<i64, MirrorError> {
        conn::text(row, i)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| MirrorError::Internal(format!("{table}.{what}: not an integer")))
    };
    let data_type_text = conn::text(row, 3).unwrap_or_default();
    let data_type = DataType::from_str(&data_type_text)
        .map_err(|e| MirrorError::Internal(format!("{table}.DataType: {e}")))?;
    let dim = |i: usize, what: &str| -> Result<u64, MirrorError> {
        u64::try_from(int(i, what)?)
            .map_err(|_| MirrorError::Internal(format!("{table}.{what}: negative")))
    };
    Ok(Row {
        table,
        id_column,
        id: int(0, id_column)?,
        index: int(1, "ZarrArrayIndex")?,
        key: ArrayKey::new(
            group,
            data_type,
            [dim(4, "Depth")?, dim(5, "Height")?, dim(6, "Width")?],
        ),
    })
}

/// Reads each row's element from the source store and appends it to the target store; the new
/// indices, in the order of `rows`.
fn copy_data(stores: &Stores, rows: &[Row]) -> Result<Vec<i64>, MirrorError> {
    let source = SegmentationStore::open_read_only(&stores.source)
        .map_err(|e| MirrorError::config("source.segmentations_zarr_store", e.to_string()))?;
    let target = SegmentationStore::open(&stores.target)
        .map_err(|e| MirrorError::config("target.segmentations_zarr_store", e.to_string()))?;
    rows.iter()
        .map(|row| {
            let failed = |e: crate::files::SegmentationStoreError| {
                MirrorError::SegmentationData(format!(
                    "{} {} = {}: {e}",
                    row.table, row.id_column, row.id
                ))
            };
            let data = source.read_any(&row.key, row.index).map_err(failed)?;
            target.write_any(&row.key, None, &data).map_err(failed)
        })
        .collect()
}
