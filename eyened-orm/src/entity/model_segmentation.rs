//! The `ModelSegmentation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `ModelSegmentation`: a segmentation of an image produced by a model. The voxel data is
/// kept outside the database, in the segmentation zarr store; this row holds its shape, element
/// type and position there.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "ModelSegmentation")]
#[eyened(index(name = "ModelID", columns("ModelID")))]
#[eyened(index(name = "ImageInstanceID", columns("ImageInstanceID")))]
#[eyened(index(name = "ReferenceSegmentationID", columns("ReferenceSegmentationID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ModelSegmentationID")]
    pub model_segmentation_id: i32,
    /// The segmentation model that produced it (`Model.ModelID`). A model with segmentations
    /// cannot be deleted.
    #[sea_orm(column_name = "ModelID")]
    pub model_id: i32,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    /// Where the data is in the segmentation zarr store: the index along the first axis of the
    /// array `dtype_Depth_Height_Width.zarr` in the group `model_ModelName_Version`. NULL if no
    /// data has been written yet.
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
    /// A segmentation made by a creator that this one refers to (`Segmentation.SegmentationID`),
    /// which then has the same shape; NULL if none. A segmentation that is referred to cannot be
    /// deleted.
    #[sea_orm(column_name = "ReferenceSegmentationID")]
    pub reference_segmentation_id: Option<i32>,
}

/// Relations of the `ModelSegmentation` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The model that produced this segmentation.
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        fk_name = "ModelSegmentation_ibfk_1"
    )]
    Model,
    /// The segmented image.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "ModelSegmentation_ibfk_2"
    )]
    ImageInstance,
    /// The segmentation this one refers to (`reference_segmentation_id`), if any.
    #[sea_orm(
        belongs_to = "super::segmentation::Entity",
        from = "Column::ReferenceSegmentationId",
        to = "super::segmentation::Column::SegmentationId",
        fk_name = "ModelSegmentation_ibfk_3"
    )]
    Segmentation,
    /// Attribute values computed for this segmentation.
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
