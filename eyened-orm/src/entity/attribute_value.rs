//! The `AttributeValue` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

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
    #[sea_orm(primary_key, column_name = "AttributeValueID")]
    pub attribute_value_id: i32,
    #[sea_orm(column_name = "AttributeID")]
    pub attribute_id: i32,
    #[sea_orm(column_name = "ModelID")]
    pub model_id: i32,
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: Option<i32>,
    #[sea_orm(column_name = "SegmentationID")]
    pub segmentation_id: Option<i32>,
    #[sea_orm(column_name = "ModelSegmentationID")]
    pub model_segmentation_id: Option<i32>,
    #[sea_orm(column_name = "PatientID")]
    pub patient_id: Option<i32>,
    #[sea_orm(column_name = "StudyID")]
    pub study_id: Option<i32>,
    #[sea_orm(column_name = "Laterality")]
    pub laterality: Option<super::enums::Laterality>,
    #[sea_orm(column_name = "ValueFloat")]
    pub value_float: Option<f32>,
    #[sea_orm(column_name = "ValueInt")]
    pub value_int: Option<i32>,
    #[sea_orm(column_name = "ValueText", column_type = "String(StringLen::N(255))")]
    pub value_text: Option<String>,
    #[sea_orm(column_name = "ValueJSON", column_type = "Json")]
    pub value_json: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::attribute_definition::Entity",
        from = "Column::AttributeId",
        to = "super::attribute_definition::Column::AttributeId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_1"
    )]
    AttributeDefinition,
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_2"
    )]
    Model,
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_3"
    )]
    ImageInstance,
    #[sea_orm(
        belongs_to = "super::segmentation::Entity",
        from = "Column::SegmentationId",
        to = "super::segmentation::Column::SegmentationId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_4"
    )]
    Segmentation,
    #[sea_orm(
        belongs_to = "super::model_segmentation::Entity",
        from = "Column::ModelSegmentationId",
        to = "super::model_segmentation::Column::ModelSegmentationId",
        on_delete = "Cascade",
        fk_name = "AttributeValue_ibfk_5"
    )]
    ModelSegmentation,
    #[sea_orm(
        belongs_to = "super::patient::Entity",
        from = "Column::PatientId",
        to = "super::patient::Column::PatientId",
        fk_name = "AttributeValue_ibfk_6"
    )]
    Patient,
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        fk_name = "AttributeValue_ibfk_7"
    )]
    Study,
    #[sea_orm(
        has_many = "super::attribute_value_input::Entity",
        via_rel = "Relation::OutputAttributeValue"
    )]
    AttributeValueInputByOutputAttributeValue,
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
