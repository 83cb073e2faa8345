//! The `ImageInstance` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "ImageInstance")]
#[eyened(base_joins = "base_joins")]
#[eyened(unique(
    name = "SourceInfoIDDatasetIdentifier_UNIQUE",
    columns("DatasetIdentifier", "SourceInfoID")
))]
#[eyened(unique(name = "SOPInstanceUid_UNIQUE", columns("SOPInstanceUid")))]
#[eyened(index(
    name = "fk_ImageInstance_DeviceInstance1_idx",
    columns("DeviceInstanceID")
))]
#[eyened(index(name = "fk_ImageInstance_Series1_idx", columns("SeriesID")))]
#[eyened(index(name = "fk_ImageInstance_Scan1_idx", columns("ScanID")))]
#[eyened(index(name = "fk_ImageInstance_SourceInfo1_idx", columns("SourceInfoID")))]
#[eyened(index(name = "fk_ImageInstance_Modality1_idx", columns("ModalityID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
    #[sea_orm(column_name = "SeriesID")]
    pub series_id: i32,
    #[sea_orm(column_name = "SourceInfoID")]
    pub source_info_id: i32,
    #[sea_orm(column_name = "DeviceInstanceID")]
    pub device_instance_id: i32,
    #[sea_orm(column_name = "ModalityID")]
    pub modality_id: i32,
    #[sea_orm(column_name = "ScanID")]
    pub scan_id: Option<i32>,
    #[sea_orm(column_name = "Modality")]
    pub modality: Option<Modality>,
    #[sea_orm(
        column_name = "SOPInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub sop_instance_uid: Option<String>,
    #[sea_orm(column_name = "SOPClassUid", column_type = "String(StringLen::N(64))")]
    pub sop_class_uid: Option<String>,
    #[sea_orm(
        column_name = "PhotometricInterpretation",
        column_type = "String(StringLen::N(64))"
    )]
    pub photometric_interpretation: Option<String>,
    #[sea_orm(column_name = "SamplesPerPixel")]
    pub samples_per_pixel: Option<i32>,
    #[sea_orm(column_name = "Rows_y")]
    pub rows_y: Option<i32>,
    #[sea_orm(column_name = "Columns_x")]
    pub columns_x: Option<i32>,
    #[sea_orm(column_name = "NrOfFrames")]
    pub nr_of_frames: Option<i32>,
    #[sea_orm(column_name = "SliceThickness")]
    pub slice_thickness: Option<f32>,
    #[sea_orm(column_name = "ResolutionAxial")]
    pub resolution_axial: Option<f32>,
    #[sea_orm(column_name = "ResolutionHorizontal")]
    pub resolution_horizontal: Option<f32>,
    #[sea_orm(column_name = "ResolutionVertical")]
    pub resolution_vertical: Option<f32>,
    #[sea_orm(column_name = "HorizontalFieldOfView")]
    pub horizontal_field_of_view: Option<f32>,
    #[sea_orm(column_name = "Laterality")]
    pub laterality: super::enums::Laterality,
    #[sea_orm(column_name = "DICOMModality")]
    pub dicom_modality: Option<ModalityType>,
    #[sea_orm(column_name = "AnatomicRegion")]
    pub anatomic_region: Option<i32>,
    #[sea_orm(column_name = "ETDRSField")]
    pub etdrs_field: Option<EtdrsField>,
    #[sea_orm(column_name = "Angiography")]
    pub angiography: Option<i32>,
    #[sea_orm(column_name = "AcquisitionDateTime")]
    pub acquisition_date_time: Option<DateTime>,
    #[sea_orm(column_name = "PupilDilated")]
    pub pupil_dilated: Option<bool>,
    #[sea_orm(
        column_name = "DatasetIdentifier",
        column_type = "String(StringLen::N(256))"
    )]
    pub dataset_identifier: String,
    #[sea_orm(
        column_name = "AltDatasetIdentifier",
        column_type = "String(StringLen::N(256))"
    )]
    pub alt_dataset_identifier: Option<String>,
    #[sea_orm(
        column_name = "ThumbnailPath",
        column_type = "String(StringLen::N(256))"
    )]
    pub thumbnail_path: Option<String>,
    #[sea_orm(column_name = "OldPath", column_type = "String(StringLen::N(256))")]
    pub old_path: Option<String>,
    #[sea_orm(column_name = "FDAIdentifier")]
    pub fda_identifier: Option<i32>,
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
    #[sea_orm(column_name = "CFROI", column_type = "Json")]
    pub cfroi: Option<Json>,
    #[sea_orm(column_name = "CFKeypoints", column_type = "Json")]
    pub cf_keypoints: Option<Json>,
    #[sea_orm(column_name = "CFQuality")]
    pub cf_quality: Option<f32>,
    #[sea_orm(column_name = "FileChecksum", column_type = "custom(\"tinyblob\")")]
    pub file_checksum: Option<Vec<u8>>,
    #[sea_orm(column_name = "DataHash", column_type = "custom(\"tinyblob\")")]
    pub data_hash: Option<Vec<u8>>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    #[sea_orm(column_name = "DatePreprocessed")]
    pub date_preprocessed: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::series::Entity",
        from = "Column::SeriesId",
        to = "super::series::Column::SeriesId",
        on_delete = "Cascade",
        fk_name = "ImageInstance_ibfk_1"
    )]
    Series,
    #[sea_orm(
        belongs_to = "super::source_info::Entity",
        from = "Column::SourceInfoId",
        to = "super::source_info::Column::SourceInfoId",
        fk_name = "ImageInstance_ibfk_2"
    )]
    SourceInfo,
    #[sea_orm(
        belongs_to = "super::device_instance::Entity",
        from = "Column::DeviceInstanceId",
        to = "super::device_instance::Column::DeviceInstanceId",
        fk_name = "ImageInstance_ibfk_3"
    )]
    DeviceInstance,
    #[sea_orm(
        belongs_to = "super::modality::Entity",
        from = "Column::ModalityId",
        to = "super::modality::Column::ModalityId",
        fk_name = "ImageInstance_ibfk_4"
    )]
    Modality,
    #[sea_orm(
        belongs_to = "super::scan::Entity",
        from = "Column::ScanId",
        to = "super::scan::Column::ScanId",
        fk_name = "ImageInstance_ibfk_5"
    )]
    Scan,
    #[sea_orm(
        has_many = "super::annotation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    Annotation,
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    AttributeValue,
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    FormAnnotation,
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    ImageInstanceTag,
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    ModelSegmentation,
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    Segmentation,
    #[sea_orm(
        has_many = "super::sub_task_image_link::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    SubTaskImageLink,
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::source_info::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SourceInfo.def()
    }
}

