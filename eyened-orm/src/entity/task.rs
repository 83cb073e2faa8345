//! The `Task` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `Task`: a grading or annotation job of some kind (its task definition), split into
/// subtasks.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "Task")]
#[eyened(name_column = "TaskName")]
#[eyened(index(name = "CreatorID", columns("CreatorID")))]
#[eyened(index(name = "ContactID", columns("ContactID")))]
#[eyened(index(name = "fk_Task_TaskDefinition1_idx", columns("TaskDefinitionID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "TaskID")]
    pub task_id: i32,
    /// Name of the task (up to 256 characters). Not unique, so `by_name` gives an ambiguity error
    /// when several rows share it.
    #[sea_orm(column_name = "TaskName", column_type = "String(StringLen::N(256))")]
    pub task_name: String,
    /// Free-text description, or NULL.
    #[sea_orm(column_name = "Description", column_type = "Text")]
    pub description: Option<String>,
    /// Who created the task (`Creator.CreatorID`), or NULL.
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: Option<i32>,
    /// The task's contact person (`Contact.ContactID`), or NULL.
    #[sea_orm(column_name = "ContactID")]
    pub contact_id: Option<i32>,
    /// The kind of task and its configuration (`TaskDefinition.TaskDefinitionID`).
    #[sea_orm(column_name = "TaskDefinitionID")]
    pub task_definition_id: i32,
    /// When the row was inserted (server time, no time zone). The database fills it in when the
    /// insert leaves it out.
    #[sea_orm(
        column_name = "DateInserted",
        default_expr = "Expr::current_timestamp()"
    )]
    pub date_inserted: DateTime,
    /// Progress of the task. There is no default, so inserts must set it.
    #[sea_orm(column_name = "TaskState")]
    pub task_state: TaskState,
}

/// Relations of the `Task` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Who created the task, if recorded.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "Task_ibfk_1"
    )]
    Creator,
    /// The task's contact person, if any.
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::ContactId",
        fk_name = "Task_ibfk_2"
    )]
    Contact,
    /// The kind of task and its configuration.
    #[sea_orm(
        belongs_to = "super::task_definition::Entity",
        from = "Column::TaskDefinitionId",
        to = "super::task_definition::Column::TaskDefinitionId",
        fk_name = "Task_ibfk_3"
    )]
    TaskDefinition,
    /// The subtasks of this task.
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
    /// Work has not started.
    #[sea_orm(string_value = "NotStarted")]
    NotStarted,
    /// Work is in progress.
    #[sea_orm(string_value = "Busy")]
    Busy,
    /// All work is done.
    #[sea_orm(string_value = "Finished")]
    Finished,
    /// The task was stopped before it was finished.
    #[sea_orm(string_value = "Aborted")]
    Aborted,
    /// The task is archived: kept, but no longer worked on.
    #[sea_orm(string_value = "Archived")]
    Archived,
}

super::enums::impl_from_str!(TaskState);
