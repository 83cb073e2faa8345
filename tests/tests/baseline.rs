//! The baseline migration against the reference schema: on MariaDB its `up` must produce exactly
//! the schema of `eyened_schema.sql` (as `schema-fingerprint` sees it), its `down` must remove it,
//! and on SQLite it must create and remove the same 40 tables. The entity registry's counts are
//! checked against the reference's.

use std::collections::BTreeSet;
use std::process::Command;

use eyened_orm::config::DatabaseConfig;
use eyened_orm::migrate::apply;
use eyened_orm::schema::Change;
use eyened_orm::schema::{FkAction, SqlType, entities};
use eyened_orm_tests::{
    SqliteDb, TestDb, fingerprint, fingerprint_diff, mysql_server_url, query_i64, reference_dir,
    reference_schema_sql, table_names,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

fn registry_table_names() -> Vec<String> {
    let mut names: Vec<String> = entities().tables.into_iter().map(|t| t.name).collect();
    names.sort();
    names
}

/// Fails with a readable diff (`-` reference only, `+` migrated only) when the two differ.
fn assert_same_schema(reference: &[String], migrated: &[String]) {
    let diff = fingerprint_diff(reference, migrated);
    assert!(
        diff.is_empty(),
        "the schema built by the library differs from eyened_schema.sql in {} fact(s) \
         (- only in the reference, + only in the library's database):\n{diff}",
        diff.lines().count()
    );
}

#[tokio::test]
async fn fingerprint_sees_the_reference_schema() {
    // Guards the fingerprint itself: a broken query would make every comparison vacuous.
    let reference = TestDb::reference().await;
    let lines = reference.fingerprint().await;
    let count = |kind: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("{kind} | ")))
            .count()
    };
    assert_eq!(count("table"), 40, "tables");
    assert_eq!(count("column"), 259, "columns");
    assert_eq!(count("index"), 144, "indexes incl. PRIMARY");
    assert_eq!(count("foreign-key"), 77, "foreign keys");
    assert_eq!(count("check"), 11, "check constraints");
    assert_eq!(lines.len(), 40 + 259 + 144 + 77 + 11);
    assert!(
        lines.contains(&"table | ImageInstance | InnoDB".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(
            &"column | Creator | DateInserted | datetime | NO | current_timestamp() | ".to_owned()
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"index | ImageInstance | SourceInfoIDDatasetIdentifier_UNIQUE | unique | DatasetIdentifier,SourceInfoID".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"foreign-key | FormAnnotation | SubTaskID | SubTask | SubTaskID | ON DELETE SET NULL | ON UPDATE RESTRICT".to_owned()),
        "{lines:#?}"
    );
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(sorted, lines, "fingerprint must be sorted");
}

#[tokio::test]
async fn fingerprint_skips_bookkeeping_tables_and_other_databases() {
    let a = TestDb::new().await;
    let b = TestDb::new().await;
    let conn = a.connect().await;
    conn.execute_unprepared(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    )
    .await
    .unwrap();
    conn.execute_unprepared("CREATE TABLE seaql_migrations (version VARCHAR(255) PRIMARY KEY)")
        .await
        .unwrap();
    assert_eq!(fingerprint(&conn, a.name()).await, Vec::<String>::new());
    conn.execute_unprepared("CREATE TABLE Other (ID int PRIMARY KEY)")
        .await
        .unwrap();
    assert_eq!(
        fingerprint(&conn, a.name()).await,
        vec![
            "column | Other | ID | int(11) | NO | <no default> | ".to_owned(),
            "index | Other | PRIMARY | unique | ID".to_owned(),
            "table | Other | InnoDB".to_owned(),
        ]
    );
    // The same connection, asked about another schema, sees that schema only.
    assert_eq!(fingerprint(&conn, b.name()).await, Vec::<String>::new());
}

