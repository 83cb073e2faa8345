//! Planning: changes → SQL statements for one dialect. Every dialect difference lives here.

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    MysqlQueryBuilder, SqliteQueryBuilder, Table as SqTable, TableCreateStatement,
    table::Check as SqCheck,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use thiserror::Error;

use super::change::Change;
use crate::schema::{Column, ColumnDefault, FkAction, SqlType, Table};

/// The SQL dialects migrations are planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// MySQL 8 and MariaDB 10.11.
    MySql,
    Sqlite,
}

impl Dialect {
    pub fn of(backend: DbBackend) -> Result<Self, DbErr> {
        match backend {
            DbBackend::MySql => Ok(Dialect::MySql),
            DbBackend::Sqlite => Ok(Dialect::Sqlite),
            other => Err(DbErr::Custom(format!(
                "eyened migrations support MySQL/MariaDB and SQLite, not {other:?}"
            ))),
        }
    }
}

/// A change the dialect cannot carry out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{dialect:?} cannot {change}: apply this migration to MySQL/MariaDB")]
pub struct PlanError {
    pub dialect: Dialect,
    pub change: String,
}

impl From<PlanError> for DbErr {
    fn from(err: PlanError) -> Self {
        DbErr::Migration(err.to_string())
    }
}

/// The SQL statements that carry out `changes`, in order.
pub fn plan(dialect: Dialect, changes: &[Change]) -> Result<Vec<String>, PlanError> {
    let mut statements = Vec::new();
    for change in changes {
        statements.extend(plan_change(dialect, change)?);
    }
    Ok(statements)
}

/// A MySQL identifier, backquoted.
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plan_change(dialect: Dialect, change: &Change) -> Result<Vec<String>, PlanError> {
    use Change::*;
    let unsupported = || PlanError {
        dialect,
        change: change.to_string(),
    };
    let mysql_only = |sql: String| match dialect {
        Dialect::MySql => Ok(sql),
        Dialect::Sqlite => Err(unsupported()),
    };
    let stmt = match change {
        AddTable(table) => return Ok(create_table(dialect, table)),
        DropTable(table) => {
            let stmt = SqTable::drop().table(Alias::new(&table.name)).to_owned();
            build(dialect, |b| match b {
                Builder::MySql(q) => stmt.to_string(q),
                Builder::Sqlite(q) => stmt.to_string(q),
            })
        }
        RenameTable { from, to } => match dialect {
            Dialect::MySql => format!("RENAME TABLE {} TO {}", quote(from), quote(to)),
            Dialect::Sqlite => format!("ALTER TABLE {} RENAME TO {}", quote(from), quote(to)),
        },
        AddColumn {
            table,
            column,
            after,
        } => {
            let stmt = SqTable::alter()
                .table(Alias::new(table))
                .add_column(column_def(column))
                .to_owned();
            match dialect {
                Dialect::MySql => {
                    let position = match after {
                        Some(a) => format!(" AFTER {}", quote(a)),
                        None => " FIRST".to_string(),
                    };
                    format!("{}{position}", stmt.to_string(MysqlQueryBuilder))
                }
                Dialect::Sqlite => stmt.to_string(SqliteQueryBuilder),
            }
        }
        DropColumn { table, column, .. } => format!(
            "ALTER TABLE {} DROP COLUMN {}",
            quote(table),
            quote(&column.name)
        ),
        RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            quote(table),
            quote(from),
            quote(to)
        ),
        ModifyColumn { table, to, .. } => mysql_only(
            SqTable::alter()
                .table(Alias::new(table))
                .modify_column(column_def(to))
                .to_owned()
                .to_string(MysqlQueryBuilder),
        )?,
        SetPrimaryKey { table, from, to } => {
            let mut parts = Vec::new();
            if !from.is_empty() {
                parts.push("DROP PRIMARY KEY".to_string());
            }
            if !to.is_empty() {
                parts.push(format!("ADD PRIMARY KEY ({})", quoted_list(to)));
            }
            mysql_only(format!("ALTER TABLE {} {}", quote(table), parts.join(", ")))?
        }
        AddIndex { table, index } => format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            quote(&index_name(dialect, table, &index.name)),
            quote(table),
            quoted_list(&index.columns)
        ),
        DropIndex { table, index } => match dialect {
            Dialect::MySql => format!("DROP INDEX {} ON {}", quote(&index.name), quote(table)),
            Dialect::Sqlite => format!(
                "DROP INDEX {}",
                quote(&index_name(dialect, table, &index.name))
            ),
        },
        AddForeignKey {
            table,
            foreign_key: fk,
        } => {
            let mut sql = format!(
                "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
                quote(table),
                quote(&fk.name),
                quoted_list(&fk.columns),
                quote(&fk.referenced_table),
                quoted_list(&fk.referenced_columns)
            );
            if fk.on_delete != FkAction::Restrict {
                sql.push_str(&format!(" ON DELETE {}", fk.on_delete));
            }
            if fk.on_update != FkAction::Restrict {
                sql.push_str(&format!(" ON UPDATE {}", fk.on_update));
            }
            mysql_only(sql)?
        }
        DropForeignKey { table, foreign_key } => mysql_only(format!(
            "ALTER TABLE {} DROP FOREIGN KEY {}",
            quote(table),
            quote(&foreign_key.name)
        ))?,
        AddCheck { table, check } => mysql_only(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
            quote(table),
            quote(&check.name),
            check.expr
        ))?,
        DropCheck { table, check } => mysql_only(format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            quote(table),
            quote(&check.name)
        ))?,
    };
    Ok(vec![stmt])
}

