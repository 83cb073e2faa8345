//! The `SubTaskImageLink` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{EyenedTable, Selectors};

/// A row of `SubTaskImageLink`: puts one image in one subtask.
#[derive(
    Clone, Debug, PartialEq, DeriveEntityModel, EyenedTable, Selectors, Serialize, Deserialize,
)]
#[sea_orm(table_name = "SubTaskImageLink")]
#[eyened(index(name = "fk_SubTaskImageLink_SubTask1_idx", columns("SubTaskID")))]
#[eyened(index(
    name = "fk_SubTaskImageLink_ImageInstance1_idx",
    columns("ImageInstanceID")
))]
pub struct Model {
    /// The subtask (`SubTask.SubTaskID`); first half of the primary key. Deleting the subtask
    /// removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "SubTaskID")]
    pub sub_task_id: i32,
    /// The image (`ImageInstance.ImageInstanceID`); second half of the primary key. Deleting the
    /// image removes this link.
    #[sea_orm(primary_key, auto_increment = false, column_name = "ImageInstanceID")]
    pub image_instance_id: i32,
}

/// Relations of the `SubTaskImageLink` table to other tables.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The subtask.
    #[sea_orm(
        belongs_to = "super::sub_task::Entity",
        from = "Column::SubTaskId",
        to = "super::sub_task::Column::SubTaskId",
        on_delete = "Cascade",
        fk_name = "SubTaskImageLink_ibfk_1"
    )]
    SubTask,
    /// The image.
    #[sea_orm(
        belongs_to = "super::image_instance::Entity",
        from = "Column::ImageInstanceId",
        to = "super::image_instance::Column::ImageInstanceId",
        on_delete = "Cascade",
        fk_name = "SubTaskImageLink_ibfk_2"
    )]
    ImageInstance,
}

impl Related<super::sub_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SubTask.def()
    }
}

impl Related<super::image_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ImageInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
