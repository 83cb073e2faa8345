//! `eorm update-hashes` end to end: images of every kind on disk, their rows in a migrated
//! database, the hashes written compared with what the Python platform computes.

use eyened_orm::image_instance;
use eyened_orm_tests::files::{TempDir, make_images};
use eyened_orm_tests::{TestDb, eorm, output_text, seed};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

/// The hash columns and DateModified of every image, by id.
async fn hash_columns(
    conn: &sea_orm::DatabaseConnection,
) -> Vec<(i32, String, Option<Vec<u8>>, Option<Vec<u8>>, bool)> {
    image_instance::Entity::find()
        .order_by_asc(image_instance::Column::ImageInstanceId)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            (
                m.image_instance_id,
                m.dataset_identifier,
                m.file_checksum,
                m.data_hash,
                m.date_modified.is_some(),
            )
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    eyened_orm::files::hashes::hex(bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn update_hashes_fills_what_is_missing_and_counts_what_fails() {
    let dir = TempDir::new("eorm-update-hashes");
    let images = dir.0.join("images");
    std::fs::create_dir_all(&images).unwrap();
    let refs = make_images(&images);
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let tree = seed::image_tree(&conn).await.unwrap();

    // One row per test image (every third inactive), then two whose hashes are partly or wholly
    // known already.
    for (i, r) in refs.iter().enumerate() {
        image_instance::ActiveModel {
            series_id: Set(tree.series_id),
            source_info_id: Set(tree.source_info_id),
            device_instance_id: Set(tree.device_instance_id),
            modality_id: Set(tree.modality_id),
            laterality: Set(eyened_orm::Laterality::R),
            dataset_identifier: Set(r.identifier.clone()),
            rows_y: Set(r.rows),
            columns_x: Set(r.columns),
            nr_of_frames: Set(r.frames),
            inactive: Set(i % 3 == 0),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .unwrap();
    }
    let known_checksum = b"sixteen raw byte".to_vec();
    let partly = image_instance::ActiveModel {
        series_id: Set(tree.series_id),
        source_info_id: Set(tree.source_info_id),
        device_instance_id: Set(tree.device_instance_id),
        modality_id: Set(tree.modality_id),
        laterality: Set(eyened_orm::Laterality::L),
        dataset_identifier: Set("l8.png".into()),
        // The same file under another source: the unique key is per source.
        file_checksum: Set(Some(known_checksum.clone())),
        inactive: Set(false),
        ..Default::default()
    };
    let source2 = eyened_orm::source_info::ActiveModel {
        source_name: Set("second".into()),
        source_path: Set("/second".into()),
        thumbnail_path: Set("/second-thumbs".into()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();
    let partly = image_instance::ActiveModel {
        source_info_id: Set(source2.source_info_id),
        ..partly
    }
    .insert(&conn)
    .await
    .unwrap();
    let complete = image_instance::ActiveModel {
        series_id: Set(tree.series_id),
        source_info_id: Set(source2.source_info_id),
        device_instance_id: Set(tree.device_instance_id),
        modality_id: Set(tree.modality_id),
        laterality: Set(eyened_orm::Laterality::L),
        dataset_identifier: Set("rgb.png".into()),
        file_checksum: Set(Some(known_checksum.clone())),
        data_hash: Set(Some(b"not a real hash".to_vec())),
        inactive: Set(false),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();

    let env = dir.0.join("test.env");
    std::fs::write(
        &env,
        format!(
            "DATABASE_URL={}\nIMAGES_BASEPATH={}\n",
            db.url(),
            images.display()
        ),
    )
    .unwrap();
    let env = env.to_str().unwrap();
    let out = eorm(&[
        "update-hashes",
        "-e",
        env,
        "--print-errors",
        "--no-progress",
    ]);
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);

    // The seed image (no file), missing.png (both values), ragged.binary (pixels) and the three
    // PNG series (no single file to checksum) fail; everything else is updated.
    let failed_images = 1 + 1 + 1 + 3;
    let errors = 2 + 2 + 1 + 3;
    let found = refs.len() + 1 /* seed image */ + 1 /* partly */;
    let summary = stdout.lines().last().unwrap();
    let expected = format!(
        "Updated hashes for {} of {found} images; {failed_images} failed ({errors} errors) in ",
        found - 2
    );
    assert!(
        summary.starts_with(&expected),
        "expected {expected}...\n{text}"
    );
    let rows = hash_columns(&conn).await;
    for r in &refs {
        let (_, _, checksum, data_hash, modified) = rows
            .iter()
            .find(|row| row.1 == r.identifier && row.0 != partly.image_instance_id)
            .unwrap();
        assert_eq!(
            checksum.as_deref().map(hex),
            r.file_checksum,
            "{}",
            r.identifier
        );
        let data_hash = data_hash
            .as_deref()
            .map(|h| String::from_utf8(h.to_vec()).unwrap());
        assert_eq!(data_hash, r.data_hash, "{}", r.identifier);
        assert_eq!(
            *modified,
            checksum.is_some() || data_hash.is_some(),
            "{}: DateModified is set by an update",
            r.identifier
        );
    }
    let missing_id = rows.iter().find(|row| row.1 == "missing.png").unwrap().0;
    let missing = images.join("missing.png");
    for kind in ["file checksum", "data hash"] {
        let line = format!(
            "Error calculating {kind} for ImageInstanceID={missing_id}: {}: no such file; \
             check IMAGES_BASEPATH and the DatasetIdentifier",
            missing.display()
        );
        assert!(stdout.lines().any(|l| l == line), "{line}\n{text}");
    }
    assert!(
        stdout.contains("ragged.binary: 100 bytes is not a whole number of 16x24 frames"),
        "{text}"
    );
    assert_eq!(stdout.lines().count(), errors + 1, "{text}");

    let l8 = refs.iter().find(|r| r.identifier == "l8.png").unwrap();
    let partly_row = rows
        .iter()
        .find(|row| row.0 == partly.image_instance_id)
        .unwrap();
    assert_eq!(partly_row.2.as_deref(), Some(&known_checksum[..]), "kept");
    assert_eq!(
        partly_row.3.as_deref(),
        l8.data_hash.as_ref().map(|h| h.as_bytes())
    );
    let complete_row = rows
        .iter()
        .find(|row| row.0 == complete.image_instance_id)
        .unwrap();
    assert_eq!(
        (complete_row.3.as_deref(), complete_row.4),
        (Some(&b"not a real hash"[..]), false),
        "an image with both hashes is not touched"
    );

    // A second run finds only the failures again, and changes nothing.
    let out = eorm(&["update-hashes", "-e", env, "--no-progress", "--json"]);
    assert!(out.status.success(), "{}", output_text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["found"], failed_images as u64, "{json}");
    assert_eq!(json["updated"], 0, "{json}");
    assert_eq!(
        json["failures"].as_array().map(Vec::len),
        Some(errors),
        "{json}"
    );
    assert_eq!(hash_columns(&conn).await, rows);

    let _ = conn.close().await;
}
