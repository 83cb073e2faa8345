//! The `FormSchema` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `FormSchema`: the definition of a form, as a JSON Schema, against which form
/// annotations are filled in.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "FormSchema")]
#[eyened(name_column = "SchemaName")]
#[eyened(unique(name = "SchemaName", columns("SchemaName")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "FormSchemaID")]
    pub form_schema_id: i32,
    /// Name of the form (up to 255 characters), unique regardless of case.
    #[sea_orm(column_name = "SchemaName", column_type = "String(StringLen::N(255))")]
    pub schema_name: String,
    /// The form's definition as a JSON Schema (Draft 7) document, or NULL.
    #[sea_orm(column_name = "Schema", column_type = "Json")]
    pub schema: Option<Json>,
    /// What a filled-in form describes, or NULL if not specified.
    #[sea_orm(column_name = "EntityType")]
    pub entity_type: Option<EntityType>,
}

/// Relations of the `FormSchema` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The filled-in forms that follow this schema.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::FormSchema"
    )]
    FormAnnotation,
}

impl Related<super::form_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// What a form schema annotates (`FormSchema.EntityType`).
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
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "entity_type")]
pub enum EntityType {
    /// The form describes a patient.
    #[sea_orm(string_value = "Patient")]
    Patient,
    /// The form describes a study (one visit).
    #[sea_orm(string_value = "Study")]
    Study,
    /// The form describes one eye of a patient.
    #[sea_orm(string_value = "Eye")]
    Eye,
    /// The form describes one eye at one study.
    #[sea_orm(string_value = "StudyEye")]
    StudyEye,
    /// The form describes one image.
    #[sea_orm(string_value = "ImageInstance")]
    ImageInstance,
}

super::enums::impl_from_str!(EntityType);
