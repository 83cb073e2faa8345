//! The hashes stored on `ImageInstance`: `DataHash`, the SHA-256 of the decoded pixels (equal
//! for equal pixels whatever the file format), and `FileChecksum`, the MD5 of the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use md5::Md5;
use sha2::{Digest, Sha256};

use super::{FileError, PixelArray, md5_lanes, pixels};

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
    let request = HashRequest {
        path: path.to_owned(),
        rows,
        columns,
        want_checksum,
        want_data_hash,
    };
    file_hashes_many(std::slice::from_ref(&request))
        .pop()
        .expect("one request, one answer")
}

/// One image for [`file_hashes_many`]: as the arguments of [`file_hashes`].
#[derive(Debug, Clone)]
pub struct HashRequest {
    /// The image file.
    pub path: PathBuf,
    /// `Rows_y`, for `.binary` files.
    pub rows: Option<i32>,
    /// `Columns_x`, for `.binary` files.
    pub columns: Option<i32>,
    /// Compute `FileChecksum`.
    pub want_checksum: bool,
    /// Compute `DataHash`.
    pub want_data_hash: bool,
}

/// [`file_hashes`] of several images, in order. The checksums of the files that need both
/// values, each read once, are computed four side by side (see `md5_lanes`): about twice as
/// fast as one file at a time.
pub fn file_hashes_many(requests: &[HashRequest]) -> Vec<FileHashes> {
    let mut out: Vec<Option<FileHashes>> = requests.iter().map(|_| None).collect();
    let mut read: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        if pixels::is_png_series(&r.path) || !(r.want_checksum && r.want_data_hash) {
            out[i] = Some(FileHashes {
                file_checksum: r.want_checksum.then(|| file_checksum(&r.path)),
                data_hash: r.want_data_hash.then(|| {
                    pixels::load_pixels(&r.path, r.rows, r.columns).map(|px| data_hash(&px))
                }),
            });
            continue;
        }
        match std::fs::read(&r.path) {
            Ok(bytes) => read.push((i, bytes)),
            Err(e) => out[i] = Some(unreadable(&r.path, e)),
        }
    }
    let messages: Vec<&[u8]> = read.iter().map(|(_, bytes)| bytes.as_slice()).collect();
    let checksums = md5_lanes::md5_all(&messages);
    for ((i, bytes), md5) in read.into_iter().zip(checksums) {
        let r = &requests[i];
        out[i] = Some(FileHashes {
            file_checksum: Some(Ok(md5)),
            data_hash: Some(
                pixels::decode_file(&r.path, &bytes, r.rows, r.columns).map(|px| data_hash(&px)),
            ),
        });
    }
    out.into_iter()
        .map(|h| h.expect("every request is answered"))
        .collect()
}

/// Both values failed: the file could not be read.
fn unreadable(path: &Path, e: std::io::Error) -> FileHashes {
    let again = std::io::Error::new(e.kind(), e.to_string());
    FileHashes {
        file_checksum: Some(Err(FileError::io(path, e))),
        data_hash: Some(Err(FileError::io(path, again))),
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
