//! Selectors: the `by_*` functions every model has, and the entity-specific ones.
//!
//! `#[derive(Selectors)]` on each entity's `Model` generates, as inherent associated functions
//! (so `eyened_orm::ImageInstance::by_id(&db, 42)` needs no trait import):
//!
//! | function | on | returns |
//! |---|---|---|
//! | `by_id(db, id)` | single-column primary key | `Option<Self>` |
//! | `by_ids(db, &[ids])` | single-column primary key | rows in the order of `ids`, each once, missing ids left out; no query for `&[]` |
//! | `by_pk(db, pk)` | every entity; a tuple in primary-key column order for composite keys | `Option<Self>` |
//! | `fetch_all(db)` | every entity | every row, inactive ones too, in primary-key order |
//! | `by_column(db, Column::X, value)` | every entity | the one matching row, `None`, or [`Error::Ambiguous`] |
//! | `by_columns(db, [(Column::X, value.into()), ...])` | every entity | every matching row |
//! | `where_(db, condition)` | every entity | matching rows, without inactive ones |
//! | `where_including_inactive(db, condition)` | entities with `Inactive` | matching rows, inactive ones too |
//! | `by_name(db, name)` | entities with a name column | the one matching row, `None`, or [`Error::Ambiguous`] |
//! | `name_to_id(db)` | entities with a name column | name → primary key, or [`Error::Ambiguous`] on a repeated name |
//!
//! In `by_column`, `by_columns` and `by_name`, a `None` value means `IS NULL`; comparisons follow
//! the column's collation (case-insensitive on the Eyened server). Only `where_` leaves out
//! inactive rows (`Inactive = 1` on `Annotation`, `FormAnnotation`, `ImageInstance`,
//! `Segmentation`); the other selectors return them, as the Python ORM does.
//!
//! `ImageInstance::where_` joins `Series`, `Study`, `Patient`, `Project` (inner) and `Scan`,
//! `DeviceInstance`, `DeviceModel` (left), so a condition may use their columns:
//!
//! ```no_run
//! use eyened_orm::{ImageInstance, Laterality, image_instance, project};
//! use sea_orm::{ColumnTrait, Condition};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = sea_orm::Database::connect(std::env::var("DATABASE_URL")?).await?;
//! let right_eyes: Vec<ImageInstance> = ImageInstance::where_(
//!     &db,
//!     Condition::all()
//!         .add(project::Column::ProjectName.eq("Rotterdam Study"))
//!         .add(image_instance::Column::Laterality.eq(Laterality::R)),
//! )
//! .await?;
//! # Ok(()) }
//! ```
//!
//! Every selector takes `&C` with `C: sea_orm::ConnectionTrait`, so it runs on a connection or
//! inside a caller's transaction alike.

mod annotation;
mod device;
mod form_annotation;
mod image_instance;
mod patient;
mod study;
mod task;

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::OnceLock;

use sea_orm::sea_query::{MysqlQueryBuilder, QueryBuilder};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, PaginatorTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select, Statement, TryGetable, Value,
};

use crate::error::{Error, Result};

/// How many ids one `IN (...)` list holds; longer lists are split (placeholder limits).
const IN_CHUNK: usize = 10_000;

/// A value as SQL literal text, for error messages (`'P-0001'`, `42`, `NULL`).
pub(crate) fn value_text(value: &Value) -> String {
    MysqlQueryBuilder.value_to_string(value)
}

/// `SELECT … FROM E` ordered by the primary key, so results do not depend on the plan.
pub(crate) fn ordered<E: EntityTrait>(select: Select<E>) -> Select<E> {
    E::PrimaryKey::iter().fold(select, |s, pk| s.order_by_asc(pk.into_column()))
}

/// The one row `select` finds, `None`, or `Ambiguous` naming `column = value` and the count.
pub(crate) async fn at_most_one<E, C>(
    db: &C,
    select: Select<E>,
    column: E::Column,
    value: &Value,
) -> Result<Option<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let mut rows = select.clone().limit(2).all(db).await?;
    match rows.len() {
        0 | 1 => Ok(rows.pop()),
        _ => Err(Error::Ambiguous {
            entity: E::default().table_name(),
            column: column.as_str(),
            value: value_text(value),
            count: select.count(db).await?,
        }),
    }
}

