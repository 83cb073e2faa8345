//! The `SegmentationTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `SegmentationTag`: a tag attached to one segmentation, with who attached it and an
/// optional comment. The pair (tag, segmentation) is unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SegmentationTag")]
#[eyened(index(
    name = "fk_SegmentationTag_Segmentation1_idx",
    columns("SegmentationID")
))]
#[eyened(index(name = "fk_SegmentationTag_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_SegmentationTag_Tag1_idx", columns("TagID")))]
pub struct Model {
    /// The tag (`Tag.TagID`); first half of the primary key. Deleting the tag removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    /// The tagged segmentation (`Segmentation.SegmentationID`); second half of the primary key.
    /// Deleting the segmentation removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "SegmentationID")]
    pub segmentation_id: i32,
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

/// Relations of the `SegmentationTag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tag.
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "SegmentationTag_ibfk_1"
    )]
    Tag,
    /// The tagged segmentation.
    #[sea_orm(
        belongs_to = "super::segmentation::Entity",
        from = "Column::SegmentationId",
        to = "super::segmentation::Column::SegmentationId",
        on_delete = "Cascade",
        fk_name = "SegmentationTag_ibfk_2"
    )]
    Segmentation,
    /// Who attached the tag.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "SegmentationTag_ibfk_3"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
