//! The `ImageInstance` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `ImageInstance`: one image, either a 2-D picture (such as a colour fundus photograph)
/// or a multi-frame volume (such as an OCT scan and its B-scans), with its acquisition metadata
/// and the location of its file.
///
/// Images are soft-deleted: rows with `inactive` set are left out of `where_` queries.
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
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
    /// The series this image belongs to (`Series.SeriesID`). Deleting the series deletes the
    /// image.
    #[sea_orm(column_name = "SeriesID")]
    pub series_id: i32,
    /// The source the image was imported from (`SourceInfo.SourceInfoID`). Together with
    /// `dataset_identifier` it identifies the image uniquely.
    #[sea_orm(column_name = "SourceInfoID")]
    pub source_info_id: i32,
    /// The device that captured the image (`DeviceInstance.DeviceInstanceID`); its make and model
    /// are on `DeviceModel`.
    #[sea_orm(column_name = "DeviceInstanceID")]
    pub device_instance_id: i32,
    /// The modality as a row of the `Modality` lookup table (`Modality.ModalityID`). Required, but
    /// it largely repeats the `modality` column, which is what queries normally filter on.
    #[sea_orm(column_name = "ModalityID")]
    pub modality_id: i32,
    /// For OCT, the scan mode used (`Scan.ScanID`). NULL when not applicable or unknown.
    #[sea_orm(column_name = "ScanID")]
    pub scan_id: Option<i32>,
    /// Imaging modality (colour fundus, OCT, autofluorescence, ...), or NULL if not classified.
    /// This is the enum column, not the `Modality` lookup table.
    #[sea_orm(column_name = "Modality")]
    pub modality: Option<Modality>,
    /// DICOM SOP Instance UID of the source file (up to 64 characters), unique across all images.
    /// NULL for images that did not come from DICOM.
    #[sea_orm(
        column_name = "SOPInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub sop_instance_uid: Option<String>,
    /// DICOM SOP Class UID, the kind of DICOM object the image came from (up to 64 characters).
    /// NULL for images that did not come from DICOM.
    #[sea_orm(column_name = "SOPClassUid", column_type = "String(StringLen::N(64))")]
    pub sop_class_uid: Option<String>,
    /// DICOM photometric interpretation: how pixel values map to colour, e.g. `MONOCHROME2` or
    /// `RGB`. NULL if unknown.
    #[sea_orm(
        column_name = "PhotometricInterpretation",
        column_type = "String(StringLen::N(64))"
    )]
    pub photometric_interpretation: Option<String>,
    /// Number of colour channels per pixel: 1 for greyscale, 3 for colour. NULL if unknown.
    #[sea_orm(column_name = "SamplesPerPixel")]
    pub samples_per_pixel: Option<i32>,
    /// Image height in pixels (number of rows). For OCT, the height of one B-scan (the depth
    /// direction). NULL if not recorded.
    #[sea_orm(column_name = "Rows_y")]
    pub rows_y: Option<i32>,
    /// Image width in pixels (number of columns). For OCT, the width of one B-scan. NULL if not
    /// recorded.
    #[sea_orm(column_name = "Columns_x")]
    pub columns_x: Option<i32>,
    /// Number of frames: for an OCT volume, the number of B-scans. 1 or NULL for a single 2-D
    /// image (NULL counts as 1).
    #[sea_orm(column_name = "NrOfFrames")]
    pub nr_of_frames: Option<i32>,
    /// Nominal slice thickness of a raster OCT scan, in millimetres. NULL for 2-D images or if
    /// unknown.
    #[sea_orm(column_name = "SliceThickness")]
    pub slice_thickness: Option<f32>,
    /// Pixel size along the OCT depth axis (vitreous to choroid), in millimetres. NULL if unknown
    /// or not OCT.
    #[sea_orm(column_name = "ResolutionAxial")]
    pub resolution_axial: Option<f32>,
    /// Pixel size across the image (left to right, en face), in millimetres. NULL if unknown.
    #[sea_orm(column_name = "ResolutionHorizontal")]
    pub resolution_horizontal: Option<f32>,
    /// Pixel size up and down the image (superior to inferior, en face), in millimetres; for a
    /// volume of horizontal B-scans, the spacing between B-scans. NULL if unknown.
    #[sea_orm(column_name = "ResolutionVertical")]
    pub resolution_vertical: Option<f32>,
    /// Horizontal field of view of the acquisition, in degrees (for example 30 or 45 for a fundus
    /// camera). NULL if unknown.
    #[sea_orm(column_name = "HorizontalFieldOfView")]
    pub horizontal_field_of_view: Option<f32>,
    /// Which eye was imaged: `L` (left) or `R` (right). Always set.
    #[sea_orm(column_name = "Laterality")]
    pub laterality: super::enums::Laterality,
    /// DICOM modality code of the source: `OP` (photography), `OPT` (tomography, i.e. OCT) or `SC`
    /// (secondary capture). NULL if unknown or not DICOM.
    #[sea_orm(column_name = "DICOMModality")]
    pub dicom_modality: Option<ModalityType>,
    /// Region the image is centred on, as a code: 1 = optic disc, 2 = macula. NULL if unknown;
    /// rarely filled in, and `etdrs_field` says more.
    #[sea_orm(column_name = "AnatomicRegion")]
    pub anatomic_region: Option<i32>,
    /// ETDRS standard field (F1 to F7) of a fundus photograph. NULL if not applicable or unknown.
    #[sea_orm(column_name = "ETDRSField")]
    pub etdrs_field: Option<EtdrsField>,
    /// Whether this is an angiography image: 0 = no, 1 = yes. NULL if unknown.
    #[sea_orm(column_name = "Angiography")]
    pub angiography: Option<i32>,
    /// When the acquisition started (no time zone). NULL if unknown; the visit date is
    /// `Study.StudyDate`.
    #[sea_orm(column_name = "AcquisitionDateTime")]
    pub acquisition_date_time: Option<DateTime>,
    /// Whether the pupil was dilated for the acquisition. NULL if unknown.
    #[sea_orm(column_name = "PupilDilated")]
    pub pupil_dilated: Option<bool>,
    /// Path of the image file relative to the configured images directory (up to 256 characters);
    /// unique per `source_info_id`. The extension decides how the file is read (`.dcm` as DICOM,
    /// `.binary` as raw `u8` pixels, otherwise as an image file); a `[png_series_N]` prefix stands
    /// for N numbered PNG files stacked into a volume.
    #[sea_orm(
        column_name = "DatasetIdentifier",
        column_type = "String(StringLen::N(256))"
    )]
    pub dataset_identifier: String,
    /// Alternative relative path to a copy of the image file (up to 256 characters), or NULL.
    #[sea_orm(
        column_name = "AltDatasetIdentifier",
        column_type = "String(StringLen::N(256))"
    )]
    pub alt_dataset_identifier: Option<String>,
    /// Base name of the image's thumbnails, relative to the thumbnails directory, usually
    /// `ProjectID/name`; the files are this name plus `_144.jpg` and `_540.jpg`. NULL means no
    /// thumbnails were made yet; an empty string means making them failed.
    #[sea_orm(
        column_name = "ThumbnailPath",
        column_type = "String(StringLen::N(256))"
    )]
    pub thumbnail_path: Option<String>,
    /// Path or identifier of the image in the system it was taken over from (up to 256
    /// characters). Legacy; NULL for new images.
    #[sea_orm(column_name = "OldPath", column_type = "String(StringLen::N(256))")]
    pub old_path: Option<String>,
    /// Legacy integer identifier carried over from older data; not used by the platform. Usually
    /// NULL.
    #[sea_orm(column_name = "FDAIdentifier")]
    pub fda_identifier: Option<i32>,
    /// Soft-delete flag: `true` hides the image from `where_` queries without removing the row. An
    /// `ActiveModel` insert that leaves it unset stores `false`.
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
    /// Colour-fundus region of interest as JSON: the bounds of the visible (circular) fundus area
    /// found by preprocessing. `{"success": false}` if detection failed; NULL if not preprocessed.
    /// Treat SQL NULL and JSON `null` alike.
    #[sea_orm(column_name = "CFROI", column_type = "Json")]
    pub cfroi: Option<Json>,
    /// Colour-fundus landmarks as JSON, found by preprocessing: fovea and optic-disc-edge
    /// positions in the original image (`fovea_xy`, `disc_edge_xy`) and in the preprocessed crop
    /// (`prep_fovea_xy`, `prep_disc_edge_xy`). NULL if not computed or if preprocessing failed.
    #[sea_orm(column_name = "CFKeypoints", column_type = "Json")]
    pub cf_keypoints: Option<Json>,
    /// Colour-fundus image quality score from the quality model. NULL if not computed or if
    /// preprocessing failed.
    #[sea_orm(column_name = "CFQuality")]
    pub cf_quality: Option<f32>,
    /// MD5 digest of the image file as 16 raw bytes. NULL until computed.
    #[sea_orm(column_name = "FileChecksum", column_type = "custom(\"tinyblob\")")]
    pub file_checksum: Option<Vec<u8>>,
    /// SHA-256 of the decoded pixel data, stored as its 64-character hex text (ASCII bytes). Equal
    /// hashes mean equal pixels even when the files differ. NULL until computed.
    #[sea_orm(column_name = "DataHash", column_type = "custom(\"tinyblob\")")]
    pub data_hash: Option<Vec<u8>>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    /// When the row was last updated. Saving an update through this crate's `ActiveModel` sets it
    /// to the current time unless the update sets it itself. NULL if never updated.
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    /// When colour-fundus preprocessing (which fills `cfroi`, `cf_keypoints` and `cf_quality`)
    /// last ran on this image, successfully or not. NULL if it never did.
    #[sea_orm(column_name = "DatePreprocessed")]
    pub date_preprocessed: Option<DateTime>,
}

