//! Test images written by Pillow and pydicom, with the Python platform's view of each.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{next_id, run_python};

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty directory whose name starts with `prefix`.
    pub fn new(prefix: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("{prefix}-{}-{}", std::process::id(), next_id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Python platform's view of one test image (`tests/python/make_images.py`).
#[derive(Debug, Clone)]
pub struct Reference {
    /// The `DatasetIdentifier`, relative to the directory.
    pub identifier: String,
    /// `Rows_y` of its row.
    pub rows: Option<i32>,
    /// `Columns_x` of its row.
    pub columns: Option<i32>,
    /// `NrOfFrames` of its row.
    pub frames: Option<i32>,
    /// `pixel_array.shape`, unless reading failed.
    pub shape: Option<Vec<usize>>,
    /// `str(pixel_array.dtype)`, unless reading failed.
    pub dtype: Option<String>,
    /// `calc_data_hash()`, unless reading failed.
    pub data_hash: Option<String>,
    /// `calc_file_checksum().hex()`, unless the file is missing.
    pub file_checksum: Option<String>,
    /// Python's exception, when reading failed.
    pub error: Option<String>,
    /// The pixels' bytes in hex, for JPEG-coded images.
    pub pixels_hex: Option<String>,
}

/// Writes the test images into `dir` with the reference venv and returns Python's view of them.
pub fn make_images(dir: &Path) -> Vec<Reference> {
    let out = run_python(
        include_str!("../python/make_images.py"),
        &[dir.to_str().unwrap()],
    );
    let refs: Vec<Value> = serde_json::from_str(&out).expect("JSON from make_images.py");
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let int = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).map(|n| n as i32);
    refs.iter()
        .map(|v| Reference {
            identifier: text(v, "identifier").unwrap(),
            rows: int(v, "rows"),
            columns: int(v, "columns"),
            frames: int(v, "frames"),
            shape: v.get("shape").map(|s| {
                s.as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_u64().unwrap() as usize)
                    .collect()
            }),
            dtype: text(v, "dtype"),
            data_hash: text(v, "data_hash"),
            file_checksum: text(v, "file_checksum"),
            error: text(v, "error"),
            pixels_hex: text(v, "pixels_hex"),
        })
        .collect()
}
