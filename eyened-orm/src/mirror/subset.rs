//! database-mirror-test: which rows to copy.
//!
//! The rows named by `copy_objects` are the roots. Two closures over the live foreign-key graph
//! (read by [`crate::schema::introspect()`], never a hand-kept list) complete them:
//!
//! 1. **Down** (what belongs to the roots): from every root row, the rows that reference it,
//!    recursively, along the *downward edges*. By default every foreign key is a downward edge;
//!    starting from a Patient this is exactly the ownership tree (studies, series, images, their
//!    annotations and annotation data, segmentations, model segmentations, form annotations, tag
//!    links, attribute values, subtask links), because nothing else references those rows. The
//!    config can name the complete list (`follow_down`) or remove edges (`skip_down`), and a
//!    `copy_objects` entry can opt out (`follow_down: false`).
//! 2. **Up** (what they need): every row referenced by a selected row, recursively, along every
//!    foreign key, so the copy has no orphans (Tag rows of tag links, the Creator, the Feature,
//!    self-references such as `Annotation.AnnotationReferenceID`). Rows pulled in this way do not
//!    bring their own children, with one exception: *extension* rows, whose primary key is a
//!    foreign key to the parent's primary key (joined-table inheritance: `SegmentationModel` and
//!    `AttributesModel` extend `Model`), always come along, as they are part of the same entity.
//!
//! Everything is set-based: each step is one `SELECT ... WHERE (fk) IN (...)` per edge and batch
//! of at most [`BATCH`] keys, and keys are tracked per edge and per column set, so rows are
//! neither skipped nor fetched twice for the same reason. Composite keys and cycles (self- and
//! mutual references) need no special case: a key already selected is not followed again. The
//! downward closure goes in waves (every downward edge from the rows the last wave added), and
//! the statements of a wave go to whichever of the connections sharing the snapshot is free.
//! Asked to, the same queries read each row's fingerprint (`MD5` of its SQL text), which is
//! what a copy that cannot read the snapshot is verified against.
//!
//! The keys travel to the client and back as SQL text, rather than into temporary tables on the
//! source: inside the read-only snapshot a temporary table can be filled, but `INSERT ...
//! SELECT` (into any table) reads the latest committed rows, not the snapshot, so a selection
//! made that way would not be the snapshot's.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::sqlx;
use sea_orm::sqlx::AssertSqlSafe;
use sea_orm::sqlx::mysql::MySqlRow;

use super::catalog::{Catalog, TableInfo};
use super::config::{Clause, ClauseValue, CopyObject, EdgeName};
use super::conn::{self, Conn, text};
use super::copy::{Chunk, Filter};
use super::error::{MirrorError, hint};
use super::verify::Fingerprint;
use crate::schema::{ForeignKey, Schema};
use crate::sql::{ident, qualified};

/// Keys per `IN (...)` list.
pub const BATCH: usize = 1000;
/// Bytes of SQL text per `IN (...)` list.
const BATCH_BYTES: usize = 256 * 1024;

/// A foreign key as an edge of the graph: `key` of table `child` points at the parent,
/// `key.referenced_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The referencing table.
    pub child: String,
    /// The foreign key: its columns in `child`, the parent table and its columns.
    pub key: ForeignKey,
    /// The child's primary key is this foreign key to the parent's primary key.
    pub extension: bool,
    /// Followed from parent to child in the down closure.
    pub down: bool,
}

impl Edge {
    /// `Table.Column`, or `Table.(A,B)` for a composite key: how the config names an edge.
    pub fn name(&self) -> String {
        if self.key.columns.len() == 1 {
            format!("{}.{}", self.child, self.key.columns[0])
        } else {
            format!("{}.({})", self.child, self.key.columns.join(","))
        }
    }

    /// The parent table.
    pub fn parent(&self) -> &str {
        &self.key.referenced_table
    }

