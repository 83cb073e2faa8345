//! Decoding: every row of every table read through its entity model.
//!
//! Rows are streamed from the server (one query per table, constant memory) and each is decoded
//! with the entity's `FromQueryResult`, exactly as the application reads it. A row that fails is
//! probed column by column with the Rust type of the field, so the report names the column and
//! the reason: a NULL in a non-`Option` field, an ENUM value the Rust enum lacks, invalid JSON, a
//! number out of range, a value of the wrong type.

use std::collections::BTreeMap;

use crate::progress::Progress;
use futures_util::StreamExt;
use sea_orm::sqlx::MySqlPool;
use sea_orm::{
    ColumnTrait, ColumnType, DbBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    PrimaryKeyToColumn, QueryResult, QueryTrait, TryGetable,
};

use super::{Kind, Problem};
use crate::entity::*;
use crate::schema::Schema;

/// What decoding found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows read, over all tables.
    pub rows: u64,
    /// Tables read.
    pub tables: usize,
    /// One problem per undecodable row and column, up to the example limit per table, column and
    /// reason; then one problem counting the rest.
    pub problems: Vec<Problem>,
}

macro_rules! decode_entities {
    ($pool:expr, $live:expr, $progress:expr, $limit:expr, $out:expr; $($module:ident),* $(,)?) => {
        $(decode_table::<$module::Entity>($pool, $live, $progress, $limit, $out).await;)*
    };
}

/// Reads every row of every entity's table that the live database has. Tables the live database
/// lacks are skipped (the schema check names them); a table that cannot be selected (a column
/// missing) is one problem.
pub async fn decode_all(
    pool: &MySqlPool,
    live: &Schema,
    progress: &dyn Progress,
    examples: usize,
) -> Outcome {
    let mut out = Outcome::default();
    decode_entities!(pool, live, progress, examples, &mut out;
        annotation, annotation_data, annotation_tag, annotation_type, attribute_definition,
        attribute_value, attribute_value_input, attributes_model, attributes_model_output,
        composite_feature, contact, creator, creator_tag, device_instance, device_model, feature,
        form_annotation, form_annotation_tag, form_schema, image_instance, image_instance_tag,
        modality, model, model_input, model_segmentation, patient, project, scan, segmentation,
        segmentation_model, segmentation_tag, series, source_info, study, study_tag, sub_task,
        sub_task_image_link, tag, task, task_definition,
    );
    out
}

/// Rows found per (column, reason).
type Tally = BTreeMap<(Option<String>, &'static str), u64>;

async fn decode_table<E: EntityTrait>(
    pool: &MySqlPool,
    live: &Schema,
    progress: &dyn Progress,
    examples: usize,
    out: &mut Outcome,
) {
    let table = E::default().table_name().to_owned();
    if live.table(&table).is_none() {
        return;
    }
    progress.step(&table);
    out.tables += 1;
    let sql = E::find().build(DbBackend::MySql).to_string();
    let mut rows = sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(sql)).fetch(pool);
    let mut tally = Tally::new();
    let mut pending = 0u64;
    while let Some(row) = rows.next().await {
        let row = match row {
            Ok(row) => QueryResult::from(row),
            Err(err) => {
                out.problems.push(Problem {
                    kind: Kind::Decode,
                    table: Some(table.clone()),
                    column: None,
                    key: None,
                    count: 0,
                    detail: format!("cannot read the table through its entity: {err}"),
                });
                break;
            }
        };
        out.rows += 1;
        pending += 1;
        if pending == 1024 {
            progress.advance(pending);
            pending = 0;
        }
        if let Err(err) = <E::Model as FromQueryResult>::from_query_result(&row, "") {
            let mut failures = probe_row::<E>(&row);
            if failures.is_empty() {
                failures.push((None, "undecodable", err.to_string()));
            }
            let key = primary_key::<E>(&row);
            for (column, reason, detail) in failures {
                let seen = tally.entry((column.clone(), reason)).or_default();
                *seen += 1;
                if *seen <= examples as u64 {
                    out.problems.push(Problem {
                        kind: Kind::Decode,
                        table: Some(table.clone()),
                        column,
                        key: Some(key.clone()),
                        count: 1,
                        detail,
                    });
                }
            }
        }
    }
    progress.advance(pending);
    for ((column, reason), seen) in tally {
        if seen > examples as u64 {
            let more = seen - examples as u64;
            out.problems.push(Problem {
                kind: Kind::Decode,
                table: Some(table.clone()),
                column,
                key: None,
                count: more,
                detail: format!("{more} more row(s): {reason}"),
            });
        }
    }
}

