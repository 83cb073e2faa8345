//! The `AttributeValue` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AttributeValue`: one model's value of one attribute for exactly one entity, which is
/// an image, a segmentation, a model segmentation, a patient or a study. A database check requires
/// exactly one of those five ids to be set.
///
/// Normally only the value column that matches the attribute's type is filled.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributeValue")]
#[eyened(unique(
    name = "uq_AttributeValue_image_attribute_model",
    columns("ImageInstanceID", "AttributeID", "ModelID")
))]
#[eyened(unique(
    name = "uq_AttributeValue_segmentation_attribute_model",
    columns("SegmentationID", "AttributeID", "ModelID")
))]
#[eyened(unique(
    name = "uq_AttributeValue_modelseg_attribute_model",
    columns("ModelSegmentationID", "AttributeID", "ModelID")
))]
#[eyened(unique(
    name = "uq_AttributeValue_patient_attribute_model",
    columns("PatientID", "AttributeID", "ModelID")
))]
#[eyened(unique(
    name = "uq_AttributeValue_study_attribute_model",
    columns("StudyID", "AttributeID", "ModelID")
))]
#[eyened(index(name = "fk_AttributeValue_Attribute1_idx", columns("AttributeID")))]
#[eyened(index(name = "fk_AttributeValue_Model1_idx", columns("ModelID")))]
#[eyened(index(
    name = "fk_AttributeValue_ImageInstance1_idx",
    columns("ImageInstanceID")
))]
#[eyened(index(
    name = "fk_AttributeValue_Segmentation1_idx",
    columns("SegmentationID")
))]
#[eyened(index(
    name = "fk_AttributeValue_ModelSegmentation1_idx",
    columns("ModelSegmentationID")
))]
#[eyened(index(name = "fk_AttributeValue_Patient1_idx", columns("PatientID")))]
#[eyened(index(name = "fk_AttributeValue_Study1_idx", columns("StudyID")))]
#[eyened(check(
    name = "ck_AttributeValue_exactly_one_entity",
    expr = "`ImageInstanceID` is not null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is not null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is not null and `PatientID` is null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is not null and `StudyID` is null or `ImageInstanceID` is null and `SegmentationID` is null and `ModelSegmentationID` is null and `PatientID` is null and `StudyID` is not null"
))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "AttributeValueID")]
    pub attribute_value_id: i32,
    /// The attribute this is a value of (`AttributeDefinition.AttributeID`). Deleting the
    /// attribute deletes its values.
    #[sea_orm(column_name = "AttributeID")]
    pub attribute_id: i32,
    /// The model that produced the value (`Model.ModelID`). Deleting the model deletes its values.
    #[sea_orm(column_name = "ModelID")]
    pub model_id: i32,
    /// The image the value describes (`ImageInstance.ImageInstanceID`), or NULL when it describes
    /// another entity. Deleting the image deletes the value.
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: Option<i32>,
    /// The segmentation the value describes (`Segmentation.SegmentationID`), or NULL. Deleting the
    /// segmentation deletes the value.
    #[sea_orm(column_name = "SegmentationID")]
    pub segmentation_id: Option<i32>,
    /// The model segmentation the value describes (`ModelSegmentation.ModelSegmentationID`), or
    /// NULL. Deleting it deletes the value.
    #[sea_orm(column_name = "ModelSegmentationID")]
    pub model_segmentation_id: Option<i32>,
    /// The patient the value describes (`Patient.PatientID`), or NULL. A patient with values
    /// cannot be deleted until they are removed.
    #[sea_orm(column_name = "PatientID")]
    pub patient_id: Option<i32>,
    /// The study the value describes (`Study.StudyID`), or NULL. A study with values cannot be
    /// deleted until they are removed.
    #[sea_orm(column_name = "StudyID")]
    pub study_id: Option<i32>,
    /// The eye the value applies to (`L` or `R`), for per-eye values of a patient or study; NULL
    /// when not eye-specific.
    #[sea_orm(column_name = "Laterality")]
    pub laterality: Option<super::enums::Laterality>,
    /// The value if the attribute's type is `Float` (single precision), else NULL.
    #[sea_orm(column_name = "ValueFloat")]
    pub value_float: Option<f32>,
    /// The value if the attribute's type is `Int`, else NULL.
    #[sea_orm(column_name = "ValueInt")]
    pub value_int: Option<i32>,
    /// The value if the attribute's type is `String` (up to 255 characters), else NULL.
    #[sea_orm(column_name = "ValueText", column_type = "String(StringLen::N(255))")]
    pub value_text: Option<String>,
    /// The value if the attribute's type is `JSON`, else NULL. Treat SQL NULL and JSON `null`
    /// alike.
    #[sea_orm(column_name = "ValueJSON", column_type = "Json")]
    pub value_json: Option<Json>,
}

/// Relations of the `AttributeValue` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The attribute this is a value of.
    #[sea_orm(
        belongs_to = "super::attribute_definition::Entity",
        from = "Column::AttributeId",
        to = "super::attribute_definition::Column::AttributeId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_1"
    )]
    AttributeDefinition,
    /// The model that produced the value.
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_2"
    )]
    Model,
    /// The image the value describes, if any.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_3"
    )]
    ImageInstance,
    /// The segmentation the value describes, if any.
    #[sea_orm(
        belongs_to = "super::segmentation::Entity",
        from = "Column::SegmentationId",
        to = "super::segmentation::Column::SegmentationId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_4"
    )]
    Segmentation,
    /// The model segmentation the value describes, if any.
    #[sea_orm(
        belongs_to = "super::model_segmentation::Entity",
        from = "Column::ModelSegmentationId",
        to = "super::model_segmentation::Column::ModelSegmentationId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_5"
    )]
    ModelSegmentation,
    /// The patient the value describes, if any.
    #[sea_orm(
        belongs_to = "super::patient::Entity",
        from = "Column::PatientId",
        to = "super::patient::Column::PatientId",
        fk_name = "AttributeValue_ibfk_6"
    )]
    Patient,
    /// The study the value describes, if any.
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        fk_name = "AttributeValue_ibfk_7"
    )]
    Study,
    /// Links to the values this value was computed from (this value as the output).
    #[sea_orm(
        has_many = "super::attribute_value_input::Entity",
        via_rel = "Relation::OutputAttributeValue"
    )]
    AttributeValueInputByOutputAttributeValue,
    /// Links to the values computed from this value (this value as an input).
    #[sea_orm(
        has_many = "super::attribute_value_input::Entity",
        via_rel = "Relation::InputAttributeValue"
    )]
    AttributeValueInputByInputAttributeValue,
}

impl Related<super::attribute_definition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeDefinition.def()
    }
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

impl Related<super::model_segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModelSegmentation.def()
    }
}

impl Related<super::patient::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Patient.def()
    }
}

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
