//! Introspection: a live MySQL/MariaDB database → the schema model, in two steps.
//!
//! 1. [`read_catalog`]: eight `information_schema` queries (and `SELECT VERSION()`) whatever the
//!    number of tables, kept as the rows the server returned ([`Catalog`]). A catalog can also be
//!    read from a JSON file of such rows, which is how the MySQL 8 paths are tested on a machine
//!    that has only MariaDB.
//! 2. [`Catalog::schema`]: normalization, with no I/O, so that a MariaDB 10.11 and a MySQL 8
//!    database holding the same schema give the same model: display widths dropped (`int(11)` →
//!    `int`), `tinyint(1)` as bool, MariaDB's JSON (`longtext` + `json_valid` CHECK) as `json`,
//!    `current_timestamp()` as `CURRENT_TIMESTAMP`, quoted literal defaults unquoted, `DEFAULT NULL`
//!    as no default, and what the server does by default as `None`: the InnoDB engine, a table
//!    collation equal to the database's default, a column collation equal to its table's, empty
//!    comments.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};

use super::model::{
    Check, Column, ColumnDefault, FkAction, ForeignKey, Index, Schema, SqlType, Table,
};

/// Which server we introspect; they differ in catalog details, not in meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// MariaDB (10.11): its `VERSION()` says `MariaDB`.
    MariaDb,
    /// MySQL 8, and any server whose `VERSION()` does not say `MariaDB`.
    MySql,
}

impl Flavor {
    /// The flavor of a server by its `VERSION()` (`10.11.19-MariaDB-...`, `8.0.36`).
    pub fn of_version(version: &str) -> Self {
        if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::MariaDb
        } else {
            Flavor::MySql
        }
    }
}

/// The engine a table has when the model says nothing.
pub const DEFAULT_ENGINE: &str = "InnoDB";

/// The collation MariaDB gives a JSON column (an alias of `longtext` with this collation).
pub const MARIADB_JSON_COLLATION: &str = "utf8mb4_bin";

/// A database's catalog as `information_schema` reports it, one field per query, each row with
/// the server's own column names. Plain data: [`Catalog::schema`] normalizes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Catalog {
    /// `SELECT VERSION()`.
    pub version: String,
    /// `SCHEMATA.DEFAULT_COLLATION_NAME` of the database.
    pub default_collation: String,
    /// `TABLES` of type `BASE TABLE`.
    pub tables: Vec<TableRow>,
    /// `COLUMNS`, by table and ordinal position.
    pub columns: Vec<ColumnRow>,
    /// `STATISTICS`: one row per column of each index.
    pub statistics: Vec<StatisticsRow>,
    /// `REFERENTIAL_CONSTRAINTS`.
    pub referential_constraints: Vec<ReferentialRow>,
    /// `KEY_COLUMN_USAGE` rows of foreign keys, by table, constraint and position.
    pub key_column_usage: Vec<KeyColumnRow>,
    /// `CHECK_CONSTRAINTS` with the table they belong to (MySQL 8 needs `TABLE_CONSTRAINTS` for
    /// that; MariaDB has the column).
    pub check_constraints: Vec<CheckRow>,
}

/// One row of `information_schema.TABLES`: a base table and its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct TableRow {
    /// `TABLE_NAME`.
    pub table_name: String,
    /// `ENGINE` (`InnoDB`, `MyISAM`, ...).
    pub engine: Option<String>,
    /// `TABLE_COLLATION`, the table's default collation.
    pub table_collation: Option<String>,
    /// `TABLE_COMMENT`; empty for none.
    pub table_comment: String,
}

/// One row of `information_schema.COLUMNS`: one column of one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ColumnRow {
    /// `TABLE_NAME`.
    pub table_name: String,
    /// `COLUMN_NAME`.
    pub column_name: String,
    /// `COLUMN_TYPE`, the full type as the server writes it: `int(11) unsigned`,
    /// `enum('L','R')`; read by [`parse_column_type`].
    pub column_type: String,
    /// `IS_NULLABLE`: `YES` or `NO`.
    pub is_nullable: String,
    /// `COLUMN_DEFAULT` as the server reports it (MariaDB quotes literals and writes `NULL`,
    /// MySQL does neither); read by [`normalize_default`].
    pub column_default: Option<String>,
    /// `EXTRA`: `auto_increment`, `on update current_timestamp()`, `DEFAULT_GENERATED`,
    /// `VIRTUAL GENERATED`, ... (empty for nothing).
    pub extra: String,
    /// `COLLATION_NAME`; NULL for a column without a character set (numbers, dates, blobs).
    pub collation_name: Option<String>,
    /// `COLUMN_COMMENT`; empty for none.
    pub column_comment: String,
}

