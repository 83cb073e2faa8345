//! What the source database holds: tables with their DDL, columns and size estimates, and the
//! views, triggers and routines; plus the SQL expressions that render a row as SQL text.
//!
//! Rows travel as SQL text. For a full copy verified with `CHECKSUM TABLE`, the source sends
//! plain values and the client writes the literals ([`TableInfo::raw_select`], [`render_text`]):
//! strings quoted and escaped, numbers as they came, and binary strings bound as parameters of
//! prepared INSERTs, so blobs travel as they are. When every row is fingerprinted (subsets,
//! copies between server versions), the *server* renders each row
//! ([`TableInfo::rendered_select`]): `CONCAT('(', <v1>, ',', <v2>, ..., ')')` with `QUOTE()` for
//! strings, dates, enums and JSON, `X'..'` for geometry, digits for numbers, cut at the binary
//! strings, which still come as raw bytes; the staged copy is fingerprinted by the same
//! expression, with the MD5 of each binary value in its place ([`TableInfo::row_literal`]), so
//! that no rendered text outgrows the row. Either way FLOAT is read as DOUBLE:
//! MariaDB renders a FLOAT with 6 significant digits (so `mysqldump` and the text protocol lose
//! FLOAT precision), a DOUBLE in the shortest form that round-trips.

use std::collections::BTreeMap;

use super::conn::{self, Conn, text};
use super::error::MirrorError;
use crate::sql::ident;

/// Database object kinds besides base tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A view; views may use each other, so they are created by retrying until all exist.
    View,
    /// A trigger; created last, after the views and routines it may use.
    Trigger,
    /// A stored procedure.
    Procedure,
    /// A stored function.
    Function,
}

impl ObjectKind {
    /// The kind's SQL keyword, as in `SHOW CREATE`, `CREATE` and `DROP`: `VIEW`, `TRIGGER`,
    /// `PROCEDURE` or `FUNCTION`.
    pub fn keyword(self) -> &'static str {
        match self {
            ObjectKind::View => "VIEW",
            ObjectKind::Trigger => "TRIGGER",
            ObjectKind::Procedure => "PROCEDURE",
            ObjectKind::Function => "FUNCTION",
        }
    }
}

/// A view, trigger or routine, as `SHOW CREATE` gives it, with the `DEFINER=` clause removed so
/// that it is created by (and runs as) the target's user, who exists on the target server.
#[derive(Debug, Clone)]
pub struct ObjectDef {
    /// What it is, which decides when it is created and how it is dropped.
    pub kind: ObjectKind,
    /// Its unqualified name.
    pub name: String,
    /// The `CREATE` statement without `DEFINER=`; same-database names in it are unqualified, so
    /// it is run with the database it is created in as the default database.
    pub create_sql: String,
    /// The `sql_mode` the object was created under (triggers and routines).
    pub sql_mode: Option<String>,
}

/// A column and how to render it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    /// The column's name as the server spells it.
    pub name: String,
    /// `information_schema.COLUMNS.DATA_TYPE`, lowercase.
    pub data_type: String,
    /// Character set of string columns, empty otherwise.
    pub charset: String,
    /// Generated columns are never inserted.
    pub generated: bool,
    /// Whether the column is `AUTO_INCREMENT`: an index it leads stays in the base DDL of
    /// [`TableInfo::split_ddl`], since InnoDB requires one.
    pub auto_increment: bool,
}

impl ColumnInfo {
    /// A column as `information_schema.COLUMNS` describes it.
    pub fn of(row: &crate::schema::introspect::ColumnRow) -> Self {
        let ty = row.column_type.to_ascii_lowercase();
        let data_type = ty.split(['(', ' ']).next().unwrap_or_default().to_string();
        ColumnInfo {
            name: row.column_name.clone(),
            data_type,
            charset: row
                .collation_name
                .as_deref()
                .map(crate::schema::charset_of)
                .unwrap_or_default()
                .to_string(),
            generated: crate::schema::introspect::is_generated_column(&row.extra),
            auto_increment: row.extra.to_ascii_lowercase().contains("auto_increment"),
        }
    }
}

