//! The `SubTask` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, IntoStaticStr};

use crate::{EyenedTable, Selectors};

/// A row of `SubTask`: one unit of work within a task, usually a set of images to grade or
/// annotate, optionally assigned to a creator.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SubTask")]
#[eyened(index(name = "fk_SubTask_Creator1_idx", columns("CreatorID")))]
#[eyened(index(name = "fk_SubTask_Task1_idx", columns("TaskID")))]
pub struct Model {
    /// Primary key, assigned by the database (auto-increment).
    #[sea_orm(primary_key, column_name = "SubTaskID")]
    pub sub_task_id: i32,
    /// The task this subtask is part of (`Task.TaskID`). Deleting the task deletes its subtasks.
    #[sea_orm(column_name = "TaskID")]
    pub task_id: i32,
    /// The creator the subtask is assigned to (`Creator.CreatorID`), or NULL if unassigned.
    #[sea_orm(column_name = "CreatorID")]
    pub creator_id: Option<i32>,
    /// Free-text comments, or NULL.
    #[sea_orm(column_name = "Comments", column_type = "Text")]
    pub comments: Option<String>,
    /// Progress of the subtask. An `ActiveModel` insert that leaves it unset stores `NotStarted`.
    #[sea_orm(column_name = "TaskState")]
    pub task_state: SubTaskState,
}

/// Relations of the `SubTask` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The task this subtask is part of.
    #[sea_orm(
        belongs_to = "super::task::Entity",
        from = "Column::TaskId",
        to = "super::task::Column::TaskId",
        on_delete = "Cascade",
        fk_name = "SubTask_ibfk_1"
    )]
    Task,
    /// The creator the subtask is assigned to, if any.
    #[sea_orm(
        belongs_to = "super::creator::Entity",
        from = "Column::CreatorId",
        to = "super::creator::Column::CreatorId",
        fk_name = "SubTask_ibfk_2"
    )]
    Creator,
    /// Forms filled in for this subtask.
    #[sea_orm(
        has_many = "super::form_annotation::Entity",
        via_rel = "Relation::SubTask"
    )]
    FormAnnotation,
    /// Segmentations made for this subtask.
    #[sea_orm(
        has_many = "super::segmentation::Entity",
        via_rel = "Relation::SubTask"
    )]
    Segmentation,
    /// Links to the images of this subtask.
    #[sea_orm(
        has_many = "super::sub_task_image_link::Entity",
        via_rel = "Relation::SubTask"
    )]
    SubTaskImageLink,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl Related<super::creator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl Related<super::form_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FormAnnotation.def()
    }
}

impl Related<super::segmentation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segmentation.def()
    }
}

impl Related<super::sub_task_image_link::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTaskImageLink.def()
    }
}

/// Fills the ORM-side default the DDL does not hold: `TaskState = NotStarted` on insert.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert && self.task_state.is_not_set() {
            self.task_state = sea_orm::ActiveValue::Set(SubTaskState::NotStarted);
        }
        Ok(self)
    }
}

/// State of a subtask (`SubTask.TaskState`).
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
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "sub_task_state")]
pub enum SubTaskState {
    /// Work has not started (the default).
    #[sea_orm(string_value = "NotStarted")]
    NotStarted,
    /// Work is in progress.
    #[sea_orm(string_value = "Busy")]
    Busy,
    /// Work is done.
    #[sea_orm(string_value = "Ready")]
    Ready,
}

super::enums::impl_from_str!(SubTaskState);
