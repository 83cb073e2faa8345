//! The entity registry: every entity with its complete table definition.
//!
//! Columns, primary key, auto-increment and defaults come from SeaORM's own column definitions;
//! foreign keys from the `belongs_to` relations; indexes, unique keys and checks from the
//! `#[eyened(...)]` attributes (`EyenedTable`). This is the single source of truth for the
//! baseline migration and the schema diff.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, ForeignKeyAction, Keyword, StringLen, TableName, TableRef, Value};
use sea_orm::{
    ColumnTrait, ColumnType, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn,
    PrimaryKeyTrait, RelationTrait, RelationType,
};

use super::model::{
    Check, Column, ColumnDefault, FkAction, ForeignKey, Index, Schema, SqlType, Table,
};
use crate::entity::*;

/// Table metadata that SeaORM's derive cannot express; implemented by `#[derive(EyenedTable)]`.
pub trait TableMeta {
    /// The secondary indexes and unique keys (`#[eyened(index(...))]`, `#[eyened(unique(...))]`).
    fn indexes() -> Vec<Index>;
    /// The CHECK constraints (`#[eyened(check(...))]`).
    fn checks() -> Vec<Check>;
    /// Engine, collation and comments, where the entity declares them.
    fn declared() -> Declared {
        Declared::default()
    }
}

/// What an entity declares about its table beyond SeaORM's column definitions; `None` leaves it
/// to the server's default (InnoDB, the database's collation, no comment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    /// The storage engine (`#[eyened(engine = "...")]`).
    pub engine: Option<&'static str>,
    /// The table's default collation (`#[eyened(collation = "...")]`).
    pub collation: Option<&'static str>,
    /// The table comment (`#[eyened(comment = "...")]`).
    pub comment: Option<&'static str>,
    /// The columns that declare anything of their own; the others are absent.
    pub columns: Vec<DeclaredColumn>,
}

/// What an entity declares about one column beyond SeaORM's definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredColumn {
    /// The SQL column name.
    pub name: &'static str,
    /// The column's collation; `None`: its table's.
    pub collation: Option<&'static str>,
    /// The column comment; `None`: none.
    pub comment: Option<&'static str>,
    /// `ON UPDATE CURRENT_TIMESTAMP`.
    pub on_update_current_timestamp: bool,
}

/// The table definition of one entity.
pub fn table_of<E>() -> Table
where
    E: EntityTrait + TableMeta,
    E::Relation: RelationTrait,
{
    let entity = E::default();
    let name = entity.table_name().to_string();
    let primary_key: Vec<String> = E::PrimaryKey::iter()
        .map(|pk| pk.into_column().as_str().to_string())
        .collect();
    let auto_increment =
        <E::PrimaryKey as PrimaryKeyTrait>::auto_increment() && primary_key.len() == 1;
    let declared = E::declared();

    let columns = E::Column::iter()
        .map(|col| {
            let def = col.def();
            let col_name = col.as_str().to_string();
            let extra = declared.columns.iter().find(|c| c.name == col_name);
            Column {
                auto_increment: auto_increment && primary_key[0] == col_name,
                sql_type: sql_type_of(def.get_column_type()),
                nullable: def.is_null(),
                default: def.get_column_default().and_then(default_of),
                on_update_current_timestamp: extra.is_some_and(|c| c.on_update_current_timestamp),
                collation: extra.and_then(|c| c.collation).map(str::to_string),
                comment: extra.and_then(|c| c.comment).map(str::to_string),
                name: col_name,
            }
        })
        .collect();

    let foreign_keys = E::Relation::iter()
        .map(|rel| rel.def())
        // `belongs_to` is the side that holds the foreign key: HasOne, not owner.
        .filter(|def| def.rel_type == RelationType::HasOne && !def.is_owner && !def.skip_fk)
        .map(|def| ForeignKey {
            name: def.fk_name.clone().unwrap_or_default(),
            columns: def.from_col.iter().map(|c| c.to_string()).collect(),
            referenced_table: table_ref_name(&def.to_tbl),
            referenced_columns: def.to_col.iter().map(|c| c.to_string()).collect(),
            on_delete: def.on_delete.map(fk_action).unwrap_or_default(),
            on_update: def.on_update.map(fk_action).unwrap_or_default(),
        })
        .collect();

    Table {
        name,
        columns,
        primary_key,
        indexes: E::indexes(),
        foreign_keys,
        checks: E::checks(),
        engine: declared.engine.map(str::to_string),
        collation: declared.collation.map(str::to_string),
        comment: declared.comment.map(str::to_string),
    }
}

fn table_ref_name(table: &TableRef) -> String {
    match table {
        TableRef::Table(TableName(_, iden), _) => iden.to_string(),
        other => format!("{other:?}"),
    }
}

fn fk_action(action: ForeignKeyAction) -> FkAction {
    match action {
        ForeignKeyAction::Cascade => FkAction::Cascade,
        ForeignKeyAction::SetNull => FkAction::SetNull,
        ForeignKeyAction::SetDefault => FkAction::SetDefault,
        _ => FkAction::Restrict,
    }
}

