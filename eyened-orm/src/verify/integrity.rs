//! Referential integrity: orphans of every foreign key, duplicates of every unique key, rows that
//! fail a CHECK. Each is one set-based query per constraint, so rows loaded with
//! `foreign_key_checks=0`, `unique_checks=0` or `check_constraint_checks=0` are found too.

use std::collections::BTreeSet;

use crate::progress::Progress;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};

use super::{Kind, Problem};
use crate::schema::{Check, ForeignKey, Schema, Table};
use crate::sql::ident;

/// How many example rows a problem names.
const EXAMPLES: u64 = 5;

/// Orphans, duplicates and failed checks, for the constraints of `expected` (the entities) and
/// of `live` together. Constraints on tables or columns missing from the live database are
/// skipped: the schema check reports those.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    live: &Schema,
    expected: &Schema,
    progress: &dyn Progress,
) -> Result<Vec<Problem>, DbErr> {
    let fks = foreign_keys(live, expected);
    let uniques = unique_keys(live, expected);
    let checks = checks(live, expected);
    progress.length((fks.len() + uniques.len() + checks.len()) as u64);

    let mut problems = Vec::new();
    progress.step("foreign keys");
    for (table, fk) in &fks {
        problems.extend(orphans(db, table, fk).await?);
        progress.advance(1);
    }
    progress.step("unique keys");
    for (table, name, columns) in &uniques {
        problems.extend(duplicates(db, table, name, columns).await?);
        progress.advance(1);
    }
    progress.step("checks");
    for (table, check) in &checks {
        problems.extend(failed_check(db, table, check).await?);
        progress.advance(1);
    }
    Ok(problems)
}

fn has_columns(table: &Table, columns: &[String]) -> bool {
    columns.iter().all(|c| table.get_column(c).is_some())
}

/// Foreign keys of the entities and of the live database, each once, where both ends exist.
fn foreign_keys<'a>(live: &'a Schema, expected: &'a Schema) -> Vec<(&'a Table, ForeignKey)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for schema in [expected, live] {
        for table in &schema.tables {
            let Some(live_table) = live.table(&table.name) else {
                continue;
            };
            for fk in &table.foreign_keys {
                let key = (
                    table.name.to_ascii_lowercase(),
                    lower(&fk.columns),
                    fk.referenced_table.to_ascii_lowercase(),
                    lower(&fk.referenced_columns),
                );
                let parent_ok = live
                    .table(&fk.referenced_table)
                    .is_some_and(|p| has_columns(p, &fk.referenced_columns));
                if parent_ok && has_columns(live_table, &fk.columns) && seen.insert(key) {
                    out.push((live_table, fk.clone()));
                }
            }
        }
    }
    out
}

fn lower(columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| c.to_ascii_lowercase()).collect()
}

/// Unique keys (and primary keys the live table does not have) of the entities and of the live
/// database, each once: `(table, key name, columns)`.
fn unique_keys<'a>(live: &'a Schema, expected: &Schema) -> Vec<(&'a Table, String, Vec<String>)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for schema in [expected, live] {
        for table in &schema.tables {
            let Some(live_table) = live.table(&table.name) else {
                continue;
            };
            let primary = (!table.primary_key.is_empty()
                && lower(&live_table.primary_key) != lower(&table.primary_key))
            .then(|| ("PRIMARY".to_owned(), table.primary_key.clone()));
            let uniques = table
                .indexes
                .iter()
                .filter(|i| i.unique)
                .map(|i| (i.name.clone(), i.columns.clone()));
            for (name, columns) in primary.into_iter().chain(uniques) {
                let mut key = lower(&columns);
                key.sort();
                if has_columns(live_table, &columns)
                    && seen.insert((table.name.to_ascii_lowercase(), key))
                {
                    out.push((live_table, name, columns));
                }
            }
        }
    }
    out
}

/// CHECK constraints of the entities, on tables the live database has. The live database's own
/// checks are left out: MariaDB's are the `json_valid` of JSON columns, which decoding covers.
fn checks<'a>(live: &'a Schema, expected: &Schema) -> Vec<(&'a Table, Check)> {
    expected
        .tables
        .iter()
        .filter_map(|t| live.table(&t.name).map(|l| (l, &t.checks)))
        .flat_map(|(l, checks)| checks.iter().map(move |c| (l, c.clone())))
        .collect()
}

