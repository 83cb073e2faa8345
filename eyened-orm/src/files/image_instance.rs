//! Where an `ImageInstance`'s files are, and its pixels and hashes.

use std::path::PathBuf;

use super::{FileError, PixelArray, hashes, pixels};
use crate::ImageInstance;
use crate::config::{ConfigError, PlatformConfig};

impl ImageInstance {
    /// The image file: `images_basepath / DatasetIdentifier`.
    pub fn path(&self, cfg: &PlatformConfig) -> PathBuf {
        cfg.images_basepath.join(&self.dataset_identifier)
    }

    /// The image's URL on the image server: `{IMAGE_SERVER_URL}/{DatasetIdentifier}`; an error
    /// when `IMAGE_SERVER_URL` is not set.
    pub fn url(&self, cfg: &PlatformConfig) -> Result<String, ConfigError> {
        Ok(format!(
            "{}/{}",
            cfg.require_image_server_url()?,
            self.dataset_identifier
        ))
    }

    /// The thumbnail of `size` pixels: `thumbnails_path / "{ThumbnailPath}_{size}.jpg"`; `None`
    /// when the image has no thumbnails (`ThumbnailPath` NULL, or empty after a failed attempt).
    pub fn thumbnail_path(&self, cfg: &PlatformConfig, size: u32) -> Option<PathBuf> {
        let base = self.thumbnail_path.as_deref().filter(|p| !p.is_empty())?;
        Some(cfg.thumbnails_path.join(format!("{base}_{size}.jpg")))
    }

    /// The image's pixels as the Python platform's `pixel_array` gives them (see
    /// [`crate::files::pixels`]).
    pub fn pixel_array(&self, cfg: &PlatformConfig) -> Result<PixelArray, FileError> {
        pixels::load_pixels(&self.path(cfg), self.rows_y, self.columns_x)
    }

    /// `DataHash`: the SHA-256 of the pixels as 64 lowercase hex characters (stored as their
    /// ASCII bytes).
    pub fn data_hash(&self, cfg: &PlatformConfig) -> Result<String, FileError> {
        Ok(hashes::data_hash(&self.pixel_array(cfg)?))
    }

    /// `FileChecksum`: the raw MD5 digest of the image file.
    pub fn file_checksum(&self, cfg: &PlatformConfig) -> Result<[u8; 16], FileError> {
        hashes::file_checksum(&self.path(cfg))
    }
}
