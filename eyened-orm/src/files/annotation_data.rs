//! The data files of `AnnotationData` rows: PNG masks (`image/png`) and raw `u8` pixels in the
//! image's shape (`application/octet-stream`, gzip-compressed when the name ends in `.gz`),
//! under `ANNOTATIONS_PATH`.
//!
//! ```no_run
//! use eyened_orm::AnnotationData;
//! use eyened_orm::config::PlatformConfig;
//! use eyened_orm::files::MaskKind;
//!
//! # fn run(data: AnnotationData, config: PlatformConfig) -> Result<(), eyened_orm::files::AnnotationDataError> {
//! // The image's Rows_y and Columns_x give the shape of raw data.
//! let pixels = data.load_data(&config, 1024, 1024)?;
//! let mask = data.get_mask(&config, "R/G mask", MaskKind::Segmentation, 1024, 1024)?;
//! # Ok(())
//! # }
//! ```

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use image::{DynamicImage, ImageReader};
use ndarray::{Array2, ArrayD, Axis, IxDyn};

use crate::AnnotationData;
use crate::config::PlatformConfig;

/// `MediaType` of PNG data.
pub const MEDIA_TYPE_PNG: &str = "image/png";
/// `MediaType` of raw `u8` data.
pub const MEDIA_TYPE_RAW: &str = "application/octet-stream";
/// `Interpretation` of masks with the mask in red and the questionable part in green.
pub const INTERPRETATION_RG_MASK: &str = "R/G mask";
/// `Interpretation` of single-channel masks (any value above 0 is in the mask).
pub const INTERPRETATION_BINARY_MASK: &str = "Binary mask";

/// The pixels of an annotation file, as numpy would hold them after
/// `np.asarray(PIL.Image.open(path))`: `(rows, columns)` for grey, `(rows, columns, channels)`
/// for grey+alpha, RGB and RGBA.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationImage {
    /// 8-bit data (PNG of 1 to 8 bits per sample, raw files).
    U8(ArrayD<u8>),
    /// 16-bit data (PNG of 16 bits per sample).
    U16(ArrayD<u16>),
}

impl AnnotationImage {
    /// The shape of the pixel array.
    pub fn shape(&self) -> &[usize] {
        match self {
            AnnotationImage::U8(a) => a.shape(),
            AnnotationImage::U16(a) => a.shape(),
        }
    }

    /// `true` where channel `channel` (of the last axis of 3-D data; 2-D data has only channel
    /// 0) is above 0.
    fn above_zero(&self, channel: Option<usize>) -> Array2<bool> {
        fn pick<T: Copy + PartialOrd + Default>(
            a: &ArrayD<T>,
            channel: Option<usize>,
        ) -> Array2<bool> {
            let plane = match channel {
                Some(c) => a.index_axis(Axis(2), c),
                None => a.view(),
            };
            plane
                .mapv(|v| v > T::default())
                .into_dimensionality()
                .expect("a 2-D plane")
        }
        match self {
            AnnotationImage::U8(a) => pick(a, channel),
            AnnotationImage::U16(a) => pick(a, channel),
        }
    }
}

/// Which mask of an `R/G mask` annotation to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskKind {
    /// The segmentation itself (red channel > 0).
    Segmentation,
    /// The part marked questionable (green channel > 0).
    Questionable,
}

