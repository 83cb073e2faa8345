//! The `AnnotationData` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AnnotationData`: the data of an annotation for one scan of the image, either as
/// values in the row or as a file named by `dataset_identifier`.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AnnotationData")]
#[eyened(unique(name = "DatasetIdentifier", columns("DatasetIdentifier")))]
#[eyened(index(name = "fk_AnnotationData_Annotation1_idx", columns("AnnotationID")))]
pub struct Model {
    /// The annotation this data belongs to (`Annotation.AnnotationID`); first half of the primary
    /// key. Deleting the annotation deletes its data.
    #[sea_orm(primary_key, auto_increment = false, column_name = "AnnotationID")]
    pub annotation_id: i32,
    /// The scan (frame or B-scan number, from 0) this data is for; second half of the primary key.
    /// -1 means all scans at once, e.g. an en-face annotation of an OCT.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ScanNr")]
    pub scan_nr: i32,
    /// Integer value of the annotation, or NULL.
    #[sea_orm(column_name = "ValueInt")]
    pub value_int: Option<i32>,
    /// Floating-point value of the annotation (single precision), or NULL.
    #[sea_orm(column_name = "ValueFloat")]
    pub value_float: Option<f32>,
    /// Binary data stored in the row itself, or NULL.
    #[sea_orm(column_name = "ValueBlob", column_type = "custom(\"longblob\")")]
    pub value_blob: Option<Vec<u8>>,
    /// Path of the data file relative to the configured annotations directory (up to 45
    /// characters), unique. By convention `PatientID/AnnotationID_ScanNr.ext`.
    #[sea_orm(
        column_name = "DatasetIdentifier",
        column_type = "String(StringLen::N(45))"
    )]
    pub dataset_identifier: String,
    /// When the row was last updated. Saving an update through this crate's `ActiveModel` sets it
    /// to the current time unless the update sets it itself. NULL if never updated.
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    /// Media type of the data file: `image/png` for a PNG mask, or `application/octet-stream` for
    /// raw `u8` pixels in the image's `rows_y` by `columns_x` shape (gzip-compressed if the name
    /// ends in `.gz`).
    #[sea_orm(column_name = "MediaType", column_type = "String(StringLen::N(45))")]
    pub media_type: String,
}

/// Relations of the `AnnotationData` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The annotation this data belongs to.
    #[sea_orm(
        belongs_to = "super::annotation::Entity",
        from = "Column::AnnotationId",
        to = "super::annotation::Column::AnnotationId",
        on_delete = "Cascade",
        fk_name = "AnnotationData_ibfk_1"
    )]
    Annotation,
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

/// Fills the ORM-side default the DDL does not hold: `DateModified` refreshed on every update
/// that does not set it itself.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if !insert && !self.date_modified.is_set() {
            self.date_modified = sea_orm::ActiveValue::Set(Some(crate::create::now()));
        }
        Ok(self)
    }
}