#[tokio::test]
async fn fingerprint_agrees_with_the_schema_fingerprint_tool() {
    let tool = reference_dir().join("schema-fingerprint");
    let db = TestDb::reference().await;
    let server = DatabaseConfig::from_url(&mysql_server_url()).unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(&tool)
        .arg(db.name())
        .env("MYSQL_HOST", server.host())
        .env("MYSQL_TCP_PORT", server.port().to_string())
        .env("MYSQL_USER", server.user());
    if server.password().is_empty() {
        cmd.env_remove("MYSQL_PWD");
    } else {
        cmd.env("MYSQL_PWD", server.password().expose());
    }
    let output = cmd.output().expect("run schema-fingerprint");
    assert!(
        output.status.success(),
        "schema-fingerprint failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_tool: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let ours = db.fingerprint().await;
    assert_eq!(
        fingerprint_diff(&from_tool, &ours),
        "",
        "- only from the tool, + only from fingerprint()"
    );
    assert_eq!(from_tool, ours, "same lines in the same (bytewise) order");
}

#[tokio::test]
async fn fingerprint_comparison_catches_a_difference() {
    let reference = TestDb::reference().await;
    let migrated = TestDb::migrated().await;
    let conn = migrated.connect().await;
    conn.execute_unprepared("ALTER TABLE Creator MODIFY Path varchar(81) DEFAULT NULL")
        .await
        .unwrap();
    conn.execute_unprepared("ALTER TABLE Feature DROP INDEX FeatureName")
        .await
        .unwrap();
    let diff = fingerprint_diff(
        &reference.fingerprint().await,
        &migrated.fingerprint().await,
    );
    assert_eq!(
        diff,
        "- column | Creator | Path | varchar(80) | YES | NULL | \n\
         + column | Creator | Path | varchar(81) | YES | NULL | \n\
         - index | Feature | FeatureName | unique | FeatureName\n"
    );
}

#[tokio::test]
async fn up_matches_reference_schema_on_mariadb() {
    let reference = TestDb::reference().await;
    let migrated = TestDb::migrated().await;
    let expected = reference.fingerprint().await;
    let actual = migrated.fingerprint().await;
    assert!(!expected.is_empty(), "the reference database is empty");
    assert_same_schema(&expected, &actual);

    let conn = migrated.connect().await;
    let mut tables = table_names(&conn).await;
    tables.retain(|t| t != "seaql_migrations");
    assert_eq!(tables, registry_table_names());
    let applied = Migrator::get_applied_migrations(&conn).await.unwrap();
    assert_eq!(applied.len(), Migrator::migrations().len());
    assert!(
        Migrator::get_pending_migrations(&conn)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn registry_applied_directly_matches_reference_schema() {
    // The entities themselves (not the generated migration file) describe the reference schema.
    let reference = TestDb::reference().await;
    let db = TestDb::new().await;
    let conn = db.connect().await;
    let changes: Vec<Change> = entities()
        .tables
        .into_iter()
        .map(Change::AddTable)
        .collect();
    apply(&conn, &changes).await.unwrap();
    assert_same_schema(&reference.fingerprint().await, &db.fingerprint().await);
}

#[tokio::test]
async fn up_is_idempotent_on_mariadb() {
    let db = TestDb::migrated().await;
    let before = db.fingerprint().await;
    let conn = db.connect().await;
    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&conn).await.unwrap().len(),
        Migrator::migrations().len()
    );
    assert_same_schema(&before, &db.fingerprint().await);
}

#[tokio::test]
async fn down_removes_every_table_on_mariadb() {
    let reference = TestDb::reference().await;
    let db = TestDb::migrated().await;
    let conn = db.connect().await;

    Migrator::down(&conn, None).await.unwrap();
    assert_eq!(table_names(&conn).await, vec!["seaql_migrations"]);
    assert!(fingerprint(&conn, db.name()).await.is_empty());
    assert!(
        Migrator::get_applied_migrations(&conn)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        query_i64(&conn, "SELECT COUNT(*) FROM seaql_migrations").await,
        0
    );

    // Down then up again gives the same schema: down dropped everything it had created.
    Migrator::up(&conn, None).await.unwrap();
    assert_same_schema(&reference.fingerprint().await, &db.fingerprint().await);

    // reset rolls everything back and (sea-orm-migration 2) uninstalls seaql_migrations too.
    Migrator::reset(&conn).await.unwrap();
    assert_eq!(table_names(&conn).await, Vec::<String>::new());

    // refresh = reset + up.
    Migrator::up(&conn, None).await.unwrap();
    Migrator::refresh(&conn).await.unwrap();
    assert_same_schema(&reference.fingerprint().await, &db.fingerprint().await);
}

#[tokio::test]
async fn down_removes_only_its_own_tables_on_mariadb() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    conn.execute_unprepared("CREATE TABLE Unrelated (ID int PRIMARY KEY)")
        .await
        .unwrap();
    Migrator::down(&conn, None).await.unwrap();
    assert_eq!(
        table_names(&conn).await,
        vec!["Unrelated".to_owned(), "seaql_migrations".to_owned()]
    );
}

