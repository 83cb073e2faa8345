//! Writing a plan: one transaction, multi-row INSERTs, table by table in dependency order.
//!
//! The ids of new projects, patients, studies and series are needed for their children. A
//! multi-row `INSERT ... VALUES` is a "simple insert": InnoDB assigns its auto-increment values
//! as one consecutive block in every `innodb_autoinc_lock_mode`, so they are `LAST_INSERT_ID()`
//! plus multiples of `@@auto_increment_increment`. Each block is read back and compared with what
//! was inserted; on any mismatch the transaction is rolled back.

use indicatif::ProgressBar;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, Value,
};

use super::input::Prop;
use super::plan::{Plan, Ref};
use super::{ImportError, Options};
use crate::verify::quote;

/// MySQL's limit of placeholders in one prepared statement.
const MAX_PARAMS: usize = 65_535;

/// Rows for one table: fixed columns first, then the union of the props' columns. `None` is
/// `DEFAULT` (a prop another row gave and this one did not).
struct Rows {
    columns: Vec<String>,
    rows: Vec<Vec<Option<Value>>>,
}

impl Rows {
    fn new(fixed: &[&str], props: &[&[Prop]]) -> Self {
        let mut columns: Vec<String> = fixed.iter().map(|c| c.to_string()).collect();
        for list in props {
            for p in *list {
                if !columns.iter().any(|c| c.eq_ignore_ascii_case(p.column)) {
                    columns.push(p.column.to_owned());
                }
            }
        }
        Self {
            columns,
            rows: Vec::with_capacity(props.len()),
        }
    }

    /// Adds a row: `fixed` values for the fixed columns, then the props.
    fn push(&mut self, fixed: Vec<Value>, props: &[Prop]) {
        let mut row: Vec<Option<Value>> = fixed.into_iter().map(Some).collect();
        row.resize(self.columns.len(), None);
        for p in props {
            if let Some(i) = self
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(p.column))
            {
                row[i] = Some(p.value.clone());
            }
        }
        self.rows.push(row);
    }
}

fn id_of(r: Ref, new_ids: &[i32]) -> Value {
    Value::Int(Some(match r {
        Ref::Existing(id) => id,
        Ref::New(n) => new_ids[n],
    }))
}

pub(super) async fn write(
    db: &DatabaseConnection,
    plan: &Plan,
    options: &Options,
    progress: &ProgressBar,
) -> Result<(), ImportError> {
    let txn = db.begin().await?;
    let step: i64 = match txn
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT CAST(@@auto_increment_increment AS SIGNED)",
        ))
        .await?
    {
        Some(row) => row.try_get_by_index(0)?,
        None => 1,
    };
    let batch = options.batch_rows.max(1);

    progress.set_message("projects");
    let mut rows = Rows::new(&["ProjectName", "External"], &[]);
    for name in &plan.projects {
        rows.push(
            vec![
                Value::String(Some(name.clone())),
                Value::String(Some(options.project_external.to_string())),
            ],
            &[],
        );
    }
    let project_ids = insert(&txn, "Project", "ProjectID", Some(0), &rows, batch, step).await?;

    progress.set_message("patients");
    let props: Vec<&[Prop]> = plan.patients.iter().map(|p| p.props.as_slice()).collect();
    let mut rows = Rows::new(&["ProjectID", "PatientIdentifier"], &props);
    for p in &plan.patients {
        rows.push(
            vec![
                id_of(p.project, &project_ids),
                Value::String(Some(p.identifier.clone())),
            ],
            &p.props,
        );
    }
    let patient_ids = insert(&txn, "Patient", "PatientID", Some(1), &rows, batch, step).await?;

    progress.set_message("studies");
    let props: Vec<&[Prop]> = plan.studies.iter().map(|p| p.props.as_slice()).collect();
    let mut rows = Rows::new(&["PatientID", "StudyDate"], &props);
    for s in &plan.studies {
        rows.push(
            vec![
                id_of(s.patient, &patient_ids),
                Value::ChronoDate(Some(s.date)),
            ],
            &s.props,
        );
    }
    let study_ids = insert(&txn, "Study", "StudyID", Some(0), &rows, batch, step).await?;

    progress.set_message("series");
    let props: Vec<&[Prop]> = plan.series.iter().map(|p| p.props.as_slice()).collect();
    let mut rows = Rows::new(&["StudyID", "SeriesInstanceUid"], &props);
    for s in &plan.series {
        rows.push(
            vec![id_of(s.study, &study_ids), Value::String(s.uid.clone())],
            &s.props,
        );
    }
    let series_ids = insert(&txn, "Series", "SeriesID", Some(0), &rows, batch, step).await?;

    progress.set_message("images");
    progress.set_length(plan.images.len() as u64);
    progress.set_position(0);
    let props: Vec<&[Prop]> = plan.images.iter().map(|p| p.props.as_slice()).collect();
    let mut rows = Rows::new(&["SeriesID", "DatasetIdentifier", "Inactive"], &props);
    for image in &plan.images {
        rows.push(
            vec![
                id_of(image.series, &series_ids),
                Value::String(Some(image.dataset_identifier.clone())),
                Value::Bool(Some(false)),
            ],
            &image.props,
        );
    }
    // An `Inactive` prop lands in the fixed `Inactive` column and overrides the `false`.
    let mut done = 0;
    for chunk in chunks(&rows, batch) {
        execute(&txn, "ImageInstance", &rows.columns, chunk).await?;
        done += chunk.len() as u64;
        progress.set_position(done);
    }
    txn.commit().await?;
    Ok(())
}

