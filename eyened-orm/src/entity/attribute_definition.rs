//! The `AttributeDefinition` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `AttributeDefinition`: a named attribute that models can produce values of (a
/// measurement, score or other result), with the type of its values. Names are unique across all
/// models.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributeDefinition")]
#[eyened(unique(
    name = "uq_AttributeDefinition_AttributeName",
    columns("AttributeName")
))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "AttributeID")]
    pub attribute_id: i32,
    /// Name of the attribute (up to 255 characters), unique regardless of case.
    #[sea_orm(
        column_name = "AttributeName",
        column_type = "String(StringLen::N(255))"
    )]
    pub attribute_name: String,
    /// Type of the attribute's values, which says which value column of `AttributeValue` holds
    /// them.
    #[sea_orm(column_name = "AttributeDataType")]
    pub attribute_data_type: AttributeDataType,
}

/// Relations of the `AttributeDefinition` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Values of this attribute.
    #[sea_orm(
        has_many = "super::attribute_value::Entity",
        via_rel = "Relation::AttributeDefinition"
    )]
    AttributeValue,
    /// Links to the models that produce this attribute.
    #[sea_orm(
        has_many = "super::attributes_model_output::Entity",
        via_rel = "Relation::AttributeDefinition"
    )]
    AttributesModelOutput,
    /// Model inputs that take this attribute.
    #[sea_orm(
        has_many = "super::model_input::Entity",
        via_rel = "Relation::AttributeDefinition"
    )]
    ModelInput,
}

impl Related<super::attribute_value::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeValue.def()
    }
}

impl Related<super::attributes_model_output::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributesModelOutput.def()
    }
}

impl Related<super::model_input::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModelInput.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Type of the value an attribute holds.
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
#[sea_orm(
    rs_type = "String",
    db_type = "Enum",
    enum_name = "attribute_data_type"
)]
pub enum AttributeDataType {
    /// Text, kept in `AttributeValue.value_text` (up to 255 characters).
    #[sea_orm(string_value = "String")]
    String,
    /// A number, kept in `AttributeValue.value_float` (single precision).
    #[sea_orm(string_value = "Float")]
    Float,
    /// An integer, kept in `AttributeValue.value_int`.
    #[sea_orm(string_value = "Int")]
    Int,
    /// A JSON document, kept in `AttributeValue.value_json`.
    #[sea_orm(string_value = "JSON")]
    JSON,
}

super::enums::impl_from_str!(AttributeDataType);
