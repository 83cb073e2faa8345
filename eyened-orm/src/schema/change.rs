//! Every schema change as a value, each knowing its reverse and how safe it is.

use std::fmt;

use super::model::{Check, Column, FkAction, ForeignKey, Index, SqlType, Table};

/// One change to a schema. Changes carry enough of the old state to be reversed exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Creates the table with its columns, keys, indexes, checks and options.
    AddTable(Table),
    /// Drops the table; holds its definition so that the reverse can re-create it.
    DropTable(Table),
    /// Renames a table.
    RenameTable {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Adds a column; `after` places it (MySQL), `None` places it first.
    AddColumn {
        /// The table, by its name when the change runs.
        table: String,
        /// The new column's full definition.
        column: Column,
        /// The column it follows; `None` for first (ignored on SQLite, which appends).
        after: Option<String>,
    },
    /// Drops a column; holds its definition and position so that the reverse re-adds it where
    /// it was.
    DropColumn {
        /// The table, by its name when the change runs.
        table: String,
        /// The column as it is before the drop.
        column: Column,
        /// The column it follows (`None`: it is first), for the reverse.
        after: Option<String>,
    },
    /// Renames a column, keeping its definition.
    RenameColumn {
        /// The table, by its name when the change runs.
        table: String,
        /// The current column name.
        from: String,
        /// The new column name.
        to: String,
    },
    /// Changes anything of a column but its name: type, nullability, default, auto-increment,
    /// `ON UPDATE`, collation, comment.
    ModifyColumn {
        /// The table, by its name when the change runs.
        table: String,
        /// The column as it is, for the reverse and the safety judgement.
        from: Column,
        /// The column as it becomes (`MODIFY COLUMN` writes this definition).
        to: Column,
    },
    /// Changes the storage engine (`None`: InnoDB).
    SetEngine {
        /// The table, by its name when the change runs.
        table: String,
        /// The current engine.
        from: Option<String>,
        /// The new engine.
        to: Option<String>,
    },
    /// Changes the table comment (`None`: none).
    SetTableComment {
        /// The table, by its name when the change runs.
        table: String,
        /// The current comment.
        from: Option<String>,
        /// The new comment.
        to: Option<String>,
    },
    /// Converts the table and every text column in it to a collation and its character set
    /// (`None`: the database's default), as `CONVERT TO CHARACTER SET` does. The conversion
    /// would also re-collate columns that must keep a collation of their own, and MariaDB's JSON
    /// columns: `columns_after` are declared again after it, as they are in the target, and
    /// `columns_before` as they were, for the reverse.
    ConvertTable {
        /// The table, by its name when the change runs.
        table: String,
        /// The table's current collation.
        from: Option<String>,
        /// The collation to convert to.
        to: Option<String>,
        /// Columns declared again after the reverse conversion, as they are before this change.
        columns_before: Vec<Column>,
        /// Columns declared again (`MODIFY COLUMN`) after the conversion, as in the target.
        columns_after: Vec<Column>,
    },
    /// Replaces the primary key in one `ALTER TABLE`.
    SetPrimaryKey {
        /// The table, by its name when the change runs.
        table: String,
        /// The current key columns, in key order; empty for none.
        from: Vec<String>,
        /// The new key columns, in key order; empty for none.
        to: Vec<String>,
    },
    /// Creates a secondary index.
    AddIndex {
        /// The table, by its name when the change runs.
        table: String,
        /// The index to create.
        index: Index,
    },
    /// Drops a secondary index; holds its definition so that the reverse can re-create it.
    DropIndex {
        /// The table, by its name when the change runs.
        table: String,
        /// The index as it is before the drop.
        index: Index,
    },
    /// Renames `index` (as it is before) to `to`; nothing else about it changes.
    RenameIndex {
        /// The table, by its name when the change runs.
        table: String,
        /// The index under its current name.
        index: Index,
        /// The new name.
        to: String,
    },
    /// Adds a foreign key held by `table`.
    AddForeignKey {
        /// The table, by its name when the change runs.
        table: String,
        /// The key to add.
        foreign_key: ForeignKey,
    },
    /// Drops a foreign key; holds its definition so that the reverse can add it back.
    DropForeignKey {
        /// The table, by its name when the change runs.
        table: String,
        /// The key as it is before the drop.
        foreign_key: ForeignKey,
    },
    /// Adds a CHECK constraint.
    AddCheck {
        /// The table, by its name when the change runs.
        table: String,
        /// The constraint to add.
        check: Check,
    },
    /// Drops a CHECK constraint; holds its definition for the reverse.
    DropCheck {
        /// The table, by its name when the change runs.
        table: String,
        /// The constraint as it is before the drop.
        check: Check,
    },
}

/// Whether applying a change can lose data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safety {
    /// Cannot lose or reject data.
    Safe,
    /// Can lose or reject existing data; the reason says how.
    Lossy(String),
}