fn default_of(expr: &Expr) -> Option<ColumnDefault> {
    match expr {
        Expr::Keyword(Keyword::CurrentTimestamp) => Some(ColumnDefault::CurrentTimestamp),
        Expr::Value(Value::String(Some(s))) => Some(ColumnDefault::Literal(s.to_string())),
        Expr::Value(Value::Int(Some(i))) => Some(ColumnDefault::Literal(i.to_string())),
        Expr::Value(Value::Bool(Some(b))) => Some(ColumnDefault::Literal(u8::from(*b).to_string())),
        Expr::Value(_) => None,
        other => Some(ColumnDefault::Expr(format!("{other:?}"))),
    }
}

/// Maps SeaORM's column type to the schema model's MySQL meaning.
pub fn sql_type_of(ty: &ColumnType) -> SqlType {
    let len = |l: &StringLen| match l {
        StringLen::N(n) => *n,
        StringLen::Max | StringLen::None => 255,
    };
    match ty {
        ColumnType::Char(n) => SqlType::Char(n.unwrap_or(1)),
        ColumnType::String(l) => SqlType::Varchar(len(l)),
        ColumnType::Text => SqlType::Text,
        ColumnType::Blob => SqlType::Blob,
        ColumnType::TinyInteger => SqlType::TinyInt { unsigned: false },
        ColumnType::SmallInteger => SqlType::SmallInt { unsigned: false },
        ColumnType::Integer => SqlType::Int { unsigned: false },
        ColumnType::BigInteger => SqlType::BigInt { unsigned: false },
        ColumnType::TinyUnsigned => SqlType::TinyInt { unsigned: true },
        ColumnType::SmallUnsigned => SqlType::SmallInt { unsigned: true },
        ColumnType::Unsigned => SqlType::Int { unsigned: true },
        ColumnType::BigUnsigned => SqlType::BigInt { unsigned: true },
        ColumnType::Float => SqlType::Float,
        ColumnType::Double => SqlType::Double,
        ColumnType::Decimal(p) => {
            let (precision, scale) = p.unwrap_or((10, 0));
            SqlType::Decimal { precision, scale }
        }
        ColumnType::DateTime => SqlType::DateTime,
        ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => SqlType::Timestamp,
        ColumnType::Time => SqlType::Time,
        ColumnType::Date => SqlType::Date,
        ColumnType::Year => SqlType::Year,
        ColumnType::Binary(n) => SqlType::Binary(*n),
        ColumnType::VarBinary(l) => SqlType::VarBinary(len(l)),
        ColumnType::Boolean => SqlType::Bool,
        ColumnType::Json | ColumnType::JsonBinary => SqlType::Json,
        ColumnType::Enum { variants, .. } => {
            SqlType::Enum(variants.iter().map(|v| v.to_string()).collect())
        }
        ColumnType::Custom(name) => match name.to_string().to_ascii_lowercase().as_str() {
            "tinyblob" => SqlType::TinyBlob,
            "blob" => SqlType::Blob,
            "mediumblob" => SqlType::MediumBlob,
            "longblob" => SqlType::LongBlob,
            "tinytext" => SqlType::TinyText,
            "mediumtext" => SqlType::MediumText,
            "longtext" => SqlType::LongText,
            other => SqlType::Other(other.to_string()),
        },
        other => SqlType::Other(format!("{other:?}").to_ascii_lowercase()),
    }
}

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        /// Every Eyened table, as the entities define it, in dependency order: a table comes after
        /// the tables it references (self-references aside).
        pub fn entities() -> Schema {
            Schema::new(dependency_order(vec![$(table_of::<$module::Entity>()),*]))
        }
    };
}

registry!(
    annotation,
    annotation_data,
    annotation_tag,
    annotation_type,
    attribute_definition,
    attribute_value,
    attribute_value_input,
    attributes_model,
    attributes_model_output,
    composite_feature,
    contact,
    creator,
    creator_tag,
    device_instance,
    device_model,
    feature,
    form_annotation,
    form_annotation_tag,
    form_schema,
    image_instance,
    image_instance_tag,
    modality,
    model,
    model_input,
    model_segmentation,
    patient,
    project,
    scan,
    segmentation,
    segmentation_model,
    segmentation_tag,
    series,
    source_info,
    study,
    study_tag,
    sub_task,
    sub_task_image_link,
    tag,
    task,
    task_definition,
);

/// Orders tables so that each comes after the tables it references; ties broken by name so the
/// order is stable. Tables caught in a reference cycle keep their relative order at the end.
pub fn dependency_order(mut tables: Vec<Table>) -> Vec<Table> {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let names: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let mut pending: BTreeMap<String, Table> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .values()
            .filter(|t| {
                t.referenced_tables()
                    .all(|r| done.contains(r) || !names.contains(r))
            })
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            ordered.extend(std::mem::take(&mut pending).into_values());
            break;
        }
        for name in ready {
            if let Some(t) = pending.remove(&name) {
                done.insert(name);
                ordered.push(t);
            }
        }
    }
    ordered
}
