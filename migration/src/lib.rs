//! The Eyened schema migrations.
//!
//! Each migration holds its schema changes as data (`changes()`); `up` applies them and `down`
//! applies their reverse. [`Migrator`] lists them in order for sea-orm-migration, and
//! [`changes_of`] gives their changes without a database, for offline SQL.

pub use sea_orm_migration::prelude::*;

use eyened_orm::schema::Change;

#[cfg(feature = "cli")]
pub mod drift;
#[cfg(feature = "cli")]
pub mod files;
pub mod lock;
pub mod runner;

macro_rules! migrations {
    ($($name:ident),* $(,)?) => {
        $(mod $name;)*

        /// Every migration, in the order they apply.
        pub struct Migrator;

        #[async_trait::async_trait]
        impl MigratorTrait for Migrator {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                vec![$(Box::new($name::Migration)),*]
            }
        }

        /// Every migration's name and changes, in order, without touching a database.
        pub fn changes_of() -> Vec<(&'static str, Vec<Change>)> {
            vec![$((stringify!($name), $name::changes())),*]
        }
    };
}

// `migration generate` appends new migrations at the end of this list.
migrations! {
    m20251125_000000_baseline,
}
