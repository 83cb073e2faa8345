//! The `DeviceModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `DeviceModel`: a make and model of imaging device. Manufacturer and model name
/// together are unique.
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
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "DeviceModelID")]
    pub device_model_id: i32,
    /// Manufacturer name (up to 45 characters), e.g. `Heidelberg Engineering`.
    #[sea_orm(column_name = "Manufacturer", column_type = "String(StringLen::N(45))")]
    pub manufacturer: String,
    /// Model name (up to 45 characters), e.g. `Spectralis`. Not unique on its own, so `by_name`
    /// gives an ambiguity error when several rows share it.
    #[sea_orm(
        column_name = "ManufacturerModelName",
        column_type = "String(StringLen::N(45))"
    )]
    pub manufacturer_model_name: String,
}

/// Relations of the `DeviceModel` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The physical devices of this make and model.
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