/// A base table of the source.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The table's name, the same in source, staging and target.
    pub name: String,
    /// `SHOW CREATE TABLE` as the source gives it.
    pub create_sql: String,
    /// Every column in order.
    pub columns: Vec<ColumnInfo>,
    /// Primary key columns in key order; empty when the table has none (a subset cannot track
    /// such a table's rows).
    pub primary_key: Vec<String>,
    /// The primary key when it is a single integer column: big tables are split on its ranges.
    pub int_pk: Option<String>,
    /// `information_schema` estimates (InnoDB's are approximate).
    pub est_rows: u64,
    /// Estimated data size in bytes (`DATA_LENGTH`, indexes not included): orders the copy,
    /// sizes chunks and decides whether indexes are deferred.
    pub est_bytes: u64,
}

/// Base DDL without secondary indexes and foreign keys, and the clauses to add them afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitDdl {
    /// The `CREATE TABLE` to run before the load: columns, primary key, and the definitions
    /// that must stay.
    pub create: String,
    /// `ADD KEY ...` / `ADD UNIQUE KEY ...` clauses.
    pub indexes: Vec<String>,
    /// `ADD CONSTRAINT ... FOREIGN KEY ...` clauses.
    pub foreign_keys: Vec<String>,
}

impl TableInfo {
    /// A table with an integer key `id` and the given size estimates, for unit tests.
    #[cfg(test)]
    pub(crate) fn sized(est_rows: u64, est_bytes: u64) -> Self {
        TableInfo {
            name: "t".into(),
            create_sql: String::new(),
            columns: Vec::new(),
            primary_key: vec!["id".into()],
            int_pk: Some("id".into()),
            est_rows,
            est_bytes,
        }
    }

    /// Columns that an INSERT names (all but generated ones).
    pub fn insert_columns(&self) -> impl Iterator<Item = &ColumnInfo> {
        self.columns.iter().filter(|c| !c.generated)
    }

