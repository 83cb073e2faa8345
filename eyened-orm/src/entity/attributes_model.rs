//! The `AttributesModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AttributesModel`: marks a `Model` as one that produces attribute values. It shares
/// its id with that `Model` row (whose `model_type` is `attributes`), which holds the name,
/// version and description.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributesModel")]
pub struct Model {
    /// The model (`Model.ModelID`); also this table's primary key, so it is not generated.
    /// Deleting the model deletes this row.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
}

/// Relations of the `AttributesModel` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The `Model` row with the name and version.
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "AttributesModel_ibfk_1"
    )]
    Model,
    /// Links to the attributes this model produces.
    #[sea_orm(
        has_many = "super::attributes_model_output::Entity",
        via_rel = "Relation::AttributesModel"
    )]
    AttributesModelOutput,
    /// The inputs this model takes.
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
