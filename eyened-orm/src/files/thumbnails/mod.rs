//! Thumbnails of images, as the Python platform makes them (`importer/thumbnails.py`):
//! `THUMBNAILS_PATH/{ProjectID}/{name}_{size}.jpg` for sizes 144 and 540, where `name` is the
//! first 24 hex digits of `HMAC-SHA256(SECRET_KEY, str(ImageInstanceID))` and
//! `ImageInstance.ThumbnailPath` holds `{ProjectID}/{name}`.
//!
//! ```no_run
//! use eyened_orm::config::{self, PlatformConfig};
//! use eyened_orm::files::thumbnails::{self, UpdateOptions};
//! use eyened_orm::progress;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = PlatformConfig::resolve(None)?;
//! let db = config::resolve(None, None)?.connect().await?;
//! // Images without thumbnails (`--failed`: also those that failed before).
//! let jobs = thumbnails::missing_thumbnails(&db, false).await?;
//! let summary =
//!     thumbnails::update_thumbnails(&db, &cfg, jobs, &UpdateOptions::default(), &progress::silent())
//!         .await?;
//! println!("{} made, {} failed", summary.made, summary.failed);
//! # Ok(())
//! # }
//! ```
//!
//! Pillow's `thumbnail()` is reproduced exactly (sizes, box reduction, bicubic fixed-point
//! resampling), so 8-bit thumbnails have Pillow's dimensions and pixels before JPEG encoding; the
//! JPEG encoder (progressive, optimised Huffman tables, quality 75, 4:2:0 with averaged chroma
//! as libjpeg) is not libjpeg, so the files' bytes differ. Differences from Python, each on
//! purpose: 16-bit and float images are stretched to 8 bits and alpha channels dropped (Pillow
//! cannot write them as JPEG, so Python marks those images failed); `ColorFundus` images get the
//! plain thumbnail (Python crops them to the detected fundus bounds, which this crate does not
//! detect).

mod name;
mod resize;
mod source;
mod update;

use std::path::{Path, PathBuf};

use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};

pub use name::{thumbnail_file, thumbnail_name, thumbnail_path_value};
pub use resize::{thumbnail, thumbnail_size};
pub use source::{Resolution, Sample, source_picture};
pub use update::{
    ThumbnailJob, ThumbnailSummary, UpdateError, UpdateOptions, jobs_for_datasets,
    missing_thumbnails, update_thumbnails,
};

use super::FileError;
use super::pixels::PixelArray;

/// The sizes thumbnails are made in: the longest side is at most this many pixels.
pub const THUMBNAIL_SIZES: [u32; 2] = [144, 540];

/// The JPEG quality of thumbnails.
pub const JPEG_QUALITY: u8 = 75;

/// An 8-bit picture: `height` rows of `width` pixels of `channels` (1: grey, 3: RGB) interleaved
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Values per pixel: 1 (grey) or 3 (RGB).
    pub channels: usize,
    /// `height * width * channels` values, row by row.
    pub data: Vec<u8>,
}

