//! Property test of the schema diff on real MariaDB: for random schemas A and B (B a mutation of
//! A), creating A, applying `diff(A, B)` gives a database that diffs empty against B, and applying
//! the reverse gives back A exactly (diff-empty and fingerprint-equal).
//!
//! Schemas come from a small deterministic generator (splitmix64): tables with columns of every
//! type the model supports, nullability, defaults, auto-increment, composite primary keys,
//! indexes and unique keys, foreign keys with actions (including self-references), checks and
//! enums. B is A after a few random mutations: tables added, dropped and renamed; columns added,
//! dropped, renamed and modified; key columns widened; indexes, unique keys, foreign keys, checks
//! and primary keys added, dropped and changed. Declared renames are passed to the diff.
//!
//! Each worker reuses one database, dropping every table between cases.
//! - `PROPERTY_CASES` (default 240): how many cases;
//! - `PROPERTY_SEED` (default fixed): the base seed; case `i` uses `PROPERTY_SEED + i`;
//! - `PROPERTY_CASE=i`: run only case `i` (to replay a failure).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use eyened_orm::migrate::{Dialect, apply, plan};
use eyened_orm::schema::diff::{Renames, diff};
use eyened_orm::schema::{Change, reverse};
use eyened_orm::schema::{
    Check, Column, ColumnDefault, FkAction, ForeignKey, Index, Schema, SqlType, Table, introspect,
};
use eyened_orm_tests::{TestDb, fingerprint, fingerprint_diff, quote_ident, server_answers};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

const DEFAULT_CASES: u64 = 240;
const DEFAULT_SEED: u64 = 0x5eed_d1ff;
const WORKERS: u64 = 2;
const ENUM_POOL: [&str; 6] = ["a", "b", "c", "it's", "two words", "x,y"];
/// Column collations other than the test server's default, utf8mb4_general_ci.
const COLUMN_COLLATIONS: [&str; 3] = ["utf8mb4_bin", "utf8mb4_unicode_ci", "latin1_swedish_ci"];
/// Table collations: utf8mb4 ones only, as MariaDB gives a JSON column its table's character set.
const TABLE_COLLATIONS: [&str; 2] = ["utf8mb4_unicode_ci", "utf8mb4_bin"];
const COMMENTS: [&str; 3] = ["legacy", "it's \\ a comment", "kept for the exporter"];

/// splitmix64: tiny, deterministic, good enough to pick schemas.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Random schemas and their mutations, with fresh names from a counter.
struct Generator {
    rng: Rng,
    serial: u32,
}

