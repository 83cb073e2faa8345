//! Tables the entities do not model and nothing declares: drift that `check` reports with the
//! rows at stake, and that `generate` drops only when asked, whatever the tables are called.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use eyened_orm_tests::TestDb;
use sea_orm::ConnectionTrait;

fn migration(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migration"))
        .arg("-u")
        .arg(db.url())
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the migration binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `migration/src` copied to a temporary directory, removed on drop.
struct SourceCopy(PathBuf);

impl SourceCopy {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm_undeclared_{}_{}",
            std::process::id(),
            eyened_orm_tests::next_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
        SourceCopy(dir)
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for SourceCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The reference schema plus leftovers named as a user's database may name them.
async fn with_leftovers() -> TestDb {
    let db = TestDb::reference().await;
    let conn = db.connect().await;
    for sql in [
        "CREATE TABLE `tmp-export` (`id` int PRIMARY KEY, `my col` varchar(10), KEY `idx-1` (`my col`))",
        "INSERT INTO `tmp-export` VALUES (1, 'a'), (2, 'b'), (3, NULL)",
        "CREATE TABLE `2024_backup` (`Patient ID` int NOT NULL, `über` text, PRIMARY KEY (`Patient ID`))",
        "INSERT INTO `2024_backup` VALUES (7, 'x'), (8, 'y')",
        "CREATE TABLE `type` (`self` int)",
        "CREATE TABLE `we``ird name` (`a b` int)",
    ] {
        conn.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let _ = conn.close().await;
    db
}

#[tokio::test]
async fn check_reports_undeclared_tables_with_their_rows() {
    let db = with_leftovers().await;
    let out = migration(&db, &["check"]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    for expected in [
        "semantic  LOSSY  tmp-export: drop table (3 rows would be lost)",
        "semantic  LOSSY  2024_backup: drop table (2 rows would be lost)",
        "semantic  LOSSY  type: drop table (0 rows would be lost)",
        "semantic  LOSSY  we`ird name: drop table (0 rows would be lost)",
    ] {
        assert!(
            printed.contains(expected),
            "missing {expected:?} in:\n{printed}"
        );
    }
}

#[tokio::test]
async fn generate_leaves_undeclared_tables_out_unless_asked() {
    let db = with_leftovers().await;
    let sources = SourceCopy::new();
    let before = sources.files();
    let dir = sources.0.to_string_lossy().into_owned();

    let out = migration(&db, &["generate", "drop leftovers", "--dir", &dir]);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(
        printed.contains("left out: DROP TABLE tmp-export (3 rows would be lost); declare the table in migration/unmanaged.toml to keep it, or pass --drop-undeclared-tables to drop it"),
        "{printed}"
    );
    assert!(printed.contains("no migration written"), "{printed}");
    assert_eq!(sources.files(), before, "nothing written");

    let out = migration(
        &db,
        &[
            "generate",
            "drop leftovers",
            "--dir",
            &dir,
            "--drop-undeclared-tables",
        ],
    );
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(0), "{printed}");
    assert!(printed.contains("(4 changes)"), "{printed}");
    let new: Vec<String> = sources
        .files()
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    let source = std::fs::read_to_string(sources.0.join(&new[0])).unwrap();
    syn::parse_file(&source).expect("the migration is Rust");
    for expected in [
        "Change::DropTable(tmp_export_table())",
        "Change::DropTable(t_2024_backup_table())",
        "Change::DropTable(type_table())",
        "Change::DropTable(we_ird_name_table())",
        "Table::new(\"we`ird name\")",
        "Column::new(\"Patient ID\", SqlType::INT)",
    ] {
        assert!(
            source.contains(expected),
            "missing {expected:?} in:\n{source}"
        );
    }
}

#[tokio::test]
async fn the_drop_sql_runs_and_leaves_the_database_in_sync() {
    let db = with_leftovers().await;
    let out = migration(&db, &["diff"]);
    let sql = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!sql.contains("\nDROP TABLE"), "{sql}");
    let out = migration(&db, &["diff", "--drop-undeclared-tables"]);
    let sql = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(sql.contains("DROP TABLE `we``ird name`;"), "{sql}");
    let path = std::env::temp_dir().join(format!("{}.sql", db.name()));
    std::fs::write(&path, &sql).unwrap();
    db.load_sql_file(&path);
    let _ = std::fs::remove_file(&path);
    let out = migration(&db, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
