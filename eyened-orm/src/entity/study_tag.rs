//! The `StudyTag` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "StudyTag")]
#[eyened(index(name = "fk_StudyTag_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_StudyTag_Study1_idx", columns("StudyID")))]
#[eyened(index(name = "fk_StudyTag_Tag1_idx", columns("TagID")))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "TagID")]
    pub tag_id: i32,
    #[sea_orm(primary_key, auto_increment = false, column_name = "StudyID")]
    pub study_id: i32,
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: i32,
    #[sea_orm(column_name = "Comment", column_type = "String(StringLen::N(256))")]
    pub comment: Option<String>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::TagId",
        on_delete = "Cascade",
        fk_name = "StudyTag_ibfk_1"
    )]
    Tag,
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        on_delete = "Cascade",
        fk_name = "StudyTag_ibfk_2"
    )]
    Study,
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "StudyTag_ibfk_3"
    )]
    Creator,
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
