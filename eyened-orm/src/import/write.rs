//! Writing a plan: one transaction, table by table in dependency order. Projects, patients,
//! studies and series go in with multi-row INSERTs; images too, or, on a loader connection, with
//! `LOAD DATA LOCAL INFILE` (the server parses no SQL per row; see `crate::load_data`).
//!
//! The ids of new projects, patients, studies and series are needed for their children. A
//! multi-row `INSERT ... VALUES` is a "simple insert": InnoDB assigns its auto-increment values
//! as one consecutive block in every `innodb_autoinc_lock_mode`, so they are `LAST_INSERT_ID()`
//! plus multiples of `@@auto_increment_increment`. Each block is read back and compared with what
//! was inserted; on any mismatch the transaction is rolled back.

use std::sync::Arc;

use crate::progress::Progress;
use bytes::Bytes;
use futures_util::StreamExt;
use mysql_async::prelude::Queryable;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, Value,
};

use super::input::Prop;
use super::plan::{Batch, IMAGE_FIXED, IMAGE_INACTIVE, NewImage, Plan, Ref};
use super::{ImportError, Options};
use crate::load_data::{self, Loader, push_value};
use crate::sql::ident;

/// MySQL's limit of placeholders in one prepared statement.
const MAX_PARAMS: usize = 65_535;

/// Images rendered for a load at a time: the server works on one piece while the next is
/// rendered.
const LOAD_PIECE_ROWS: usize = 4096;

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
    fn push(&mut self, fixed: Vec<Value>, props: Vec<Prop>) {
        let mut row: Vec<Option<Value>> = fixed.into_iter().map(Some).collect();
        row.resize(self.columns.len(), None);
        for p in props {
            if let Some(i) = self
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(p.column))
            {
                row[i] = Some(p.value);
            }
        }
        self.rows.push(row);
    }
}

fn id_of(r: Ref, new_ids: &[i32]) -> i32 {
    match r {
        Ref::Existing(id) => id,
        Ref::New(n) => new_ids[n],
    }
}

/// The connection the rows are written on, inside a transaction.
enum Session {
    /// The SeaORM connection: INSERTs only.
    Sea(DatabaseTransaction),
    /// A connection of the import's own that can also load rows.
    Loader(Loader),
}

fn load_error(err: impl std::fmt::Display) -> ImportError {
    ImportError::Load(err.to_string())
}

impl Session {
    async fn begin(db: &DatabaseConnection, loader: Option<Loader>) -> Result<Self, ImportError> {
        Ok(match loader {
            None => Session::Sea(db.begin().await?),
            Some(mut loader) => {
                loader
                    .conn()
                    .query_drop("START TRANSACTION")
                    .await
                    .map_err(load_error)?;
                Session::Loader(loader)
            }
        })
    }

