//! `Task` helpers.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};

use super::ordered;
use crate::error::Result;
use crate::{FormAnnotation, Task, form_annotation, sub_task};

impl Task {
    /// The form annotations made in this task's sub-tasks, optionally only those of one form
    /// schema, in `FormAnnotationID` order. Inactive ones are included, as in the Python ORM.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(task) = eyened_orm::Task::by_id(&db, 1).await? {
    ///     let all = task.get_form_annotations(&db, None).await?;
    ///     let of_schema_3 = task.get_form_annotations(&db, Some(3)).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_form_annotations<C>(
        &self,
        db: &C,
        form_schema_id: Option<i32>,
    ) -> Result<Vec<FormAnnotation>>
    where
        C: ConnectionTrait,
    {
        let mut select = form_annotation::Entity::find()
            .join(
                JoinType::InnerJoin,
                form_annotation::Relation::SubTask.def(),
            )
            .filter(sub_task::Column::TaskId.eq(self.task_id));
        if let Some(id) = form_schema_id {
            select = select.filter(form_annotation::Column::FormSchemaId.eq(id));
        }
        Ok(ordered(select).all(db).await?)
    }
}