/// Why a thumbnail could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThumbnailError {
    /// The image file could not be read.
    #[error(transparent)]
    Pixels(#[from] FileError),
    /// The pixels have a shape no thumbnail can be made of (1-D, 4-D, empty...).
    #[error("pixels of shape {shape:?} are not an image or a volume")]
    Shape {
        /// The array's shape.
        shape: Vec<usize>,
    },
    /// The resolutions of a volume give no usable projection.
    #[error("cannot stretch the projection: {detail}; check ResolutionHorizontal/Vertical")]
    Resolution {
        /// What is wrong with the resolutions.
        detail: String,
    },
    /// The JPEG encoder refused the picture.
    #[error("cannot encode the thumbnail as JPEG: {0}")]
    Encode(String),
    /// A thumbnail file or its directory could not be written.
    #[error("cannot write {}: {source}; check THUMBNAILS_PATH and its permissions", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// The picture a thumbnail of `pixels` is made from; see [`source_picture`].
pub fn picture_of(pixels: &PixelArray, resolution: Resolution) -> Result<Picture, ThumbnailError> {
    match pixels {
        PixelArray::Bool(a) => source_picture(a.view(), resolution),
        PixelArray::U8(a) => source_picture(a.view(), resolution),
        PixelArray::I8(a) => source_picture(a.view(), resolution),
        PixelArray::U16(a) => source_picture(a.view(), resolution),
        PixelArray::I16(a) => source_picture(a.view(), resolution),
        PixelArray::U32(a) => source_picture(a.view(), resolution),
        PixelArray::I32(a) => source_picture(a.view(), resolution),
        PixelArray::F32(a) => source_picture(a.view(), resolution),
        PixelArray::F64(a) => source_picture(a.view(), resolution),
    }
}

/// [`picture_of`], taking the pixels: an 8-bit grey or RGB image, the common case, becomes the
/// picture without a copy.
pub fn into_picture(pixels: PixelArray, resolution: Resolution) -> Result<Picture, ThumbnailError> {
    let PixelArray::U8(array) = pixels else {
        return picture_of(&pixels, resolution);
    };
    let (height, width, channels) = match *array.shape() {
        [h, w] => (h, w, 1),
        [h, w, 3] => (h, w, 3),
        _ => (0, 0, 0),
    };
    // Axes of length 1 are squeezed away by `source_picture`; such pictures take that path.
    if height > 1 && width > 1 && array.is_standard_layout() {
        // A standard-layout array's values are its buffer's, in order, from the offset on.
        let (mut data, offset) = array.into_raw_vec_and_offset();
        let start = offset.unwrap_or(0);
        data.truncate(start + height * width * channels);
        data.drain(..start);
        return Ok(Picture {
            width,
            height,
            channels,
            data,
        });
    }
    picture_of(&PixelArray::U8(array), resolution)
}

/// `picture` as a JPEG file's bytes: quality [`JPEG_QUALITY`], progressive, optimised Huffman
/// tables, 4:2:0 chroma (Pillow's `save(format="JPEG", quality=75, optimize=True,
/// progressive=True)`).
pub fn encode_jpeg(picture: &Picture) -> Result<Vec<u8>, ThumbnailError> {
    let too_big =
        || ThumbnailError::Encode(format!("{}x{} is too big", picture.width, picture.height));
    let width = u16::try_from(picture.width).map_err(|_| too_big())?;
    let height = u16::try_from(picture.height).map_err(|_| too_big())?;
    let color = match picture.channels {
        1 => ColorType::Luma,
        3 => ColorType::Rgb,
        n => return Err(ThumbnailError::Encode(format!("{n} channels"))),
    };
    let mut out = Vec::with_capacity(picture.width * picture.height / 4 + 1024);
    let mut encoder = Encoder::new(&mut out, JPEG_QUALITY);
    encoder.set_progressive(true);
    encoder.set_optimized_huffman_tables(true);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder
        .encode(&picture.data, width, height, color)
        .map_err(|e| ThumbnailError::Encode(e.to_string()))?;
    Ok(out)
}

/// Makes the thumbnails of `picture` for `thumbnail_path` (an `ImageInstance.ThumbnailPath`
/// value) in every size of [`THUMBNAIL_SIZES`], under `thumbnails_path`, creating directories;
/// returns the files written. Each file is written beside its final name and then renamed, so
/// that no reader sees half a thumbnail.
pub fn save_thumbnails(
    picture: &Picture,
    thumbnails_path: &Path,
    thumbnail_path: &str,
) -> Result<Vec<PathBuf>, ThumbnailError> {
    let mut written = Vec::with_capacity(THUMBNAIL_SIZES.len());
    for size in THUMBNAIL_SIZES {
        let bytes = encode_jpeg(&thumbnail(picture, size))?;
        let file = thumbnail_file(thumbnails_path, thumbnail_path, size);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ThumbnailError::Write {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut partial = file.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let write =
            std::fs::write(&partial, &bytes).and_then(|()| std::fs::rename(&partial, &file));
        if let Err(source) = write {
            let _ = std::fs::remove_file(&partial);
            return Err(ThumbnailError::Write { path: file, source });
        }
        written.push(file);
    }
    Ok(written)
}
