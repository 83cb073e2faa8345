//! Planning: changes → SQL statements for one dialect. Every dialect difference lives here.

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    MysqlQueryBuilder, SqliteQueryBuilder, Table as SqTable, TableCreateStatement,
    table::Check as SqCheck,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

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

/// The SQL statements that carry out `changes`, in order.
pub fn plan(dialect: Dialect, changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .flat_map(|c| plan_change(dialect, c))
        .collect()
}

fn plan_change(dialect: Dialect, change: &Change) -> Vec<String> {
    match change {
        Change::AddTable(table) => create_table(dialect, table),
        Change::DropTable(table) => {
            let stmt = SqTable::drop().table(Alias::new(&table.name)).to_owned();
            vec![build(dialect, |b| match b {
                Builder::MySql(q) => stmt.to_string(q),
                Builder::Sqlite(q) => stmt.to_string(q),
            })]
        }
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
    // Index names are per table on MySQL but per database on SQLite, where they also may not
    // equal a table name: there they are created apart, qualified by their table.
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
            idx.name(format!("{}_{}", table.name, index.name))
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
        SqlType::Enum(values) => def.enumeration(
            Alias::new(format!("{}_enum", column.name)),
            values.iter().map(Alias::new),
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

/// Plans `changes` for the connection's dialect and runs them statement by statement.
///
/// MySQL commits each DDL statement on its own, so a failure names the statement that failed and
/// how many had already run.
pub async fn apply<C: ConnectionTrait>(db: &C, changes: &[Change]) -> Result<(), DbErr> {
    let statements = plan(Dialect::of(db.get_database_backend())?, changes);
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
