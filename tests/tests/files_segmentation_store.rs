//! The segmentation zarr store on real files: dense and sparse writes, reads, the errors of
//! section 7 of the catalog (index bounds, shape, dtype), deletes, the ScanIndices rules, and
//! interop with zarr-python both ways.

use eyened_orm::enums::{DataRepresentation, DataType, ModelKind};
use eyened_orm::files::{
    ArrayKey, SegmentationArray, SegmentationStore, SegmentationStoreError, SliceWrite,
};
use eyened_orm::{Model, ModelSegmentation, Segmentation};
use eyened_orm_tests::{TempDir, run_python};
use ndarray::{ArrayD, IxDyn};
use serde_json::json;

fn counting<T: Copy>(shape: &[usize], f: impl Fn(usize) -> T) -> ArrayD<T> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(f).collect()).unwrap()
}

fn segmentation(data_type: DataType, shape: [i32; 3]) -> Segmentation {
    Segmentation {
        segmentation_id: 1,
        creator_id: 1,
        feature_id: 1,
        sub_task_id: None,
        date_inserted: chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        date_modified: None,
        inactive: false,
        zarr_array_index: None,
        image_instance_id: 1,
        data_representation: DataRepresentation::Binary,
        depth: shape[0],
        height: shape[1],
        width: shape[2],
        sparse_axis: None,
        image_projection_matrix: None,
        scan_indices: None,
        data_type,
        threshold: None,
        reference_segmentation_id: None,
    }
}

fn model_segmentation(data_type: DataType, shape: [i32; 3]) -> ModelSegmentation {
    let s = segmentation(data_type, shape);
    ModelSegmentation {
        model_segmentation_id: 1,
        model_id: 1,
        date_inserted: s.date_inserted,
        zarr_array_index: None,
        image_instance_id: 1,
        data_representation: DataRepresentation::Probability,
        depth: s.depth,
        height: s.height,
        width: s.width,
        sparse_axis: None,
        image_projection_matrix: None,
        scan_indices: None,
        data_type,
        threshold: None,
        reference_segmentation_id: None,
    }
}

fn model(name: &str, version: &str) -> Model {
    Model {
        model_id: 1,
        model_name: name.into(),
        version: version.into(),
        model_type: ModelKind::Segmentation,
        description: None,
        date_inserted: chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    }
}

#[test]
fn names_follow_the_platform() {
    let mut seg = segmentation(DataType::R32F, [128, 885, 512]);
    assert_eq!(seg.groupname(), "DataRepresentation.Binary");
    assert_eq!(seg.array_key().array_name(), "float32_128_885_512.zarr");
    seg.data_representation = DataRepresentation::MultiClass;
    seg.data_type = DataType::R8;
    assert_eq!(
        seg.array_key().display(),
        "DataRepresentation.MultiClass/uint8_128_885_512.zarr"
    );
    let ms = model_segmentation(DataType::R16UI, [1, 1024, 1024]);
    assert_eq!(
        ms.groupname(Some(&model("vessels", "2.1"))),
        "model_vessels_2.1"
    );
    assert_eq!(ms.groupname(None), "model_name_unknown");
    assert_eq!(ms.array_key(None).array_name(), "uint16_1_1024_1024.zarr");
    for (dt, name) in [(DataType::R8UI, "uint8"), (DataType::R32UI, "uint32")] {
        assert_eq!(
            ArrayKey::new("g", dt, [1, 2, 3]).array_name(),
            format!("{name}_1_2_3.zarr")
        );
    }
}

