//! The `Project` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `Project`: a project or data set that groups patients, and through them their studies
/// and images, with its description and contact.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Project")]
#[eyened(name_column = "ProjectName")]
#[eyened(unique(name = "ProjectName", columns("ProjectName")))]
#[eyened(index(name = "fk_Project_Contact1_idx", columns("ContactID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "ProjectID")]
    pub project_id: i32,
    /// Name of the project (up to 255 characters), unique regardless of case.
    #[sea_orm(column_name = "ProjectName", column_type = "String(StringLen::N(255))")]
    pub project_name: String,
    /// Whether the project is external: `Y`, `N` or `M`. There is no default, so inserts must set
    /// it.
    #[sea_orm(column_name = "External")]
    pub external: External,
    /// Free-text description, or NULL.
    #[sea_orm(column_name = "Description", column_type = "Text")]
    pub description: Option<String>,
    /// The project's contact person (`Contact.ContactID`), or NULL. A contact in use cannot be
    /// deleted.
    #[sea_orm(column_name = "ContactID")]
    pub contact_id: Option<i32>,
    /// DOI of the data set or its publication (up to 255 characters), or NULL.
    #[sea_orm(column_name = "DOI", column_type = "String(StringLen::N(255))")]
    pub doi: Option<String>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `Project` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The project's contact person, if any.
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::ContactId",
        fk_name = "Project_ibfk_1"
    )]
    Contact,
    /// The patients in this project.
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
    /// Yes, the project is external.
    #[sea_orm(string_value = "Y")]
    Y,
    /// No, the project is internal.
    #[sea_orm(string_value = "N")]
    N,
    /// The third stored value, `M`; the schema does not define its meaning further.
    #[sea_orm(string_value = "M")]
    M,
}

super::enums::impl_from_str!(External);