    fn matches(&self, name: &EdgeName) -> bool {
        self.child == name.table && same_set(&self.key.columns, &name.columns)
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// The foreign-key graph of the source.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Every foreign key between two tables of the schema, in schema order.
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Every foreign key between tables of `schema`, all of them downward edges.
    pub fn from_schema(schema: &Schema) -> Graph {
        let mut edges = Vec::new();
        for table in &schema.tables {
            for fk in &table.foreign_keys {
                let Some(parent) = schema.table(&fk.referenced_table) else {
                    continue;
                };
                let extension = !table.primary_key.is_empty()
                    && same_set(&table.primary_key, &fk.columns)
                    && same_set(&parent.primary_key, &fk.referenced_columns)
                    && table.name != parent.name;
                edges.push(Edge {
                    child: table.name.clone(),
                    key: fk.clone(),
                    extension,
                    down: true,
                });
            }
        }
        Graph { edges }
    }

    /// Applies `follow_down` (the complete list of downward edges) or `skip_down` (removals),
    /// checking every name against the graph.
    pub fn configure(
        &mut self,
        follow_down: Option<&[EdgeName]>,
        skip_down: &[EdgeName],
        catalog: &Catalog,
    ) -> Result<(), MirrorError> {
        let names: Vec<&EdgeName> = follow_down
            .unwrap_or_default()
            .iter()
            .chain(skip_down)
            .collect();
        for name in &names {
            self.check_name(name, catalog)?;
        }
        if let Some(list) = follow_down {
            for edge in &mut self.edges {
                edge.down = list.iter().any(|n| edge.matches(n));
            }
        }
        for edge in &mut self.edges {
            if skip_down.iter().any(|n| edge.matches(n)) {
                edge.down = false;
            }
        }
        Ok(())
    }

    fn check_name(&self, name: &EdgeName, catalog: &Catalog) -> Result<(), MirrorError> {
        let Some(table) = catalog.table(&name.table) else {
            return Err(MirrorError::config(
                &name.key,
                format!(
                    "unknown table {}{}",
                    name.table,
                    hint(&name.table, catalog.tables.iter().map(|t| t.name.as_str()))
                ),
            ));
        };
        if self.edges.iter().any(|e| e.matches(name)) {
            return Ok(());
        }
        let fks: Vec<String> = self
            .edges
            .iter()
            .filter(|e| e.child == table.name)
            .map(Edge::name)
            .collect();
        let wanted = name.to_string();
        Err(MirrorError::config(
            &name.key,
            format!(
                "{wanted} is not a foreign key of {} (its foreign keys: {}){}",
                table.name,
                if fks.is_empty() {
                    "none".to_owned()
                } else {
                    fks.join(", ")
                },
                hint(&wanted, fks.iter().map(String::as_str)),
            ),
        ))
    }
}

/// Checks every `copy_objects` entry against the source's catalog: the table and the clause's
/// columns exist. Nothing is sent to the server: raw conditions are tried by [`select`], inside
/// the read-only snapshot.
pub fn check_objects(catalog: &Catalog, objects: &[CopyObject]) -> Result<(), MirrorError> {
    if objects.is_empty() {
        return Err(MirrorError::config(
            "copy_objects",
            "the list is empty; name at least one {table, clause}",
        ));
    }
    for object in objects {
        let Some(table) = catalog.table(&object.table) else {
            return Err(MirrorError::config(
                format!("{}.table", object.key),
                format!(
                    "unknown table {}{}",
                    object.table,
                    hint(
                        &object.table,
                        catalog.tables.iter().map(|t| t.name.as_str())
                    )
                ),
            ));
        };
        if table.primary_key.is_empty() {
            return Err(MirrorError::config(
                format!("{}.table", object.key),
                format!(
                    "{} has no primary key, so its rows cannot be tracked",
                    table.name
                ),
            ));
        }
        match &object.clause {
            Clause::Columns(columns) => {
                for (column, _) in columns {
                    if !table.columns.iter().any(|c| &c.name == column) {
                        return Err(MirrorError::config(
                            format!("{}.clause", object.key),
                            format!(
                                "unknown column {}.{column}{}",
                                table.name,
                                hint(column, table.columns.iter().map(|c| c.name.as_str()))
                            ),
                        ));
                    }
                }
            }
            Clause::Sql(_) => {}
        }
    }
    Ok(())
}

/// Has the source try every raw condition (`SELECT 1 ... LIMIT 0`, which reads no row), so that
/// a condition the server rejects is reported as the config's mistake before any row is read.
async fn try_conditions(
    conn: &mut Conn,
    catalog: &Catalog,
    objects: &[CopyObject],
) -> Result<(), MirrorError> {
    for object in objects {
        let Clause::Sql(condition) = &object.clause else {
            continue;
        };
        let sql = format!(
            "SELECT 1 FROM {} WHERE ({condition}) LIMIT 0",
            qualified(&catalog.database, &object.table)
        );
        if let Err(e) = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *conn).await {
            return Err(MirrorError::config(
                format!("{}.clause", object.key),
                format!("the source rejects this condition: {}", conn::describe(&e)),
            ));
        }
    }
    Ok(())
}