#[test]
fn dense_writes_append_overwrite_and_read_back() {
    let dir = TempDir::new("seg-dense");
    let store = SegmentationStore::open(dir.join("store.zarr")).unwrap();
    let key = ArrayKey::new("DataRepresentation.Binary", DataType::R8UI, [2, 3, 4]);
    assert_eq!(store.len(&key).unwrap(), 0);
    let a = counting(&[2, 3, 4], |i| i as u8);
    let b = counting(&[2, 3, 4], |i| 100 + i as u8);
    assert_eq!(store.write(&key, None, a.view()).unwrap(), 0);
    assert_eq!(store.write(&key, None, b.view()).unwrap(), 1);
    assert_eq!(store.len(&key).unwrap(), 2);
    assert_eq!(store.read::<u8>(&key, 0).unwrap(), a);
    assert_eq!(store.read::<u8>(&key, 1).unwrap(), b);

    let c = counting(&[2, 3, 4], |i| 200 - i as u8);
    assert_eq!(store.write(&key, Some(0), c.view()).unwrap(), 0);
    assert_eq!(store.len(&key).unwrap(), 2, "an overwrite does not append");
    assert_eq!(store.read::<u8>(&key, 0).unwrap(), c);
    assert_eq!(store.read::<u8>(&key, 1).unwrap(), b);

    // Every element type of the DataType enum, and the model's own group.
    let mut ms = model_segmentation(DataType::R32F, [1, 2, 2]);
    let m = model("vessels", "1");
    let f = counting(&[1, 2, 2], |i| i as f32 * 0.25);
    assert_eq!(ms.write_data(&store, Some(&m), f.view()).unwrap(), 0);
    assert_eq!(ms.zarr_array_index, Some(0));
    assert_eq!(ms.read_data::<f32>(&store, Some(&m)).unwrap(), Some(f));
    for (dt, data) in [
        (
            DataType::R16UI,
            SegmentationArray::U16(counting(&[1, 2, 2], |i| 60000 + i as u16)),
        ),
        (
            DataType::R32UI,
            SegmentationArray::U32(counting(&[1, 2, 2], |i| 4_000_000_000 + i as u32)),
        ),
        (
            DataType::R8,
            SegmentationArray::U8(counting(&[1, 2, 2], |i| 250 + i as u8)),
        ),
    ] {
        let key = ArrayKey::new("DataRepresentation.MultiLabel", dt, [1, 2, 2]);
        let i = store.write_any(&key, None, &data).unwrap();
        assert_eq!(store.read_any(&key, i).unwrap(), data);
    }
    let tree = store.tree().unwrap();
    let names: Vec<_> = tree.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "DataRepresentation.Binary",
            "DataRepresentation.MultiLabel",
            "model_vessels_1"
        ]
    );
    assert_eq!(tree[0].arrays[0].shape, [2, 2, 3, 4]);
    assert_eq!(tree[0].arrays[0].chunks, [1, 2, 3, 4]);
    assert_eq!(tree[0].arrays[0].dtype, "uint8");
}

#[test]
fn out_of_range_index_shape_and_dtype_are_refused() {
    let dir = TempDir::new("seg-errors");
    let store = SegmentationStore::open(dir.join("store.zarr")).unwrap();
    let key = ArrayKey::new("DataRepresentation.Binary", DataType::R8, [1, 3, 4]);
    let ok = ArrayD::<u8>::ones(IxDyn(&[1, 3, 4]));
    store.write(&key, None, ok.view()).unwrap();

    let err = store.write(&key, Some(1), ok.view()).unwrap_err();
    assert!(
        matches!(
            err,
            SegmentationStoreError::IndexOutOfRange {
                index: 1,
                len: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("ZarrArrayIndex 1") && err.to_string().contains("1 elements"),
        "{err}"
    );
    let err = store.write(&key, Some(-1), ok.view()).unwrap_err();
    assert!(
        matches!(
            err,
            SegmentationStoreError::IndexOutOfRange { index: -1, .. }
        ),
        "{err}"
    );
    let err = store.read::<u8>(&key, 5).unwrap_err();
    assert!(
        matches!(
            err,
            SegmentationStoreError::IndexOutOfRange {
                index: 5,
                len: 1,
                ..
            }
        ),
        "{err}"
    );

    let err = store
        .write(&key, None, ArrayD::<u8>::ones(IxDyn(&[1, 4, 3])).view())
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::ShapeMismatch { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("[1, 4, 3]"), "{err}");
    let err = store
        .write(&key, None, ArrayD::<u16>::ones(IxDyn(&[1, 3, 4])).view())
        .unwrap_err();
    assert!(
        matches!(
            err,
            SegmentationStoreError::DtypeMismatch {
                actual: "uint16",
                ..
            }
        ),
        "{err}"
    );
    let err = store.read::<f32>(&key, 0).unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::DtypeMismatch { .. }),
        "{err}"
    );
    let err = store
        .write(&key, None, ArrayD::<u8>::ones(IxDyn(&[3, 4])).view())
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::NeedsAxis { .. }),
        "{err}"
    );

    let slice = ArrayD::<u8>::ones(IxDyn(&[3, 4]));
    let err = store
        .write_slice(&key, Some(0), 3, 0, slice.view())
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::InvalidAxis { axis: 3 }),
        "{err}"
    );
    let err = store
        .write_slice(&key, Some(0), 0, 1, slice.view())
        .unwrap_err();
    assert!(
        matches!(
            err,
            SegmentationStoreError::SliceOutOfRange {
                slice_index: 1,
                len: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = store
        .write_slice(&key, Some(0), 1, 0, slice.view())
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::ShapeMismatch { .. }),
        "{err}"
    );
    assert_eq!(
        store.len(&key).unwrap(),
        1,
        "no refused write changed the array"
    );
    assert_eq!(store.read::<u8>(&key, 0).unwrap(), ok);
}

