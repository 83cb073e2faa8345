//! `eorm import` writing images with `LOAD DATA LOCAL INFILE` against real MariaDB: the rows
//! arrive exactly as the INSERT path writes them (floats, fractional times, JSON, binary,
//! awkward text, NULL, props some images do not give, an `Inactive` prop), and a load the server
//! rejects leaves nothing behind.

use eyened_orm::config::DatabaseConfig;
use eyened_orm::import::{self, Format, ImportError, Options, Summary};
use eyened_orm_tests::{ImageDir, import_database as database, query_i64, query_strings};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value as Json, json};

fn paths() -> Vec<String> {
    (0..10).map(|i| format!("se{}/im{i}.png", i / 5)).collect()
}

/// Ten images in two series; the props vary so that the images form several runs of the same
/// columns.
fn document() -> Json {
    let image = |i: usize, path: &str| {
        let mut props = json!({
            "SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1,
            "Laterality": if i.is_multiple_of(2) { "L" } else { "R" },
            "Modality": "ColorFundus",
            "SOPInstanceUid": format!("1.2.{i}\ttab\\back\nline"),
            "ResolutionHorizontal": 0.1 + i as f64,
            "AcquisitionDateTime": format!("2021-01-10 09:00:0{i}.75"),
            "CFROI": {"center": [1024, 768], "radius": 700, "note": "a\tb"},
            "FileChecksum": "00ff0a095c4e",
        });
        let map = props.as_object_mut().unwrap();
        match i {
            3 => {
                map.remove("ResolutionHorizontal");
            }
            4 => {
                map.insert("Inactive".into(), json!(true));
            }
            5 => {
                map.insert("CFQuality".into(), Json::Null);
                map.insert("Rows_y".into(), json!(1536));
            }
            _ => {}
        }
        json!({"image": path, "props": props})
    };
    let paths = paths();
    let series = |s: usize| {
        json!({
            "series_id": format!("1.2.series.{s}"),
            "images": (s * 5..s * 5 + 5).map(|i| image(i, &paths[i])).collect::<Vec<_>>(),
        })
    };
    json!([{
        "project_name": "Load",
        "patient_identifier": "P1",
        "studies": [{"study_date": "2020-01-01", "series": [series(0), series(1)]}],
    }])
}

async fn import(
    conn: &DatabaseConnection,
    dir: &ImageDir,
    load_data: Option<DatabaseConfig>,
) -> Result<Summary, ImportError> {
    let options = Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        load_data,
        ..Options::new(&dir.0)
    };
    import::import_text(
        conn,
        &document().to_string(),
        Format::Json,
        &options,
        &eyened_orm::progress::silent(),
    )
    .await
}

/// Every written column of every image, as text, in path order.
async fn images(conn: &DatabaseConnection) -> Vec<String> {
    query_strings(
        conn,
        "SELECT CONCAT_WS('|', ImageInstanceID, SeriesID, DatasetIdentifier, Inactive, \
         SourceInfoID, DeviceInstanceID, ModalityID, IFNULL(Laterality, 'null'), Modality, \
         HEX(SOPInstanceUid), IFNULL(ResolutionHorizontal, 'null'), \
         IFNULL(HEX(CAST(ResolutionHorizontal AS DOUBLE)), 'null'), \
         AcquisitionDateTime, CFROI, HEX(FileChecksum), IFNULL(CFQuality, 'null'), \
         IFNULL(Rows_y, 'null'), TIMESTAMPDIFF(MINUTE, DateInserted, UTC_TIMESTAMP()) < 10) \
         FROM ImageInstance ORDER BY DatasetIdentifier",
        Vec::new(),
    )
    .await
}

#[tokio::test]
async fn loaded_images_equal_inserted_images() {
    let dir = ImageDir::with(&paths());
    let (loaded_db, loaded) = database().await;
    let (_inserted_db, inserted) = database().await;
    let config = DatabaseConfig::from_url(&loaded_db.url()).unwrap();

    let summary = import(&loaded, &dir, Some(config)).await.unwrap();
    assert_eq!(summary.writing, "LOAD DATA LOCAL INFILE");
    let summary = import(&inserted, &dir, None).await.unwrap();
    assert!(
        summary.writing.starts_with("multi-row INSERTs"),
        "{}",
        summary.writing
    );

    let rows = images(&loaded).await;
    assert_eq!(rows.len(), 10);
    assert_eq!(rows, images(&inserted).await);
    // The values themselves, not only agreement: the awkward text, the binary bytes, the
    // default of a column one image does not give, the Inactive prop, the time's truncation.
    assert!(
        rows[0].contains(&hex("1.2.0\ttab\\back\nline")),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("|00FF0A095C4E|"), "{}", rows[0]);
    assert!(rows[3].contains("|null|null|2021-"), "{}", rows[3]);
    assert!(rows[4].split('|').nth(3) == Some("1"), "{}", rows[4]);
    assert!(rows[0].contains("|2021-01-10 09:00:00|"), "{}", rows[0]);
    assert!(rows[5].ends_with("|null|1536|1"), "{}", rows[5]);

    // Again: nothing new, nothing loaded.
    let again = import(
        &loaded,
        &dir,
        Some(DatabaseConfig::from_url(&loaded_db.url()).unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(again.images.new, 0);
    assert_eq!(again.images.existing, 10);
    assert_eq!(images(&loaded).await, rows);
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

#[tokio::test]
async fn a_load_the_server_rejects_writes_nothing() {
    let dir = ImageDir::with(&paths());
    let (db, conn) = database().await;
    conn.execute_unprepared(
        "CREATE TRIGGER reject_one BEFORE INSERT ON ImageInstance FOR EACH ROW \
         IF NEW.DatasetIdentifier = 'se1/im7.png' THEN \
         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rejected by the test'; END IF",
    )
    .await
    .unwrap();
    let config = DatabaseConfig::from_url(&db.url()).unwrap();
    for load_data in [Some(config), None] {
        let loading = load_data.is_some();
        let err = import(&conn, &dir, load_data).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("nothing was written"), "{message}");
        assert!(message.contains("rejected by the test"), "{message}");
        if loading {
            assert!(matches!(err, ImportError::Load(_)), "{err:?}");
        }
        for table in ["Project", "Patient", "Study", "Series", "ImageInstance"] {
            let n = query_i64(&conn, &format!("SELECT COUNT(*) FROM {table}")).await;
            assert_eq!(n, 0, "{table} after a rejected import (loading: {loading})");
        }
    }
}

#[tokio::test]
async fn a_loader_that_cannot_connect_leaves_the_images_to_inserts() {
    let dir = ImageDir::with(&paths());
    let (db, conn) = database().await;
    let real = DatabaseConfig::from_url(&db.url()).unwrap();
    let wrong = DatabaseConfig::mysql(
        "eorm_no_such_user",
        "wrong password",
        real.host(),
        real.port(),
        Some(db.name().to_owned()),
    );
    let summary = import(&conn, &dir, Some(wrong)).await.unwrap();
    assert!(
        summary.writing.starts_with("multi-row INSERTs (")
            && summary.writing.contains("eorm_no_such_user"),
        "{}",
        summary.writing
    );
    assert!(
        !summary.writing.contains("wrong password"),
        "{}",
        summary.writing
    );
    assert_eq!(summary.images.new, 10);
    assert_eq!(images(&conn).await.len(), 10);
}