/// Index names are per table on MySQL but per database on SQLite, where they also may not equal
/// a table name: there they are qualified by their table.
fn index_name(dialect: Dialect, table: &str, name: &str) -> String {
    match dialect {
        Dialect::MySql => name.to_string(),
        Dialect::Sqlite => format!("{table}_{name}"),
    }
}

enum Builder {
    MySql(MysqlQueryBuilder),
    Sqlite(SqliteQueryBuilder),
}

fn build(dialect: Dialect, f: impl FnOnce(Builder) -> String) -> String {
    match dialect {
        Dialect::MySql => f(Builder::MySql(MysqlQueryBuilder)),
        Dialect::Sqlite => f(Builder::Sqlite(SqliteQueryBuilder)),
    }
}

fn create_table(dialect: Dialect, table: &Table) -> Vec<String> {
    // SQLite only auto-increments an `INTEGER PRIMARY KEY` declared on the column itself.
    let inline_pk = table.primary_key.len() == 1
        && table
            .columns
            .iter()
            .any(|c| c.auto_increment && c.name == table.primary_key[0]);

    let mut stmt: TableCreateStatement =
        SqTable::create().table(Alias::new(&table.name)).to_owned();
    for column in &table.columns {
        let mut def = column_def(column);
        if inline_pk && column.name == table.primary_key[0] {
            def.primary_key();
        }
        stmt.col(def);
    }
    if !inline_pk && !table.primary_key.is_empty() {
        let mut pk = SqIndex::create();
        for col in &table.primary_key {
            pk.col(Alias::new(col));
        }
        stmt.primary_key(&mut pk);
    }
    // SQLite has no inline KEY clause: its indexes are created after the table.
    if dialect == Dialect::MySql {
        for index in &table.indexes {
            let mut idx = SqIndex::create();
            idx.name(&index.name);
            for col in &index.columns {
                idx.col(Alias::new(col));
            }
            if index.unique {
                idx.unique();
            }
            stmt.index(&mut idx);
        }
    }
    for fk in &table.foreign_keys {
        let mut f = SqForeignKey::create();
        f.name(&fk.name).to_tbl(Alias::new(&fk.referenced_table));
        for col in &fk.columns {
            f.from_col(Alias::new(col));
        }
        for col in &fk.referenced_columns {
            f.to_col(Alias::new(col));
        }
        if fk.on_delete != FkAction::Restrict {
            f.on_delete(fk_action(fk.on_delete));
        }
        if fk.on_update != FkAction::Restrict {
            f.on_update(fk_action(fk.on_update));
        }
        stmt.foreign_key(&mut f);
    }
    for check in &table.checks {
        stmt.check(SqCheck::named(
            Alias::new(&check.name),
            Expr::cust(check.expr.clone()),
        ));
    }

    let mut statements = vec![build(dialect, |b| match b {
        Builder::MySql(q) => stmt.to_string(q),
        Builder::Sqlite(q) => stmt.to_string(q),
    })];
    if dialect == Dialect::Sqlite {
        for index in &table.indexes {
            let mut idx = SqIndex::create();
            idx.name(index_name(dialect, &table.name, &index.name))
                .table(Alias::new(&table.name));
            for col in &index.columns {
                idx.col(Alias::new(col));
            }
            if index.unique {
                idx.unique();
            }
            statements.push(idx.to_string(SqliteQueryBuilder));
        }
    }
    statements
}

