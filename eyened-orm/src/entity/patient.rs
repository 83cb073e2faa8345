//! The `Patient` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `Patient`: a person whose eyes were examined, within one project. The same person in
/// two projects is two rows; the identifier is unique within a project only.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Patient")]
#[eyened(name_column = "PatientIdentifier")]
#[eyened(unique(
    name = "ProjectIDPatientIdentifier_UNIQUE",
    columns("PatientIdentifier", "ProjectID")
))]
#[eyened(index(name = "fk_Patient_Project1_idx", columns("ProjectID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "PatientID")]
    pub patient_id: i32,
    /// The patient's identifier within the project (up to 255 characters), such as a participant
    /// number. Unique per project, not across projects.
    #[sea_orm(
        column_name = "PatientIdentifier",
        column_type = "String(StringLen::N(255))"
    )]
    pub patient_identifier: String,
    /// Date of birth, or NULL if unknown.
    #[sea_orm(column_name = "BirthDate")]
    pub birth_date: Option<Date>,
    /// Sex, `M` or `F`, or NULL if unknown.
    #[sea_orm(column_name = "Sex")]
    pub sex: Option<Sex>,
    /// The project the patient belongs to (`Project.ProjectID`). Deleting the project deletes its
    /// patients.
    #[sea_orm(column_name = "ProjectID")]
    pub project_id: i32,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Patient` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The project this patient belongs to.
    #[sea_orm(
        belongs_to = "super::project::Entity",
        from = "Column::ProjectId",
        to = "super::project::Column::ProjectId",
        on_delete = "Cascade",
        fk_name = "Patient_ibfk_1"
    )]
    Project,
    /// Annotations about this patient.
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Patient")]
    Annotation,
    /// Attribute values that describe this patient.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::Patient"
    )]
    AttributeValue,
    /// Forms filled in about this patient.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::Patient"
    )]
    FormAnnotation,
    /// The studies (visits) of this patient.
    #[sea_orm(has_many = "super::study::Entity", via_rel = "Relation::Patient")]
    Study,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
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

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Sex of a patient (`Patient.Sex`).
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
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "sex")]
pub enum Sex {
    /// Male.
    #[sea_orm(string_value = "M")]
    M,
    /// Female.
    #[sea_orm(string_value = "F")]
    F,
}

super::enums::impl_from_str!(Sex);
