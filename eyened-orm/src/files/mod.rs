//! The platform's files (feature `files`), exactly as the Python platform reads and writes them
//! (pydicom, Pillow, numpy, zarr): image pixels as arrays and the hashes stored in
//! `ImageInstance.DataHash` and `ImageInstance.FileChecksum`, the segmentation zarr store, and
//! the annotation data files. Functions take explicit paths or a
//! [`PlatformConfig`](crate::config::PlatformConfig); none of them reads the environment.
//!
//! ```no_run
//! use eyened_orm::config::PlatformConfig;
//! use eyened_orm::files::FileError;
//! # fn run(image: &eyened_orm::ImageInstance) -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = PlatformConfig::resolve(None)?;
//! let pixels = image.pixel_array(&cfg)?; // e.g. shape [1536, 2048, 3], dtype "uint8"
//! println!("{:?} {}", pixels.shape(), pixels.dtype());
//! let hash: String = image.data_hash(&cfg)?; // 64 hex characters
//! let md5: [u8; 16] = image.file_checksum(&cfg)?;
//! # Ok(())
//! # }
//! ```

pub mod annotation_data;
mod error;
pub mod hashes;
mod image_instance;
mod md5_lanes;
pub mod pixels;
pub mod segmentation;
pub mod segmentation_store;
pub mod thumbnails;
#[cfg(feature = "tools")]
pub mod update_hashes;

pub use annotation_data::{AnnotationDataError, AnnotationImage, MaskKind};
pub use error::FileError;
pub use hashes::{data_hash, file_checksum};
/// The `ndarray` the pixel and voxel arrays are built on, for callers that work on them.
pub use ndarray;
pub use pixels::{PixelArray, load_pixels};
pub use segmentation::{SegmentationBase, SliceWrite};
pub use segmentation_store::{
    ArrayKey, ArraySummary, GroupSummary, SegmentationArray, SegmentationElement,
    SegmentationStore, SegmentationStoreError,
};