impl Generator {
    fn fresh(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}{}", self.serial)
    }

    fn sql_type(&mut self, indexable_only: bool) -> SqlType {
        loop {
            let rng = &mut self.rng;
            let unsigned = rng.percent(30);
            let ty = match rng.below(28) {
                0 => SqlType::TinyInt { unsigned },
                1 => SqlType::SmallInt { unsigned },
                2 => SqlType::MediumInt { unsigned },
                3 => SqlType::Int { unsigned },
                4 => SqlType::BigInt { unsigned },
                5 => SqlType::Bool,
                6 => SqlType::Float,
                7 => SqlType::Double,
                8 => {
                    let precision = rng.range(5, 20);
                    SqlType::Decimal {
                        precision,
                        scale: rng.range(0, 4.min(precision)),
                    }
                }
                9 => SqlType::Char(rng.range(1, 40)),
                10 | 11 => SqlType::Varchar(rng.range(1, 300)),
                12 => SqlType::TinyText,
                13 => SqlType::Text,
                14 => SqlType::MediumText,
                15 => SqlType::LongText,
                16 => SqlType::Binary(rng.range(1, 32)),
                17 => SqlType::VarBinary(rng.range(1, 300)),
                18 => SqlType::TinyBlob,
                19 => SqlType::Blob,
                20 => SqlType::MediumBlob,
                21 => SqlType::LongBlob,
                22 => SqlType::Date,
                23 => SqlType::DateTime,
                24 => SqlType::Timestamp,
                25 => SqlType::Time,
                26 => SqlType::Year,
                _ if rng.percent(50) => SqlType::Json,
                _ => self.enumeration(),
            };
            if !indexable_only || indexable(&ty) {
                return ty;
            }
        }
    }

    fn enumeration(&mut self) -> SqlType {
        let mut pool: Vec<&str> = ENUM_POOL.to_vec();
        let n = self.rng.range(1, 4) as usize;
        let mut values = Vec::new();
        for _ in 0..n {
            let i = self.rng.below(pool.len());
            values.push(pool.remove(i).to_string());
        }
        SqlType::Enum(values)
    }

    /// A default the server reports back exactly as written (or none).
    fn default_for(&mut self, ty: &SqlType) -> Option<ColumnDefault> {
        if self.rng.percent(50) {
            return None;
        }
        let rng = &mut self.rng;
        let literal = |s: String| Some(ColumnDefault::Literal(s));
        match ty {
            SqlType::TinyInt { .. }
            | SqlType::SmallInt { .. }
            | SqlType::MediumInt { .. }
            | SqlType::Int { .. }
            | SqlType::BigInt { .. } => literal(rng.range(0, 100).to_string()),
            SqlType::Bool => literal(rng.range(0, 1).to_string()),
            SqlType::Float | SqlType::Double => {
                literal(rng.pick(&["0", "0.5", "1.25", "-2.5"]).to_string())
            }
            SqlType::Decimal { scale, .. } => {
                // Precision is at least 5 and scale at most 4: one digit always fits.
                let whole = rng.range(0, 9);
                if *scale == 0 {
                    literal(whole.to_string())
                } else {
                    let fraction = format!("{:0width$}", 1, width = *scale as usize);
                    literal(format!("{whole}.{fraction}"))
                }
            }
            SqlType::Char(n) | SqlType::Varchar(n) => {
                let options: Vec<&str> = ["", "a", "abc", "it's", "two words"]
                    .into_iter()
                    .filter(|s| s.len() <= *n as usize)
                    .collect();
                literal(rng.pick(&options).to_string())
            }
            SqlType::Enum(values) => literal(rng.pick(values).clone()),
            SqlType::Date => literal("2024-01-02".into()),
            SqlType::DateTime | SqlType::Timestamp => {
                if rng.percent(50) {
                    Some(ColumnDefault::CurrentTimestamp)
                } else {
                    literal("2024-01-02 03:04:05".into())
                }
            }
            SqlType::Time => literal("12:34:56".into()),
            SqlType::Year => literal("2024".into()),
            _ => None,
        }
    }

    fn column(&mut self, name: String, indexable_only: bool) -> Column {
        let sql_type = self.sql_type(indexable_only);
        let mut column = Column {
            nullable: self.rng.percent(40),
            default: self.default_for(&sql_type),
            auto_increment: false,
            on_update_current_timestamp: false,
            collation: None,
            comment: None,
            name,
            sql_type,
        };
        self.decorate(&mut column);
        column
    }

    /// Gives a column, now and then, what a legacy database has: a collation of its own, a
    /// comment, `ON UPDATE CURRENT_TIMESTAMP`.
    fn decorate(&mut self, column: &mut Column) {
        let text = column.sql_type.is_text() && column.sql_type != SqlType::Json;
        column.collation =
            (text && self.rng.percent(20)).then(|| self.rng.pick(&COLUMN_COLLATIONS).to_string());
        column.comment = self
            .rng
            .percent(10)
            .then(|| self.rng.pick(&COMMENTS).to_string());
        column.on_update_current_timestamp =
            matches!(column.sql_type, SqlType::DateTime | SqlType::Timestamp)
                && self.rng.percent(30);
        settle(column);
    }

    /// A new table; its foreign keys point at tables of `existing` (or itself).
    fn table(&mut self, existing: &[Table]) -> Table {
        let name = self.fresh("t");
        let mut id = Column::new("ID", SqlType::INT);
        let auto_increment = self.rng.percent(70);
        id.auto_increment = auto_increment;
        let mut table = Table::new(&name).column(id).primary_key(["ID"]);
        for _ in 0..self.rng.range(1, 5) {
            let name = self.fresh("c");
            let column = self.column(name, false);
            table.columns.push(column);
        }
        if !auto_increment && self.rng.percent(40) {
            add_composite_key(self, &mut table);
        }
        for _ in 0..self.rng.range(0, 2) {
            add_index(self, &mut table);
        }
        let referencable: Vec<Table> = existing
            .iter()
            .filter(|t| referencable(t))
            .cloned()
            .collect();
        if !referencable.is_empty() {
            for _ in 0..self.rng.range(0, 2) {
                let target = self.rng.pick(&referencable).clone();
                add_foreign_key(self, &mut table, Some(&target));
            }
        }
        if self.rng.percent(15) {
            add_foreign_key(self, &mut table, None);
        }
        if self.rng.percent(20) {
            add_check(self, &mut table);
        }
        if self.rng.percent(15) {
            table.collation = Some(self.rng.pick(&TABLE_COLLATIONS).to_string());
        }
        if self.rng.percent(15) {
            table.comment = Some(self.rng.pick(&COMMENTS).to_string());
        }
        normalize_collations(&mut table);
        table
    }

    fn schema(&mut self) -> Schema {
        let mut tables: Vec<Table> = Vec::new();
        for _ in 0..self.rng.range(1, 4) {
            let table = self.table(&tables);
            tables.push(table);
        }
        Schema::new(tables)
    }
}