/// One row of `information_schema.STATISTICS`: one column of one index (`PRIMARY` for the
/// primary key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct StatisticsRow {
    /// `TABLE_NAME`.
    pub table_name: String,
    /// `INDEX_NAME`; `PRIMARY` for the primary key.
    pub index_name: String,
    /// `NON_UNIQUE`: 0 for a unique index or the primary key, 1 otherwise.
    pub non_unique: i64,
    /// `SEQ_IN_INDEX`: the column's position in the index, from 1.
    pub seq_in_index: i64,
    /// `NULL` for a part of a MySQL 8 functional index.
    pub column_name: Option<String>,
}

/// One row of `information_schema.REFERENTIAL_CONSTRAINTS`: a foreign key's actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ReferentialRow {
    /// `TABLE_NAME`: the table holding the key.
    pub table_name: String,
    /// `CONSTRAINT_NAME`: the key's name.
    pub constraint_name: String,
    /// `DELETE_RULE`: `RESTRICT`, `NO ACTION`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub delete_rule: String,
    /// `UPDATE_RULE`, with the same values as `delete_rule`.
    pub update_rule: String,
}

/// One row of `information_schema.KEY_COLUMN_USAGE` for a foreign key: one referencing column
/// and the column it references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct KeyColumnRow {
    /// `TABLE_NAME`: the table holding the key.
    pub table_name: String,
    /// `CONSTRAINT_NAME`: the key's name.
    pub constraint_name: String,
    /// `COLUMN_NAME`: the referencing column.
    pub column_name: String,
    /// `REFERENCED_TABLE_NAME`.
    pub referenced_table_name: String,
    /// `REFERENCED_COLUMN_NAME`: the column `column_name` points at.
    pub referenced_column_name: String,
}

/// One row of `information_schema.CHECK_CONSTRAINTS`, with its table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct CheckRow {
    /// `TABLE_NAME` (from `TABLE_CONSTRAINTS` on MySQL 8).
    pub table_name: String,
    /// `CONSTRAINT_NAME`.
    pub constraint_name: String,
    /// `CHECK_CLAUSE`: the condition as the server normalized it.
    pub check_clause: String,
}

/// Reads the schema of `database` (the connection's current database when `None`).
pub async fn introspect<C: ConnectionTrait>(
    db: &C,
    database: Option<&str>,
) -> Result<Schema, DbErr> {
    Ok(read_catalog(&mut SeaOrm(db), database).await?.schema())
}

/// What runs the catalog queries: a SeaORM connection ([`SeaOrm`]), or another client such as
/// the mirror's own connections. Every value comes back as text, `None` for NULL.
pub trait CatalogSource {
    /// The rows of `sql`, whose one `?` is bound to `database`; with `database` `None`, `sql`
    /// has no parameter.
    fn text_rows(
        &mut self,
        sql: &str,
        database: Option<&str>,
    ) -> impl std::future::Future<Output = Result<Vec<Vec<Option<String>>>, DbErr>> + Send;
}

/// A SeaORM connection as a [`CatalogSource`].
pub struct SeaOrm<'a, C>(pub &'a C);

impl<C: ConnectionTrait> CatalogSource for SeaOrm<'_, C> {
    async fn text_rows(
        &mut self,
        sql: &str,
        database: Option<&str>,
    ) -> Result<Vec<Vec<Option<String>>>, DbErr> {
        if self.0.get_database_backend() != DbBackend::MySql {
            return Err(DbErr::Custom(
                "schema introspection supports MySQL and MariaDB only".to_string(),
            ));
        }
        let values: Vec<sea_orm::Value> = database.into_iter().map(Into::into).collect();
        let rows = self
            .0
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::MySql,
                sql,
                values,
            ))
            .await?;
        rows.iter()
            .map(|row| {
                (0..row.column_names().len())
                    .map(|i| row.try_get_by_index::<Option<String>>(i))
                    .collect()
            })
            .collect()
    }
}

