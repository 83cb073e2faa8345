//! Snapshots: per-table row counts and per-column checksums, computed by the server, so that a
//! migration's effect on the data can be checked column by column.
//!
//! A column's checksum is `SUM(CRC32(CONCAT_WS('|', <primary key>, ISNULL(col), col)))` over the
//! table: independent of row order, sensitive to any value of any row changing (including to or
//! from NULL, and values moving between rows), and one table scan per table whatever the number
//! of columns. All tables are read in one consistent read-only transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::progress::Progress;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, IsolationLevel, Statement,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::{Kind, Problem, VerifyError};
use crate::schema::{Schema, Table};
use crate::sql::ident;

/// The version of the snapshot file format.
pub const FORMAT: u32 = 1;

/// Row counts and column checksums of every table, as `--snapshot` writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`FORMAT`] when written; [`Snapshot::read`] rejects any other version.
    pub format: u32,
    /// The database, as `user@host:port/db` (never the password).
    pub database: String,
    /// When it was taken (local time, ISO 8601).
    pub taken_at: String,
    /// Table name, as the server spells it → its counts and checksums. Every table of the
    /// database, unmanaged ones included.
    pub tables: BTreeMap<String, TableSnapshot>,
}

/// One table of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSnapshot {
    /// `COUNT(*)`.
    pub rows: u64,
    /// Column name → checksum (decimal text).
    pub columns: BTreeMap<String, String>,
}

impl Snapshot {
    /// Reads a snapshot file.
    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        let text = std::fs::read_to_string(path).map_err(|e| VerifyError::Snapshot {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let snapshot: Snapshot =
            serde_json::from_str(&text).map_err(|e| VerifyError::Snapshot {
                path: path.to_owned(),
                reason: format!("not a snapshot file: {e}"),
            })?;
        if snapshot.format != FORMAT {
            return Err(VerifyError::Snapshot {
                path: path.to_owned(),
                reason: format!(
                    "snapshot format {} is not supported (expected {FORMAT})",
                    snapshot.format
                ),
            });
        }
        Ok(snapshot)
    }

    /// Writes the snapshot as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), VerifyError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| VerifyError::Snapshot {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|e| VerifyError::Snapshot {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// Takes a snapshot of every table of `live`.
pub async fn take(
    db: &DatabaseConnection,
    database: &str,
    live: &Schema,
    progress: &dyn Progress,
) -> Result<Snapshot, DbErr> {
    progress.length(live.tables.len() as u64);
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let mut tables = BTreeMap::new();
    for table in &live.tables {
        progress.step(&table.name);
        tables.insert(table.name.clone(), table_snapshot(&txn, table).await?);
        progress.advance(1);
    }
    txn.commit().await?;
    Ok(Snapshot {
        format: FORMAT,
        database: database.to_owned(),
        taken_at: chrono::Local::now()
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        tables,
    })
}

async fn table_snapshot<C: ConnectionTrait>(db: &C, table: &Table) -> Result<TableSnapshot, DbErr> {
    let key: Vec<String> = table.primary_key.iter().map(|c| ident(c)).collect();
    let mut select = vec!["COUNT(*)".to_owned()];
    for column in &table.columns {
        let c = ident(&column.name);
        let mut parts = key.clone();
        parts.push(format!("ISNULL({c})"));
        parts.push(c);
        select.push(format!(
            "CAST(COALESCE(SUM(CRC32(CONCAT_WS('|', {}))), 0) AS CHAR)",
            parts.join(", ")
        ));
    }
    let sql = format!("SELECT {} FROM {}", select.join(", "), ident(&table.name));
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::MySql, sql))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no result for table {}", table.name)))?;
    let rows = row.try_get_by_index::<i64>(0)?.max(0) as u64;
    let mut columns = BTreeMap::new();
    for (i, column) in table.columns.iter().enumerate() {
        columns.insert(column.name.clone(), row.try_get_by_index::<String>(i + 1)?);
    }
    Ok(TableSnapshot { rows, columns })
}

/// Changes the user declared intended: `Table.Column`, or `Table` / `Table.*` for all of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    tables: BTreeSet<String>,
    columns: BTreeSet<(String, String)>,
}

impl Expectations {
    /// Parses `--expect` values.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<Self, VerifyError> {
        let mut out = Self::default();
        for spec in specs {
            let spec = spec.as_ref().trim();
            match spec.split_once('.') {
                _ if spec.is_empty() => {
                    return Err(VerifyError::Expect(
                        "an empty --expect; use Table.Column or Table".to_owned(),
                    ));
                }
                Some((table, "*")) | Some((table, "")) => {
                    out.tables.insert(table.to_ascii_lowercase());
                }
                Some((table, column)) => {
                    out.columns
                        .insert((table.to_ascii_lowercase(), column.to_ascii_lowercase()));
                }
                None => {
                    out.tables.insert(spec.to_ascii_lowercase());
                }
            }
        }
        Ok(out)
    }

    fn covers(&self, table: &str, column: Option<&str>) -> bool {
        let table = table.to_ascii_lowercase();
        self.tables.contains(&table)
            || column.is_some_and(|c| {
                self.columns
                    .contains(&(table.clone(), c.to_ascii_lowercase()))
            })
    }

    fn specs(&self) -> Vec<String> {
        let mut out: Vec<String> = self.tables.iter().cloned().collect();
        out.extend(self.columns.iter().map(|(t, c)| format!("{t}.{c}")));
        out
    }
}

