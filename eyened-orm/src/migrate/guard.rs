//! Re-runnable migrations: which changes a live schema already shows.
//!
//! MySQL commits DDL statement by statement, so a migration that failed half way has left its
//! first changes in place. Before applying, changes whose effect is already there are skipped,
//! so that rerunning the fixed migration needs no hand surgery. Only exact matches count: a table
//! "already there" with another shape is not skipped, and its CREATE fails loudly.

use super::change::Change;
use super::fold;
use crate::diff::{Renames, diff};
use crate::schema::{Schema, Table};

/// The changes of `changes` still to run against `live`, in order. Each is judged against the
/// schema as the changes before it leave it, so a key dropped and re-added under the same name
/// is not mistaken for one already added.
pub fn not_in_effect(changes: &[Change], live: Schema) -> Vec<Change> {
    let mut state = live;
    let mut pending = Vec::new();
    for change in changes {
        if !in_effect(change, &state) {
            pending.push(change.clone());
        }
        if let Ok(next) = fold::apply_to(&state, std::slice::from_ref(change)) {
            state = next;
        }
    }
    pending
}

/// Whether `live` already shows the effect of `change`.
pub fn in_effect(change: &Change, live: &Schema) -> bool {
    use Change::*;
    let table = |name: &str| live.table(name);
    let has_column = |t: &str, c: &str| table(t).is_some_and(|t| t.get_column(c).is_some());
    match change {
        AddTable(t) => table(&t.name).is_some_and(|l| same_table(l, t)),
        DropTable(t) => table(&t.name).is_none(),
        RenameTable { from, to } => table(from).is_none() && table(to).is_some(),
        AddColumn {
            table: t, column, ..
        } => table(t)
            .and_then(|t| t.get_column(&column.name))
            .is_some_and(|c| {
                c.sql_type == column.sql_type
                    && c.nullable == column.nullable
                    && c.default == column.default
            }),
        DropColumn {
            table: t, column, ..
        } => table(t).is_some() && !has_column(t, &column.name),
        RenameColumn { table: t, from, to } => !has_column(t, from) && has_column(t, to),
        ModifyColumn { table: t, to, .. } => table(t)
            .and_then(|t| t.get_column(&to.name))
            .is_some_and(|c| {
                c.sql_type == to.sql_type
                    && c.nullable == to.nullable
                    && c.default == to.default
                    && c.auto_increment == to.auto_increment
            }),
        SetPrimaryKey { table: t, to, .. } => table(t).is_some_and(|t| &t.primary_key == to),
        AddIndex { table: t, index } => table(t).is_some_and(|t| {
            t.indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(&index.name))
        }),
        DropIndex { table: t, index } => table(t).is_some_and(|t| {
            !t.indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(&index.name))
        }),
        AddForeignKey {
            table: t,
            foreign_key,
        } => table(t).is_some_and(|t| t.foreign_keys.iter().any(|k| k.name == foreign_key.name)),
        DropForeignKey {
            table: t,
            foreign_key,
        } => table(t).is_some_and(|t| !t.foreign_keys.iter().any(|k| k.name == foreign_key.name)),
        AddCheck { table: t, check } => {
            table(t).is_some_and(|t| t.checks.iter().any(|c| c.name == check.name))
        }
        DropCheck { table: t, check } => {
            table(t).is_some_and(|t| !t.checks.iter().any(|c| c.name == check.name))
        }
    }
}

fn same_table(live: &Table, wanted: &Table) -> bool {
    let a = Schema::new(vec![live.clone()]);
    let b = Schema::new(vec![wanted.clone()]);
    diff(&a, &b, &Renames::default()).changes.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey, SqlType};

    #[test]
    fn a_key_dropped_and_re_added_is_not_skipped() {
        let fk = ForeignKey::new("C_ibfk_1", ["PID"], "P", ["ID"]);
        let p = Table::new("P")
            .column(Column::new("ID", SqlType::INT))
            .primary_key(["ID"]);
        let c = Table::new("C")
            .column(Column::new("PID", SqlType::INT))
            .foreign_key(fk.clone());
        let changes = vec![
            Change::DropForeignKey {
                table: "C".into(),
                foreign_key: fk.clone(),
            },
            Change::AddForeignKey {
                table: "C".into(),
                foreign_key: fk,
            },
        ];
        assert_eq!(not_in_effect(&changes, Schema::new(vec![p, c])), changes);
    }

    #[test]
    fn only_exact_effects_count() {
        let t = Table::new("T")
            .column(Column::new("ID", SqlType::INT).auto_increment())
            .primary_key(["ID"]);
        let live = Schema::new(vec![t.clone()]);
        assert!(in_effect(&Change::AddTable(t.clone()), &live));
        let other = t.clone().column(Column::new("X", SqlType::Text));
        assert!(!in_effect(&Change::AddTable(other), &live));
        let add = |ty| Change::AddColumn {
            table: "T".into(),
            column: Column::new("Y", ty),
            after: None,
        };
        assert!(!in_effect(&add(SqlType::INT), &live));
        let with_y = Schema::new(vec![t.column(Column::new("Y", SqlType::INT))]);
        assert!(in_effect(&add(SqlType::INT), &with_y));
        assert!(!in_effect(&add(SqlType::Text), &with_y));
    }
}