/// The selected rows of one table: for each, the SQL text of the values of each column set the
/// graph needs (the primary key first).
struct TableSel {
    colsets: Vec<Vec<String>>,
    /// The column sets' SQL text, then (when fingerprinting) the MD5 of the row's SQL text.
    select_list: String,
    rows: Vec<Vec<Option<String>>>,
    /// The rows' [`Fingerprint`], when the selection computes it.
    fingerprint: Option<Fingerprint>,
    /// The primary key's SQL text alone, as the first column set.
    key_list: String,
    /// Per column set, the values present among the selected rows.
    present: Vec<HashSet<String>>,
    /// Primary key → index into `rows`.
    by_key: HashMap<String, usize>,
    /// When rows were last added, on the selection's own clock.
    touched: u64,
}

impl TableSel {
    fn new(table: &TableInfo, graph: &Graph, fingerprint: bool) -> Self {
        let mut colsets = vec![table.primary_key.clone()];
        for edge in &graph.edges {
            for cols in [
                (edge.child == table.name).then_some(&edge.key.columns),
                (edge.parent() == table.name).then_some(&edge.key.referenced_columns),
            ]
            .into_iter()
            .flatten()
            {
                if !colsets.iter().any(|c| c == cols) {
                    colsets.push(cols.clone());
                }
            }
        }
        let mut select_list = colsets
            .iter()
            .map(|cols| table.tuple_literal(cols))
            .collect::<Vec<_>>()
            .join(", ");
        if fingerprint {
            select_list.push_str(&format!(", MD5({})", table.row_literal()));
        }
        TableSel {
            key_list: table.tuple_literal(&colsets[0]),
            fingerprint: fingerprint.then(Fingerprint::default),
            present: vec![HashSet::new(); colsets.len()],
            by_key: HashMap::new(),
            touched: 0,
            colsets,
            select_list,
            rows: Vec::new(),
        }
    }

    fn colset(&self, cols: &[String]) -> usize {
        self.colsets.iter().position(|c| c == cols).unwrap_or(0)
    }

    /// Reads a row as the select list gives it, and adds it unless its key is selected
    /// already; returns its index if new.
    fn add(&mut self, table: &str, row: &MySqlRow) -> Result<Option<usize>, MirrorError> {
        let values: Vec<Option<String>> = (0..self.colsets.len()).map(|i| text(row, i)).collect();
        let Some(key) = values.first().cloned().flatten() else {
            return Ok(None);
        };
        if !self.present[0].insert(key.clone()) {
            return Ok(None);
        }
        if let Some(fingerprint) = &mut self.fingerprint {
            let hash = text(row, self.colsets.len()).unwrap_or_default();
            fingerprint.add_md5_hex(&hash).ok_or_else(|| {
                MirrorError::Internal(format!(
                    "the source gave '{hash}' as the MD5 of a row of {table}"
                ))
            })?;
        }
        self.by_key.insert(key, self.rows.len());
        for (i, v) in values.iter().enumerate().skip(1) {
            if let Some(v) = v {
                self.present[i].insert(v.clone());
            }
        }
        self.rows.push(values);
        Ok(Some(self.rows.len() - 1))
    }
}

