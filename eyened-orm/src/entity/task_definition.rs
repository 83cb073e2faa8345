//! The `TaskDefinition` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `TaskDefinition`: a kind of task, with the configuration the platform uses for tasks
/// of that kind.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "TaskDefinition")]
#[eyened(name_column = "TaskDefinitionName")]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "TaskDefinitionID")]
    pub task_definition_id: i32,
    /// Name of the task kind (up to 256 characters). Not unique, so `by_name` gives an ambiguity
    /// error when several rows share it.
    #[sea_orm(
        column_name = "TaskDefinitionName",
        column_type = "String(StringLen::N(256))"
    )]
    pub task_definition_name: String,
    /// Configuration of this kind of task as JSON, read by the platform application; NULL if none.
    #[sea_orm(column_name = "TaskConfig", column_type = "Json")]
    pub task_config: Option<Json>,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

/// Relations of the `TaskDefinition` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Tasks of this kind.
    #[sea_orm(has_many = "super::task::Entity", via_rel = "Relation::TaskDefinition")]
    Task,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