/// MariaDB gives a NOT NULL column with `ON UPDATE` and no default an implicit zero default,
/// which the model does not write: such columns get no `ON UPDATE`.
fn settle(column: &mut Column) {
    if !column.nullable && column.default.is_none() {
        column.on_update_current_timestamp = false;
    }
}

/// As introspection reports them: a column collated like its table has no collation of its own.
fn normalize_collations(table: &mut Table) {
    let effective = table
        .collation
        .clone()
        .unwrap_or_else(|| SERVER_DEFAULT_COLLATION.to_string());
    for column in &mut table.columns {
        if column.collation.as_deref() == Some(effective.as_str()) {
            column.collation = None;
        }
    }
}

/// The default collation of the test server's databases (MariaDB's for utf8mb4).
const SERVER_DEFAULT_COLLATION: &str = "utf8mb4_general_ci";

/// TEXT, BLOB and JSON columns need a prefix length to be indexed; the model has none.
fn indexable(ty: &SqlType) -> bool {
    !matches!(
        ty,
        SqlType::TinyText
            | SqlType::Text
            | SqlType::MediumText
            | SqlType::LongText
            | SqlType::TinyBlob
            | SqlType::Blob
            | SqlType::MediumBlob
            | SqlType::LongBlob
            | SqlType::Json
    )
}

fn is_key_type(ty: &SqlType) -> bool {
    matches!(
        ty,
        SqlType::Int { unsigned: false } | SqlType::BigInt { unsigned: false }
    )
}

/// A table other tables may point at: a single-column integer primary key.
fn referencable(table: &Table) -> bool {
    table.primary_key.len() == 1
        && table
            .get_column(&table.primary_key[0])
            .is_some_and(|c| is_key_type(&c.sql_type))
}

/// Columns that keys or checks use, which mutations leave alone (or handle specially).
fn structural_columns(table: &Table) -> BTreeSet<String> {
    let mut used: BTreeSet<String> = table.primary_key.iter().cloned().collect();
    for fk in &table.foreign_keys {
        used.extend(fk.columns.iter().cloned());
    }
    for check in &table.checks {
        used.extend(check_column(check));
    }
    used
}

/// Checks are generated as `` `col` >= 0 ``.
fn check_column(check: &Check) -> Option<String> {
    check.expr.split('`').nth(1).map(str::to_string)
}

fn add_composite_key(g: &mut Generator, table: &mut Table) {
    // Not a foreign key column: ON DELETE SET NULL needs it nullable.
    let candidates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| {
            !table.primary_key.contains(&c.name)
                && !table
                    .foreign_keys
                    .iter()
                    .any(|fk| fk.columns.contains(&c.name))
                && indexable(&c.sql_type)
                && !matches!(c.sql_type, SqlType::Varchar(n) if n > 191)
        })
        .map(|c| c.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let extra = g.rng.pick(&candidates).clone();
    if let Some(c) = table.columns.iter_mut().find(|c| c.name == extra) {
        // Primary key columns are NOT NULL; the server would make them so anyway.
        c.nullable = false;
        if c.default == Some(ColumnDefault::CurrentTimestamp) {
            c.default = None;
        }
        settle(c);
    }
    table.primary_key.push(extra);
}

fn add_index(g: &mut Generator, table: &mut Table) {
    let candidates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| indexable(&c.sql_type))
        .map(|c| c.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let mut columns = vec![g.rng.pick(&candidates).clone()];
    if g.rng.percent(40) {
        let second = g.rng.pick(&candidates).clone();
        if !columns.contains(&second) {
            columns.push(second);
        }
    }
    let name = g.fresh("ix");
    table.indexes.push(Index {
        name,
        columns,
        unique: g.rng.percent(30),
    });
}