/// The queries of [`read_catalog`]; every column a string, so that any client reads them alike.
mod queries {
    pub const TABLES: &str = "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, TABLE_COMMENT \
        FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' \
        ORDER BY TABLE_NAME";
    pub const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, \
        COLUMN_DEFAULT, EXTRA, COLLATION_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS \
        WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION";
    pub const STATISTICS: &str = "SELECT TABLE_NAME, INDEX_NAME, CAST(NON_UNIQUE AS CHAR), \
        CAST(SEQ_IN_INDEX AS CHAR), COLUMN_NAME FROM information_schema.STATISTICS \
        WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
    // Two queries joined in `schema()`: MariaDB evaluates an `information_schema` join of
    // KEY_COLUMN_USAGE with REFERENTIAL_CONSTRAINTS row by row (1.4 s for 2,000 keys).
    pub const REFERENTIAL_CONSTRAINTS: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, \
        UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? \
        ORDER BY TABLE_NAME, CONSTRAINT_NAME";
    pub const KEY_COLUMN_USAGE: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, \
        REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
        WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL \
        ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";
    // MariaDB's CHECK_CONSTRAINTS names the table; MySQL's needs TABLE_CONSTRAINTS for it.
    pub const CHECKS_MARIADB: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE \
        FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? \
        ORDER BY TABLE_NAME, CONSTRAINT_NAME";
    pub const CHECKS_MYSQL: &str = "SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE \
        FROM information_schema.TABLE_CONSTRAINTS tc \
        JOIN information_schema.CHECK_CONSTRAINTS cc \
          ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
        WHERE tc.CONSTRAINT_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK' \
        ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME";
}

/// Reads the catalog rows of `database` (the connection's current database when `None`).
pub async fn read_catalog(
    source: &mut impl CatalogSource,
    database: Option<&str>,
) -> Result<Catalog, DbErr> {
    let schema_name: String = match database {
        Some(name) => name.to_string(),
        None => one_value(source, "SELECT DATABASE()").await?,
    };
    let version = one_value(source, "SELECT VERSION()").await?;
    let flavor = Flavor::of_version(&version);
    let db = Some(schema_name.as_str());
    let default_collation = source
        .text_rows(
            "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            db,
        )
        .await?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next().flatten())
        .ok_or_else(|| DbErr::Custom(format!("database `{schema_name}` does not exist")))?;
    let tables = Cells(source.text_rows(queries::TABLES, db).await?).map(|r| TableRow {
        table_name: r.text(0),
        engine: r.opt(1),
        table_collation: r.opt(2),
        table_comment: r.text(3),
    });
    let columns = Cells(source.text_rows(queries::COLUMNS, db).await?).map(|r| ColumnRow {
        table_name: r.text(0),
        column_name: r.text(1),
        column_type: r.text(2),
        is_nullable: r.text(3),
        column_default: r.opt(4),
        extra: r.text(5),
        collation_name: r.opt(6),
        column_comment: r.text(7),
    });
    let statistics =
        Cells(source.text_rows(queries::STATISTICS, db).await?).map(|r| StatisticsRow {
            table_name: r.text(0),
            index_name: r.text(1),
            non_unique: r.number(2),
            seq_in_index: r.number(3),
            column_name: r.opt(4),
        });
    let referential_constraints = Cells(
        source
            .text_rows(queries::REFERENTIAL_CONSTRAINTS, db)
            .await?,
    )
    .map(|r| ReferentialRow {
        table_name: r.text(0),
        constraint_name: r.text(1),
        delete_rule: r.text(2),
        update_rule: r.text(3),
    });
    let key_column_usage =
        Cells(source.text_rows(queries::KEY_COLUMN_USAGE, db).await?).map(|r| KeyColumnRow {
            table_name: r.text(0),
            constraint_name: r.text(1),
            column_name: r.text(2),
            referenced_table_name: r.text(3),
            referenced_column_name: r.text(4),
        });
    let checks_sql = match flavor {
        Flavor::MariaDb => queries::CHECKS_MARIADB,
        Flavor::MySql => queries::CHECKS_MYSQL,
    };
    let check_constraints = Cells(source.text_rows(checks_sql, db).await?).map(|r| CheckRow {
        table_name: r.text(0),
        constraint_name: r.text(1),
        check_clause: r.text(2),
    });
    Ok(Catalog {
        version,
        default_collation,
        tables,
        columns,
        statistics,
        referential_constraints,
        key_column_usage,
        check_constraints,
    })
}

