//! `Task::from_imagesets` and `SubTask::from_image_ids`.

use std::collections::HashSet;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};

use super::{creator_named, finish, require_images};
use crate::error::{Error, Result};
use crate::select::value_text;
use crate::{
    SubTask, SubTaskState, Task, TaskDefinition, TaskState, sub_task, sub_task_image_link, task,
};

/// Rows per multi-row `INSERT` of image links.
const LINKS_PER_INSERT: usize = 1_000;

impl Task {
    /// Creates a task of the task definition named `taskdef_name`, with one sub-task per image
    /// set, each linked to its images, in one transaction.
    ///
    /// The task and its sub-tasks start as `NotStarted`; the sub-tasks are assigned to the
    /// creator named `creator_name`, if given. An unknown task definition, creator or image id
    /// is an [`Error::NotFound`], two task definitions of that name an [`Error::Ambiguous`], and
    /// nothing is written. An image repeated within one set is linked once.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let task = eyened_orm::Task::from_imagesets(
    ///     &db,
    ///     "grading",
    ///     "batch 7",
    ///     &[vec![1, 2], vec![3]],
    ///     Some("alice"),
    /// )
    /// .await?;
    /// println!("task #{} created", task.task_id);
    /// # Ok(()) }
    /// ```
    pub async fn from_imagesets<C>(
        db: &C,
        taskdef_name: &str,
        task_name: &str,
        imagesets: &[Vec<i32>],
        creator_name: Option<&str>,
    ) -> Result<Task>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let txn = db.begin().await?;
        let result = from_imagesets(&txn, taskdef_name, task_name, imagesets, creator_name).await;
        finish(txn, result).await
    }
}

async fn from_imagesets<T: ConnectionTrait>(
    txn: &T,
    taskdef_name: &str,
    task_name: &str,
    imagesets: &[Vec<i32>],
    creator_name: Option<&str>,
) -> Result<Task> {
    let definition = TaskDefinition::by_name(txn, taskdef_name)
        .await?
        .ok_or_else(|| {
            Error::not_found(
                "TaskDefinition",
                format!("TaskDefinitionName = {}", value_text(&taskdef_name.into())),
            )
        })?;
    let creator_id = match creator_name {
        Some(name) => Some(creator_named(txn, name).await?.creator_id),
        None => None,
    };
    let all: Vec<i32> = imagesets.iter().flatten().copied().collect();
    require_images(txn, &all).await?;

    let task = task::ActiveModel {
        task_name: Set(task_name.to_owned()),
        task_definition_id: Set(definition.task_definition_id),
        task_state: Set(TaskState::NotStarted),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for images in imagesets {
        insert_sub_task(
            txn,
            task.task_id,
            images,
            creator_id,
            SubTaskState::NotStarted,
        )
        .await?;
    }
    Ok(task)
}

impl SubTask {
    /// Creates a sub-task of the task `task_id`, linked to these images, in one transaction.
    ///
    /// `task_state` defaults to `NotStarted`. An unknown task or image id is an
    /// [`Error::NotFound`] and nothing is written. A repeated image is linked once.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let sub_task = eyened_orm::SubTask::from_image_ids(&db, 1, &[4, 5, 6], None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_image_ids<C>(
        db: &C,
        task_id: i32,
        image_ids: &[i32],
        task_state: Option<SubTaskState>,
    ) -> Result<SubTask>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let txn = db.begin().await?;
        let result = async {
            if task::Entity::find_by_id(task_id).one(&txn).await?.is_none() {
                return Err(Error::not_found("Task", format!("TaskID = {task_id}")));
            }
            require_images(&txn, image_ids).await?;
            let state = task_state.unwrap_or(SubTaskState::NotStarted);
            insert_sub_task(&txn, task_id, image_ids, None, state).await
        }
        .await;
        finish(txn, result).await
    }
}

/// Inserts a sub-task and its image links (images already checked).
async fn insert_sub_task<T: ConnectionTrait>(
    txn: &T,
    task_id: i32,
    image_ids: &[i32],
    creator_id: Option<i32>,
    state: SubTaskState,
) -> Result<SubTask> {
    let sub_task = sub_task::ActiveModel {
        task_id: Set(task_id),
        creator_id: Set(creator_id),
        task_state: Set(state),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut seen = HashSet::with_capacity(image_ids.len());
    let links: Vec<sub_task_image_link::ActiveModel> = image_ids
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .map(|id| sub_task_image_link::ActiveModel {
            sub_task_id: Set(sub_task.sub_task_id),
            image_instance_id: Set(id),
        })
        .collect();
    for chunk in links.chunks(LINKS_PER_INSERT) {
        sub_task_image_link::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(sub_task)
}