/// Adds a new column holding a foreign key to `target` (`None`: the table itself).
fn add_foreign_key(g: &mut Generator, table: &mut Table, target: Option<&Table>) {
    let (referenced_table, key) = match target {
        Some(t) => (t.name.clone(), t.columns[0].clone()),
        None if referencable(table) => (table.name.clone(), table.columns[0].clone()),
        None => return,
    };
    let column_name = g.fresh("r");
    let nullable = target.is_none() || g.rng.percent(60);
    let on_delete = match g.rng.below(3) {
        0 => FkAction::Cascade,
        1 if nullable => FkAction::SetNull,
        _ => FkAction::Restrict,
    };
    let on_update = if g.rng.percent(30) {
        FkAction::Cascade
    } else {
        FkAction::Restrict
    };
    let mut column = Column::new(&column_name, key.sql_type.clone());
    column.nullable = nullable;
    let position = g.rng.range(1, table.columns.len() as u32) as usize;
    table.columns.insert(position, column);
    if g.rng.percent(50) {
        let name = g.fresh("ix");
        table.indexes.push(Index::new(name, [column_name.clone()]));
    }
    table.foreign_keys.push(
        ForeignKey::new(
            format!("fk_{}_{column_name}", table.name),
            [column_name],
            referenced_table,
            [key.name],
        )
        .on_delete(on_delete)
        .on_update(on_update),
    );
}

fn add_check(g: &mut Generator, table: &mut Table) {
    let used = structural_columns(table);
    let candidates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.sql_type.is_integer() && !used.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let column = g.rng.pick(&candidates).clone();
    let name = g.fresh("ck");
    table
        .checks
        .push(Check::new(name, format!("`{column}` >= 0")));
}

/// Removes `column` from `table` with the indexes and checks that use it.
fn remove_column(table: &mut Table, column: &str) {
    table.columns.retain(|c| c.name != column);
    table
        .indexes
        .retain(|i| !i.columns.iter().any(|c| c == column));
    table
        .checks
        .retain(|c| check_column(c).as_deref() != Some(column));
}

/// B: A after a few mutations, and the renames they declare.
fn mutate(g: &mut Generator, a: &Schema) -> (Schema, Renames) {
    let mut b = a.clone();
    let mut renames = Renames::default();
    for _ in 0..g.rng.range(1, 6) {
        mutate_once(g, &mut b, &mut renames);
    }
    (b, renames)
}

/// One random mutation of `b`: a new table now and then, else a random change to a random table.
fn mutate_once(g: &mut Generator, b: &mut Schema, renames: &mut Renames) {
    if b.tables.is_empty() || g.rng.percent(8) {
        add_table(g, b);
        return;
    }
    let ti = g.rng.below(b.tables.len());
    match g.rng.below(20) {
        17 => change_table_collation(g, &mut b.tables[ti]),
        18 => change_table_comment(g, &mut b.tables[ti]),
        19 => redecorate_column(g, &mut b.tables[ti]),
        0 => drop_table(b, ti),
        1 => declare_table_rename(g, b, ti, renames),
        2 | 3 => add_column(g, &mut b.tables[ti]),
        4 => drop_plain_column(g, &mut b.tables[ti]),
        5..=7 => modify_column(g, &mut b.tables[ti]),
        8 => declare_column_rename(g, b, ti, renames),
        9 => add_index(g, &mut b.tables[ti]),
        10 => change_index(g, &mut b.tables[ti]),
        11 => add_reference(g, b, ti),
        12 => change_foreign_key(g, &mut b.tables[ti]),
        13 => add_or_drop_check(g, &mut b.tables[ti]),
        14 => widen_key(b, ti),
        15 => toggle_composite_key(g, b, ti),
        _ => toggle_auto_increment(&mut b.tables[ti]),
    }
}

/// A new table, whose foreign keys may point at the tables already there.
fn add_table(g: &mut Generator, b: &mut Schema) {
    let table = g.table(&b.tables);
    b.tables.push(table);
}

/// Converts the table to another collation, or back to the database's default.
fn change_table_collation(g: &mut Generator, table: &mut Table) {
    table.collation = match table.collation {
        Some(_) if g.rng.percent(50) => None,
        _ => Some(g.rng.pick(&TABLE_COLLATIONS).to_string()),
    };
    normalize_collations(table);
}

/// Sets, changes or removes the table comment.
fn change_table_comment(g: &mut Generator, table: &mut Table) {
    table.comment = match table.comment {
        Some(_) if g.rng.percent(50) => None,
        _ => Some(g.rng.pick(&COMMENTS).to_string()),
    };
}

/// A column no key or check uses, drawn at random; `None` (and no draw) when there is none.
fn free_column(g: &mut Generator, table: &Table) -> Option<usize> {
    let used = structural_columns(table);
    let candidates: Vec<usize> = (0..table.columns.len())
        .filter(|&i| !used.contains(&table.columns[i].name))
        .collect();
    (!candidates.is_empty()).then(|| *g.rng.pick(&candidates))
}

