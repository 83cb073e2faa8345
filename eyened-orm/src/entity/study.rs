//! The `Study` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Study`: one visit of a patient, identified by its date. A patient has at most one
/// study per date; the study's series hold the images taken at that visit.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Study")]
#[eyened(unique(name = "PatientIDStudyDate_UNIQUE", columns("StudyDate", "PatientID")))]
#[eyened(index(name = "StudyDate_idx", columns("StudyDate")))]
#[eyened(index(name = "fk_Study_Patient1_idx", columns("PatientID")))]
#[eyened(index(name = "StudyRound", columns("StudyRound")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "StudyID")]
    pub study_id: i32,
    /// The patient (`Patient.PatientID`). Deleting the patient deletes their studies.
    #[sea_orm(column_name = "PatientID")]
    pub patient_id: i32,
    /// Number of the round (follow-up wave) of a longitudinal project that this visit belongs to,
    /// or NULL.
    #[sea_orm(column_name = "StudyRound")]
    pub study_round: Option<i32>,
    /// Free-text description (up to 64 characters), or NULL.
    #[sea_orm(
        column_name = "StudyDescription",
        column_type = "String(StringLen::N(64))"
    )]
    pub study_description: Option<String>,
    /// Date of the visit. Unique per patient.
    #[sea_orm(column_name = "StudyDate")]
    pub study_date: Date,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Study` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The patient this study belongs to.
    #[sea_orm(
        belongs_to = "super::patient::Entity",
        from = "Column::PatientId",
        to = "super::patient::Column::PatientId",
        on_delete = "Cascade",
        fk_name = "Study_ibfk_1"
    )]
    Patient,
    /// Annotations about this study.
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Study")]
    Annotation,
    /// Attribute values that describe this study.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Study"
    )]
    AttributeValue,
    /// Forms filled in about this study.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::Study"
    )]
    FormAnnotation,
    /// The series acquired in this study.
    #[sea_orm(has_many = "super::series::Entity", via_rel = "Relation::Study")]
    Series,
    /// Tags attached to this study.
    #[sea_orm(has_many = "super::study_tag::Entity", via_rel = "Relation::Study")]
    StudyTag,
}

impl Related<super::patient::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Patient.def()
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

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::study_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StudyTag.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
