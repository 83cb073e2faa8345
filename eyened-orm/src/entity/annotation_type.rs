//! The `AnnotationType` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `AnnotationType`: a kind of annotation and how its data is to be interpreted. The pair
/// (name, interpretation) is unique.
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
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "AnnotationTypeID")]
    pub annotation_type_id: i32,
    /// Name of the annotation type (up to 45 characters). Not unique on its own, so `by_name`
    /// gives an ambiguity error when several rows share it.
    #[sea_orm(
        column_name = "AnnotationTypeName",
        column_type = "String(StringLen::N(45))"
    )]
    pub annotation_type_name: String,
    /// How the annotation's data is to be read (up to 45 characters), e.g. `R/G mask` (red channel
    /// = mask, green channel = questionable) or `Binary mask` (non-zero pixels are the mask).
    #[sea_orm(
        column_name = "Interpretation",
        column_type = "String(StringLen::N(45))"
    )]
    pub interpretation: String,
}

/// Relations of the `AnnotationType` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Annotations of this type.
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