fn column_def(column: &Column) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(&column.name));
    match &column.sql_type {
        SqlType::TinyInt { unsigned: false } => def.tiny_integer(),
        SqlType::TinyInt { unsigned: true } => def.tiny_unsigned(),
        SqlType::SmallInt { unsigned: false } => def.small_integer(),
        SqlType::SmallInt { unsigned: true } => def.small_unsigned(),
        SqlType::Int { unsigned: false } => def.integer(),
        SqlType::Int { unsigned: true } => def.unsigned(),
        SqlType::BigInt { unsigned: false } => def.big_integer(),
        SqlType::BigInt { unsigned: true } => def.big_unsigned(),
        SqlType::Bool => def.boolean(),
        SqlType::Float => def.float(),
        SqlType::Double => def.double(),
        SqlType::Decimal { precision, scale } => def.decimal_len(*precision, *scale),
        SqlType::Char(n) => def.char_len(*n),
        SqlType::Varchar(n) => def.string_len(*n),
        SqlType::Text => def.text(),
        SqlType::Binary(n) => def.binary_len(*n),
        SqlType::VarBinary(n) => def.var_binary(*n),
        SqlType::Date => def.date(),
        SqlType::DateTime => def.date_time(),
        SqlType::Timestamp => def.timestamp(),
        SqlType::Time => def.time(),
        SqlType::Year => def.year(),
        SqlType::Json => def.json(),
        // sea-query writes the values between quotes as they are: escape them for MySQL.
        SqlType::Enum(values) => def.enumeration(
            Alias::new(format!("{}_enum", column.name)),
            values
                .iter()
                .map(|v| Alias::new(v.replace('\\', "\\\\").replace('\'', "''"))),
        ),
        other @ (SqlType::MediumInt { .. }
        | SqlType::TinyText
        | SqlType::MediumText
        | SqlType::LongText
        | SqlType::TinyBlob
        | SqlType::Blob
        | SqlType::MediumBlob
        | SqlType::LongBlob
        | SqlType::Other(_)) => def.custom(Alias::new(other.to_string())),
    };
    if column.nullable {
        def.null();
    } else {
        def.not_null();
    }
    if column.auto_increment {
        def.auto_increment();
    }
    match &column.default {
        Some(ColumnDefault::CurrentTimestamp) => {
            def.default(Expr::current_timestamp());
        }
        Some(ColumnDefault::Literal(v)) => {
            def.default(v.clone());
        }
        Some(ColumnDefault::Expr(e)) => {
            def.default(Expr::cust(e.clone()));
        }
        None => {}
    }
    def
}

fn fk_action(action: FkAction) -> ForeignKeyAction {
    match action {
        FkAction::Restrict => ForeignKeyAction::Restrict,
        FkAction::Cascade => ForeignKeyAction::Cascade,
        FkAction::SetNull => ForeignKeyAction::SetNull,
        FkAction::SetDefault => ForeignKeyAction::SetDefault,
    }
}

/// Plans `changes` for the connection's dialect and runs them statement by statement, skipping
/// on MySQL/MariaDB the changes the live schema already shows (see [`super::guard`]).
///
/// MySQL commits each DDL statement on its own, so a failure names the statement that failed and
/// how many had already run.
pub async fn apply<C: ConnectionTrait>(db: &C, changes: &[Change]) -> Result<(), DbErr> {
    let dialect = Dialect::of(db.get_database_backend())?;
    // On MySQL a failed migration leaves its first statements committed; skip what is already
    // in effect so that the fixed migration can simply be run again.
    let pending: Vec<Change> = if dialect == Dialect::MySql {
        let live = crate::schema::introspect(db, None).await?;
        super::guard::not_in_effect(changes, live)
    } else {
        changes.to_vec()
    };
    let statements = plan(dialect, &pending)?;
    let total = statements.len();
    for (i, sql) in statements.iter().enumerate() {
        db.execute_unprepared(sql).await.map_err(|err| {
            DbErr::Migration(format!(
                "statement {} of {total} failed ({i} already ran): {err}; statement: {sql}",
                i + 1
            ))
        })?;
    }
    Ok(())
}
