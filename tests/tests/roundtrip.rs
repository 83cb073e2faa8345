//! Every column type of the schema, written through the entities and read back: integers at their
//! limits, single-precision floats, booleans, dates and datetimes, strings at their maximum
//! length, text, JSON, blobs, binary(32), and every value of every enum (also on SQLite). Raw SQL
//! checks what is actually stored where the entity round trip alone could hide a mistake.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use eyened_orm::{
    AttributeDataType, DataRepresentation, DataType, EntityType, EtdrsField, External, Laterality,
    Modality, ModalityType, ModelKind, Sex, SubTaskState, TagType, TaskState, annotation_data,
    attribute_definition, attribute_value, creator, form_annotation, form_schema, image_instance,
    model, model_segmentation, patient, project, segmentation, study, sub_task, tag, task,
    task_definition,
};
use eyened_orm_tests::seed::ImageTree;
use eyened_orm_tests::{SqliteDb, TestDb, seed};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, IntoActiveModel, Iterable, QueryResult, Statement,
};
use serde_json::{Value as Json, json};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn datetime(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    date(y, mo, d).and_hms_opt(h, mi, s).unwrap()
}

/// One row of a raw query.
async fn raw_row(db: &DatabaseConnection, sql: &str, id: i32) -> QueryResult {
    db.query_one_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [id.into()],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}\n{sql}"))
    .unwrap_or_else(|| panic!("no row for id {id}: {sql}"))
}

/// `(col IS NULL, col as text)` of one row, as stored.
async fn stored_text(
    db: &DatabaseConnection,
    table: &str,
    column: &str,
    key: &str,
    id: i32,
) -> (bool, Option<String>) {
    let text = match db.get_database_backend() {
        DbBackend::MySql => format!("CONVERT(`{column}` USING utf8mb4)"),
        _ => format!("CAST(\"{column}\" AS TEXT)"),
    };
    let sql = match db.get_database_backend() {
        DbBackend::MySql => {
            format!("SELECT `{column}` IS NULL, {text} FROM `{table}` WHERE `{key}` = ?")
        }
        _ => format!("SELECT \"{column}\" IS NULL, {text} FROM \"{table}\" WHERE \"{key}\" = ?"),
    };
    let row = raw_row(db, &sql, id).await;
    (
        row.try_get_by_index::<i64>(0).unwrap() != 0,
        row.try_get_by_index::<Option<String>>(1).unwrap(),
    )
}

/// The stored bytes of a blob column (and their length as the server counts it).
async fn stored_bytes(
    db: &DatabaseConnection,
    table: &str,
    column: &str,
    key: &str,
    id: i32,
) -> Option<Vec<u8>> {
    let sql = format!("SELECT `{column}`, LENGTH(`{column}`) FROM `{table}` WHERE `{key}` = ?");
    let row = raw_row(db, &sql, id).await;
    let bytes = row.try_get_by_index::<Option<Vec<u8>>>(0).unwrap();
    let len = row.try_get_by_index::<Option<i64>>(1).unwrap();
    assert_eq!(bytes.as_ref().map(|b| b.len() as i64), len);
    bytes
}

async fn image(db: &DatabaseConnection, id: i32) -> image_instance::Model {
    image_instance::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .expect("image exists")
}

