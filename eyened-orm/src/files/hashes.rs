//! The hashes stored on `ImageInstance`: `DataHash`, the SHA-256 of the decoded pixels (equal
//! for equal pixels whatever the file format), and `FileChecksum`, the MD5 of the file.

use std::io::Read;
use std::path::Path;

use md5::Md5;
use sha2::{Digest, Sha256};

use super::{FileError, PixelArray};

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
