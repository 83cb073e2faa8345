//! `eorm zarr-tree` on a real store: groups sorted, each array's shape, dtype and chunks, and a
//! one-line error with a non-zero exit when the store is missing.

use eyened_orm::enums::DataType;
use eyened_orm::files::{ArrayKey, SegmentationStore};
use eyened_orm_tests::{TempDir, eorm, output_text};
use ndarray::{ArrayD, IxDyn};

fn env_file(dir: &TempDir, store: &std::path::Path) -> std::path::PathBuf {
    let env = dir.join("test.env");
    std::fs::write(
        &env,
        format!("SEGMENTATIONS_ZARR_STORE={}\n", store.display()),
    )
    .unwrap();
    env
}

#[test]
fn zarr_tree_lists_groups_and_arrays() {
    let dir = TempDir::new("zarr-tree");
    let path = dir.join("segmentations.zarr");
    let store = SegmentationStore::open(&path).unwrap();
    let binary = ArrayKey::new("DataRepresentation.Binary", DataType::R8, [1, 4, 5]);
    for _ in 0..3 {
        store
            .write(&binary, None, ArrayD::<u8>::ones(IxDyn(&[1, 4, 5])).view())
            .unwrap();
    }
    let model = ArrayKey::new("model_vessels_1", DataType::R32F, [2, 3, 3]);
    store
        .write(&model, None, ArrayD::<f32>::zeros(IxDyn(&[2, 3, 3])).view())
        .unwrap();
    let wide = ArrayKey::new("DataRepresentation.Binary", DataType::R16UI, [1, 2, 2]);
    store
        .write(&wide, None, ArrayD::<u16>::ones(IxDyn(&[1, 2, 2])).view())
        .unwrap();
    let env = env_file(&dir, &path);

    let out = eorm(&["zarr-tree", "-e", env.to_str().unwrap()]);
    assert!(out.status.success(), "{}", output_text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "Zarr store: {}\n{}\n\
         \nGroup: DataRepresentation.Binary\n{}\n\
         \x20 Array: uint16_1_2_2.zarr\n    Shape: (1, 1, 2, 2)\n    Dtype: uint16\n    Chunks: (1, 1, 2, 2)\n\
         \x20 Array: uint8_1_4_5.zarr\n    Shape: (3, 1, 4, 5)\n    Dtype: uint8\n    Chunks: (1, 1, 4, 5)\n\
         \nGroup: model_vessels_1\n{}\n\
         \x20 Array: float32_2_3_3.zarr\n    Shape: (1, 2, 3, 3)\n    Dtype: float32\n    Chunks: (1, 2, 3, 3)\n",
        path.display(),
        "=".repeat(50),
        "-".repeat(30),
        "-".repeat(30),
    );
    assert_eq!(stdout, expected);

    // The Python command's listing (cli.zarr_tree, inlined) prints the same text.
    let python = eyened_orm_tests::run_python(
        r#"
import sys, zarr
from pathlib import Path
store = Path(sys.argv[1])
root = zarr.open_group(store=store, mode="r")
print(f"Zarr store: {store}")
print("=" * 50)
for group_name in sorted(root.group_keys()):
    group = root[group_name]
    print(f"\nGroup: {group_name}")
    print("-" * 30)
    for array_name in sorted(group.array_keys()):
        array = group[array_name]
        print(f"  Array: {array_name}")
        print(f"    Shape: {array.shape}")
        print(f"    Dtype: {array.dtype}")
        print(f"    Chunks: {array.chunks}")
"#,
        &[path.to_str().unwrap()],
    );
    assert_eq!(stdout, python);

    let out = eorm(&["zarr-tree", "-e", env.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", output_text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["groups"][1]["arrays"][0]["shape"],
        serde_json::json!([1, 2, 3, 3])
    );
}

#[test]
fn zarr_tree_fails_on_a_missing_store_without_creating_it() {
    let dir = TempDir::new("zarr-tree-missing");
    let path = dir.join("nowhere.zarr");
    let env = env_file(&dir, &path);
    let out = eorm(&["zarr-tree", "-e", env.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no segmentation zarr store") && stderr.contains("nowhere.zarr"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(!path.exists(), "a read-only open created the store");
}
