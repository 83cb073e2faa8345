//! The `SegmentationModel` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SegmentationModel")]
#[eyened(index(name = "FeatureID", columns("FeatureID")))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "ModelID")]
    pub model_id: i32,
    #[sea_orm(column_name = "FeatureID")]
    pub feature_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::ModelId",
        on_delete = "Cascade",
        fk_name = "SegmentationModel_ibfk_1"
    )]
    Model,
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
