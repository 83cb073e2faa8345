//! The schema model: plain data describing tables, with no I/O.
//!
//! Entities (through the registry), live databases (through introspection) and migration files
//! all produce this model; diffing and planning consume it. Types are normalized to their MySQL
//! meaning (`int`, not `int(11)`; `Json`, not `longtext` + `json_valid`).

use std::fmt;

/// A whole database schema: its tables, in dependency order when it comes from the registry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    pub tables: Vec<Table>,
}

impl Schema {
    pub fn new(tables: Vec<Table>) -> Self {
        Self { tables }
    }

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
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// Secondary indexes, unique or not (not the primary key).
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    /// The storage engine when it is not InnoDB (`MyISAM`, `Aria`, ...).
    pub engine: Option<String>,
    /// The table's default collation (which implies its character set) when it is not the
    /// database's default.
    pub collation: Option<String>,
    pub comment: Option<String>,
}

impl Table {
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

    pub fn engine(mut self, engine: impl Into<String>) -> Self {
        self.engine = Some(engine.into());
        self
    }

    pub fn collate(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    pub fn primary_key<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self
    }

    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    pub fn foreign_key(mut self, foreign_key: ForeignKey) -> Self {
        self.foreign_keys.push(foreign_key);
        self
    }

    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

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
    pub name: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    pub default: Option<ColumnDefault>,
    pub auto_increment: bool,
    /// `ON UPDATE CURRENT_TIMESTAMP`: the server sets the column on every update of the row.
    pub on_update_current_timestamp: bool,
    /// The column's collation (which implies its character set) when it is not its table's
    /// default. On a JSON column `None` is the JSON type's own (`utf8mb4_bin` on MariaDB).
    pub collation: Option<String>,
    pub comment: Option<String>,
}

impl Column {
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

    pub fn on_update_current_timestamp(mut self) -> Self {
        self.on_update_current_timestamp = true;
        self
    }

    pub fn collate(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    pub fn null(mut self) -> Self {
        self.nullable = true;
        self
    }

    pub fn default(mut self, default: ColumnDefault) -> Self {
        self.default = Some(default);
        self
    }

    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self
    }
}

/// Column types, normalized to what they mean on MySQL/MariaDB.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlType {
    TinyInt {
        unsigned: bool,
    },
    SmallInt {
        unsigned: bool,
    },
    MediumInt {
        unsigned: bool,
    },
    Int {
        unsigned: bool,
    },
    BigInt {
        unsigned: bool,
    },
    /// `tinyint(1)`, the MySQL spelling of BOOLEAN.
    Bool,
    Float,
    Double,
    Decimal {
        precision: u32,
        scale: u32,
    },
    Char(u32),
    Varchar(u32),
    TinyText,
    Text,
    MediumText,
    LongText,
    Binary(u32),
    VarBinary(u32),
    TinyBlob,
    Blob,
    MediumBlob,
    LongBlob,
    Date,
    DateTime,
    Timestamp,
    Time,
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

    pub fn enumeration<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Self {
        SqlType::Enum(values.into_iter().map(Into::into).collect())
    }

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
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

impl Index {
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
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
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
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

impl ForeignKey {
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

    pub fn on_delete(mut self, action: FkAction) -> Self {
        self.on_delete = action;
        self
    }

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
    pub name: String,
    pub expr: String,
}

impl Check {
    pub fn new(name: impl Into<String>, expr: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            expr: expr.into(),
        }
    }
}