/// Relations of the `ImageInstance` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The series this image belongs to.
    #[sea_orm(
        belongs_to = "super::series::Entity",
        from = "Column::SeriesId",
        to = "super::series::Column::SeriesId",
        on_delete = "Cascade",
        fk_name = "ImageInstance_ibfk_1"
    )]
    Series,
    /// The source this image was imported from.
    #[sea_orm(
        belongs_to = "super::source_info::Entity",
        from = "Column::SourceInfoId",
        to = "super::source_info::Column::SourceInfoId",
        fk_name = "ImageInstance_ibfk_2"
    )]
    SourceInfo,
    /// The device that captured this image.
    #[sea_orm(
        belongs_to = "super::device_instance::Entity",
        from = "Column::DeviceInstanceId",
        to = "super::device_instance::Column::DeviceInstanceId",
        fk_name = "ImageInstance_ibfk_3"
    )]
    DeviceInstance,
    /// The `Modality` lookup-table row of this image.
    #[sea_orm(
        belongs_to = "super::modality::Entity",
        from = "Column::ModalityId",
        to = "super::modality::Column::ModalityId",
        fk_name = "ImageInstance_ibfk_4"
    )]
    Modality,
    /// The OCT scan mode of this image, if any.
    #[sea_orm(
        belongs_to = "super::scan::Entity",
        from = "Column::ScanId",
        to = "super::scan::Column::ScanId",
        fk_name = "ImageInstance_ibfk_5"
    )]
    Scan,
    /// Annotations of this image.
    #[sea_orm(
        has_many = "super::annotation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    Annotation,
    /// Attribute values computed for this image.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    AttributeValue,
    /// Forms filled in about this image.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    FormAnnotation,
    /// Tags attached to this image.
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    ImageInstanceTag,
    /// Segmentations of this image made by models.
    #[sea_orm(
        has_many = "super::model_segmentation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    ModelSegmentation,
    /// Segmentations of this image made by creators.
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::ImageInstance"
    )]
    Segmentation,
    /// Links to the subtasks that include this image.
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
    /// Adaptive-optics retinal image.
    #[sea_orm(string_value = "AdaptiveOptics")]
    AdaptiveOptics,
    /// Colour fundus photograph.
    #[sea_orm(string_value = "ColorFundus")]
    ColorFundus,
    /// Stereo colour fundus photograph.
    #[sea_orm(string_value = "ColorFundusStereo")]
    ColorFundusStereo,
    /// Red-free (green-filtered) fundus photograph.
    #[sea_orm(string_value = "RedFreeFundus")]
    RedFreeFundus,
    /// Photograph of the outside of the eye.
    #[sea_orm(string_value = "ExternalEye")]
    ExternalEye,
    /// Photograph of the lens.
    #[sea_orm(string_value = "LensPhotograph")]
    LensPhotograph,
    /// Image taken with an ophthalmoscope.
    #[sea_orm(string_value = "Ophthalmoscope")]
    Ophthalmoscope,
    /// Fundus autofluorescence image.
    #[sea_orm(string_value = "Autofluorescence")]
    Autofluorescence,
    /// Fluorescein angiography image.
    #[sea_orm(string_value = "FluoresceinAngiography")]
    FluoresceinAngiography,
    /// Indocyanine green angiography image.
    #[sea_orm(string_value = "ICGA")]
    ICGA,
    /// Infrared reflectance image.
    #[sea_orm(string_value = "InfraredReflectance")]
    InfraredReflectance,
    /// Blue reflectance image.
    #[sea_orm(string_value = "BlueReflectance")]
    BlueReflectance,
    /// Green reflectance image.
    #[sea_orm(string_value = "GreenReflectance")]
    GreenReflectance,
    /// Optical coherence tomography scan (one or more B-scans).
    #[sea_orm(string_value = "OCT")]
    OCT,
    /// OCT angiography scan.
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
    /// Ophthalmic photography: fundus and other 2-D eye photographs.
    #[sea_orm(string_value = "OP")]
    OP,
    /// Ophthalmic tomography: OCT.
    #[sea_orm(string_value = "OPT")]
    OPT,
    /// Secondary capture: an image converted or captured from another source.
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
    /// Field 1, centred on the optic disc.
    #[sea_orm(string_value = "F1")]
    F1,
    /// Field 2, centred on the macula.
    #[sea_orm(string_value = "F2")]
    F2,
    /// Field 3, temporal to the macula.
    #[sea_orm(string_value = "F3")]
    F3,
    /// Field 4, superior temporal.
    #[sea_orm(string_value = "F4")]
    F4,
    /// Field 5, inferior temporal.
    #[sea_orm(string_value = "F5")]
    F5,
    /// Field 6, superior nasal.
    #[sea_orm(string_value = "F6")]
    F6,
    /// Field 7, inferior nasal.
    #[sea_orm(string_value = "F7")]
    F7,
}

super::enums::impl_from_str!(EtdrsField);