async fn server_now(db: &DatabaseConnection) -> NaiveDateTime {
    let sql = match db.get_database_backend() {
        DbBackend::MySql => "SELECT NOW()",
        _ => "SELECT datetime('now')",
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<NaiveDateTime>(0).unwrap()
}

/// Integers at the i32 limits, f32 bit for bit, booleans, DATETIME and DATE at their range ends.
async fn scalars_roundtrip(db: DatabaseConnection) {
    let tree = seed::image_tree(&db).await.unwrap();

    let mut am = image(&db, tree.image_instance_id).await.into_active_model();
    am.rows_y = Set(Some(i32::MIN));
    am.columns_x = Set(Some(i32::MAX));
    am.nr_of_frames = Set(Some(0));
    am.samples_per_pixel = Set(Some(-1));
    am.anatomic_region = Set(Some(i32::MAX));
    am.fda_identifier = Set(Some(i32::MIN));
    am.angiography = Set(None);
    am.slice_thickness = Set(Some(0.1f32));
    am.resolution_axial = Set(Some(1.0f32 / 3.0));
    am.resolution_horizontal = Set(Some(-2.5e-8f32));
    am.resolution_vertical = Set(Some(f32::MAX));
    am.horizontal_field_of_view = Set(Some(f32::MIN_POSITIVE));
    am.cf_quality = Set(Some(16_777_217f32)); // not representable: rounds to 16777216 as f32
    am.pupil_dilated = Set(Some(true));
    am.inactive = Set(true);
    am.acquisition_date_time = Set(Some(datetime(2024, 2, 29, 23, 59, 59)));
    am.date_modified = Set(Some(datetime(1000, 1, 1, 0, 0, 0)));
    am.date_preprocessed = Set(Some(datetime(9999, 12, 31, 23, 59, 59)));
    let updated = am.update(&db).await.unwrap();

    let back = image(&db, tree.image_instance_id).await;
    assert_eq!(back, updated);
    assert_eq!(back.rows_y, Some(i32::MIN));
    assert_eq!(back.columns_x, Some(i32::MAX));
    assert_eq!(back.nr_of_frames, Some(0));
    assert_eq!(back.samples_per_pixel, Some(-1));
    assert_eq!(back.anatomic_region, Some(i32::MAX));
    assert_eq!(back.fda_identifier, Some(i32::MIN));
    assert_eq!(back.angiography, None);
    // Single precision, bit for bit: the columns are FLOAT and the entities f32, so nothing
    // widens to double and back (0.1f32 as f64 would be 0.10000000149011612).
    let bits = |v: Option<f32>| v.map(f32::to_bits);
    assert_eq!(bits(back.slice_thickness), bits(Some(0.1f32)));
    assert_eq!(bits(back.resolution_axial), bits(Some(1.0f32 / 3.0)));
    assert_eq!(bits(back.resolution_horizontal), bits(Some(-2.5e-8f32)));
    assert_eq!(bits(back.resolution_vertical), bits(Some(f32::MAX)));
    assert_eq!(
        bits(back.horizontal_field_of_view),
        bits(Some(f32::MIN_POSITIVE))
    );
    assert_eq!(bits(back.cf_quality), bits(Some(16_777_216f32)));
    assert_eq!(back.pupil_dilated, Some(true));
    assert!(back.inactive);
    assert_eq!(
        back.acquisition_date_time,
        Some(datetime(2024, 2, 29, 23, 59, 59))
    );
    assert_eq!(back.date_modified, Some(datetime(1000, 1, 1, 0, 0, 0)));
    assert_eq!(
        back.date_preprocessed,
        Some(datetime(9999, 12, 31, 23, 59, 59))
    );

    // Booleans are tinyint(1) 0/1.
    let (null, text) = stored_text(
        &db,
        "ImageInstance",
        "Inactive",
        "ImageInstanceID",
        tree.image_instance_id,
    )
    .await;
    assert_eq!((null, text.as_deref()), (false, Some("1")));
    let mut am = back.clone().into_active_model();
    am.pupil_dilated = Set(Some(false));
    am.inactive = Set(false);
    am.update(&db).await.unwrap();
    let back = image(&db, tree.image_instance_id).await;
    assert_eq!((back.pupil_dilated, back.inactive), (Some(false), false));
    let mut am = back.into_active_model();
    am.pupil_dilated = Set(None);
    am.update(&db).await.unwrap();
    assert_eq!(image(&db, tree.image_instance_id).await.pupil_dilated, None);

    // DATETIME has no fractional seconds on MariaDB: a fraction does not survive (MariaDB
    // truncates). SQLite stores datetimes as text and keeps the fraction.
    let mut am = image(&db, tree.image_instance_id).await.into_active_model();
    let with_fraction =
        date(2020, 1, 2).and_time(NaiveTime::from_hms_milli_opt(3, 4, 5, 678).unwrap());
    am.acquisition_date_time = Set(Some(with_fraction));
    am.update(&db).await.unwrap();
    let stored = image(&db, tree.image_instance_id)
        .await
        .acquisition_date_time
        .unwrap();
    if db.get_database_backend() == DbBackend::MySql {
        assert_eq!(stored, datetime(2020, 1, 2, 3, 4, 5));
    } else {
        assert_eq!(stored, with_fraction);
    }

    // Dates: BirthDate (nullable) and StudyDate (NOT NULL), at the ends of the DATE range.
    let project = seed::project(&db).await.unwrap();
    for birth in [date(1000, 1, 1), date(2000, 2, 29), date(9999, 12, 31)] {
        let p = patient::ActiveModel {
            project_id: Set(project.project_id),
            patient_identifier: Set(seed::unique("p")),
            birth_date: Set(Some(birth)),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let back = patient::Entity::find_by_id(p.patient_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.birth_date, Some(birth));
        let s = study::ActiveModel {
            patient_id: Set(p.patient_id),
            study_date: Set(birth),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        let back = study::Entity::find_by_id(s.study_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.study_date, birth);
    }
    let p = seed::patient(&db, project.project_id).await.unwrap();
    assert_eq!(p.birth_date, None);
}

#[tokio::test]
async fn strings_at_their_maximum_length_roundtrip() {
    let test = TestDb::migrated().await;
    let db = test.connect().await;
    let tree = seed::image_tree(&db).await.unwrap();

    // varchar(256), counted in characters: 256 characters of up to 4 bytes each.
    let long: String = "👁é眼a".chars().cycle().take(256).collect();
    assert_eq!(long.chars().count(), 256);
    assert!(long.len() > 256 * 2);
    let uid: String = "1.2.840.".chars().cycle().take(64).collect();
    let mut am = image(&db, tree.image_instance_id).await.into_active_model();
    am.dataset_identifier = Set(long.clone());
    am.alt_dataset_identifier = Set(Some(long.clone()));
    am.sop_instance_uid = Set(Some(uid.clone()));
    am.update(&db).await.unwrap();
    let back = image(&db, tree.image_instance_id).await;
    assert_eq!(back.dataset_identifier, long);
    assert_eq!(back.alt_dataset_identifier.as_deref(), Some(long.as_str()));
    assert_eq!(back.sop_instance_uid.as_deref(), Some(uid.as_str()));

    // One character more is rejected (strict mode), not silently truncated.
    let too_long = format!("{long}x");
    let mut am = back.clone().into_active_model();
    am.dataset_identifier = Set(too_long);
    assert!(am.update(&db).await.is_err(), "257 characters accepted");
    let mut am = back.into_active_model();
    am.sop_instance_uid = Set(Some(format!("{uid}9")));
    assert!(am.update(&db).await.is_err(), "65 characters accepted");
    assert_eq!(
        image(&db, tree.image_instance_id).await.dataset_identifier,
        long
    );

    // TEXT holds 65535 bytes.
    let text = format!("{}abc", "👁".repeat(16_383));
    assert_eq!(text.len(), 65_535);
    let project = project::ActiveModel {
        project_name: Set(seed::unique("text")),
        external: Set(External::Y),
        description: Set(Some(text.clone())),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let back = project::Entity::find_by_id(project.project_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.description.as_deref(), Some(text.as_str()));
    let mut am = back.into_active_model();
    am.description = Set(Some(format!("{text}d")));
    assert!(am.update(&db).await.is_err(), "65536 bytes fit in TEXT");

    // Empty string and NULL are different things.
    let mut am = project::Entity::find_by_id(project.project_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    am.description = Set(Some(String::new()));
    am.doi = Set(None);
    am.update(&db).await.unwrap();
    let back = project::Entity::find_by_id(project.project_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.description.as_deref(), Some(""));
    assert_eq!(back.doi, None);
}

fn json_samples() -> Vec<Json> {
    vec![
        json!({"a": 1, "b": [1, 2.5, "x", null, true], "nested": {"é": "👁", "q": "\"'\\\n"}}),
        json!([1, "two", 3.0, null, false, {"k": []}]),
        json!("a string with \"quotes\", ünïcode and a \\ backslash"),
        json!(42),
        json!(-1.5e300),
        json!(9_007_199_254_740_993u64), // 2^53 + 1: not representable as f64
        json!(i64::MIN),
        json!(true),
        json!({}),
        json!([]),
        json!(""),
    ]
}

/// JSON objects, arrays, strings, numbers and booleans through all 10 JSON columns.
async fn json_values_roundtrip(db: DatabaseConnection) {
    let tree = seed::image_tree(&db).await.unwrap();

    json_samples_roundtrip_through_image_columns(&db, &tree).await;
    the_other_json_columns_roundtrip(&db, &tree).await;
    mariadb_rejects_text_that_is_not_json(&db, &tree).await;
}

/// Each of `json_samples()` through ImageInstance.CFROI (as is) and CFKeypoints (wrapped in an
/// object), stored as JSON text that parses back to the same value.
async fn json_samples_roundtrip_through_image_columns(db: &DatabaseConnection, tree: &ImageTree) {
    for value in json_samples() {
        let mut am = image(db, tree.image_instance_id).await.into_active_model();
        am.cfroi = Set(Some(value.clone()));
        am.cf_keypoints = Set(Some(json!({ "wrapped": value.clone() })));
        am.update(db).await.unwrap();
        let back = image(db, tree.image_instance_id).await;
        assert_eq!(back.cfroi.as_ref(), Some(&value));
        assert_eq!(back.cf_keypoints, Some(json!({ "wrapped": value.clone() })));
        // Stored as JSON text that parses to the same value.
        let (null, text) = stored_text(
            db,
            "ImageInstance",
            "CFROI",
            "ImageInstanceID",
            tree.image_instance_id,
        )
        .await;
        assert!(!null);
        let parsed: Json = serde_json::from_str(&text.unwrap()).unwrap();
        assert_eq!(parsed, value);
    }
}

/// The other eight JSON columns, one value each: FormSchema, FormAnnotation, Segmentation (two),
/// ModelSegmentation (two), TaskDefinition and AttributeValue.
async fn the_other_json_columns_roundtrip(db: &DatabaseConnection, tree: &ImageTree) {
    let value = json!({"matrix": [[1.0, 0.0], [0.0, 1.0]], "name": "ü"});
    let creator = seed::creator(db).await.unwrap();
    let schema = form_schema::ActiveModel {
        schema_name: Set(seed::unique("schema")),
        schema: Set(Some(value.clone())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let form = form_annotation::ActiveModel {
        form_schema_id: Set(schema.form_schema_id),
        patient_id: Set(tree.patient_id),
        creator_id: Set(creator.creator_id),
        form_data: Set(Some(value.clone())),
        inactive: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let mut seg = seed::segmentation(db, tree, creator.creator_id, None)
        .await
        .unwrap()
        .into_active_model();
    seg.image_projection_matrix = Set(Some(value.clone()));
    seg.scan_indices = Set(Some(json!([0, 5, 10])));
    let seg = seg.update(db).await.unwrap();
    let model = seed::model(db, ModelKind::Segmentation).await.unwrap();
    let model_seg = model_segmentation::ActiveModel {
        model_id: Set(model.model_id),
        image_instance_id: Set(tree.image_instance_id),
        data_representation: Set(DataRepresentation::Probability),
        data_type: Set(DataType::R32F),
        depth: Set(1),
        height: Set(2),
        width: Set(3),
        image_projection_matrix: Set(Some(value.clone())),
        scan_indices: Set(Some(json!([1]))),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let definition = task_definition::ActiveModel {
        task_definition_name: Set(seed::unique("def")),
        task_config: Set(Some(value.clone())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let attribute = attribute_definition::ActiveModel {
        attribute_name: Set(seed::unique("attr")),
        attribute_data_type: Set(AttributeDataType::JSON),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let attr_value = attribute_value::ActiveModel {
        attribute_id: Set(attribute.attribute_id),
        model_id: Set(model.model_id),
        patient_id: Set(Some(tree.patient_id)),
        value_json: Set(Some(value.clone())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    let find = |r: Option<Json>| r.expect("JSON column read back as NULL");
    let schema = form_schema::Entity::find_by_id(schema.form_schema_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(schema.schema), value);
    let form = form_annotation::Entity::find_by_id(form.form_annotation_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(form.form_data), value);
    let seg = segmentation::Entity::find_by_id(seg.segmentation_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(seg.image_projection_matrix), value);
    assert_eq!(find(seg.scan_indices), json!([0, 5, 10]));
    let model_seg = model_segmentation::Entity::find_by_id(model_seg.model_segmentation_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(model_seg.image_projection_matrix), value);
    assert_eq!(find(model_seg.scan_indices), json!([1]));
    let definition = task_definition::Entity::find_by_id(definition.task_definition_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(definition.task_config), value);
    let attr_value = attribute_value::Entity::find_by_id(attr_value.attribute_value_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(find(attr_value.value_json), value);
}

/// The json_valid CHECK of MariaDB's JSON type rejects text that is not JSON. (SQLite has no
/// such check: nothing to test there.)
async fn mariadb_rejects_text_that_is_not_json(db: &DatabaseConnection, tree: &ImageTree) {
    if db.get_database_backend() != DbBackend::MySql {
        return;
    }
    let err = db
        .execute_unprepared(&format!(
            "UPDATE ImageInstance SET CFROI = 'not json' WHERE ImageInstanceID = {}",
            tree.image_instance_id
        ))
        .await
        .expect_err("invalid JSON stored");
    assert!(err.to_string().contains("CFROI"), "{err}");
}

#[tokio::test]
async fn scalars_roundtrip_on_mariadb() {
    let test = TestDb::migrated().await;
    scalars_roundtrip(test.connect().await).await;
}

#[tokio::test]
async fn scalars_roundtrip_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    scalars_roundtrip(conn).await;
}

#[tokio::test]
async fn json_values_roundtrip_on_mariadb() {
    let test = TestDb::migrated().await;
    json_values_roundtrip(test.connect().await).await;
}

#[tokio::test]
async fn json_values_roundtrip_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    json_values_roundtrip(conn).await;
}

/// JSON `null` and SQL `NULL` in a nullable JSON column.
///
/// Behaviour (MariaDB and SQLite alike):
/// - `None` is stored as SQL `NULL` and reads back as `None`.
/// - `Some(Value::Null)` is stored as the JSON text `null` (a non-NULL value: `col IS NULL` is
///   false) and reads back as `Some(Value::Null)`.
///
/// That matches the Python ORM (`none_as_null=False`: an attribute explicitly set to `None` is
/// stored as `'null'`), and readers must treat SQL `NULL` and JSON `null` as the same thing.
async fn json_null_vs_sql_null(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let mut am = image(db, tree.image_instance_id).await.into_active_model();
    am.cfroi = Set(Some(Json::Null));
    am.cf_keypoints = Set(None);
    am.update(db).await.unwrap();

    let id = tree.image_instance_id;
    let (null, text) = stored_text(db, "ImageInstance", "CFROI", "ImageInstanceID", id).await;
    assert!(
        !null,
        "Some(Value::Null) must be stored as JSON null, not SQL NULL"
    );
    assert_eq!(text.as_deref(), Some("null"));
    let (null, text) = stored_text(db, "ImageInstance", "CFKeypoints", "ImageInstanceID", id).await;
    assert!(null, "None must be stored as SQL NULL");
    assert_eq!(text, None);

    let back = image(db, id).await;
    assert_eq!(back.cfroi, Some(Json::Null));
    assert_eq!(back.cf_keypoints, None);

    // A row inserted without the column at all: SQL NULL.
    let other = seed::image(db, &tree).await.unwrap();
    assert_eq!(other.cfroi, None);
    let (null, _) = stored_text(
        db,
        "ImageInstance",
        "CFROI",
        "ImageInstanceID",
        other.image_instance_id,
    )
    .await;
    assert!(null);
}

#[tokio::test]
async fn json_null_vs_sql_null_on_mariadb() {
    let test = TestDb::migrated().await;
    json_null_vs_sql_null(&test.connect().await).await;
}

#[tokio::test]
async fn json_null_vs_sql_null_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    json_null_vs_sql_null(&conn).await;
}

#[tokio::test]
async fn blobs_and_binary_roundtrip() {
    let test = TestDb::migrated().await;
    let db = test.connect().await;
    let tree = seed::image_tree(&db).await.unwrap();
    let id = tree.image_instance_id;

    // tinyblob: up to 255 bytes, any byte value.
    let mut checksum = vec![0x00, 0xFF, 0x00];
    checksum.extend((0..=255u8).rev().take(252));
    assert_eq!(checksum.len(), 255);
    let mut am = image(&db, id).await.into_active_model();
    am.file_checksum = Set(Some(checksum.clone()));
    am.data_hash = Set(Some(Vec::new()));
    am.update(&db).await.unwrap();
    let back = image(&db, id).await;
    assert_eq!(back.file_checksum.as_ref(), Some(&checksum));
    assert_eq!(back.data_hash, Some(Vec::new()), "empty blob is not NULL");
    assert_eq!(
        stored_bytes(&db, "ImageInstance", "FileChecksum", "ImageInstanceID", id).await,
        Some(checksum.clone())
    );
    assert_eq!(
        stored_bytes(&db, "ImageInstance", "DataHash", "ImageInstanceID", id).await,
        Some(Vec::new())
    );
    let mut am = back.into_active_model();
    am.file_checksum = Set(Some(vec![0xAB; 256]));
    assert!(am.update(&db).await.is_err(), "256 bytes fit in a tinyblob");

    // longblob: 1 MiB with every byte value.
    let creator = seed::creator(&db).await.unwrap();
    let annotation = seed::annotation(&db, &tree, creator.creator_id)
        .await
        .unwrap();
    let blob: Vec<u8> = (0..1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    assert!(blob.contains(&0) && blob.contains(&255));
    let data = annotation_data::ActiveModel {
        annotation_id: Set(annotation.annotation_id),
        scan_nr: Set(-1),
        value_blob: Set(Some(blob.clone())),
        value_float: Set(Some(0.1)),
        value_int: Set(Some(i32::MIN)),
        dataset_identifier: Set("mask.png".into()),
        media_type: Set("image/png".into()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let back = annotation_data::Entity::find_by_id((annotation.annotation_id, -1))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, data);
    assert!(
        back.value_blob.as_ref() == Some(&blob),
        "1 MiB blob changed"
    );
    assert_eq!(back.value_float.map(f32::to_bits), Some(0.1f32.to_bits()));
    let row = raw_row(
        &db,
        "SELECT LENGTH(ValueBlob) FROM AnnotationData WHERE AnnotationID = ?",
        annotation.annotation_id,
    )
    .await;
    assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 1024 * 1024);

    // binary(32): exactly 32 bytes round trip; shorter values are zero-padded by the server;
    // longer ones are rejected.
    let password: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37) ^ 0xF0).collect();
    let mut full = password.clone();
    full[0] = 0x00;
    full[31] = 0xFF;
    let c = creator::ActiveModel {
        creator_name: Set(seed::unique("pw")),
        is_human: Set(false),
        password: Set(Some(full.clone())),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    assert_eq!(c.password.as_ref(), Some(&full));
    let back = creator::Entity::find_by_id(c.creator_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.password.as_ref(), Some(&full));
    assert!(!back.is_human);

    let mut am = back.into_active_model();
    am.password = Set(Some(vec![0x7F; 16]));
    am.update(&db).await.unwrap();
    let back = creator::Entity::find_by_id(c.creator_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut padded = vec![0x7F; 16];
    padded.resize(32, 0);
    assert_eq!(back.password, Some(padded));

    let mut am = back.into_active_model();
    am.password = Set(Some(vec![1; 33]));
    assert!(am.update(&db).await.is_err(), "33 bytes fit in binary(32)");
}

/// Every value of every one of the 14 enums, through each of the 18 columns that use one: read
/// back as the same variant, and stored as the SQL ENUM literal (`ActiveEnum::to_value`).
async fn every_enum_value_roundtrips(db: &DatabaseConnection) {
    let mut seen: Vec<(&str, usize)> = Vec::new();

    let tree = seed::image_tree(db).await.unwrap();
    let creator = seed::creator(db).await.unwrap();

    project_external_values_roundtrip(db, &mut seen).await;
    patient_sex_values_roundtrip(db, &tree, &mut seen).await;
    image_instance_enum_values_roundtrip(db, &tree, &mut seen).await;
    form_enum_values_roundtrip(db, &tree, &creator, &mut seen).await;
    task_state_values_roundtrip(db, &creator, &mut seen).await;
    tag_type_values_roundtrip(db, &creator, &mut seen).await;
    let model_id = model_kind_values_roundtrip(db, &mut seen).await;
    segmentation_enum_values_roundtrip(db, &tree, &creator, model_id, &mut seen).await;
    attribute_enum_values_roundtrip(db, &tree, model_id, &mut seen).await;

    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("AttributeDataType", 4),
            ("DataRepresentation", 5),
            ("DataType", 5),
            ("EntityType", 5),
            ("EtdrsField", 7),
            ("External", 3),
            ("Laterality", 2),
            ("Modality", 15),
            ("ModalityType", 3),
            ("ModelKind", 2),
            ("Sex", 2),
            ("SubTaskState", 3),
            ("TagType", 5),
            ("TaskState", 5),
        ],
        "the 14 enums and their sizes"
    );
}

/// Asserts that `column` of the row `key = id` of `table` holds the SQL ENUM literal of `value`.
async fn check_stored<E: ActiveEnum<Value = String> + std::fmt::Debug>(
    db: &DatabaseConnection,
    table: &str,
    column: &str,
    key: &str,
    id: i32,
    value: E,
) {
    let (null, text) = stored_text(db, table, column, key, id).await;
    assert!(!null);
    assert_eq!(
        text.as_deref(),
        Some(value.to_value().as_str()),
        "{table}.{column} for {value:?}"
    );
}

/// Project.External: each value on a new project.
async fn project_external_values_roundtrip(
    db: &DatabaseConnection,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    for v in External::iter() {
        let p = project::ActiveModel {
            project_name: Set(seed::unique("enum")),
            external: Set(v),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = project::Entity::find_by_id(p.project_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.external, v);
        check_stored(db, "Project", "External", "ProjectID", p.project_id, v).await;
        n += 1;
    }
    seen.push(("External", n));
}

/// Patient.Sex: each value on a new patient of the tree's project.
async fn patient_sex_values_roundtrip(
    db: &DatabaseConnection,
    tree: &ImageTree,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    for v in Sex::iter() {
        let mut p = seed::patient(db, tree.project_id)
            .await
            .unwrap()
            .into_active_model();
        p.sex = Set(Some(v));
        let p = p.update(db).await.unwrap();
        let back = patient::Entity::find_by_id(p.patient_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.sex, Some(v));
        check_stored(db, "Patient", "Sex", "PatientID", p.patient_id, v).await;
        n += 1;
    }
    seen.push(("Sex", n));
}

/// ImageInstance.Laterality / Modality / DICOMModality / ETDRSField: each value on the tree's
/// image.
async fn image_instance_enum_values_roundtrip(
    db: &DatabaseConnection,
    tree: &ImageTree,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let id = tree.image_instance_id;
    let mut n = 0;
    for v in Laterality::iter() {
        let mut am = image(db, id).await.into_active_model();
        am.laterality = Set(v);
        am.update(db).await.unwrap();
        assert_eq!(image(db, id).await.laterality, v);
        check_stored(db, "ImageInstance", "Laterality", "ImageInstanceID", id, v).await;
        n += 1;
    }
    seen.push(("Laterality", n));
    let mut n = 0;
    for v in Modality::iter() {
        let mut am = image(db, id).await.into_active_model();
        am.modality = Set(Some(v));
        am.update(db).await.unwrap();
        assert_eq!(image(db, id).await.modality, Some(v));
        check_stored(db, "ImageInstance", "Modality", "ImageInstanceID", id, v).await;
        n += 1;
    }
    seen.push(("Modality", n));
    let mut n = 0;
    for v in ModalityType::iter() {
        let mut am = image(db, id).await.into_active_model();
        am.dicom_modality = Set(Some(v));
        am.update(db).await.unwrap();
        assert_eq!(image(db, id).await.dicom_modality, Some(v));
        check_stored(
            db,
            "ImageInstance",
            "DICOMModality",
            "ImageInstanceID",
            id,
            v,
        )
        .await;
        n += 1;
    }
    seen.push(("ModalityType", n));
    let mut n = 0;
    for v in EtdrsField::iter() {
        let mut am = image(db, id).await.into_active_model();
        am.etdrs_field = Set(Some(v));
        am.update(db).await.unwrap();
        assert_eq!(image(db, id).await.etdrs_field, Some(v));
        check_stored(db, "ImageInstance", "ETDRSField", "ImageInstanceID", id, v).await;
        n += 1;
    }
    seen.push(("EtdrsField", n));
}

/// FormSchema.EntityType on new form schemas, FormAnnotation.Laterality on new form annotations.
async fn form_enum_values_roundtrip(
    db: &DatabaseConnection,
    tree: &ImageTree,
    creator: &creator::Model,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    for v in EntityType::iter() {
        let s = form_schema::ActiveModel {
            schema_name: Set(seed::unique("enum")),
            entity_type: Set(Some(v)),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = form_schema::Entity::find_by_id(s.form_schema_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.entity_type, Some(v));
        check_stored(
            db,
            "FormSchema",
            "EntityType",
            "FormSchemaID",
            s.form_schema_id,
            v,
        )
        .await;
        n += 1;
    }
    seen.push(("EntityType", n));
    for v in Laterality::iter() {
        let mut f = seed::form_annotation(db, tree, creator.creator_id, None)
            .await
            .unwrap()
            .into_active_model();
        f.laterality = Set(Some(v));
        let f = f.update(db).await.unwrap();
        let back = form_annotation::Entity::find_by_id(f.form_annotation_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.laterality, Some(v));
        check_stored(
            db,
            "FormAnnotation",
            "Laterality",
            "FormAnnotationID",
            f.form_annotation_id,
            v,
        )
        .await;
    }
}

/// Task.TaskState on new tasks, SubTask.TaskState on new sub-tasks of the last of them.
async fn task_state_values_roundtrip(
    db: &DatabaseConnection,
    creator: &creator::Model,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    let mut last_task = 0;
    for v in TaskState::iter() {
        let mut t = seed::task(db, Some(creator.creator_id))
            .await
            .unwrap()
            .into_active_model();
        t.task_state = Set(v);
        let t = t.update(db).await.unwrap();
        let back = task::Entity::find_by_id(t.task_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.task_state, v);
        check_stored(db, "Task", "TaskState", "TaskID", t.task_id, v).await;
        last_task = t.task_id;
        n += 1;
    }
    seen.push(("TaskState", n));
    let mut n = 0;
    for v in SubTaskState::iter() {
        let s = sub_task::ActiveModel {
            task_id: Set(last_task),
            task_state: Set(v),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = sub_task::Entity::find_by_id(s.sub_task_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.task_state, v);
        check_stored(db, "SubTask", "TaskState", "SubTaskID", s.sub_task_id, v).await;
        n += 1;
    }
    seen.push(("SubTaskState", n));
}

/// Tag.TagType: each value on a new tag.
async fn tag_type_values_roundtrip(
    db: &DatabaseConnection,
    creator: &creator::Model,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    for v in TagType::iter() {
        let t = tag::ActiveModel {
            tag_name: Set(seed::unique("tag")),
            tag_type: Set(v),
            tag_description: Set(String::new()),
            creator_id: Set(creator.creator_id),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = tag::Entity::find_by_id(t.tag_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.tag_type, v);
        check_stored(db, "Tag", "TagType", "TagID", t.tag_id, v).await;
        n += 1;
    }
    seen.push(("TagType", n));
}

/// Model.ModelType (stores the lowercase values 'segmentation', 'attributes'): each value on a
/// new model. Returns the id of the last one.
async fn model_kind_values_roundtrip(
    db: &DatabaseConnection,
    seen: &mut Vec<(&'static str, usize)>,
) -> i32 {
    let mut n = 0;
    let mut model_id = 0;
    for v in ModelKind::iter() {
        let m = seed::model(db, v).await.unwrap();
        let back = model::Entity::find_by_id(m.model_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.model_type, v);
        check_stored(db, "Model", "ModelType", "ModelID", m.model_id, v).await;
        model_id = m.model_id;
        n += 1;
    }
    seen.push(("ModelKind", n));
    let stored: Vec<String> = ModelKind::iter().map(|v| v.to_value()).collect();
    assert_eq!(stored, ["segmentation", "attributes"]);
    model_id
}

/// Segmentation / ModelSegmentation .DataRepresentation and .DataType: each value on a new
/// segmentation and on a new model segmentation of model `model_id`.
async fn segmentation_enum_values_roundtrip(
    db: &DatabaseConnection,
    tree: &ImageTree,
    creator: &creator::Model,
    model_id: i32,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    for v in DataRepresentation::iter() {
        let mut s = seed::segmentation(db, tree, creator.creator_id, None)
            .await
            .unwrap()
            .into_active_model();
        s.data_representation = Set(v);
        let s = s.update(db).await.unwrap();
        let back = segmentation::Entity::find_by_id(s.segmentation_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.data_representation, v);
        check_stored(
            db,
            "Segmentation",
            "DataRepresentation",
            "SegmentationID",
            s.segmentation_id,
            v,
        )
        .await;
        let m = model_segmentation::ActiveModel {
            model_id: Set(model_id),
            image_instance_id: Set(tree.image_instance_id),
            data_representation: Set(v),
            data_type: Set(DataType::R8UI),
            depth: Set(1),
            height: Set(1),
            width: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = model_segmentation::Entity::find_by_id(m.model_segmentation_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.data_representation, v);
        check_stored(
            db,
            "ModelSegmentation",
            "DataRepresentation",
            "ModelSegmentationID",
            m.model_segmentation_id,
            v,
        )
        .await;
        n += 1;
    }
    seen.push(("DataRepresentation", n));
    let mut n = 0;
    for v in DataType::iter() {
        let mut s = seed::segmentation(db, tree, creator.creator_id, None)
            .await
            .unwrap()
            .into_active_model();
        s.data_type = Set(v);
        let s = s.update(db).await.unwrap();
        let back = segmentation::Entity::find_by_id(s.segmentation_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.data_type, v);
        check_stored(
            db,
            "Segmentation",
            "DataType",
            "SegmentationID",
            s.segmentation_id,
            v,
        )
        .await;
        let m = model_segmentation::ActiveModel {
            model_id: Set(model_id),
            image_instance_id: Set(tree.image_instance_id),
            data_representation: Set(DataRepresentation::Binary),
            data_type: Set(v),
            depth: Set(1),
            height: Set(1),
            width: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = model_segmentation::Entity::find_by_id(m.model_segmentation_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.data_type, v);
        check_stored(
            db,
            "ModelSegmentation",
            "DataType",
            "ModelSegmentationID",
            m.model_segmentation_id,
            v,
        )
        .await;
        n += 1;
    }
    seen.push(("DataType", n));
}

/// AttributeDefinition.AttributeDataType (stores the names 'String', ..., 'JSON') on new
/// attribute definitions; AttributeValue.Laterality on one attribute value of model `model_id`,
/// updated to each value.
async fn attribute_enum_values_roundtrip(
    db: &DatabaseConnection,
    tree: &ImageTree,
    model_id: i32,
    seen: &mut Vec<(&'static str, usize)>,
) {
    let mut n = 0;
    let mut attribute_id = 0;
    for v in AttributeDataType::iter() {
        let a = attribute_definition::ActiveModel {
            attribute_name: Set(seed::unique("attr")),
            attribute_data_type: Set(v),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let back = attribute_definition::Entity::find_by_id(a.attribute_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.attribute_data_type, v);
        check_stored(
            db,
            "AttributeDefinition",
            "AttributeDataType",
            "AttributeID",
            a.attribute_id,
            v,
        )
        .await;
        attribute_id = a.attribute_id;
        n += 1;
    }
    seen.push(("AttributeDataType", n));
    let stored: Vec<String> = AttributeDataType::iter().map(|v| v.to_value()).collect();
    assert_eq!(stored, ["String", "Float", "Int", "JSON"]);
    // (StudyID, AttributeID, ModelID) is unique: one row, updated to each value.
    let value = attribute_value::ActiveModel {
        attribute_id: Set(attribute_id),
        model_id: Set(model_id),
        study_id: Set(Some(tree.study_id)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for v in Laterality::iter() {
        let mut a = value.clone().into_active_model();
        a.laterality = Set(Some(v));
        let a = a.update(db).await.unwrap();
        let back = attribute_value::Entity::find_by_id(a.attribute_value_id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.laterality, Some(v));
        check_stored(
            db,
            "AttributeValue",
            "Laterality",
            "AttributeValueID",
            a.attribute_value_id,
            v,
        )
        .await;
    }
}

#[tokio::test]
async fn every_enum_value_roundtrips_on_mariadb() {
    let test = TestDb::migrated().await;
    every_enum_value_roundtrips(&test.connect().await).await;
}

#[tokio::test]
async fn every_enum_value_roundtrips_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    every_enum_value_roundtrips(&conn).await;
}

/// `DateInserted` (20 tables) and `FormAnnotation.DateModified` are filled by the server when the
/// insert leaves them out, as `ActiveModel::default()` does.
async fn server_defaults_fill_timestamps(db: &DatabaseConnection) {
    let before = server_now(db).await;
    let creator = seed::creator(db).await.unwrap();
    let tree = seed::image_tree(db).await.unwrap();
    let form = seed::form_annotation(db, &tree, creator.creator_id, None)
        .await
        .unwrap();
    let seg = seed::segmentation(db, &tree, creator.creator_id, None)
        .await
        .unwrap();
    let after = server_now(db).await;

    let creator = creator::Entity::find_by_id(creator.creator_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let image = image(db, tree.image_instance_id).await;
    let form = form_annotation::Entity::find_by_id(form.form_annotation_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let within = |t: NaiveDateTime| t >= before && t <= after;
    for (what, t) in [
        ("Creator.DateInserted", creator.date_inserted),
        ("ImageInstance.DateInserted", image.date_inserted),
        ("FormAnnotation.DateInserted", form.date_inserted),
        ("Segmentation.DateInserted", seg.date_inserted),
    ] {
        assert!(within(t), "{what} = {t}, not within {before} ..= {after}");
    }
    let modified = form
        .date_modified
        .expect("FormAnnotation.DateModified default");
    assert!(within(modified), "{modified}");
    // No server default there: the application sets these.
    assert_eq!(seg.date_modified, None);
    assert_eq!(image.date_modified, None);

    // An explicit value wins over the default.
    let explicit = datetime(2001, 2, 3, 4, 5, 6);
    let c = creator::ActiveModel {
        creator_name: Set(seed::unique("explicit")),
        is_human: Set(true),
        date_inserted: Set(explicit),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(c.date_inserted, explicit);
}

#[tokio::test]
async fn server_defaults_fill_timestamps_on_mariadb() {
    let test = TestDb::migrated().await;
    server_defaults_fill_timestamps(&test.connect().await).await;
}

#[tokio::test]
async fn server_defaults_fill_timestamps_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    server_defaults_fill_timestamps(&conn).await;
}

/// Checks one enum: its text forms (`ActiveEnum::to_value`, `Display`, `AsRef<str>`, serde,
/// `FromStr`) all agree, and the registry's SQL ENUM of each column using it lists exactly those
/// values in declaration order.
macro_rules! check_enum_text {
    ($e:ty, $($table:literal . $column:literal),+) => {{
        let values: Vec<String> = <$e>::iter().map(|v| v.to_value()).collect();
        for v in <$e>::iter() {
            let stored = v.to_value();
            assert_eq!(v.to_string(), stored, "Display of {v:?}");
            assert_eq!(<$e as AsRef<str>>::as_ref(&v), stored, "AsRef of {v:?}");
            assert_eq!(serde_json::to_value(v).unwrap(), json!(stored), "serde of {v:?}");
            assert_eq!(serde_json::from_value::<$e>(json!(stored)).unwrap(), v);
            assert_eq!(stored.parse::<$e>().ok(), Some(v), "FromStr of {stored}");
            assert_eq!(<$e>::try_from_value(&stored).ok(), Some(v));
        }
        assert!("no such value".parse::<$e>().is_err());
        let schema = eyened_orm::schema::entities();
        $(
            let column = schema
                .table($table)
                .and_then(|t| t.get_column($column))
                .unwrap_or_else(|| panic!("{}.{} not in the registry", $table, $column));
            assert_eq!(
                column.sql_type,
                eyened_orm::schema::SqlType::Enum(values.clone()),
                "{}.{}", $table, $column
            );
        )+
        values.len()
    }};
}

#[test]
fn enum_text_forms_agree_with_the_schema() {
    let sizes = [
        check_enum_text!(Sex, "Patient"."Sex"),
        check_enum_text!(External, "Project"."External"),
        check_enum_text!(
            Laterality,
            "ImageInstance"."Laterality",
            "FormAnnotation"."Laterality",
            "AttributeValue"."Laterality"
        ),
        check_enum_text!(ModalityType, "ImageInstance"."DICOMModality"),
        check_enum_text!(Modality, "ImageInstance"."Modality"),
        check_enum_text!(EtdrsField, "ImageInstance"."ETDRSField"),
        check_enum_text!(EntityType, "FormSchema"."EntityType"),
        check_enum_text!(SubTaskState, "SubTask"."TaskState"),
        check_enum_text!(TaskState, "Task"."TaskState"),
        check_enum_text!(TagType, "Tag"."TagType"),
        check_enum_text!(ModelKind, "Model"."ModelType"),
        check_enum_text!(
            DataRepresentation,
            "Segmentation"."DataRepresentation",
            "ModelSegmentation"."DataRepresentation"
        ),
        check_enum_text!(
            DataType,
            "Segmentation"."DataType",
            "ModelSegmentation"."DataType"
        ),
        check_enum_text!(AttributeDataType, "AttributeDefinition"."AttributeDataType"),
    ];
    assert_eq!(sizes, [2, 3, 2, 3, 15, 7, 5, 3, 5, 5, 2, 5, 5, 4]);
}