#[test]
fn slice_writes_append_a_zeroed_element_and_change_one_slice() {
    let dir = TempDir::new("seg-slices");
    let store = SegmentationStore::open(dir.join("store.zarr")).unwrap();
    let key = ArrayKey::new("DataRepresentation.DualBitMask", DataType::R16UI, [3, 4, 5]);
    let across_height = counting(&[3, 5], |i| 1 + i as u16);
    let index = store
        .write_slice(&key, None, 1, 2, across_height.view())
        .unwrap();
    assert_eq!(index, 0);
    let whole = store.read::<u16>(&key, 0).unwrap();
    for ((d, h, w), v) in whole.indexed_iter().map(|(i, v)| ((i[0], i[1], i[2]), *v)) {
        let expected = if h == 2 { across_height[[d, w]] } else { 0 };
        assert_eq!(v, expected, "at {d},{h},{w}");
    }
    assert_eq!(
        store.read_slice::<u16>(&key, 0, 1, 2).unwrap(),
        across_height
    );

    let across_depth = counting(&[4, 5], |i| 500 + i as u16);
    assert_eq!(
        store
            .write_slice(&key, Some(0), 0, 1, across_depth.view())
            .unwrap(),
        0
    );
    assert_eq!(
        store.read_slice::<u16>(&key, 0, 0, 1).unwrap(),
        across_depth
    );
    let height_slice = store.read_slice::<u16>(&key, 0, 1, 2).unwrap();
    assert_eq!(
        height_slice.index_axis(ndarray::Axis(0), 0),
        across_height.index_axis(ndarray::Axis(0), 0),
        "depth 0 keeps the first write"
    );
    assert_eq!(store.len(&key).unwrap(), 1);
}

#[test]
fn delete_zeroes_one_element_and_keeps_the_others() {
    let dir = TempDir::new("seg-delete");
    let store = SegmentationStore::open(dir.join("store.zarr")).unwrap();
    let mut first = segmentation(DataType::R32UI, [1, 3, 3]);
    let mut second = segmentation(DataType::R32UI, [1, 3, 3]);
    let a = counting(&[1, 3, 3], |i| 7 + i as u32);
    first.write_data(&store, a.view()).unwrap();
    second.write_data(&store, a.view()).unwrap();
    assert_eq!(second.zarr_array_index, Some(1));
    assert!(first.delete_data(&store).unwrap());
    assert_eq!(
        first.read_data::<u32>(&store).unwrap(),
        Some(ArrayD::zeros(IxDyn(&[1, 3, 3])))
    );
    assert_eq!(second.read_data::<u32>(&store).unwrap(), Some(a));
    assert_eq!(
        store.len(&first.array_key()).unwrap(),
        2,
        "nothing is compacted"
    );
    let err = store
        .delete(
            &ArrayKey::new("DataRepresentation.Binary", DataType::R8, [1, 9, 9]),
            0,
        )
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::IndexOutOfRange { len: 0, .. }),
        "{err}"
    );
    assert_eq!(
        store.tree().unwrap()[0].arrays.len(),
        1,
        "a delete created no array"
    );
    let unwritten = segmentation(DataType::R32UI, [1, 3, 3]);
    assert!(!unwritten.delete_data(&store).unwrap());
    assert_eq!(unwritten.read_data::<u32>(&store).unwrap(), None);
}

