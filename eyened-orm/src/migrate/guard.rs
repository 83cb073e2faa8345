//! Re-runnable migrations: which changes a live schema already shows.
//!
//! MySQL commits DDL statement by statement, so a migration that failed half way has left its
//! first changes in place. Before applying, changes whose effect is already there are skipped,
//! so that rerunning the fixed migration needs no hand surgery. Only exact matches count: a table
//! "already there" with another shape is not skipped, and its CREATE fails loudly.

use std::collections::BTreeSet;

use super::fold;
use crate::schema::Change;
use crate::schema::diff::{Renames, diff, same_check, same_names};
use crate::schema::{Column, Schema, Table};

/// The changes of `changes` still to run against `live`, in order. Each is judged against the
/// schema as the changes before it leave it, so a key dropped and re-added under the same name
/// is not mistaken for one already added.
///
/// A CHECK or index dropped and later re-added under the same name (a CHECK whose expression
/// changes, say) is left alone, both changes skipped, when `live` already has it as it is
/// re-added: running them would only rebuild what is there. Foreign keys are not: they are
/// dropped and re-added around changes of the columns they use, which need them gone.
pub fn not_in_effect(changes: &[Change], live: Schema) -> Vec<Change> {
    let redundant = redundant_pairs(changes, &live);
    let mut state = live;
    let mut pending = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        if !redundant.contains(&i) && !in_effect(change, &state) {
            pending.push(change.clone());
        }
        if let Ok(next) = fold::apply_to(&state, std::slice::from_ref(change)) {
            state = next;
        }
    }
    pending
}

/// Positions of CHECK and index drop + re-add pairs whose re-added object `live` already has.
fn redundant_pairs(changes: &[Change], live: &Schema) -> BTreeSet<usize> {
    use Change::*;
    let mut out = BTreeSet::new();
    for (i, drop) in changes.iter().enumerate() {
        for (j, add) in changes.iter().enumerate().skip(i + 1) {
            let already = match (drop, add) {
                (DropCheck { table: a, check: d }, AddCheck { table: b, check }) => {
                    a == b
                        && d.name == check.name
                        && live.table(a).is_some_and(|t| {
                            t.checks
                                .iter()
                                .any(|c| c.name == check.name && same_check(c, check))
                        })
                }
                (DropIndex { table: a, index: d }, AddIndex { table: b, index }) => {
                    a == b
                        && d.name.eq_ignore_ascii_case(&index.name)
                        && live.table(a).is_some_and(|t| {
                            t.indexes.iter().any(|i| {
                                i.name.eq_ignore_ascii_case(&index.name)
                                    && i.unique == index.unique
                                    && same_names(&i.columns, &index.columns)
                            })
                        })
                }
                _ => false,
            };
            if already && !out.contains(&j) {
                out.insert(i);
                out.insert(j);
                break;
            }
        }
    }
    out
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
            .is_some_and(|c| same_definition(c, column)),
        DropColumn {
            table: t, column, ..
        } => table(t).is_some() && !has_column(t, &column.name),
        RenameColumn { table: t, from, to } => !has_column(t, from) && has_column(t, to),
        ModifyColumn { table: t, to, .. } => table(t)
            .and_then(|t| t.get_column(&to.name))
            .is_some_and(|c| same_definition(c, to)),
        SetEngine { table: t, to, .. } => table(t).is_some_and(|t| {
            t.engine.as_deref().map(str::to_ascii_lowercase)
                == to.as_deref().map(str::to_ascii_lowercase)
        }),
        SetTableComment { table: t, to, .. } => table(t).is_some_and(|t| &t.comment == to),
        ConvertTable {
            table: t,
            to,
            columns_after,
            ..
        } => table(t).is_some_and(|t| {
            &t.collation == to
                && columns_after.iter().all(|declared| {
                    t.get_column(&declared.name)
                        .is_some_and(|c| same_definition(c, declared))
                })
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
        RenameIndex {
            table: t,
            index,
            to,
        } => table(t).is_some_and(|t| {
            let named = |name: &str| t.indexes.iter().any(|i| i.name.eq_ignore_ascii_case(name));
            named(to) && (index.name.eq_ignore_ascii_case(to) || !named(&index.name))
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

/// Everything but the name's case: what `ALTER TABLE ... MODIFY` would set.
fn same_definition(live: &Column, wanted: &Column) -> bool {
    live.sql_type == wanted.sql_type
        && live.nullable == wanted.nullable
        && live.default == wanted.default
        && live.auto_increment == wanted.auto_increment
        && live.on_update_current_timestamp == wanted.on_update_current_timestamp
        && live.collation == wanted.collation
        && live.comment == wanted.comment
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
