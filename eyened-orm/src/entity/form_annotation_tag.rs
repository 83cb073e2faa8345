//! The `FormAnnotationTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `FormAnnotationTag`: a tag attached to one form annotation, with who attached it and
/// an optional comment. The pair (tag, form annotation) is unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "FormAnnotationTag")]
#[eyened(index(
    name = "fk_FormAnnotationTag_FormAnnotation1_idx",
    columns("FormAnnotationID")
))]
#[eyened(index(name = "fk_FormAnnotationTag_Tag1_idx", columns("TagID")))]
#[eyened(index(name = "fk_FormAnnotationTag_Creator1_idx", columns("CreatorID")))]
pub struct Model {
    /// The tag (`Tag.TagID`); first half of the primary key. Deleting the tag removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    /// The tagged form annotation (`FormAnnotation.FormAnnotationID`); second half of the primary
    /// key. Deleting the form annotation removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "FormAnnotationID")]
    pub form_annotation_id: i32,
    /// Who attached the tag (`Creator.CreatorID`).
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    /// Free-text comment on this tagging (up to 256 characters), or NULL.
    #[sea_orm(column_name = "Comment", column_type = "String(StringLen::N(256))")]
    pub comment: Option<String>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `FormAnnotationTag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tag.
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "FormAnnotationTag_ibfk_1"
    )]
    Tag,
    /// The tagged form annotation.
    #[sea_orm(
        belongs_to = "super::form_annotation::Entity",
        from = "Column::FormAnnotationId",
        to = "super::form_annotation::Column::FormAnnotationId",
        on_delete = "Cascade",
        fk_name = "FormAnnotationTag_ibfk_2"
    )]
    FormAnnotation,
    /// Who attached the tag.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "FormAnnotationTag_ibfk_3"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::form_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotation.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
