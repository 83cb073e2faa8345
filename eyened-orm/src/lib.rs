//! eyened-orm: the Rust data layer of the Eyened ophthalmic-imaging platform.
//!
//! Entities are SeaORM models, one per table of the Eyened MySQL/MariaDB schema. Model types are
//! re-exported here under their table names (`eyened_orm::ImageInstance`), and each table's
//! module under its snake-case name for query building (`eyened_orm::image_instance::Column`).
//! The `Modality` table's model is `ModalityTable`, as `Modality` is the image modality enum.
//!
//! ```no_run
//! use eyened_orm::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
//! use eyened_orm::{ImageInstance, Laterality, Task, config, image_instance};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // DATABASE_URL, or the platform's DATABASE_USER/PASSWORD/HOST/PORT/NAME.
//! let db = config::resolve(None, None)?.connect().await?;
//! let img: Option<ImageInstance> = ImageInstance::by_id(&db, 42).await?;
//! let imgs: Vec<ImageInstance> = ImageInstance::by_ids(&db, &[3, 1, 2]).await?; // in that order
//! let task: Task =
//!     Task::from_imagesets(&db, "grading", "batch 7", &[vec![1, 2], vec![3]], Some("alice")).await?;
//!
//! // Plain SeaORM works on every entity: modules carry Entity, Column, ActiveModel, Relation.
//! let right_eyes = image_instance::Entity::find()
//!     .filter(image_instance::Column::Laterality.eq(Laterality::R))
//!     .all(&db)
//!     .await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

// Lets the derive macros name `::eyened_orm` from inside this crate too.
extern crate self as eyened_orm;

pub mod config;
#[cfg(feature = "tools")]
pub mod dataset;
pub mod entity;
#[cfg(feature = "files")]
pub mod files;
pub mod migrate;
#[cfg(feature = "tools")]
pub mod mirror;
pub mod schema;
pub mod sql;

pub use eyened_orm_derive::EyenedTable;
/// The SeaORM this crate is built on, for plain SeaORM queries on the entities
/// (`use eyened_orm::sea_orm::{EntityTrait, QueryFilter}`) without a second, possibly
/// mismatched, `sea-orm` dependency with its own default features.
pub use sea_orm;

pub use entity::{
    annotation, annotation_data, annotation_tag, annotation_type, attribute_definition,
    attribute_value, attribute_value_input, attributes_model, attributes_model_output,
    composite_feature, contact, creator, creator_tag, device_instance, device_model, feature,
    form_annotation, form_annotation_tag, form_schema, image_instance, image_instance_tag,
    modality, model, model_input, model_segmentation, patient, project, scan, segmentation,
    segmentation_model, segmentation_tag, series, source_info, study, study_tag, sub_task,
    sub_task_image_link, tag, task, task_definition,
};

// Model types, named after their tables.
pub use entity::annotation::Model as Annotation;
pub use entity::annotation_data::Model as AnnotationData;
pub use entity::annotation_tag::Model as AnnotationTag;
pub use entity::annotation_type::Model as AnnotationType;
pub use entity::attribute_definition::Model as AttributeDefinition;
pub use entity::attribute_value::Model as AttributeValue;
pub use entity::attribute_value_input::Model as AttributeValueInput;
pub use entity::attributes_model::Model as AttributesModel;
pub use entity::attributes_model_output::Model as AttributesModelOutput;
pub use entity::composite_feature::Model as CompositeFeature;
pub use entity::contact::Model as Contact;
pub use entity::creator::Model as Creator;
pub use entity::creator_tag::Model as CreatorTag;
pub use entity::device_instance::Model as DeviceInstance;
pub use entity::device_model::Model as DeviceModel;
pub use entity::feature::Model as Feature;
pub use entity::form_annotation::Model as FormAnnotation;
pub use entity::form_annotation_tag::Model as FormAnnotationTag;
pub use entity::form_schema::Model as FormSchema;
pub use entity::image_instance::Model as ImageInstance;
pub use entity::image_instance_tag::Model as ImageInstanceTag;
pub use entity::modality::Model as ModalityTable;
pub use entity::model::Model;
pub use entity::model_input::Model as ModelInput;
pub use entity::model_segmentation::Model as ModelSegmentation;
pub use entity::patient::Model as Patient;
pub use entity::project::Model as Project;
pub use entity::scan::Model as Scan;
pub use entity::segmentation::Model as Segmentation;
pub use entity::segmentation_model::Model as SegmentationModel;
pub use entity::segmentation_tag::Model as SegmentationTag;
pub use entity::series::Model as Series;
pub use entity::source_info::Model as SourceInfo;
pub use entity::study::Model as Study;
pub use entity::study_tag::Model as StudyTag;
pub use entity::sub_task::Model as SubTask;
pub use entity::sub_task_image_link::Model as SubTaskImageLink;
pub use entity::tag::Model as Tag;
pub use entity::task::Model as Task;
pub use entity::task_definition::Model as TaskDefinition;

/// The enums of the schema, each mapped to a SQL `ENUM` of its variant names in order.
pub mod enums {
    pub use crate::entity::attribute_definition::AttributeDataType;
    pub use crate::entity::enums::DataRepresentation;
    pub use crate::entity::enums::DataType;
    pub use crate::entity::enums::Laterality;
    pub use crate::entity::form_schema::EntityType;
    pub use crate::entity::image_instance::EtdrsField;
    pub use crate::entity::image_instance::Modality;
    pub use crate::entity::image_instance::ModalityType;
    pub use crate::entity::model::ModelKind;
    pub use crate::entity::patient::Sex;
    pub use crate::entity::project::External;
    pub use crate::entity::sub_task::SubTaskState;
    pub use crate::entity::tag::TagType;
    pub use crate::entity::task::TaskState;
}
pub use enums::*;

#[cfg(feature = "tools")]
pub mod cli;
pub mod create;
pub mod error;
#[cfg(feature = "tools")]
pub mod import;
#[cfg(feature = "tools")]
pub mod load_data;
#[cfg(any(feature = "tools", feature = "files"))]
pub mod progress;
pub mod select;
#[cfg(feature = "tools")]
pub mod verify;
#[cfg(feature = "tools")]
mod yaml;

pub use create::NewAnnotation;
pub use error::Error;
pub use eyened_orm_derive::Selectors;
