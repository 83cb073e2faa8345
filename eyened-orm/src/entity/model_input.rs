//! The `ModelInput` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `ModelInput`: an attribute that an attributes model takes as input, with the name the
/// model gives it. An attribute is an input of a given model at most once.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "ModelInput")]
#[eyened(unique(
    name = "uq_ModelInput_ModelID_InputAttributeID",
    columns("ModelID", "InputAttributeID")
))]
#[eyened(index(name = "fk_ModelInput_Model1_idx", columns("ModelID")))]
#[eyened(index(name = "fk_ModelInput_Attribute1_idx", columns("InputAttributeID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ModelInputID")]
    pub model_input_id: i32,
    /// The model taking the input (`AttributesModel.ModelID`). Deleting the model deletes its
    /// inputs.
    #[sea_orm(column_name = "ModelID")]
    pub model_id: i32,
    /// The attribute used as input (`AttributeDefinition.AttributeID`). Deleting the attribute
    /// deletes this input.
    #[sea_orm(column_name = "InputAttributeID")]
    pub input_attribute_id: i32,
    /// Name of the input as the model knows it (up to 255 characters).
    #[sea_orm(column_name = "InputName", column_type = "String(StringLen::N(255))")]
    pub input_name: String,
}

/// Relations of the `ModelInput` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The model taking the input.
    #[sea_orm(
        belongs_to = "super::attributes_model::Entity",
        from = "Column::ModelId",
        to = "super::attributes_model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "ModelInput_ibfk_1"
    )]
    AttributesModel,
    /// The attribute used as input.
    #[sea_orm(
        belongs_to = "super::attribute_definition::Entity",
        from = "Column::InputAttributeId",
        to = "super::attribute_definition::Column::AttributeId",
        on_delete = "Cascade",
        fk_name = "ModelInput_ibfk_2"
    )]
    AttributeDefinition,
}

impl Related<super::attributes_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributesModel.def()
    }
}

impl Related<super::attribute_definition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AttributeDefinition.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
