//! AnnotationData files on disk: PNG and raw (plain and gzip) round trips, cross-checked with
//! Pillow and numpy; masks of both interpretations; the errors.

use eyened_orm::AnnotationData;
use eyened_orm::config::PlatformConfig;
use eyened_orm::files::{AnnotationDataError, AnnotationImage, MaskKind};
use eyened_orm_tests::{TempDir, run_python};
use ndarray::{Array2, ArrayD, IxDyn};

fn row(identifier: &str, media_type: &str) -> AnnotationData {
    AnnotationData {
        annotation_id: 41,
        scan_nr: 3,
        value_int: None,
        value_float: None,
        value_blob: None,
        dataset_identifier: identifier.into(),
        date_modified: None,
        media_type: media_type.into(),
    }
}

fn config(dir: &TempDir) -> PlatformConfig {
    PlatformConfig {
        annotations_path: dir.join("annotations"),
        ..Default::default()
    }
}

fn pattern(shape: &[usize], f: impl Fn(usize) -> u8) -> ArrayD<u8> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(f).collect()).unwrap()
}

#[test]
fn default_path_and_path() {
    let dir = TempDir::new("ann-path");
    let data = row("7/41_3.png", "image/png");
    assert_eq!(data.default_path(7, "png"), "7/41_3.png");
    assert_eq!(data.default_path(12, "raw.gz"), "12/41_3.raw.gz");
    assert_eq!(
        data.path(&config(&dir)).unwrap(),
        dir.join("annotations/7/41_3.png")
    );
    for bad in ["../etc/passwd", "/etc/passwd", "7/../../x.png"] {
        let err = row(bad, "image/png").path(&config(&dir)).unwrap_err();
        assert!(
            matches!(err, AnnotationDataError::OutsideAnnotationsPath { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn png_round_trips_and_matches_pillow() {
    let dir = TempDir::new("ann-png");
    let cfg = config(&dir);
    let rgb = pattern(&[5, 7, 3], |i| (i * 11 % 256) as u8);
    let data = row("7/41_3.png", "image/png");
    data.save_data(&cfg, &AnnotationImage::U8(rgb.clone()))
        .unwrap();
    assert_eq!(
        data.load_data(&cfg, 0, 0).unwrap(),
        AnnotationImage::U8(rgb.clone())
    );
    let grey = pattern(&[4, 6], |i| (i * 9) as u8);
    let grey_row = row("7/41_4.png", "image/png");
    grey_row
        .save_data(&cfg, &AnnotationImage::U8(grey.clone()))
        .unwrap();

    // Pillow reads Rust's PNGs as the same arrays, and writes PNGs Rust reads the same.
    let path = |r: &AnnotationData| r.path(&cfg).unwrap().to_str().unwrap().to_owned();
    let pil_rgb = dir.join("pil_rgb.png");
    let pil_l = dir.join("pil_l.png");
    let out = run_python(
        r#"
import sys, json, numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1])); b = np.asarray(Image.open(sys.argv[2]))
print(json.dumps([list(a.shape), a.flatten().tolist(), list(b.shape), b.flatten().tolist()]))
Image.fromarray((np.arange(60, dtype=np.uint8).reshape(4, 5, 3) * 4)).save(sys.argv[3])
Image.fromarray((np.arange(20, dtype=np.uint8).reshape(4, 5) * 12)).save(sys.argv[4])
"#,
        &[
            &path(&data),
            &path(&grey_row),
            pil_rgb.to_str().unwrap(),
            pil_l.to_str().unwrap(),
        ],
    );
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out[0], serde_json::json!([5, 7, 3]));
    assert_eq!(out[1], serde_json::json!(rgb.iter().collect::<Vec<_>>()));
    assert_eq!(out[2], serde_json::json!([4, 6]));
    assert_eq!(out[3], serde_json::json!(grey.iter().collect::<Vec<_>>()));
    assert_eq!(
        eyened_orm::files::annotation_data::load_png(&pil_rgb).unwrap(),
        AnnotationImage::U8(pattern(&[4, 5, 3], |i| (i * 4) as u8))
    );
    assert_eq!(
        eyened_orm::files::annotation_data::load_png(&pil_l).unwrap(),
        AnnotationImage::U8(pattern(&[4, 5], |i| (i * 12) as u8))
    );
}

#[test]
fn raw_and_gzip_round_trip_and_match_numpy() {
    let dir = TempDir::new("ann-raw");
    let cfg = config(&dir);
    let pixels = pattern(&[6, 9], |i| (i * 5 % 256) as u8);
    for name in ["7/41_3.raw", "7/41_3.raw.gz", "7/41_5.GZ"] {
        let data = row(name, "application/octet-stream");
        data.save_data(&cfg, &AnnotationImage::U8(pixels.clone()))
            .unwrap();
        assert_eq!(
            data.load_data(&cfg, 6, 9).unwrap(),
            AnnotationImage::U8(pixels.clone()),
            "{name}"
        );
        let err = data.load_data(&cfg, 9, 9).unwrap_err();
        assert!(
            matches!(err, AnnotationDataError::RawSize { len: 54, .. }),
            "{err}"
        );
    }
    let on_disk = std::fs::read(dir.join("annotations/7/41_3.raw.gz")).unwrap();
    assert_eq!(&on_disk[..2], &[0x1f, 0x8b], "gzip magic");

    // The platform's load_binary reads Rust's files; Rust reads a file numpy + gzip wrote.
    let py_gz = dir.join("annotations/py.gz");
    let out = run_python(
        r#"
import sys, gzip, json, numpy as np
from pathlib import Path
def load_binary(filepath, shape):
    if filepath.suffix.lower() == ".gz":
        with gzip.open(filepath, "rb") as f: raw = np.frombuffer(f.read(), dtype=np.uint8)
    else:
        with open(filepath, "rb") as f: raw = np.frombuffer(f.read(), dtype=np.uint8)
    return raw.reshape(shape, order="C")
a = load_binary(Path(sys.argv[1]), (6, 9)); b = load_binary(Path(sys.argv[2]), (6, 9))
with gzip.open(sys.argv[3], "wb") as f: f.write((np.arange(54, dtype=np.uint8) * 2).tobytes())
print(json.dumps([a.flatten().tolist(), b.flatten().tolist()]))
"#,
        &[
            dir.join("annotations/7/41_3.raw").to_str().unwrap(),
            dir.join("annotations/7/41_3.raw.gz").to_str().unwrap(),
            py_gz.to_str().unwrap(),
        ],
    );
    let expected = serde_json::json!(pixels.iter().collect::<Vec<_>>());
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out[0], expected);
    assert_eq!(out[1], expected);
    let py_row = row("py.gz", "application/octet-stream");
    assert_eq!(
        py_row.load_data(&cfg, 6, 9).unwrap(),
        AnnotationImage::U8(pattern(&[6, 9], |i| (i * 2) as u8))
    );

    let err = row("7/x.raw", "application/octet-stream")
        .save_data(&cfg, &AnnotationImage::U8(pattern(&[2, 2, 3], |_| 1)))
        .unwrap_err();
    assert!(
        matches!(err, AnnotationDataError::Unsavable { .. }),
        "{err}"
    );
}

