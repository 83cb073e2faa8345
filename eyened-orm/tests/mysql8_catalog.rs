//! The MySQL 8 paths, without a MySQL 8 server: `information_schema` rows as MySQL 8.0 reports
//! them (`tests/fixtures/catalog/mysql8_*.json`, written by `mysql8_from_mariadb.py` from the
//! MariaDB rows recorded beside them) normalize to the same model as MariaDB's wherever the two
//! mean the same thing.

use std::path::PathBuf;

use eyened_orm::schema::diff::{Renames, diff};
use eyened_orm::schema::introspect::{Catalog, Flavor, is_generated_column};
use eyened_orm::schema::{ColumnDefault, Schema, SqlType, Unmanaged, entities};

fn catalog(name: &str) -> Catalog {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalog")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn differences(from: &Schema, to: &Schema) -> Vec<String> {
    diff(from, to, &Renames::default())
        .changes
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn unmanaged() -> Unmanaged {
    Unmanaged::parse(include_str!("../../migration/unmanaged.toml"), &entities())
        .expect("migration/unmanaged.toml")
}

#[test]
fn the_fixtures_are_of_the_flavors_they_claim() {
    assert_eq!(catalog("mysql8_reference.json").flavor(), Flavor::MySql);
    assert_eq!(catalog("mariadb_reference.json").flavor(), Flavor::MariaDb);
}

#[test]
fn mysql8_and_mariadb_reference_rows_give_the_same_schema_as_the_entities() {
    let mysql = catalog("mysql8_reference.json").schema();
    let mariadb = catalog("mariadb_reference.json").schema();
    assert_eq!(mysql.tables.len(), 40);
    assert_eq!(differences(&mysql, &mariadb), Vec::<String>::new());
    assert_eq!(differences(&mariadb, &mysql), Vec::<String>::new());
    assert_eq!(differences(&mysql, &entities()), Vec::<String>::new());
    // Only the CHECK's spelling differs; everything else is the very same model.
    let without_checks = |mut s: Schema| {
        for t in &mut s.tables {
            t.checks.clear();
        }
        s
    };
    assert_eq!(without_checks(mysql), without_checks(mariadb));
}

#[test]
fn mysql8_spellings_normalize() {
    let schema = catalog("mysql8_reference.json").schema();
    let column = |table: &str, column: &str| {
        schema
            .table(table)
            .and_then(|t| t.get_column(column))
            .cloned()
            .unwrap_or_else(|| panic!("{table}.{column}"))
    };
    // `int`, no display width; `tinyint(1)` is bool.
    assert_eq!(
        column("ImageInstance", "ImageInstanceID").sql_type,
        SqlType::INT
    );
    assert_eq!(column("ImageInstance", "Inactive").sql_type, SqlType::Bool);
    // Native json: no collation, no json_valid CHECK.
    let form = column("FormAnnotation", "FormData");
    assert_eq!((form.sql_type, form.collation), (SqlType::Json, None));
    assert!(schema.table("FormAnnotation").unwrap().checks.is_empty());
    // `CURRENT_TIMESTAMP` with DEFAULT_GENERATED.
    assert_eq!(
        column("Patient", "DateInserted").default,
        Some(ColumnDefault::CurrentTimestamp)
    );
    // utf8mb4_0900_ai_ci is the default: no table or column collation of their own.
    assert!(schema.tables.iter().all(|t| t.collation.is_none()));
    assert!(
        schema
            .tables
            .iter()
            .flat_map(|t| &t.columns)
            .all(|c| c.collation.is_none())
    );
}

#[test]
fn mysql8_production_rows_show_the_differences_mariadb_shows() {
    let (mysql, mysql_unmanaged) = unmanaged().split(catalog("mysql8_production.json").schema());
    let (mariadb, mariadb_unmanaged) =
        unmanaged().split(catalog("mariadb_production.json").schema());
    let expected = vec![
        "FormAnnotation: drop foreign key FormAnnotation_ibfk_8 (SubTaskID) -> SubTask",
        "AttributeValue: drop check ck_AttributeValue_exactly_one_entity",
        "FormSchema: collation utf8mb4_unicode_ci -> (the database default)",
        "ImageInstance.Inactive: tinyint(1) NOT NULL DEFAULT '0' -> tinyint(1) NOT NULL",
        "ImageInstance.DateModified: datetime ON UPDATE CURRENT_TIMESTAMP -> datetime",
        "AnnotationData.DateModified: datetime ON UPDATE CURRENT_TIMESTAMP -> datetime",
        "ImageInstance: rename index idx_ImageInstance_Series (SeriesID) to fk_ImageInstance_Series1_idx",
        "AttributeValue: add check ck_AttributeValue_exactly_one_entity",
    ];
    assert_eq!(differences(&mysql, &entities()), expected);
    assert_eq!(differences(&mariadb, &entities()), expected);
    let names = |tables: &[eyened_orm::schema::Table]| -> Vec<String> {
        tables.iter().map(|t| t.name.clone()).collect()
    };
    assert_eq!(
        names(&mysql_unmanaged),
        ["ProjectToImageInstance", "Statistics"]
    );
    assert_eq!(names(&mysql_unmanaged), names(&mariadb_unmanaged));
    // The unmanaged tables read the same on both, MyISAM, latin1, ON UPDATE and all.
    assert_eq!(
        differences(
            &Schema::new(mysql_unmanaged),
            &Schema::new(mariadb_unmanaged)
        ),
        Vec::<String>::new()
    );
}

#[test]
fn default_generated_is_not_a_generated_column() {
    let mysql = catalog("mysql8_production.json");
    let defaults: Vec<&str> = mysql
        .columns
        .iter()
        .filter(|c| c.extra.contains("DEFAULT_GENERATED"))
        .map(|c| c.column_name.as_str())
        .collect();
    assert!(defaults.contains(&"DateInserted"), "{defaults:?}");
    for column in &mysql.columns {
        assert!(
            !is_generated_column(&column.extra),
            "{}.{} ({}) taken for a generated column: the mirror would leave it out of the copy",
            column.table_name,
            column.column_name,
            column.extra
        );
    }
    assert!(is_generated_column("VIRTUAL GENERATED"));
    assert!(is_generated_column("STORED GENERATED"));
}
