//! The `Creator` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Creator")]
#[eyened(name_column = "CreatorName")]
#[eyened(unique(name = "CreatorName", columns("CreatorName")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "CreatorID")]
    pub creator_id: i32,
    #[sea_orm(column_name = "CreatorName", column_type = "String(StringLen::N(45))")]
    pub creator_name: String,
    #[sea_orm(
        column_name = "EmployeeIdentifier",
        column_type = "String(StringLen::N(255))"
    )]
    pub employee_identifier: Option<String>,
    #[sea_orm(column_name = "IsHuman")]
    pub is_human: bool,
    #[sea_orm(column_name = "Path", column_type = "String(StringLen::N(80))")]
    pub path: Option<String>,
    #[sea_orm(column_name = "Version")]
    pub version: Option<i32>,
    #[sea_orm(
        column_name = "Description",
        column_type = "String(StringLen::N(1000))"
    )]
    pub description: Option<String>,
    #[sea_orm(column_name = "Role")]
    pub role: Option<i32>,
    #[sea_orm(column_name = "Password", column_type = "Binary(32)")]
    #[serde(skip_serializing)]
    pub password: Option<Vec<u8>>,
    #[sea_orm(
        column_name = "PasswordHash",
        column_type = "String(StringLen::N(255))"
    )]
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Creator")]
    Annotation,
    #[sea_orm(
        has_many = "super::annotation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    AnnotationTag,
    #[sea_orm(has_many = "super::creator_tag::Entity", via_rel = "Relation::Creator")]
    CreatorTag,
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::Creator"
    )]
    FormAnnotation,
    #[sea_orm(
        has_many = "super::form_annotation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    FormAnnotationTag,
    #[sea_orm(
        has_many = "super::image_instance_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    ImageInstanceTag,
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::Creator"
    )]
    Segmentation,
    #[sea_orm(
        has_many = "super::segmentation_tag::Entity",
        via_rel = "Relation::Creator"
    )]
    SegmentationTag,
    #[sea_orm(has_many = "super::study_tag::Entity", via_rel = "Relation::Creator")]
    StudyTag,
    #[sea_orm(has_many = "super::sub_task::Entity", via_rel = "Relation::Creator")]
    SubTask,
    #[sea_orm(has_many = "super::tag::Entity", via_rel = "Relation::Creator")]
    Tag,
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