/// Changes the collation, comment or ON UPDATE of a column no key or check uses.
fn redecorate_column(g: &mut Generator, table: &mut Table) {
    let Some(i) = free_column(g, table) else {
        return;
    };
    g.decorate(&mut table.columns[i]);
    normalize_collations(table);
}

/// Drops a table, and the foreign keys that point at it.
fn drop_table(b: &mut Schema, ti: usize) {
    let name = b.tables.remove(ti).name;
    for t in &mut b.tables {
        t.foreign_keys.retain(|fk| fk.referenced_table != name);
    }
}

/// Renames a table (once), with the foreign keys into it, and declares the rename.
fn declare_table_rename(g: &mut Generator, b: &mut Schema, ti: usize, renames: &mut Renames) {
    let old = b.tables[ti].name.clone();
    if renames.tables.values().any(|n| *n == old) {
        return;
    }
    let new = g.fresh(&format!("{old}_r"));
    b.tables[ti].name = new.clone();
    for t in &mut b.tables {
        for fk in &mut t.foreign_keys {
            if fk.referenced_table == old {
                fk.referenced_table = new.clone();
            }
        }
    }
    renames.tables.insert(old, new);
}

/// Adds a new column anywhere after the first.
fn add_column(g: &mut Generator, table: &mut Table) {
    let column = {
        let name = g.fresh("c");
        g.column(name, false)
    };
    let position = g.rng.range(1, table.columns.len() as u32) as usize;
    table.columns.insert(position, column);
    normalize_collations(table);
}

/// Drops a column no key or check uses, with the indexes that use it.
fn drop_plain_column(g: &mut Generator, table: &mut Table) {
    let used = structural_columns(table);
    let candidates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !used.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    if !candidates.is_empty() {
        let column = g.rng.pick(&candidates).clone();
        remove_column(table, &column);
    }
}

/// Renames a column no check uses and declares the rename (a key column's too: MySQL renames it
/// inside keys). A column is renamed once: a rename is declared from A's name.
fn declare_column_rename(g: &mut Generator, b: &mut Schema, ti: usize, renames: &mut Renames) {
    let table_name = b.tables[ti].name.clone();
    let table = &b.tables[ti];
    let checked: BTreeSet<String> = table.checks.iter().filter_map(check_column).collect();
    let candidates: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !checked.contains(&c.name) && !renames.columns.values().any(|n| *n == c.name))
        .map(|c| c.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let old = g.rng.pick(&candidates).clone();
    let new = g.fresh(&format!("{old}_r"));
    rename_column(b, ti, &old, &new);
    renames.columns.insert((table_name, old), new);
}

/// Drops an index, or flips its uniqueness, or changes its columns.
fn change_index(g: &mut Generator, table: &mut Table) {
    if table.indexes.is_empty() {
        return;
    }
    let i = g.rng.below(table.indexes.len());
    match g.rng.below(3) {
        0 => {
            table.indexes.remove(i);
        }
        1 => table.indexes[i].unique = !table.indexes[i].unique,
        _ => table.indexes[i].columns.reverse(),
    }
}

/// Adds a foreign key column to table `ti`, pointing at a referencable table (mostly) or at
/// itself.
fn add_reference(g: &mut Generator, b: &mut Schema, ti: usize) {
    let target = if g.rng.percent(85) {
        let referencable: Vec<Table> = b
            .tables
            .iter()
            .filter(|t| referencable(t))
            .cloned()
            .collect();
        if referencable.is_empty() {
            return;
        }
        Some(g.rng.pick(&referencable).clone())
    } else {
        None
    };
    add_foreign_key(g, &mut b.tables[ti], target.as_ref());
}

/// Drops a foreign key (its column stays), or changes its actions.
fn change_foreign_key(g: &mut Generator, table: &mut Table) {
    if table.foreign_keys.is_empty() {
        return;
    }
    let i = g.rng.below(table.foreign_keys.len());
    if g.rng.percent(50) {
        table.foreign_keys.remove(i);
    } else {
        let nullable = table
            .get_column(&table.foreign_keys[i].columns[0])
            .is_some_and(|c| c.nullable);
        let fk = &mut table.foreign_keys[i];
        fk.on_delete = match (fk.on_delete, nullable) {
            (FkAction::Restrict, _) => FkAction::Cascade,
            (FkAction::Cascade, true) => FkAction::SetNull,
            _ => FkAction::Restrict,
        };
        if g.rng.percent(50) {
            fk.on_update = match fk.on_update {
                FkAction::Restrict => FkAction::Cascade,
                _ => FkAction::Restrict,
            };
        }
    }
}

