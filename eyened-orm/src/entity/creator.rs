//! The `Creator` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Creator`: who or what created data on the platform, either a person (a user who may
/// log in) or a program such as an AI model. Annotations, segmentations, tags and tasks all record
/// their creator.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Creator")]
#[eyened(name_column = "CreatorName")]
#[eyened(unique(name = "CreatorName", columns("CreatorName")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "CreatorID")]
    pub creator_id: i32,
    /// Name of the creator (up to 45 characters), unique regardless of case; for people also the
    /// login name.
    #[sea_orm(column_name = "CreatorName", column_type = "String(StringLen::N(45))")]
    pub creator_name: String,
    /// Employee or staff number of the person (up to 255 characters), or NULL.
    #[sea_orm(
        column_name = "EmployeeIdentifier",
        column_type = "String(StringLen::N(255))"
    )]
    pub employee_identifier: Option<String>,
    /// `true` for a person, `false` for a model or other program. There is no default, so inserts
    /// must set it.
    #[sea_orm(column_name = "IsHuman")]
    pub is_human: bool,
    /// For a model or program, where it is found (up to 80 characters); NULL for people.
    #[sea_orm(column_name = "Path", column_type = "String(StringLen::N(80))")]
    pub path: Option<String>,
    /// Version number of a model or program, or NULL.
    #[sea_orm(column_name = "Version")]
    pub version: Option<i32>,
    /// Free-text description (up to 1000 characters), or NULL.
    #[sea_orm(
        column_name = "Description",
        column_type = "String(StringLen::N(1000))"
    )]
    pub description: Option<String>,
    /// Role code, an integer the platform application interprets; NULL when no role is set.
    #[sea_orm(column_name = "Role")]
    pub role: Option<i32>,
    /// Older password digest (32 raw bytes), or NULL. Never serialised by this crate.
    #[sea_orm(column_name = "Password", column_type = "Binary(32)")]
    #[serde(skip_serializing)]
    pub password: Option<Vec<u8>>,
    /// Password hash used to check logins (up to 255 characters), or NULL for creators who cannot
    /// log in with a password. Never serialised by this crate.
    #[sea_orm(
        column_name = "PasswordHash",
        column_type = "String(StringLen::N(255))"
    )]
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Creator` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Annotations made by this creator.
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Creator")]
    Annotation,
    /// Annotation tags attached by this creator.
    #[sea_orm(
        has_many = "super::annotation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    AnnotationTag,
    /// Tags this creator has starred.
    #[sea_orm(has_many = "super::creator_tag::Entity", via_rel = "Relation::Creator")]
    CreatorTag,
    /// Forms filled in by this creator.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::Creator"
    )]
    FormAnnotation,
    /// Form-annotation tags attached by this creator.
    #[sea_orm(
        has_many = "super::form_annotation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    FormAnnotationTag,
    /// Image tags attached by this creator.
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    ImageInstanceTag,
    /// Segmentations made by this creator.
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::Creator"
    )]
    Segmentation,
    /// Segmentation tags attached by this creator.
    #[sea_orm(
        has_many = "super::segmentation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    SegmentationTag,
    /// Study tags attached by this creator.
    #[sea_orm(has_many = "super::study_tag::Entity", via_rel = "Relation::Creator")]
    StudyTag,
    /// Subtasks assigned to this creator.
    #[sea_orm(has_many = "super::sub_task::Entity", via_rel = "Relation::Creator")]
    SubTask,
    /// Tags defined by this creator.
    #[sea_orm(has_many = "super::tag::Entity", via_rel = "Relation::Creator")]
    Tag,
    /// Tasks created by this creator.
    #[sea_orm(has_many = "super::task::Entity", via_rel = "Relation::Creator")]
    Task,
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
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

impl Related<super::form_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotation.def()
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

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
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

impl Related<super::sub_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTask.def()
    }
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
