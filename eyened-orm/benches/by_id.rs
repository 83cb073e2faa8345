//! `ImageInstance::by_id` against the same query through raw sqlx on the same pool.
//!
//! Needs a MariaDB/MySQL server: `mysql://root@127.0.0.1:3306`, or the server URL (without a
//! database) in `EYENED_BENCH_MYSQL_URL`. The benchmark creates a scratch database, fills the
//! tables an image needs, and drops the database when it ends.
//!
//!     cargo bench -p eyened-orm --bench by_id
//!
//! Both sides run `SELECT <all 40 columns> FROM ImageInstance WHERE ImageInstanceID = ? LIMIT ?`
//! (the SQL SeaORM builds, sent verbatim to sqlx) as a prepared statement on the same pool, and
//! decode every column into owned Rust values; the difference is SeaORM's query building and
//! its row-to-model mapping.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{NaiveDate, NaiveDateTime};
use criterion::{Criterion, criterion_group, criterion_main};
use eyened_orm::{
    ImageInstance, Laterality, Modality, contact, device_instance, device_model, image_instance,
    modality, patient, project, scan, series, source_info, study,
};
use sea_orm::sqlx::{self, Row, mysql::MySqlRow};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    EntityTrait, QuerySelect, QueryTrait, Schema,
};

const IMAGES: i32 = 1_000;