    /// `` `a`,`b`,... `` of the inserted columns.
    pub fn column_list(&self) -> String {
        self.insert_columns()
            .map(|c| ident(&c.name))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// SQL that renders one row's fingerprint text (see [`super::verify`]): `(v1,v2,...)` with
    /// every value as an SQL literal, except binary strings (`binary`, `varbinary`, `*blob`),
    /// which appear as the MD5 of their bytes (see [`push_binary_digest`]): in hexadecimal a
    /// blob would double, and a value over `max_allowed_packet` renders as NULL.
    pub fn row_literal(&self) -> String {
        let mut parts = vec!["'('".to_owned()];
        for (i, column) in self.insert_columns().enumerate() {
            if i > 0 {
                parts.push("','".to_owned());
            }
            parts.push(if is_binary_string(column) {
                digest_literal(column)
            } else {
                value_literal(column)
            });
        }
        parts.push("')'".to_owned());
        format!("CONCAT({})", parts.join(","))
    }

    /// The select list that reads one row for a fingerprinted copy: the text of
    /// [`row_literal`](Self::row_literal), rendered by the server, cut at every binary string
    /// column, whose raw bytes come between the pieces: `text0, bytes1, text1, ..., bytesN,
    /// textN`. The copy writes the pieces with a `?` for each binary value and binds the bytes
    /// as parameters, so blobs travel as they are and nothing the server renders grows with
    /// them. Returns the list and N.
    pub fn rendered_select(&self) -> (String, usize) {
        let mut list = Vec::new();
        let mut piece = vec!["'('".to_owned()];
        for (i, column) in self.insert_columns().enumerate() {
            if i > 0 {
                piece.push("','".to_owned());
            }
            if is_binary_string(column) {
                list.push(format!("CONCAT({})", piece.join(",")));
                list.push(ident(&column.name));
                // Never empty again: a `,` or the closing `)` follows.
                piece.clear();
            } else {
                piece.push(value_literal(column));
            }
        }
        piece.push("')'".to_owned());
        list.push(format!("CONCAT({})", piece.join(",")));
        let binary = list.len() / 2;
        (list.join(", "), binary)
    }

    /// SQL that renders the values of `columns` as an `IN (...)` list element: `v` for one
    /// column, `(v1,v2)` for several; NULL when any of them is NULL (such a key references
    /// nothing).
    pub fn tuple_literal(&self, columns: &[String]) -> String {
        let infos: Vec<ColumnInfo> = columns
            .iter()
            .map(|c| {
                self.column(c).cloned().unwrap_or(ColumnInfo {
                    name: c.clone(),
                    data_type: String::new(),
                    charset: String::new(),
                    generated: false,
                    auto_increment: false,
                })
            })
            .collect();
        let null_test = infos
            .iter()
            .map(|c| format!("{} IS NULL", ident(&c.name)))
            .collect::<Vec<_>>()
            .join(" OR ");
        let body = if infos.len() == 1 {
            value_literal(&infos[0])
        } else {
            let mut parts = vec!["'('".to_owned()];
            for (i, c) in infos.iter().enumerate() {
                if i > 0 {
                    parts.push("','".to_owned());
                }
                parts.push(value_literal(c));
            }
            parts.push("')'".to_owned());
            format!("CONCAT({})", parts.join(","))
        };
        format!("IF({null_test}, NULL, {body})")
    }

    /// Splits the DDL into a CREATE with the primary key (and whatever must stay: the index of
    /// an AUTO_INCREMENT column, FULLTEXT and SPATIAL indexes, CHECKs) and the secondary indexes
    /// and foreign keys to add after the load. `None` if the DDL does not have the expected
    /// one-definition-per-line shape; then the table is created whole.
    pub fn split_ddl(&self) -> Option<SplitDdl> {
        let lines: Vec<&str> = self.create_sql.lines().collect();
        let first = *lines.first()?;
        if !first.trim_end().ends_with('(') {
            return None;
        }
        let end = lines.iter().position(|l| l.starts_with(')'))?;
        let auto_column = self
            .columns
            .iter()
            .find(|c| c.auto_increment)
            .map(|c| ident(&c.name));
        let pk_first = self.primary_key.first().map(|c| ident(c));
        let mut kept = Vec::new();
        let mut indexes = Vec::new();
        let mut foreign_keys = Vec::new();
        for line in &lines[1..end] {
            if !line.starts_with("  ") {
                return None;
            }
            let def = line.trim().trim_end_matches(',');
            let is_index = def.starts_with("KEY ") || def.starts_with("UNIQUE KEY ");
            let is_fk = def.starts_with("CONSTRAINT ") && def.contains(" FOREIGN KEY ");
            if is_index {
                // InnoDB needs an AUTO_INCREMENT column to lead some index from the start.
                let leads_auto = auto_column.as_ref().is_some_and(|auto| {
                    pk_first.as_ref() != Some(auto)
                        && def
                            .split_once('(')
                            .is_some_and(|(_, cols)| cols.starts_with(auto.as_str()))
                });
                if leads_auto {
                    kept.push(def);
                } else {
                    indexes.push(format!("ADD {def}"));
                }
            } else if is_fk {
                foreign_keys.push(format!("ADD {def}"));
            } else {
                kept.push(def);
            }
        }
        if indexes.is_empty() && foreign_keys.is_empty() {
            return None;
        }
        let mut create = String::from(first);
        create.push('\n');
        create.push_str(
            &kept
                .iter()
                .map(|d| format!("  {d}"))
                .collect::<Vec<_>>()
                .join(",\n"),
        );
        create.push('\n');
        create.push_str(&lines[end..].join("\n"));
        Some(SplitDdl {
            create,
            indexes,
            foreign_keys,
        })
    }
}

/// How the client writes a value it read in the text protocol as an SQL literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// Digits as they came (integers, decimals, doubles; FLOAT is read as DOUBLE).
    Number,
    /// A quoted, escaped string (strings, dates and times, enums, JSON).
    Text,
    /// Raw bytes, bound as a parameter.
    Binary,
    /// `BIN()` digits, written `b'...'`.
    Bit,
    /// `HEX()` digits, written `X'...'` (geometry).
    Hex,
}

impl TableInfo {
    /// The select list that reads the inserted columns as plain values for the client to render
    /// (see [`render_text`]), with how to render each. Cheaper for the source server than
    /// [`rendered_select`](Self::rendered_select): no per-value string functions.
    pub fn raw_select(&self) -> (String, Vec<Render>) {
        let mut list = Vec::new();
        let mut kinds = Vec::new();
        for column in self.insert_columns() {
            let c = ident(&column.name);
            let (expr, kind) = match column.data_type.as_str() {
                _ if is_binary_string(column) => (c, Render::Binary),
                "geometry" | "point" | "linestring" | "polygon" | "multipoint"
                | "multilinestring" | "multipolygon" | "geometrycollection" => {
                    (format!("HEX({c})"), Render::Hex)
                }
                "bit" => (format!("BIN({c})"), Render::Bit),
                "float" => (format!("CAST({c} AS DOUBLE)"), Render::Number),
                "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "decimal"
                | "numeric" | "double" | "real" | "year" => (c, Render::Number),
                _ => (c, Render::Text),
            };
            list.push(expr);
            kinds.push(kind);
        }
        (list.join(", "), kinds)
    }
}

