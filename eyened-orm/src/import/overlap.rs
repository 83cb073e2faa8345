//! Writing while planning: the server stores the rows of the first items while the later ones
//! are looked up and resolved, inside the one transaction of the import.
//!
//! The server storing the images takes longer than reading, checking and looking them up, and
//! until now it could only start once all of that was done. Here a planning future resolves the
//! input in pieces ([`Pieces`]) and hands each piece's new rows through a channel to a writing
//! future, which writes them in the transaction while the next piece is looked up. The input is
//! assumed to have no problem; whatever breaks that assumption (a problem, a file not found, a
//! failed write, props added to a row already written) rolls the transaction back and gives up,
//! and the caller runs the sequential import ([`super::plan::plan`], then
//! [`super::write::write`]), which reports every problem as before, or writes. Nothing is
//! committed until every check has passed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;

use super::input::{ItemIn, Tables};
use super::plan::{self, Batch, Pieces};
use super::write::Writer;
use super::{ImportError, Options, Summary};
use crate::load_data::Loader;
use crate::progress::Progress;

/// Images per piece: enough for the lookups' `IN (...)` batches, few enough that the server
/// starts storing soon.
const PIECE_IMAGES: usize = 4000;

/// Pieces resolved ahead of the writing.
const PIECES_AHEAD: usize = 2;

/// What [`import`] did.
pub(super) enum Outcome {
    /// Everything was written and committed.
    Imported {
        summary: Box<Summary>,
        /// The new images' `DatasetIdentifier`s, when the options ask for thumbnails.
        new_images: Vec<String>,
    },
    /// Nothing was written; the sequential import must run.
    GaveUp,
}

/// Imports `items` (parsed without problems) on `loader`, writing while planning.
pub(super) async fn import(
    db: &DatabaseConnection,
    loader: Loader,
    tables: &Tables,
    items: Vec<ItemIn>,
    basepath: &Path,
    options: &Options,
    progress: &Arc<dyn Progress>,
) -> Result<Outcome, ImportError> {
    let started = Instant::now();
    let pieces = match plan::pieces(tables, basepath, options) {
        Ok(pieces) => pieces,
        Err(e) => {
            loader.close().await;
            return Err(e);
        }
    };
    progress.step("importing");
    let images = items
        .iter()
        .flat_map(|i| &i.studies)
        .flat_map(|s| &s.series);
    progress.length(images.map(|s| s.images.len() as u64).sum());
    let mut writer = Writer::begin(db, Some(loader), options, progress).await?;
    let (tx, rx) = tokio::sync::mpsc::channel(PIECES_AHEAD);
    // A task of its own, so that the planning's work on this one does not hold up the load's
    // stream.
    let writing = tokio::spawn(async move {
        let written = writing(&mut writer, rx).await;
        (writer, written)
    });
    let planned = planning(db, pieces, items, tx, options.thumbnails.is_some()).await;
    let (writer, written) = match writing.await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => return Err(ImportError::Load(format!("the writing task stopped: {e}"))),
    };
    match (planned, written) {
        (Ok(Some((summary, new_images))), Ok(())) => {
            let committing = Instant::now();
            writer.commit().await?;
            tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                commit = committing.elapsed().as_secs_f64(),
                "import: committed"
            );
            Ok(Outcome::Imported {
                summary: Box::new(summary),
                new_images,
            })
        }
        (Err(e), Ok(())) => {
            writer.rollback().await;
            Err(e)
        }
        // A failed write, like a problem, is left to the sequential import, which reports the
        // input's problems first and writes only without them.
        (_, Err(_)) | (Ok(None), _) => {
            writer.rollback().await;
            Ok(Outcome::GaveUp)
        }
    }
}

/// The planned summary and the new images' names, or `None` to give up.
type Planned = Option<(Summary, Vec<String>)>;

/// Resolves `items` piece by piece and sends each piece's new rows to `tx`.
async fn planning(
    db: &DatabaseConnection,
    mut pieces: Pieces<'_>,
    items: Vec<ItemIn>,
    tx: tokio::sync::mpsc::Sender<Batch>,
    keep_names: bool,
) -> Result<Planned, ImportError> {
    let mut items = items.into_iter();
    let mut names = Vec::new();
    let (mut checking, mut resolving, mut waiting) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    while items.len() > 0 {
        let count = plan::piece_len(items.as_slice(), PIECE_IMAGES);
        let piece: Vec<ItemIn> = items.by_ref().take(count).collect();
        let mut since = Instant::now();
        let Some(checked) = pieces.check(db, &piece).await? else {
            return Ok(None);
        };
        checking += lap(&mut since);
        let Some(batch) = pieces.resolve(piece, checked) else {
            return Ok(None);
        };
        if keep_names {
            names.extend(batch.images.iter().map(|i| i.dataset_identifier.clone()));
        }
        resolving += lap(&mut since);
        if tx.send(batch).await.is_err() {
            return Ok(None); // the writing stopped, with an error of its own
        }
        waiting += lap(&mut since);
    }
    drop(tx);
    let mut since = Instant::now();
    let planned = pieces.finish().await?;
    tracing::info!(
        checking = checking.as_secs_f64(),
        resolving = resolving.as_secs_f64(),
        waiting_for_the_writing = waiting.as_secs_f64(),
        waiting_for_the_files = lap(&mut since).as_secs_f64(),
        "import: planning done"
    );
    Ok(planned.map(|summary| (summary, names)))
}

/// Writes the batches from `rx` until the planning is done or a write fails.
async fn writing(
    writer: &mut Writer,
    mut rx: tokio::sync::mpsc::Receiver<Batch>,
) -> Result<(), ImportError> {
    let (mut writing, mut waiting) = (Duration::ZERO, Duration::ZERO);
    let mut since = Instant::now();
    while let Some(batch) = rx.recv().await {
        waiting += lap(&mut since);
        writer.write(batch).await?;
        writing += lap(&mut since);
    }
    tracing::info!(
        writing = writing.as_secs_f64(),
        waiting_for_pieces = waiting.as_secs_f64(),
        "import: writing done"
    );
    Ok(())
}

/// The time since `since`, which becomes now.
fn lap(since: &mut Instant) -> Duration {
    let now = Instant::now();
    let lap = now - *since;
    *since = now;
    lap
}
