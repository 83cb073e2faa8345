//! The `AnnotationType` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "AnnotationType")]
#[eyened(name_column = "AnnotationTypeName")]
#[eyened(unique(
    name = "AnnotationTypeNameInterpretation_UNIQUE",
    columns("AnnotationTypeName", "Interpretation")
))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "AnnotationTypeID")]
    pub annotation_type_id: i32,
    #[sea_orm(
        column_name = "AnnotationTypeName",
        column_type = "String(StringLen::N(45))"
    )]
    pub annotation_type_name: String,
    #[sea_orm(
        column_name = "Interpretation",
        column_type = "String(StringLen::N(45))"
    )]
    pub interpretation: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        has_many = "super::annotation::Entity",
        via_rel = "Relation::AnnotationType"
    )]
    Annotation,
}

impl Related<super::annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Annotation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
