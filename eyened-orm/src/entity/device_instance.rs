//! The `DeviceInstance` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `DeviceInstance`: one physical imaging device (a particular camera or OCT machine) of
/// some make and model. Device model and description together are unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "DeviceInstance")]
#[eyened(unique(
    name = "DeviceModelIDDescription_UNIQUE",
    columns("DeviceModelID", "Description")
))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "DeviceInstanceID")]
    pub device_instance_id: i32,
    /// The make and model of the device (`DeviceModel.DeviceModelID`). A device model in use
    /// cannot be deleted.
    #[sea_orm(column_name = "DeviceModelID")]
    pub device_model_id: i32,
    /// Serial number of the device, or NULL if unknown.
    #[sea_orm(column_name = "SerialNumber", column_type = "Text")]
    pub serial_number: Option<String>,
    /// Description that tells devices of the same model apart (up to 256 characters).
    #[sea_orm(column_name = "Description", column_type = "String(StringLen::N(256))")]
    pub description: String,
}

/// Relations of the `DeviceInstance` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The make and model of this device.
    #[sea_orm(
        belongs_to = "super::device_model::Entity",
        from = "Column::DeviceModelId",
        to = "super::device_model::Column::DeviceModelId",
        fk_name = "DeviceInstance_ibfk_1"
    )]
    DeviceModel,
    /// Images captured with this device.
    #[sea_orm(
        has_many = "super::image_instance::Entity",
        via_rel = "Relation::DeviceInstance"
    )]
    ImageInstance,
}

impl Related<super::device_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DeviceModel.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
