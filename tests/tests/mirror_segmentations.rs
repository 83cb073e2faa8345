//! database-mirror-test with `copy_segmentation_data: true` on real MariaDB and real zarr
//! stores: every copied Segmentation and ModelSegmentation reads back from the target store,
//! through the target database's ZarrArrayIndex, equal to its source data; rows without data
//! stay without; nothing else of the rows changes; the source store is not written; and the
//! runs that cannot be right are refused before anything is touched.

mod mirror_support;

use std::collections::BTreeMap;
use std::path::Path;

use eyened_orm::enums::DataType;
use eyened_orm::files::{ArrayKey, SegmentationArray, SegmentationStore};
use eyened_orm::mirror::{MirrorConfig, MirrorError, Mode};
use eyened_orm::sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use eyened_orm::{Model, ModelSegmentation, Segmentation, model, model_segmentation, segmentation};
use mirror_support::{Db, TempDir, eyened_source, run, write_config};
use ndarray::{ArrayD, IxDyn};
use sea_orm::ConnectionTrait;

/// Deterministic data of a row's element type and shape, different for each `seed`.
fn data_for(key: &ArrayKey, seed: i64) -> SegmentationArray {
    let dims: Vec<usize> = key.shape.iter().map(|&n| n as usize).collect();
    let n: usize = dims.iter().product();
    let seed = seed.rem_euclid(1000) as usize;
    let values = (0..n).map(|i| (seed * 31 + i * 7) % 251);
    let shape = IxDyn(&dims);
    match key.data_type {
        DataType::R8 | DataType::R8UI => SegmentationArray::U8(
            ArrayD::from_shape_vec(shape, values.map(|v| v as u8).collect()).unwrap(),
        ),
        DataType::R16UI => SegmentationArray::U16(
            ArrayD::from_shape_vec(shape, values.map(|v| v as u16 * 257).collect()).unwrap(),
        ),
        DataType::R32UI => SegmentationArray::U32(
            ArrayD::from_shape_vec(shape, values.map(|v| v as u32 * 65537).collect()).unwrap(),
        ),
        DataType::R32F => SegmentationArray::F32(
            ArrayD::from_shape_vec(shape, values.map(|v| v as f32 / 3.0).collect()).unwrap(),
        ),
    }
}

