//! The schema diff: two schema models → the ordered changes that turn the first into the second.
//!
//! One comparator per kind of object (tables, columns, primary key, indexes, foreign keys,
//! checks), each small and dialect-free; normalization of what servers report happened in
//! introspection. The result is ordered so that it can be applied as is: foreign keys are dropped
//! before what they use and added after what they need.

use std::collections::{BTreeMap, BTreeSet};

use crate::migrate::Change;
use crate::schema::registry::dependency_order;
use crate::schema::{Check, Column, ForeignKey, Index, Schema, Table};

/// Renames the user asserted: `--rename Table=NewTable`, `--rename Table.old=new`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// old table name → new table name
    pub tables: BTreeMap<String, String>,
    /// (table as named in the target, old column) → new column
    pub columns: BTreeMap<(String, String), String>,
}

impl Renames {
    /// Parses `Table=New` or `Table.old=new`.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (left, new) = spec.split_once('=').ok_or_else(|| {
            format!("rename `{spec}` needs the form Table.old=new or Table=NewTable")
        })?;
        let new = new.trim();
        if new.is_empty() {
            return Err(format!("rename `{spec}` has no new name after `=`"));
        }
        match left.split_once('.') {
            Some((table, old)) => {
                self.columns
                    .insert((table.trim().into(), old.trim().into()), new.into());
            }
            None => {
                self.tables.insert(left.trim().into(), new.into());
            }
        }
        Ok(())
    }
}

/// What a diff found: the changes, and drop + add pairs that look like unannounced renames.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// `Table.old -> Table.new` (or `Old -> New` for tables) pairs of the same shape that were
    /// diffed as drop + add because no rename was declared.
    pub possible_renames: Vec<String>,
}

/// The changes that turn `from` (typically the live database) into `to` (the entities).
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Diff {
    let mut out = Diff::default();
    let mut early = Vec::new(); // drops of foreign keys, indexes and checks
    let mut middle = Vec::new(); // tables and columns
    let mut late = Vec::new(); // new indexes, checks, foreign keys
    let mut dropped_tables = Vec::new();
    let mut added_tables = Vec::new();

    let mut from_tables: BTreeMap<&str, &Table> =
        from.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    for (old, new) in &renames.tables {
        if from_tables.contains_key(old.as_str())
            && to.table(new).is_some()
            && from.table(new).is_none()
        {
            middle.push(Change::RenameTable {
                from: old.clone(),
                to: new.clone(),
            });
        }
    }
    // After a rename, the old table is compared under its new name.
    let renamed: BTreeMap<&str, &str> = renames
        .tables
        .iter()
        .filter(|(o, n)| from_tables.contains_key(o.as_str()) && to.table(n).is_some())
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    for new in renamed.keys() {
        if let Some(old) = renamed.get(new) {
            from_tables.remove(old);
        }
    }

    for target in &to.tables {
        let source = from_tables.remove(target.name.as_str()).or_else(|| {
            renamed
                .get(target.name.as_str())
                .and_then(|old| from.table(old))
        });
        match source {
            None => added_tables.push(target.clone()),
            Some(source) => compare_table(
                source,
                target,
                renames,
                &mut early,
                &mut middle,
                &mut late,
                &mut out.possible_renames,
            ),
        }
    }
    dropped_tables.extend(from_tables.into_values().cloned());

    for d in &dropped_tables {
        for a in &added_tables {
            if same_shape(d, a) {
                out.possible_renames
                    .push(format!("{} -> {}", d.name, a.name));
            }
        }
    }

    // New tables in dependency order; a foreign key into a table not created yet (a cycle) is
    // split out and added once every table exists.
    let mut created: BTreeSet<String> = from.tables.iter().map(|t| t.name.clone()).collect();
    for mut table in dependency_order(added_tables) {
        let (ready, deferred): (Vec<ForeignKey>, Vec<ForeignKey>) =
            table.foreign_keys.drain(..).partition(|fk| {
                fk.referenced_table == table.name || created.contains(&fk.referenced_table)
            });
        table.foreign_keys = ready;
        created.insert(table.name.clone());
        for fk in deferred {
            late.push(Change::AddForeignKey {
                table: table.name.clone(),
                foreign_key: fk,
            });
        }
        middle.push(Change::AddTable(table));
    }

    // Dropped tables: their own foreign keys first (other dropped tables may point at them),
    // then the tables, dependents before what they depend on.
    let dropped = dependency_order(dropped_tables);
    for table in &dropped {
        for fk in &table.foreign_keys {
            if fk.referenced_table != table.name {
                early.push(Change::DropForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk.clone(),
                });
            }
        }
    }
    let mut drops = Vec::new();
    for mut table in dropped.into_iter().rev() {
        let name = table.name.clone();
        table.foreign_keys.retain(|fk| fk.referenced_table == name);
        drops.push(Change::DropTable(table));
    }

    out.changes.extend(early);
    out.changes.extend(middle);
    out.changes.extend(late);
    out.changes.extend(drops);
    out
}