impl Change {
    /// The change that undoes this one.
    pub fn reverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            AddTable(t) => DropTable(t),
            DropTable(t) => AddTable(t),
            RenameTable { from, to } => RenameTable { from: to, to: from },
            AddColumn {
                table,
                column,
                after,
            } => DropColumn {
                table,
                column,
                after,
            },
            DropColumn {
                table,
                column,
                after,
            } => AddColumn {
                table,
                column,
                after,
            },
            RenameColumn { table, from, to } => RenameColumn {
                table,
                from: to,
                to: from,
            },
            ModifyColumn { table, from, to } => ModifyColumn {
                table,
                from: to,
                to: from,
            },
            SetPrimaryKey { table, from, to } => SetPrimaryKey {
                table,
                from: to,
                to: from,
            },
            SetEngine { table, from, to } => SetEngine {
                table,
                from: to,
                to: from,
            },
            SetTableComment { table, from, to } => SetTableComment {
                table,
                from: to,
                to: from,
            },
            ConvertTable {
                table,
                from,
                to,
                columns_before,
                columns_after,
            } => ConvertTable {
                table,
                from: to,
                to: from,
                columns_before: columns_after,
                columns_after: columns_before,
            },
            AddIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => AddIndex { table, index },
            RenameIndex { table, index, to } => RenameIndex {
                table,
                to: index.name.clone(),
                index: Index { name: to, ..index },
            },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
        }
    }

    /// The table this change is about.
    pub fn table(&self) -> &str {
        use Change::*;
        match self {
            AddTable(t) | DropTable(t) => &t.name,
            RenameTable { to, .. } => to,
            AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | ModifyColumn { table, .. }
            | SetEngine { table, .. }
            | SetTableComment { table, .. }
            | ConvertTable { table, .. }
            | SetPrimaryKey { table, .. }
            | AddIndex { table, .. }
            | DropIndex { table, .. }
            | RenameIndex { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. } => table,
        }
    }

    /// Whether the change can lose data, judged from the schema alone (a NOT NULL change is
    /// lossy only if the column holds NULLs, which only the live data can tell; see
    /// [`Change::needs_null_count`]).
    pub fn safety(&self) -> Safety {
        use Change::*;
        match self {
            DropTable(t) => Safety::Lossy(format!("drops table {} and all its rows", t.name)),
            DropColumn { table, column, .. } => {
                Safety::Lossy(format!("drops column {table}.{} and its data", column.name))
            }
            ModifyColumn { from, to, .. } => match narrowing(&from.sql_type, &to.sql_type) {
                Some(reason) => Safety::Lossy(reason),
                None if from.nullable && !to.nullable => {
                    Safety::Lossy("makes the column NOT NULL: rows holding NULL fail".into())
                }
                None => match recharset(from.collation.as_deref(), to.collation.as_deref()) {
                    Some(reason) => Safety::Lossy(reason),
                    None => Safety::Safe,
                },
            },
            SetEngine { to: Some(engine), .. } => Safety::Lossy(format!(
                "moves the table to {engine}: foreign keys and transactions need InnoDB"
            )),
            ConvertTable { to, .. } => Safety::Lossy(format!(
                "re-collates every text column to {}: fails if a unique key then holds equal values{}",
                collation_text(to.as_deref()),
                match to.as_deref().and_then(|c| recharset(None, Some(c))) {
                    None => String::new(),
                    Some(why) => format!("; {why}"),
                }
            )),
            AddColumn { column, .. } if !column.nullable && column.default.is_none() && !column.auto_increment => {
                Safety::Lossy("adds a NOT NULL column without default: existing rows get the type's zero value".into())
            }
            AddIndex { index, .. } if index.unique => {
                Safety::Lossy("adds a unique key: fails if existing rows hold duplicates".into())
            }
            SetPrimaryKey { .. } => Safety::Lossy("changes the primary key: fails on duplicates".into()),
            AddCheck { .. } => Safety::Lossy("adds a CHECK: fails if existing rows violate it".into()),
            AddForeignKey { .. } => Safety::Lossy("adds a foreign key: fails on orphan rows".into()),
            _ => Safety::Safe,
        }
    }

    /// `(table, column)` when this change makes a nullable column NOT NULL, so the caller can
    /// count the NULLs it would reject in the live data.
    pub fn needs_null_count(&self) -> Option<(&str, &str)> {
        match self {
            Change::ModifyColumn { table, from, to } if from.nullable && !to.nullable => {
                Some((table, &to.name))
            }
            _ => None,
        }
    }
}

