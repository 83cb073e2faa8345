//! The `AttributesModelOutput` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributesModelOutput")]
#[eyened(index(name = "AttributeID", columns("AttributeID")))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
    #[sea_orm(primary_key, auto_increment = false, column_name = "AttributeID")]
    pub attribute_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::attributes_model::Entity",
        from = "Column::ModelId",
        to = "super::attributes_model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributesModelOutput_ibfk_1"
    )]
    AttributesModel,
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