/// The image columns, decoded by hand from a raw sqlx row.
#[allow(dead_code)] // read through black_box only
struct RawImage {
    image_instance_id: i32,
    series_id: i32,
    source_info_id: i32,
    device_instance_id: i32,
    modality_id: i32,
    scan_id: Option<i32>,
    modality: Option<String>,
    sop_instance_uid: Option<String>,
    sop_class_uid: Option<String>,
    photometric_interpretation: Option<String>,
    samples_per_pixel: Option<i32>,
    rows_y: Option<i32>,
    columns_x: Option<i32>,
    nr_of_frames: Option<i32>,
    slice_thickness: Option<f32>,
    resolution_axial: Option<f32>,
    resolution_horizontal: Option<f32>,
    resolution_vertical: Option<f32>,
    horizontal_field_of_view: Option<f32>,
    laterality: String,
    dicom_modality: Option<String>,
    anatomic_region: Option<i32>,
    etdrs_field: Option<String>,
    angiography: Option<i32>,
    acquisition_date_time: Option<NaiveDateTime>,
    pupil_dilated: Option<bool>,
    dataset_identifier: String,
    alt_dataset_identifier: Option<String>,
    thumbnail_path: Option<String>,
    old_path: Option<String>,
    fda_identifier: Option<i32>,
    inactive: bool,
    cfroi: Option<serde_json::Value>,
    cf_keypoints: Option<serde_json::Value>,
    cf_quality: Option<f32>,
    file_checksum: Option<Vec<u8>>,
    data_hash: Option<Vec<u8>>,
    date_inserted: NaiveDateTime,
    date_modified: Option<NaiveDateTime>,
    date_preprocessed: Option<NaiveDateTime>,
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn decode(row: &MySqlRow) -> Result<RawImage, sqlx::Error> {
    Ok(RawImage {
        image_instance_id: row.try_get("ImageInstanceID")?,
        series_id: row.try_get("SeriesID")?,
        source_info_id: row.try_get("SourceInfoID")?,
        device_instance_id: row.try_get("DeviceInstanceID")?,
        modality_id: row.try_get("ModalityID")?,
        scan_id: row.try_get("ScanID")?,
        modality: row.try_get("Modality")?,
        sop_instance_uid: row.try_get("SOPInstanceUid")?,
        sop_class_uid: row.try_get("SOPClassUid")?,
        photometric_interpretation: row.try_get("PhotometricInterpretation")?,
        samples_per_pixel: row.try_get("SamplesPerPixel")?,
        rows_y: row.try_get("Rows_y")?,
        columns_x: row.try_get("Columns_x")?,
        nr_of_frames: row.try_get("NrOfFrames")?,
        slice_thickness: row.try_get("SliceThickness")?,
        resolution_axial: row.try_get("ResolutionAxial")?,
        resolution_horizontal: row.try_get("ResolutionHorizontal")?,
        resolution_vertical: row.try_get("ResolutionVertical")?,
        horizontal_field_of_view: row.try_get("HorizontalFieldOfView")?,
        laterality: row.try_get("Laterality")?,
        dicom_modality: row.try_get("DICOMModality")?,
        anatomic_region: row.try_get("AnatomicRegion")?,
        etdrs_field: row.try_get("ETDRSField")?,
        angiography: row.try_get("Angiography")?,
        acquisition_date_time: row.try_get("AcquisitionDateTime")?,
        pupil_dilated: row.try_get("PupilDilated")?,
        dataset_identifier: row.try_get("DatasetIdentifier")?,
        alt_dataset_identifier: row.try_get("AltDatasetIdentifier")?,
        thumbnail_path: row.try_get("ThumbnailPath")?,
        old_path: row.try_get("OldPath")?,
        fda_identifier: row.try_get("FDAIdentifier")?,
        inactive: row.try_get("Inactive")?,
        cfroi: json(row.try_get("CFROI")?),
        cf_keypoints: json(row.try_get("CFKeypoints")?),
        cf_quality: row.try_get("CFQuality")?,
        file_checksum: row.try_get("FileChecksum")?,
        data_hash: row.try_get("DataHash")?,
        date_inserted: row.try_get("DateInserted")?,
        date_modified: row.try_get("DateModified")?,
        date_preprocessed: row.try_get("DatePreprocessed")?,
    })
}

/// A scratch database with the tables an image needs and `IMAGES` images.
struct Scratch {
    server: DatabaseConnection,
    name: String,
    db: DatabaseConnection,
    first_id: i32,
}

impl Scratch {
    async fn create() -> Result<Self, Box<dyn std::error::Error>> {
        let server_url = std::env::var("EYENED_BENCH_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
        let server_url = server_url.trim_end_matches('/').to_owned();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        let name = format!(
            "eorm_bench_{}_{}",
            std::process::id(),
            nanos % 1_000_000_000
        );
        let server = Database::connect(&server_url).await?;
        server
            .execute_unprepared(&format!("CREATE DATABASE `{name}`"))
            .await?;
        let db = Database::connect(format!("{server_url}/{name}")).await?;
        let mut scratch = Self {
            server,
            name,
            db,
            first_id: 0,
        };
        scratch.fill().await?;
        Ok(scratch)
    }

    async fn fill(&mut self) -> Result<(), Box<dyn std::error::Error>> {
        let db = &self.db;
        let schema = Schema::new(DbBackend::MySql);
        // Parents first, so every foreign key has its table.
        let tables = [
            schema.create_table_from_entity(contact::Entity),
            schema.create_table_from_entity(project::Entity),
            schema.create_table_from_entity(patient::Entity),
            schema.create_table_from_entity(study::Entity),
            schema.create_table_from_entity(series::Entity),
            schema.create_table_from_entity(source_info::Entity),
            schema.create_table_from_entity(device_model::Entity),
            schema.create_table_from_entity(device_instance::Entity),
            schema.create_table_from_entity(modality::Entity),
            schema.create_table_from_entity(scan::Entity),
            schema.create_table_from_entity(image_instance::Entity),
        ];
        for table in &tables {
            db.execute(table).await?;
        }
        let project = project::ActiveModel {
            project_name: Set("bench".into()),
            external: Set(eyened_orm::External::N),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let patient = patient::ActiveModel {
            project_id: Set(project.project_id),
            patient_identifier: Set("P-1".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let study = study::ActiveModel {
            patient_id: Set(patient.patient_id),
            study_date: Set(NaiveDate::from_ymd_opt(2024, 3, 5).ok_or("date")?),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let series = series::ActiveModel {
            study_id: Set(study.study_id),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let source = source_info::ActiveModel {
            source_name: Set("bench".into()),
            source_path: Set("/images".into()),
            thumbnail_path: Set("/thumbnails".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let model = device_model::ActiveModel {
            manufacturer: Set("Topcon".into()),
            manufacturer_model_name: Set("TRC-NW8".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let device = device_instance::ActiveModel {
            device_model_id: Set(model.device_model_id),
            description: Set("camera".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let cfi = modality::ActiveModel {
            modality_tag: Set("CF".into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let images = (0..IMAGES).map(|i| image_instance::ActiveModel {
            series_id: Set(series.series_id),
            source_info_id: Set(source.source_info_id),
            device_instance_id: Set(device.device_instance_id),
            modality_id: Set(cfi.modality_id),
            modality: Set(Some(Modality::ColorFundus)),
            laterality: Set(if i % 2 == 0 {
                Laterality::L
            } else {
                Laterality::R
            }),
            rows_y: Set(Some(1536)),
            columns_x: Set(Some(2048)),
            sop_instance_uid: Set(Some(format!("1.2.826.0.1.3680043.8.498.{i}"))),
            dataset_identifier: Set(format!("bench/image_{i}.png")),
            cf_keypoints: Set(Some(serde_json::json!({ "fovea_xy": [1010.5, 768.0] }))),
            cf_quality: Set(Some(0.87)),
            inactive: Set(false),
            ..Default::default()
        });
        image_instance::Entity::insert_many(images)
            .exec_without_returning(db)
            .await?;
        self.first_id = ImageInstance::fetch_all(db)
            .await?
            .first()
            .map(|i| i.image_instance_id)
            .ok_or("no image inserted")?;
        Ok(())
    }

    async fn drop_database(self) {
        let _ = self.db.close().await;
        if let Err(e) = self
            .server
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS `{}`", self.name))
            .await
        {
            eprintln!(
                "warning: could not drop scratch database {}: {e}",
                self.name
            );
        }
    }
}

fn by_id(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let scratch = rt
        .block_on(Scratch::create())
        .unwrap_or_else(|e| panic!("cannot set up the benchmark database: {e}"));
    let db = &scratch.db;
    let pool = db.get_mysql_connection_pool();
    let id = scratch.first_id + IMAGES / 2;

    // The very SQL SeaORM sends, for the raw side: `one()` adds `LIMIT ?` (bound to 1).
    // sqlx takes static SQL text as safe; this text is SeaORM's, with placeholders only.
    let sql: &'static str = image_instance::Entity::find_by_id(id)
        .limit(1)
        .build(DbBackend::MySql)
        .sql
        .leak();

    // Both sides must see the same row.
    let (orm, raw) = rt.block_on(async {
        let orm = ImageInstance::by_id(db, id).await.expect("by_id");
        let row = sqlx::query(sql)
            .bind(id)
            .bind(1u64)
            .fetch_optional(pool)
            .await
            .expect("raw query");
        (orm, row.map(|r| decode(&r).expect("decode")))
    });
    let (orm, raw) = (orm.expect("by_id found"), raw.expect("raw found"));
    assert_eq!(orm.image_instance_id, raw.image_instance_id);
    assert_eq!(orm.dataset_identifier, raw.dataset_identifier);
    assert_eq!(orm.cf_keypoints, raw.cf_keypoints);

    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|a| a == "--bench") {
        paired(&rt, db, sql, id);
    }

    let mut group = c.benchmark_group("ImageInstance by id");
    group.bench_function("eyened_orm ImageInstance::by_id", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                ImageInstance::by_id(db, black_box(id))
                    .await
                    .expect("by_id"),
            )
        })
    });
    group.bench_function("raw sqlx, same SQL and pool", |b| {
        b.to_async(&rt).iter(|| async {
            let row = sqlx::query(sql)
                .bind(black_box(id))
                .bind(1u64)
                .fetch_optional(pool)
                .await
                .expect("raw query");
            black_box(row.map(|r| decode(&r).expect("decode")))
        })
    });
    group.finish();

    rt.block_on(scratch.drop_database());
}

/// Alternates the two sides call by call, so that load from other processes (a busy build
/// machine) falls on both alike, and prints the median time per call of each and their ratio.
/// Criterion's separate runs of each side can differ by more than the overhead when the
/// machine is loaded; this comparison is the one to quote.
fn paired(rt: &tokio::runtime::Runtime, db: &DatabaseConnection, sql: &'static str, id: i32) {
    const PAIRS: usize = 10_000;
    let pool = db.get_mysql_connection_pool();
    let (mut orm, mut raw) = (Vec::with_capacity(PAIRS), Vec::with_capacity(PAIRS));
    rt.block_on(async {
        for i in 0..PAIRS {
            // Alternate which side goes first, too.
            for side in [i % 2, 1 - i % 2] {
                let start = Instant::now();
                if side == 0 {
                    black_box(
                        ImageInstance::by_id(db, black_box(id))
                            .await
                            .expect("by_id"),
                    );
                    orm.push(start.elapsed());
                } else {
                    let row = sqlx::query(sql)
                        .bind(black_box(id))
                        .bind(1u64)
                        .fetch_optional(pool)
                        .await
                        .expect("raw query");
                    black_box(row.map(|r| decode(&r).expect("decode")));
                    raw.push(start.elapsed());
                }
            }
        }
    });
    let start = Instant::now();
    for _ in 0..PAIRS {
        black_box(
            image_instance::Entity::find_by_id(black_box(id))
                .limit(1)
                .build(DbBackend::MySql),
        );
    }
    let build = start.elapsed() / PAIRS as u32;
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (orm, raw) = (median(&mut orm), median(&mut raw));
    println!(
        "paired medians over {PAIRS} alternating calls each: \
         ImageInstance::by_id {orm:?}, raw sqlx {raw:?}, ratio {:.3} \
         (building the statement, which by_id does once per backend, would add {build:?})",
        orm.as_secs_f64() / raw.as_secs_f64()
    );
}

criterion_group!(benches, by_id);
criterion_main!(benches);
