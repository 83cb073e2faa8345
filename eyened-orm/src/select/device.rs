//! Selectors of the device and lookup tables: `DeviceModel`, `Modality`, `Scan`.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::Result;
use crate::{DeviceModel, ModalityTable, Scan, device_model, modality, scan};

impl DeviceModel {
    /// Selects the device model with this manufacturer and model name, or `None` (the pair is
    /// unique). `by_name` matches the model name alone, which is not.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let camera = eyened_orm::DeviceModel::by_manufacturer(&db, "Topcon", "TRC-NW8").await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_manufacturer<C>(
        db: &C,
        manufacturer: &str,
        manufacturer_model_name: &str,
    ) -> Result<Option<DeviceModel>>
    where
        C: ConnectionTrait,
    {
        Ok(device_model::Entity::find()
            .filter(device_model::Column::Manufacturer.eq(manufacturer))
            .filter(device_model::Column::ManufacturerModelName.eq(manufacturer_model_name))
            .one(db)
            .await?)
    }
}

impl ModalityTable {
    /// Selects the `Modality` row with this `ModalityTag` (unique), or `None`.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let fundus = eyened_orm::ModalityTable::by_tag(&db, "ColorFundus").await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_tag<C>(db: &C, modality_tag: &str) -> Result<Option<ModalityTable>>
    where
        C: ConnectionTrait,
    {
        Self::by_column(db, modality::Column::ModalityTag, modality_tag).await
    }
}

impl Scan {
    /// Selects the `Scan` row with this `ScanMode` (unique), or `None`.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let scan = eyened_orm::Scan::by_mode(&db, "Macula 6x6").await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_mode<C>(db: &C, scan_mode: &str) -> Result<Option<Scan>>
    where
        C: ConnectionTrait,
    {
        Self::by_column(db, scan::Column::ScanMode, scan_mode).await
    }
}
