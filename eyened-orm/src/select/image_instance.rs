//! `ImageInstance` helpers.

use crate::ImageInstance;

impl ImageInstance {
    /// `(frames, rows, columns)`: `NrOfFrames` (1 when unset), `Rows_y`, `Columns_x`; `None`
    /// while the image's size is not recorded.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(image) = eyened_orm::ImageInstance::by_id(&db, 1).await? {
    ///     if let Some((frames, rows, columns)) = image.shape() {
    ///         println!("{frames} x {rows} x {columns}, 3D: {}", image.is_3d());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn shape(&self) -> Option<(i32, i32, i32)> {
        Some((
            self.nr_of_frames.unwrap_or(1),
            self.rows_y?,
            self.columns_x?,
        ))
    }

    /// Whether the image has more than one frame (`NrOfFrames > 1`), as OCT volumes do.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let volumes: Vec<_> = eyened_orm::ImageInstance::fetch_all(&db)
    ///     .await?
    ///     .into_iter()
    ///     .filter(|image| image.is_3d())
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub fn is_3d(&self) -> bool {
        self.nr_of_frames.is_some_and(|n| n > 1)
    }

    /// Whether the image is a single frame: the opposite of [`ImageInstance::is_3d`].
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// if let Some(image) = eyened_orm::ImageInstance::by_id(&db, 1).await? {
    ///     assert_ne!(image.is_2d(), image.is_3d());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_2d(&self) -> bool {
        !self.is_3d()
    }
}
