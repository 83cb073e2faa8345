//! Folding changes into a schema model: what a database looks like after a list of migrations,
//! computed without a database.

use crate::schema::Change;
use crate::schema::{Schema, Table};

/// The schema that results from applying `changes` to `schema`, in memory.
///
/// A change that does not fit (a column of a table that does not exist, say) is an error naming
/// it: the migrations and the schema they are applied to disagree.
pub fn apply_to(schema: &Schema, changes: &[Change]) -> Result<Schema, String> {
    let mut schema = schema.clone();
    for change in changes {
        apply_one(&mut schema, change).map_err(|why| format!("cannot apply `{change}`: {why}"))?;
    }
    Ok(schema)
}

fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> Result<&'a mut Table, String> {
    schema
        .tables
        .iter_mut()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("table {name} does not exist"))
}

fn apply_one(schema: &mut Schema, change: &Change) -> Result<(), String> {
    use Change::*;
    match change {
        AddTable(t) => {
            if schema.table(&t.name).is_some() {
                return Err("the table already exists".into());
            }
            schema.tables.push(t.clone());
        }
        DropTable(t) => {
            let before = schema.tables.len();
            schema.tables.retain(|x| x.name != t.name);
            if schema.tables.len() == before {
                return Err("the table does not exist".into());
            }
        }
        RenameTable { from, to } => {
            table_mut(schema, from)?.name = to.clone();
            for t in &mut schema.tables {
                for fk in &mut t.foreign_keys {
                    if &fk.referenced_table == from {
                        fk.referenced_table = to.clone();
                    }
                }
            }
        }
        AddColumn {
            table,
            column,
            after,
        } => {
            let t = table_mut(schema, table)?;
            let at = match after {
                Some(a) => t
                    .columns
                    .iter()
                    .position(|c| &c.name == a)
                    .map_or(t.columns.len(), |i| i + 1),
                None => 0,
            };
            t.columns.insert(at, column.clone());
        }
        DropColumn { table, column, .. } => {
            let t = table_mut(schema, table)?;
            let before = t.columns.len();
            t.columns.retain(|c| c.name != column.name);
            if t.columns.len() == before {
                return Err("the column does not exist".into());
            }
        }
        RenameColumn { table, from, to } => {
            let t = table_mut(schema, table)?;
            let column = t
                .columns
                .iter_mut()
                .find(|c| &c.name == from)
                .ok_or("the column does not exist")?;
            column.name = to.clone();
            let rename = |names: &mut Vec<String>| {
                names
                    .iter_mut()
                    .filter(|n| *n == from)
                    .for_each(|n| *n = to.clone())
            };
            rename(&mut t.primary_key);
            t.indexes.iter_mut().for_each(|i| rename(&mut i.columns));
            t.foreign_keys
                .iter_mut()
                .for_each(|fk| rename(&mut fk.columns));
        }
        ModifyColumn { table, to, .. } => {
            let t = table_mut(schema, table)?;
            let column = t
                .columns
                .iter_mut()
                .find(|c| c.name == to.name)
                .ok_or("the column does not exist")?;
            *column = to.clone();
        }
        SetEngine { table, to, .. } => table_mut(schema, table)?.engine = to.clone(),
        SetTableComment { table, to, .. } => table_mut(schema, table)?.comment = to.clone(),
        ConvertTable {
            table,
            to,
            columns_after,
            ..
        } => {
            let t = table_mut(schema, table)?;
            t.collation = to.clone();
            for column in &mut t.columns {
                if let Some(declared) = columns_after.iter().find(|c| c.name == column.name) {
                    *column = declared.clone();
                } else if column.sql_type.is_text() {
                    column.collation = None;
                }
            }
        }
        SetPrimaryKey { table, to, .. } => table_mut(schema, table)?.primary_key = to.clone(),
        AddIndex { table, index } => table_mut(schema, table)?.indexes.push(index.clone()),
        DropIndex { table, index } => table_mut(schema, table)?
            .indexes
            .retain(|i| i.name != index.name),
        RenameIndex { table, index, to } => {
            table_mut(schema, table)?
                .indexes
                .iter_mut()
                .find(|i| i.name == index.name)
                .ok_or("the index does not exist")?
                .name = to.clone()
        }
        AddForeignKey { table, foreign_key } => table_mut(schema, table)?
            .foreign_keys
            .push(foreign_key.clone()),
        DropForeignKey { table, foreign_key } => table_mut(schema, table)?
            .foreign_keys
            .retain(|k| k.name != foreign_key.name),
        AddCheck { table, check } => table_mut(schema, table)?.checks.push(check.clone()),
        DropCheck { table, check } => table_mut(schema, table)?
            .checks
            .retain(|c| c.name != check.name),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::entities;
    use crate::schema::reverse;

    #[test]
    fn up_then_down_is_the_start() {
        let changes: Vec<Change> = entities()
            .tables
            .into_iter()
            .map(Change::AddTable)
            .collect();
        let up = apply_to(&Schema::default(), &changes).unwrap();
        assert_eq!(up.tables.len(), 40);
        let down = apply_to(&up, &reverse(&changes)).unwrap();
        assert!(down.tables.is_empty());
    }
}
