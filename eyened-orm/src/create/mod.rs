//! Constructors: `Task::from_imagesets`, `SubTask::from_image_ids`, `Feature::from_list`,
//! `Annotation::create` and the four `make_tag` methods (on `Study`, `ImageInstance`,
//! `FormAnnotation` and `Segmentation`).
//!
//! Each runs in one transaction: it writes all its rows or none. Given a connection it begins
//! a transaction; given a [`sea_orm::DatabaseTransaction`] it begins a nested one (a savepoint),
//! so a caller's transaction stays theirs to commit or roll back. An unknown name or id is an
//! [`Error::NotFound`], found before anything is written.

mod annotation;
mod feature;
mod tag;
mod task;

pub use annotation::NewAnnotation;

use std::collections::{BTreeSet, HashSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
};

use crate::error::{Error, Result};
use crate::select::value_text;
use crate::{Creator, image_instance};

/// The local time, to the second (the `DATETIME` columns hold no fractions): what the
/// Python ORM's `now()` wrote into `DateModified`.
pub(crate) fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Local::now().naive_local();
    now.with_nanosecond(0).unwrap_or(now)
}

/// Commits `txn` if `result` is `Ok`, rolls it back otherwise.
pub(crate) async fn finish<Tx, T>(txn: Tx, result: Result<T>) -> Result<T>
where
    Tx: TransactionSession,
{
    match result {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(e) => {
            // The error that made us roll back is the one to report; a failed rollback
            // (connection gone) ends the transaction on the server anyway.
            let _ = txn.rollback().await;
            Err(e)
        }
    }
}

/// The creator named `name`, or `NotFound`.
pub(crate) async fn creator_named<C: ConnectionTrait>(db: &C, name: &str) -> Result<Creator> {
    Creator::by_name(db, name).await?.ok_or_else(|| {
        Error::not_found(
            "Creator",
            format!("CreatorName = {}", value_text(&name.into())),
        )
    })
}

/// `NotFound` naming every id of `ids` that has no `ImageInstance` row.
pub(crate) async fn require_images<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<()> {
    let wanted: BTreeSet<i32> = ids.iter().copied().collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut found = HashSet::with_capacity(wanted.len());
    let wanted_list: Vec<i32> = wanted.iter().copied().collect();
    for chunk in wanted_list.chunks(10_000) {
        let ids: Vec<i32> = image_instance::Entity::find()
            .select_only()
            .column(image_instance::Column::ImageInstanceId)
            .filter(image_instance::Column::ImageInstanceId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(ids);
    }
    let missing: Vec<i32> = wanted
        .into_iter()
        .filter(|id| !found.contains(id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::not_found(
        "ImageInstance",
        format!("ImageInstanceID in {}", id_list(&missing)),
    ))
}

/// `[1, 2, 3]`, or `[1, 2, …, 10 (and 5 more)]` for long lists.
fn id_list(ids: &[i32]) -> String {
    const SHOWN: usize = 10;
    let shown: Vec<String> = ids.iter().take(SHOWN).map(i32::to_string).collect();
    if ids.len() > SHOWN {
        format!("[{}, … ({} more)]", shown.join(", "), ids.len() - SHOWN)
    } else {
        format!("[{}]", shown.join(", "))
    }
}