    /// Runs one statement with `values` for its placeholders; returns the first new
    /// auto-increment id.
    async fn insert(&mut self, sql: String, values: Vec<Value>) -> Result<u64, ImportError> {
        match self {
            Session::Sea(txn) => Ok(txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::MySql,
                    sql,
                    values,
                ))
                .await?
                .last_insert_id()),
            Session::Loader(loader) => {
                let conn = loader.conn();
                let params: Vec<mysql_async::Value> = values.iter().map(to_mysql).collect();
                conn.exec_drop(sql, params).await.map_err(load_error)?;
                Ok(conn.last_insert_id().unwrap_or(0))
            }
        }
    }

    /// `(id, text)` pairs of a query with two integer placeholders.
    async fn pairs(
        &mut self,
        sql: String,
        first: i64,
        last: i64,
    ) -> Result<Vec<(i64, String)>, ImportError> {
        match self {
            Session::Sea(txn) => {
                let rows = txn
                    .query_all_raw(Statement::from_sql_and_values(
                        DbBackend::MySql,
                        sql,
                        [first.into(), last.into()],
                    ))
                    .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
                    .collect()
            }
            Session::Loader(loader) => loader
                .conn()
                .exec(sql, (first, last))
                .await
                .map_err(load_error),
        }
    }

    /// `@@auto_increment_increment`: the distance between consecutive new ids.
    async fn step(&mut self) -> Result<i64, ImportError> {
        let sql = "SELECT CAST(@@auto_increment_increment AS SIGNED)";
        match self {
            Session::Sea(txn) => Ok(
                match txn
                    .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
                    .await?
                {
                    Some(row) => row.try_get_by_index(0)?,
                    None => 1,
                },
            ),
            Session::Loader(loader) => Ok(loader
                .conn()
                .query_first(sql)
                .await
                .map_err(load_error)?
                .unwrap_or(1)),
        }
    }

    async fn commit(self) -> Result<(), ImportError> {
        match self {
            Session::Sea(txn) => Ok(txn.commit().await?),
            Session::Loader(mut loader) => {
                loader
                    .conn()
                    .query_drop("COMMIT")
                    .await
                    .map_err(load_error)?;
                loader.close().await;
                Ok(())
            }
        }
    }

    async fn rollback(self) {
        match self {
            Session::Sea(txn) => {
                let _ = txn.rollback().await;
            }
            Session::Loader(mut loader) => {
                let _ = loader.conn().query_drop("ROLLBACK").await;
                loader.close().await;
            }
        }
    }
}

