//! The `CreatorTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `CreatorTag`: a tag that a creator has starred (marked as a favourite).
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "CreatorTag")]
#[eyened(index(name = "fk_CreatorTag_Tag1_idx", columns("TagID")))]
#[eyened(index(name = "fk_CreatorTag_Creator1_idx", columns("CreatorID")))]
pub struct Model {
    /// The starred tag (`Tag.TagID`); first half of the primary key. Deleting the tag removes this
    /// row.
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    /// The creator who starred it (`Creator.CreatorID`); second half of the primary key. Deleting
    /// the creator removes this row.
    #[sea_orm(primary_key, auto_increment = false, column_name = "CreatorID")]
    pub creator_id: i32,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `CreatorTag` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The starred tag.
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "CreatorTag_ibfk_1"
    )]
    Tag,
    /// The creator who starred it.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        on_delete = "Cascade",
        fk_name = "CreatorTag_ibfk_2"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