/// Small shapes for the generated rows, then data for every row with a ZarrArrayIndex, each
/// after a junk element, so source indices differ from the ones a copy assigns.
async fn fill_source_store(source: &Db, store: &SegmentationStore) -> (usize, usize) {
    let conn = source.connect().await;
    conn.execute_unprepared(
        "UPDATE Segmentation SET Depth = 1 + SegmentationID % 2, Height = 3, Width = 4 + SegmentationID % 3; \
         UPDATE ModelSegmentation SET Depth = 1, Height = 2 + ModelSegmentationID % 2, Width = 5",
    )
    .await
    .unwrap();
    let models: BTreeMap<i32, Model> = model::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.model_id, m))
        .collect();
    let mut with_data = (0, 0);
    for seg in segmentation::Entity::find().all(&conn).await.unwrap() {
        if seg.zarr_array_index.is_none() {
            continue;
        }
        let key = seg.array_key();
        store.write_any(&key, None, &data_for(&key, -1)).unwrap();
        let index = store
            .write_any(&key, None, &data_for(&key, seg.segmentation_id.into()))
            .unwrap();
        let mut row = seg.into_active_model();
        row.zarr_array_index = Set(Some(index as i32));
        row.update(&conn).await.unwrap();
        with_data.0 += 1;
    }
    for seg in model_segmentation::Entity::find().all(&conn).await.unwrap() {
        if seg.zarr_array_index.is_none() {
            continue;
        }
        let key = seg.array_key(models.get(&seg.model_id));
        store.write_any(&key, None, &data_for(&key, -1)).unwrap();
        let index = store
            .write_any(
                &key,
                None,
                &data_for(&key, 10_000 + i64::from(seg.model_segmentation_id)),
            )
            .unwrap();
        let mut row = seg.into_active_model();
        row.zarr_array_index = Set(Some(index as i32));
        row.update(&conn).await.unwrap();
        with_data.1 += 1;
    }
    let _ = conn.close().await;
    with_data
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[tokio::test]
async fn copied_segmentations_read_back_equal_from_the_target_store() {
    let (source, _) = eyened_source(4, 23).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let source_store_path = dir.path().join("source.zarr");
    let source_store = SegmentationStore::open(&source_store_path).unwrap();
    let (seg_rows, model_rows) = fill_source_store(&source, &source_store).await;
    assert!(seg_rows > 5 && model_rows > 2, "{seg_rows} {model_rows}");
    let before = snapshot(&source_store_path);

    // The target side names its store in an env file, the source side in the YAML.
    let server = mirror_support::server();
    std::fs::write(
        dir.path().join("target.env"),
        format!(
            "DATABASE_URL=mysql://{}@{}:{}/{}\nSEGMENTATIONS_ZARR_STORE={}\n",
            server.user(),
            server.host(),
            server.port(),
            target.name,
            dir.path().join("target.zarr").display()
        ),
    )
    .unwrap();
    let text = format!(
        "source:\n  database: {}\n  segmentations_zarr_store: source.zarr\ntarget:\n  env_file: target.env\n\
         copy_objects:\n  - {{table: Patient, clause: 'PatientID IN (1, 3)'}}\ncopy_segmentation_data: true\n",
        mirror_support::database_yaml(&server, &source.name)
    );
    let config = dir.path().join("with-data.yml");
    std::fs::write(&config, text).unwrap();
    let parsed = MirrorConfig::load(&config).unwrap();
    assert_eq!(
        parsed.target.segmentations_zarr_store.as_deref(),
        Some(dir.path().join("target.zarr").as_path())
    );

    let outcome = run(Mode::Test, &config, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = outcome.summary.expect("a run");
    assert!(summary.phases.iter().any(|p| p.name == "segmentations"));
    assert!(
        outcome
            .plan
            .notes
            .iter()
            .any(|n| n.contains("copy_segmentation_data")),
        "{:?}",
        outcome.plan.notes
    );

    let src = source.connect().await;
    let dst = target.connect().await;
    let target_store = SegmentationStore::open_read_only(dir.path().join("target.zarr")).unwrap();
    let models: BTreeMap<i32, Model> = model::Entity::find()
        .all(&src)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.model_id, m))
        .collect();

    let mut copied = 0;
    let mut target_keys = Vec::new();
    let copies: Vec<Segmentation> = segmentation::Entity::find().all(&dst).await.unwrap();
    assert!(!copies.is_empty());
    for copy in &copies {
        let original = segmentation::Entity::find_by_id(copy.segmentation_id)
            .one(&src)
            .await
            .unwrap()
            .expect("a copied row exists in the source");
        let mut same = copy.clone();
        same.zarr_array_index = original.zarr_array_index;
        assert_eq!(same, original, "only ZarrArrayIndex may change");
        match (original.zarr_array_index, copy.zarr_array_index) {
            (None, None) => {}
            (Some(from), Some(to)) => {
                let key = original.array_key();
                assert_eq!(
                    target_store.read_any(&key, to.into()).unwrap(),
                    source_store.read_any(&key, from.into()).unwrap(),
                    "Segmentation {}",
                    copy.segmentation_id
                );
                target_keys.push(key);
                copied += 1;
            }
            other => panic!("Segmentation {}: {other:?}", copy.segmentation_id),
        }
    }
    let model_copies: Vec<ModelSegmentation> =
        model_segmentation::Entity::find().all(&dst).await.unwrap();
    assert!(!model_copies.is_empty());
    for copy in &model_copies {
        let original = model_segmentation::Entity::find_by_id(copy.model_segmentation_id)
            .one(&src)
            .await
            .unwrap()
            .expect("a copied row exists in the source");
        let mut same = copy.clone();
        same.zarr_array_index = original.zarr_array_index;
        assert_eq!(same, original, "only ZarrArrayIndex may change");
        if let (Some(from), Some(to)) = (original.zarr_array_index, copy.zarr_array_index) {
            let key = original.array_key(models.get(&original.model_id));
            assert!(key.group.starts_with("model_"), "{}", key.group);
            assert_eq!(
                target_store.read_any(&key, to.into()).unwrap(),
                source_store.read_any(&key, from.into()).unwrap(),
                "ModelSegmentation {}",
                copy.model_segmentation_id
            );
            target_keys.push(key);
            copied += 1;
        } else {
            assert_eq!(original.zarr_array_index, copy.zarr_array_index);
        }
    }
    assert!(copied >= 2, "the subset has segmentations with data");
    // The target store holds exactly the copied elements: appended, nothing else.
    target_keys.sort_by_key(|k| k.display());
    // R8 and R8UI share the uint8 arrays.
    target_keys.dedup_by_key(|k| k.display());
    let elements: u64 = target_keys
        .iter()
        .map(|k| target_store.len(k).unwrap())
        .sum();
    assert_eq!(elements, copied as u64);
    assert!(copied < seg_rows + model_rows, "a subset, not everything");
    assert_eq!(
        snapshot(&source_store_path),
        before,
        "the source store was written"
    );
    let _ = (src.close().await, dst.close().await);
}

