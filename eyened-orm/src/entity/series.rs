//! The `Series` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Series")]
#[eyened(unique(name = "SeriesInstanceUid", columns("SeriesInstanceUid")))]
#[eyened(unique(
    name = "StudyInstanceUidSeriesInstanceUid_UNIQUE",
    columns("StudyInstanceUid", "SeriesInstanceUid")
))]
#[eyened(index(name = "fk_Series_Study1_idx", columns("StudyID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "SeriesID")]
    pub series_id: i32,
    #[sea_orm(column_name = "StudyID")]
    pub study_id: i32,
    #[sea_orm(column_name = "SeriesNumber")]
    pub series_number: Option<i32>,
    #[sea_orm(
        column_name = "SeriesInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub series_instance_uid: Option<String>,
    #[sea_orm(
        column_name = "StudyInstanceUid",
        column_type = "String(StringLen::N(64))"
    )]
    pub study_instance_uid: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::StudyId",
        on_delete = "Cascade",
        fk_name = "Series_ibfk_1"
    )]
    Study,
    #[sea_orm(has_many = "super::annotation::Entity", via_rel = "Relation::Series")]
    Annotation,
    #[sea_orm(
        has_many = "super::image_instance::Entity",
        via_rel = "Relation::Series"
    )]
    ImageInstance,
}

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
