//! Planning: changes → SQL statements for one dialect. Every dialect difference lives here.

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    MysqlQueryBuilder, SqliteQueryBuilder, Table as SqTable, TableCreateStatement,
    table::Check as SqCheck,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use thiserror::Error;

use crate::schema::Change;
use crate::schema::{Column, ColumnDefault, FkAction, SqlType, Table};
use crate::sql::{ident, ident_list, literal};

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

/// The SQL statements that carry out `changes`, in order, for any database of `dialect`.
///
/// A conversion to the database's default collation, which a migration cannot know, reads it
/// from `@@collation_database` in a prepared statement; [`plan_for`] names it instead.
pub fn plan(dialect: Dialect, changes: &[Change]) -> Result<Vec<String>, PlanError> {
    plan_for(dialect, changes, None)
}

/// [`plan`] for one database whose default collation is `database_collation`.
pub fn plan_for(
    dialect: Dialect,
    changes: &[Change],
    database_collation: Option<&str>,
) -> Result<Vec<String>, PlanError> {
    let mut statements = Vec::new();
    for change in changes {
        statements.extend(plan_change(dialect, change, database_collation)?);
    }
    Ok(statements)
}

fn plan_change(
    dialect: Dialect,
    change: &Change,
    database_collation: Option<&str>,
) -> Result<Vec<String>, PlanError> {
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
            Dialect::MySql => format!("RENAME TABLE {} TO {}", ident(from), ident(to)),
            Dialect::Sqlite => format!("ALTER TABLE {} RENAME TO {}", ident(from), ident(to)),
        },
        AddColumn {
            table,
            column,
            after,
        } => {
            let def = match dialect {
                Dialect::MySql => column_def(column),
                Dialect::Sqlite => portable_column_def(column),
            };
            let stmt = SqTable::alter()
                .table(Alias::new(table))
                .add_column(def)
                .to_owned();
            match dialect {
                Dialect::MySql => {
                    let position = match after {
                        Some(a) => format!(" AFTER {}", ident(a)),
                        None => " FIRST".to_string(),
                    };
                    format!("{}{position}", stmt.to_string(MysqlQueryBuilder))
                }
                Dialect::Sqlite => stmt.to_string(SqliteQueryBuilder),
            }
        }
        DropColumn { table, column, .. } => format!(
            "ALTER TABLE {} DROP COLUMN {}",
            ident(table),
            ident(&column.name)
        ),
        RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            ident(table),
            ident(from),
            ident(to)
        ),
        ModifyColumn { table, to, .. } => mysql_only(
            SqTable::alter()
                .table(Alias::new(table))
                .modify_column(column_def(to))
                .to_owned()
                .to_string(MysqlQueryBuilder),
        )?,
        // SQLite has no engines, table comments or server collations: nothing to do there.
        SetEngine { .. } | SetTableComment { .. } | ConvertTable { .. }
            if dialect == Dialect::Sqlite =>
        {
            return Ok(Vec::new());
        }
        SetEngine { table, to, .. } => format!(
            "ALTER TABLE {} ENGINE = {}",
            ident(table),
            to.as_deref()
                .unwrap_or(crate::schema::introspect::DEFAULT_ENGINE)
        ),
        SetTableComment { table, to, .. } => format!(
            "ALTER TABLE {} COMMENT = {}",
            ident(table),
            literal(to.as_deref().unwrap_or(""))
        ),
        ConvertTable {
            table,
            to,
            columns_after,
            ..
        } => {
            let mut statements = convert_table(table, to.as_deref(), database_collation);
            // In one statement with the conversion, MariaDB would still re-collate them.
            if !columns_after.is_empty() {
                let mut alter = SqTable::alter().table(Alias::new(table)).to_owned();
                for column in columns_after {
                    alter.modify_column(column_def(column));
                }
                statements.push(alter.to_string(MysqlQueryBuilder));
            }
            return Ok(statements);
        }
        SetPrimaryKey { table, from, to } => {
            let mut parts = Vec::new();
            if !from.is_empty() {
                parts.push("DROP PRIMARY KEY".to_string());
            }
            if !to.is_empty() {
                parts.push(format!("ADD PRIMARY KEY ({})", ident_list(to)));
            }
            mysql_only(format!("ALTER TABLE {} {}", ident(table), parts.join(", ")))?
        }
        AddIndex { table, index } => format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            ident(&index_name(dialect, table, &index.name)),
            ident(table),
            ident_list(&index.columns)
        ),
        DropIndex { table, index } => match dialect {
            Dialect::MySql => format!("DROP INDEX {} ON {}", ident(&index.name), ident(table)),
            Dialect::Sqlite => format!(
                "DROP INDEX {}",
                ident(&index_name(dialect, table, &index.name))
            ),
        },
        RenameIndex { table, index, to } => match dialect {
            Dialect::MySql => format!(
                "ALTER TABLE {} RENAME INDEX {} TO {}",
                ident(table),
                ident(&index.name),
                ident(to)
            ),
            Dialect::Sqlite => {
                let renamed = crate::schema::Index {
                    name: to.clone(),
                    ..index.clone()
                };
                return Ok([
                    plan_change(
                        dialect,
                        &DropIndex {
                            table: table.clone(),
                            index: index.clone(),
                        },
                        database_collation,
                    )?,
                    plan_change(
                        dialect,
                        &AddIndex {
                            table: table.clone(),
                            index: renamed,
                        },
                        database_collation,
                    )?,
                ]
                .concat());
            }
        },
        AddForeignKey {
            table,
            foreign_key: fk,
        } => {
            let mut sql = format!(
                "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
                ident(table),
                ident(&fk.name),
                ident_list(&fk.columns),
                ident(&fk.referenced_table),
                ident_list(&fk.referenced_columns)
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
            ident(table),
            ident(&foreign_key.name)
        ))?,
        AddCheck { table, check } => mysql_only(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
            ident(table),
            ident(&check.name),
            check.expr
        ))?,
        DropCheck { table, check } => mysql_only(format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            ident(table),
            ident(&check.name)
        ))?,
    };
    Ok(vec![stmt])
}

