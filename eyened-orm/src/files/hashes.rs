//! The hashes stored on `ImageInstance`: `DataHash`, the SHA-256 of the decoded pixels (equal
//! for equal pixels whatever the file format), and `FileChecksum`, the MD5 of the file.

use std::io::Read;
use std::path::Path;

use md5::Md5;
use sha2::{Digest, Sha256};

use super::{FileError, PixelArray, pixels};

/// `sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()`: 64 lowercase hex characters.
pub fn data_hash(pixels: &PixelArray) -> String {
    let mut sha = Sha256::new();
    pixels.for_each_le_chunk(&mut |chunk| sha.update(chunk));
    hex(&sha.finalize())
}

/// The raw 16-byte MD5 digest of the file at `path`.
pub fn file_checksum(path: &Path) -> Result<[u8; 16], FileError> {
    let mut file = std::fs::File::open(path).map_err(|e| FileError::io(path, e))?;
    let mut md5 = Md5::new();
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| FileError::io(path, e))?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
    }
    Ok(md5.finalize().into())
}

/// What [`file_hashes`] computed: each value is `None` when it was not asked for.
#[derive(Debug)]
pub struct FileHashes {
    /// `FileChecksum`, the MD5 of the file.
    pub file_checksum: Option<Result<[u8; 16], FileError>>,
    /// `DataHash`, the SHA-256 of the pixels in hex.
    pub data_hash: Option<Result<String, FileError>>,
}

/// Both hashes of one image file, read once: its `FileChecksum` and its `DataHash`, each
/// computed only when asked for (`None` otherwise). `rows` and `columns` are `Rows_y` and
/// `Columns_x`, for `.binary` files. A `[png_series_N]` path has no file of its own to
/// checksum: its pixels come from the series' files.
pub fn file_hashes(
    path: &Path,
    rows: Option<i32>,
    columns: Option<i32>,
    want_checksum: bool,
    want_data_hash: bool,
) -> FileHashes {
    if pixels::is_png_series(path) || !(want_checksum && want_data_hash) {
        return FileHashes {
            file_checksum: want_checksum.then(|| file_checksum(path)),
            data_hash: want_data_hash
                .then(|| pixels::load_pixels(path, rows, columns).map(|px| data_hash(&px))),
        };
    }
    match std::fs::read(path) {
        Err(e) => {
            let again = std::io::Error::new(e.kind(), e.to_string());
            FileHashes {
                file_checksum: Some(Err(FileError::io(path, e))),
                data_hash: Some(Err(FileError::io(path, again))),
            }
        }
        Ok(bytes) => FileHashes {
            file_checksum: Some(Ok(Md5::digest(&bytes).into())),
            data_hash: Some(
                pixels::decode_file(path, &bytes, rows, columns).map(|px| data_hash(&px)),
            ),
        },
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xF)] as char);
    }
    out
}
