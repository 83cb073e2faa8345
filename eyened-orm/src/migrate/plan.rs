//! Planning: changes → SQL statements for one dialect. Every dialect difference lives here.

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    MysqlQueryBuilder, SqliteQueryBuilder, Table as SqTable, TableCreateStatement,
    table::Check as SqCheck,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use thiserror::Error;

use crate::schema::Change;
use crate::schema::{Check, Column, ColumnDefault, FkAction, ForeignKey, Index, SqlType, Table};
use crate::sql::{ident, ident_list, literal};

/// The SQL dialects migrations are planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// MySQL 8 and MariaDB 10.11.
    MySql,
    /// SQLite (tests, the quickstart). Tables, columns and indexes can be added, dropped and
    /// renamed; modifying a column or changing the primary key, foreign keys or checks of an
    /// existing table is a [`PlanError`]; engines, table comments and collations are left out.
    Sqlite,
}

impl Dialect {
    /// The dialect of a SeaORM backend; PostgreSQL is an error.
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
    /// The dialect that cannot carry out the change.
    pub dialect: Dialect,
    /// The change, as its [`Display`](std::fmt::Display) line describes it.
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

/// The statements of one change: dispatches on its kind to the helpers below, which build the
/// SQL; the changes SQLite cannot carry out are refused here (see [`mysql_only`]).
fn plan_change(
    dialect: Dialect,
    change: &Change,
    database_collation: Option<&str>,
) -> Result<Vec<String>, PlanError> {
    use Change::*;
    let mysql_only = |sql: String| mysql_only(dialect, change, sql);
    let stmt = match change {
        // Tables.
        AddTable(table) => return Ok(create_table(dialect, table)),
        DropTable(table) => drop_table(dialect, table),
        RenameTable { from, to } => rename_table(dialect, from, to),
        // Columns.
        AddColumn {
            table,
            column,
            after,
        } => add_column(dialect, table, column, after.as_deref()),
        DropColumn { table, column, .. } => drop_column(table, &column.name),
        RenameColumn { table, from, to } => rename_column(table, from, to),
        ModifyColumn { table, to, .. } => mysql_only(modify_column(table, to))?,
        // Table options.
        // SQLite has no engines, table comments or server collations: nothing to do there.
        SetEngine { .. } | SetTableComment { .. } | ConvertTable { .. }
            if dialect == Dialect::Sqlite =>
        {
            return Ok(Vec::new());
        }
        SetEngine { table, to, .. } => set_engine(table, to.as_deref()),
        SetTableComment { table, to, .. } => set_table_comment(table, to.as_deref()),
        ConvertTable {
            table,
            to,
            columns_after,
            ..
        } => {
            let mut statements = convert_table(table, to.as_deref(), database_collation);
            statements.extend(redeclare_columns(table, columns_after));
            return Ok(statements);
        }
        // Keys. A hand-written change from no key to no key would be `ALTER TABLE t` alone.
        SetPrimaryKey { from, to, .. } if from == to => return Ok(Vec::new()),
        SetPrimaryKey { table, from, to } => mysql_only(set_primary_key(table, from, to))?,
        AddForeignKey { table, foreign_key } => mysql_only(add_foreign_key(table, foreign_key))?,
        DropForeignKey { table, foreign_key } => {
            mysql_only(drop_foreign_key(table, &foreign_key.name))?
        }
        // Indexes.
        AddIndex { table, index } => add_index(dialect, table, index),
        DropIndex { table, index } => drop_index(dialect, table, index),
        RenameIndex { table, index, to } => return Ok(rename_index(dialect, table, index, to)),
        // Checks.
        AddCheck { table, check } => mysql_only(add_check(table, check))?,
        DropCheck { table, check } => mysql_only(drop_check(table, &check.name))?,
    };
    Ok(vec![stmt])
}

/// `sql` on MySQL/MariaDB; on SQLite, which cannot carry out `change`, the [`PlanError`] that
/// says so.
fn mysql_only(dialect: Dialect, change: &Change, sql: String) -> Result<String, PlanError> {
    match dialect {
        Dialect::MySql => Ok(sql),
        Dialect::Sqlite => Err(PlanError {
            dialect,
            change: change.to_string(),
        }),
    }
}

/// `DROP TABLE`, as sea-query writes it for `dialect`.
fn drop_table(dialect: Dialect, table: &Table) -> String {
    let stmt = SqTable::drop().table(Alias::new(&table.name)).to_owned();
    build(dialect, |b| match b {
        Builder::MySql(q) => stmt.to_string(q),
        Builder::Sqlite(q) => stmt.to_string(q),
    })
}

/// Renames table `from` to `to`: `RENAME TABLE` on MySQL, `ALTER TABLE .. RENAME TO` on SQLite.
fn rename_table(dialect: Dialect, from: &str, to: &str) -> String {
    match dialect {
        Dialect::MySql => format!("RENAME TABLE {} TO {}", ident(from), ident(to)),
        Dialect::Sqlite => format!("ALTER TABLE {} RENAME TO {}", ident(from), ident(to)),
    }
}

/// Adds `column` to `table`; on MySQL placed `AFTER` the column `after`, or `FIRST` without one
/// (SQLite always appends it).
fn add_column(dialect: Dialect, table: &str, column: &Column, after: Option<&str>) -> String {
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

/// `ALTER TABLE .. DROP COLUMN`, the same in both dialects.
fn drop_column(table: &str, column: &str) -> String {
    format!("ALTER TABLE {} DROP COLUMN {}", ident(table), ident(column))
}

/// `ALTER TABLE .. RENAME COLUMN`, the same in both dialects.
fn rename_column(table: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        ident(table),
        ident(from),
        ident(to)
    )
}

/// `ALTER TABLE .. MODIFY COLUMN` to the definition `to` (MySQL only).
fn modify_column(table: &str, to: &Column) -> String {
    SqTable::alter()
        .table(Alias::new(table))
        .modify_column(column_def(to))
        .to_owned()
        .to_string(MysqlQueryBuilder)
}

/// `ALTER TABLE .. ENGINE =` the engine `to` (`None`: the default, InnoDB). MySQL only.
fn set_engine(table: &str, to: Option<&str>) -> String {
    format!(
        "ALTER TABLE {} ENGINE = {}",
        ident(table),
        to.unwrap_or(crate::schema::introspect::DEFAULT_ENGINE)
    )
}

/// `ALTER TABLE .. COMMENT =` the comment `to` (`None`: none, the empty comment). MySQL only.
fn set_table_comment(table: &str, to: Option<&str>) -> String {
    format!(
        "ALTER TABLE {} COMMENT = {}",
        ident(table),
        literal(to.unwrap_or(""))
    )
}

/// After a `CONVERT TO`, the columns that must keep a collation (or type) of their own, declared
/// again in one `ALTER TABLE` (none if there are none). MySQL only.
fn redeclare_columns(table: &str, columns: &[Column]) -> Option<String> {
    // In one statement with the conversion, MariaDB would still re-collate them.
    if columns.is_empty() {
        return None;
    }
    let mut alter = SqTable::alter().table(Alias::new(table)).to_owned();
    for column in columns {
        alter.modify_column(column_def(column));
    }
    Some(alter.to_string(MysqlQueryBuilder))
}

/// Replaces the primary key `from` (empty: none) by `to` (empty: none) in one `ALTER TABLE`.
/// MySQL only.
fn set_primary_key(table: &str, from: &[String], to: &[String]) -> String {
    let mut parts = Vec::new();
    if !from.is_empty() {
        parts.push("DROP PRIMARY KEY".to_string());
    }
    if !to.is_empty() {
        parts.push(format!("ADD PRIMARY KEY ({})", ident_list(to)));
    }
    format!("ALTER TABLE {} {}", ident(table), parts.join(", "))
}

/// `ALTER TABLE .. ADD CONSTRAINT .. FOREIGN KEY`, with `ON DELETE`/`ON UPDATE` only where the
/// action is not the default `RESTRICT`. MySQL only.
fn add_foreign_key(table: &str, fk: &ForeignKey) -> String {
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
    sql
}

/// `ALTER TABLE .. DROP FOREIGN KEY`. MySQL only.
fn drop_foreign_key(table: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP FOREIGN KEY {}",
        ident(table),
        ident(name)
    )
}