/// A value as a `mysql_async` parameter, as sqlx would send it.
fn to_mysql(value: &Value) -> mysql_async::Value {
    use chrono::{Datelike, Timelike};
    use mysql_async::Value as M;
    let date = |d: chrono::NaiveDate, h: u32, mi: u32, s: u32, us: u32| {
        M::Date(
            u16::try_from(d.year()).unwrap_or(0),
            d.month() as u8,
            d.day() as u8,
            h as u8,
            mi as u8,
            s as u8,
            us,
        )
    };
    match value {
        Value::Bool(Some(b)) => M::Int(i64::from(*b)),
        Value::TinyInt(Some(n)) => M::Int(i64::from(*n)),
        Value::SmallInt(Some(n)) => M::Int(i64::from(*n)),
        Value::Int(Some(n)) => M::Int(i64::from(*n)),
        Value::BigInt(Some(n)) => M::Int(*n),
        Value::Float(Some(f)) => M::Float(*f),
        Value::Double(Some(f)) => M::Double(*f),
        Value::String(Some(s)) => M::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(Some(b)) => M::Bytes(b.clone()),
        Value::Json(Some(j)) => M::Bytes(j.to_string().into_bytes()),
        Value::ChronoDate(Some(d)) => date(*d, 0, 0, 0, 0),
        Value::ChronoDateTime(Some(t)) => date(
            t.date(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1000,
        ),
        _ => M::NULL,
    }
}

/// Writes a plan, in one batch: one transaction, committed if everything was written.
pub(super) async fn write(
    db: &DatabaseConnection,
    loader: Option<Loader>,
    plan: Plan,
    options: &Options,
    progress: &Arc<dyn Progress>,
) -> Result<(), ImportError> {
    progress.step("writing");
    progress.length(plan.new.images.len() as u64);
    let mut writer = Writer::begin(db, loader, options, progress).await?;
    match writer.write(plan.new).await {
        Ok(()) => writer.commit().await,
        Err(e) => {
            writer.rollback().await;
            Err(e)
        }
    }
}

/// One transaction that writes [`Batch`]es one after the other, and the ids of the rows it has
/// written so far.
pub(super) struct Writer {
    session: Session,
    /// `@@auto_increment_increment`.
    step: i64,
    batch_rows: usize,
    external: String,
    progress: Arc<dyn Progress>,
    project_ids: Vec<i32>,
    patient_ids: Vec<i32>,
    study_ids: Vec<i32>,
    series_ids: Vec<i32>,
}

impl Writer {
    /// Starts the transaction, on the loader connection if there is one.
    pub(super) async fn begin(
        db: &DatabaseConnection,
        loader: Option<Loader>,
        options: &Options,
        progress: &Arc<dyn Progress>,
    ) -> Result<Self, ImportError> {
        let mut session = Session::begin(db, loader).await?;
        let step = match session.step().await {
            Ok(step) => step,
            Err(e) => {
                session.rollback().await;
                return Err(e);
            }
        };
        Ok(Writer {
            session,
            step,
            batch_rows: options.batch_rows.max(1),
            external: options.project_external.to_string(),
            progress: Arc::clone(progress),
            project_ids: Vec::new(),
            patient_ids: Vec::new(),
            study_ids: Vec::new(),
            series_ids: Vec::new(),
        })
    }

    pub(super) async fn commit(self) -> Result<(), ImportError> {
        self.session.commit().await
    }

    pub(super) async fn rollback(self) {
        self.session.rollback().await
    }

    /// Writes `batch` in the transaction; on an error the caller rolls back.
    pub(super) async fn write(&mut self, batch: Batch) -> Result<(), ImportError> {
        let (step, rows_per) = (self.step, self.batch_rows);
        let session = &mut self.session;

        let mut rows = Rows::new(&["ProjectName", "External"], &[]);
        for name in batch.projects {
            rows.push(
                vec![
                    Value::String(Some(name)),
                    Value::String(Some(self.external.clone())),
                ],
                Vec::new(),
            );
        }
        let ids = insert(
            session,
            "Project",
            "ProjectID",
            Some(0),
            &rows,
            rows_per,
            step,
        )
        .await?;
        self.project_ids.extend(ids);

        let props: Vec<&[Prop]> = batch.patients.iter().map(|p| p.props.as_slice()).collect();
        let mut rows = Rows::new(&["ProjectID", "PatientIdentifier"], &props);
        for p in batch.patients {
            rows.push(
                vec![
                    Value::Int(Some(id_of(p.project, &self.project_ids))),
                    Value::String(Some(p.identifier)),
                ],
                p.props,
            );
        }
        let ids = insert(
            session,
            "Patient",
            "PatientID",
            Some(1),
            &rows,
            rows_per,
            step,
        )
        .await?;
        self.patient_ids.extend(ids);

        let props: Vec<&[Prop]> = batch.studies.iter().map(|p| p.props.as_slice()).collect();
        let mut rows = Rows::new(&["PatientID", "StudyDate"], &props);
        for s in batch.studies {
            rows.push(
                vec![
                    Value::Int(Some(id_of(s.patient, &self.patient_ids))),
                    Value::ChronoDate(Some(s.date)),
                ],
                s.props,
            );
        }
        let ids = insert(session, "Study", "StudyID", Some(0), &rows, rows_per, step).await?;
        self.study_ids.extend(ids);

        let props: Vec<&[Prop]> = batch.series.iter().map(|p| p.props.as_slice()).collect();
        let mut rows = Rows::new(&["StudyID", "SeriesInstanceUid"], &props);
        for s in batch.series {
            rows.push(
                vec![
                    Value::Int(Some(id_of(s.study, &self.study_ids))),
                    Value::String(s.uid),
                ],
                s.props,
            );
        }
        let ids = insert(
            session,
            "Series",
            "SeriesID",
            Some(0),
            &rows,
            rows_per,
            step,
        )
        .await?;
        self.series_ids.extend(ids);

        if let Session::Loader(loader) = session {
            let series_ids = Arc::new(self.series_ids.clone());
            return load_images(loader, batch.images, series_ids, &self.progress).await;
        }
        let props: Vec<&[Prop]> = batch.images.iter().map(|p| p.props.as_slice()).collect();
        let mut rows = Rows::new(&IMAGE_FIXED, &props);
        for image in batch.images {
            rows.push(
                vec![
                    Value::Int(Some(id_of(image.series, &self.series_ids))),
                    Value::String(Some(image.dataset_identifier)),
                    Value::Bool(Some(false)),
                ],
                image.props,
            );
        }
        // An `Inactive` prop lands in the fixed `Inactive` column and overrides the `false`.
        for chunk in chunks(&rows, rows_per) {
            execute(session, "ImageInstance", &rows.columns, chunk).await?;
            self.progress.advance(chunk.len() as u64);
        }
        Ok(())
    }
}

/// Loads the images, one `LOAD DATA` per run of consecutive images that give the same prop
/// columns (a load has one column list, and a column a row does not give must get its default,
/// which `\N` would not give).
async fn load_images(
    loader: &mut Loader,
    images: Vec<NewImage>,
    series_ids: Arc<Vec<i32>>,
    progress: &Arc<dyn Progress>,
) -> Result<(), ImportError> {
    let images = Arc::new(images);
    let mut start = 0;
    while start < images.len() {
        let columns: Vec<&'static str> = images[start].props.iter().map(|p| p.column).collect();
        let same = |image: &NewImage| {
            image.props.len() == columns.len()
                && image
                    .props
                    .iter()
                    .zip(&columns)
                    .all(|(p, c)| p.column == *c)
        };
        let end = start + images[start..].iter().take_while(|i| same(i)).count();
        let sql = load_statement(&images[start]);
        let pieces = (start..end).step_by(LOAD_PIECE_ROWS).map({
            let images = Arc::clone(&images);
            let series_ids = Arc::clone(&series_ids);
            let progress = Arc::clone(progress);
            move |from| {
                let to = (from + LOAD_PIECE_ROWS).min(end);
                let mut out = Vec::with_capacity((to - from) * 160);
                let mut text = String::new();
                for image in &images[from..to] {
                    render_image(&mut out, &mut text, image, &series_ids);
                }
                progress.advance((to - from) as u64);
                Ok(Bytes::from(out))
            }
        });
        loader
            .load_stream(
                &sql,
                futures_util::stream::iter(pieces).boxed(),
                (end - start) as u64,
                || "loading ImageInstance rows".to_owned(),
            )
            .await
            .map_err(load_error)?;
        start = end;
    }
    Ok(())
}

/// The `LOAD DATA` statement for images with the prop columns of `first`. Binary values are
/// sent as hexadecimal and decoded by the server, so that the file can be read as utf8mb4 and
/// text converted to each column's character set as for INSERTs.
fn load_statement(first: &NewImage) -> String {
    let mut targets: Vec<String> = IMAGE_FIXED.iter().map(|c| ident(c)).collect();
    let mut set = Vec::new();
    for p in &first.props {
        if p.column.eq_ignore_ascii_case(IMAGE_INACTIVE) {
            continue;
        }
        if matches!(p.value, Value::Bytes(_)) {
            let var = format!("@hex{}", set.len());
            set.push(format!("{} = UNHEX({var})", ident(p.column)));
            targets.push(var);
        } else {
            targets.push(ident(p.column));
        }
    }
    let mut sql = load_data::statement(&ident("ImageInstance"), "utf8mb4", &targets.join(", "));
    if !set.is_empty() {
        sql.push_str(" SET ");
        sql.push_str(&set.join(", "));
    }
    sql
}

/// One image as a line of the load file, in the column order of [`load_statement`]. `text` is a
/// scratch buffer for the values, reused across images.
fn render_image(out: &mut Vec<u8>, text: &mut String, image: &NewImage, series_ids: &[i32]) {
    let mut field = |out: &mut Vec<u8>, value: &Value| {
        text.clear();
        match load_text(value, text) {
            Some(()) => push_value(out, Some(text.as_bytes())),
            None => push_value(out, None),
        }
    };
    field(out, &Value::Int(Some(id_of(image.series, series_ids))));
    out.push(b'\t');
    push_value(out, Some(image.dataset_identifier.as_bytes()));
    out.push(b'\t');
    let is_inactive = |p: &&Prop| p.column.eq_ignore_ascii_case(IMAGE_INACTIVE);
    match image.props.iter().find(is_inactive) {
        Some(p) => field(out, &p.value),
        None => out.push(b'0'),
    }
    for p in image.props.iter().filter(|p| !is_inactive(p)) {
        out.push(b'\t');
        field(out, &p.value);
    }
    out.push(b'\n');
}

/// A value as the text of a load-file field (`None`: NULL). Binary values are hexadecimal (see
/// [`load_statement`]); a single-precision float is written as the exact double it is, so the
/// server's conversion back to FLOAT gives the same value.
fn load_text(value: &Value, out: &mut String) -> Option<()> {
    use std::fmt::Write;
    let _ = match value {
        Value::Bool(Some(b)) => write!(out, "{}", u8::from(*b)),
        Value::TinyInt(Some(n)) => write!(out, "{n}"),
        Value::SmallInt(Some(n)) => write!(out, "{n}"),
        Value::Int(Some(n)) => write!(out, "{n}"),
        Value::BigInt(Some(n)) => write!(out, "{n}"),
        Value::Float(Some(f)) => write!(out, "{}", f64::from(*f)),
        Value::Double(Some(f)) => write!(out, "{f}"),
        Value::String(Some(s)) => write!(out, "{s}"),
        Value::Json(Some(j)) => write!(out, "{j}"),
        Value::Bytes(Some(b)) => b.iter().try_for_each(|x| write!(out, "{x:02x}")),
        Value::ChronoDate(Some(d)) => write!(out, "{}", d.format("%Y-%m-%d")),
        Value::ChronoDateTime(Some(t)) => write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f")),
        _ => return None,
    };
    Some(())
}

fn chunks(rows: &Rows, batch: usize) -> impl Iterator<Item = &[Vec<Option<Value>>]> {
    let per_statement = (MAX_PARAMS / rows.columns.len().max(1)).clamp(1, batch);
    rows.rows.chunks(per_statement)
}

/// Inserts `rows` into `table` and returns the new primary keys in row order. With `check`,
/// the ids are verified by reading back that fixed column.
async fn insert(
    session: &mut Session,
    table: &str,
    pk: &str,
    check: Option<usize>,
    rows: &Rows,
    batch: usize,
    step: i64,
) -> Result<Vec<i32>, ImportError> {
    let mut ids = Vec::with_capacity(rows.rows.len());
    for chunk in chunks(rows, batch) {
        let first = execute(session, table, &rows.columns, chunk).await? as i64;
        let block: Vec<i64> = (0..chunk.len() as i64).map(|i| first + i * step).collect();
        if let (Some(col), Some(last)) = (check, block.last()) {
            let sql = format!(
                "SELECT {pk}, CAST({c} AS CHAR) FROM {t} WHERE {pk} BETWEEN ? AND ? ORDER BY {pk}",
                pk = ident(pk),
                c = ident(&rows.columns[col]),
                t = ident(table)
            );
            let found = session.pairs(sql, first, *last).await?;
            verify_block(table, &found, chunk, col, &block)?;
        }
        for id in block {
            ids.push(i32::try_from(id).map_err(|_| ImportError::IdMismatch {
                table: table.to_owned(),
            })?);
        }
    }
    Ok(ids)
}

/// Whether the rows read back (`found`: id and the text of column `col`) are the rows `chunk`
/// inserted, with the ids `block`.
fn verify_block(
    table: &str,
    found: &[(i64, String)],
    chunk: &[Vec<Option<Value>>],
    col: usize,
    block: &[i64],
) -> Result<(), ImportError> {
    let found: std::collections::HashMap<i64, &String> =
        found.iter().map(|(id, text)| (*id, text)).collect();
    let mismatch = || ImportError::IdMismatch {
        table: table.to_owned(),
    };
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
    session: &mut Session,
    table: &str,
    columns: &[String],
    rows: &[Vec<Option<Value>>],
) -> Result<u64, ImportError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        ident(table),
        columns
            .iter()
            .map(|c| ident(c))
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
    session.insert(sql, values).await
}
