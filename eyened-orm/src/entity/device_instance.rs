//! The `DeviceInstance` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "DeviceInstance")]
#[eyened(unique(
    name = "DeviceModelIDDescription_UNIQUE",
    columns("DeviceModelID", "Description")
))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "DeviceInstanceID")]
    pub device_instance_id: i32,
    #[sea_orm(column_name = "DeviceModelID")]
    pub device_model_id: i32,
    #[sea_orm(column_name = "SerialNumber", column_type = "Text")]
    pub serial_number: Option<String>,
    #[sea_orm(column_name = "Description", column_type = "String(StringLen::N(256))")]
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::device_model::Entity",
        from = "Column::DeviceModelId",
        to = "super::device_model::Column::DeviceModelId",
        fk_name = "DeviceInstance_ibfk_1"
    )]
    DeviceModel,
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
