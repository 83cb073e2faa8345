//! What can go wrong reading an image file.

use std::path::PathBuf;

/// Why an image file could not be read, decoded or hashed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file is not there.
    #[error("{}: no such file; check IMAGES_BASEPATH and the DatasetIdentifier", path.display())]
    Missing {
        /// The path that was looked for.
        path: PathBuf,
    },
    /// The file exists but could not be read (permissions, I/O error).
    #[error("{}: cannot read it: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The decoder refused the file's content.
    #[error("{}: cannot decode it as {format}: {reason}", path.display())]
    Undecodable {
        /// The file.
        path: PathBuf,
        /// The format it was read as: `PNG`, `JPEG`, `DICOM`...
        format: &'static str,
        /// The decoder's reason.
        reason: String,
    },
    /// The pixels do not fit the shape they must have (a `.binary` file whose size is not a
    /// multiple of `Rows_y * Columns_x`, PNG series frames of different sizes...).
    #[error("{}: {detail}", path.display())]
    ShapeMismatch {
        /// The file.
        path: PathBuf,
        /// What did not fit.
        detail: String,
    },
    /// The file is valid, but of a kind this crate does not read (yet).
    #[error("{}: {what} is not supported", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is not supported, e.g. `DICOM PhotometricInterpretation PALETTE COLOR`.
        what: String,
    },
}

impl FileError {
    /// The error of a failed open or read of `path`: [`FileError::Missing`] when it does not
    /// exist, [`FileError::Unreadable`] otherwise.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            FileError::Missing { path }
        } else {
            FileError::Unreadable { path, source }
        }
    }
}
