//! The `Annotation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Annotation`: the metadata of an annotation of one feature by one creator, about a
/// patient and optionally about one study, series or image. The annotation's data (mask files or
/// values) is in its `AnnotationData` rows.
///
/// Annotations are soft-deleted: rows with `inactive` set are left out of `where_` queries.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Annotation")]
#[eyened(index(name = "AnnotationReferenceID", columns("AnnotationReferenceID")))]
#[eyened(index(name = "fk_Annotation_Study1_idx", columns("StudyID")))]
#[eyened(index(name = "fk_Annotation_ImageInstance1_idx", columns("ImageInstanceID")))]
#[eyened(index(name = "fk_Annotation_Feature1_idx", columns("FeatureID")))]
#[eyened(index(
    name = "fk_Annotation_AnnotationType1_idx",
    columns("AnnotationTypeID")
))]
#[eyened(index(name = "fk_Annotation_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_Annotation_Patient1_idx", columns("PatientID")))]
#[eyened(index(name = "fk_Annotation_Series1_idx", columns("SeriesID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "AnnotationID")]
    pub annotation_id: i32,
    /// The patient the annotation is about (`Patient.PatientID`). Always set.
    #[sea_orm(column_name = "PatientID")]
    pub patient_id: i32,
    /// The study (visit) the annotation is about (`Study.StudyID`), or NULL.
    #[sea_orm(column_name = "StudyID")]
    pub study_id: Option<i32>,
    /// The series the annotation is about (`Series.SeriesID`), or NULL.
    #[sea_orm(column_name = "SeriesID")]
    pub series_id: Option<i32>,
    /// The annotated image (`ImageInstance.ImageInstanceID`), or NULL for an annotation not tied
    /// to one image. Deleting the image deletes the annotation.
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: Option<i32>,
    /// Who made the annotation, a person or a model (`Creator.CreatorID`).
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    /// What was annotated, such as a lesion or structure (`Feature.FeatureID`). Always set.
    #[sea_orm(column_name = "FeatureID")]
    pub feature_id: i32,
    /// The kind of annotation, which says how its data is to be read
    /// (`AnnotationType.AnnotationTypeID`).
    #[sea_orm(column_name = "AnnotationTypeID")]
    pub annotation_type_id: i32,
    /// The annotation this one refers to or is derived from (`Annotation.AnnotationID`), or NULL.
    /// Deleting that annotation deletes this one.
    #[sea_orm(column_name = "AnnotationReferenceID")]
    pub annotation_reference_id: Option<i32>,
    /// Soft-delete flag: `true` hides the annotation from `where_` queries without removing the
    /// row. An `ActiveModel` insert that leaves it unset stores `false`.
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Annotation` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The patient the annotation is about.
    #[sea_orm(
        belongs_to = "super::patient::Entity",
        from = "Column::PatientId",
        to = "super::patient::Column::PatientId",
        fk_name = "Annotation_ibfk_1"
    )]
    Patient,
    /// The study the annotation is about, if any.
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        fk_name = "Annotation_ibfk_2"
    )]
    Study,
    /// The series the annotation is about, if any.
    #[sea_orm(
        belongs_to = "super::series::Entity",
        from = "Column::SeriesId",
        to = "super::series::Column::SeriesId",
        fk_name = "Annotation_ibfk_3"
    )]
    Series,
    /// The annotated image, if any.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "Annotation_ibfk_4"
    )]
    ImageInstance,
    /// Who made the annotation.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Annotation_ibfk_5"
    )]
    Creator,
    /// What was annotated.
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::FeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "Annotation_ibfk_6"
    )]
    Feature,
    /// The kind of annotation.
    #[sea_orm(
        belongs_to = "super::annotation_type::Entity",
        from = "Column::AnnotationTypeId",
        to = "super::annotation_type::Column::AnnotationTypeId",
        fk_name = "Annotation_ibfk_7"
    )]
    AnnotationType,
    /// The annotation this one refers to (`annotation_reference_id`).
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::AnnotationReferenceId",
        to = "Column::AnnotationId",
        on_delete = "Cascade",
        fk_name = "Annotation_ibfk_8"
    )]
    AnnotationReference,
    /// Annotations that refer to this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::AnnotationReference")]
    ChildAnnotation,
    /// The data of this annotation, one row per scan.
    #[sea_orm(
        has_many = "super::annotation_data::Entity",
        via_rel = "Relation::Annotation"
    )]
    AnnotationData,
    /// Tags attached to this annotation.
    #[sea_orm(
        has_many = "super::annotation_tag::Entity",
        via_rel = "Relation::Annotation"
    )]
    AnnotationTag,
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

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
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

impl Related<super::annotation_type::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AnnotationType.def()
    }
}

impl Related<super::annotation_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AnnotationData.def()
    }
}

impl Related<super::annotation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AnnotationTag.def()
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
