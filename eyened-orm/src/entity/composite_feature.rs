//! The `CompositeFeature` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "CompositeFeature")]
#[eyened(index(
    name = "fk_CompositeFeature_ChildFeature1_idx",
    columns("ChildFeatureID")
))]
#[eyened(index(
    name = "fk_CompositeFeature_ParentFeature1_idx",
    columns("ParentFeatureID")
))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "ParentFeatureID")]
    pub parent_feature_id: i32,
    #[sea_orm(primary_key, auto_increment = false, column_name = "ChildFeatureID")]
    pub child_feature_id: i32,
    #[sea_orm(primary_key, auto_increment = false, column_name = "FeatureIndex")]
    pub feature_index: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::ParentFeatureId",
        to = "super::feature::Column::FeatureId",
        on_delete = "Cascade",
        fk_name = "CompositeFeature_ibfk_1"
    )]
    ParentFeature,
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::ChildFeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "CompositeFeature_ibfk_2"
    )]
    ChildFeature,
}

impl ActiveModelBehavior for ActiveModel {}