/// Rows of text cells, as a [`CatalogSource`] returns them.
struct Cells(Vec<Vec<Option<String>>>);

/// One row of [`Cells`].
struct Row<'a>(&'a [Option<String>]);

impl Row<'_> {
    fn opt(&self, i: usize) -> Option<String> {
        self.0.get(i).cloned().flatten()
    }

    fn text(&self, i: usize) -> String {
        self.opt(i).unwrap_or_default()
    }

    fn number(&self, i: usize) -> i64 {
        self.opt(i)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_default()
    }
}

impl Cells {
    fn map<T>(&self, f: impl Fn(Row<'_>) -> T) -> Vec<T> {
        self.0.iter().map(|r| f(Row(r))).collect()
    }
}

async fn one_value(source: &mut impl CatalogSource, sql: &str) -> Result<String, DbErr> {
    source
        .text_rows(sql, None)
        .await?
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next().flatten())
        .ok_or_else(|| DbErr::Custom(format!("`{sql}` gave NULL: connect to a database first")))
}

impl Catalog {
    /// The server flavor the rows come from.
    pub fn flavor(&self) -> Flavor {
        Flavor::of_version(&self.version)
    }

    /// The normalized schema these rows describe (bookkeeping tables left out).
    pub fn schema(&self) -> Schema {
        let flavor = self.flavor();
        let mut by_name: BTreeMap<&str, Table> = BTreeMap::new();
        // Each table's actual collation, against which its columns' are normalized.
        let mut table_collation: BTreeMap<&str, &str> = BTreeMap::new();
        for row in &self.tables {
            let name = row.table_name.as_str();
            if super::VERSION_TABLES.contains(&name) {
                continue;
            }
            let mut table = Table::new(name);
            table.engine = row
                .engine
                .clone()
                .filter(|e| !e.eq_ignore_ascii_case(DEFAULT_ENGINE));
            table.collation = row
                .table_collation
                .clone()
                .filter(|c| !c.eq_ignore_ascii_case(&self.default_collation));
            table.comment = non_empty(&row.table_comment);
            if let Some(c) = &row.table_collation {
                table_collation.insert(name, c);
            }
            by_name.insert(name, table);
        }

        for row in &self.columns {
            let table = row.table_name.as_str();
            let Some(t) = by_name.get_mut(table) else {
                continue;
            };
            let name = &row.column_name;
            let extra = row.extra.to_ascii_lowercase();
            let mut sql_type = parse_column_type(&row.column_type);
            let json_check = self
                .check_constraints
                .iter()
                .any(|c| c.table_name == table && is_json_valid_check(&c.check_clause, name));
            // MariaDB's JSON is `longtext` with a `json_valid` CHECK; a table converted to another
            // character set keeps the CHECK but not the collation, which is then the column's own.
            let mariadb_json =
                flavor == Flavor::MariaDb && sql_type == SqlType::LongText && json_check;
            if mariadb_json {
                sql_type = SqlType::Json;
            }
            let collation = match (&row.collation_name, mariadb_json) {
                (Some(c), true) if c.eq_ignore_ascii_case(MARIADB_JSON_COLLATION) => None,
                (Some(c), true) => Some(c.clone()),
                (Some(c), false) => table_collation
                    .get(table)
                    .is_none_or(|t| !t.eq_ignore_ascii_case(c))
                    .then(|| c.clone()),
                (None, _) => None,
            };
            t.columns.push(Column {
                default: normalize_default(row.column_default.as_deref(), &extra),
                auto_increment: extra.contains("auto_increment"),
                on_update_current_timestamp: is_on_update_current_timestamp(&extra),
                collation,
                comment: non_empty(&row.column_comment),
                name: name.clone(),
                sql_type,
                nullable: row.is_nullable.eq_ignore_ascii_case("YES"),
            });
        }

        for row in &self.check_constraints {
            let Some(t) = by_name.get_mut(row.table_name.as_str()) else {
                continue;
            };
            let json_column = t.columns.iter().any(|c| {
                c.sql_type == SqlType::Json && is_json_valid_check(&row.check_clause, &c.name)
            });
            if !json_column {
                t.checks
                    .push(Check::new(&row.constraint_name, &row.check_clause));
            }
        }

        // (table, index name) → (unique, [(position, column)]).
        type IndexColumns = (bool, Vec<(i64, String)>);
        let mut indexes: BTreeMap<(&str, &str), IndexColumns> = BTreeMap::new();
        for row in &self.statistics {
            let entry = indexes
                .entry((&row.table_name, &row.index_name))
                .or_insert((row.non_unique == 0, Vec::new()));
            // A functional index part has no column; the model has no expression indexes, so
            // the part is named by its position to keep the index visible in a diff.
            let column = row
                .column_name
                .clone()
                .unwrap_or_else(|| format!("<expression {}>", row.seq_in_index));
            entry.1.push((row.seq_in_index, column));
        }
        for ((table, name), (unique, mut cols)) in indexes {
            let Some(t) = by_name.get_mut(table) else {
                continue;
            };
            cols.sort();
            let columns: Vec<String> = cols.into_iter().map(|(_, c)| c).collect();
            if name == "PRIMARY" {
                t.primary_key = columns;
            } else {
                t.indexes.push(Index {
                    name: name.to_string(),
                    columns,
                    unique,
                });
            }
        }

        let rules: BTreeMap<(&str, &str), (FkAction, FkAction)> = self
            .referential_constraints
            .iter()
            .map(|r| {
                (
                    (r.table_name.as_str(), r.constraint_name.as_str()),
                    (
                        FkAction::from_sql(&r.delete_rule).unwrap_or_default(),
                        FkAction::from_sql(&r.update_rule).unwrap_or_default(),
                    ),
                )
            })
            .collect();
        let mut fks: BTreeMap<(&str, &str), ForeignKey> = BTreeMap::new();
        for row in &self.key_column_usage {
            let key = (row.table_name.as_str(), row.constraint_name.as_str());
            let Some(&(on_delete, on_update)) = rules.get(&key) else {
                continue;
            };
            let fk = fks.entry(key).or_insert_with(|| ForeignKey {
                name: row.constraint_name.clone(),
                columns: Vec::new(),
                referenced_table: row.referenced_table_name.clone(),
                referenced_columns: Vec::new(),
                on_delete,
                on_update,
            });
            fk.columns.push(row.column_name.clone());
            fk.referenced_columns
                .push(row.referenced_column_name.clone());
        }
        for ((table, _), fk) in fks {
            if let Some(t) = by_name.get_mut(table) {
                t.foreign_keys.push(fk);
            }
        }

        Schema::new(by_name.into_values().collect())
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// `json_valid(`col`)` as MariaDB writes the CHECK it adds to JSON columns.
fn is_json_valid_check(expr: &str, column: &str) -> bool {
    let e: String = expr
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '`')
        .collect::<String>()
        .to_ascii_lowercase();
    e == format!("json_valid({})", column.to_ascii_lowercase())
}

/// Whether `COLUMNS.EXTRA` holds `ON UPDATE CURRENT_TIMESTAMP`: MariaDB writes
/// `on update current_timestamp()`, MySQL 8 `DEFAULT_GENERATED on update CURRENT_TIMESTAMP`.
pub fn is_on_update_current_timestamp(extra: &str) -> bool {
    extra
        .to_ascii_lowercase()
        .contains("on update current_timestamp")
}

/// Whether `COLUMNS.EXTRA` marks a generated column (`VIRTUAL GENERATED`, `STORED GENERATED`, or
/// MariaDB's `PERSISTENT GENERATED`), whose value the server computes and an INSERT may not give.
/// MySQL 8's `DEFAULT_GENERATED` is not one: it marks a column whose default is an expression,
/// such as every `DEFAULT CURRENT_TIMESTAMP`.
pub fn is_generated_column(extra: &str) -> bool {
    extra.split_whitespace().any(|word| {
        ["VIRTUAL", "STORED", "PERSISTENT"]
            .iter()
            .any(|kind| word.eq_ignore_ascii_case(kind))
    }) && extra
        .split_whitespace()
        .any(|word| word.eq_ignore_ascii_case("GENERATED"))
}

/// Parses `information_schema.COLUMNS.COLUMN_TYPE` into a normalized type.
pub fn parse_column_type(column_type: &str) -> SqlType {
    let ty = column_type.trim().to_ascii_lowercase();
    let unsigned = ty.contains(" unsigned");
    let base = ty
        .replace(" unsigned", "")
        .replace(" zerofill", "")
        .trim()
        .to_string();
    let (name, args) = match base.find('(') {
        Some(i) => (&base[..i], Some(base[i + 1..].trim_end_matches(')'))),
        None => (base.as_str(), None),
    };
    let n = || args.and_then(|a| a.trim().parse::<u32>().ok());
    // Fractional seconds (`datetime(6)`) and `float(M,D)` have no variant of their own: they are
    // kept verbatim as `Other`, so a diff shows them and a MODIFY rewrites them as they are
    // instead of silently dropping the precision.
    let plain = args.is_none_or(|a| a.trim() == "0");
    match name {
        "tinyint" if args == Some("1") && !unsigned => SqlType::Bool,
        "bool" | "boolean" => SqlType::Bool,
        "tinyint" => SqlType::TinyInt { unsigned },
        "smallint" => SqlType::SmallInt { unsigned },
        "mediumint" => SqlType::MediumInt { unsigned },
        "int" | "integer" => SqlType::Int { unsigned },
        "bigint" => SqlType::BigInt { unsigned },
        "float" if plain => SqlType::Float,
        "double" | "real" if plain => SqlType::Double,
        "decimal" | "numeric" => {
            let mut parts = args
                .unwrap_or("10,0")
                .split(',')
                .map(|p| p.trim().parse::<u32>().unwrap_or(0));
            SqlType::Decimal {
                precision: parts.next().unwrap_or(10),
                scale: parts.next().unwrap_or(0),
            }
        }
        "char" => SqlType::Char(n().unwrap_or(1)),
        "varchar" => SqlType::Varchar(n().unwrap_or(255)),
        "tinytext" => SqlType::TinyText,
        "text" => SqlType::Text,
        "mediumtext" => SqlType::MediumText,
        "longtext" => SqlType::LongText,
        "binary" => SqlType::Binary(n().unwrap_or(1)),
        "varbinary" => SqlType::VarBinary(n().unwrap_or(255)),
        "tinyblob" => SqlType::TinyBlob,
        "blob" => SqlType::Blob,
        "mediumblob" => SqlType::MediumBlob,
        "longblob" => SqlType::LongBlob,
        "date" => SqlType::Date,
        "datetime" if plain => SqlType::DateTime,
        "timestamp" if plain => SqlType::Timestamp,
        "time" if plain => SqlType::Time,
        "year" => SqlType::Year,
        "json" => SqlType::Json,
        "enum" => SqlType::Enum(parse_enum_values(
            &column_type[column_type.find('(').map_or(0, |i| i + 1)..],
        )),
        _ => SqlType::Other(base),
    }
}

/// `'a','b''c')` → `["a", "b'c"]`.
fn parse_enum_values(list: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    value.push('\'');
                } else {
                    break;
                }
            } else if c == '\\' {
                if let Some(escaped) = chars.next() {
                    value.push(escaped);
                }
            } else {
                value.push(c);
            }
        }
        values.push(value);
    }
    values
}