#[allow(clippy::too_many_arguments)]
fn compare_table(
    from: &Table,
    to: &Table,
    renames: &Renames,
    early: &mut Vec<Change>,
    middle: &mut Vec<Change>,
    late: &mut Vec<Change>,
    possible_renames: &mut Vec<String>,
) {
    let name = &to.name;
    compare_foreign_keys(from, to, early, late);
    compare_indexes(from, to, early, late);
    compare_checks(from, to, early, late);
    compare_columns(from, to, renames, middle, possible_renames);
    let column_renames = column_renames_for(from, to, renames);
    let renamed_pk: Vec<String> = from
        .primary_key
        .iter()
        .map(|c| column_renames.get(c).cloned().unwrap_or_else(|| c.clone()))
        .collect();
    if !same_names(&renamed_pk, &to.primary_key) {
        middle.push(Change::SetPrimaryKey {
            table: name.clone(),
            from: renamed_pk,
            to: to.primary_key.clone(),
        });
    }
}

fn column_renames_for(from: &Table, to: &Table, renames: &Renames) -> BTreeMap<String, String> {
    renames
        .columns
        .iter()
        .filter(|((t, old), new)| {
            (t == &to.name || t == &from.name)
                && from.get_column(old).is_some()
                && to.get_column(new).is_some()
        })
        .map(|((_, old), new)| (old.clone(), new.clone()))
        .collect()
}

fn compare_columns(
    from: &Table,
    to: &Table,
    renames: &Renames,
    middle: &mut Vec<Change>,
    possible_renames: &mut Vec<String>,
) {
    let table = &to.name;
    let column_renames = column_renames_for(from, to, renames);
    let renamed_to: BTreeSet<&String> = column_renames.values().collect();
    for (old, new) in &column_renames {
        middle.push(Change::RenameColumn {
            table: table.clone(),
            from: old.clone(),
            to: new.clone(),
        });
    }
    let mut added = Vec::new();
    let mut previous: Option<String> = None;
    for target in &to.columns {
        let source_name = column_renames
            .iter()
            .find(|(_, new)| new.eq_ignore_ascii_case(&target.name))
            .map(|(old, _)| old.as_str())
            .unwrap_or(&target.name);
        match from.get_column(source_name) {
            Some(source) if !renamed_to.contains(&target.name) || source_name != target.name => {
                let source = Column {
                    name: target.name.clone(),
                    ..source.clone()
                };
                if !same_column(&source, target) {
                    middle.push(Change::ModifyColumn {
                        table: table.clone(),
                        from: source,
                        to: target.clone(),
                    });
                }
            }
            _ => {
                added.push(target.clone());
                middle.push(Change::AddColumn {
                    table: table.clone(),
                    column: target.clone(),
                    after: previous.clone(),
                });
            }
        }
        previous = Some(target.name.clone());
    }
    let mut previous: Option<String> = None;
    for source in &from.columns {
        let kept =
            to.get_column(&source.name).is_some() || column_renames.contains_key(&source.name);
        if !kept {
            for a in &added {
                if a.sql_type == source.sql_type && a.nullable == source.nullable {
                    possible_renames.push(format!("{table}.{} -> {table}.{}", source.name, a.name));
                }
            }
            middle.push(Change::DropColumn {
                table: table.clone(),
                column: source.clone(),
                after: previous.clone(),
            });
        }
        previous = Some(source.name.clone());
    }
}

