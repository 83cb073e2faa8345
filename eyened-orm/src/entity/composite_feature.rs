//! The `CompositeFeature` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `CompositeFeature`: makes one feature a numbered part of a composite feature, such as
/// the set of classes of a multi-class segmentation. All three columns together are the primary
/// key.
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
    /// The composite feature (`Feature.FeatureID`). Deleting it deletes its links.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ParentFeatureID")]
    pub parent_feature_id: i32,
    /// The feature that is part of it (`Feature.FeatureID`). A feature used as a part cannot be
    /// deleted.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ChildFeatureID")]
    pub child_feature_id: i32,
    /// Position of the part within the composite feature, counting from 0.
    #[sea_orm(primary_key, auto_increment = false, column_name = "FeatureIndex")]
    pub feature_index: i32,
}

/// Relations of the `CompositeFeature` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The composite feature.
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::ParentFeatureId",
        to = "super::feature::Column::FeatureId",
        on_delete = "Cascade",
        fk_name = "CompositeFeature_ibfk_1"
    )]
    ParentFeature,
    /// The feature that is part of it.
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::ChildFeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "CompositeFeature_ibfk_2"
    )]
    ChildFeature,
}

impl ActiveModelBehavior for ActiveModel {}
