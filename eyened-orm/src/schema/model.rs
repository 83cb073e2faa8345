//! The schema model: plain data describing tables, with no I/O.
//!
//! Entities (through the registry), live databases (through introspection) and migration files
//! all produce this model; diffing and planning consume it. Types are normalized to their MySQL
//! meaning (`int`, not `int(11)`; `Json`, not `longtext` + `json_valid`).

use std::fmt;

/// A whole database schema: its tables, in dependency order when it comes from the registry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// The tables: in dependency order from the registry, by name from introspection.
    pub tables: Vec<Table>,
}

impl Schema {
    /// A schema of `tables`, kept in the order given.
    pub fn new(tables: Vec<Table>) -> Self {
        Self { tables }
    }

    /// The table named exactly `name` (case-sensitive, unlike [`Table::get_column`]).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// One table with everything that defines it.
///
/// The options are normalized so that what a server does by default is `None`: `engine` is `None`
/// for InnoDB, `collation` for the database's default collation, `comment` for no comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The SQL table name, as written (`ImageInstance`).
    pub name: String,
    /// The columns in table order, which `AddColumn ... AFTER` preserves.
    pub columns: Vec<Column>,
    /// The primary key's column names in key order; empty when the table has none.
    pub primary_key: Vec<String>,
    /// Secondary indexes, unique or not (not the primary key).
    pub indexes: Vec<Index>,
    /// The foreign keys this table holds (those pointing from it to other tables).
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints, without the `json_valid` checks MariaDB adds to JSON columns.
    pub checks: Vec<Check>,
    /// The storage engine when it is not InnoDB (`MyISAM`, `Aria`, ...).
    pub engine: Option<String>,
    /// The table's default collation (which implies its character set) when it is not the
    /// database's default.
    pub collation: Option<String>,
    /// The table comment (`COMMENT = '...'`); `None` for none (an empty comment).
    pub comment: Option<String>,
}

impl Table {
    /// A table named `name` with nothing in it yet and the server's defaults for its options.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            engine: None,
            collation: None,
            comment: None,
        }
    }

    /// Sets a storage engine other than InnoDB.
    pub fn engine(mut self, engine: impl Into<String>) -> Self {
        self.engine = Some(engine.into());
        self
    }

    /// Sets the table's default collation, when it is not the database's.
    pub fn collate(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// Sets the table comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Appends `column` after the columns added so far.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets the primary key to `columns`, in key order, replacing any set before.
    pub fn primary_key<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a secondary index.
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// Adds a foreign key held by this table.
    pub fn foreign_key(mut self, foreign_key: ForeignKey) -> Self {
        self.foreign_keys.push(foreign_key);
        self
    }

    /// Adds a CHECK constraint.
    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// The column named `name`, compared case-insensitively as MySQL compares column names.
    pub fn get_column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Tables this one references through foreign keys, itself excluded.
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> {
        self.foreign_keys
            .iter()
            .map(|fk| fk.referenced_table.as_str())
            .filter(move |t| *t != self.name)
    }
}

/// One column. Columns are NOT NULL unless made nullable, as `Option<T>` fields are.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The SQL column name (`PatientID`); compared case-insensitively.
    pub name: String,
    /// The normalized type.
    pub sql_type: SqlType,
    /// `NULL` is allowed; `false` is `NOT NULL`.
    pub nullable: bool,
    /// The `DEFAULT` clause; `None` for none (`DEFAULT NULL` is normalized to `None`).
    pub default: Option<ColumnDefault>,
    /// `AUTO_INCREMENT`: the server numbers new rows.
    pub auto_increment: bool,
    /// `ON UPDATE CURRENT_TIMESTAMP`: the server sets the column on every update of the row.
    pub on_update_current_timestamp: bool,
    /// The column's collation (which implies its character set) when it is not its table's
    /// default. On a JSON column `None` is the JSON type's own (`utf8mb4_bin` on MariaDB).
    pub collation: Option<String>,
    /// The column comment; `None` for none (an empty comment).
    pub comment: Option<String>,
}

