//! The `FormSchema` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "FormSchema")]
#[eyened(name_column = "SchemaName")]
#[eyened(unique(name = "SchemaName", columns("SchemaName")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "FormSchemaID")]
    pub form_schema_id: i32,
    #[sea_orm(column_name = "SchemaName", column_type = "String(StringLen::N(255))")]
    pub schema_name: String,
    #[sea_orm(column_name = "Schema", column_type = "Json")]
    pub schema: Option<Json>,
    #[sea_orm(column_name = "EntityType")]
    pub entity_type: Option<EntityType>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
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
    #[sea_orm(string_value = "Patient")]
    Patient,
    #[sea_orm(string_value = "Study")]
    Study,
    #[sea_orm(string_value = "Eye")]
    Eye,
    #[sea_orm(string_value = "StudyEye")]
    StudyEye,
    #[sea_orm(string_value = "ImageInstance")]
    ImageInstance,
}

super::enums::impl_from_str!(EntityType);