/// What a `copy_objects` entry selected directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCount {
    /// The entry's key path, e.g. `copy_objects[0]`.
    pub key: String,
    /// The entry's table.
    pub table: String,
    /// Rows its clause matched, also those another entry selected too.
    pub rows: u64,
}

/// The rows to copy.
pub struct Selection {
    tables: BTreeMap<String, TableSel>,
    fingerprinted: bool,
    /// What each `copy_objects` entry matched, in the config's order.
    pub roots: Vec<RootCount>,
}

impl Selection {
    /// The [`Fingerprint`] of the selected rows of `table` in the snapshot, if [`select`] was
    /// asked to compute it (a table without selected rows has the empty fingerprint).
    pub fn fingerprint(&self, table: &str) -> Option<Fingerprint> {
        match self.tables.get(table) {
            Some(sel) => sel.fingerprint,
            None => self.fingerprinted.then(Fingerprint::default),
        }
    }

    /// Selected rows per table (tables with none are left out).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.tables
            .iter()
            .filter(|(_, s)| !s.rows.is_empty())
            .map(|(t, s)| (t.clone(), s.rows.len() as u64))
            .collect()
    }

    /// Chunks that copy exactly the selected rows: primary keys in batches of at most `keys`
    /// keys (and 256 KiB times `keys / BATCH` bytes of SQL text). The tables the selection read
    /// last come first: their pages are the likeliest to be still in the source's buffer pool.
    pub fn chunks(&self, tables: &[TableInfo], keys: usize) -> Vec<Chunk> {
        let mut order: Vec<(usize, &TableSel)> = tables
            .iter()
            .enumerate()
            .filter_map(|(index, table)| Some((index, self.tables.get(&table.name)?)))
            .collect();
        order.sort_by_key(|(_, sel)| std::cmp::Reverse(sel.touched));
        let mut chunks = Vec::new();
        for (index, sel) in order {
            let table = &tables[index];
            for list in batches_of(keys_of(sel), keys) {
                chunks.push(Chunk {
                    table: index,
                    filter: Filter::Keys {
                        columns: table.primary_key.clone(),
                        list: list.join(","),
                    },
                });
            }
        }
        chunks
    }
}

fn keys_of(sel: &TableSel) -> Vec<String> {
    sel.rows.iter().filter_map(|r| r[0].clone()).collect()
}

/// Keys per `IN (...)` list at least, when a step's keys are spread over the readers.
const MIN_SPREAD: usize = 50;

/// `values` in `IN (...)` lists of at most [`BATCH`] keys, and in at least `readers` lists when
/// there are enough keys (at least [`MIN_SPREAD`] per list), so that every reader has a share of
/// a step: 900 patients' annotations are read as 4 lists of 225, not 1 of 900.
fn batches(values: Vec<String>, readers: usize) -> Vec<Vec<String>> {
    let per_reader = values.len().div_ceil(readers.max(1));
    batches_of(values, per_reader.clamp(MIN_SPREAD, BATCH))
}

