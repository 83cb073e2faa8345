//! The schema diff: two schema models → the ordered changes that turn the first into the second.
//!
//! One comparator per kind of object (tables, columns, primary key, indexes, foreign keys,
//! checks), each small and dialect-free; normalization of what servers report happened in
//! introspection. The result is ordered so that it can be applied as is: foreign keys are dropped
//! before what they use and added after what they need.

use std::collections::{BTreeMap, BTreeSet};

use super::change::Change;
use crate::schema::registry::dependency_order;
use crate::schema::{Check, Column, ForeignKey, Index, Schema, SqlType, Table};

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
    /// The changes, in an order in which they can be applied as they are.
    pub changes: Vec<Change>,
    /// `Table.old -> Table.new` (or `Old -> New` for tables) pairs of the same shape that were
    /// diffed as drop + add because no rename was declared.
    pub possible_renames: Vec<String>,
}

/// How much a difference between a live database and the entities matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Changes nothing the data or the application sees: a name the entities declare, a
    /// comment, a foreign key that duplicates one that stays.
    Cosmetic,
    /// Changes what the database does: types, defaults, keys, checks, collations, ...
    Semantic,
    /// A table the entities do not model, declared unmanaged: reported, never touched.
    Unmanaged,
}

impl Class {
    /// The lowercase name reports print: `cosmetic`, `semantic` or `unmanaged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Cosmetic => "cosmetic",
            Class::Semantic => "semantic",
            Class::Unmanaged => "unmanaged",
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The class of each of `changes`, a diff from `from`.
pub fn classify(changes: &[Change], from: &Schema) -> Vec<Class> {
    changes
        .iter()
        .map(|change| match change {
            Change::RenameIndex { .. } | Change::SetTableComment { .. } => Class::Cosmetic,
            Change::ModifyColumn { from: a, to: b, .. }
                if same_column(
                    a,
                    &Column {
                        comment: a.comment.clone(),
                        ..b.clone()
                    },
                ) =>
            {
                Class::Cosmetic
            }
            Change::DropForeignKey { table, foreign_key }
                if duplicate_stays(changes, from, table, foreign_key) =>
            {
                Class::Cosmetic
            }
            _ => Class::Semantic,
        })
        .collect()
}

/// Whether `table` of `from` has another key doing exactly what `foreign_key` does, which
/// `changes` keep.
fn duplicate_stays(
    changes: &[Change],
    from: &Schema,
    table: &str,
    foreign_key: &ForeignKey,
) -> bool {
    let same = |a: &ForeignKey, b: &ForeignKey| {
        same_names(&a.columns, &b.columns)
            && a.referenced_table == b.referenced_table
            && same_names(&a.referenced_columns, &b.referenced_columns)
            && a.on_delete == b.on_delete
            && a.on_update == b.on_update
    };
    let dropped = |name: &str| {
        changes.iter().any(|c| {
            matches!(c, Change::DropForeignKey { table: t, foreign_key: k } if t == table && k.name == name)
        })
    };
    from.table(table).is_some_and(|t| {
        t.foreign_keys
            .iter()
            .any(|k| k.name != foreign_key.name && same(k, foreign_key) && !dropped(&k.name))
    })
}

/// Changes grouped by when they can run. Foreign keys are dropped before the indexes, columns
/// and tables they use, and added after the indexes (on any table) they need; indexes and checks
/// are dropped before and added after column changes; tables are dropped last.
#[derive(Default)]
struct Phases {
    drop_foreign_keys: Vec<Change>,
    drop_constraints: Vec<Change>,
    middle: Vec<Change>,
    add_constraints: Vec<Change>,
    add_foreign_keys: Vec<Change>,
    drop_tables: Vec<Change>,
}

/// What changed in one kept table, as far as its foreign keys (and those pointing at it) care.
#[derive(Default)]
struct TableDelta {
    /// The table's name before the migration (drops run before renames).
    old_name: String,
    /// Foreign keys present on both sides: (as in `from`, as in `to`).
    kept_foreign_keys: Vec<(ForeignKey, ForeignKey)>,
    /// Columns (target names) whose type or nullability changes.
    reshaped_columns: Vec<String>,
    /// Columns (target names) of dropped indexes.
    dropped_index_columns: Vec<Vec<String>>,
    /// Indexes of `from` absent from `to` that are kept because InnoDB made them for a key:
    /// (target names, as named in `from`).
    implicit_indexes: Vec<(Index, Index)>,
    /// Columns (target names) of added indexes.
    added_index_columns: Vec<Vec<String>>,
    /// `from`'s primary key and indexes, in target names.
    from_primary_key: Vec<String>,
    from_indexes: Vec<Index>,
    primary_key_changed: bool,
}

impl TableDelta {
    fn kept_implicit_indexes(&self) -> Vec<Index> {
        self.implicit_indexes
            .iter()
            .map(|(i, _)| i.clone())
            .collect()
    }
}

/// How `from`'s tables and columns are called in `to`, after the declared renames.
struct Naming {
    /// old table name → (new table name, old column → new column)
    tables: BTreeMap<String, (String, BTreeMap<String, String>)>,
}

impl Naming {
    fn table(&self, old: &str) -> String {
        self.tables
            .get(old)
            .map_or_else(|| old.to_string(), |(new, _)| new.clone())
    }

