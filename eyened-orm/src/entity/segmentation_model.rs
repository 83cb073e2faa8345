//! The `SegmentationModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `SegmentationModel`: marks a `Model` as a segmentation model and names the feature it
/// segments. It shares its id with that `Model` row (whose `model_type` is `segmentation`), which
/// holds the name, version and description.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SegmentationModel")]
#[eyened(index(name = "FeatureID", columns("FeatureID")))]
pub struct Model {
    /// The model (`Model.ModelID`); also this table's primary key, so it is not generated.
    /// Deleting the model deletes this row.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
    /// The feature the model segments (`Feature.FeatureID`), or NULL if not recorded. A feature in
    /// use cannot be deleted.
    #[sea_orm(column_name = "FeatureID")]
    pub feature_id: Option<i32>,
}

/// Relations of the `SegmentationModel` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The `Model` row with the name and version.
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "SegmentationModel_ibfk_1"
    )]
    Model,
    /// The feature this model segments, if recorded.
    #[sea_orm(
        belongs_to = "super::feature::Entity",
        from = "Column::FeatureId",
        to = "super::feature::Column::FeatureId",
        fk_name = "SegmentationModel_ibfk_2"
    )]
    Feature,
}

impl Related<super::model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Model.def()
    }
}

impl Related<super::feature::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Feature.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