/// Support code of `#[derive(Selectors)]`; not a stable API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    pub use crate::error::{Error, Result};

    /// The SQL of a select-by-primary-key, built once per backend: `by_id` and `by_pk` are the
    /// hottest selectors, and building the statement (40 columns for `ImageInstance`) is most of
    /// what SeaORM adds to the round trip.
    pub struct CachedByPk {
        mysql: OnceLock<(String, Vec<Value>)>,
        sqlite: OnceLock<(String, Vec<Value>)>,
        postgres: OnceLock<(String, Vec<Value>)>,
    }

    impl CachedByPk {
        #[allow(clippy::new_without_default)] // used in `static`s
        pub const fn new() -> Self {
            Self {
                mysql: OnceLock::new(),
                sqlite: OnceLock::new(),
                postgres: OnceLock::new(),
            }
        }
    }

    /// `find_by_id(pk).one(db)`, with the statement text from `cache`. `pk` holds the key's
    /// values in primary-key order (never NULL, so the SQL does not depend on them); `select`
    /// builds the query the first time for each backend.
    pub async fn one_by_pk<E, C>(
        db: &C,
        cache: &'static CachedByPk,
        pk: Vec<Value>,
        select: impl FnOnce() -> Select<E>,
    ) -> Result<Option<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
    {
        let backend = db.get_database_backend();
        let slot = match backend {
            DbBackend::MySql => &cache.mysql,
            DbBackend::Sqlite => &cache.sqlite,
            _ => &cache.postgres,
        };
        let n = pk.len();
        let (sql, rest) = slot.get_or_init(|| {
            // `one()` adds `LIMIT 1`; its value follows the key's.
            let built = select().limit(1).build(backend);
            let values = built.values.map(|v| v.0).unwrap_or_default();
            (built.sql, values.into_iter().skip(n).collect())
        });
        let mut values = pk;
        values.extend(rest.iter().cloned());
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
            .await?;
        Ok(row
            .map(|row| E::Model::from_query_result(&row, ""))
            .transpose()?)
    }

    pub async fn by_ids<E, C, K>(
        db: &C,
        column: E::Column,
        ids: &[K],
        key: fn(&E::Model) -> K,
    ) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        K: Copy + Eq + Hash + Into<Value>,
    {
        let mut seen = HashSet::with_capacity(ids.len());
        let wanted: Vec<K> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        let mut found: HashMap<K, E::Model> = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(IN_CHUNK) {
            let rows = E::find()
                .filter(column.is_in(chunk.iter().copied()))
                .all(db)
                .await?;
            found.extend(rows.into_iter().map(|row| (key(&row), row)));
        }
        Ok(wanted.iter().filter_map(|id| found.remove(id)).collect())
    }

    pub async fn fetch_all<E, C>(db: &C) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
    {
        Ok(ordered(E::find()).all(db).await?)
    }

    pub async fn by_column<E, C>(
        db: &C,
        column: E::Column,
        value: Value,
    ) -> Result<Option<E::Model>>
    where
        E: EntityTrait,
        E::Model: Sync,
        C: ConnectionTrait,
    {
        let select = E::find().filter(column.eq(value.clone()));
        at_most_one(db, select, column, &value).await
    }

    pub async fn by_columns<E, C, I>(db: &C, filters: I) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
        I: IntoIterator<Item = (E::Column, Value)>,
    {
        let condition = filters
            .into_iter()
            .fold(Condition::all(), |c, (col, value)| c.add(col.eq(value)));
        Ok(ordered(E::find().filter(condition)).all(db).await?)
    }

    pub async fn filtered<E, C>(
        db: &C,
        select: Select<E>,
        condition: Condition,
    ) -> Result<Vec<E::Model>>
    where
        E: EntityTrait,
        C: ConnectionTrait,
    {
        Ok(ordered(select.filter(condition)).all(db).await?)
    }

    pub async fn name_to_id<E, C, K>(
        db: &C,
        name: E::Column,
        id: E::Column,
    ) -> Result<std::collections::BTreeMap<String, K>>
    where
        E: EntityTrait,
        E::Model: Sync,
        C: ConnectionTrait,
        K: TryGetable + Copy,
    {
        let pairs: Vec<(String, K)> = E::find()
            .select_only()
            .column(name)
            .column(id)
            .order_by_asc(id)
            .into_tuple()
            .all(db)
            .await?;
        let mut map = std::collections::BTreeMap::new();
        for (n, k) in pairs {
            if map.insert(n.clone(), k).is_some() {
                let value = Value::from(n);
                let count = E::find().filter(name.eq(value.clone())).count(db).await?;
                return Err(Error::Ambiguous {
                    entity: E::default().table_name(),
                    column: name.as_str(),
                    value: value_text(&value),
                    count,
                });
            }
        }
        Ok(map)
    }
}
