//! The `Scan` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Scan")]
#[eyened(name_column = "ScanMode")]
#[eyened(unique(name = "ScanMode", columns("ScanMode")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ScanID")]
    pub scan_id: i32,
    #[sea_orm(column_name = "ScanMode", column_type = "String(StringLen::N(40))")]
    pub scan_mode: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::image_instance::Entity", via_rel = "Relation::Scan")]
    ImageInstance,
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
