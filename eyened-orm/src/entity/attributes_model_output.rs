//! The `AttributesModelOutput` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AttributesModelOutput`: declares that an attributes model produces an attribute.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributesModelOutput")]
#[eyened(index(name = "AttributeID", columns("AttributeID")))]
pub struct Model {
    /// The model (`AttributesModel.ModelID`); first half of the primary key. Deleting the model
    /// removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
    /// The attribute it produces (`AttributeDefinition.AttributeID`); second half of the primary
    /// key. Deleting the attribute removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "AttributeID")]
    pub attribute_id: i32,
}

/// Relations of the `AttributesModelOutput` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The model.
    #[sea_orm(
        belongs_to = "super::attributes_model::Entity",
        from = "Column::ModelId",
        to = "super::attributes_model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributesModelOutput_ibfk_1"
    )]
    AttributesModel,
    /// The attribute it produces.
    #[sea_orm(
        belongs_to = "super::attribute_definition::Entity",
        from = "Column::AttributeId",
        to = "super::attribute_definition::Column::AttributeId",
        on_delete = "Cascade",
        fk_name = "AttributesModelOutput_ibfk_2"
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
