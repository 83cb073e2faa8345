//! The `Model` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `Model`: a model (usually an AI model) with its name and version, which produces
/// segmentations or attribute values. A segmentation model also has a `SegmentationModel` row, an
/// attributes model an `AttributesModel` row, both with the same id; `model_type` says which.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Model")]
#[eyened(unique(name = "ModelName", columns("ModelName", "Version")))]
#[eyened(unique(name = "ModelName_2", columns("ModelName")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment). The matching `SegmentationModel` or
    /// `AttributesModel` row uses the same id.
    #[sea_orm(primary_key, column_name = "ModelID")]
    pub model_id: i32,
    /// Name of the model (up to 255 characters). Unique on its own, so a name can exist in one
    /// version only.
    #[sea_orm(column_name = "ModelName", column_type = "String(StringLen::N(255))")]
    pub model_name: String,
    /// Version of the model, as free text (up to 255 characters).
    #[sea_orm(column_name = "Version", column_type = "String(StringLen::N(255))")]
    pub version: String,
    /// Which kind of model this is, and so whether its details are in `SegmentationModel` or in
    /// `AttributesModel`.
    #[sea_orm(column_name = "ModelType")]
    pub model_type: ModelKind,
    /// Free-text description (up to 255 characters), or NULL.
    #[sea_orm(column_name = "Description", column_type = "String(StringLen::N(255))")]
    pub description: Option<String>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Model` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Attribute values produced by this model.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Model"
    )]
    AttributeValue,
    /// The `AttributesModel` row of this model, if it is one.
    #[sea_orm(
        has_many = "super::attributes_model::Entity",
        via_rel = "Relation::Model"
    )]
    AttributesModel,
    /// Segmentations produced by this model.
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::Model"
    )]
    ModelSegmentation,
    /// The `SegmentationModel` row of this model, if it is one.
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
    /// A segmentation model, with details in `SegmentationModel`; stored as `segmentation`.
    #[sea_orm(string_value = "segmentation")]
    #[strum(serialize = "segmentation")]
    #[serde(rename = "segmentation")]
    Segmentation,
    /// A model that produces attribute values, with details in `AttributesModel`; stored as
    /// `attributes`.
    #[sea_orm(string_value = "attributes")]
    #[strum(serialize = "attributes")]
    #[serde(rename = "attributes")]
    Attributes,
}

super::enums::impl_from_str!(ModelKind);