/// Drops a check (half the time, when there is one), or adds one.
fn add_or_drop_check(g: &mut Generator, table: &mut Table) {
    if !table.checks.is_empty() && g.rng.percent(50) {
        let i = g.rng.below(table.checks.len());
        table.checks.remove(i);
    } else {
        add_check(g, table);
    }
}

/// Primary key: (ID) → (ID, c), or back.
fn toggle_composite_key(g: &mut Generator, b: &mut Schema, ti: usize) {
    let referenced = is_referenced(b, ti);
    let table = &mut b.tables[ti];
    if table.primary_key.len() > 1 {
        table.primary_key.truncate(1);
    } else if !table.columns[0].auto_increment && !referenced {
        add_composite_key(g, table);
    }
}

/// AUTO_INCREMENT on or off for a single-column integer key.
fn toggle_auto_increment(table: &mut Table) {
    if table.primary_key.len() == 1 && table.columns[0].name == table.primary_key[0] {
        let id = &mut table.columns[0];
        if id.sql_type.is_integer() {
            id.auto_increment = !id.auto_increment;
            id.default = None;
        }
    }
}

fn is_referenced(b: &Schema, ti: usize) -> bool {
    let name = &b.tables[ti].name;
    b.tables
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .any(|fk| &fk.referenced_table == name)
}

/// Changes type, nullability, default or ENUM values of a column no key or check uses.
fn modify_column(g: &mut Generator, table: &mut Table) {
    let Some(i) = free_column(g, table) else {
        return;
    };
    let indexed = table
        .indexes
        .iter()
        .any(|ix| ix.columns.contains(&table.columns[i].name));
    let column = &mut table.columns[i];
    match g.rng.below(4) {
        0 => {
            column.sql_type = g.sql_type(indexed);
            column.default = g.default_for(&column.sql_type);
            g.decorate(column);
            normalize_collations(table);
        }
        1 => {
            column.nullable = !column.nullable;
            settle(column);
        }
        2 => {
            column.default = g.default_for(&column.sql_type);
            settle(column);
        }
        _ => {
            let SqlType::Enum(values) = &mut column.sql_type else {
                column.sql_type = g.enumeration();
                column.default = g.default_for(&column.sql_type);
                column.on_update_current_timestamp = false;
                return;
            };
            match g.rng.below(3) {
                0 => {
                    if let Some(v) = ENUM_POOL.iter().find(|v| !values.iter().any(|x| x == *v)) {
                        values.push(v.to_string());
                    }
                }
                1 if values.len() > 1 => {
                    let removed = values.remove(g.rng.below(values.len()));
                    if column.default == Some(ColumnDefault::Literal(removed)) {
                        column.default = None;
                    }
                }
                _ => values.reverse(),
            }
        }
    }
}

/// Renames a column everywhere the table and foreign keys into it name it.
fn rename_column(b: &mut Schema, ti: usize, old: &str, new: &str) {
    let table_name = b.tables[ti].name.clone();
    let rename = |names: &mut Vec<String>| {
        for n in names.iter_mut() {
            if n == old {
                *n = new.to_string();
            }
        }
    };
    let table = &mut b.tables[ti];
    for c in &mut table.columns {
        if c.name == old {
            c.name = new.to_string();
        }
    }
    rename(&mut table.primary_key);
    for ix in &mut table.indexes {
        rename(&mut ix.columns);
    }
    for fk in &mut table.foreign_keys {
        rename(&mut fk.columns);
    }
    for t in &mut b.tables {
        for fk in &mut t.foreign_keys {
            if fk.referenced_table == table_name {
                rename(&mut fk.referenced_columns);
            }
        }
    }
}

/// `int` key → `bigint`, with every foreign key column that points at it.
fn widen_key(b: &mut Schema, ti: usize) {
    if !referencable(&b.tables[ti]) || b.tables[ti].columns[0].sql_type != SqlType::INT {
        return;
    }
    let name = b.tables[ti].name.clone();
    let key = b.tables[ti].primary_key[0].clone();
    let wide = SqlType::BigInt { unsigned: false };
    b.tables[ti].columns[0].sql_type = wide.clone();
    for t in &mut b.tables {
        let columns: Vec<String> = t
            .foreign_keys
            .iter()
            .filter(|fk| fk.referenced_table == name && fk.referenced_columns == [key.clone()])
            .flat_map(|fk| fk.columns.clone())
            .collect();
        for c in &mut t.columns {
            if columns.contains(&c.name) {
                c.sql_type = wide.clone();
            }
        }
    }
}