fn same_column(a: &Column, b: &Column) -> bool {
    a.sql_type == b.sql_type
        && a.nullable == b.nullable
        && a.default == b.default
        && a.auto_increment == b.auto_increment
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn compare_indexes(from: &Table, to: &Table, early: &mut Vec<Change>, late: &mut Vec<Change>) {
    let table = &to.name;
    for source in &from.indexes {
        match to
            .indexes
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(&source.name))
        {
            Some(target) if same_index(source, target) => {}
            Some(target) => {
                early.push(Change::DropIndex {
                    table: table.clone(),
                    index: source.clone(),
                });
                late.push(Change::AddIndex {
                    table: table.clone(),
                    index: target.clone(),
                });
            }
            None if is_implicit_fk_index(from, source) && covered_fk_remains(to, source) => {}
            None => early.push(Change::DropIndex {
                table: table.clone(),
                index: source.clone(),
            }),
        }
    }
    for target in &to.indexes {
        if !from
            .indexes
            .iter()
            .any(|i| i.name.eq_ignore_ascii_case(&target.name))
        {
            late.push(Change::AddIndex {
                table: table.clone(),
                index: target.clone(),
            });
        }
    }
}

fn same_index(a: &Index, b: &Index) -> bool {
    a.unique == b.unique && same_names(&a.columns, &b.columns)
}

/// InnoDB silently creates an index for a foreign key that has none, named after the constraint
/// or its first column. The ORM does not declare it, so it is not drift while the key exists.
fn is_implicit_fk_index(table: &Table, index: &Index) -> bool {
    !index.unique
        && table.foreign_keys.iter().any(|fk| {
            (index.name.eq_ignore_ascii_case(&fk.name)
                || index.name.eq_ignore_ascii_case(&fk.columns[0]))
                && same_names(
                    &index.columns[..fk.columns.len().min(index.columns.len())],
                    &fk.columns,
                )
        })
}

fn covered_fk_remains(to: &Table, index: &Index) -> bool {
    to.foreign_keys.iter().any(|fk| {
        index.columns.len() >= fk.columns.len()
            && same_names(&index.columns[..fk.columns.len()], &fk.columns)
    })
}

/// Foreign keys are matched by what they do (columns, target, actions), not by name: servers
/// generate names (`<Table>_ibfk_N`) that differ between copies of the same schema.
fn compare_foreign_keys(from: &Table, to: &Table, early: &mut Vec<Change>, late: &mut Vec<Change>) {
    let table = &to.name;
    let key = |fk: &ForeignKey| {
        (
            fk.columns
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<_>>(),
            fk.referenced_table.clone(),
            fk.referenced_columns
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<_>>(),
            fk.on_delete,
            fk.on_update,
        )
    };
    let mut unmatched_targets: Vec<&ForeignKey> = to.foreign_keys.iter().collect();
    for source in &from.foreign_keys {
        match unmatched_targets.iter().position(|t| key(t) == key(source)) {
            Some(i) => {
                unmatched_targets.remove(i);
            }
            None => early.push(Change::DropForeignKey {
                table: table.clone(),
                foreign_key: source.clone(),
            }),
        }
    }
    for target in unmatched_targets {
        let mut fk = target.clone();
        // Re-using the name of a key dropped in the same migration is fine: drops come first.
        if fk.name.is_empty() {
            fk.name = format!("fk_{}_{}", table, fk.columns.join("_"));
        }
        late.push(Change::AddForeignKey {
            table: table.clone(),
            foreign_key: fk,
        });
    }
}

fn compare_checks(from: &Table, to: &Table, early: &mut Vec<Change>, late: &mut Vec<Change>) {
    let table = &to.name;
    for source in &from.checks {
        match to.checks.iter().find(|c| c.name == source.name) {
            Some(target) if same_check(source, target) => {}
            Some(target) => {
                early.push(Change::DropCheck {
                    table: table.clone(),
                    check: source.clone(),
                });
                late.push(Change::AddCheck {
                    table: table.clone(),
                    check: target.clone(),
                });
            }
            None => early.push(Change::DropCheck {
                table: table.clone(),
                check: source.clone(),
            }),
        }
    }
    for target in &to.checks {
        if !from.checks.iter().any(|c| c.name == target.name) {
            late.push(Change::AddCheck {
                table: table.clone(),
                check: target.clone(),
            });
        }
    }
}

