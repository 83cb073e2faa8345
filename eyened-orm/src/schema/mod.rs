//! The schema model and where it comes from.

pub mod introspect;
pub mod model;
pub mod registry;
pub mod unmanaged;

pub use introspect::introspect;
pub use model::*;
pub use registry::{Declared, DeclaredColumn, TableMeta, entities, table_of};
pub use unmanaged::{Unmanaged, UnmanagedTable};