/// Errors reading or writing annotation data files.
#[derive(Debug, thiserror::Error)]
pub enum AnnotationDataError {
    /// A `MediaType` other than `image/png` and `application/octet-stream`.
    #[error(
        "unsupported MediaType '{media_type}' of AnnotationData {annotation_id}_{scan_nr}; only 'image/png' and 'application/octet-stream' have data files"
    )]
    UnsupportedMediaType {
        /// The row's `AnnotationID`.
        annotation_id: i32,
        /// The row's `ScanNr`.
        scan_nr: i32,
        /// The row's `MediaType`.
        media_type: String,
    },
    /// A `DatasetIdentifier` that would leave `ANNOTATIONS_PATH`.
    #[error(
        "DatasetIdentifier '{identifier}' is not a relative path inside ANNOTATIONS_PATH (absolute, or with '..'); fix the row"
    )]
    OutsideAnnotationsPath {
        /// The row's `DatasetIdentifier`.
        identifier: String,
    },
    /// The file could not be read or written.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// The file is not a PNG the decoder understands.
    #[error("{}: not a readable PNG: {reason}", path.display())]
    Png {
        /// The file.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// A raw file whose size is not rows × columns.
    #[error(
        "{}: raw data has {len} bytes, but the image is {rows}×{columns} ({} bytes); is the file for another image?",
        path.display(),
        rows * columns
    )]
    RawSize {
        /// The file.
        path: PathBuf,
        /// Its size (after gunzip).
        len: usize,
        /// The image's `Rows_y`.
        rows: usize,
        /// The image's `Columns_x`.
        columns: usize,
    },
    /// Data that the media type cannot hold.
    #[error("cannot save data of shape {shape:?} ({kind}) as {media_type}: {reason}")]
    Unsavable {
        /// The target media type.
        media_type: String,
        /// The data's shape.
        shape: Vec<usize>,
        /// `u8` or `u16`.
        kind: &'static str,
        /// What would be needed.
        reason: &'static str,
    },
    /// Data of a shape the interpretation does not have.
    #[error("a '{interpretation}' annotation needs {expected}, but the data has shape {shape:?}")]
    MaskShape {
        /// The annotation type's `Interpretation`.
        interpretation: String,
        /// What it needs.
        expected: &'static str,
        /// The data's shape.
        shape: Vec<usize>,
    },
    /// An interpretation without masks.
    #[error(
        "annotation type interpretation '{interpretation}' has no mask; masks exist for 'R/G mask' and 'Binary mask'"
    )]
    UnsupportedInterpretation {
        /// The annotation type's `Interpretation`.
        interpretation: String,
    },
}

type Result<T, E = AnnotationDataError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AnnotationDataError + '_ {
    move |e| AnnotationDataError::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

impl AnnotationData {
    /// The conventional `DatasetIdentifier`: `{PatientID}/{AnnotationID}_{ScanNr}.{ext}`, with
    /// `patient_id` the annotation's `PatientID`.
    pub fn default_path(&self, patient_id: i32, ext: &str) -> String {
        format!("{patient_id}/{}_{}.{ext}", self.annotation_id, self.scan_nr)
    }

    /// The data file: `ANNOTATIONS_PATH/DatasetIdentifier`.
    pub fn path(&self, config: &PlatformConfig) -> Result<PathBuf> {
        let relative = Path::new(&self.dataset_identifier);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(AnnotationDataError::OutsideAnnotationsPath {
                identifier: self.dataset_identifier.clone(),
            });
        }
        Ok(config.annotations_path.join(relative))
    }

    fn unsupported(&self) -> AnnotationDataError {
        AnnotationDataError::UnsupportedMediaType {
            annotation_id: self.annotation_id,
            scan_nr: self.scan_nr,
            media_type: self.media_type.clone(),
        }
    }

    /// Reads the data file by `MediaType`: a PNG as its pixels, raw bytes as a
    /// `(rows, columns)` `u8` array (`rows`, `columns` being the image's `Rows_y`, `Columns_x`).
    pub fn load_data(
        &self,
        config: &PlatformConfig,
        rows: usize,
        columns: usize,
    ) -> Result<AnnotationImage> {
        match self.media_type.as_str() {
            MEDIA_TYPE_PNG => load_png(&self.path(config)?),
            MEDIA_TYPE_RAW => load_raw(&self.path(config)?, rows, columns).map(AnnotationImage::U8),
            _ => Err(self.unsupported()),
        }
    }

    /// Writes `data` to the data file by `MediaType` (a PNG, or raw bytes gzip-compressed when
    /// the name ends in `.gz`), creating its directory.
    pub fn save_data(&self, config: &PlatformConfig, data: &AnnotationImage) -> Result<()> {
        match self.media_type.as_str() {
            MEDIA_TYPE_PNG => save_png(&self.path(config)?, data),
            MEDIA_TYPE_RAW => match data {
                AnnotationImage::U8(a) if a.ndim() == 2 => save_raw(&self.path(config)?, a),
                _ => Err(AnnotationDataError::Unsavable {
                    media_type: MEDIA_TYPE_RAW.to_owned(),
                    shape: data.shape().to_vec(),
                    kind: kind_of(data),
                    reason: "raw data is one u8 per pixel, (rows, columns)",
                }),
            },
            _ => Err(self.unsupported()),
        }
    }

    /// The mask of the data by the annotation type's `interpretation`: for `R/G mask` the red
    /// (`Segmentation`) or green (`Questionable`) channel above 0; for `Binary mask` the data
    /// above 0 (`kind` is ignored).
    pub fn get_mask(
        &self,
        config: &PlatformConfig,
        interpretation: &str,
        kind: MaskKind,
        rows: usize,
        columns: usize,
    ) -> Result<Array2<bool>> {
        mask_of(
            &self.load_data(config, rows, columns)?,
            interpretation,
            kind,
        )
    }
}