fn batches_of(values: Vec<String>, keys: usize) -> Vec<Vec<String>> {
    let keys = keys.max(1);
    let max_bytes = BATCH_BYTES * keys.div_ceil(BATCH);
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for v in values {
        size += v.len() + 1;
        current.push(v);
        if current.len() >= keys || size >= max_bytes {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `IN (...)` filters on `columns` for `values`, spread over `readers` (see [`batches`]).
fn key_filters(columns: &[String], values: Vec<String>, readers: usize) -> Vec<Filter> {
    batches(values, readers)
        .into_iter()
        .map(|list| Filter::Keys {
            columns: columns.to_vec(),
            list: list.join(","),
        })
        .collect()
}

/// What to read of one table: `SELECT select_list FROM table WHERE filter`, for each filter.
struct Read {
    table: String,
    select_list: String,
    filters: Vec<Filter>,
}

struct Selector<'a> {
    catalog: &'a Catalog,
    graph: &'a Graph,
    tables: BTreeMap<String, TableSel>,
    /// Per edge, the keys already followed (down) or requested (up).
    followed_down: Vec<HashSet<String>>,
    requested_up: Vec<HashSet<String>>,
    dangling: Vec<String>,
    /// Whether the selected rows are fingerprinted as they are read.
    fingerprint: bool,
    /// Counts the reads that added rows (see [`TableSel::touched`]).
    clock: u64,
}

impl Selector<'_> {
    fn sel(&mut self, table: &str) -> Result<&mut TableSel, MirrorError> {
        if !self.tables.contains_key(table) {
            let info = self.catalog.table(table).ok_or_else(|| {
                MirrorError::Internal(format!("table {table} is in the graph but not the catalog"))
            })?;
            if info.primary_key.is_empty() {
                return Err(MirrorError::Unsupported(format!(
                    "table {table} has no primary key, so database-mirror-test cannot track its rows"
                )));
            }
            self.tables.insert(
                table.to_owned(),
                TableSel::new(info, self.graph, self.fingerprint),
            );
        }
        Ok(self.tables.get_mut(table).expect("inserted above"))
    }

    /// The rows a `copy_objects` entry names: how many matched, and the indexes of all of
    /// them among the selected rows.
    async fn roots(
        &mut self,
        conn: &mut Conn,
        object: &CopyObject,
    ) -> Result<(u64, Vec<usize>), MirrorError> {
        let (condition, values): (String, Vec<&ClauseValue>) = match &object.clause {
            Clause::Sql(condition) => (format!("({condition})"), Vec::new()),
            Clause::Columns(columns) => {
                let mut parts = Vec::new();
                let mut values = Vec::new();
                for (column, value) in columns {
                    if *value == ClauseValue::Null {
                        parts.push(format!("{} IS NULL", ident(column)));
                    } else {
                        parts.push(format!("{} = ?", ident(column)));
                        values.push(value);
                    }
                }
                (parts.join(" AND "), values)
            }
        };
        let database = self.catalog.database.clone();
        let sel = self.sel(&object.table)?;
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition}",
            sel.select_list,
            qualified(&database, &object.table)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for v in values {
            query = bind_value(query, v);
        }
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| conn::sql_error(format!("source: selecting {}", object.key), &e))?;
        let sel = self.sel(&object.table)?;
        let mut indexes = Vec::new();
        for row in &rows {
            match sel.add(&object.table, row)? {
                Some(i) => indexes.push(i),
                None => {
                    if let Some(i) = text(row, 0).and_then(|k| sel.by_key.get(&k).copied()) {
                        indexes.push(i);
                    }
                }
            }
        }
        Ok((rows.len() as u64, indexes))
    }

    /// Fetches rows of `table` matching any of `filters`, the filters spread over the readers
    /// (which share one snapshot) and read in parallel; adds the new rows, in the order of the
    /// filters, and returns their indexes.
    async fn fetch(
        &mut self,
        readers: &mut [Conn],
        table: &str,
        filters: Vec<Filter>,
    ) -> Result<Vec<usize>, MirrorError> {
        let select_list = self.sel(table)?.select_list.clone();
        let read = Read {
            table: table.to_owned(),
            select_list,
            filters,
        };
        let fetched = self.read_all(readers, std::slice::from_ref(&read)).await?;
        self.add_rows(table, fetched.iter().flatten())
    }

    /// Adds `rows` of `table` (read with its select list); the indexes of those that are new.
    fn add_rows<'r>(
        &mut self,
        table: &str,
        rows: impl IntoIterator<Item = &'r MySqlRow>,
    ) -> Result<Vec<usize>, MirrorError> {
        self.clock += 1;
        let clock = self.clock;
        let sel = self.sel(table)?;
        let mut new = Vec::new();
        for row in rows {
            new.extend(sel.add(table, row)?);
        }
        if !new.is_empty() {
            sel.touched = clock;
        }
        Ok(new)
    }

    /// Runs every statement of `reads` (one per filter), the statements shared out to the
    /// readers as each becomes free; per read, the rows in the order of its filters.
    async fn read_all(
        &mut self,
        readers: &mut [Conn],
        reads: &[Read],
    ) -> Result<Vec<Vec<MySqlRow>>, MirrorError> {
        let database = &self.catalog.database;
        let statements: Vec<(usize, String)> = reads
            .iter()
            .enumerate()
            .flat_map(|(r, read)| {
                read.filters
                    .iter()
                    .map(move |f| (r, f.select(&read.select_list, database, &read.table)))
            })
            .collect();
        let n = readers.len().min(statements.len()).max(1);
        let fetched = conn::share_out(
            readers.iter_mut().take(n).collect(),
            &statements,
            async |conn, (r, sql)| {
                conn::rows(conn, sql.as_str(), || {
                    format!("source: selecting rows of {}", reads[*r].table)
                })
                .await
            },
        )
        .await?;
        let mut out: Vec<Vec<MySqlRow>> = reads.iter().map(|_| Vec::new()).collect();
        for ((r, _), rows) in statements.iter().zip(fetched) {
            out[*r].extend(rows);
        }
        Ok(out)
    }

    /// Follows each downward edge `e` of `steps` from its parent rows to the children, the reads
    /// of all of them shared out to the readers at once.
    async fn follow_down(
        &mut self,
        readers: &mut [Conn],
        steps: &[(usize, &[usize])],
        pending: &mut BTreeMap<String, Vec<usize>>,
    ) -> Result<(), MirrorError> {
        // A table reached before (Annotation from Patient, Study, Series and ImageInstance)
        // mostly yields rows selected already: their keys come from the foreign key's index
        // alone, and only the new rows are read whole.
        let mut reads = Vec::new();
        let mut keys_only = Vec::new();
        for &(e, parent_rows) in steps {
            let edge = self.graph.edges[e].clone();
            let sel = self.sel(edge.parent())?;
            let ci = sel.colset(&edge.key.referenced_columns);
            let values: Vec<String> = parent_rows
                .iter()
                .filter_map(|&r| sel.rows[r][ci].clone())
                .collect();
            let values: Vec<String> = values
                .into_iter()
                .filter(|v| self.followed_down[e].insert(v.clone()))
                .collect();
            if values.is_empty() {
                continue;
            }
            let child = self.sel(&edge.child)?;
            let reached = !child.rows.is_empty();
            let select_list = if reached {
                child.key_list.clone()
            } else {
                child.select_list.clone()
            };
            reads.push(Read {
                table: edge.child.clone(),
                select_list,
                filters: key_filters(&edge.key.columns, values, readers.len()),
            });
            keys_only.push(reached);
        }
        let fetched = self.read_all(readers, &reads).await?;
        // Whole rows first, so that the keys read alone skip those just added.
        for ((read, rows), _) in reads
            .iter()
            .zip(&fetched)
            .zip(&keys_only)
            .filter(|(_, k)| !**k)
        {
            let new = self.add_rows(&read.table, rows)?;
            if !new.is_empty() {
                pending.entry(read.table.clone()).or_default().extend(new);
            }
        }
        let mut new_keys: BTreeMap<String, (Vec<String>, HashSet<String>)> = BTreeMap::new();
        for ((read, rows), _) in reads
            .iter()
            .zip(&fetched)
            .zip(&keys_only)
            .filter(|(_, k)| **k)
        {
            let present = &self.sel(&read.table)?.present[0];
            let (keys, seen) = new_keys.entry(read.table.clone()).or_default();
            for key in rows.iter().filter_map(|r| text(r, 0)) {
                if !present.contains(&key) && seen.insert(key.clone()) {
                    keys.push(key);
                }
            }
        }
        let mut reads = Vec::new();
        for (table, (keys, _)) in new_keys {
            let sel = self.sel(&table)?;
            if !keys.is_empty() {
                reads.push(Read {
                    filters: key_filters(&sel.colsets[0], keys, readers.len()),
                    select_list: sel.select_list.clone(),
                    table,
                });
            }
        }
        let fetched = self.read_all(readers, &reads).await?;
        for (read, rows) in reads.iter().zip(&fetched) {
            let new = self.add_rows(&read.table, rows)?;
            if !new.is_empty() {
                pending.entry(read.table.clone()).or_default().extend(new);
            }
        }
        Ok(())
    }

    /// Follows edge `e` from `child_rows` up to the rows they reference.
    async fn follow_up(
        &mut self,
        readers: &mut [Conn],
        e: usize,
        child_rows: &[usize],
        pending: &mut BTreeMap<String, Vec<usize>>,
    ) -> Result<(), MirrorError> {
        let edge = self.graph.edges[e].clone();
        let sel = self.sel(&edge.child)?;
        let ci = sel.colset(&edge.key.columns);
        let values: Vec<String> = child_rows
            .iter()
            .filter_map(|&r| sel.rows[r][ci].clone())
            .collect();
        let parent = self.sel(edge.parent())?;
        let pi = parent.colset(&edge.key.referenced_columns);
        let missing: Vec<String> = values
            .into_iter()
            .filter(|v| !parent.present[pi].contains(v))
            .collect();
        let missing: Vec<String> = missing
            .into_iter()
            .filter(|v| self.requested_up[e].insert(v.clone()))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let filters = key_filters(&edge.key.referenced_columns, missing.clone(), readers.len());
        let new = self.fetch(readers, edge.parent(), filters).await?;
        pending
            .entry(edge.parent().to_string())
            .or_default()
            .extend(new);
        let parent = self.sel(edge.parent())?;
        let absent: Vec<&String> = missing
            .iter()
            .filter(|v| !parent.present[pi].contains(*v))
            .collect();
        if !absent.is_empty() {
            self.dangling.push(format!(
                "{} -> {}: {} value(s) reference no row, e.g. {}",
                edge.name(),
                edge.parent(),
                absent.len(),
                absent[0]
            ));
        }
        Ok(())
    }
}