/// Servers rewrite CHECK clauses (quoting, case, redundant parentheses); compare what remains.
fn same_check(a: &Check, b: &Check) -> bool {
    let norm = |e: &str| -> String {
        e.chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '`' | '(' | ')' | '"'))
            .collect::<String>()
            .to_ascii_lowercase()
    };
    norm(&a.expr) == norm(&b.expr)
}

fn same_shape(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| x.sql_type == y.sql_type && x.nullable == y.nullable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FkAction, SqlType, entities};

    #[test]
    fn entities_against_themselves_is_empty() {
        let schema = entities();
        let d = diff(&schema, &schema, &Renames::default());
        assert_eq!(d.changes, vec![]);
    }

    #[test]
    fn from_empty_creates_every_table_in_dependency_order() {
        let schema = entities();
        let d = diff(&Schema::default(), &schema, &Renames::default());
        assert_eq!(d.changes.len(), 40);
        assert!(d.changes.iter().all(|c| matches!(c, Change::AddTable(_))));
    }

    fn t(name: &str) -> Table {
        Table::new(name)
            .column(Column::new("ID", SqlType::INT).auto_increment())
            .primary_key(["ID"])
    }

    #[test]
    fn column_changes() {
        let a = Schema::new(vec![
            t("T").column(Column::new("Name", SqlType::Varchar(256))),
        ]);
        let b = Schema::new(vec![
            t("T").column(Column::new("Name", SqlType::Varchar(128))),
        ]);
        let d = diff(&a, &b, &Renames::default());
        assert_eq!(d.changes.len(), 1);
        assert_eq!(
            d.changes[0].to_string(),
            "T.Name: varchar(256) NOT NULL -> varchar(128) NOT NULL"
        );
    }

    #[test]
    fn declared_rename_is_a_rename() {
        let a = Schema::new(vec![t("T").column(Column::new("Old", SqlType::Text))]);
        let b = Schema::new(vec![t("T").column(Column::new("New", SqlType::Text))]);
        let undeclared = diff(&a, &b, &Renames::default());
        assert_eq!(
            undeclared.possible_renames,
            vec!["T.Old -> T.New".to_string()]
        );
        let mut renames = Renames::default();
        renames.add("T.Old=New").unwrap();
        let declared = diff(&a, &b, &renames);
        assert_eq!(
            declared.changes,
            vec![Change::RenameColumn {
                table: "T".into(),
                from: "Old".into(),
                to: "New".into()
            }]
        );
    }

    #[test]
    fn fk_names_do_not_matter_but_actions_do() {
        let fk = |name: &str, action| ForeignKey::new(name, ["PID"], "P", ["ID"]).on_delete(action);
        let child = |k| {
            t("C")
                .column(Column::new("PID", SqlType::INT))
                .foreign_key(k)
        };
        let a = Schema::new(vec![t("P"), child(fk("C_ibfk_1", FkAction::Cascade))]);
        let b = Schema::new(vec![t("P"), child(fk("fk_c_p", FkAction::Cascade))]);
        assert!(diff(&a, &b, &Renames::default()).changes.is_empty());
        let c = Schema::new(vec![t("P"), child(fk("fk_c_p", FkAction::SetNull))]);
        assert_eq!(diff(&a, &c, &Renames::default()).changes.len(), 2);
    }

    #[test]
    fn implicit_fk_index_is_not_drift() {
        let fk = ForeignKey::new("C_ibfk_1", ["PID"], "P", ["ID"]);
        let live = t("C")
            .column(Column::new("PID", SqlType::INT))
            .foreign_key(fk.clone())
            .index(Index::new("PID", ["PID"]));
        let entity = t("C")
            .column(Column::new("PID", SqlType::INT))
            .foreign_key(fk);
        let d = diff(
            &Schema::new(vec![t("P"), live]),
            &Schema::new(vec![t("P"), entity]),
            &Renames::default(),
        );
        assert!(d.changes.is_empty(), "{:?}", d.changes);
    }
}
