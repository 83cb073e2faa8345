//! The `Project` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Project")]
#[eyened(name_column = "ProjectName")]
#[eyened(unique(name = "ProjectName", columns("ProjectName")))]
#[eyened(index(name = "fk_Project_Contact1_idx", columns("ContactID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ProjectID")]
    pub project_id: i32,
    #[sea_orm(column_name = "ProjectName", column_type = "String(StringLen::N(255))")]
    pub project_name: String,
    #[sea_orm(column_name = "External")]
    pub external: External,
    #[sea_orm(column_name = "Description", column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_name = "ContactID")]
    pub contact_id: Option<i32>,
    #[sea_orm(column_name = "DOI", column_type = "String(StringLen::N(255))")]
    pub doi: Option<String>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::ContactId",
        fk_name = "Project_ibfk_1"
    )]
    Contact,
    #[sea_orm(has_many = "super::patient::Entity", via_rel = "Relation::Project")]
    Patient,
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl Related<super::patient::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Patient.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Whether a project is external (`Project.External`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    Display,
    AsRefStr,
    IntoStaticStr,
)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "external")]
pub enum External {
    #[sea_orm(string_value = "Y")]
    Y,
    #[sea_orm(string_value = "N")]
    N,
    #[sea_orm(string_value = "M")]
    M,
}

super::enums::impl_from_str!(External);
