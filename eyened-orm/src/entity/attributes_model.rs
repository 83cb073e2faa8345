//! The `AttributesModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributesModel")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributesModel_ibfk_1"
    )]
    Model,
    #[sea_orm(
        has_many = "super::attributes_model_output::Entity",
        via_rel = "Relation::AttributesModel"
    )]
    AttributesModelOutput,
    #[sea_orm(
        has_many = "super::model_input::Entity",
        via_rel = "Relation::AttributesModel"
    )]
    ModelInput,
}

impl Related<super::model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Model.def()
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