/// Why changing `from` to `to` can lose data, if it can.
fn narrowing(from: &SqlType, to: &SqlType) -> Option<String> {
    use SqlType::*;
    if from == to {
        return None;
    }
    let int_rank = |t: &SqlType| match t {
        Bool => Some((0, false)),
        TinyInt { unsigned } => Some((1, *unsigned)),
        SmallInt { unsigned } => Some((2, *unsigned)),
        MediumInt { unsigned } => Some((3, *unsigned)),
        Int { unsigned } => Some((4, *unsigned)),
        BigInt { unsigned } => Some((5, *unsigned)),
        _ => None,
    };
    let text_rank = |t: &SqlType| match t {
        Char(n) | Varchar(n) => Some(u64::from(*n)),
        TinyText => Some(255),
        Text => Some(65_535),
        MediumText => Some(16_777_215),
        LongText | Json => Some(u64::from(u32::MAX)),
        _ => None,
    };
    let blob_rank = |t: &SqlType| match t {
        Binary(n) | VarBinary(n) => Some(u64::from(*n)),
        TinyBlob => Some(255),
        Blob => Some(65_535),
        MediumBlob => Some(16_777_215),
        LongBlob => Some(u64::from(u32::MAX)),
        _ => None,
    };
    match (from, to) {
        (Enum(a), Enum(b)) => {
            let removed: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            if !removed.is_empty() {
                return Some(format!(
                    "removes ENUM values {removed:?}: rows holding them fail"
                ));
            }
            if !b.starts_with(a) {
                return Some(
                    "reorders ENUM values: stored indexes change meaning and sort order".into(),
                );
            }
            None
        }
        (Float, Double) => None,
        (Json, LongText) | (LongText, Json) => (matches!(to, Json))
            .then(|| "makes the column JSON: rows holding invalid JSON fail".into()),
        _ => {
            if let (Some((a, ua)), Some((b, ub))) = (int_rank(from), int_rank(to)) {
                return (b < a || ua != ub)
                    .then(|| format!("narrows {from} to {to}: values may not fit"));
            }
            if let (Some(a), Some(b)) = (text_rank(from), text_rank(to)) {
                return (b < a)
                    .then(|| format!("narrows {from} to {to}: longer values are cut or rejected"));
            }
            if let (Some(a), Some(b)) = (blob_rank(from), blob_rank(to)) {
                return (b < a || matches!(to, Binary(_)))
                    .then(|| format!("changes {from} to {to}: longer values are cut or padded"));
            }
            Some(format!(
                "changes type {from} to {to}: values are converted and may not fit"
            ))
        }
    }
}

/// Why changing a column's collation can lose data: when it moves to a character set that may
/// not hold every character, anything but utf8mb4 (within one character set only the comparison
/// rules change). `None` is the table's default, which for Eyened is utf8mb4.
fn recharset(from: Option<&str>, to: Option<&str>) -> Option<String> {
    use crate::schema::charset_of;
    let narrower = |c: &str| charset_of(c) != "utf8mb4";
    match (from, to) {
        (Some(a), Some(b)) if charset_of(a) == charset_of(b) => None,
        (_, Some(b)) if narrower(b) => Some(format!(
            "changes the character set to {}: characters it cannot hold are lost",
            charset_of(b)
        )),
        _ => None,
    }
}

/// A table or column collation for messages; `None` is the default it falls back to.
fn collation_text(collation: Option<&str>) -> String {
    match collation {
        Some(c) => c.to_string(),
        None => "the default".to_string(),
    }
}

/// The changes that undo `changes`: each reversed, in the opposite order.
pub fn reverse(changes: &[Change]) -> Vec<Change> {
    changes.iter().rev().map(Change::reverse).collect()
}

