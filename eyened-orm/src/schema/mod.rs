//! The schema model and where it comes from.

pub mod change;
pub mod diff;
pub mod introspect;
pub mod model;
pub mod registry;
#[cfg(feature = "tools")]
pub mod unmanaged;

pub use change::{Change, Safety, reverse};
pub use introspect::introspect;
pub use model::*;
pub use registry::{Declared, DeclaredColumn, TableMeta, entities, table_of};
#[cfg(feature = "tools")]
pub use unmanaged::{Unmanaged, UnmanagedTable};

/// The migrations' version table.
pub const SEAQL_MIGRATIONS: &str = "seaql_migrations";
/// Alembic's version table, which the Python platform's databases carry.
pub const ALEMBIC_VERSION: &str = "alembic_version";
/// Tables that record migration state: never part of the application schema (introspection
/// leaves them out), always copied with the data (the mirror copies them whole).
pub const VERSION_TABLES: &[&str] = &[ALEMBIC_VERSION, SEAQL_MIGRATIONS];
