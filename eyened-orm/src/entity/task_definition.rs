//! The `TaskDefinition` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "TaskDefinition")]
#[eyened(name_column = "TaskDefinitionName")]
pub struct Model {
    #[sea_orm(primary_key, column_name = "TaskDefinitionID")]
    pub task_definition_id: i32,
    #[sea_orm(
        column_name = "TaskDefinitionName",
        column_type = "String(StringLen::N(256))"
    )]
    pub task_definition_name: String,
    #[sea_orm(column_name = "TaskConfig", column_type = "Json")]
    pub task_config: Option<Json>,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::task::Entity", via_rel = "Relation::TaskDefinition")]
    Task,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
