//! `Patient` selectors and its images.

use sea_orm::sea_query::IntoCondition;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::ordered;
use crate::error::Result;
use crate::{ImageInstance, Patient, patient, study};

impl Patient {
    /// Selects the patient with this `PatientIdentifier` in this project, or `None` (the pair is
    /// unique).
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let patient = eyened_orm::Patient::by_project_and_identifier(&db, 1, "P-0001").await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_project_and_identifier<C>(
        db: &C,
        project_id: i32,
        patient_identifier: &str,
    ) -> Result<Option<Patient>>
    where
        C: ConnectionTrait,
    {
        Ok(patient::Entity::find()
            .filter(patient::Column::ProjectId.eq(project_id))
            .filter(patient::Column::PatientIdentifier.eq(patient_identifier))
            .one(db)
            .await?)
    }

    /// Selects every patient with this `PatientIdentifier`, across all projects, in `PatientID`
    /// order.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let patients = eyened_orm::Patient::by_identifier(&db, "P-0001").await?;
    /// println!("{} projects have a patient P-0001", patients.len());
    /// # Ok(()) }
    /// ```
    pub async fn by_identifier<C>(db: &C, patient_identifier: &str) -> Result<Vec<Patient>>
    where
        C: ConnectionTrait,
    {
        Ok(ordered(
            patient::Entity::find()
                .filter(patient::Column::PatientIdentifier.eq(patient_identifier)),
        )
        .all(db)
        .await?)
    }

    /// The active images of this patient (of all its studies), in `ImageInstanceID` order.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(patient) = eyened_orm::Patient::by_id(&db, 1).await? {
    ///     let images = patient.get_images(&db).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_images<C>(&self, db: &C) -> Result<Vec<ImageInstance>>
    where
        C: ConnectionTrait,
    {
        ImageInstance::where_(db, self.images()).await
    }

    /// The active images of this patient that also satisfy `condition`, which may use the
    /// columns of every table [`ImageInstance::where_`] joins.
    ///
    /// ```no_run
    /// use eyened_orm::{Laterality, image_instance};
    /// use sea_orm::ColumnTrait;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(patient) = eyened_orm::Patient::by_id(&db, 1).await? {
    ///     let left = patient
    ///         .get_images_where(&db, image_instance::Column::Laterality.eq(Laterality::L))
    ///         .await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_images_where<C, F>(&self, db: &C, condition: F) -> Result<Vec<ImageInstance>>
    where
        C: ConnectionTrait,
        F: IntoCondition,
    {
        ImageInstance::where_(db, self.images().add(condition.into_condition())).await
    }

    /// The images of this patient, inactive ones included.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(patient) = eyened_orm::Patient::by_id(&db, 1).await? {
    ///     let all = patient.get_images_including_inactive(&db).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_images_including_inactive<C>(&self, db: &C) -> Result<Vec<ImageInstance>>
    where
        C: ConnectionTrait,
    {
        ImageInstance::where_including_inactive(db, self.images()).await
    }

    fn images(&self) -> Condition {
        Condition::all().add(study::Column::PatientId.eq(self.patient_id))
    }
}
