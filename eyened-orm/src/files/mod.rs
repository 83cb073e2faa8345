//! The file side of images: their pixels as arrays, exactly as the Python platform reads them
//! (pydicom, Pillow, numpy), and the hashes stored in `ImageInstance.DataHash` and
//! `ImageInstance.FileChecksum`.
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

mod error;
pub mod hashes;
mod image_instance;
pub mod pixels;
pub mod thumbnails;
#[cfg(feature = "tools")]
pub mod update_hashes;

pub use error::FileError;
pub use hashes::{data_hash, file_checksum};
/// The `ndarray` the pixel arrays are built on, for callers that work on them.
pub use ndarray;
pub use pixels::{PixelArray, load_pixels};