/// A database of one worker, on a single connection (so `FOREIGN_KEY_CHECKS` sticks).
struct Worker {
    db: TestDb,
    conn: DatabaseConnection,
    /// The tables the database holds, when known without asking it.
    tables: Option<Vec<String>>,
}

impl Worker {
    async fn new() -> Self {
        let db = TestDb::new().await;
        let mut options = ConnectOptions::new(db.url());
        options
            .max_connections(1)
            .min_connections(1)
            .sqlx_logging(false);
        let conn = Database::connect(options)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", db.name()));
        Worker {
            db,
            conn,
            tables: None,
        }
    }

    async fn exec(&self, sql: &str) -> Result<(), String> {
        self.conn
            .execute_unprepared(sql)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e}\n{sql}"))
    }

    async fn clear(&mut self) -> Result<(), String> {
        let tables = match self.tables.take() {
            Some(tables) => tables,
            None => self
                .schema()
                .await?
                .tables
                .into_iter()
                .map(|t| t.name)
                .collect(),
        };
        if tables.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = tables.iter().map(|t| quote_ident(t)).collect();
        self.exec("SET FOREIGN_KEY_CHECKS = 0").await?;
        let dropped = self.exec(&format!("DROP TABLE {}", names.join(", "))).await;
        self.exec("SET FOREIGN_KEY_CHECKS = 1").await?;
        dropped
    }

    async fn schema(&self) -> Result<Schema, String> {
        introspect(&self.conn, Some(self.db.name()))
            .await
            .map_err(|e| format!("introspection failed: {e}"))
    }

    async fn fingerprint(&self) -> Vec<String> {
        fingerprint(&self.conn, self.db.name()).await
    }

    /// One case; `Err` says what went wrong, with enough to replay it.
    async fn run(&mut self, seed: u64) -> Result<usize, String> {
        let mut g = Generator {
            rng: Rng::new(seed),
            serial: 0,
        };
        let a = g.schema();
        let (b, renames) = mutate(&mut g, &a);
        let context = || describe(&a, &b, &renames);

        self.clear().await?;
        let create = diff(&Schema::default(), &a, &Renames::default()).changes;
        apply(&self.conn, &create)
            .await
            .map_err(|e| format!("creating A failed: {e}\n{}", context()))?;
        let live_a = self.schema().await?;
        expect_no_diff("A as created", &live_a, &a, &context)?;
        let original = self.fingerprint().await;

        let up = diff(&live_a, &b, &renames).changes;
        apply(&self.conn, &up)
            .await
            .map_err(|e| format!("up failed: {e}\n{}{}", listing(&up), context()))?;
        let live_b = self.schema().await?;
        expect_no_diff("after up, B", &live_b, &b, &|| {
            format!("{}{}", listing(&up), context())
        })?;

        let down = reverse(&up);
        apply(&self.conn, &down)
            .await
            .map_err(|e| format!("down failed: {e}\n{}{}", listing(&up), context()))?;
        let back = self.schema().await?;
        self.tables = Some(back.tables.iter().map(|t| t.name.clone()).collect());
        expect_no_diff("after down, A", &back, &a, &|| {
            format!("{}{}", listing(&up), context())
        })?;
        if back != live_a {
            return Err(format!(
                "after down, introspection differs from A as created (column order, key \
                 names):\n{}{}{}",
                schema_delta(&live_a, &back),
                listing(&up),
                context()
            ));
        }
        let restored = self.fingerprint().await;
        let delta = fingerprint_diff(&original, &restored);
        if !delta.is_empty() {
            return Err(format!(
                "after down, the fingerprint differs from A's (- A, + after down):\n{delta}{}{}",
                listing(&up),
                context()
            ));
        }
        Ok(up.len())
    }
}

fn expect_no_diff(
    what: &str,
    live: &Schema,
    expected: &Schema,
    context: &dyn Fn() -> String,
) -> Result<(), String> {
    let left = diff(live, expected, &Renames::default()).changes;
    if left.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{what}: the database still differs in {} ways:\n{}{}",
        left.len(),
        left.iter()
            .map(|c| format!("    {c}\n"))
            .collect::<String>(),
        context()
    ))
}

