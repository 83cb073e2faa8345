//! `Study` and `Series` selectors, their images, and the patient's age at a study.

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::IntoCondition;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::{Error, Result};
use crate::{ImageInstance, Patient, Series, Study, series, study};

impl Study {
    /// Selects the study of this patient on this date, or `None` (the pair is unique).
    ///
    /// ```no_run
    /// use chrono::NaiveDate;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let date = NaiveDate::from_ymd_opt(2024, 3, 5).ok_or("bad date")?;
    /// let study = eyened_orm::Study::by_patient_and_date(&db, 1, date).await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_patient_and_date<C>(
        db: &C,
        patient_id: i32,
        study_date: NaiveDate,
    ) -> Result<Option<Study>>
    where
        C: ConnectionTrait,
    {
        Ok(study::Entity::find()
            .filter(study::Column::PatientId.eq(patient_id))
            .filter(study::Column::StudyDate.eq(study_date))
            .one(db)
            .await?)
    }

    /// The age in years (days / 365.25) of a patient born on `birth_date` at this study, or
    /// `None` without a birth date.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let study = eyened_orm::Study {
    ///     study_id: 1,
    ///     patient_id: 1,
    ///     study_round: None,
    ///     study_description: None,
    ///     study_date: NaiveDate::from_ymd_opt(2024, 3, 5).ok_or("bad date")?,
    ///     date_inserted: Default::default(),
    /// };
    /// let born = NaiveDate::from_ymd_opt(1961, 4, 12);
    /// let age = study.age_years(born).ok_or("no age")?;
    /// assert!((age - 62.9).abs() < 0.01);
    /// # Ok(()) }
    /// ```
    pub fn age_years(&self, birth_date: Option<NaiveDate>) -> Option<f64> {
        let born = birth_date?;
        let days = self.study_date.num_days_from_ce() - born.num_days_from_ce();
        Some(f64::from(days) / 365.25)
    }

    /// The age in years of this study's patient at this study (see [`Study::age_years`]),
    /// reading the patient's birth date; `None` if it is not recorded.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(study) = eyened_orm::Study::by_id(&db, 1).await? {
    ///     println!("age {:?}", study.patient_age_years(&db).await?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn patient_age_years<C>(&self, db: &C) -> Result<Option<f64>>
    where
        C: ConnectionTrait,
    {
        let patient = Patient::by_id(db, self.patient_id).await?.ok_or_else(|| {
            Error::not_found("Patient", format!("PatientID = {}", self.patient_id))
        })?;
        Ok(self.age_years(patient.birth_date))
    }

    /// The active images of this study, in `ImageInstanceID` order.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(study) = eyened_orm::Study::by_id(&db, 1).await? {
    ///     let images = study.get_images(&db).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_images<C>(&self, db: &C) -> Result<Vec<ImageInstance>>
    where
        C: ConnectionTrait,
    {
        ImageInstance::where_(db, self.images()).await
    }

    /// The active images of this study that also satisfy `condition` (see
    /// [`ImageInstance::where_`] for the tables it may use).
    ///
    /// ```no_run
    /// use eyened_orm::{Laterality, image_instance};
    /// use sea_orm::ColumnTrait;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(study) = eyened_orm::Study::by_id(&db, 1).await? {
    ///     let right = study
    ///         .get_images_where(&db, image_instance::Column::Laterality.eq(Laterality::R))
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

    /// The images of this study, inactive ones included.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(study) = eyened_orm::Study::by_id(&db, 1).await? {
    ///     let all = study.get_images_including_inactive(&db).await?;
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
        Condition::all().add(series::Column::StudyId.eq(self.study_id))
    }
}

impl Series {
    /// The active images of this series, in `ImageInstanceID` order.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(series) = eyened_orm::Series::by_id(&db, 1).await? {
    ///     let images = series.get_images(&db).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_images<C>(&self, db: &C) -> Result<Vec<ImageInstance>>
    where
        C: ConnectionTrait,
    {
        ImageInstance::where_(db, self.images()).await
    }

    /// The active images of this series that also satisfy `condition` (see
    /// [`ImageInstance::where_`] for the tables it may use).
    ///
    /// ```no_run
    /// use eyened_orm::{Modality, image_instance};
    /// use sea_orm::ColumnTrait;
    ///
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(series) = eyened_orm::Series::by_id(&db, 1).await? {
    ///     let oct = series
    ///         .get_images_where(&db, image_instance::Column::Modality.eq(Modality::OCT))
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

    /// The images of this series, inactive ones included.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(series) = eyened_orm::Series::by_id(&db, 1).await? {
    ///     let all = series.get_images_including_inactive(&db).await?;
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
        Condition::all().add(crate::image_instance::Column::SeriesId.eq(self.series_id))
    }
}