#[test]
fn scan_indices_grow_only_for_sparse_writes_along_the_sparse_axis() {
    let dir = TempDir::new("seg-scan");
    let store = SegmentationStore::open(dir.join("store.zarr")).unwrap();
    let slice = ArrayD::<u8>::ones(IxDyn(&[4, 5]));
    let at = |axis, slice_index| SliceWrite { axis, slice_index };

    let mut sparse = segmentation(DataType::R8UI, [3, 4, 5]);
    sparse.sparse_axis = Some(0);
    sparse.scan_indices = Some(json!([]));
    sparse
        .write_slice(&store, at(0, Some(2)), slice.view())
        .unwrap();
    assert_eq!(sparse.scan_indices, Some(json!([2])));
    assert_eq!(sparse.zarr_array_index, Some(0));
    sparse
        .write_slice(&store, at(0, Some(2)), slice.view())
        .unwrap();
    assert_eq!(sparse.scan_indices, Some(json!([2])), "no duplicates");
    sparse
        .write_slice(&store, at(0, Some(0)), slice.view())
        .unwrap();
    assert_eq!(sparse.scan_indices, Some(json!([2, 0])));
    sparse
        .write_slice(
            &store,
            at(1, Some(1)),
            ArrayD::<u8>::ones(IxDyn(&[3, 5])).view(),
        )
        .unwrap();
    assert_eq!(sparse.scan_indices, Some(json!([2, 0])), "another axis");
    // A projection (no slice index) goes to slice 0 and leaves ScanIndices alone.
    let mut projection = segmentation(DataType::R8UI, [3, 4, 5]);
    projection.sparse_axis = Some(0);
    projection.scan_indices = Some(json!([]));
    let two = ArrayD::<u8>::from_elem(IxDyn(&[4, 5]), 2);
    projection
        .write_slice(&store, at(0, None), two.view())
        .unwrap();
    assert_eq!(projection.scan_indices, Some(json!([])));
    assert_eq!(
        projection.read_slice::<u8>(&store, 0, 0).unwrap(),
        Some(two)
    );
    assert_eq!(projection.zarr_array_index, Some(1));

    let mut dense = segmentation(DataType::R8UI, [3, 4, 5]);
    dense.sparse_axis = Some(0);
    dense
        .write_slice(&store, at(0, Some(1)), slice.view())
        .unwrap();
    assert_eq!(dense.scan_indices, None, "NULL ScanIndices stays NULL");
    let mut not_sparse = segmentation(DataType::R8UI, [3, 4, 5]);
    not_sparse.scan_indices = Some(json!([]));
    not_sparse
        .write_slice(&store, at(0, Some(1)), slice.view())
        .unwrap();
    assert_eq!(not_sparse.scan_indices, Some(json!([])), "no SparseAxis");
}

