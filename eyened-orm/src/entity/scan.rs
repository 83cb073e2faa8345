//! The `Scan` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Scan`: a named OCT scan mode that images refer to through `scan_id`.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Scan")]
#[eyened(name_column = "ScanMode")]
#[eyened(unique(name = "ScanMode", columns("ScanMode")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ScanID")]
    pub scan_id: i32,
    /// Name of the scan mode (up to 40 characters), unique.
    #[sea_orm(column_name = "ScanMode", column_type = "String(StringLen::N(40))")]
    pub scan_mode: String,
}

/// Relations of the `Scan` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Images taken with this scan mode.
    #[sea_orm(has_many = "super::image_instance::Entity", via_rel = "Relation::Scan")]
    ImageInstance,
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
