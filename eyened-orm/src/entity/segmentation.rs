//! The `Segmentation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Segmentation")]
#[eyened(index(name = "CreatorID", columns("CreatorID")))]
#[eyened(index(name = "FeatureID", columns("FeatureID")))]
#[eyened(index(name = "SubTaskID", columns("SubTaskID")))]
#[eyened(index(name = "ImageInstanceID", columns("ImageInstanceID")))]
#[eyened(index(name = "ReferenceSegmentationID", columns("ReferenceSegmentationID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "SegmentationID")]
    pub segmentation_id: i32,
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    #[sea_orm(column_name = "FeatureID")]
    pub feature_id: i32,
    #[sea_orm(column_name = "SubTaskID")]
    pub sub_task_id: Option<i32>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
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
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Segmentation_ibfk_1"
    )]
    Creator,
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::FeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "Segmentation_ibfk_2"
    )]
    Feature,
    #[sea_orm(
        belongs_to = "super::sub_task::Entity",
        from = "Column::SubTaskId",
        to = "super::sub_task::Column::SubTaskId",
        on_delete = "SetNull",
        fk_name = "Segmentation_ibfk_3"
    )]
    SubTask,
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "Segmentation_ibfk_4"
    )]
    ImageInstance,
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ReferenceSegmentationId",
        to = "Column::SegmentationId",
        fk_name = "Segmentation_ibfk_5"
    )]
    ReferenceSegmentation,
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Segmentation"
    )]
    AttributeValue,
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::Segmentation"
    )]
    ModelSegmentation,
    #[sea_orm(has_many = "Entity", via_rel = "Relation::ReferenceSegmentation")]
    ChildSegmentation,
    #[sea_orm(
        has_many = "super::segmentation_tag::Entity",
        via_rel = "Relation::Segmentation"
    )]
    SegmentationTag,
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl Related<super::feature::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Feature.def()
    }
}

impl Related<super::sub_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTask.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl Related<super::attribute_value::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeValue.def()
    }
}

impl Related<super::model_segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModelSegmentation.def()
    }
}

impl Related<super::segmentation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SegmentationTag.def()
    }
}

/// Fills the ORM-side default the DDL does not hold: `Inactive = false` on insert.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert && self.inactive.is_not_set() {
            self.inactive = sea_orm::ActiveValue::Set(false);
        }
        Ok(self)
    }
}