impl Column {
    /// A `NOT NULL` column without default, auto-increment, own collation or comment.
    pub fn new(name: impl Into<String>, sql_type: SqlType) -> Self {
        Self {
            name: name.into(),
            sql_type,
            nullable: false,
            default: None,
            auto_increment: false,
            on_update_current_timestamp: false,
            collation: None,
            comment: None,
        }
    }

    /// Adds `ON UPDATE CURRENT_TIMESTAMP`.
    pub fn on_update_current_timestamp(mut self) -> Self {
        self.on_update_current_timestamp = true;
        self
    }

    /// Sets the column's collation, when it is not its table's default.
    pub fn collate(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// Sets the column comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Makes the column nullable.
    pub fn null(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Sets the server-side `DEFAULT`.
    pub fn default(mut self, default: ColumnDefault) -> Self {
        self.default = Some(default);
        self
    }

    /// Makes the column `AUTO_INCREMENT`.
    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self
    }
}

/// Column types, normalized to what they mean on MySQL/MariaDB.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// `tinyint`: 1 byte. A signed `tinyint(1)` is [`SqlType::Bool`] instead.
    TinyInt {
        /// `UNSIGNED`: no negative values.
        unsigned: bool,
    },
    /// `smallint`: 2 bytes.
    SmallInt {
        /// `UNSIGNED`: no negative values.
        unsigned: bool,
    },
    /// `mediumint`: 3 bytes.
    MediumInt {
        /// `UNSIGNED`: no negative values.
        unsigned: bool,
    },
    /// `int` (also `integer`): 4 bytes; display widths such as `int(11)` are dropped.
    Int {
        /// `UNSIGNED`: no negative values.
        unsigned: bool,
    },
    /// `bigint`: 8 bytes.
    BigInt {
        /// `UNSIGNED`: no negative values.
        unsigned: bool,
    },
    /// `tinyint(1)`, the MySQL spelling of BOOLEAN.
    Bool,
    /// `float`: 4-byte single precision.
    Float,
    /// `double` (also `real`): 8-byte double precision.
    Double,
    /// `decimal(precision,scale)` (also `numeric`): exact fixed point.
    Decimal {
        /// Total number of digits (MySQL's `M`, 10 when not given).
        precision: u32,
        /// Digits after the decimal point (MySQL's `D`, 0 when not given).
        scale: u32,
    },
    /// `char(n)`: fixed length, `n` characters.
    Char(u32),
    /// `varchar(n)`: at most `n` characters.
    Varchar(u32),
    /// `tinytext`: at most 255 bytes.
    TinyText,
    /// `text`: at most 65,535 bytes.
    Text,
    /// `mediumtext`: at most 16,777,215 bytes.
    MediumText,
    /// `longtext`: at most 4 GiB.
    LongText,
    /// `binary(n)`: exactly `n` bytes, zero-padded.
    Binary(u32),
    /// `varbinary(n)`: at most `n` bytes.
    VarBinary(u32),
    /// `tinyblob`: at most 255 bytes.
    TinyBlob,
    /// `blob`: at most 65,535 bytes.
    Blob,
    /// `mediumblob`: at most 16,777,215 bytes.
    MediumBlob,
    /// `longblob`: at most 4 GiB.
    LongBlob,
    /// `date`: a calendar day.
    Date,
    /// `datetime`: a date and time of day without time zone.
    DateTime,
    /// `timestamp`: a point in time, stored as UTC and shown in the session's time zone.
    Timestamp,
    /// `time`: a time of day or a duration.
    Time,
    /// `year`: a four-digit year.
    Year,
    /// Native `json` on MySQL 8; `longtext` + `CHECK (json_valid(col))` on MariaDB.
    Json,
    /// `ENUM` of these values, in this order.
    Enum(Vec<String>),
    /// Anything else, kept verbatim (lowercase).
    Other(String),
}

