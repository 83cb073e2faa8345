//! `Feature::from_list`.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::finish;
use crate::error::{Error, Result};
use crate::{Feature, composite_feature, feature};

impl Feature {
    /// The feature named `feature_name`, made of these sub-features in this order, creating
    /// whatever does not exist yet, in one transaction.
    ///
    /// Existing features are reused (the Python ORM failed on the unique key instead). An
    /// existing feature that already has sub-features keeps them: asking for a different list
    /// is an [`Error::InvalidArgument`]. With no sub-features this is a find-or-create.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
    /// let lesions =
    ///     eyened_orm::Feature::from_list(&db, "Lesions", &["Drusen", "Hemorrhage"]).await?;
    /// let vessels = eyened_orm::Feature::from_list::<_, &str>(&db, "Vessels", &[]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_list<C, S>(db: &C, feature_name: &str, sub_features: &[S]) -> Result<Feature>
    where
        C: ConnectionTrait + TransactionTrait,
        S: AsRef<str>,
    {
        let names: Vec<&str> = sub_features.iter().map(AsRef::as_ref).collect();
        let txn = db.begin().await?;
        let result = from_list(&txn, feature_name, &names).await;
        finish(txn, result).await
    }
}

async fn from_list<T: ConnectionTrait>(
    txn: &T,
    name: &str,
    sub_features: &[&str],
) -> Result<Feature> {
    let parent = find_or_create(txn, name).await?;
    if sub_features.is_empty() {
        return Ok(parent);
    }
    let mut children = Vec::with_capacity(sub_features.len());
    for sub in sub_features {
        let child = find_or_create(txn, sub).await?;
        if child.feature_id == parent.feature_id {
            return Err(Error::InvalidArgument(format!(
                "feature {name:?} cannot be a sub-feature of itself"
            )));
        }
        children.push(child);
    }
    let existing = composite_feature::Entity::find()
        .filter(composite_feature::Column::ParentFeatureId.eq(parent.feature_id))
        .order_by_asc(composite_feature::Column::FeatureIndex)
        .order_by_asc(composite_feature::Column::ChildFeatureId)
        .all(txn)
        .await?;
    let wanted: Vec<(i32, i32)> = children
        .iter()
        .enumerate()
        .map(|(i, c)| (index(i), c.feature_id))
        .collect();
    if existing.is_empty() {
        let links = wanted
            .iter()
            .map(|&(i, child)| composite_feature::ActiveModel {
                parent_feature_id: Set(parent.feature_id),
                child_feature_id: Set(child),
                feature_index: Set(i),
            });
        composite_feature::Entity::insert_many(links)
            .exec_without_returning(txn)
            .await?;
        return Ok(parent);
    }
    let have: Vec<(i32, i32)> = existing
        .iter()
        .map(|l| (l.feature_index, l.child_feature_id))
        .collect();
    if have == wanted {
        return Ok(parent);
    }
    let mut have_names = Vec::with_capacity(existing.len());
    for link in &existing {
        let child = Feature::by_id(txn, link.child_feature_id).await?;
        have_names
            .push(child.map_or_else(|| format!("#{}", link.child_feature_id), |c| c.feature_name));
    }
    Err(Error::InvalidArgument(format!(
        "feature {name:?} already has the sub-features {have_names:?}, not {sub_features:?}: \
         use another name or change the stored list first"
    )))
}

async fn find_or_create<T: ConnectionTrait>(txn: &T, name: &str) -> Result<Feature> {
    if let Some(found) = Feature::by_name(txn, name).await? {
        return Ok(found);
    }
    Ok(feature::ActiveModel {
        feature_name: Set(name.to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// A list position as `FeatureIndex` (lists this long do not fit a row anyway).
fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}