/// `CREATE [UNIQUE] INDEX .. ON`, the index named as [`index_name`] says for `dialect`.
fn add_index(dialect: Dialect, table: &str, index: &Index) -> String {
    format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        ident(&index_name(dialect, table, &index.name)),
        ident(table),
        ident_list(&index.columns)
    )
}

/// `DROP INDEX`: of the table on MySQL, of the database (by its qualified name) on SQLite.
fn drop_index(dialect: Dialect, table: &str, index: &Index) -> String {
    match dialect {
        Dialect::MySql => format!("DROP INDEX {} ON {}", ident(&index.name), ident(table)),
        Dialect::Sqlite => format!(
            "DROP INDEX {}",
            ident(&index_name(dialect, table, &index.name))
        ),
    }
}

/// Renames `index` to `to`: `RENAME INDEX` on MySQL; on SQLite, which cannot rename an index,
/// the index dropped and created again under its new name.
fn rename_index(dialect: Dialect, table: &str, index: &Index, to: &str) -> Vec<String> {
    match dialect {
        Dialect::MySql => vec![format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            ident(table),
            ident(&index.name),
            ident(to)
        )],
        Dialect::Sqlite => {
            let renamed = Index {
                name: to.to_string(),
                ..index.clone()
            };
            vec![
                drop_index(dialect, table, index),
                add_index(dialect, table, &renamed),
            ]
        }
    }
}