async fn orphans<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    fk: &ForeignKey,
) -> Result<Vec<Problem>, DbErr> {
    let from = crate::sql::orphans_from(&ident(&table.name), &ident(&fk.referenced_table), fk);
    let count = count(db, &format!("SELECT COUNT(*) {from}")).await?;
    if count == 0 {
        return Ok(Vec::new());
    }
    let mut shown: Vec<String> = table
        .primary_key
        .iter()
        .map(|c| format!("c.{}", ident(c)))
        .collect();
    shown.extend(fk.columns.iter().map(|c| format!("c.{}", ident(c))));
    let examples = examples(db, &shown, &format!("{from} LIMIT {EXAMPLES}")).await?;
    let pk_len = table.primary_key.len();
    let keys: Vec<String> = examples
        .iter()
        .map(|values| {
            let key = name_values(&table.primary_key, &values[..pk_len]);
            let reference = name_values(&fk.columns, &values[pk_len..]);
            format!("{key} ({reference})")
        })
        .collect();
    Ok(vec![Problem {
        kind: Kind::Orphan,
        table: Some(table.name.clone()),
        column: Some(fk.columns.join(", ")),
        key: Some(keys.join("; ")),
        count,
        detail: format!(
            "{count} row(s) reference a missing {}.{}{}",
            fk.referenced_table,
            fk.referenced_columns.join(", "),
            if fk.name.is_empty() {
                String::new()
            } else {
                format!(" (foreign key {})", fk.name)
            }
        ),
    }])
}

async fn duplicates<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    name: &str,
    columns: &[String],
) -> Result<Vec<Problem>, DbErr> {
    let cols = columns
        .iter()
        .map(|c| ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let not_null = columns
        .iter()
        .map(|c| format!("{} IS NOT NULL", ident(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let groups = format!(
        "FROM {} WHERE {not_null} GROUP BY {cols} HAVING COUNT(*) > 1",
        ident(&table.name)
    );
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(n), 0) AS SIGNED) FROM (SELECT COUNT(*) AS n {groups}) d"
    );
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await?;
    let (group_count, row_count) = match row {
        Some(row) => (
            row.try_get_by_index::<i64>(0)?,
            row.try_get_by_index::<i64>(1)?,
        ),
        None => (0, 0),
    };
    if group_count == 0 {
        return Ok(Vec::new());
    }
    let mut shown: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    shown.push("COUNT(*)".to_owned());
    let examples = examples(db, &shown, &format!("{groups} LIMIT {EXAMPLES}")).await?;
    let keys: Vec<String> = examples
        .iter()
        .map(|values| {
            format!(
                "{} ×{}",
                name_values(columns, &values[..columns.len()]),
                values[columns.len()]
            )
        })
        .collect();
    Ok(vec![Problem {
        kind: Kind::Duplicate,
        table: Some(table.name.clone()),
        column: Some(columns.join(", ")),
        key: Some(keys.join("; ")),
        count: row_count as u64,
        detail: format!(
            "{group_count} value(s) of unique key {name} occur more than once ({row_count} rows)"
        ),
    }])
}

async fn failed_check<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    check: &Check,
) -> Result<Vec<Problem>, DbErr> {
    let from = format!("FROM {} WHERE NOT ({})", ident(&table.name), check.expr);
    let problem = |count: u64, key: Option<String>, detail: String| Problem {
        kind: Kind::Check,
        table: Some(table.name.clone()),
        column: None,
        key,
        count,
        detail,
    };
    let count = match count(db, &format!("SELECT COUNT(*) {from}")).await {
        Ok(count) => count,
        Err(err) => {
            return Ok(vec![problem(
                0,
                None,
                format!("check {} cannot be evaluated: {err}", check.name),
            )]);
        }
    };
    if count == 0 {
        return Ok(Vec::new());
    }
    let shown: Vec<String> = table.primary_key.iter().map(|c| ident(c)).collect();
    let keys = if shown.is_empty() {
        None
    } else {
        let rows = examples(db, &shown, &format!("{from} LIMIT {EXAMPLES}")).await?;
        Some(
            rows.iter()
                .map(|v| name_values(&table.primary_key, v))
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    Ok(vec![problem(
        count,
        keys,
        format!("{count} row(s) fail check {}", check.name),
    )])
}

/// `SELECT COUNT(*) ...` as a number.
pub(super) async fn count<C: ConnectionTrait>(db: &C, sql: &str) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index::<i64>(0)?.max(0) as u64,
        None => 0,
    })
}

/// Rows of `SELECT <exprs> <rest>`, each value as text (`NULL` for NULL).
async fn examples<C: ConnectionTrait>(
    db: &C,
    exprs: &[String],
    rest: &str,
) -> Result<Vec<Vec<String>>, DbErr> {
    let select = exprs
        .iter()
        .map(|e| format!("CAST({e} AS CHAR)"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::MySql,
            format!("SELECT {select} {rest}"),
        ))
        .await?;
    rows.iter()
        .map(|row| (0..exprs.len()).map(|i| text(row, i)).collect())
        .collect()
}

fn text(row: &QueryResult, i: usize) -> Result<String, DbErr> {
    Ok(row
        .try_get_by_index::<Option<String>>(i)?
        .unwrap_or_else(|| "NULL".to_owned()))
}

/// `A=1, B=2`.
pub(super) fn name_values(names: &[String], values: &[String]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