/// The tables of `expected` and `actual` that differ, both ways, as `Debug`.
fn schema_delta(expected: &Schema, actual: &Schema) -> String {
    let mut out = String::new();
    for t in &expected.tables {
        if actual.table(&t.name) != Some(t) {
            out.push_str(&format!(
                "  expected {t:?}\n  actual   {:?}\n",
                actual.table(&t.name)
            ));
        }
    }
    for t in &actual.tables {
        if expected.table(&t.name).is_none() {
            out.push_str(&format!("  unexpected {t:?}\n"));
        }
    }
    out
}

fn listing(changes: &[Change]) -> String {
    let mut out = String::from("  changes A -> B:\n");
    for c in changes {
        out.push_str(&format!("    {c}\n"));
    }
    out
}

/// A and B as the SQL that creates them, and the declared renames.
fn describe(a: &Schema, b: &Schema, renames: &Renames) -> String {
    let ddl = |s: &Schema| {
        let changes = diff(&Schema::default(), s, &Renames::default()).changes;
        match plan(Dialect::MySql, &changes) {
            Ok(sql) => sql
                .iter()
                .map(|l| format!("    {l};\n"))
                .collect::<String>(),
            Err(e) => format!("    (cannot plan: {e})\n"),
        }
    };
    format!(
        "  A:\n{}  B:\n{}  renames: {:?} {:?}\n",
        ddl(a),
        ddl(b),
        renames.tables,
        renames.columns
    )
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_schema_round_trips() {
    let base = env_u64("PROPERTY_SEED").unwrap_or(DEFAULT_SEED);
    let cases: Vec<u64> = match env_u64("PROPERTY_CASE") {
        Some(i) => vec![i],
        None => (0..env_u64("PROPERTY_CASES").unwrap_or(DEFAULT_CASES)).collect(),
    };
    let started = Instant::now();
    // Set when the server stops answering: every worker stops, instead of failing each of its
    // remaining cases on a connection timeout.
    let server_gone = Arc::new(AtomicBool::new(false));
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..WORKERS {
        let mine: Vec<u64> = cases.iter().copied().filter(|i| i % WORKERS == w).collect();
        let server_gone = Arc::clone(&server_gone);
        workers.spawn(async move {
            let mut worker = Worker::new().await;
            let mut failures = Vec::new();
            let mut changes = 0;
            for i in mine {
                if server_gone.load(Ordering::Relaxed) {
                    break;
                }
                match worker.run(base.wrapping_add(i)).await {
                    Ok(n) => changes += n,
                    Err(e) => {
                        failures.push(format!(
                            "=== case {i} (replay: PROPERTY_SEED={base} PROPERTY_CASE={i}) ===\n{e}"
                        ));
                        if !server_answers().await {
                            server_gone.store(true, Ordering::Relaxed);
                            failures.push(format!(
                                "=== the server stopped answering during case {i}; see its error log ==="
                            ));
                            break;
                        }
                    }
                }
            }
            let _ = worker.conn.close().await;
            (failures, changes)
        });
    }
    let mut failures = Vec::new();
    let mut changes = 0;
    while let Some(joined) = workers.join_next().await {
        let (f, n) = joined.unwrap_or_else(|e| panic!("worker panicked: {e}"));
        failures.extend(f);
        changes += n;
    }
    failures.sort();
    eprintln!(
        "{} cases, {changes} changes applied and reverted, in {:.1?}",
        cases.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed: {}\nthe first ones:\n\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .filter_map(|f| f.lines().next())
            .collect::<Vec<_>>()
            .join(", "),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn generator_is_deterministic_and_varied() {
    let run = |seed| {
        let mut g = Generator {
            rng: Rng::new(seed),
            serial: 0,
        };
        let a = g.schema();
        let (b, _) = mutate(&mut g, &a);
        (a, b)
    };
    assert_eq!(run(7), run(7));
    let mut types = std::collections::HashSet::new();
    let mut kinds = std::collections::HashSet::new();
    for seed in 0..DEFAULT_CASES {
        let (a, b) = run(DEFAULT_SEED.wrapping_add(seed));
        for t in a.tables.iter().chain(&b.tables) {
            for c in &t.columns {
                types.insert(std::mem::discriminant(&c.sql_type));
            }
        }
        for c in diff(&a, &b, &Renames::default()).changes {
            kinds.insert(std::mem::discriminant(&c));
        }
    }
    // Every type of the model but `Other`; every kind of change but renames (undeclared here).
    assert_eq!(types.len(), 28, "column types generated");
    assert!(kinds.len() >= 12, "change kinds generated: {}", kinds.len());
}