#[tokio::test]
async fn up_on_sqlite_creates_the_40_tables_and_down_removes_them() {
    let db = SqliteDb::file();
    let conn = db.connect().await;
    Migrator::up(&conn, None).await.unwrap();

    let mut tables = table_names(&conn).await;
    assert!(
        tables.contains(&"seaql_migrations".to_owned()),
        "{tables:?}"
    );
    tables.retain(|t| t != "seaql_migrations");
    assert_eq!(tables.len(), 40, "{tables:?}");
    assert_eq!(tables, registry_table_names());

    // Every secondary index of the registry (named `<Table>_<Index>` on SQLite, where index
    // names are per database) and every foreign key exists.
    let indexes = query_i64(
        &conn,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .await;
    assert_eq!(indexes, 104);
    let foreign_keys = query_i64(
        &conn,
        "SELECT COUNT(*) FROM sqlite_master AS t, pragma_foreign_key_list(t.name) AS f \
         WHERE t.type = 'table'",
    )
    .await;
    assert_eq!(foreign_keys, 77);
    let set_null = query_i64(
        &conn,
        "SELECT COUNT(*) FROM sqlite_master AS t, pragma_foreign_key_list(t.name) AS f \
         WHERE t.type = 'table' AND f.on_delete = 'SET NULL'",
    )
    .await;
    assert_eq!(set_null, 2);
    let cascade = query_i64(
        &conn,
        "SELECT COUNT(*) FROM sqlite_master AS t, pragma_foreign_key_list(t.name) AS f \
         WHERE t.type = 'table' AND f.on_delete = 'CASCADE'",
    )
    .await;
    assert_eq!(cascade, 40);
    assert_eq!(query_i64(&conn, "PRAGMA foreign_keys").await, 1);

    Migrator::down(&conn, None).await.unwrap();
    assert_eq!(table_names(&conn).await, vec!["seaql_migrations"]);
    assert_eq!(
        query_i64(
            &conn,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        .await,
        0
    );
    assert!(
        Migrator::get_applied_migrations(&conn)
            .await
            .unwrap()
            .is_empty()
    );

    // And again: down left nothing behind that would make a second up fail.
    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(table_names(&conn).await.len(), 41);
}

#[tokio::test]
async fn up_on_sqlite_in_memory() {
    let db = SqliteDb::memory();
    let conn = db.connect().await;
    Migrator::up(&conn, None).await.unwrap();
    let mut tables = table_names(&conn).await;
    tables.retain(|t| t != "seaql_migrations");
    assert_eq!(tables, registry_table_names());
    Migrator::reset(&conn).await.unwrap();
    assert_eq!(table_names(&conn).await, Vec::<String>::new());
}

#[test]
fn registry_counts_match_the_reference() {
    let schema = entities();
    let tables = &schema.tables;
    assert_eq!(tables.len(), 40, "tables");
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 40, "table names are unique");

    let columns: Vec<_> = tables.iter().flat_map(|t| &t.columns).collect();
    assert_eq!(columns.len(), 259, "columns");
    let count = |f: &dyn Fn(&SqlType) -> bool| columns.iter().filter(|c| f(&c.sql_type)).count();
    assert_eq!(
        count(&|t| matches!(t, SqlType::Enum(_))),
        18,
        "enum columns"
    );
    assert_eq!(count(&|t| matches!(t, SqlType::Json)), 10, "JSON columns");
    assert_eq!(count(&|t| *t == SqlType::INT), 129, "int columns");
    assert_eq!(count(&|t| matches!(t, SqlType::Varchar(_))), 50, "varchar");
    assert_eq!(count(&|t| *t == SqlType::DateTime), 26, "datetime");
    assert_eq!(count(&|t| *t == SqlType::Float), 10, "float");
    assert_eq!(count(&|t| *t == SqlType::Bool), 6, "tinyint(1)");
    assert_eq!(count(&|t| *t == SqlType::Text), 4, "text");
    assert_eq!(count(&|t| *t == SqlType::TinyBlob), 2, "tinyblob");
    assert_eq!(count(&|t| *t == SqlType::Date), 2, "date");
    assert_eq!(count(&|t| *t == SqlType::Binary(32)), 1, "binary(32)");
    assert_eq!(count(&|t| *t == SqlType::LongBlob), 1, "longblob");
    assert_eq!(
        columns.iter().filter(|c| c.auto_increment).count(),
        27,
        "AUTO_INCREMENT columns"
    );
    assert_eq!(
        columns.iter().filter(|c| c.default.is_some()).count(),
        21,
        "columns with a server default"
    );

    // The 14 enums, by their value lists.
    let enums: BTreeSet<Vec<String>> = columns
        .iter()
        .filter_map(|c| match &c.sql_type {
            SqlType::Enum(values) => Some(values.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(enums.len(), 14, "distinct enums: {enums:#?}");

    let foreign_keys: Vec<_> = tables.iter().flat_map(|t| &t.foreign_keys).collect();
    assert_eq!(foreign_keys.len(), 77, "foreign keys");
    let on_delete = |a: FkAction| foreign_keys.iter().filter(|f| f.on_delete == a).count();
    assert_eq!(on_delete(FkAction::Cascade), 40);
    assert_eq!(on_delete(FkAction::SetNull), 2);
    assert_eq!(on_delete(FkAction::Restrict), 35);
    assert!(
        foreign_keys
            .iter()
            .all(|f| f.on_update == FkAction::Restrict)
    );
    assert!(foreign_keys.iter().all(|f| f.columns.len() == 1));
    for fk in &foreign_keys {
        assert!(names.contains(fk.referenced_table.as_str()), "{fk:?}");
    }

    // 144 indexes in the reference incl. the 40 PRIMARY keys; the registry keeps the primary key
    // apart, so it has the other 104: 30 unique and 74 non-unique.
    let indexes: Vec<_> = tables.iter().flat_map(|t| &t.indexes).collect();
    assert_eq!(indexes.len(), 104, "secondary indexes");
    assert_eq!(indexes.iter().filter(|i| i.unique).count(), 30, "unique");
    assert!(tables.iter().all(|t| !t.primary_key.is_empty()));
    assert_eq!(
        tables.iter().filter(|t| t.primary_key.len() > 1).count(),
        11,
        "composite primary keys"
    );
    assert_eq!(
        tables.iter().flat_map(|t| &t.checks).count(),
        1,
        "table-level checks (json_valid checks are implied by the JSON type)"
    );

    // Dependency order: each table comes after the tables it references.
    let mut seen = BTreeSet::new();
    for table in tables {
        for referenced in table.referenced_tables() {
            assert!(
                seen.contains(referenced),
                "{} comes before {referenced}, which it references",
                table.name
            );
        }
        seen.insert(table.name.as_str());
    }
}

#[test]
fn reference_schema_file_is_found() {
    let path = reference_schema_sql();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert_eq!(text.matches("CREATE TABLE").count(), 40);
}