/// Appends `value` as a MySQL string literal: quoted, with backslash, quote, NUL and Ctrl-Z
/// escaped (what `QUOTE()` does; valid whatever the SQL mode except NO_BACKSLASH_ESCAPES,
/// which the mirror's sessions never set).
pub fn render_text(out: &mut String, value: &str) {
    out.reserve(value.len() + 2);
    out.push('\'');
    let mut start = 0;
    for (i, b) in value.bytes().enumerate() {
        let escaped = match b {
            b'\\' => "\\\\",
            b'\'' => "\\'",
            0 => "\\0",
            26 => "\\Z",
            _ => continue,
        };
        // Escaped bytes are ASCII, so `i` is a character boundary.
        out.push_str(&value[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('\'');
}

fn is_binary_string(column: &ColumnInfo) -> bool {
    matches!(
        column.data_type.as_str(),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob"
    )
}

/// SQL rendering a binary string column in the fingerprint text: `NULL`, or `MD5'<hex>'`, the
/// server's twin of [`push_binary_digest`].
fn digest_literal(column: &ColumnInfo) -> String {
    let c = ident(&column.name);
    format!("IF({c} IS NULL,'NULL',CONCAT('MD5''',MD5({c}),''''))")
}

/// Appends a binary value as the fingerprint text shows it (see [`TableInfo::row_literal`]):
/// `NULL`, or `MD5'<hex>'` with the MD5 of its bytes in lowercase hexadecimal, as the server's
/// `MD5()` writes it.
pub fn push_binary_digest(out: &mut Vec<u8>, value: Option<&[u8]>) {
    use md5::{Digest, Md5};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let Some(bytes) = value else {
        out.extend_from_slice(b"NULL");
        return;
    };
    out.extend_from_slice(b"MD5'");
    for b in Md5::digest(bytes) {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
    out.push(b'\'');
}

/// SQL rendering one column's value as a literal; never NULL (NULL renders as `NULL`).
pub fn value_literal(column: &ColumnInfo) -> String {
    let c = ident(&column.name);
    match column.data_type.as_str() {
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" | "geometry"
        | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" => {
            format!("IF({c} IS NULL,'NULL',CONCAT('X''',HEX({c}),''''))")
        }
        "bit" => format!("IF({c} IS NULL,'NULL',CONCAT('b''',BIN({c}),''''))"),
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "decimal"
        | "numeric" | "double" | "real" | "year" => {
            format!("IF({c} IS NULL,'NULL',CONCAT({c}))")
        }
        "float" => format!("IF({c} IS NULL,'NULL',CONCAT(CAST({c} AS DOUBLE)))"),
        _ if column.charset.is_empty() || column.charset.eq_ignore_ascii_case("utf8mb4") => {
            format!("QUOTE({c})")
        }
        _ => format!("CONVERT(QUOTE({c}) USING utf8mb4)"),
    }
}

/// Everything read from the source database.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The database that was read.
    pub database: String,
    /// Its default character set (`utf8mb4` if the server reports none); staging and target
    /// are created with it.
    pub charset: String,
    /// Its default collation.
    pub collation: String,
    /// The schema model of the source (bookkeeping tables aside), as introspection reads it:
    /// the foreign-key graph of a subset comes from it.
    pub schema: crate::schema::Schema,
    /// The base tables, by name.
    pub tables: Vec<TableInfo>,
    /// The views, by name.
    pub views: Vec<ObjectDef>,
    /// The triggers, per table in their order of action.
    pub triggers: Vec<ObjectDef>,
    /// Stored functions and procedures (functions first), by name.
    pub routines: Vec<ObjectDef>,
    /// Events are not copied (a copy should not start running scheduled jobs).
    pub events: Vec<String>,
}

impl Catalog {
    /// The base table named exactly `name` (case-sensitive), if the source has it.
    pub fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The estimated rows of all tables (approximate for InnoDB).
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.est_rows).sum()
    }

    /// The estimated data size of all tables in bytes, indexes not included.
    pub fn total_bytes(&self) -> u64 {
        self.tables.iter().map(|t| t.est_bytes).sum()
    }

    /// Reads the catalog of `database`. `conn`'s default database must be `database`, so that
    /// `SHOW CREATE VIEW` leaves same-database names unqualified.
    pub async fn read(conn: &mut Conn, database: &str) -> Result<Catalog, MirrorError> {
        let (charset, collation) = read_defaults(conn, database).await?;
        let (mut tables, views) = read_tables(conn, database).await?;
        // Columns, keys and everything the schema model knows: read as introspection reads
        // them, through this connection.
        let rows =
            crate::schema::introspect::read_catalog(&mut conn::CatalogReader(conn), Some(database))
                .await
                .map_err(|e| MirrorError::Sql {
                    context: "source: reading the schema".into(),
                    message: e.to_string(),
                })?;
        for row in &rows.columns {
            if let Some(t) = tables.get_mut(&row.table_name) {
                t.columns.push(ColumnInfo::of(row));
            }
        }
        let schema = rows.schema();
        for t in tables.values_mut() {
            if let Some(table) = schema.table(&t.name) {
                t.primary_key = table.primary_key.clone();
            }
            t.int_pk = integer_key(t);
            t.create_sql = show_create(conn, "TABLE", &t.name)
                .await?
                .unwrap_or_default();
        }
        let mut view_defs = Vec::new();
        for name in views {
            let create = show_create(conn, "VIEW", &name).await?.unwrap_or_default();
            view_defs.push(ObjectDef {
                kind: ObjectKind::View,
                name,
                create_sql: strip_definer(&create, ObjectKind::View),
                sql_mode: None,
            });
        }
        Ok(Catalog {
            database: database.to_owned(),
            charset,
            collation,
            schema,
            tables: tables.into_values().collect(),
            views: view_defs,
            triggers: read_triggers(conn, database).await?,
            routines: read_routines(conn, database).await?,
            events: read_events(conn, database).await?,
        })
    }
}