/// `ALTER TABLE .. ADD CONSTRAINT .. CHECK`. MySQL only.
fn add_check(table: &str, check: &Check) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
        ident(table),
        ident(&check.name),
        check.expr
    )
}

/// `ALTER TABLE .. DROP CONSTRAINT` of a check. MySQL only.
fn drop_check(table: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        ident(table),
        ident(name)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn index(name: &str, unique: bool) -> Index {
        Index {
            name: name.to_string(),
            columns: vec!["a".to_string(), "b".to_string()],
            unique,
        }
    }

    #[test]
    fn primary_key_is_dropped_and_added_in_one_statement() {
        let ab = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            set_primary_key("T", &[], &ab),
            "ALTER TABLE `T` ADD PRIMARY KEY (`a`, `b`)"
        );
        assert_eq!(
            set_primary_key("T", &ab, &[]),
            "ALTER TABLE `T` DROP PRIMARY KEY"
        );
        assert_eq!(
            set_primary_key("T", &ab, &ab[..1]),
            "ALTER TABLE `T` DROP PRIMARY KEY, ADD PRIMARY KEY (`a`)"
        );
    }

    #[test]
    fn unchanged_primary_key_plans_nothing() {
        for key in [vec![], vec!["a".to_string()]] {
            let change = Change::SetPrimaryKey {
                table: "T".to_string(),
                from: key.clone(),
                to: key,
            };
            assert_eq!(
                plan(Dialect::MySql, &[change]).unwrap(),
                Vec::<String>::new()
            );
        }
    }

    #[test]
    fn foreign_key_actions_only_when_not_restrict() {
        let mut fk = ForeignKey {
            name: "fk".to_string(),
            columns: vec!["a".to_string()],
            referenced_table: "P".to_string(),
            referenced_columns: vec!["id".to_string()],
            on_delete: FkAction::Restrict,
            on_update: FkAction::Restrict,
        };
        let base = "ALTER TABLE `T` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `P` (`id`)";
        assert_eq!(add_foreign_key("T", &fk), base);
        fk.on_delete = FkAction::Cascade;
        fk.on_update = FkAction::SetNull;
        assert_eq!(
            add_foreign_key("T", &fk),
            format!("{base} ON DELETE CASCADE ON UPDATE SET NULL")
        );
    }

    #[test]
    fn indexes_are_qualified_by_their_table_on_sqlite() {
        let idx = index("i", true);
        assert_eq!(
            add_index(Dialect::MySql, "T", &idx),
            "CREATE UNIQUE INDEX `i` ON `T` (`a`, `b`)"
        );
        assert_eq!(
            add_index(Dialect::Sqlite, "T", &index("i", false)),
            "CREATE INDEX `T_i` ON `T` (`a`, `b`)"
        );
        assert_eq!(
            rename_index(Dialect::MySql, "T", &idx, "j"),
            ["ALTER TABLE `T` RENAME INDEX `i` TO `j`"]
        );
        assert_eq!(
            rename_index(Dialect::Sqlite, "T", &idx, "j"),
            [
                "DROP INDEX `T_i`",
                "CREATE UNIQUE INDEX `T_j` ON `T` (`a`, `b`)"
            ]
        );
    }

    #[test]
    fn a_column_is_placed_on_mysql_only() {
        let column = Column::new("c", SqlType::Int { unsigned: false });
        let first = add_column(Dialect::MySql, "T", &column, None);
        assert!(first.ends_with(" FIRST"), "{first}");
        let after = add_column(Dialect::MySql, "T", &column, Some("b"));
        assert!(after.ends_with(" AFTER `b`"), "{after}");
        let sqlite = add_column(Dialect::Sqlite, "T", &column, Some("b"));
        assert!(!sqlite.contains("AFTER"), "{sqlite}");
    }

    #[test]
    fn sqlite_refuses_mysql_only_changes() {
        let change = Change::DropCheck {
            table: "T".to_string(),
            check: Check {
                name: "c".to_string(),
                expr: "1".to_string(),
            },
        };
        assert_eq!(
            mysql_only(Dialect::MySql, &change, "sql".to_string()),
            Ok("sql".to_string())
        );
        let err = mysql_only(Dialect::Sqlite, &change, "sql".to_string()).unwrap_err();
        assert_eq!(err.dialect, Dialect::Sqlite);
        assert_eq!(err.change, change.to_string());
        assert_eq!(redeclare_columns("T", &[]), None);
    }
}
