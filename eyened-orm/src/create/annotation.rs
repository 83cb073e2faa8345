//! `Annotation::create`.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, TransactionTrait};

use super::finish;
use crate::error::{Error, Result};
use crate::{
    Annotation, AnnotationType, Creator, Feature, ImageInstance, Series, Study, annotation,
};

/// What [`Annotation::create`] needs: the image and the feature, creator and annotation type,
/// by id. Patient, study and series are taken from the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAnnotation {
    /// `ImageInstanceID` of the annotated image; its series, study and patient follow from it.
    pub image_instance_id: i32,
    /// `FeatureID`: what is annotated.
    pub feature_id: i32,
    /// `CreatorID`: the person or model the annotation is by.
    pub creator_id: i32,
    /// `AnnotationTypeID`: how the annotation's data is to be read (e.g. `Binary mask`).
    pub annotation_type_id: i32,
}

impl Annotation {
    /// Creates an active annotation of an image, with its `PatientID`, `StudyID` and `SeriesID`
    /// taken from the image, and its `FeatureID` set (the Python ORM's `Annotation.create` left
    /// it NULL).
    ///
    /// An unknown image, feature, creator or annotation type is an [`Error::NotFound`] and
    /// nothing is written.
    ///
    /// ```no_run
    /// use eyened_orm::{Annotation, NewAnnotation};
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let annotation = Annotation::create(
    ///     &db,
    ///     NewAnnotation {
    ///         image_instance_id: 42,
    ///         feature_id: 3,
    ///         creator_id: 1,
    ///         annotation_type_id: 2,
    ///     },
    /// )
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create<C>(db: &C, new: NewAnnotation) -> Result<Annotation>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let txn = db.begin().await?;
        let result = create(&txn, new).await;
        finish(txn, result).await
    }
}

async fn create<T: ConnectionTrait>(txn: &T, new: NewAnnotation) -> Result<Annotation> {
    let image = ImageInstance::by_id(txn, new.image_instance_id)
        .await?
        .ok_or_else(|| {
            Error::not_found(
                "ImageInstance",
                format!("ImageInstanceID = {}", new.image_instance_id),
            )
        })?;
    let series = Series::by_id(txn, image.series_id)
        .await?
        .ok_or_else(|| Error::not_found("Series", format!("SeriesID = {}", image.series_id)))?;
    let study = Study::by_id(txn, series.study_id)
        .await?
        .ok_or_else(|| Error::not_found("Study", format!("StudyID = {}", series.study_id)))?;
    if Feature::by_id(txn, new.feature_id).await?.is_none() {
        return Err(Error::not_found(
            "Feature",
            format!("FeatureID = {}", new.feature_id),
        ));
    }
    if Creator::by_id(txn, new.creator_id).await?.is_none() {
        return Err(Error::not_found(
            "Creator",
            format!("CreatorID = {}", new.creator_id),
        ));
    }
    if AnnotationType::by_id(txn, new.annotation_type_id)
        .await?
        .is_none()
    {
        return Err(Error::not_found(
            "AnnotationType",
            format!("AnnotationTypeID = {}", new.annotation_type_id),
        ));
    }
    Ok(annotation::ActiveModel {
        patient_id: Set(study.patient_id),
        study_id: Set(Some(study.study_id)),
        series_id: Set(Some(series.series_id)),
        image_instance_id: Set(Some(image.image_instance_id)),
        creator_id: Set(new.creator_id),
        feature_id: Set(new.feature_id),
        annotation_type_id: Set(new.annotation_type_id),
        inactive: Set(false),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}