/// What an error says the mirror was reading on the source.
fn reading(what: &str) -> impl FnOnce() -> String {
    let what = what.to_owned();
    move || format!("source: reading {what}")
}

/// The database's default character set and collation.
async fn read_defaults(conn: &mut Conn, database: &str) -> Result<(String, String), MirrorError> {
    let schema = conn::rows_with(
        conn,
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        &[database],
        reading("the database's character set"),
    )
    .await?;
    let Some(row) = schema.first() else {
        return Err(MirrorError::Refused(format!(
            "the source database {database} does not exist"
        )));
    };
    Ok((
        text(row, 0).unwrap_or_else(|| "utf8mb4".into()),
        text(row, 1).unwrap_or_default(),
    ))
}

/// The base tables with their size estimates, and the names of the views; anything else
/// (sequences, system versioned tables...) cannot be copied, which is an error.
async fn read_tables(
    conn: &mut Conn,
    database: &str,
) -> Result<(BTreeMap<String, TableInfo>, Vec<String>), MirrorError> {
    let mut tables = BTreeMap::new();
    let mut views = Vec::new();
    let mut unsupported = Vec::new();
    for row in conn::rows_with(
        conn,
        "SELECT TABLE_NAME, TABLE_TYPE, CAST(IFNULL(TABLE_ROWS, 0) AS CHAR), \
         CAST(IFNULL(DATA_LENGTH, 0) AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
        &[database],
        reading("the list of tables"),
    )
    .await?
    {
        let name = text(&row, 0).unwrap_or_default();
        match text(&row, 1).unwrap_or_default().as_str() {
            "BASE TABLE" => {
                tables.insert(
                    name.clone(),
                    TableInfo {
                        name,
                        create_sql: String::new(),
                        columns: Vec::new(),
                        primary_key: Vec::new(),
                        int_pk: None,
                        est_rows: conn::number(&row, 2),
                        est_bytes: conn::number(&row, 3),
                    },
                );
            }
            "VIEW" => views.push(name),
            other => unsupported.push(format!("{name} ({})", other.to_ascii_lowercase())),
        }
    }
    if !unsupported.is_empty() {
        return Err(MirrorError::Unsupported(format!(
            "the source has objects the mirror cannot copy: {}",
            unsupported.join(", ")
        )));
    }
    Ok((tables, views))
}

