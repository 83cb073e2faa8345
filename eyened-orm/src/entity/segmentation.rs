//! The `Segmentation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Segmentation`: a segmentation of one feature in one image, made by a creator (usually
/// drawn by hand). The voxel data is kept outside the database, in the segmentation zarr store;
/// this row holds its shape, element type and position there.
///
/// Segmentations are soft-deleted: rows with `inactive` set are left out of `where_` queries.
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
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "SegmentationID")]
    pub segmentation_id: i32,
    /// Who made the segmentation (`Creator.CreatorID`).
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    /// What is segmented (`Feature.FeatureID`). A feature with segmentations cannot be deleted.
    #[sea_orm(column_name = "FeatureID")]
    pub feature_id: i32,
    /// The subtask the segmentation was made for (`SubTask.SubTaskID`), or NULL. Becomes NULL when
    /// the subtask is deleted.
    #[sea_orm(column_name = "SubTaskID")]
    pub sub_task_id: Option<i32>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    /// When the segmentation was last changed, or NULL. Not maintained automatically: set it when
    /// you change the row or its data.
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    /// Soft-delete flag: `true` hides the segmentation from `where_` queries without removing the
    /// row. An `ActiveModel` insert that leaves it unset stores `false`.
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
    /// Where the data is in the segmentation zarr store: the index along the first axis of the
    /// array `dtype_Depth_Height_Width.zarr` in the group named after the data representation
    /// (`DataRepresentation.Binary`, ...). NULL if no data has been written yet.
    #[sea_orm(column_name = "ZarrArrayIndex")]
    pub zarr_array_index: Option<i32>,
    /// The segmented image (`ImageInstance.ImageInstanceID`). Deleting the image deletes the
    /// segmentation.
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
    /// How the voxel values are to be read: a binary mask, a mask with a questionable bit,
    /// probabilities, one bit per label, or one class per voxel.
    #[sea_orm(column_name = "DataRepresentation")]
    pub data_representation: super::enums::DataRepresentation,
    /// Size of the data along axis 0: the number of frames (B-scans) it covers, 1 for a 2-D image.
    #[sea_orm(column_name = "Depth")]
    pub depth: i32,
    /// Size of the data along axis 1, in pixels (normally the image's `rows_y`).
    #[sea_orm(column_name = "Height")]
    pub height: i32,
    /// Size of the data along axis 2, in pixels (normally the image's `columns_x`).
    #[sea_orm(column_name = "Width")]
    pub width: i32,
    /// For sparse data, the axis along which only some slices are annotated: 0 = depth, 1 =
    /// height, 2 = width. NULL for dense data.
    #[sea_orm(column_name = "SparseAxis")]
    pub sparse_axis: Option<i32>,
    /// 3×3 matrix, as a JSON list of three rows of numbers, mapping segmentation coordinates to
    /// image coordinates (along the sparse axis). NULL when the segmentation has the image's own
    /// shape.
    #[sea_orm(column_name = "ImageProjectionMatrix", column_type = "Json")]
    pub image_projection_matrix: Option<Json>,
    /// JSON list of the slice numbers along `sparse_axis` that hold data. NULL means every slice
    /// holds data (dense).
    #[sea_orm(column_name = "ScanIndices", column_type = "Json")]
    pub scan_indices: Option<Json>,
    /// Element type of the stored array: `u8` (plain or read as `[0, 1]`), `u16`, `u32` or `f32`.
    #[sea_orm(column_name = "DataType")]
    pub data_type: super::enums::DataType,
    /// Threshold that turns probability data into a mask (values above it are foreground), or NULL
    /// if none was set.
    #[sea_orm(column_name = "Threshold")]
    pub threshold: Option<f32>,
    /// Another segmentation this one refers to (`Segmentation.SegmentationID`), which then has the
    /// same shape; NULL if none. A segmentation that is referred to cannot be deleted.
    #[sea_orm(column_name = "ReferenceSegmentationID")]
    pub reference_segmentation_id: Option<i32>,
}

/// Relations of the `Segmentation` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who made the segmentation.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Segmentation_ibfk_1"
    )]
    Creator,
    /// What is segmented.
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::FeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "Segmentation_ibfk_2"
    )]
    Feature,
    /// The subtask the segmentation was made for, if any.
    #[sea_orm(
        belongs_to = "super::sub_task::Entity",
        from = "Column::SubTaskId",
        to = "super::sub_task::Column::SubTaskId",
        on_delete = "SetNull",
        fk_name = "Segmentation_ibfk_3"
    )]
    SubTask,
    /// The segmented image.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "Segmentation_ibfk_4"
    )]
    ImageInstance,
    /// The segmentation this one refers to (`reference_segmentation_id`), if any.
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ReferenceSegmentationId",
        to = "Column::SegmentationId",
        fk_name = "Segmentation_ibfk_5"
    )]
    ReferenceSegmentation,
    /// Attribute values computed for this segmentation.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Segmentation"
    )]
    AttributeValue,
    /// Model segmentations that refer to this segmentation.
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::Segmentation"
    )]
    ModelSegmentation,
    /// Segmentations that refer to this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::ReferenceSegmentation")]
    ChildSegmentation,
    /// Tags attached to this segmentation.
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
