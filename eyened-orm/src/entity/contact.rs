//! The `Contact` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Contact")]
#[eyened(name_column = "Name")]
#[eyened(unique(
    name = "NameEmailInstitute_UNIQUE",
    columns("Name", "Email", "Institute")
))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "ContactID")]
    pub contact_id: i32,
    #[sea_orm(column_name = "Name", column_type = "String(StringLen::N(255))")]
    pub name: String,
    #[sea_orm(column_name = "Email", column_type = "String(StringLen::N(255))")]
    pub email: String,
    #[sea_orm(column_name = "Institute", column_type = "String(StringLen::N(255))")]
    pub institute: Option<String>,
    #[sea_orm(column_name = "Orcid", column_type = "String(StringLen::N(255))")]
    pub orcid: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::project::Entity", via_rel = "Relation::Contact")]
    Project,
    #[sea_orm(has_many = "super::task::Entity", via_rel = "Relation::Contact")]
    Task,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