fn kind_of(data: &AnnotationImage) -> &'static str {
    match data {
        AnnotationImage::U8(_) => "u8",
        AnnotationImage::U16(_) => "u16",
    }
}

/// The mask of `data` by `interpretation` (see [`AnnotationData::get_mask`]).
pub fn mask_of(
    data: &AnnotationImage,
    interpretation: &str,
    kind: MaskKind,
) -> Result<Array2<bool>> {
    let shape = data.shape();
    match interpretation {
        INTERPRETATION_RG_MASK => {
            if shape.len() != 3 || shape[2] < 2 {
                return Err(AnnotationDataError::MaskShape {
                    interpretation: interpretation.to_owned(),
                    expected: "a colour image (rows, columns, channels)",
                    shape: shape.to_vec(),
                });
            }
            let channel = match kind {
                MaskKind::Segmentation => 0,
                MaskKind::Questionable => 1,
            };
            Ok(data.above_zero(Some(channel)))
        }
        INTERPRETATION_BINARY_MASK => {
            if shape.len() != 2 {
                return Err(AnnotationDataError::MaskShape {
                    interpretation: interpretation.to_owned(),
                    expected: "a grey image (rows, columns)",
                    shape: shape.to_vec(),
                });
            }
            Ok(data.above_zero(None))
        }
        _ => Err(AnnotationDataError::UnsupportedInterpretation {
            interpretation: interpretation.to_owned(),
        }),
    }
}

