//! The `Feature` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Feature")]
#[eyened(name_column = "FeatureName")]
#[eyened(unique(name = "FeatureName", columns("FeatureName")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "FeatureID")]
    pub feature_id: i32,
    #[sea_orm(column_name = "FeatureName", column_type = "String(StringLen::N(60))")]
    pub feature_name: String,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Feature")]
    Annotation,
    #[sea_orm(
        has_many = "super::composite_feature::Entity",
        via_rel = "Relation::ParentFeature"
    )]
    CompositeFeatureByParentFeature,
    #[sea_orm(
        has_many = "super::composite_feature::Entity",
        via_rel = "Relation::ChildFeature"
    )]
    CompositeFeatureByChildFeature,
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::Feature"
    )]
    Segmentation,
    #[sea_orm(
        has_many = "super::segmentation_model::Entity",
        via_rel = "Relation::Feature"
    )]
    SegmentationModel,
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
    }
}

impl Related<super::segmentation_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SegmentationModel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
