//! The `ImageInstanceTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `ImageInstanceTag`: a tag attached to one image, with who attached it and an optional
/// comment. The pair (tag, image) is unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "ImageInstanceTag")]
#[eyened(index(name = "fk_ImageInstanceTag_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_ImageInstanceTag_Tag1_idx", columns("TagID")))]
#[eyened(index(
    name = "fk_ImageInstanceTag_ImageInstance1_idx",
    columns("ImageInstanceID")
))]
pub struct Model {
    /// The tag (`Tag.TagID`); first half of the primary key. Deleting the tag removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    /// The tagged image (`ImageInstance.ImageInstanceID`); second half of the primary key.
    /// Deleting the image removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
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

/// Relations of the `ImageInstanceTag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tag.
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "ImageInstanceTag_ibfk_1"
    )]
    Tag,
    /// The tagged image.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "ImageInstanceTag_ibfk_2"
    )]
    ImageInstance,
    /// Who attached the tag.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "ImageInstanceTag_ibfk_3"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
