//! odd names
//!
//! Every name is string data.

use eyened_orm::migrate::prelude::*;
use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000000_odd_names"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager.get_connection(), &changes()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        apply(manager.get_connection(), &reverse(&changes())).await
    }
}

/// The schema changes of this migration; `down` applies their reverse.
pub fn changes() -> Vec<Change> {
    vec![
        Change::AddTable(tmp_export_table()),
        Change::AddTable(t_2024_backup_table()),
        Change::AddTable(ber_table()),
        Change::AddTable(type_table()),
        Change::AddTable(we_ird_name_table()),
        Change::AddTable(self_table()),
        Change::DropTable(unnamed_table()),
        Change::RenameIndex {
            table: "tmp-export".into(),
            index: Index::new("idx-1 `x`", ["my col"]),
            to: "idx 2".into(),
        },
    ]
}

fn tmp_export_table() -> Table {
    Table::new("tmp-export")
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
}

fn t_2024_backup_table() -> Table {
    Table::new("2024_backup")
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
        .foreign_key(
            ForeignKey::new("fk-2024 `x`", ["id"], "tmp-export", ["id"])
                .on_delete(FkAction::Cascade),
        )
        .check(Check::new("ck\"1", "`id` >= 0"))
        .collate("utf8mb4_unicode_ci")
        .comment("kept by \"hand\"")
}

fn ber_table() -> Table {
    Table::new("über")
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
}

fn type_table() -> Table {
    Table::new("type")
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
}

fn we_ird_name_table() -> Table {
    Table::new("we`ird name")
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
}

fn self_table() -> Table {
    Table::new("Self")
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
}

fn unnamed_table() -> Table {
    Table::new("")
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
}
