//! Looking for the image files: each must exist, be a file, and lie inside the images base path
//! once symbolic links are followed.
//!
//! An import looks at 100,000 files and more, so each costs one `lstat`, as an existence check
//! did: directories are resolved once for all the files in them, from their parent's resolution
//! and one `lstat` of their own, and only a symbolic link is resolved in full (`realpath`).

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::plan::parallel_chunks;

/// What looking for an image file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileCheck {
    /// A regular file inside the base path.
    Found,
    /// Nothing there (or a symbolic link to nothing).
    Missing,
    /// Through a symbolic link, the file is at this path, outside the base path.
    Outside(PathBuf),
    /// A directory, not a file.
    Directory,
    /// Neither a file nor a directory (a device, a socket, a pipe).
    Special,
    /// The file system refused to say (e.g. no permission on a directory).
    Unreadable(String),
}

/// Checks each of `paths` (absolute, no `.` or `..`, inside `basepath` as written) against
/// `real_basepath`, the base path with every symbolic link resolved. In order, on all cores.
pub(super) fn check_files(
    basepath: &Path,
    real_basepath: &Path,
    paths: &[PathBuf],
) -> Vec<FileCheck> {
    parallel_chunks(paths, |part| {
        let mut checker = Checker {
            base: real_basepath,
            directories: HashMap::from([(basepath.to_owned(), Ok(real_basepath.to_owned()))]),
        };
        part.iter().map(|path| checker.check(path)).collect()
    })
}

/// Checks files, remembering where each directory resolves to.
struct Checker<'b> {
    /// The base path, resolved.
    base: &'b Path,
    /// Directory as named → where it resolves to, or the error resolving it.
    directories: HashMap<PathBuf, Result<PathBuf, FileCheck>>,
}

impl Checker<'_> {
    fn check(&mut self, path: &Path) -> FileCheck {
        let metadata = match std::fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => return not_there(err),
        };
        let (resolved, metadata) = if metadata.file_type().is_symlink() {
            let resolved = match std::fs::canonicalize(path) {
                Ok(resolved) => resolved,
                Err(err) => return not_there(err),
            };
            match std::fs::metadata(&resolved) {
                Ok(metadata) => (resolved, metadata),
                Err(err) => return not_there(err),
            }
        } else {
            let (Some(directory), Some(name)) = (path.parent(), path.file_name()) else {
                return FileCheck::Directory; // the root
            };
            match self.resolve_directory(directory) {
                Ok(directory) => (directory.join(name), metadata),
                Err(problem) => return problem,
            }
        };
        if !resolved.starts_with(self.base) {
            FileCheck::Outside(resolved)
        } else if metadata.is_dir() {
            FileCheck::Directory
        } else if metadata.is_file() {
            FileCheck::Found
        } else {
            FileCheck::Special
        }
    }

    /// Where `directory` resolves to: its parent's resolution and its name, unless it is a
    /// symbolic link. The base path, known, ends the walk up.
    fn resolve_directory(&mut self, directory: &Path) -> Result<PathBuf, FileCheck> {
        if let Some(known) = self.directories.get(directory) {
            return known.clone();
        }
        let resolved = match (directory.parent(), directory.file_name()) {
            (Some(parent), Some(name)) => match std::fs::symlink_metadata(directory) {
                Ok(m) if m.file_type().is_symlink() => {
                    std::fs::canonicalize(directory).map_err(not_there)
                }
                Ok(m) if m.is_dir() => self.resolve_directory(parent).map(|p| p.join(name)),
                Ok(_) => Err(FileCheck::Missing), // a file where a directory should be
                Err(err) => Err(not_there(err)),
            },
            _ => std::fs::canonicalize(directory).map_err(not_there),
        };
        self.directories
            .insert(directory.to_owned(), resolved.clone());
        resolved
    }
}

/// What an I/O error looking at a path means for the file.
fn not_there(err: std::io::Error) -> FileCheck {
    match err.kind() {
        ErrorKind::NotFound | ErrorKind::NotADirectory => FileCheck::Missing,
        _ => FileCheck::Unreadable(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A temporary directory, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("eyened-orm-files-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn links_are_followed_and_directories_refused() {
        let outside = Dir::new("outside");
        std::fs::write(outside.0.join("secret.png"), b"x").unwrap();
        let root = Dir::new("root");
        let base = root.0.join("base");
        std::fs::create_dir_all(base.join("sub/deeper")).unwrap();
        std::fs::write(base.join("sub/a.png"), b"x").unwrap();
        symlink(outside.0.join("secret.png"), base.join("out.png")).unwrap();
        symlink(&outside.0, base.join("out_dir")).unwrap();
        symlink(base.join("sub/a.png"), base.join("in.png")).unwrap();
        symlink("sub", base.join("in_dir")).unwrap();
        symlink(base.join("gone.png"), base.join("dangling.png")).unwrap();
        // The base path through a link of its own.
        symlink(&base, root.0.join("via")).unwrap();

        let real_base = std::fs::canonicalize(&base).unwrap();
        let outside_file = std::fs::canonicalize(outside.0.join("secret.png")).unwrap();
        let checks = |shown_base: &Path| {
            let paths: Vec<PathBuf> = [
                "sub/a.png",
                "in.png",
                "in_dir/a.png",
                "out.png",
                "out_dir/secret.png",
                "sub",
                "in_dir",
                "sub/deeper",
                "missing.png",
                "sub/a.png/x.png",
                "dangling.png",
            ]
            .iter()
            .map(|p| shown_base.join(p))
            .collect();
            check_files(shown_base, &real_base, &paths)
        };
        let expected = vec![
            FileCheck::Found,
            FileCheck::Found,
            FileCheck::Found,
            FileCheck::Outside(outside_file.clone()),
            FileCheck::Outside(outside_file),
            FileCheck::Directory,
            FileCheck::Directory,
            FileCheck::Directory,
            FileCheck::Missing,
            FileCheck::Missing,
            FileCheck::Missing,
        ];
        assert_eq!(checks(&base), expected);
        assert_eq!(checks(&root.0.join("via")), expected);
    }
}
