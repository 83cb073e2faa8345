//! Schema changes as data, planned into SQL per dialect, applied, and rendered into migration files.
//!
//! Data flows one way: `Vec<Change>` → [`plan()`] → SQL statements → [`apply`] (or printed). A
//! migration file holds its changes as data, so `down` is derived from `up`
//! ([`reverse`](crate::schema::reverse)) and the SQL of any migration can be printed without a
//! database connection.

pub mod fold;
pub mod guard;
pub mod plan;
#[cfg(feature = "tools")]
pub mod render;

pub use plan::{Dialect, PlanError, apply, plan, plan_for, reconcile};

/// What a migration file needs in scope.
pub mod prelude {
    pub use super::plan::{apply, reconcile};
    pub use crate::schema::{
        Change, Check, Column, ColumnDefault, FkAction, ForeignKey, Index, SqlType, Table, reverse,
    };
}