impl Related<super::device_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DeviceInstance.def()
    }
}

impl Related<super::modality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Modality.def()
    }
}

impl Related<super::scan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Scan.def()
    }
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl Related<super::attribute_value::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeValue.def()
    }
}

impl Related<super::form_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotation.def()
    }
}

impl Related<super::image_instance_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstanceTag.def()
    }
}

impl Related<super::model_segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModelSegmentation.def()
    }
}

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
    }
}

impl Related<super::sub_task_image_link::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTaskImageLink.def()
    }
}

/// Fills the ORM-side defaults the DDL does not hold: `Inactive = false` on insert, and
/// `DateModified` refreshed on every update that does not set it itself.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert && self.inactive.is_not_set() {
            self.inactive = sea_orm::ActiveValue::Set(false);
        }
        if !insert && !self.date_modified.is_set() {
            self.date_modified = sea_orm::ActiveValue::Set(Some(crate::create::now()));
        }
        Ok(self)
    }
}

/// The joins `ImageInstance::where_` adds, so that a condition may use the columns of the
/// image's series, study, patient and project (inner joins: every image has them) and of its
/// scan, device instance and device model (left joins).
fn base_joins(select: Select<Entity>) -> Select<Entity> {
    use sea_orm::{JoinType, QuerySelect};
    select
        .join(JoinType::InnerJoin, Relation::Series.def())
        .join(JoinType::InnerJoin, super::series::Relation::Study.def())
        .join(JoinType::InnerJoin, super::study::Relation::Patient.def())
        .join(JoinType::InnerJoin, super::patient::Relation::Project.def())
        .join(JoinType::LeftJoin, Relation::Scan.def())
        .join(JoinType::LeftJoin, Relation::DeviceInstance.def())
        .join(
            JoinType::LeftJoin,
            super::device_instance::Relation::DeviceModel.def(),
        )
}

/// Imaging modality of an image (`ImageInstance.Modality`); not the `Modality` table.
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
#[allow(clippy::upper_case_acronyms)] // variant names are the stored SQL values
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "modality")]
pub enum Modality {
    #[sea_orm(string_value = "AdaptiveOptics")]
    AdaptiveOptics,
    #[sea_orm(string_value = "ColorFundus")]
    ColorFundus,
    #[sea_orm(string_value = "ColorFundusStereo")]
    ColorFundusStereo,
    #[sea_orm(string_value = "RedFreeFundus")]
    RedFreeFundus,
    #[sea_orm(string_value = "ExternalEye")]
    ExternalEye,
    #[sea_orm(string_value = "LensPhotograph")]
    LensPhotograph,
    #[sea_orm(string_value = "Ophthalmoscope")]
    Ophthalmoscope,
    #[sea_orm(string_value = "Autofluorescence")]
    Autofluorescence,
    #[sea_orm(string_value = "FluoresceinAngiography")]
    FluoresceinAngiography,
    #[sea_orm(string_value = "ICGA")]
    ICGA,
    #[sea_orm(string_value = "InfraredReflectance")]
    InfraredReflectance,
    #[sea_orm(string_value = "BlueReflectance")]
    BlueReflectance,
    #[sea_orm(string_value = "GreenReflectance")]
    GreenReflectance,
    #[sea_orm(string_value = "OCT")]
    OCT,
    #[sea_orm(string_value = "OCTA")]
    OCTA,
}

super::enums::impl_from_str!(Modality);

/// DICOM modality of an image (`ImageInstance.DICOMModality`).
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
#[allow(clippy::upper_case_acronyms)] // variant names are the stored SQL values
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "modality_type")]
pub enum ModalityType {
    #[sea_orm(string_value = "OP")]
    OP,
    #[sea_orm(string_value = "OPT")]
    OPT,
    #[sea_orm(string_value = "SC")]
    SC,
}

super::enums::impl_from_str!(ModalityType);

/// ETDRS field of a fundus photograph (`ImageInstance.ETDRSField`).
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
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "etdrs_field")]
pub enum EtdrsField {
    #[sea_orm(string_value = "F1")]
    F1,
    #[sea_orm(string_value = "F2")]
    F2,
    #[sea_orm(string_value = "F3")]
    F3,
    #[sea_orm(string_value = "F4")]
    F4,
    #[sea_orm(string_value = "F5")]
    F5,
    #[sea_orm(string_value = "F6")]
    F6,
    #[sea_orm(string_value = "F7")]
    F7,
}

super::enums::impl_from_str!(EtdrsField);
