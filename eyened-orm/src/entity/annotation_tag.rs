//! The `AnnotationTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AnnotationTag`: a tag attached to one annotation, with who attached it. The pair
/// (tag, annotation) is unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AnnotationTag")]
#[eyened(index(name = "fk_AnnotationTag_Tag1_idx", columns("TagID")))]
#[eyened(index(name = "fk_AnnotationTag_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_AnnotationTag_Annotation1_idx", columns("AnnotationID")))]
pub struct Model {
    /// The tag (`Tag.TagID`); first half of the primary key. Deleting the tag removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    /// The tagged annotation (`Annotation.AnnotationID`); second half of the primary key. Deleting
    /// the annotation removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "AnnotationID")]
    pub annotation_id: i32,
    /// Who attached the tag (`Creator.CreatorID`).
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

/// Relations of the `AnnotationTag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tag.
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "AnnotationTag_ibfk_1"
    )]
    Tag,
    /// The tagged annotation.
    #[sea_orm(
        belongs_to = "super::annotation::Entity",
        from = "Column::AnnotationId",
        to = "super::annotation::Column::AnnotationId",
        on_delete = "Cascade",
        fk_name = "AnnotationTag_ibfk_2"
    )]
    Annotation,
    /// Who attached the tag.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "AnnotationTag_ibfk_3"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