    fn column(&self, old_table: &str, old: &str) -> String {
        self.tables
            .get(old_table)
            .and_then(|(_, columns)| {
                columns
                    .iter()
                    .find(|(o, _)| o.eq_ignore_ascii_case(old))
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| old.to_string())
    }

    /// `table` (from `from`) with every name it uses as `to` calls it, so that keys and indexes
    /// compare equal across a rename (MySQL renames columns inside keys and follows renamed
    /// tables in foreign keys).
    fn in_target_names(&self, table: &Table) -> Table {
        let old = table.name.as_str();
        let columns =
            |cols: &[String]| -> Vec<String> { cols.iter().map(|c| self.column(old, c)).collect() };
        let mut renamed = table.clone();
        renamed.name = self.table(old);
        for column in &mut renamed.columns {
            column.name = self.column(old, &column.name);
        }
        renamed.primary_key = columns(&table.primary_key);
        for index in &mut renamed.indexes {
            index.columns = columns(&index.columns);
        }
        for fk in &mut renamed.foreign_keys {
            fk.columns = columns(&fk.columns);
            fk.referenced_columns = fk
                .referenced_columns
                .iter()
                .map(|c| self.column(&fk.referenced_table, c))
                .collect();
            fk.referenced_table = self.table(&fk.referenced_table);
        }
        renamed
    }
}

/// The changes that turn `from` (typically the live database) into `to` (the entities).
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Diff {
    let mut out = Diff::default();
    let mut phases = Phases::default();

    let mut from_tables: BTreeMap<&str, &Table> =
        from.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    for (old, new) in &renames.tables {
        if from_tables.contains_key(old.as_str())
            && to.table(new).is_some()
            && from.table(new).is_none()
        {
            phases.middle.push(Change::RenameTable {
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

    let mut pairs: Vec<(&Table, &Table)> = Vec::new();
    let mut added_tables = Vec::new();
    for target in &to.tables {
        let source = from_tables.remove(target.name.as_str()).or_else(|| {
            renamed
                .get(target.name.as_str())
                .and_then(|old| from.table(old))
        });
        match source {
            None => added_tables.push(target.clone()),
            Some(source) => pairs.push((source, target)),
        }
    }
    let dropped_tables: Vec<Table> = from_tables.into_values().cloned().collect();

    let naming = Naming {
        tables: pairs
            .iter()
            .map(|(source, target)| {
                (
                    source.name.clone(),
                    (
                        target.name.clone(),
                        column_renames_for(source, target, renames),
                    ),
                )
            })
            .collect(),
    };
    let mut deltas: BTreeMap<String, TableDelta> = BTreeMap::new();
    for (source, target) in &pairs {
        let delta = compare_table(
            source,
            target,
            &naming,
            renames,
            &mut phases,
            &mut out.possible_renames,
        );
        deltas.insert(target.name.clone(), delta);
    }
    recreate_disturbed_foreign_keys(to, &deltas, &mut phases);

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
    created.extend(to.tables.iter().map(|t| t.name.clone()));
    created.retain(|name| !added_tables.iter().any(|t| &t.name == name));
    for mut table in dependency_order(added_tables) {
        let (ready, deferred): (Vec<ForeignKey>, Vec<ForeignKey>) =
            table.foreign_keys.drain(..).partition(|fk| {
                fk.referenced_table == table.name || created.contains(&fk.referenced_table)
            });
        table.foreign_keys = ready;
        created.insert(table.name.clone());
        for fk in deferred {
            add_foreign_key(&table, &[], fk, &mut phases);
        }
        phases.middle.push(Change::AddTable(table));
    }

    // Dropped tables: their own foreign keys first (other dropped tables may point at them),
    // then the tables, dependents before what they depend on.
    let dropped = dependency_order(dropped_tables);
    for table in &dropped {
        for fk in &table.foreign_keys {
            if fk.referenced_table != table.name {
                phases.drop_foreign_keys.push(Change::DropForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk.clone(),
                });
            }
        }
    }
    for mut table in dropped.into_iter().rev() {
        let name = table.name.clone();
        table.foreign_keys.retain(|fk| fk.referenced_table == name);
        phases.drop_tables.push(Change::DropTable(table));
    }

    let Phases {
        drop_foreign_keys,
        drop_constraints,
        middle,
        add_constraints,
        add_foreign_keys,
        drop_tables,
    } = phases;
    out.changes = [
        drop_foreign_keys,
        drop_constraints,
        middle,
        add_constraints,
        add_foreign_keys,
        drop_tables,
    ]
    .concat();
    out
}

/// Adds `fk` to `table` (as it will be). InnoDB needs an index whose first columns are the key's;
/// when the table will have none, the index it would create silently is declared instead, so
/// that the reverse migration removes it again.
fn add_foreign_key(table: &Table, kept: &[Index], fk: ForeignKey, phases: &mut Phases) {
    let indexed = table
        .indexes
        .iter()
        .chain(kept)
        .map(|i| i.columns.as_slice())
        .chain([table.primary_key.as_slice()])
        .any(|columns| starts_with(columns, &fk.columns));
    if !indexed {
        let mut name = fk.name.clone();
        while table
            .indexes
            .iter()
            .chain(kept)
            .any(|i| i.name.eq_ignore_ascii_case(&name))
        {
            name.push_str("_fk");
        }
        phases.add_constraints.push(Change::AddIndex {
            table: table.name.clone(),
            index: Index::new(name, fk.columns.clone()),
        });
    }
    phases.add_foreign_keys.push(Change::AddForeignKey {
        table: table.name.clone(),
        foreign_key: fk,
    });
}

/// MySQL refuses to change the type or nullability of a column a foreign key uses, to drop the
/// index or primary key it relies on, on either side. Such keys are dropped before the change
/// and added back after it, under the name they had.
///
/// A key that relies on an index InnoDB made for it is disturbed too when a new index can serve
/// it: the server then drops its own index silently, and the reverse migration could not drop
/// the new one. The made index is dropped explicitly instead, so that the reverse re-creates it.
fn recreate_disturbed_foreign_keys(
    to: &Schema,
    deltas: &BTreeMap<String, TableDelta>,
    phases: &mut Phases,
) {
    let disturbed = |delta: &TableDelta, columns: &[String]| {
        delta.primary_key_changed
            || columns.iter().any(|c| {
                delta
                    .reshaped_columns
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(c))
            })
            || delta
                .dropped_index_columns
                .iter()
                .any(|index| starts_with(index, columns))
    };
    for (table, delta) in deltas {
        for (source, target) in &delta.kept_foreign_keys {
            let superseded = superseded_implicit_indexes(delta, &target.columns);
            let referenced = deltas.get(&target.referenced_table);
            if !superseded.is_empty()
                || disturbed(delta, &target.columns)
                || referenced.is_some_and(|r| disturbed(r, &target.referenced_columns))
            {
                phases.drop_foreign_keys.push(Change::DropForeignKey {
                    table: delta.old_name.clone(),
                    foreign_key: source.clone(),
                });
                for index in &superseded {
                    phases.drop_constraints.push(Change::DropIndex {
                        table: delta.old_name.clone(),
                        index: index.clone(),
                    });
                }
                let fk = ForeignKey {
                    name: source.name.clone(),
                    ..target.clone()
                };
                let kept: Vec<Index> = delta
                    .implicit_indexes
                    .iter()
                    .filter(|(_, original)| !superseded.contains(original))
                    .map(|(index, _)| index.clone())
                    .collect();
                match to.table(table) {
                    Some(t) => add_foreign_key(t, &kept, fk, phases),
                    None => phases.add_foreign_keys.push(Change::AddForeignKey {
                        table: table.clone(),
                        foreign_key: fk,
                    }),
                }
            }
        }
    }
}

/// The server-made indexes (as named in `from`) a key on `columns` relies on, when an index
/// added to the table can serve it instead; empty otherwise.
fn superseded_implicit_indexes(delta: &TableDelta, columns: &[String]) -> Vec<Index> {
    if starts_with(&delta.from_primary_key, columns)
        || !delta
            .added_index_columns
            .iter()
            .any(|added| starts_with(added, columns))
    {
        return Vec::new();
    }
    let covering: Vec<&Index> = delta
        .from_indexes
        .iter()
        .filter(|i| starts_with(&i.columns, columns))
        .collect();
    let implicit: Vec<Index> = delta
        .implicit_indexes
        .iter()
        .filter(|(index, _)| covering.contains(&index))
        .map(|(_, original)| original.clone())
        .collect();
    if implicit.is_empty() || implicit.len() != covering.len() {
        return Vec::new();
    }
    implicit
}

fn starts_with(columns: &[String], prefix: &[String]) -> bool {
    columns.len() >= prefix.len() && same_names(&columns[..prefix.len()], prefix)
}

fn compare_table(
    original: &Table,
    to: &Table,
    naming: &Naming,
    renames: &Renames,
    phases: &mut Phases,
    possible_renames: &mut Vec<String>,
) -> TableDelta {
    let from = naming.in_target_names(original);
    let mut delta = TableDelta {
        old_name: original.name.clone(),
        ..TableDelta::default()
    };
    let added_foreign_keys = compare_foreign_keys(original, &from, to, phases, &mut delta);
    compare_indexes(original, &from, to, phases, &mut delta);
    for fk in added_foreign_keys {
        add_foreign_key(to, &delta.kept_implicit_indexes(), fk, phases);
    }
    compare_checks(original, to, phases);
    let options = compare_options(original, to, naming);
    let columns = compare_columns(&options.converted, to, renames, possible_renames);
    delta.reshaped_columns = columns.reshaped;
    // Columns joining the key get their final type before it is set; columns leaving it
    // become nullable only after (the server keeps key columns NOT NULL). The table's options
    // change once columns have their new names, and before columns are added, so that new
    // columns take the table's new collation.
    phases.middle.extend(columns.renames);
    phases.middle.extend(options.changes);
    phases.middle.extend(columns.adds);
    phases.middle.extend(columns.key_modifies);
    if !same_names(&from.primary_key, &to.primary_key) {
        delta.primary_key_changed = true;
        phases.middle.push(Change::SetPrimaryKey {
            table: to.name.clone(),
            from: from.primary_key.clone(),
            to: to.primary_key.clone(),
        });
    }
    phases.middle.extend(columns.other_modifies);
    phases.middle.extend(columns.drops);
    delta.from_primary_key = from.primary_key;
    delta.from_indexes = from.indexes;
    delta
}

/// The changes of a table's options, and the table as they leave it for the column comparison.
struct OptionChanges {
    changes: Vec<Change>,
    /// `original` after the changes: a conversion re-collates its text columns.
    converted: Table,
}

/// Engine, collation and comment of one kept table. A collation change converts the whole table
/// (see [`Change::ConvertTable`]): text columns then follow the new collation, and the columns
/// that must keep their own (or MariaDB's JSON) are declared again right after.
fn compare_options(original: &Table, to: &Table, naming: &Naming) -> OptionChanges {
    let mut changes = Vec::new();
    let mut converted = original.clone();
    let table = &to.name;
    let same_engine = original.engine.as_deref().map(str::to_ascii_lowercase)
        == to.engine.as_deref().map(str::to_ascii_lowercase);
    if !same_engine {
        changes.push(Change::SetEngine {
            table: table.clone(),
            from: original.engine.clone(),
            to: to.engine.clone(),
        });
    }
    let same_collation = original.collation.as_deref().map(str::to_ascii_lowercase)
        == to.collation.as_deref().map(str::to_ascii_lowercase);
    if !same_collation {
        let keeps_own = |c: &Column| c.sql_type == SqlType::Json || c.collation.is_some();
        let target_name = |c: &Column| naming.column(&original.name, &c.name);
        let mut columns_before = Vec::new();
        let mut columns_after = Vec::new();
        for column in &mut converted.columns {
            let name = target_name(column);
            let target = to.get_column(&name);
            // What converting back would not give: JSON with its own collation, and a column
            // collated apart from its table (a JSON column that followed the table does again).
            // Dropped columns too: the reverse adds them back before it converts back.
            // A column declared again after the conversion (in its target form) is declared
            // again in its present form after the reverse, which undoes the whole change.
            let is_json = column.sql_type == SqlType::Json;
            if is_json == column.collation.is_none() || target.is_some_and(keeps_own) {
                columns_before.push(Column {
                    name: if target.is_some() {
                        name.clone()
                    } else {
                        column.name.clone()
                    },
                    ..column.clone()
                });
            }
            let Some(target) = target else {
                continue;
            };
            if keeps_own(target) {
                columns_after.push(target.clone());
                *column = Column {
                    name: column.name.clone(),
                    ..target.clone()
                };
            } else if column.sql_type.is_text() {
                column.collation = None;
            }
        }
        converted.collation = to.collation.clone();
        changes.push(Change::ConvertTable {
            table: table.clone(),
            from: original.collation.clone(),
            to: to.collation.clone(),
            columns_before,
            columns_after,
        });
    }
    if original.comment != to.comment {
        changes.push(Change::SetTableComment {
            table: table.clone(),
            from: original.comment.clone(),
            to: to.comment.clone(),
        });
    }
    OptionChanges { changes, converted }
}

/// The column changes of one table, by when they run.
#[derive(Default)]
struct ColumnChanges {
    renames: Vec<Change>,
    adds: Vec<Change>,
    /// Modifications of columns of the target's primary key.
    key_modifies: Vec<Change>,
    other_modifies: Vec<Change>,
    drops: Vec<Change>,
    /// Columns (target names) whose type or nullability changes.
    reshaped: Vec<String>,
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
    possible_renames: &mut Vec<String>,
) -> ColumnChanges {
    let table = &to.name;
    let mut out = ColumnChanges::default();
    let column_renames = column_renames_for(from, to, renames);
    let renamed_to: BTreeSet<&String> = column_renames.values().collect();
    for (old, new) in &column_renames {
        out.renames.push(Change::RenameColumn {
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
                    if source.sql_type != target.sql_type || source.nullable != target.nullable {
                        out.reshaped.push(target.name.clone());
                    }
                    let in_key = to
                        .primary_key
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(&target.name));
                    let modify = Change::ModifyColumn {
                        table: table.clone(),
                        from: source,
                        to: target.clone(),
                    };
                    if in_key {
                        out.key_modifies.push(modify);
                    } else {
                        out.other_modifies.push(modify);
                    }
                }
            }
            _ => {
                added.push(target.clone());
                out.adds.push(Change::AddColumn {
                    table: table.clone(),
                    column: target.clone(),
                    after: previous.clone(),
                });
            }
        }
        previous = Some(target.name.clone());
    }
    // A dropped column remembers the last kept column before it, as named once renames ran:
    // the reverse re-adds dropped columns last first, before the renames are undone.
    let mut previous: Option<String> = None;
    for source in &from.columns {
        let renamed = column_renames.get(&source.name);
        let kept = to.get_column(&source.name).is_some() || renamed.is_some();
        if kept {
            previous = Some(renamed.unwrap_or(&source.name).clone());
        } else {
            for a in &added {
                if a.sql_type == source.sql_type && a.nullable == source.nullable {
                    possible_renames.push(format!("{table}.{} -> {table}.{}", source.name, a.name));
                }
            }
            out.drops.push(Change::DropColumn {
                table: table.clone(),
                column: source.clone(),
                after: previous.clone(),
            });
        }
    }
    out
}

fn same_column(a: &Column, b: &Column) -> bool {
    a.sql_type == b.sql_type
        && a.nullable == b.nullable
        && a.default == b.default
        && a.auto_increment == b.auto_increment
        && a.on_update_current_timestamp == b.on_update_current_timestamp
        && a.collation.as_deref().map(str::to_ascii_lowercase)
            == b.collation.as_deref().map(str::to_ascii_lowercase)
        && a.comment == b.comment
}

pub(crate) fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// `original` is `from` before renames: drops run before renames, so they carry its names.
fn compare_indexes(
    original: &Table,
    from: &Table,
    to: &Table,
    phases: &mut Phases,
    delta: &mut TableDelta,
) {
    let named =
        |indexes: &[Index], name: &str| indexes.iter().any(|i| i.name.eq_ignore_ascii_case(name));
    // Declared indexes present under another name: renamed, never dropped and re-added.
    let mut renamed_to: Vec<String> = Vec::new();
    for (source, as_dropped) in from.indexes.iter().zip(&original.indexes) {
        let drop = Change::DropIndex {
            table: original.name.clone(),
            index: as_dropped.clone(),
        };
        let rename_target = || {
            to.indexes.iter().find(|t| {
                same_index(source, t)
                    && !named(&from.indexes, &t.name)
                    && !renamed_to.iter().any(|r| r.eq_ignore_ascii_case(&t.name))
            })
        };
        // The server named the key's index on both sides (a live target): names not chosen
        // by anyone, so no rename either.
        let server_named_on_both = || {
            rename_target().is_some_and(|t| named_by_server(to, t))
                && from
                    .foreign_keys
                    .iter()
                    .any(|fk| same_names(&source.columns, &fk.columns))
        };
        match to
            .indexes
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(&source.name))
        {
            Some(target) if same_index(source, target) => {}
            Some(target) => {
                delta.dropped_index_columns.push(source.columns.clone());
                delta.added_index_columns.push(target.columns.clone());
                phases.drop_constraints.push(drop);
                phases.add_constraints.push(Change::AddIndex {
                    table: to.name.clone(),
                    index: target.clone(),
                });
            }
            None if server_named_on_both() => {
                let target = rename_target().map(|t| t.name.clone()).unwrap_or_default();
                renamed_to.push(target);
                delta
                    .implicit_indexes
                    .push((source.clone(), as_dropped.clone()));
            }
            None if rename_target().is_some() => {
                let target = rename_target().map(|t| t.name.clone()).unwrap_or_default();
                renamed_to.push(target.clone());
                phases.add_constraints.push(Change::RenameIndex {
                    table: to.name.clone(),
                    index: source.clone(),
                    to: target,
                });
            }
            None if is_implicit_fk_index(from, to, source) && covered_fk_remains(to, source) => {
                delta
                    .implicit_indexes
                    .push((source.clone(), as_dropped.clone()));
            }
            None => {
                delta.dropped_index_columns.push(source.columns.clone());
                phases.drop_constraints.push(drop);
            }
        }
    }
    for target in &to.indexes {
        if !named(&from.indexes, &target.name)
            && !renamed_to
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&target.name))
        {
            delta.added_index_columns.push(target.columns.clone());
            phases.add_constraints.push(Change::AddIndex {
                table: to.name.clone(),
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
///
/// Its name is the server's (or a legacy tool's) choice, not the entities': an undeclared index
/// on exactly a key's columns is that key's index whatever it is called, when the target
/// declares no index that would serve the key and no other index of the table serves it first.
fn is_implicit_fk_index(from: &Table, to: &Table, index: &Index) -> bool {
    if index.unique {
        return false;
    }
    from.foreign_keys.iter().any(|fk| {
        let named_for_key = (index.name.eq_ignore_ascii_case(&fk.name)
            || index.name.eq_ignore_ascii_case(&fk.columns[0]))
            && same_names(
                &index.columns[..fk.columns.len().min(index.columns.len())],
                &fk.columns,
            );
        let serves_key = same_names(&index.columns, &fk.columns)
            && !starts_with(&to.primary_key, &fk.columns)
            && !to
                .indexes
                .iter()
                .any(|i| starts_with(&i.columns, &fk.columns) && !named_by_server(to, i))
            && !starts_with(&from.primary_key, &fk.columns)
            && from
                .indexes
                .iter()
                .find(|i| starts_with(&i.columns, &fk.columns))
                .is_some_and(|first| first.name == index.name);
        named_for_key || serves_key
    })
}

/// Whether `index` of `table` has the name InnoDB gives the index it creates for a foreign key
/// of the table (the constraint's name, or its first column's) and exactly its columns.
fn named_by_server(table: &Table, index: &Index) -> bool {
    !index.unique
        && table.foreign_keys.iter().any(|fk| {
            (index.name.eq_ignore_ascii_case(&fk.name)
                || index.name.eq_ignore_ascii_case(&fk.columns[0]))
                && same_names(&index.columns, &fk.columns)
        })
}

fn covered_fk_remains(to: &Table, index: &Index) -> bool {
    to.foreign_keys
        .iter()
        .any(|fk| starts_with(&index.columns, &fk.columns))
}

/// Foreign keys are matched by what they do (columns, target, actions), not by name: servers
/// generate names (`<Table>_ibfk_N`) that differ between copies of the same schema. Pushes the
/// drops, records the kept keys in `delta` and returns the keys to add (named).
fn compare_foreign_keys(
    original: &Table,
    from: &Table,
    to: &Table,
    phases: &mut Phases,
    delta: &mut TableDelta,
) -> Vec<ForeignKey> {
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
    let mut kept_names = Vec::new();
    for (source, as_dropped) in from.foreign_keys.iter().zip(&original.foreign_keys) {
        match unmatched_targets.iter().position(|t| key(t) == key(source)) {
            Some(i) => {
                let target = unmatched_targets.remove(i);
                kept_names.push(source.name.to_ascii_lowercase());
                delta
                    .kept_foreign_keys
                    .push((as_dropped.clone(), target.clone()));
            }
            None => phases.drop_foreign_keys.push(Change::DropForeignKey {
                table: original.name.clone(),
                foreign_key: as_dropped.clone(),
            }),
        }
    }
    unmatched_targets
        .into_iter()
        .map(|target| {
            let mut fk = target.clone();
            // Re-using the name of a key dropped in the same migration is fine: drops come
            // first. The name of a kept key is not.
            if fk.name.is_empty() || kept_names.contains(&fk.name.to_ascii_lowercase()) {
                let base = format!("fk_{}_{}", table, fk.columns.join("_"));
                fk.name = base.clone();
                let mut n = 2;
                while kept_names.contains(&fk.name.to_ascii_lowercase()) {
                    fk.name = format!("{base}_{n}");
                    n += 1;
                }
            }
            fk
        })
        .collect()
}

fn compare_checks(original: &Table, to: &Table, phases: &mut Phases) {
    let table = &to.name;
    for source in &original.checks {
        let drop = Change::DropCheck {
            table: original.name.clone(),
            check: source.clone(),
        };
        match to.checks.iter().find(|c| c.name == source.name) {
            Some(target) if same_check(source, target) => {}
            Some(target) => {
                phases.drop_constraints.push(drop);
                phases.add_constraints.push(Change::AddCheck {
                    table: table.clone(),
                    check: target.clone(),
                });
            }
            None => phases.drop_constraints.push(drop),
        }
    }
    for target in &to.checks {
        if !original.checks.iter().any(|c| c.name == target.name) {
            phases.add_constraints.push(Change::AddCheck {
                table: table.clone(),
                check: target.clone(),
            });
        }
    }
}

/// Servers rewrite CHECK clauses (quoting, case, redundant parentheses); compare what remains.
pub(crate) fn same_check(a: &Check, b: &Check) -> bool {
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
        // Dropped and re-added (with the index InnoDB needs, as neither side declares one).
        let changes = diff(&a, &c, &Renames::default()).changes;
        assert!(
            matches!(&changes[..], [
                Change::DropForeignKey { .. },
                Change::AddIndex { .. },
                Change::AddForeignKey { foreign_key, .. },
            ] if foreign_key.on_delete == FkAction::SetNull),
            "{changes:?}"
        );
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