/// The primary key when it is a single integer column: big tables are split on its ranges.
fn integer_key(t: &TableInfo) -> Option<String> {
    match t.primary_key.as_slice() {
        [pk] if t.column(pk).is_some_and(|c| {
            matches!(
                c.data_type.as_str(),
                "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
            )
        }) =>
        {
            Some(pk.clone())
        }
        _ => None,
    }
}

/// `SHOW CREATE <kind> name`'s statement (its second column).
async fn show_create(
    conn: &mut Conn,
    kind: &str,
    name: &str,
) -> Result<Option<String>, MirrorError> {
    let rows = conn::rows(conn, format!("SHOW CREATE {kind} {}", ident(name)), || {
        format!("source: SHOW CREATE {kind} {name}")
    })
    .await?;
    Ok(rows.first().and_then(|r| text(r, 1)))
}

/// Triggers in their order of action, as `SHOW CREATE TRIGGER` gives them.
async fn read_triggers(conn: &mut Conn, database: &str) -> Result<Vec<ObjectDef>, MirrorError> {
    let mut triggers = Vec::new();
    for row in conn::rows_with(
        conn,
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? \
         ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER",
        &[database],
        reading("triggers"),
    )
    .await?
    {
        let name = text(&row, 0).unwrap_or_default();
        let rows = conn::rows(
            conn,
            format!("SHOW CREATE TRIGGER {}", ident(&name)),
            || format!("source: SHOW CREATE TRIGGER {name}"),
        )
        .await?;
        let Some(r) = rows.first() else { continue };
        triggers.push(ObjectDef {
            kind: ObjectKind::Trigger,
            create_sql: strip_definer(&text(r, 2).unwrap_or_default(), ObjectKind::Trigger),
            sql_mode: text(r, 1),
            name,
        });
    }
    Ok(triggers)
}

/// Stored procedures and functions, as `SHOW CREATE` gives them; refused when the source user
/// may not read a body.
async fn read_routines(conn: &mut Conn, database: &str) -> Result<Vec<ObjectDef>, MirrorError> {
    let mut routines = Vec::new();
    for row in conn::rows_with(
        conn,
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES \
         WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
        &[database],
        reading("stored routines"),
    )
    .await?
    {
        let name = text(&row, 0).unwrap_or_default();
        let kind = match text(&row, 1).unwrap_or_default().as_str() {
            "PROCEDURE" => ObjectKind::Procedure,
            "FUNCTION" => ObjectKind::Function,
            other => {
                return Err(MirrorError::Unsupported(format!(
                    "the source has a stored {} ({name}) the mirror cannot copy",
                    other.to_ascii_lowercase()
                )));
            }
        };
        let rows = conn::rows(
            conn,
            format!("SHOW CREATE {} {}", kind.keyword(), ident(&name)),
            || format!("source: SHOW CREATE {} {name}", kind.keyword()),
        )
        .await?;
        let Some(r) = rows.first() else { continue };
        let Some(create) = text(r, 2) else {
            return Err(MirrorError::Refused(format!(
                "the source user may not read the body of {} {name}; grant it SELECT on mysql.proc (MariaDB) or SHOW_ROUTINE, or drop the routine from the source",
                kind.keyword().to_ascii_lowercase()
            )));
        };
        routines.push(ObjectDef {
            kind,
            create_sql: strip_definer(&create, kind),
            sql_mode: text(r, 1),
            name,
        });
    }
    Ok(routines)
}

/// The events' names (events are not copied).
async fn read_events(conn: &mut Conn, database: &str) -> Result<Vec<String>, MirrorError> {
    Ok(conn::rows_with(
        conn,
        "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME",
        &[database],
        reading("events"),
    )
    .await?
    .iter()
    .filter_map(|r| text(r, 0))
    .collect())
}

