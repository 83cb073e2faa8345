//! Any name the server accepts works: a migration written for tables, columns, indexes, keys and
//! checks named with digits first, hyphens, spaces, backticks, quotes, non-ASCII letters or Rust
//! keywords is valid Rust that carries the names as string data.
//!
//! `golden/odd_names_migration.rs` is what the renderer writes for [`changes`]; this test compiles
//! it (it is a module of this test) and checks that rendering gives it byte for byte and that its
//! `changes()` are these. `ODD_NAMES_BLESS=1` rewrites it (review the result).

#[path = "golden/odd_names_migration.rs"]
mod golden;

use eyened_orm::migrate::render::migration_file;
use eyened_orm::schema::Change;
use eyened_orm::schema::{Check, Column, FkAction, ForeignKey, Index, SqlType, Table};

const NAME: &str = "m20261205_000000_odd_names";

fn changes() -> Vec<Change> {
    let odd = |name: &str| {
        Table::new(name)
            .column(Column::new("id", SqlType::INT).auto_increment())
            .column(
                Column::new("my col", SqlType::Varchar(10))
                    .null()
                    .comment("it's `odd`"),
            )
            .column(Column::new("type", SqlType::enumeration(["a'b", "c\\d", "ü"])).null())
            .column(Column::new("2nd-value", SqlType::Json).null())
            .primary_key(["id"])
            .index(Index::new("idx-1 `x`", ["my col"]))
            .check(Check::new("ck\"1", "`id` >= 0"))
            .collate("utf8mb4_unicode_ci")
            .comment("kept by \"hand\"")
    };
    vec![
        Change::AddTable(odd("tmp-export")),
        Change::AddTable(
            odd("2024_backup").foreign_key(
                ForeignKey::new("fk-2024 `x`", ["id"], "tmp-export", ["id"])
                    .on_delete(FkAction::Cascade),
            ),
        ),
        Change::AddTable(odd("über")),
        Change::AddTable(odd("type")),
        Change::AddTable(odd("we`ird name")),
        Change::AddTable(odd("Self")),
        Change::DropTable(odd("")),
        Change::RenameIndex {
            table: "tmp-export".into(),
            index: Index::new("idx-1 `x`", ["my col"]),
            to: "idx 2".into(),
        },
    ]
}

fn golden_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/odd_names_migration.rs")
}

#[test]
fn a_migration_for_odd_names_renders_to_the_golden_file_which_compiles() {
    let rendered = migration_file(NAME, "odd names\n\nEvery name is string data.", &changes());
    if std::env::var_os("ODD_NAMES_BLESS").is_some() {
        std::fs::write(golden_path(), &rendered).expect("write the golden file");
    }
    let golden_text = std::fs::read_to_string(golden_path()).expect("the golden file");
    assert_eq!(
        rendered, golden_text,
        "rendering changed; rerun with ODD_NAMES_BLESS=1 and review tests/golden/odd_names_migration.rs"
    );
    assert_eq!(golden::changes(), changes());
    use sea_orm_migration::MigrationName;
    assert_eq!(golden::Migration.name(), NAME);
}
