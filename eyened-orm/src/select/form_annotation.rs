//! `FormAnnotation` selectors.

use sea_orm::{ColumnTrait, Condition, ConnectionTrait};

use super::value_text;
use crate::error::{Error, Result};
use crate::{Creator, FormAnnotation, FormSchema, form_annotation};

impl FormAnnotation {
    /// The active form annotations of the form schema named `schema_name`, optionally only those
    /// by the creator named `creator_name`, in `FormAnnotationID` order.
    ///
    /// An unknown schema or creator name gives [`Error::NotFound`] (the Python ORM returned an
    /// empty list for an unknown schema and failed on an unknown creator). For inactive rows or
    /// other filters use [`FormAnnotation::where_including_inactive`].
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let mine =
    ///     eyened_orm::FormAnnotation::by_schema_and_creator(&db, "registration", Some("alice"))
    ///         .await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_schema_and_creator<C>(
        db: &C,
        schema_name: &str,
        creator_name: Option<&str>,
    ) -> Result<Vec<FormAnnotation>>
    where
        C: ConnectionTrait,
    {
        let schema = FormSchema::by_name(db, schema_name).await?.ok_or_else(|| {
            Error::not_found(
                "FormSchema",
                format!("SchemaName = {}", value_text(&schema_name.into())),
            )
        })?;
        let mut condition =
            Condition::all().add(form_annotation::Column::FormSchemaId.eq(schema.form_schema_id));
        if let Some(name) = creator_name {
            let creator = Creator::by_name(db, name).await?.ok_or_else(|| {
                Error::not_found(
                    "Creator",
                    format!("CreatorName = {}", value_text(&name.into())),
                )
            })?;
            condition = condition.add(form_annotation::Column::CreatorId.eq(creator.creator_id));
        }
        Self::where_(db, condition).await
    }
}