#[test]
fn masks_of_both_interpretations() {
    let dir = TempDir::new("ann-mask");
    let cfg = config(&dir);
    // Red where column is even, green where row is odd, blue everywhere.
    let rgb = ArrayD::from_shape_fn(IxDyn(&[4, 5, 3]), |i| match i[2] {
        0 => u8::from(i[1] % 2 == 0) * 200,
        1 => u8::from(i[0] % 2 == 1) * 3,
        _ => 255,
    });
    let rg = row("1/1_0.png", "image/png");
    rg.save_data(&cfg, &AnnotationImage::U8(rgb)).unwrap();
    let seg = rg
        .get_mask(&cfg, "R/G mask", MaskKind::Segmentation, 4, 5)
        .unwrap();
    let questionable = rg
        .get_mask(&cfg, "R/G mask", MaskKind::Questionable, 4, 5)
        .unwrap();
    assert_eq!(seg, Array2::from_shape_fn((4, 5), |(_, c)| c % 2 == 0));
    assert_eq!(
        questionable,
        Array2::from_shape_fn((4, 5), |(r, _)| r % 2 == 1)
    );
    let err = rg
        .get_mask(&cfg, "Binary mask", MaskKind::Segmentation, 4, 5)
        .unwrap_err();
    assert!(
        matches!(err, AnnotationDataError::MaskShape { .. }),
        "{err}"
    );

    let binary = row("1/1_1.raw", "application/octet-stream");
    let pixels = pattern(&[3, 4], |i| if i % 3 == 0 { 0 } else { i as u8 });
    binary
        .save_data(&cfg, &AnnotationImage::U8(pixels))
        .unwrap();
    let mask = binary
        .get_mask(&cfg, "Binary mask", MaskKind::Questionable, 3, 4)
        .unwrap();
    assert_eq!(
        mask,
        Array2::from_shape_fn((3, 4), |(r, c)| (r * 4 + c) % 3 != 0)
    );
    let err = binary
        .get_mask(&cfg, "R/G mask", MaskKind::Segmentation, 3, 4)
        .unwrap_err();
    assert!(
        matches!(err, AnnotationDataError::MaskShape { .. }),
        "{err}"
    );
    let err = binary
        .get_mask(&cfg, "Polygon", MaskKind::Segmentation, 3, 4)
        .unwrap_err();
    assert!(err.to_string().contains("'Polygon'"), "{err}");
}

#[test]
fn unknown_media_type_is_an_error_naming_it() {
    let dir = TempDir::new("ann-media");
    let cfg = config(&dir);
    let data = row("1/1_0.json", "application/json");
    let err = data.load_data(&cfg, 1, 1).unwrap_err();
    assert!(
        matches!(err, AnnotationDataError::UnsupportedMediaType { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("'application/json'") && err.to_string().contains("41_3"),
        "{err}"
    );
    let err = data
        .save_data(&cfg, &AnnotationImage::U8(pattern(&[1, 1], |_| 0)))
        .unwrap_err();
    assert!(
        matches!(err, AnnotationDataError::UnsupportedMediaType { .. }),
        "{err}"
    );
    assert!(!dir.join("annotations/1").exists(), "nothing written");
}
