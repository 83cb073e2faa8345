//! The `Tag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Tag")]
#[eyened(unique(name = "Tag", columns("TagName", "TagType")))]
#[eyened(index(name = "fk_Tag_Creator1_idx", columns("CreatorID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "TagID")]
    pub tag_id: i32,
    #[sea_orm(column_name = "TagName", column_type = "String(StringLen::N(256))")]
    pub tag_name: String,
    #[sea_orm(column_name = "TagType")]
    pub tag_type: TagType,
    #[sea_orm(
        column_name = "TagDescription",
        column_type = "String(StringLen::N(256))"
    )]
    pub tag_description: String,
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Tag_ibfk_1"
    )]
    Creator,
    #[sea_orm(has_many = "super::annotation_tag::Entity", via_rel = "Relation::Tag")]
    AnnotationTag,
    #[sea_orm(has_many = "super::creator_tag::Entity", via_rel = "Relation::Tag")]
    CreatorTag,
    #[sea_orm(
        has_many = "super::form_annotation_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    FormAnnotationTag,
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    ImageInstanceTag,
    #[sea_orm(
        has_many = "super::segmentation_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    SegmentationTag,
    #[sea_orm(has_many = "super::study_tag::Entity", via_rel = "Relation::Tag")]
    StudyTag,
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl Related<super::annotation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AnnotationTag.def()
    }
}

impl Related<super::creator_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreatorTag.def()
    }
}

impl Related<super::form_annotation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotationTag.def()
    }
}

impl Related<super::image_instance_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstanceTag.def()
    }
}

impl Related<super::segmentation_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SegmentationTag.def()
    }
}

impl Related<super::study_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StudyTag.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// What kind of entity a tag applies to (`Tag.TagType`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "tag_type")]
pub enum TagType {
    #[sea_orm(string_value = "Study")]
    Study,
    #[sea_orm(string_value = "ImageInstance")]
    ImageInstance,
    #[sea_orm(string_value = "Annotation")]
    Annotation,
    #[sea_orm(string_value = "Segmentation")]
    Segmentation,
    #[sea_orm(string_value = "FormAnnotation")]
    FormAnnotation,
}

super::enums::impl_from_str!(TagType);