/// Removes `DEFINER=user@host` from the head of a `CREATE ... VIEW/TRIGGER/PROCEDURE/FUNCTION`.
pub fn strip_definer(create: &str, kind: ObjectKind) -> String {
    let upper = create.to_ascii_uppercase();
    let head_end = upper
        .find(&format!(" {} ", kind.keyword()))
        .unwrap_or(upper.len());
    let Some(start) = upper[..head_end].find("DEFINER=") else {
        return create.to_owned();
    };
    let bytes = create.as_bytes();
    let mut i = start + "DEFINER=".len();
    // user, then optionally @host; each quoted with ` or ' or ", or bare.
    let mut parts = 0;
    while i < bytes.len() && parts < 2 {
        match bytes[i] {
            q @ (b'`' | b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if i + 1 < bytes.len() && bytes[i + 1] == q {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                while i < bytes.len() && !matches!(bytes[i], b'@' | b' ') {
                    i += 1;
                }
            }
        }
        parts += 1;
        if i < bytes.len() && bytes[i] == b'@' {
            i += 1;
        } else {
            break;
        }
    }
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    format!("{}{}", &create[..start], &create[i..])
}

/// A `SHOW CREATE TABLE` text reduced to what must be equal between source and copy: the
/// column lines in order, the other definitions as a sorted set, the table options without the
/// `AUTO_INCREMENT` counter (which is not transactional).
pub fn normalize_ddl(create: &str) -> (Vec<String>, Vec<String>, String) {
    let lines: Vec<&str> = create.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with(')'))
        .unwrap_or(lines.len());
    let mut columns = Vec::new();
    let mut others = Vec::new();
    for line in lines.iter().take(end).skip(1) {
        let def = line.trim().trim_end_matches(',').to_owned();
        if def.starts_with('`') {
            columns.push(def);
        } else {
            others.push(def);
        }
    }
    others.sort();
    let tail = lines[end.min(lines.len())..]
        .join("\n")
        .split(' ')
        .filter(|w| !w.starts_with("AUTO_INCREMENT="))
        .collect::<Vec<_>>()
        .join(" ");
    (columns, others, tail)
}

/// Whether `column` can be written in the load format of [`crate::load_data`]: numbers, binary
/// strings and UTF-8 text (the file is read as `CHARACTER SET binary`, so text must already be in
/// the column's character set: the readers receive utf8mb4).
fn loadable_column(column: &ColumnInfo, kind: Render) -> bool {
    match kind {
        Render::Number | Render::Binary => true,
        Render::Text => column.charset.is_empty() || column.charset.starts_with("utf8mb4"),
        Render::Bit | Render::Hex => false,
    }
}