impl SqlType {
    /// Signed `int`, the type of every Eyened key column.
    pub const INT: SqlType = SqlType::Int { unsigned: false };

    /// Whether values of this type have a character set and collation.
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            SqlType::Char(_)
                | SqlType::Varchar(_)
                | SqlType::TinyText
                | SqlType::Text
                | SqlType::MediumText
                | SqlType::LongText
                | SqlType::Enum(_)
                | SqlType::Json
        )
    }

    /// [`SqlType::Enum`] of `values`, in this order.
    pub fn enumeration<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        SqlType::Enum(values.into_iter().map(Into::into).collect())
    }

    /// Whether this is one of the five integer types ([`SqlType::Bool`] is not).
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::TinyInt { .. }
                | SqlType::SmallInt { .. }
                | SqlType::MediumInt { .. }
                | SqlType::Int { .. }
                | SqlType::BigInt { .. }
        )
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unsigned = |u: &bool| if *u { " unsigned" } else { "" };
        match self {
            SqlType::TinyInt { unsigned: u } => write!(f, "tinyint{}", unsigned(u)),
            SqlType::SmallInt { unsigned: u } => write!(f, "smallint{}", unsigned(u)),
            SqlType::MediumInt { unsigned: u } => write!(f, "mediumint{}", unsigned(u)),
            SqlType::Int { unsigned: u } => write!(f, "int{}", unsigned(u)),
            SqlType::BigInt { unsigned: u } => write!(f, "bigint{}", unsigned(u)),
            SqlType::Bool => f.write_str("tinyint(1)"),
            SqlType::Float => f.write_str("float"),
            SqlType::Double => f.write_str("double"),
            SqlType::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            SqlType::Char(n) => write!(f, "char({n})"),
            SqlType::Varchar(n) => write!(f, "varchar({n})"),
            SqlType::TinyText => f.write_str("tinytext"),
            SqlType::Text => f.write_str("text"),
            SqlType::MediumText => f.write_str("mediumtext"),
            SqlType::LongText => f.write_str("longtext"),
            SqlType::Binary(n) => write!(f, "binary({n})"),
            SqlType::VarBinary(n) => write!(f, "varbinary({n})"),
            SqlType::TinyBlob => f.write_str("tinyblob"),
            SqlType::Blob => f.write_str("blob"),
            SqlType::MediumBlob => f.write_str("mediumblob"),
            SqlType::LongBlob => f.write_str("longblob"),
            SqlType::Date => f.write_str("date"),
            SqlType::DateTime => f.write_str("datetime"),
            SqlType::Timestamp => f.write_str("timestamp"),
            SqlType::Time => f.write_str("time"),
            SqlType::Year => f.write_str("year"),
            SqlType::Json => f.write_str("json"),
            SqlType::Enum(values) => {
                f.write_str("enum(")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(&crate::sql::literal(v))?;
                }
                f.write_str(")")
            }
            SqlType::Other(s) => f.write_str(s),
        }
    }
}

/// A server-side column default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnDefault {
    /// `CURRENT_TIMESTAMP` (MariaDB prints `current_timestamp()`).
    CurrentTimestamp,
    /// A literal, stored unquoted: `0`, `abc`.
    Literal(String),
    /// Any other expression, verbatim.
    Expr(String),
}

impl fmt::Display for ColumnDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnDefault::CurrentTimestamp => f.write_str("CURRENT_TIMESTAMP"),
            ColumnDefault::Literal(v) => f.write_str(&crate::sql::literal(v)),
            ColumnDefault::Expr(e) => f.write_str(e),
        }
    }
}

/// A named secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index name, unique within its table; compared case-insensitively.
    pub name: String,
    /// The indexed columns in key order (prefix lengths are not modelled).
    pub columns: Vec<String>,
    /// `UNIQUE`: no two rows may hold the same values (rows with a NULL in them excepted).
    pub unique: bool,
}

