//! A throw-away directory for tests of the file side.

use std::path::{Path, PathBuf};

/// A new, empty directory under the system temp dir, removed (with its contents) on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new directory named after `prefix`, this process and a counter.
    pub fn new(prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm-{prefix}-{}-{}",
            std::process::id(),
            super::next_id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Self(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `path/relative`.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