/// Whether every inserted column of `table` can be loaded (numbers, binary strings and UTF-8 text).
pub fn loadable(table: &TableInfo) -> bool {
    let (_, kinds) = table.raw_select();
    table
        .insert_columns()
        .zip(kinds)
        .all(|(c, k)| loadable_column(c, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: &str) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            data_type: ty.into(),
            charset: String::new(),
            generated: false,
            auto_increment: false,
        }
    }

    const DDL: &str = "CREATE TABLE `Series` (\n  `SeriesID` int(11) NOT NULL AUTO_INCREMENT,\n  `StudyID` int(11) NOT NULL,\n  `Uid` varchar(64) DEFAULT NULL,\n  PRIMARY KEY (`SeriesID`),\n  UNIQUE KEY `Uid` (`Uid`),\n  KEY `fk_Series_Study1_idx` (`StudyID`),\n  CONSTRAINT `Series_ibfk_1` FOREIGN KEY (`StudyID`) REFERENCES `Study` (`StudyID`) ON DELETE CASCADE,\n  CONSTRAINT `ck` CHECK (`StudyID` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci";

    fn series() -> TableInfo {
        let mut id = col("SeriesID", "int");
        id.auto_increment = true;
        TableInfo {
            name: "Series".into(),
            create_sql: DDL.into(),
            columns: vec![id, col("StudyID", "int"), col("Uid", "varchar")],
            primary_key: vec!["SeriesID".into()],
            int_pk: Some("SeriesID".into()),
            est_rows: 0,
            est_bytes: 0,
        }
    }

    #[test]
    fn ddl_splits_into_base_indexes_and_fks() {
        let split = series().split_ddl().unwrap();
        assert_eq!(
            split.create,
            "CREATE TABLE `Series` (\n  `SeriesID` int(11) NOT NULL AUTO_INCREMENT,\n  `StudyID` int(11) NOT NULL,\n  `Uid` varchar(64) DEFAULT NULL,\n  PRIMARY KEY (`SeriesID`),\n  CONSTRAINT `ck` CHECK (`StudyID` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
        );
        assert_eq!(
            split.indexes,
            [
                "ADD UNIQUE KEY `Uid` (`Uid`)",
                "ADD KEY `fk_Series_Study1_idx` (`StudyID`)"
            ]
        );
        assert_eq!(
            split.foreign_keys,
            [
                "ADD CONSTRAINT `Series_ibfk_1` FOREIGN KEY (`StudyID`) REFERENCES `Study` (`StudyID`) ON DELETE CASCADE"
            ]
        );
    }

    #[test]
    fn normalized_ddl_ignores_order_of_keys_and_counter() {
        let other = DDL
            .replace("AUTO_INCREMENT=42 ", "AUTO_INCREMENT=7 ")
            .replace(
                "  UNIQUE KEY `Uid` (`Uid`),\n  KEY `fk_Series_Study1_idx` (`StudyID`),",
                "  KEY `fk_Series_Study1_idx` (`StudyID`),\n  UNIQUE KEY `Uid` (`Uid`),",
            );
        assert_eq!(normalize_ddl(DDL), normalize_ddl(&other));
        assert_ne!(
            normalize_ddl(DDL),
            normalize_ddl(&DDL.replace("varchar(64)", "varchar(65)"))
        );
    }

    #[test]
    fn literals() {
        let t = series();
        assert_eq!(
            t.row_literal(),
            "CONCAT('(',IF(`SeriesID` IS NULL,'NULL',CONCAT(`SeriesID`)),',',IF(`StudyID` IS NULL,'NULL',CONCAT(`StudyID`)),',',QUOTE(`Uid`),')')"
        );
        assert_eq!(
            value_literal(&col("f", "float")),
            "IF(`f` IS NULL,'NULL',CONCAT(CAST(`f` AS DOUBLE)))"
        );
        assert_eq!(
            value_literal(&col("b", "tinyblob")),
            "IF(`b` IS NULL,'NULL',CONCAT('X''',HEX(`b`),''''))"
        );
        assert!(
            t.tuple_literal(&["StudyID".into(), "Uid".into()])
                .starts_with("IF(`StudyID` IS NULL OR `Uid` IS NULL, NULL, CONCAT('(',")
        );
    }

    #[test]
    fn binary_values_are_cut_out_of_the_rendered_row() {
        let t = TableInfo {
            name: "Blob".into(),
            columns: vec![
                col("id", "int"),
                col("data", "longblob"),
                col("raw", "varbinary"),
                col("note", "varchar"),
            ],
            ..series()
        };
        let (list, binary) = t.rendered_select();
        assert_eq!(binary, 2);
        assert_eq!(
            list,
            "CONCAT('(',IF(`id` IS NULL,'NULL',CONCAT(`id`)),','), `data`, CONCAT(','), `raw`, CONCAT(',',QUOTE(`note`),')')"
        );
        // The fingerprint text: the same pieces, with each binary value's MD5 in its place.
        assert_eq!(
            t.row_literal(),
            "CONCAT('(',IF(`id` IS NULL,'NULL',CONCAT(`id`)),',',IF(`data` IS NULL,'NULL',CONCAT('MD5''',MD5(`data`),'''')),',',IF(`raw` IS NULL,'NULL',CONCAT('MD5''',MD5(`raw`),'''')),',',QUOTE(`note`),')')"
        );
        let mut out = Vec::new();
        push_binary_digest(&mut out, Some(b""));
        out.push(b',');
        push_binary_digest(&mut out, None);
        assert_eq!(out, b"MD5'd41d8cd98f00b204e9800998ecf8427e',NULL");
    }

    #[test]
    fn text_is_escaped_like_quote() {
        let mut out = String::new();
        render_text(&mut out, "it's a \\ \0 \u{1a} ü");
        assert_eq!(out, "'it\\'s a \\\\ \\0 \\Z ü'");
        let (list, kinds) = series().raw_select();
        assert_eq!(list, "`SeriesID`, `StudyID`, `Uid`");
        assert_eq!(kinds, [Render::Number, Render::Number, Render::Text]);
    }

    #[test]
    fn definer_is_removed() {
        assert_eq!(
            strip_definer(
                "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select 1",
                ObjectKind::View
            ),
            "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1"
        );
        assert_eq!(
            strip_definer(
                "CREATE DEFINER='a''b'@'%' TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
                ObjectKind::Trigger
            ),
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1"
        );
        assert_eq!(
            strip_definer("CREATE PROCEDURE p() SELECT 1", ObjectKind::Procedure),
            "CREATE PROCEDURE p() SELECT 1"
        );
    }
}
