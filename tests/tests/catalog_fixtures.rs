//! The recorded MariaDB catalogs in `eyened-orm/tests/fixtures/catalog/` are what MariaDB really
//! reports: each is compared with a live database built the same way. `CATALOG_BLESS=1` records
//! them again (then regenerate the MySQL 8 ones with `mysql8_from_mariadb.py` beside them).

use std::path::PathBuf;

use eyened_orm::schema::introspect::{Catalog, SeaOrm, read_catalog};
use eyened_orm_tests::TestDb;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eyened-orm/tests/fixtures/catalog")
        .join(name)
}

async fn compare_or_bless(db: &TestDb, name: &str) {
    let conn = db.connect().await;
    let mut live = read_catalog(&mut SeaOrm(&conn), None)
        .await
        .expect("read the catalog");
    let _ = conn.close().await;
    // The server's version string is the only thing that is not the schema's.
    live.version = "10.11.19-MariaDB".to_string();
    let path = fixture(name);
    if std::env::var_os("CATALOG_BLESS").is_some() {
        let json = serde_json::to_string_pretty(&live).unwrap() + "\n";
        std::fs::write(&path, json).unwrap();
    }
    let recorded: Catalog = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        recorded == live,
        "{} is not what MariaDB reports for it; rerun with CATALOG_BLESS=1 and review",
        path.display()
    );
}

#[tokio::test]
async fn the_recorded_reference_catalog_is_what_mariadb_reports() {
    compare_or_bless(&TestDb::reference().await, "mariadb_reference.json").await;
}

#[tokio::test]
async fn the_recorded_production_catalog_is_what_mariadb_reports() {
    compare_or_bless(&TestDb::production().await, "mariadb_production.json").await;
}
