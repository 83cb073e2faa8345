//! The schema model and where it comes from.

pub mod introspect;
pub mod model;
pub mod registry;

pub use introspect::introspect;
pub use model::*;
pub use registry::{TableMeta, entities, table_of};
