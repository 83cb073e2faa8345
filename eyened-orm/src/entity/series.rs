//! The `Series` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Series`: images acquired together within a study, such as one OCT acquisition and its
/// accompanying images. Follows the DICOM study, series and image hierarchy.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Series")]
#[eyened(unique(name = "SeriesInstanceUid", columns("SeriesInstanceUid")))]
#[eyened(unique(
    name = "StudyInstanceUidSeriesInstanceUid_UNIQUE",
    columns("StudyInstanceUid", "SeriesInstanceUid")
))]
#[eyened(index(name = "fk_Series_Study1_idx", columns("StudyID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "SeriesID")]
    pub series_id: i32,
    /// The study this series belongs to (`Study.StudyID`). Deleting the study deletes its series.
    #[sea_orm(column_name = "StudyID")]
    pub study_id: i32,
    /// DICOM series number (its order within the study), or NULL.
    #[sea_orm(column_name = "SeriesNumber")]
    pub series_number: Option<i32>,
    /// DICOM Series Instance UID (up to 64 characters), unique across all series. NULL for data
    /// that did not come from DICOM.
    #[sea_orm(
        column_name = "SeriesInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub series_instance_uid: Option<String>,
    /// DICOM Study Instance UID of the acquisition (up to 64 characters), or NULL. Kept per series
    /// because one platform study, a patient's visit on one date, may hold several DICOM studies.
    #[sea_orm(
        column_name = "StudyInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub study_instance_uid: Option<String>,
}

/// Relations of the `Series` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The study this series belongs to.
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        on_delete = "Cascade",
        fk_name = "Series_ibfk_1"
    )]
    Study,
    /// Annotations about this series.
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Series")]
    Annotation,
    /// The images in this series.
    #[sea_orm(
        has_many = "super::image_instance::Entity",
        via_rel = "Relation::Series"
    )]
    ImageInstance,
}

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
