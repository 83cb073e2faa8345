//! The `AttributeValueInput` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributeValueInput")]
#[eyened(index(name = "InputAttributeValueID", columns("InputAttributeValueID")))]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_name = "OutputAttributeValueID"
    )]
    pub output_attribute_value_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_name = "InputAttributeValueID"
    )]
    pub input_attribute_value_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::attribute_value::Entity",
        from = "Column::OutputAttributeValueId",
        to = "super::attribute_value::Column::AttributeValueId",
        on_delete = "Cascade",
        fk_name = "AttributeValueInput_ibfk_1"
    )]
    OutputAttributeValue,
    #[sea_orm(
        belongs_to = "super::attribute_value::Entity",
        from = "Column::InputAttributeValueId",
        to = "super::attribute_value::Column::AttributeValueId",
        on_delete = "Cascade",
        fk_name = "AttributeValueInput_ibfk_2"
    )]
    InputAttributeValue,
}

impl ActiveModelBehavior for ActiveModel {}