impl Index {
    /// A non-unique index `name` on `columns`, in this order.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: false,
        }
    }

    /// A unique index (`UNIQUE KEY`) `name` on `columns`, in this order.
    pub fn unique<S: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            unique: true,
            ..Self::new(name, columns)
        }
    }
}

/// What a foreign key does when the referenced row is deleted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FkAction {
    /// MySQL's default; `NO ACTION` means the same on InnoDB.
    #[default]
    Restrict,
    /// `CASCADE`: the referencing rows are deleted or updated with the referenced row.
    Cascade,
    /// `SET NULL`: the referencing columns are set to NULL (they must be nullable).
    SetNull,
    /// `SET DEFAULT`: parsed by MySQL and MariaDB, but InnoDB rejects it.
    SetDefault,
}

impl FkAction {
    /// The action as SQL, as written after `ON DELETE` / `ON UPDATE`.
    pub fn as_sql(self) -> &'static str {
        match self {
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses an `information_schema` rule (`NO ACTION` is InnoDB's RESTRICT).
    pub fn from_sql(rule: &str) -> Option<Self> {
        match rule.to_ascii_uppercase().as_str() {
            "RESTRICT" | "NO ACTION" => Some(FkAction::Restrict),
            "CASCADE" => Some(FkAction::Cascade),
            "SET NULL" => Some(FkAction::SetNull),
            "SET DEFAULT" => Some(FkAction::SetDefault),
            _ => None,
        }
    }
}

impl fmt::Display for FkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// A foreign key constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// The constraint name (`CONSTRAINT name FOREIGN KEY ...`).
    pub name: String,
    /// The referencing columns of this table, paired by position with `referenced_columns`.
    pub columns: Vec<String>,
    /// The table the key points at (possibly this table itself).
    pub referenced_table: String,
    /// The columns of `referenced_table` the key points at, usually its primary key.
    pub referenced_columns: Vec<String>,
    /// `ON DELETE`: what happens to this table's rows when the referenced row is deleted.
    pub on_delete: FkAction,
    /// `ON UPDATE`: what happens to this table's rows when the referenced key changes.
    pub on_update: FkAction,
}

impl ForeignKey {
    /// A key `name` from `columns` to `referenced_columns` of `referenced_table`, `RESTRICT` on
    /// delete and on update.
    pub fn new<S: Into<String>, R: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = S>,
        referenced_table: impl Into<String>,
        referenced_columns: impl IntoIterator<Item = R>,
    ) -> Self {
        Self {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            referenced_table: referenced_table.into(),
            referenced_columns: referenced_columns.into_iter().map(Into::into).collect(),
            on_delete: FkAction::Restrict,
            on_update: FkAction::Restrict,
        }
    }

    /// Sets the `ON DELETE` action.
    pub fn on_delete(mut self, action: FkAction) -> Self {
        self.on_delete = action;
        self
    }

    /// Sets the `ON UPDATE` action.
    pub fn on_update(mut self, action: FkAction) -> Self {
        self.on_update = action;
        self
    }
}

/// The character set a collation belongs to: the part before its first `_`
/// (`utf8mb4_0900_ai_ci` → `utf8mb4`), or `binary`.
pub fn charset_of(collation: &str) -> &str {
    collation.split('_').next().unwrap_or(collation)
}

/// A named CHECK constraint; `expr` is SQL as the server normalizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The constraint name (`CONSTRAINT name CHECK (...)`).
    pub name: String,
    /// The condition as SQL; planning writes it inside `CHECK (...)`.
    pub expr: String,
}

impl Check {
    /// A CHECK constraint `name` on the condition `expr`.
    pub fn new(name: impl Into<String>, expr: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            expr: expr.into(),
        }
    }
}
