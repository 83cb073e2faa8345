//! The `Task` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Task")]
#[eyened(name_column = "TaskName")]
#[eyened(index(name = "CreatorID", columns("CreatorID")))]
#[eyened(index(name = "ContactID", columns("ContactID")))]
#[eyened(index(name = "fk_Task_TaskDefinition1_idx", columns("TaskDefinitionID")))]
pub struct Model {
    #[sea_orm(primary_key, column_name = "TaskID")]
    pub task_id: i32,
    #[sea_orm(column_name = "TaskName", column_type = "String(StringLen::N(256))")]
    pub task_name: String,
    #[sea_orm(column_name = "Description", column_type = "Text")]
    pub description: Option<String>,
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: Option<i32>,
    #[sea_orm(column_name = "ContactID")]
    pub contact_id: Option<i32>,
    #[sea_orm(column_name = "TaskDefinitionID")]
    pub task_definition_id: i32,
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    #[sea_orm(column_name = "TaskState")]
    pub task_state: TaskState,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Task_ibfk_1"
    )]
    Creator,
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::ContactId",
        fk_name = "Task_ibfk_2"
    )]
    Contact,
    #[sea_orm(
        belongs_to = "super::task_definition::Entity",
        from = "Column::TaskDefinitionId",
        to = "super::task_definition::Column::TaskDefinitionId",
        fk_name = "Task_ibfk_3"
    )]
    TaskDefinition,
    #[sea_orm(has_many = "super::sub_task::Entity", via_rel = "Relation::Task")]
    SubTask,
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl Related<super::task_definition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskDefinition.def()
    }
}

impl Related<super::sub_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTask.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// State of a task (`Task.TaskState`).
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
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "task_state")]
pub enum TaskState {
    #[sea_orm(string_value = "NotStarted")]
    NotStarted,
    #[sea_orm(string_value = "Busy")]
    Busy,
    #[sea_orm(string_value = "Finished")]
    Finished,
    #[sea_orm(string_value = "Aborted")]
    Aborted,
    #[sea_orm(string_value = "Archived")]
    Archived,
}

super::enums::impl_from_str!(TaskState);
