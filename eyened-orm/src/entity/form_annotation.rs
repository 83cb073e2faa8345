//! The `FormAnnotation` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `FormAnnotation`: a filled-in form (answers as JSON, following a `FormSchema`) about a
/// patient, and optionally about one study, image or eye.
///
/// Form annotations are soft-deleted: rows with `inactive` set are left out of `where_` queries.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "FormAnnotation")]
#[eyened(index(name = "FormSchemaID", columns("FormSchemaID")))]
#[eyened(index(name = "PatientID", columns("PatientID")))]
#[eyened(index(name = "StudyID", columns("StudyID")))]
#[eyened(index(name = "ImageInstanceID", columns("ImageInstanceID")))]
#[eyened(index(name = "CreatorID", columns("CreatorID")))]
#[eyened(index(name = "SubTaskID", columns("SubTaskID")))]
#[eyened(index(
    name = "ix_FormAnnotation_FormAnnotationReferenceID",
    columns("FormAnnotationReferenceID")
))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "FormAnnotationID")]
    pub form_annotation_id: i32,
    /// The form the answers follow (`FormSchema.FormSchemaID`).
    #[sea_orm(column_name = "FormSchemaID")]
    pub form_schema_id: i32,
    /// The patient the form is about (`Patient.PatientID`). Always set.
    #[sea_orm(column_name = "PatientID")]
    pub patient_id: i32,
    /// The study (visit) the form is about (`Study.StudyID`), or NULL.
    #[sea_orm(column_name = "StudyID")]
    pub study_id: Option<i32>,
    /// The image the form is about (`ImageInstance.ImageInstanceID`), or NULL. Deleting the image
    /// deletes the form annotation.
    #[sea_orm(column_name = "ImageInstanceID")]
    pub image_instance_id: Option<i32>,
    /// The eye the form is about (`L` or `R`), or NULL when the form is not about one eye (or the
    /// eye follows from the image).
    #[sea_orm(column_name = "Laterality")]
    pub laterality: Option<super::enums::Laterality>,
    /// Who filled in the form (`Creator.CreatorID`).
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    /// The subtask the form was filled in for (`SubTask.SubTaskID`), or NULL. Becomes NULL when
    /// the subtask is deleted.
    #[sea_orm(column_name = "SubTaskID")]
    pub sub_task_id: Option<i32>,
    /// The answers, as JSON following the schema; NULL if none. Treat SQL NULL and JSON `null`
    /// alike.
    #[sea_orm(column_name = "FormData", column_type = "Json")]
    pub form_data: Option<Json>,
    /// The form annotation this one refers to (`FormAnnotation.FormAnnotationID`), or NULL.
    /// Deleting that form annotation deletes this one.
    #[sea_orm(column_name = "FormAnnotationReferenceID")]
    pub form_annotation_reference_id: Option<i32>,
    /// Soft-delete flag: `true` hides the form annotation from `where_` queries without removing
    /// the row. An `ActiveModel` insert that leaves it unset stores `false`.
    #[sea_orm(column_name = "Inactive")]
    pub inactive: bool,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    /// When the row was last changed. The database sets it on insert; saving an update through
    /// this crate's `ActiveModel` sets it to the current time unless the update sets it itself.
    #[sea_orm(
        column_name = "DateModified",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_modified: Option<DateTime>,
}

/// Relations of the `FormAnnotation` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The form the answers follow.
    #[sea_orm(
        belongs_to = "super::form_schema::Entity",
        from = "Column::FormSchemaId",
        to = "super::form_schema::Column::FormSchemaId",
        fk_name = "FormAnnotation_ibfk_1"
    )]
    FormSchema,
    /// The patient the form is about.
    #[sea_orm(
        belongs_to = "super::patient::Entity",
        from = "Column::PatientId",
        to = "super::patient::Column::PatientId",
        fk_name = "FormAnnotation_ibfk_2"
    )]
    Patient,
    /// The study the form is about, if any.
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        fk_name = "FormAnnotation_ibfk_3"
    )]
    Study,
    /// The image the form is about, if any.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "FormAnnotation_ibfk_4"
    )]
    ImageInstance,
    /// Who filled in the form.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "FormAnnotation_ibfk_5"
    )]
    Creator,
    /// The subtask the form was filled in for, if any.
    #[sea_orm(
        belongs_to = "super::sub_task::Entity",
        from = "Column::SubTaskId",
        to = "super::sub_task::Column::SubTaskId",
        on_delete = "SetNull",
        fk_name = "FormAnnotation_ibfk_6"
    )]
    SubTask,
    /// The form annotation this one refers to (`form_annotation_reference_id`).
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::FormAnnotationReferenceId",
        to = "Column::FormAnnotationId",
        on_delete = "Cascade",
        fk_name = "FormAnnotation_ibfk_7"
    )]
    FormAnnotationReference,
    /// Form annotations that refer to this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::FormAnnotationReference")]
    ChildFormAnnotation,
    /// Tags attached to this form annotation.
    #[sea_orm(
        has_many = "super::form_annotation_tag::Entity",
        via_rel = "Relation::FormAnnotation"
    )]
    FormAnnotationTag,
}

impl Related<super::form_schema::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormSchema.def()
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

impl Related<super::sub_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTask.def()
    }
}

impl Related<super::form_annotation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotationTag.def()
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
