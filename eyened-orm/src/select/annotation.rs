//! `AnnotationData` selectors.

use sea_orm::ConnectionTrait;

use crate::AnnotationData;
use crate::error::{Error, Result};

impl AnnotationData {
    /// Selects annotation data by its composite id `"<AnnotationID>_<ScanNr>"` (e.g. `"12_0"`),
    /// or `None`. A malformed id gives [`Error::InvalidArgument`].
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let data = eyened_orm::AnnotationData::by_composite_id(&db, "12_0").await?;
    /// # Ok(()) }
    /// ```
    pub async fn by_composite_id<C>(db: &C, composite_id: &str) -> Result<Option<AnnotationData>>
    where
        C: ConnectionTrait,
    {
        let pk = parse_composite_id(composite_id)?;
        Self::by_pk(db, pk).await
    }
}

/// `"12_0"` → `(12, 0)`.
fn parse_composite_id(id: &str) -> Result<(i32, i32)> {
    let malformed = |why: &str| {
        Error::InvalidArgument(format!(
            "annotation data id {id:?} is malformed ({why}): expected \"<AnnotationID>_<ScanNr>\", e.g. \"12_0\""
        ))
    };
    let (annotation, scan) = id.split_once('_').ok_or_else(|| malformed("no `_`"))?;
    let annotation = annotation
        .parse()
        .map_err(|_| malformed("the AnnotationID is not an integer"))?;
    let scan = scan
        .parse()
        .map_err(|_| malformed("the ScanNr is not an integer"))?;
    Ok((annotation, scan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_ids() {
        assert_eq!(parse_composite_id("12_0").ok(), Some((12, 0)));
        assert_eq!(parse_composite_id("-1_3").ok(), Some((-1, 3)));
        for bad in ["5", "", "_", "a_1", "1_b", "1_2_3", "1_", " 1_2"] {
            let err = parse_composite_id(bad).expect_err(bad);
            assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err}");
            assert!(err.to_string().contains("12_0"), "{err}");
        }
    }
}
