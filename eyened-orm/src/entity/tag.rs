//! The `Tag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `Tag`: a named label for one kind of entity (studies, images, annotations,
/// segmentations or form annotations). The name is unique per kind.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Tag")]
#[eyened(unique(name = "Tag", columns("TagName", "TagType")))]
#[eyened(index(name = "fk_Tag_Creator1_idx", columns("CreatorID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "TagID")]
    pub tag_id: i32,
    /// Name of the tag (up to 256 characters); unique together with `tag_type`, regardless of
    /// case.
    #[sea_orm(column_name = "TagName", column_type = "String(StringLen::N(256))")]
    pub tag_name: String,
    /// The kind of entity the tag is for, which decides the link table that uses it.
    #[sea_orm(column_name = "TagType")]
    pub tag_type: TagType,
    /// What the tag means (up to 256 characters). Always set.
    #[sea_orm(
        column_name = "TagDescription",
        column_type = "String(StringLen::N(256))"
    )]
    pub tag_description: String,
    /// Who defined the tag (`Creator.CreatorID`).
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Tag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who defined the tag.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Tag_ibfk_1"
    )]
    Creator,
    /// Links to the annotations with this tag.
    #[sea_orm(has_many = "super::annotation_tag::Entity", via_rel = "Relation::Tag")]
    AnnotationTag,
    /// Links to the creators who starred this tag.
    #[sea_orm(has_many = "super::creator_tag::Entity", via_rel = "Relation::Tag")]
    CreatorTag,
    /// Links to the form annotations with this tag.
    #[sea_orm(
        has_many = "super::form_annotation_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    FormAnnotationTag,
    /// Links to the images with this tag.
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    ImageInstanceTag,
    /// Links to the segmentations with this tag.
    #[sea_orm(
        has_many = "super::segmentation_tag::Entity",
        via_rel = "Relation::Tag"
    )]
    SegmentationTag,
    /// Links to the studies with this tag.
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
    /// A tag for studies (linked through `StudyTag`).
    #[sea_orm(string_value = "Study")]
    Study,
    /// A tag for images (linked through `ImageInstanceTag`).
    #[sea_orm(string_value = "ImageInstance")]
    ImageInstance,
    /// A tag for annotations (linked through `AnnotationTag`).
    #[sea_orm(string_value = "Annotation")]
    Annotation,
    /// A tag for segmentations (linked through `SegmentationTag`).
    #[sea_orm(string_value = "Segmentation")]
    Segmentation,
    /// A tag for form annotations (linked through `FormAnnotationTag`).
    #[sea_orm(string_value = "FormAnnotation")]
    FormAnnotation,
}

super::enums::impl_from_str!(TagType);
