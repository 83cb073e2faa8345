//! Migration files: naming them, writing them and registering them in `lib.rs`, all or nothing.

use std::path::{Path, PathBuf};

use crate::runner::RunError;

/// The directory of this crate's sources, where `generate` and `adopt` write by default.
pub const SOURCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// `mYYYYMMDD_HHMMSS_<slug>` for a message such as `"Add series label"`.
pub fn migration_name(
    message: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, RunError> {
    let slug = message
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if slug.is_empty() {
        return Err(RunError::Invalid(
            "the migration message needs at least one letter or digit".into(),
        ));
    }
    Ok(format!("m{}_{slug}", now.format("%Y%m%d_%H%M%S")))
}

/// Where a new migration goes in the list of `lib.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// After every other: a schema change.
    Last,
    /// Right after the baseline: a reconciliation, which must run before later changes.
    AfterBaseline,
}

/// The files a new migration touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub file: PathBuf,
    pub lib: PathBuf,
    /// `lib.rs` as it was, to put back if what follows the writing fails.
    previous_lib: String,
}

impl Written {
    /// Removes the migration file and restores `lib.rs`.
    pub fn undo(self) -> Result<(), RunError> {
        let _ = std::fs::remove_file(&self.file);
        std::fs::write(&self.lib, &self.previous_lib)
            .map_err(|e| RunError::Invalid(format!("cannot restore {}: {e}", self.lib.display())))
    }
}

/// Writes `source` as `<dir>/<name>.rs` and registers it in `<dir>/lib.rs`. Nothing is left
/// changed when either fails.
pub fn write_migration(
    dir: &Path,
    name: &str,
    source: &str,
    position: Position,
) -> Result<Written, RunError> {
    let invalid = RunError::Invalid;
    let lib = dir.join("lib.rs");
    let registry = std::fs::read_to_string(&lib)
        .map_err(|e| invalid(format!("cannot read {}: {e}", lib.display())))?;
    let updated = register(&registry, name, position)
        .map_err(|why| invalid(format!("{}: {why}", lib.display())))?;
    let file = dir.join(format!("{name}.rs"));
    if file.exists() {
        return Err(invalid(format!(
            "{} already exists; wait a second and run the command again",
            file.display()
        )));
    }
    std::fs::write(&file, source)
        .map_err(|e| invalid(format!("cannot write {}: {e}", file.display())))?;
    if let Err(e) = std::fs::write(&lib, updated) {
        let _ = std::fs::remove_file(&file);
        return Err(invalid(format!(
            "cannot register the migration in {}: {e}",
            lib.display()
        )));
    }
    Ok(Written {
        file,
        lib,
        previous_lib: registry,
    })
}

/// `lib.rs` with `name` added to its `migrations! { ... }` list.
fn register(registry: &str, name: &str, position: Position) -> Result<String, String> {
    let marker = "migrations! {";
    let start = registry
        .find(marker)
        .ok_or("no `migrations! {` list to register the migration in")?;
    let end = start
        + registry[start..]
            .find("\n}")
            .ok_or("the `migrations! {` list is not closed by a `}` line")?;
    let at = match position {
        Position::Last => end,
        Position::AfterBaseline => {
            let body = start + marker.len();
            let first_comma = registry[body..end]
                .find(',')
                .ok_or("the `migrations! {` list has no baseline to follow")?;
            body + first_comma + 1
        }
    };
    Ok(format!(
        "{}\n    {name},{}",
        &registry[..at],
        &registry[at..]
    ))
}

/// `path` relative to the current directory when it lies below it, as a user would type it.
pub fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str =
        "// list\nmigrations! {\n    m20251125_000000_baseline,\n    m20260101_000000_later,\n}\n";

    #[test]
    fn new_migrations_go_last_or_right_after_the_baseline() {
        assert_eq!(
            register(LIB, "m2", Position::Last).unwrap(),
            "// list\nmigrations! {\n    m20251125_000000_baseline,\n    m20260101_000000_later,\n    m2,\n}\n"
        );
        assert_eq!(
            register(LIB, "m2", Position::AfterBaseline).unwrap(),
            "// list\nmigrations! {\n    m20251125_000000_baseline,\n    m2,\n    m20260101_000000_later,\n}\n"
        );
        assert!(register("fn main() {}", "m2", Position::Last).is_err());
    }

    #[test]
    fn names_are_slugs_of_the_message() {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap();
        assert_eq!(
            migration_name("Reconcile production!", at).unwrap(),
            "m20251124_160000_reconcile_production"
        );
        assert!(migration_name("--", at).is_err());
    }
}
