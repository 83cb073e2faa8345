//! The `SourceInfo` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `SourceInfo`: a source that images were imported from, with its paths. Name, source
/// path and thumbnail path are each unique.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SourceInfo")]
#[eyened(name_column = "SourceName")]
#[eyened(unique(name = "SourceName", columns("SourceName")))]
#[eyened(unique(name = "SourcePath", columns("SourcePath")))]
#[eyened(unique(name = "ThumbnailPath", columns("ThumbnailPath")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "SourceInfoID")]
    pub source_info_id: i32,
    /// Name of the source (up to 64 characters), unique.
    #[sea_orm(column_name = "SourceName", column_type = "String(StringLen::N(64))")]
    pub source_name: String,
    /// Path of the source's files (up to 250 characters), unique.
    #[sea_orm(column_name = "SourcePath", column_type = "String(StringLen::N(250))")]
    pub source_path: String,
    /// Path of the source's thumbnails (up to 250 characters), unique.
    #[sea_orm(
        column_name = "ThumbnailPath",
        column_type = "String(StringLen::N(250))"
    )]
    pub thumbnail_path: String,
}

/// Relations of the `SourceInfo` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Images imported from this source.
    #[sea_orm(
        has_many = "super::image_instance::Entity",
        via_rel = "Relation::SourceInfo"
    )]
    ImageInstance,
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