#[test]
fn read_only_open_needs_an_existing_store() {
    let dir = TempDir::new("seg-open");
    let err = SegmentationStore::open_read_only(dir.join("missing.zarr")).unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::NotFound { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("does not exist"), "{err}");
    std::fs::create_dir(dir.join("plain")).unwrap();
    let err = SegmentationStore::open_read_only(dir.join("plain")).unwrap_err();
    assert!(err.to_string().contains("zarr.json"), "{err}");
    assert!(!dir.join("missing.zarr").exists());

    SegmentationStore::open(dir.join("made.zarr")).unwrap();
    assert!(
        dir.join("made.zarr/zarr.json").is_file(),
        "open creates the store"
    );
    let ro = SegmentationStore::open_read_only(dir.join("made.zarr")).unwrap();
    let key = ArrayKey::new("g", DataType::R8, [1, 1, 1]);
    let err = ro
        .write(&key, None, ArrayD::<u8>::ones(IxDyn(&[1, 1, 1])).view())
        .unwrap_err();
    assert!(
        matches!(err, SegmentationStoreError::ReadOnly { .. }),
        "{err}"
    );
}

const PY_READ: &str = r#"
import json, sys, zarr
root = zarr.open_group(sys.argv[1], mode="r")
out = {}
for group, name, i in json.loads(sys.argv[2]):
    arr = root[group][name]
    out[f"{group}/{name}/{i}"] = {"data": arr[i].tolist(), "dtype": str(arr.dtype),
                                  "chunks": list(arr.chunks), "len": arr.shape[0]}
print(json.dumps(out))
"#;

#[test]
fn python_reads_what_rust_wrote() {
    let dir = TempDir::new("seg-rust-to-py");
    let path = dir.join("store.zarr");
    let store = SegmentationStore::open(&path).unwrap();
    let mut seg = segmentation(DataType::R8UI, [2, 3, 4]);
    let a = counting(&[2, 3, 4], |i| (i * 7 % 256) as u8);
    seg.write_data(&store, a.view()).unwrap();
    let mut sparse = segmentation(DataType::R8UI, [2, 3, 4]);
    let slice = counting(&[2, 4], |i| 9 + i as u8);
    sparse
        .write_slice(
            &store,
            SliceWrite {
                axis: 1,
                slice_index: Some(1),
            },
            slice.view(),
        )
        .unwrap();
    let mut ms = model_segmentation(DataType::R32F, [1, 2, 3]);
    let m = model("disc", "3");
    let f = counting(&[1, 2, 3], |i| i as f32 / 8.0 - 0.5);
    ms.write_data(&store, Some(&m), f.view()).unwrap();
    seg.delete_data(&store).unwrap();

    let request = json!([
        ["DataRepresentation.Binary", "uint8_2_3_4.zarr", 0],
        ["DataRepresentation.Binary", "uint8_2_3_4.zarr", 1],
        ["model_disc_3", "float32_1_2_3.zarr", 0],
    ]);
    let out = run_python(PY_READ, &[path.to_str().unwrap(), &request.to_string()]);
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    let deleted = &out["DataRepresentation.Binary/uint8_2_3_4.zarr/0"];
    assert_eq!(
        deleted["data"],
        nested(&ArrayD::<u8>::zeros(IxDyn(&[2, 3, 4])).mapv(|v| json!(v)))
    );
    assert_eq!(deleted["dtype"], "uint8");
    assert_eq!(deleted["chunks"], json!([1, 2, 3, 4]));
    assert_eq!(deleted["len"], 2);
    let expected_sparse = sparse.read_data::<u8>(&store).unwrap().unwrap();
    assert_eq!(expected_sparse.index_axis(ndarray::Axis(1), 1), slice);
    assert_eq!(
        out["DataRepresentation.Binary/uint8_2_3_4.zarr/1"]["data"],
        nested(&expected_sparse.mapv(|v| json!(v)))
    );
    let floats = &out["model_disc_3/float32_1_2_3.zarr/0"];
    assert_eq!(floats["dtype"], "float32");
    assert_eq!(floats["data"], nested(&f.mapv(|v| json!(v))));

    // The metadata is what zarr-python's create_array writes by default.
    let py = run_python(
        r#"
import json, sys, zarr, numpy as np
root = zarr.open_group(sys.argv[1], mode="a")
arr = root.require_group("g").create_array(name="float32_1_2_3.zarr", shape=(0, 1, 2, 3),
                                           chunks=(1, 1, 2, 3), dtype=np.dtype("float32"))
for path in [sys.argv[1] + "/g/float32_1_2_3.zarr/zarr.json",
             sys.argv[1] + "/model_disc_3/float32_1_2_3.zarr/zarr.json"]:
    meta = json.load(open(path))
    meta.pop("shape")
    # zarrs leaves out the empty attributes and storage_transformers, which mean the same.
    meta.pop("storage_transformers", None)
    assert meta.pop("attributes", {}) == {}
    print(json.dumps(meta, sort_keys=True))
"#,
        &[path.to_str().unwrap()],
    );
    let lines: Vec<&str> = py.lines().collect();
    assert_eq!(
        lines[0], lines[1],
        "Rust's array metadata differs from zarr-python's"
    );
}

