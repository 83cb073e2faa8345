//! How long operations (`verify`, `import`, the mirror) say how far they are.
//!
//! The library never draws or prints: it calls a [`Progress`], and the caller decides what to
//! show. The `eorm` binary draws progress bars on a terminal; library users and tests pass
//! [`silent()`].

use std::sync::Arc;

/// Where a long operation reports its progress. Every method does nothing unless implemented, so
/// an implementation picks what it shows.
pub trait Progress: Send + Sync {
    /// The step under way: `"foreign keys"`, a table's name.
    fn step(&self, name: &str) {
        let _ = name;
    }

    /// The size of the step in units (rows, tables, statements); the position starts at 0.
    fn length(&self, total: u64) {
        let _ = total;
    }

    /// `units` more are done.
    fn advance(&self, units: u64) {
        let _ = units;
    }

    /// `done` units are done.
    fn position(&self, done: u64) {
        let _ = done;
    }

    /// A detail of the step, such as bytes copied and the rate.
    fn detail(&self, text: &str) {
        let _ = text;
    }

    /// A line worth keeping once the bars are gone: a phase finished, a table copied.
    fn line(&self, text: &str) {
        let _ = text;
    }

    /// A task that runs beside others (one per table of a copy): its own progress, `total`
    /// units (0: unknown, shown as a spinner).
    fn task(&self, name: &str, total: u64) -> Arc<dyn Progress> {
        let _ = (name, total);
        silent()
    }

    /// The step or task is over.
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// A [`Progress`] that shows nothing.
pub fn silent() -> Arc<dyn Progress> {
    Arc::new(Silent)
}