#[tokio::test]
async fn runs_that_cannot_be_self_consistent_are_refused_before_anything_is_touched() {
    let (source, _) = eyened_source(1, 5).await;
    let target = Db::named("t");
    let dir = TempDir::new();
    let store = SegmentationStore::open(dir.path().join("store.zarr")).unwrap();
    fill_source_store(&source, &store).await;
    let before = snapshot(&dir.path().join("store.zarr"));
    let objects =
        "copy_objects: [{table: Patient, clause: {PatientID: 1}}]\ncopy_segmentation_data: true\n";
    let with_stores = |source_store: &str, target_store: Option<&str>| {
        let server = mirror_support::server();
        let mut text = format!(
            "source:\n  database: {}\n  segmentations_zarr_store: {source_store}\ntarget:\n  database: {}\n",
            mirror_support::database_yaml(&server, &source.name),
            mirror_support::database_yaml(&server, &target.name),
        );
        if let Some(t) = target_store {
            text.push_str(&format!("  segmentations_zarr_store: {t}\n"));
        }
        text + objects
    };
    let cases = [
        (
            "no-target.yml",
            with_stores("store.zarr", None),
            "target.segmentations_zarr_store",
        ),
        (
            "same.yml",
            with_stores("store.zarr", Some("./sub/../store.zarr")),
            "same directory",
        ),
        (
            "missing-source.yml",
            with_stores("nowhere.zarr", Some("target.zarr")),
            "no segmentation zarr store",
        ),
    ];
    for (file, text, expected) in cases {
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let config = dir.path().join(file);
        std::fs::write(&config, text).unwrap();
        let err = run(Mode::Test, &config, |_| {}).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{file}: {err}");
        assert!(
            matches!(err, MirrorError::Config { .. } | MirrorError::Refused(_)),
            "{file}: {err:?}"
        );
        assert!(
            !target.exists(&target.name).await,
            "{file}: the target was created"
        );
        assert!(
            !dir.path().join("target.zarr").exists(),
            "{file}: a store was created"
        );
    }
    assert_eq!(snapshot(&dir.path().join("store.zarr")), before);

    // A row whose data is missing from the source store fails the run after staging, and the
    // target database is left as it was (here: not created).
    let conn = source.connect().await;
    conn.execute_unprepared(
        "UPDATE Segmentation SET ZarrArrayIndex = 999 WHERE SegmentationID = \
         (SELECT MIN(SegmentationID) FROM (SELECT SegmentationID FROM Segmentation) s)",
    )
    .await
    .unwrap();
    let _ = conn.close().await;
    let config = dir.path().join("broken-source.yml");
    std::fs::write(&config, with_stores("store.zarr", Some("target.zarr"))).unwrap();
    let err = run(Mode::Test, &config, |_| {}).await.unwrap_err();
    assert!(matches!(err, MirrorError::SegmentationData(_)), "{err:?}");
    assert!(err.to_string().contains("ZarrArrayIndex 999"), "{err}");
    assert!(!target.exists(&target.name).await, "the target was created");
    assert!(
        !target
            .exists(&format!("{}__eorm_staging", target.name))
            .await,
        "the staging database was left behind"
    );
    assert_eq!(snapshot(&dir.path().join("store.zarr")), before);

    // Without copy_segmentation_data the stores are not needed.
    let config = write_config(
        dir.path(),
        "plain.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Patient, clause: {PatientID: 1}}]\n",
    );
    run(Mode::Test, &config, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