fn chunks(rows: &Rows, batch: usize) -> impl Iterator<Item = &[Vec<Option<Value>>]> {
    let per_statement = (MAX_PARAMS / rows.columns.len().max(1)).clamp(1, batch);
    rows.rows.chunks(per_statement)
}

/// Inserts `rows` into `table` and returns the new primary keys in row order. With `check`,
/// the ids are verified by reading back that fixed column.
async fn insert(
    txn: &DatabaseTransaction,
    table: &str,
    pk: &str,
    check: Option<usize>,
    rows: &Rows,
    batch: usize,
    step: i64,
) -> Result<Vec<i32>, ImportError> {
    let mut ids = Vec::with_capacity(rows.rows.len());
    for chunk in chunks(rows, batch) {
        let first = execute(txn, table, &rows.columns, chunk).await? as i64;
        let block: Vec<i64> = (0..chunk.len() as i64).map(|i| first + i * step).collect();
        if let (Some(col), Some(last)) = (check, block.last()) {
            verify_block(
                txn,
                table,
                pk,
                &rows.columns[col],
                chunk,
                col,
                first,
                *last,
                &block,
            )
            .await?;
        }
        for id in block {
            ids.push(i32::try_from(id).map_err(|_| ImportError::IdMismatch {
                table: table.to_owned(),
            })?);
        }
    }
    Ok(ids)
}

#[allow(clippy::too_many_arguments)]
async fn verify_block(
    txn: &DatabaseTransaction,
    table: &str,
    pk: &str,
    column: &str,
    chunk: &[Vec<Option<Value>>],
    col: usize,
    first: i64,
    last: i64,
    block: &[i64],
) -> Result<(), ImportError> {
    let sql = format!(
        "SELECT {pk}, CAST({c} AS CHAR) FROM {t} WHERE {pk} BETWEEN ? AND ? ORDER BY {pk}",
        pk = quote(pk),
        c = quote(column),
        t = quote(table)
    );
    let found = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::MySql,
            sql,
            [first.into(), last.into()],
        ))
        .await?;
    let mismatch = || ImportError::IdMismatch {
        table: table.to_owned(),
    };
    let found: std::collections::HashMap<i64, String> = found
        .iter()
        .map(|r| {
            Ok((
                r.try_get_by_index::<i64>(0)?,
                r.try_get_by_index::<String>(1)?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    for (id, row) in block.iter().zip(chunk) {
        let expected = match &row[col] {
            Some(Value::Int(Some(v))) => v.to_string(),
            Some(Value::String(Some(s))) => s.clone(),
            _ => return Err(mismatch()),
        };
        match found.get(id) {
            Some(v) if v.to_lowercase() == expected.to_lowercase() => {}
            _ => return Err(mismatch()),
        }
    }
    Ok(())
}

/// One multi-row INSERT; returns the first new auto-increment id.
async fn execute(
    txn: &DatabaseTransaction,
    table: &str,
    columns: &[String],
    rows: &[Vec<Option<Value>>],
) -> Result<u64, ImportError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(table),
        columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut values = Vec::with_capacity(rows.len() * columns.len());
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                sql.push_str(", ");
            }
            match cell {
                Some(v) => {
                    sql.push('?');
                    values.push(v.clone());
                }
                None => sql.push_str("DEFAULT"),
            }
        }
        sql.push(')');
    }
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::MySql,
            sql,
            values,
        ))
        .await?;
    Ok(result.last_insert_id())
}