/// Normalizes `COLUMN_DEFAULT` across MariaDB (`'abc'`, `NULL`, `current_timestamp()`) and
/// MySQL (`abc`, SQL NULL, `CURRENT_TIMESTAMP` with `DEFAULT_GENERATED` in EXTRA).
pub fn normalize_default(default: Option<&str>, extra: &str) -> Option<ColumnDefault> {
    let d = default?.trim();
    let extra = extra.to_ascii_lowercase();
    if d.eq_ignore_ascii_case("null") {
        return None;
    }
    let lower = d.to_ascii_lowercase();
    if lower.starts_with("current_timestamp") || lower == "now()" {
        return Some(ColumnDefault::CurrentTimestamp);
    }
    if d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'') {
        return Some(ColumnDefault::Literal(d[1..d.len() - 1].replace("''", "'")));
    }
    if extra.contains("default_generated") {
        return Some(ColumnDefault::Expr(d.to_string()));
    }
    // A number, or a literal string as MySQL 8 reports it (unquoted; MariaDB would quote it).
    Some(ColumnDefault::Literal(d.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_normalize() {
        assert_eq!(parse_column_type("int(11)"), SqlType::INT);
        assert_eq!(parse_column_type("int"), SqlType::INT);
        assert_eq!(
            parse_column_type("int(10) unsigned"),
            SqlType::Int { unsigned: true }
        );
        assert_eq!(parse_column_type("tinyint(1)"), SqlType::Bool);
        assert_eq!(parse_column_type("datetime"), SqlType::DateTime);
        assert_eq!(parse_column_type("datetime(0)"), SqlType::DateTime);
        assert_eq!(
            parse_column_type("datetime(6)"),
            SqlType::Other("datetime(6)".into())
        );
        assert_eq!(
            parse_column_type("timestamp(3)"),
            SqlType::Other("timestamp(3)".into())
        );
        assert_eq!(
            parse_column_type("time(6)"),
            SqlType::Other("time(6)".into())
        );
        assert_eq!(
            parse_column_type("double(10,2)"),
            SqlType::Other("double(10,2)".into())
        );
        assert_eq!(parse_column_type("float"), SqlType::Float);
        assert_eq!(
            parse_column_type("tinyint(4)"),
            SqlType::TinyInt { unsigned: false }
        );
        assert_eq!(parse_column_type("varchar(45)"), SqlType::Varchar(45));
        assert_eq!(parse_column_type("binary(32)"), SqlType::Binary(32));
        assert_eq!(
            parse_column_type("decimal(10,2)"),
            SqlType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(
            parse_column_type("enum('L','R','it''s')"),
            SqlType::enumeration(["L", "R", "it's"])
        );
    }

    #[test]
    fn defaults_normalize() {
        assert_eq!(
            normalize_default(Some("current_timestamp()"), ""),
            Some(ColumnDefault::CurrentTimestamp)
        );
        assert_eq!(
            normalize_default(Some("CURRENT_TIMESTAMP"), "DEFAULT_GENERATED"),
            Some(ColumnDefault::CurrentTimestamp)
        );
        assert_eq!(normalize_default(Some("NULL"), ""), None);
        assert_eq!(normalize_default(None, ""), None);
        assert_eq!(
            normalize_default(Some("'0'"), ""),
            Some(ColumnDefault::Literal("0".into()))
        );
        assert_eq!(
            normalize_default(Some("0"), ""),
            Some(ColumnDefault::Literal("0".into()))
        );
        assert_eq!(
            normalize_default(Some("'it''s'"), ""),
            Some(ColumnDefault::Literal("it's".into()))
        );
        assert_eq!(
            normalize_default(Some("uuid()"), "DEFAULT_GENERATED"),
            Some(ColumnDefault::Expr("uuid()".into()))
        );
    }

    #[test]
    fn json_valid_checks_are_recognized() {
        assert!(is_json_valid_check("json_valid(`FormData`)", "FormData"));
        assert!(!is_json_valid_check("json_valid(`Other`)", "FormData"));
    }

    #[test]
    fn on_update_is_read_from_both_spellings() {
        assert!(is_on_update_current_timestamp(
            "on update current_timestamp()"
        ));
        assert!(is_on_update_current_timestamp(
            "DEFAULT_GENERATED on update CURRENT_TIMESTAMP"
        ));
        assert!(!is_on_update_current_timestamp("DEFAULT_GENERATED"));
        assert!(!is_on_update_current_timestamp(""));
    }

    #[test]
    fn default_generated_is_not_a_generated_column() {
        assert!(!is_generated_column("DEFAULT_GENERATED"));
        assert!(!is_generated_column(
            "DEFAULT_GENERATED on update CURRENT_TIMESTAMP"
        ));
        assert!(!is_generated_column("auto_increment"));
        assert!(is_generated_column("VIRTUAL GENERATED"));
        assert!(is_generated_column("STORED GENERATED"));
        assert!(is_generated_column("PERSISTENT GENERATED"));
        assert!(is_generated_column("VIRTUAL GENERATED INVISIBLE"));
    }
}
