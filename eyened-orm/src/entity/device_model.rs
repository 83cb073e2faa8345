//! The `DeviceModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "DeviceModel")]
#[eyened(name_column = "ManufacturerModelName")]
#[eyened(unique(
    name = "ManufacturerManufacturerModelName_UNIQUE",
    columns("Manufacturer", "ManufacturerModelName")
))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "DeviceModelID")]
    pub device_model_id: i32,
    #[sea_orm(column_name = "Manufacturer", column_type = "String(StringLen::N(45))")]
    pub manufacturer: String,
    #[sea_orm(
        column_name = "ManufacturerModelName",
        column_type = "String(StringLen::N(45))"
    )]
    pub manufacturer_model_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        has_many = "super::device_instance::Entity",
        via_rel = "Relation::DeviceModel"
    )]
    DeviceInstance,
}

impl Related<super::device_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DeviceInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