/// `ALTER TABLE .. CONVERT TO` a collation and its character set. The database's default (`None`)
/// is named when known; otherwise it is read on the server when the script runs, as
/// `CONVERT TO CHARACTER SET DEFAULT` would take the character set's default collation, which
/// need not be the database's.
fn convert_table(table: &str, to: Option<&str>, database_collation: Option<&str>) -> Vec<String> {
    let convert = |collation: &str| {
        format!(
            "ALTER TABLE {} CONVERT TO CHARACTER SET {} COLLATE {}",
            ident(table),
            crate::schema::charset_of(collation),
            collation
        )
    };
    match to.or(database_collation) {
        Some(collation) => vec![convert(collation)],
        None => vec![
            format!(
                "SET @eorm_convert = CONCAT('ALTER TABLE ', {}, ' CONVERT TO CHARACTER SET ', @@character_set_database, ' COLLATE ', @@collation_database)",
                literal(&ident(table))
            ),
            "PREPARE eorm_convert FROM @eorm_convert".to_string(),
            "EXECUTE eorm_convert".to_string(),
            "DEALLOCATE PREPARE eorm_convert".to_string(),
        ],
    }
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
        let mut def = match dialect {
            Dialect::MySql => column_def(column),
            Dialect::Sqlite => portable_column_def(column),
        };
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
    if dialect == Dialect::MySql {
        if let Some(engine) = &table.engine {
            stmt.engine(engine);
        }
        if let Some(collation) = &table.collation {
            stmt.character_set(crate::schema::charset_of(collation))
                .collate(collation);
        }
        if let Some(comment) = &table.comment {
            stmt.comment(comment);
        }
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

/// A column for SQLite, which has no collations of MySQL's, no `ON UPDATE` and no column
/// comments: the definition without them.
fn portable_column_def(column: &Column) -> ColumnDef {
    column_def(&Column {
        on_update_current_timestamp: false,
        collation: None,
        comment: None,
        ..column.clone()
    })
}

/// A column for MySQL/MariaDB.
fn column_def(column: &Column) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(&column.name));
    // A collation is part of the type: `varchar(45) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`.
    if let Some(collation) = column
        .collation
        .as_ref()
        .filter(|_| column.sql_type.is_text())
    {
        let ty = match &column.sql_type {
            SqlType::Json => "longtext".to_string(),
            SqlType::Enum(values) => format!(
                "enum({})",
                values
                    .iter()
                    .map(|v| literal(v))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => other.to_string(),
        };
        def.custom(Alias::new(format!(
            "{ty} CHARACTER SET {} COLLATE {collation}",
            crate::schema::charset_of(collation)
        )));
    } else {
        column_type(&mut def, column);
    }
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
    if column.on_update_current_timestamp {
        def.extra("ON UPDATE CURRENT_TIMESTAMP");
    }
    if let Some(comment) = &column.comment {
        def.comment(comment);
    }
    def
}

fn column_type(def: &mut ColumnDef, column: &Column) {
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
}

fn fk_action(action: FkAction) -> ForeignKeyAction {
    match action {
        FkAction::Restrict => ForeignKeyAction::Restrict,
        FkAction::Cascade => ForeignKeyAction::Cascade,
        FkAction::SetNull => ForeignKeyAction::SetNull,
        FkAction::SetDefault => ForeignKeyAction::SetDefault,
    }
}

/// [`apply`] for a reconciliation migration, which takes a database that was not built by the
/// migrations (production, adopted with `migration adopt`) to the baseline. On MySQL/MariaDB
/// [`apply`] skips what is already in effect, so a database built by the migrations is left as it
/// is; any other database was built by them, and there is nothing to reconcile.
pub async fn reconcile<C: ConnectionTrait>(db: &C, changes: &[Change]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::MySql {
        return Ok(());
    }
    apply(db, changes).await
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
    let (pending, database_collation): (Vec<Change>, Option<String>) = if dialect == Dialect::MySql
    {
        let live = crate::schema::introspect(db, None).await?;
        let collation = db
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::MySql,
                "SELECT @@collation_database",
            ))
            .await?
            .map(|row| row.try_get_by_index::<String>(0))
            .transpose()?;
        (super::guard::not_in_effect(changes, live), collation)
    } else {
        (changes.to_vec(), None)
    };
    let statements = plan_for(dialect, &pending, database_collation.as_deref())?;
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
