//! The `AnnotationData` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AnnotationData")]
#[eyened(unique(name = "DatasetIdentifier", columns("DatasetIdentifier")))]
#[eyened(index(name = "fk_AnnotationData_Annotation1_idx", columns("AnnotationID")))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_name = "AnnotationID")]
    pub annotation_id: i32,
    #[sea_orm(primary_key, auto_increment = false, column_name = "ScanNr")]
    pub scan_nr: i32,
    #[sea_orm(column_name = "ValueInt")]
    pub value_int: Option<i32>,
    #[sea_orm(column_name = "ValueFloat")]
    pub value_float: Option<f32>,
    #[sea_orm(column_name = "ValueBlob", column_type = "custom(\"longblob\")")]
    pub value_blob: Option<Vec<u8>>,
    #[sea_orm(
        column_name = "DatasetIdentifier",
        column_type = "String(StringLen::N(45))"
    )]
    pub dataset_identifier: String,
    #[sea_orm(column_name = "DateModified")]
    pub date_modified: Option<DateTime>,
    #[sea_orm(column_name = "MediaType", column_type = "String(StringLen::N(45))")]
    pub media_type: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::annotation::Entity",
        from = "Column::AnnotationId",
        to = "super::annotation::Column::AnnotationId",
        on_delete = "Cascade",
        fk_name = "AnnotationData_ibfk_1"
    )]
    Annotation,
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

/// Fills the ORM-side default the DDL does not hold: `DateModified` refreshed on every update
/// that does not set it itself.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if !insert && !self.date_modified.is_set() {
            self.date_modified = sea_orm::ActiveValue::Set(Some(crate::create::now()));
        }
        Ok(self)
    }
}
