//! The `Contact` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `Contact`: a person to contact about a project or task, such as its principal
/// investigator. Name, email and institute together are unique.
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
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ContactID")]
    pub contact_id: i32,
    /// Full name (up to 255 characters). Not unique on its own, so `by_name` gives an ambiguity
    /// error when several rows share it.
    #[sea_orm(column_name = "Name", column_type = "String(StringLen::N(255))")]
    pub name: String,
    /// Email address (up to 255 characters).
    #[sea_orm(column_name = "Email", column_type = "String(StringLen::N(255))")]
    pub email: String,
    /// Institute or organisation (up to 255 characters), or NULL.
    #[sea_orm(column_name = "Institute", column_type = "String(StringLen::N(255))")]
    pub institute: Option<String>,
    /// ORCID identifier of the person (up to 255 characters), or NULL.
    #[sea_orm(column_name = "Orcid", column_type = "String(StringLen::N(255))")]
    pub orcid: Option<String>,
}

/// Relations of the `Contact` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Projects with this contact.
    #[sea_orm(has_many = "super::project::Entity", via_rel = "Relation::Contact")]
    Project,
    /// Tasks with this contact.
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