/// Reads a PNG as `np.asarray(PIL.Image.open(path))` would, except that a palette image is
/// expanded to its colours (PIL keeps the palette indices).
pub fn load_png(path: &Path) -> Result<AnnotationImage> {
    let png_err = |e: image::ImageError| AnnotationDataError::Png {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let reader = ImageReader::open(path).map_err(io_err(path))?;
    let reader = reader.with_guessed_format().map_err(io_err(path))?;
    let decoded = reader.decode().map_err(png_err)?;
    let (w, h) = (decoded.width() as usize, decoded.height() as usize);
    let u8_array = |channels: usize, raw: Vec<u8>| {
        let shape = if channels == 1 {
            vec![h, w]
        } else {
            vec![h, w, channels]
        };
        ArrayD::from_shape_vec(IxDyn(&shape), raw).expect("decoder gives h*w*channels samples")
    };
    let u16_array = |channels: usize, raw: Vec<u16>| {
        let shape = if channels == 1 {
            vec![h, w]
        } else {
            vec![h, w, channels]
        };
        ArrayD::from_shape_vec(IxDyn(&shape), raw).expect("decoder gives h*w*channels samples")
    };
    Ok(match decoded {
        DynamicImage::ImageLuma8(i) => AnnotationImage::U8(u8_array(1, i.into_raw())),
        DynamicImage::ImageLumaA8(i) => AnnotationImage::U8(u8_array(2, i.into_raw())),
        DynamicImage::ImageRgb8(i) => AnnotationImage::U8(u8_array(3, i.into_raw())),
        DynamicImage::ImageRgba8(i) => AnnotationImage::U8(u8_array(4, i.into_raw())),
        DynamicImage::ImageLuma16(i) => AnnotationImage::U16(u16_array(1, i.into_raw())),
        DynamicImage::ImageLumaA16(i) => AnnotationImage::U16(u16_array(2, i.into_raw())),
        DynamicImage::ImageRgb16(i) => AnnotationImage::U16(u16_array(3, i.into_raw())),
        DynamicImage::ImageRgba16(i) => AnnotationImage::U16(u16_array(4, i.into_raw())),
        other => AnnotationImage::U8(u8_array(4, other.into_rgba8().into_raw())),
    })
}

/// Writes `data` as a PNG: `(rows, columns)` grey, or `(rows, columns, 2|3|4)` grey+alpha,
/// RGB, RGBA; 8 or 16 bits. Creates the directory.
pub fn save_png(path: &Path, data: &AnnotationImage) -> Result<()> {
    let shape = data.shape().to_vec();
    let unsavable = |reason| AnnotationDataError::Unsavable {
        media_type: MEDIA_TYPE_PNG.to_owned(),
        shape: shape.clone(),
        kind: kind_of(data),
        reason,
    };
    let (h, w, channels) = match shape.as_slice() {
        [h, w] => (*h, *w, 1),
        [h, w, c] if (1..=4).contains(c) => (*h, *w, *c),
        _ => {
            return Err(unsavable(
                "a PNG is (rows, columns) or (rows, columns, 1 to 4 channels)",
            ));
        }
    };
    let (Ok(width), Ok(height)) = (u32::try_from(w), u32::try_from(h)) else {
        return Err(unsavable("a PNG is at most 2^32-1 pixels wide and high"));
    };
    let color = match (data, channels) {
        (AnnotationImage::U8(_), 1) => image::ExtendedColorType::L8,
        (AnnotationImage::U8(_), 2) => image::ExtendedColorType::La8,
        (AnnotationImage::U8(_), 3) => image::ExtendedColorType::Rgb8,
        (AnnotationImage::U8(_), _) => image::ExtendedColorType::Rgba8,
        (AnnotationImage::U16(_), 1) => image::ExtendedColorType::L16,
        (AnnotationImage::U16(_), 2) => image::ExtendedColorType::La16,
        (AnnotationImage::U16(_), 3) => image::ExtendedColorType::Rgb16,
        (AnnotationImage::U16(_), _) => image::ExtendedColorType::Rgba16,
    };
    let bytes: Vec<u8> = match data {
        AnnotationImage::U8(a) => a.as_standard_layout().iter().copied().collect(),
        // The encoder takes 16-bit samples in native byte order.
        AnnotationImage::U16(a) => a
            .as_standard_layout()
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect(),
    };
    create_parent(path)?;
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let encoder = image::codecs::png::PngEncoder::new(std::io::BufWriter::new(file));
    image::ImageEncoder::write_image(encoder, &bytes, width, height, color).map_err(|e| {
        AnnotationDataError::Io {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    })
}

/// Reads raw `u8` pixels (gunzipped when the name ends in `.gz`, in any case) as
/// `(rows, columns)`.
pub fn load_raw(path: &Path, rows: usize, columns: usize) -> Result<ArrayD<u8>> {
    let mut bytes = std::fs::read(path).map_err(io_err(path))?;
    if is_gz(path) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut plain)
            .map_err(io_err(path))?;
        bytes = plain;
    }
    if Some(bytes.len()) != rows.checked_mul(columns) {
        return Err(AnnotationDataError::RawSize {
            path: path.to_owned(),
            len: bytes.len(),
            rows,
            columns,
        });
    }
    Ok(ArrayD::from_shape_vec(IxDyn(&[rows, columns]), bytes).expect("length checked"))
}

/// Writes `data` as raw bytes in row-major order, gzip-compressed when the name ends in `.gz`.
/// Creates the directory.
pub fn save_raw(path: &Path, data: &ArrayD<u8>) -> Result<()> {
    let bytes: Vec<u8> = data.as_standard_layout().iter().copied().collect();
    create_parent(path)?;
    if is_gz(path) {
        let file = std::fs::File::create(path).map_err(io_err(path))?;
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(&bytes).map_err(io_err(path))?;
        gz.finish().map_err(io_err(path))?;
        Ok(())
    } else {
        std::fs::write(path, bytes).map_err(io_err(path))
    }
}

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(io_err(dir))
        }
        _ => Ok(()),
    }
}