fn bind_value<'q>(
    query: sqlx::query::Query<'q, sqlx::MySql, sqlx::mysql::MySqlArguments>,
    value: &ClauseValue,
) -> sqlx::query::Query<'q, sqlx::MySql, sqlx::mysql::MySqlArguments> {
    match value {
        ClauseValue::Null => query,
        ClauseValue::Bool(b) => query.bind(*b),
        ClauseValue::Int(i) => query.bind(*i),
        ClauseValue::UInt(u) => query.bind(*u),
        ClauseValue::Float(f) => query.bind(*f),
        ClauseValue::Text(s) => query.bind(s.clone()),
    }
}

/// Selects the rows to copy, reading through `readers`, which must share one read-only snapshot
/// of the source: the only place a raw condition is ever run (on the first reader). The key
/// batches of one step are read in parallel, one share per reader. With `fingerprint`, each
/// row's [`Fingerprint`] is computed by the same query that selects it, so that a copy which
/// does not read the snapshot itself (`INSERT ... SELECT`) can be compared with it.
pub async fn select(
    readers: &mut [Conn],
    catalog: &Catalog,
    graph: &Graph,
    objects: &[CopyObject],
    fingerprint: bool,
) -> Result<Selection, MirrorError> {
    let Some(first) = readers.first_mut() else {
        return Err(MirrorError::Internal("no reader to select rows".into()));
    };
    try_conditions(first, catalog, objects).await?;
    let mut s = Selector {
        catalog,
        graph,
        tables: BTreeMap::new(),
        followed_down: vec![HashSet::new(); graph.edges.len()],
        requested_up: vec![HashSet::new(); graph.edges.len()],
        dangling: Vec::new(),
        fingerprint,
        clock: 0,
    };
    // Roots that bring what belongs to them first, so that a row they reach downward is
    // followed down even if an entry without follow_down names it too.
    let mut matched = vec![0u64; objects.len()];
    let mut down_pending: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, object) in objects.iter().enumerate().filter(|(_, o)| o.follow_down) {
        let (n, rows) = s.roots(&mut readers[0], object).await?;
        matched[i] = n;
        down_pending
            .entry(object.table.clone())
            .or_default()
            .extend(rows);
    }

    // 1. Down: what belongs to the roots, in waves: every downward edge from the rows the
    // last wave added, read at once.
    while !down_pending.is_empty() {
        let wave = std::mem::take(&mut down_pending);
        let steps: Vec<(usize, &[usize])> = wave
            .iter()
            .flat_map(|(table, rows)| {
                graph
                    .edges
                    .iter()
                    .enumerate()
                    .filter(move |(_, e)| e.parent() == table && e.down)
                    .map(move |(e, _)| (e, rows.as_slice()))
            })
            .collect();
        s.follow_down(readers, &steps, &mut down_pending).await?;
    }

    for (i, object) in objects.iter().enumerate().filter(|(_, o)| !o.follow_down) {
        matched[i] = s.roots(&mut readers[0], object).await?.0;
    }
    let roots = objects
        .iter()
        .zip(matched)
        .map(|(o, rows)| RootCount {
            key: o.key.clone(),
            table: o.table.clone(),
            rows,
        })
        .collect();

    // 2. Up: everything referenced, plus extension rows of whatever is added.
    let mut up_pending: BTreeMap<String, Vec<usize>> = s
        .tables
        .iter()
        .map(|(t, sel)| (t.clone(), (0..sel.rows.len()).collect()))
        .collect();
    while let Some((table, rows)) = up_pending.pop_first() {
        for e in 0..graph.edges.len() {
            let edge = &graph.edges[e];
            if edge.child == table {
                s.follow_up(readers, e, &rows, &mut up_pending).await?;
            }
            let edge = &graph.edges[e];
            if edge.parent() == table && edge.extension {
                s.follow_down(readers, &[(e, &rows)], &mut up_pending)
                    .await?;
            }
        }
    }

    if !s.dangling.is_empty() {
        return Err(MirrorError::Refused(format!(
            "the source has foreign keys that reference missing rows, so no copy of this subset can be free of orphans: {}",
            s.dangling.join("; ")
        )));
    }
    Ok(Selection {
        tables: s.tables,
        fingerprinted: fingerprint,
        roots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey, SqlType, Table};

    fn schema() -> Schema {
        Schema::new(vec![
            Table::new("Model")
                .column(Column::new("ModelID", SqlType::INT))
                .primary_key(["ModelID"]),
            Table::new("SegmentationModel")
                .column(Column::new("ModelID", SqlType::INT))
                .primary_key(["ModelID"])
                .foreign_key(ForeignKey::new("f1", ["ModelID"], "Model", ["ModelID"])),
            Table::new("Annotation")
                .column(Column::new("AnnotationID", SqlType::INT))
                .primary_key(["AnnotationID"])
                .foreign_key(ForeignKey::new(
                    "f2",
                    ["AnnotationReferenceID"],
                    "Annotation",
                    ["AnnotationID"],
                )),
        ])
    }

    #[test]
    fn extension_edges_are_recognized() {
        let graph = Graph::from_schema(&schema());
        let ext: Vec<String> = graph
            .edges
            .iter()
            .filter(|e| e.extension)
            .map(Edge::name)
            .collect();
        assert_eq!(ext, ["SegmentationModel.ModelID"]);
        assert!(graph.edges.iter().all(|e| e.down));
    }

    #[test]
    fn batches_split_by_count() {
        let values: Vec<String> = (0..2500).map(|i| i.to_string()).collect();
        let b = batches(values, 1);
        assert_eq!(
            b.iter().map(Vec::len).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        let values: Vec<String> = (0..900).map(|i| i.to_string()).collect();
        let b = batches(values, 4);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [225; 4]);
        let values: Vec<String> = (0..60).map(|i| i.to_string()).collect();
        let b = batches(values, 4);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [50, 10]);
        let values: Vec<String> = (0..25_000).map(|i| i.to_string()).collect();
        let b = batches_of(values, 10_000);
        assert_eq!(
            b.iter().map(Vec::len).collect::<Vec<_>>(),
            [10_000, 10_000, 5_000]
        );
    }
}
