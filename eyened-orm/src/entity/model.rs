//! The `Model` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Model")]
#[eyened(unique(name = "ModelName", columns("ModelName", "Version")))]
#[eyened(unique(name = "ModelName_2", columns("ModelName")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ModelID")]
    pub model_id: i32,
    #[sea_orm(column_name = "ModelName", column_type = "String(StringLen::N(255))")]
    pub model_name: String,
    #[sea_orm(column_name = "Version", column_type = "String(StringLen::N(255))")]
    pub version: String,
    #[sea_orm(column_name = "ModelType")]
    pub model_type: ModelKind,
    #[sea_orm(column_name = "Description", column_type = "String(StringLen::N(255))")]
    pub description: Option<String>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Model"
    )]
    AttributeValue,
    #[sea_orm(
        has_many = "super::attributes_model::Entity",
        via_rel = "Relation::Model"
    )]
    AttributesModel,
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::Model"
    )]
    ModelSegmentation,
    #[sea_orm(
        has_many = "super::segmentation_model::Entity",
        via_rel = "Relation::Model"
    )]
    SegmentationModel,
}

impl Related<super::attribute_value::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeValue.def()
    }
}

impl Related<super::attributes_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributesModel.def()
    }
}

impl Related<super::model_segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModelSegmentation.def()
    }
}

impl Related<super::segmentation_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SegmentationModel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Kind of model (`Model.ModelType`), the discriminator of the Model hierarchy. Stored lowercase.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "model_kind")]
pub enum ModelKind {
    #[sea_orm(string_value = "segmentation")]
    #[strum(serialize = "segmentation")]
    #[serde(rename = "segmentation")]
    Segmentation,
    #[sea_orm(string_value = "attributes")]
    #[strum(serialize = "attributes")]
    #[serde(rename = "attributes")]
    Attributes,
}

super::enums::impl_from_str!(ModelKind);
