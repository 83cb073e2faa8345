//! The `AttributeValueInput` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AttributeValueInput`: records that one attribute value (the output) was computed from
/// another (an input), so derived values can be traced to their inputs.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AttributeValueInput")]
#[eyened(index(name = "InputAttributeValueID", columns("InputAttributeValueID")))]
pub struct Model {
    /// The computed value (`AttributeValue.AttributeValueID`); first half of the primary key.
    /// Deleting it removes this link.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_name = "OutputAttributeValueID"
    )]
    pub output_attribute_value_id: i32,
    /// A value it was computed from (`AttributeValue.AttributeValueID`); second half of the
    /// primary key. Deleting it removes this link.
    #[sea_orm(
        primary_key,
        auto_increment = false,
        column_name = "InputAttributeValueID"
    )]
    pub input_attribute_value_id: i32,
}

/// Relations of the `AttributeValueInput` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The computed (output) value.
    #[sea_orm(
        belongs_to = "super::attribute_value::Entity",
        from = "Column::OutputAttributeValueId",
        to = "super::attribute_value::Column::AttributeValueId",
        on_delete = "Cascade",
        fk_name = "AttributeValueInput_ibfk_1"
    )]
    OutputAttributeValue,
    /// The value used as input.
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
