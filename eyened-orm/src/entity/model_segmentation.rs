//! The `ModelSegmentation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "ModelSegmentation")]
#[eyened(index(name = "ModelID", columns("ModelID")))]
#[eyened(index(name = "ImageInstanceID", columns("ImageInstanceID")))]
#[eyened(index(name = "ReferenceSegmentationID", columns("ReferenceSegmentationID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ModelSegmentationID")]
    pub model_segmentation_id: i32,
    #[sea_orm(column_name = "ModelID")]
    pub model_id: i32,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    #[sea_orm(column_name = "ZarrArrayIndex")]
    pub zarr_array_index: Option<i32>,
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
    #[sea_orm(column_name = "DataRepresentation")]
    pub data_representation: super::enums::DataRepresentation,
    #[sea_orm(column_name = "Depth")]
    pub depth: i32,
    #[sea_orm(column_name = "Height")]
    pub height: i32,
    #[sea_orm(column_name = "Width")]
    pub width: i32,
    #[sea_orm(column_name = "SparseAxis")]
    pub sparse_axis: Option<i32>,
    #[sea_orm(column_name = "ImageProjectionMatrix", column_type = "Json")]
    pub image_projection_matrix: Option<Json>,
    #[sea_orm(column_name = "ScanIndices", column_type = "Json")]
    pub scan_indices: Option<Json>,
    #[sea_orm(column_name = "DataType")]
    pub data_type: super::enums::DataType,
    #[sea_orm(column_name = "Threshold")]
    pub threshold: Option<f32>,
    #[sea_orm(column_name = "ReferenceSegmentationID")]
    pub reference_segmentation_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        fk_name = "ModelSegmentation_ibfk_1"
    )]
    Model,
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "ModelSegmentation_ibfk_2"
    )]
    ImageInstance,
    #[sea_orm(
        belongs_to = "super::segmentation::Entity",
        from = "Column::ReferenceSegmentationId",
        to = "super::segmentation::Column::SegmentationId",
        fk_name = "ModelSegmentation_ibfk_3"
    )]
    Segmentation,
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::ModelSegmentation"
    )]
    AttributeValue,
}

impl Related<super::model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Model.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
    }
}

impl Related<super::attribute_value::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeValue.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
