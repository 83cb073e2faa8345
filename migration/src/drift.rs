//! Drift: how a live database differs from a schema (the entities, or the baseline), each
//! difference with its class and how safe it is for the data the database holds.
//!
//! Tables declared unmanaged (`migration/unmanaged.toml`) are split off first and reported on
//! their own; a table that is neither modelled nor declared is drift, and dropping it is left out
//! of what `generate` and `adopt` write unless asked for.

use std::path::Path;

use eyened_orm::schema::diff::{Class, Renames, classify, diff};
use eyened_orm::schema::{self, Schema, Unmanaged};
use eyened_orm::schema::{Change, Safety};
use eyened_orm::sql::ident;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::runner::RunError;

/// The declarations checked in beside the migrations.
pub const UNMANAGED_FILE: &str = "migration/unmanaged.toml";
const UNMANAGED_TOML: &str = include_str!("../unmanaged.toml");

/// The unmanaged-table declarations: those of `path`, or the checked-in ones.
pub fn unmanaged(path: Option<&Path>) -> Result<Unmanaged, RunError> {
    let (text, shown) = match path {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| RunError::Invalid(format!("cannot read {}: {e}", path.display())))?,
            path.display().to_string(),
        ),
        None => (UNMANAGED_TOML.to_string(), UNMANAGED_FILE.to_string()),
    };
    Unmanaged::parse(&text, &schema::entities())
        .map_err(|e| RunError::Invalid(format!("{shown}: {e}")))
}

/// One difference between the live database and the target schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub change: Change,
    pub class: Class,
    /// Judged against the live data where it can be (NULLs, rows violating a CHECK, rows of a
    /// dropped table).
    pub safety: Safety,
}

impl Difference {
    /// The line `check` prints: `  semantic  safe   Task.TaskName: varchar(256) -> ...`.
    pub fn line(&self) -> String {
        match &self.safety {
            Safety::Safe => format!("  {:<9} safe   {}", self.class.as_str(), self.change),
            Safety::Lossy(why) => format!(
                "  {:<9} LOSSY  {} ({why})",
                self.class.as_str(),
                self.change
            ),
        }
    }

    /// A table the target does not have and no declaration names, dropped with its rows.
    pub fn is_undeclared_drop(&self) -> bool {
        matches!(self.change, Change::DropTable(_))
    }
}

/// A declared unmanaged table the live database has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedFound {
    pub table: String,
    pub reason: String,
    pub rows: i64,
}

/// Everything a comparison found.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub differences: Vec<Difference>,
    /// `Table.old -> Table.new` pairs that look like undeclared renames.
    pub possible_renames: Vec<String>,
    pub unmanaged: Vec<UnmanagedFound>,
}

/// "1 way", "8 ways": how many differences, for messages.
pub fn ways(count: usize) -> String {
    match count {
        1 => "1 way".to_string(),
        n => format!("{n} ways"),
    }
}

impl Drift {
    /// The changes that bring the database to the target; dropping undeclared tables only when
    /// `drop_undeclared`.
    pub fn changes(&self, drop_undeclared: bool) -> Vec<Change> {
        self.differences
            .iter()
            .filter(|d| drop_undeclared || !d.is_undeclared_drop())
            .map(|d| d.change.clone())
            .collect()
    }

    /// The undeclared tables a migration would drop, with their rows, as lines to print.
    pub fn undeclared_tables(&self) -> Vec<String> {
        self.differences
            .iter()
            .filter(|d| d.is_undeclared_drop())
            .map(|d| match &d.safety {
                Safety::Lossy(why) => format!("{} ({why})", d.change.table()),
                Safety::Safe => d.change.table().to_string(),
            })
            .collect()
    }

    /// Lines for the declared unmanaged tables found.
    pub fn unmanaged_lines(&self) -> Vec<String> {
        self.unmanaged
            .iter()
            .map(|u| {
                format!(
                    "  unmanaged {} ({} rows): {}",
                    u.table,
                    u.rows,
                    u.reason.trim()
                )
            })
            .collect()
    }
}

/// Compares the live database `db` with `target`.
pub async fn drift<C: ConnectionTrait>(
    db: &C,
    target: &Schema,
    renames: &Renames,
    unmanaged: &Unmanaged,
) -> Result<Drift, RunError> {
    if db.get_database_backend() != DbBackend::MySql {
        return Err(RunError::Invalid(
            "generate, check, diff, stamp and adopt compare against MySQL/MariaDB; this is not one"
                .into(),
        ));
    }
    let (live, declared) = unmanaged.split(schema::introspect(db, None).await?);
    let found = diff(&live, target, renames);
    let classes = classify(&found.changes, &live);
    let mut differences = Vec::new();
    for (change, class) in found.changes.into_iter().zip(classes) {
        let safety = safety(db, &change).await?;
        differences.push(Difference {
            change,
            class,
            safety,
        });
    }
    let mut unmanaged_found = Vec::new();
    for table in declared {
        unmanaged_found.push(UnmanagedFound {
            rows: count(db, &format!("SELECT COUNT(*) FROM {}", ident(&table.name))).await?,
            reason: unmanaged
                .reason(&table.name)
                .unwrap_or_default()
                .to_string(),
            table: table.name,
        });
    }
    Ok(Drift {
        differences,
        possible_renames: found.possible_renames,
        unmanaged: unmanaged_found,
    })
}

/// A change's safety, sharpened by the live data where the schema alone cannot tell.
async fn safety<C: ConnectionTrait>(db: &C, change: &Change) -> Result<Safety, RunError> {
    if let Some((table, column)) = change.needs_null_count() {
        let nulls = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM {} WHERE {} IS NULL",
                ident(table),
                ident(column)
            ),
        )
        .await?;
        return Ok(if nulls == 0 {
            Safety::Safe
        } else {
            Safety::Lossy(format!("{nulls} rows hold NULL and would fail NOT NULL"))
        });
    }
    Ok(match change {
        Change::DropTable(table) => {
            let rows = count(db, &format!("SELECT COUNT(*) FROM {}", ident(&table.name))).await?;
            Safety::Lossy(format!("{rows} rows would be lost"))
        }
        Change::AddCheck { table, check } => {
            let violating = count(
                db,
                &format!(
                    "SELECT COUNT(*) FROM {} WHERE NOT ({})",
                    ident(table),
                    check.expr
                ),
            )
            .await?;
            if violating == 0 {
                Safety::Safe
            } else {
                Safety::Lossy(format!(
                    "{violating} rows violate it: the migration fails until they are fixed"
                ))
            }
        }
        other => other.safety(),
    })
}

async fn count<C: ConnectionTrait>(db: &C, sql: &str) -> Result<i64, RunError> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, sql.to_string()))
        .await?
        .ok_or_else(|| RunError::Invalid(format!("no row from `{sql}`")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ways_agrees_with_its_count() {
        assert_eq!(super::ways(1), "1 way");
        assert_eq!(super::ways(0), "0 ways");
        assert_eq!(super::ways(8), "8 ways");
    }
}