impl fmt::Display for Change {
    /// One line per change, as `check` prints drift: `Task.TaskName: varchar(256) -> varchar(128)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Change::*;
        match self {
            AddTable(t) => write!(f, "{}: add table ({} columns)", t.name, t.columns.len()),
            DropTable(t) => write!(f, "{}: drop table", t.name),
            RenameTable { from, to } => write!(f, "{from}: rename table to {to}"),
            AddColumn { table, column, .. } => write!(
                f,
                "{table}.{}: add column {}",
                column.name,
                describe(column)
            ),
            DropColumn { table, column, .. } => write!(
                f,
                "{table}.{}: drop column ({})",
                column.name,
                describe(column)
            ),
            RenameColumn { table, from, to } => write!(f, "{table}.{from}: rename column to {to}"),
            ModifyColumn { table, from, to } => {
                write!(
                    f,
                    "{table}.{}: {} -> {}",
                    to.name,
                    describe(from),
                    describe(to)
                )
            }
            SetEngine { table, from, to } => write!(
                f,
                "{table}: engine {} -> {}",
                from.as_deref().unwrap_or("InnoDB"),
                to.as_deref().unwrap_or("InnoDB")
            ),
            SetTableComment { table, from, to } => write!(
                f,
                "{table}: comment {} -> {}",
                comment_text(from.as_deref()),
                comment_text(to.as_deref())
            ),
            ConvertTable {
                table, from, to, ..
            } => write!(
                f,
                "{table}: collation {} -> {}",
                from.as_deref().unwrap_or("(the database default)"),
                to.as_deref().unwrap_or("(the database default)")
            ),
            SetPrimaryKey { table, from, to } => {
                write!(
                    f,
                    "{table}: primary key ({}) -> ({})",
                    from.join(", "),
                    to.join(", ")
                )
            }
            AddIndex { table, index } => write!(
                f,
                "{table}: add {}index {} ({})",
                if index.unique { "unique " } else { "" },
                index.name,
                index.columns.join(", ")
            ),
            DropIndex { table, index } => write!(
                f,
                "{table}: drop index {} ({})",
                index.name,
                index.columns.join(", ")
            ),
            RenameIndex { table, index, to } => write!(
                f,
                "{table}: rename index {} ({}) to {to}",
                index.name,
                index.columns.join(", ")
            ),
            AddForeignKey {
                table,
                foreign_key: k,
            } => {
                write!(
                    f,
                    "{table}: add foreign key ({}) -> {}({}) on delete {}",
                    k.columns.join(", "),
                    k.referenced_table,
                    k.referenced_columns.join(", "),
                    k.on_delete
                )?;
                if k.on_update != FkAction::Restrict {
                    write!(f, " on update {}", k.on_update)?;
                }
                Ok(())
            }
            DropForeignKey {
                table,
                foreign_key: k,
            } => write!(
                f,
                "{table}: drop foreign key {} ({}) -> {}",
                k.name,
                k.columns.join(", "),
                k.referenced_table
            ),
            AddCheck { table, check } => write!(f, "{table}: add check {}", check.name),
            DropCheck { table, check } => write!(f, "{table}: drop check {}", check.name),
        }
    }
}

fn comment_text(comment: Option<&str>) -> String {
    match comment {
        Some(c) => crate::sql::literal(c),
        None => "(none)".to_string(),
    }
}

fn describe(column: &Column) -> String {
    let mut s = column.sql_type.to_string();
    if let Some(c) = &column.collation {
        s.push_str(&format!(" COLLATE {c}"));
    }
    if !column.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &column.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if column.on_update_current_timestamp {
        s.push_str(" ON UPDATE CURRENT_TIMESTAMP");
    }
    if column.auto_increment {
        s.push_str(" AUTO_INCREMENT");
    }
    if let Some(c) = &column.comment {
        s.push_str(&format!(" COMMENT {}", comment_text(Some(c))));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, SqlType};

    #[test]
    fn reverse_twice_is_identity() {
        let a = Table::new("A")
            .column(Column::new("AID", SqlType::INT))
            .primary_key(["AID"]);
        let b = Table::new("B")
            .column(Column::new("BID", SqlType::INT))
            .primary_key(["BID"]);
        let changes = vec![Change::AddTable(a.clone()), Change::AddTable(b.clone())];
        let down = reverse(&changes);
        assert_eq!(down, vec![Change::DropTable(b), Change::DropTable(a)]);
        assert_eq!(reverse(&down), changes);
    }

    #[test]
    fn safety_classes() {
        let modify = |from: SqlType, to: SqlType| Change::ModifyColumn {
            table: "T".into(),
            from: Column::new("C", from),
            to: Column::new("C", to),
        };
        assert_eq!(
            modify(SqlType::Varchar(45), SqlType::Varchar(255)).safety(),
            Safety::Safe
        );
        assert!(matches!(
            modify(SqlType::Varchar(256), SqlType::Varchar(128)).safety(),
            Safety::Lossy(_)
        ));
        assert_eq!(
            modify(
                SqlType::enumeration(["A", "B"]),
                SqlType::enumeration(["A", "B", "C"])
            )
            .safety(),
            Safety::Safe
        );
        assert!(matches!(
            modify(
                SqlType::enumeration(["A", "B"]),
                SqlType::enumeration(["B", "A"])
            )
            .safety(),
            Safety::Lossy(_)
        ));
        assert!(matches!(
            modify(SqlType::INT, SqlType::SmallInt { unsigned: false }).safety(),
            Safety::Lossy(_)
        ));
        assert_eq!(
            modify(SqlType::SmallInt { unsigned: false }, SqlType::INT).safety(),
            Safety::Safe
        );
        let nullable_to_not_null = Change::ModifyColumn {
            table: "T".into(),
            from: Column::new("C", SqlType::INT).null(),
            to: Column::new("C", SqlType::INT),
        };
        assert!(matches!(nullable_to_not_null.safety(), Safety::Lossy(_)));
        assert_eq!(nullable_to_not_null.needs_null_count(), Some(("T", "C")));
    }
}