/// One difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataChange {
    /// The table, as the newer snapshot spells it (the older one, if it was removed).
    pub table: String,
    /// `None` for the table as a whole (added, removed, row count).
    pub column: Option<String>,
    /// `table added (N rows)`, `table removed (N rows)`, `row count changed: A → B`, `column
    /// added`, `column removed` or `column data changed`.
    pub detail: String,
    /// Declared with `--expect`.
    pub expected: bool,
}

/// What changed between two snapshots, and the expectations nothing matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Every difference, expected or not, by table then column (names compared ignoring case).
    pub changes: Vec<DataChange>,
    /// `--expect` entries that matched no change (informational).
    pub unmatched_expectations: Vec<String>,
}

impl Comparison {
    /// The unexpected changes, as problems.
    pub fn problems(&self) -> Vec<Problem> {
        self.changes
            .iter()
            .filter(|c| !c.expected)
            .map(|c| Problem {
                kind: Kind::DataChanged,
                table: Some(c.table.clone()),
                column: c.column.clone(),
                key: None,
                count: 1,
                detail: c.detail.clone(),
            })
            .collect()
    }
}

/// Compares `after` with `before`. Tables and columns are matched by name, case-insensitively.
pub fn compare(before: &Snapshot, after: &Snapshot, expect: &Expectations) -> Comparison {
    let lower = |m: &BTreeMap<String, TableSnapshot>| -> BTreeMap<String, (String, TableSnapshot)> {
        m.iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), (k.clone(), v.clone())))
            .collect()
    };
    let old = lower(&before.tables);
    let new = lower(&after.tables);
    let mut changes = Vec::new();
    let mut push = |table: &str, column: Option<&str>, detail: String| {
        changes.push(DataChange {
            table: table.to_owned(),
            column: column.map(str::to_owned),
            detail,
            expected: expect.covers(table, column),
        });
    };
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some((name, t)), None) => push(name, None, format!("table removed ({} rows)", t.rows)),
            (None, Some((name, t))) => push(name, None, format!("table added ({} rows)", t.rows)),
            (Some((_, a)), Some((name, b))) => {
                if a.rows != b.rows {
                    push(
                        name,
                        None,
                        format!("row count changed: {} → {}", a.rows, b.rows),
                    );
                }
                let cols = |t: &TableSnapshot| -> BTreeMap<String, (String, String)> {
                    t.columns
                        .iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), (k.clone(), v.clone())))
                        .collect()
                };
                let (ca, cb) = (cols(a), cols(b));
                let names: BTreeSet<&String> = ca.keys().chain(cb.keys()).collect();
                for c in names {
                    match (ca.get(c), cb.get(c)) {
                        (Some((col, _)), None) => push(name, Some(col), "column removed".into()),
                        (None, Some((col, _))) => push(name, Some(col), "column added".into()),
                        (Some((_, x)), Some((col, y))) if x != y => {
                            push(name, Some(col), "column data changed".into())
                        }
                        _ => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    let unmatched_expectations = expect
        .specs()
        .into_iter()
        .filter(|spec| {
            !changes.iter().any(|c| {
                let table = c.table.to_ascii_lowercase();
                match spec.split_once('.') {
                    Some((t, col)) => {
                        t == table
                            && c.column
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case(col))
                    }
                    None => *spec == table,
                }
            })
        })
        .collect();
    Comparison {
        changes,
        unmatched_expectations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(table, rows, [(column, checksum)])`.
    type TableSpec<'a> = (&'a str, u64, &'a [(&'a str, &'a str)]);

    fn snap(tables: &[TableSpec<'_>]) -> Snapshot {
        Snapshot {
            format: FORMAT,
            database: "d".into(),
            taken_at: String::new(),
            tables: tables
                .iter()
                .map(|(t, rows, cols)| {
                    (
                        t.to_string(),
                        TableSnapshot {
                            rows: *rows,
                            columns: cols
                                .iter()
                                .map(|(c, v)| (c.to_string(), v.to_string()))
                                .collect(),
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn changes_are_named_and_expectations_applied() {
        let before = snap(&[("A", 2, &[("x", "1"), ("y", "2")]), ("Gone", 1, &[])]);
        let after = snap(&[
            ("A", 2, &[("x", "1"), ("y", "3"), ("z", "0")]),
            ("New", 0, &[]),
        ]);
        let expect = Expectations::parse(&["a.z", "A.x"]).unwrap();
        let cmp = compare(&before, &after, &expect);
        let summary: Vec<(String, Option<String>, bool)> = cmp
            .changes
            .iter()
            .map(|c| (c.table.clone(), c.column.clone(), c.expected))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("A".into(), Some("y".into()), false),
                ("A".into(), Some("z".into()), true),
                ("Gone".into(), None, false),
                ("New".into(), None, false),
            ]
        );
        assert_eq!(cmp.unmatched_expectations, vec!["a.x".to_string()]);
        assert_eq!(cmp.problems().len(), 3);
    }

    #[test]
    fn whole_table_expectation() {
        let before = snap(&[("A", 1, &[("x", "1")])]);
        let after = snap(&[("A", 2, &[("x", "5")])]);
        let cmp = compare(&before, &after, &Expectations::parse(&["A.*"]).unwrap());
        assert!(cmp.changes.iter().all(|c| c.expected));
        assert!(cmp.problems().is_empty());
        assert!(Expectations::parse(&[" "]).is_err());
    }
}