fn nested(a: &ArrayD<serde_json::Value>) -> serde_json::Value {
    if a.ndim() == 0 {
        return a.first().unwrap().clone();
    }
    serde_json::Value::Array(a.outer_iter().map(|sub| nested(&sub.to_owned())).collect())
}

#[test]
fn rust_reads_and_extends_what_python_wrote() {
    let dir = TempDir::new("seg-py-to-rust");
    let path = dir.join("store.zarr");
    // The platform's ZarrStorageManager.get_array + ZarrArray.write/write_slice, inlined.
    run_python(
        r#"
import sys, zarr, numpy as np
root = zarr.open_group(store=sys.argv[1], mode="a")
def get_array(group_name, dtype, shape):
    group = root.require_group(group_name)
    name = f"{str(dtype)}_{'_'.join(str(d) for d in shape)}.zarr"
    array = group.get(name, None)
    if array is None:
        array = group.create_array(name=name, shape=(0,) + shape, chunks=(1, *shape),
                                   dtype=dtype, overwrite=False)
    return array
a = get_array("DataRepresentation.Binary", np.dtype(np.uint8), (2, 3, 4))
a.append((np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 3)[None, ...])
a.append(np.zeros((1, 2, 3, 4), dtype=np.uint8))
a[1, :, 2] = np.full((2, 4), 5, dtype=np.uint8)
b = get_array("model_vessels_1", np.dtype(np.uint32), (1, 2, 2))
b.append(np.array([[[[1, 2], [3, 4000000000]]]], dtype=np.uint32))
"#,
        &[path.to_str().unwrap()],
    );
    let store = SegmentationStore::open(&path).unwrap();
    let key = ArrayKey::new("DataRepresentation.Binary", DataType::R8UI, [2, 3, 4]);
    assert_eq!(store.len(&key).unwrap(), 2);
    assert_eq!(
        store.read::<u8>(&key, 0).unwrap(),
        counting(&[2, 3, 4], |i| (i * 3) as u8)
    );
    let second = store.read::<u8>(&key, 1).unwrap();
    assert_eq!(second.sum(), 5 * 8);
    assert_eq!(
        store.read_slice::<u8>(&key, 1, 1, 2).unwrap(),
        ArrayD::from_elem(IxDyn(&[2, 4]), 5)
    );
    let mut ms = model_segmentation(DataType::R32UI, [1, 2, 2]);
    ms.zarr_array_index = Some(0);
    assert_eq!(
        ms.read_data::<u32>(&store, Some(&model("vessels", "1")))
            .unwrap(),
        Some(ArrayD::from_shape_vec(IxDyn(&[1, 2, 2]), vec![1, 2, 3, 4_000_000_000]).unwrap())
    );

    // Rust appends to Python's array; Python sees the new element.
    let c = counting(&[2, 3, 4], |i| 255 - i as u8);
    assert_eq!(store.write(&key, None, c.view()).unwrap(), 2);
    let out = run_python(
        r#"
import sys, zarr, json
a = zarr.open_group(sys.argv[1], mode="r")["DataRepresentation.Binary"]["uint8_2_3_4.zarr"]
print(json.dumps({"len": a.shape[0], "last": a[2].tolist()}))
"#,
        &[path.to_str().unwrap()],
    );
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["len"], 3);
    assert_eq!(out["last"], nested(&c.mapv(|v| json!(v))));
}
