//! The `Feature` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Feature`: something that can be annotated or segmented, such as an anatomical
/// structure, a lesion or a retinal layer. A feature can be composite, made of numbered parts that
/// are features themselves (see `CompositeFeature`).
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Feature")]
#[eyened(name_column = "FeatureName")]
#[eyened(unique(name = "FeatureName", columns("FeatureName")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "FeatureID")]
    pub feature_id: i32,
    /// Name of the feature (up to 60 characters), unique regardless of case.
    #[sea_orm(column_name = "FeatureName", column_type = "String(StringLen::N(60))")]
    pub feature_name: String,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Feature` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Annotations of this feature.
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Feature")]
    Annotation,
    /// Links to the parts of this feature, if it is composite.
    #[sea_orm(
        has_many = "super::composite_feature::Entity",
        via_rel = "Relation::ParentFeature"
    )]
    CompositeFeatureByParentFeature,
    /// Links to the composite features this feature is part of.
    #[sea_orm(
        has_many = "super::composite_feature::Entity",
        via_rel = "Relation::ChildFeature"
    )]
    CompositeFeatureByChildFeature,
    /// Segmentations of this feature.
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::Feature"
    )]
    Segmentation,
    /// Segmentation models that segment this feature.
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
