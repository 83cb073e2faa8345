//! The `Modality` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of the `Modality` lookup table (exported as `ModalityTable`): a named imaging modality
/// that images refer to through `modality_id`. Not the `Modality` enum stored on `ImageInstance`.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Modality")]
#[eyened(name_column = "ModalityTag")]
#[eyened(type_name = "ModalityTable")]
#[eyened(unique(name = "ModalityTag", columns("ModalityTag")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ModalityID")]
    pub modality_id: i32,
    /// Name of the modality (up to 40 characters), unique.
    #[sea_orm(column_name = "ModalityTag", column_type = "String(StringLen::N(40))")]
    pub modality_tag: String,
}

/// Relations of the `Modality` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Images of this modality.
    #[sea_orm(
        has_many = "super::image_instance::Entity",
        via_rel = "Relation::Modality"
    )]
    ImageInstance,
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