/// `Col=value, ...` of the row's primary key.
fn primary_key<E: EntityTrait>(row: &QueryResult) -> String {
    E::PrimaryKey::iter()
        .map(|pk| {
            let name = pk.into_column().as_str();
            let value = row
                .try_get::<Option<i64>>("", name)
                .map(|v| v.map(|v| v.to_string()))
                .or_else(|_| row.try_get::<Option<String>>("", name))
                .ok()
                .flatten()
                .unwrap_or_else(|| "?".to_owned());
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each column of the row that its field's type cannot hold: `(column, reason, detail)`.
fn probe_row<E: EntityTrait>(row: &QueryResult) -> Vec<(Option<String>, &'static str, String)> {
    E::Column::iter()
        .filter_map(|col| {
            let def = col.def();
            probe(row, col.as_str(), def.get_column_type(), def.is_null())
                .map(|(reason, detail)| (Some(col.as_str().to_owned()), reason, detail))
        })
        .collect()
}

/// Why `column` of `row` does not decode as the field type for `ty`, if it does not.
fn probe(
    row: &QueryResult,
    column: &str,
    ty: &ColumnType,
    nullable: bool,
) -> Option<(&'static str, String)> {
    fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<Option<T>, String> {
        row.try_get::<Option<T>>("", column)
            .map_err(|e| e.to_string())
    }
    let present = match ty {
        ColumnType::TinyInteger => present(get::<i8>(row, column)),
        ColumnType::SmallInteger => present(get::<i16>(row, column)),
        ColumnType::Integer => match get::<i32>(row, column) {
            Ok(v) => Ok(v.is_some()),
            Err(e) => match get::<i64>(row, column) {
                Ok(Some(v)) => {
                    return Some(("out of range", format!("{v} does not fit a 32-bit integer")));
                }
                _ => Err(e),
            },
        },
        ColumnType::BigInteger => present(get::<i64>(row, column)),
        ColumnType::Unsigned => present(get::<u32>(row, column)),
        ColumnType::BigUnsigned => present(get::<u64>(row, column)),
        ColumnType::Float => match get::<f32>(row, column) {
            Ok(Some(v)) if !v.is_finite() => {
                return Some(("out of range", format!("{v} is not a finite float")));
            }
            Ok(v) => Ok(v.is_some()),
            Err(e) => match get::<f64>(row, column) {
                Ok(Some(v)) if v.is_finite() && v.abs() > f64::from(f32::MAX) => {
                    return Some((
                        "out of range",
                        format!("{v} is out of range for a single-precision float"),
                    ));
                }
                _ => Err(e),
            },
        },
        ColumnType::Double => present(get::<f64>(row, column)),
        ColumnType::Boolean => present(get::<bool>(row, column)),
        ColumnType::Date => present(get::<chrono::NaiveDate>(row, column)),
        ColumnType::DateTime | ColumnType::Timestamp => {
            present(get::<chrono::NaiveDateTime>(row, column))
        }
        ColumnType::Json | ColumnType::JsonBinary => match get::<serde_json::Value>(row, column) {
            Ok(v) => Ok(v.is_some()),
            Err(e) => return Some(("invalid JSON", format!("invalid JSON: {e}"))),
        },
        ColumnType::Enum { variants, .. } => match get::<String>(row, column) {
            Ok(Some(v)) if !variants.iter().any(|x| x.to_string() == v) => {
                let names: Vec<String> = variants.iter().map(|x| x.to_string()).collect();
                return Some((
                    "value not in the Rust enum",
                    format!(
                        "'{v}' is not one of the enum's values ({})",
                        names.join(", ")
                    ),
                ));
            }
            other => present(other),
        },
        ColumnType::Custom(name) if name.to_string().to_ascii_lowercase().contains("text") => {
            present(get::<String>(row, column))
        }
        ColumnType::Binary(_)
        | ColumnType::VarBinary(_)
        | ColumnType::Blob
        | ColumnType::Custom(_) => present(get::<Vec<u8>>(row, column)),
        _ => present(get::<String>(row, column)),
    };
    match present {
        Ok(false) if !nullable => Some((
            "NULL in a NOT NULL field",
            "NULL in a field that is not an Option".to_owned(),
        )),
        Ok(_) => None,
        Err(e) => Some((
            "unreadable",
            format!("cannot be read as the field's type: {e}"),
        )),
    }
}

fn present<T>(value: Result<Option<T>, String>) -> Result<bool, String> {
    value.map(|v| v.is_some())
}
