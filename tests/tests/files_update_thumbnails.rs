//! `eorm update-thumbnails` end to end: images written by Pillow and numpy, their rows in a
//! migrated database, the names checked against Python's `hmac`, the files read back by Pillow.

use std::collections::BTreeMap;
use std::path::Path;

use eyened_orm::image_instance;
use eyened_orm_tests::files::TempDir;
use eyened_orm_tests::{TestDb, eorm, output_text, run_python, seed};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};

const SECRET: &str = "thumbnail test key";

/// Writes the test images into the directory given as argv[1].
const MAKE_IMAGES: &str = r#"
import sys, os
import numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(4)
Image.fromarray(rng.integers(0, 256, (200, 300), dtype=np.uint8)).save(os.path.join(d, "grey.png"))
Image.fromarray(rng.integers(0, 256, (768, 1024, 3), dtype=np.uint8)).save(os.path.join(d, "rgb.png"))
Image.fromarray(rng.integers(0, 256, (80, 100, 3), dtype=np.uint8)).save(os.path.join(d, "small.png"))
Image.fromarray(rng.integers(0, 65535, (300, 400), dtype=np.uint16)).save(os.path.join(d, "grey16.png"))
rng.integers(0, 256, (5, 64, 96), dtype=np.uint8).tofile(os.path.join(d, "few.binary"))
rng.integers(0, 256, (20, 50, 128), dtype=np.uint8).tofile(os.path.join(d, "many.binary"))
"#;

/// Prints `width height mode` of each JPEG named on the command line.
const JPEG_SIZES: &str = r#"
import sys
from PIL import Image
for p in sys.argv[1:]:
    im = Image.open(p)
    assert im.format == "JPEG", p
    print(im.size[0], im.size[1], im.mode)
"#;

/// `{ProjectID}/{HMAC-SHA256(SECRET, str(id))[:24]}` for each `(project, id)`, by Python.
fn expected_names(pairs: &[(i32, i32)]) -> Vec<String> {
    let args: Vec<String> = pairs.iter().map(|(p, i)| format!("{p}:{i}")).collect();
    let args: Vec<&str> = std::iter::once(SECRET)
        .chain(args.iter().map(String::as_str))
        .collect();
    run_python(
        r#"
import sys, hmac, hashlib
key = sys.argv[1].encode()
for arg in sys.argv[2:]:
    project, image = arg.split(":")
    print(f"{project}/" + hmac.new(key, image.encode(), hashlib.sha256).hexdigest()[:24])
"#,
        &args,
    )
    .lines()
    .map(str::to_owned)
    .collect()
}

async fn thumbnail_paths(conn: &DatabaseConnection) -> BTreeMap<i32, Option<String>> {
    image_instance::Entity::find()
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.image_instance_id, m.thumbnail_path))
        .collect()
}

struct Row {
    identifier: &'static str,
    rows: Option<i32>,
    columns: Option<i32>,
    resolution: Option<(f32, f32)>,
    inactive: bool,
    thumbnail_path: Option<&'static str>,
}

fn row(identifier: &'static str) -> Row {
    Row {
        identifier,
        rows: None,
        columns: None,
        resolution: None,
        inactive: false,
        thumbnail_path: None,
    }
}

async fn insert(conn: &DatabaseConnection, tree: &seed::ImageTree, r: Row) -> i32 {
    image_instance::ActiveModel {
        series_id: Set(tree.series_id),
        source_info_id: Set(tree.source_info_id),
        device_instance_id: Set(tree.device_instance_id),
        modality_id: Set(tree.modality_id),
        laterality: Set(eyened_orm::Laterality::R),
        dataset_identifier: Set(r.identifier.to_owned()),
        rows_y: Set(r.rows),
        columns_x: Set(r.columns),
        resolution_horizontal: Set(r.resolution.map(|r| r.0)),
        resolution_vertical: Set(r.resolution.map(|r| r.1)),
        inactive: Set(r.inactive),
        thumbnail_path: Set(r.thumbnail_path.map(str::to_owned)),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap()
    .image_instance_id
}

fn jpeg_sizes(files: &[std::path::PathBuf]) -> Vec<String> {
    let args: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    run_python(JPEG_SIZES, &args)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn summary_line(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    // The time varies.
    last.split(" in ").next().unwrap().to_owned()
}

fn write_env(path: &Path, db: &TestDb, images: &Path, thumbs: &Path, key: Option<&str>) {
    let mut text = format!(
        "DATABASE_URL={}\nIMAGES_BASEPATH={}\nTHUMBNAILS_PATH={}\n",
        db.url(),
        images.display(),
        thumbs.display()
    );
    if let Some(key) = key {
        text.push_str(&format!("SECRET_KEY='{key}'\n"));
    }
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn update_thumbnails_names_makes_marks_and_retries() {
    let dir = TempDir::new("eorm-update-thumbnails");
    let images = dir.0.join("images");
    let thumbs = dir.0.join("thumbs");
    std::fs::create_dir_all(&images).unwrap();
    run_python(MAKE_IMAGES, &[images.to_str().unwrap()]);
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    // Two projects; each tree comes with an image whose file does not exist.
    let tree = seed::image_tree(&conn).await.unwrap();
    let other = seed::image_tree(&conn).await.unwrap();

    let grey = insert(&conn, &tree, row("grey.png")).await;
    let rgb = insert(&conn, &tree, row("rgb.png")).await;
    let small = insert(&conn, &tree, row("small.png")).await;
    let grey16 = insert(&conn, &tree, row("grey16.png")).await;
    let few = Row {
        rows: Some(64),
        columns: Some(96),
        ..row("few.binary")
    };
    let few = insert(&conn, &tree, few).await;
    // 20 B-scans: a projection 20 high, stretched to twice its 128 columns.
    let many = Row {
        rows: Some(50),
        columns: Some(128),
        resolution: Some((0.02, 0.01)),
        ..row("many.binary")
    };
    let many = insert(&conn, &tree, many).await;
    let rgb_other = insert(&conn, &other, row("rgb.png")).await;
    let json = insert(&conn, &tree, row("report.json")).await;
    let missing = insert(&conn, &tree, row("missing.png")).await;
    let inactive = Row {
        inactive: true,
        ..row("grey.png")
    };
    let inactive = insert(&conn, &other, inactive).await;
    let done = Row {
        thumbnail_path: Some("1/already"),
        ..row("small.png")
    };
    let done = insert(&conn, &other, done).await;

    // No SECRET_KEY: a one-line error, and nothing happens.
    let env = dir.0.join("test.env");
    write_env(&env, &db, &images, &thumbs, None);
    let env = env.to_str().unwrap();
    let before = thumbnail_paths(&conn).await;
    let out = eorm(&["update-thumbnails", "-e", env, "--no-progress"]);
    assert!(!out.status.success(), "{}", output_text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SECRET_KEY is not set"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(thumbnail_paths(&conn).await, before);
    assert!(!thumbs.exists());

    write_env(Path::new(env), &db, &images, &thumbs, Some(SECRET));
    let out = eorm(&[
        "update-thumbnails",
        "-e",
        env,
        "--print-errors",
        "--no-progress",
    ]);
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(
        summary_line(&out),
        "Thumbnails: 7 made, 3 failed, 1 skipped (.json)",
        "{text}"
    );
    for id in [tree.image_instance_id, other.image_instance_id, missing] {
        let line = format!("Error generating thumbnail for image {id}: ");
        assert!(text.contains(&line), "{line} in {text}");
    }
    assert!(text.contains("missing.png: no such file"), "{text}");

    let made = [
        (tree.project_id, grey),
        (tree.project_id, rgb),
        (tree.project_id, small),
        (tree.project_id, grey16),
        (tree.project_id, few),
        (tree.project_id, many),
        (other.project_id, rgb_other),
    ];
    let names = expected_names(&made);
    let paths = thumbnail_paths(&conn).await;
    for ((_, id), name) in made.iter().zip(&names) {
        assert_eq!(paths[id].as_deref(), Some(name.as_str()), "image {id}");
    }
    for id in [tree.image_instance_id, other.image_instance_id, missing] {
        assert_eq!(paths[&id].as_deref(), Some(""), "failed image {id}");
    }
    assert_eq!(paths[&json], None);
    assert_eq!(paths[&inactive], None);
    assert_eq!(paths[&done].as_deref(), Some("1/already"));

    // Each made image has its two files: the longest side at most 144 and 540, the aspect kept,
    // never enlarged; the 16-bit image stretched to 8 bits, the projection stretched by the
    // resolutions.
    let expected = [
        ("144 96 L", "300 200 L"),
        ("144 108 RGB", "540 405 RGB"),
        ("100 80 RGB", "100 80 RGB"),
        ("144 108 L", "400 300 L"),
        ("96 64 L", "96 64 L"),
        ("144 11 L", "256 20 L"),
        ("144 108 RGB", "540 405 RGB"),
    ];
    let files: Vec<_> = names
        .iter()
        .flat_map(|name| [144, 540].map(|size| thumbs.join(format!("{name}_{size}.jpg"))))
        .collect();
    let sizes = jpeg_sizes(&files);
    let expected: Vec<String> = expected
        .iter()
        .flat_map(|(a, b)| [a.to_string(), b.to_string()])
        .collect();
    assert_eq!(sizes, expected);
    // Nothing else was written (no leftovers of partial writes, no files for failures).
    let count = walk(&thumbs);
    assert_eq!(count, files.len());

    // Without --failed, failures are not retried; the .json image, NULL as in Python, is
    // looked at (and skipped) every time.
    let out = eorm(&["update-thumbnails", "-e", env, "--no-progress"]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        summary_line(&out),
        "Thumbnails: 0 made, 0 failed, 1 skipped (.json)"
    );

    // --failed retries them: the missing file now exists.
    std::fs::copy(images.join("small.png"), images.join("missing.png")).unwrap();
    let out = eorm(&["update-thumbnails", "-e", env, "--failed", "--no-progress"]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        summary_line(&out),
        "Thumbnails: 1 made, 2 failed, 1 skipped (.json)"
    );
    let name = expected_names(&[(tree.project_id, missing)]).remove(0);
    assert_eq!(
        thumbnail_paths(&conn).await[&missing].as_deref(),
        Some(name.as_str())
    );
    assert!(thumbs.join(format!("{name}_540.jpg")).is_file());
}

/// Files under `dir`, recursively.
fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() { walk(&path) } else { 1 }
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn import_makes_thumbnails_of_its_new_images_unless_told_not_to() {
    let dir = TempDir::new("eorm-import-thumbnails");
    let images = dir.0.join("images");
    let thumbs = dir.0.join("thumbs");
    std::fs::create_dir_all(&images).unwrap();
    run_python(MAKE_IMAGES, &[images.to_str().unwrap()]);
    std::fs::write(images.join("notes.json"), "{}").unwrap();
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let tree = seed::image_tree(&conn).await.unwrap();
    // An image that exists already, without thumbnails: not the import's to make.
    let old = insert(&conn, &tree, row("small.png")).await;
    let doc = |series: &str, files: &[&str]| {
        let images: Vec<serde_json::Value> = files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "image": f,
                    "props": {
                        "SourceInfoID": tree.source_info_id,
                        "DeviceInstanceID": tree.device_instance_id,
                        "ModalityID": tree.modality_id,
                        "Laterality": "L",
                    }
                })
            })
            .collect();
        serde_json::json!([{
            "project_name": "Thumbnail project",
            "patient_identifier": "P1",
            "studies": [{"study_date": "2024-01-02", "series": [
                {"series_id": series, "images": images}
            ]}],
        }])
        .to_string()
    };
    let env = dir.0.join("test.env");
    write_env(&env, &db, &images, &thumbs, Some(SECRET));
    let env = env.to_str().unwrap();
    let import = |name: &str, text: String, extra: &[&str]| {
        let file = dir.0.join(name);
        std::fs::write(&file, text).unwrap();
        let file = file.to_str().unwrap().to_owned();
        let mut args = vec![
            "import",
            "-e",
            env,
            "--create-projects",
            "--create-patients",
            "--create-studies",
            "--no-progress",
        ];
        args.extend_from_slice(extra);
        args.push(&file);
        eorm(&args)
    };

    let out = import(
        "a.json",
        doc("1.2.3.1", &["rgb.png", "grey.png", "notes.json"]),
        &[],
    );
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Thumbnails: 2 made, 0 failed, 1 skipped (.json) in"),
        "{text}"
    );
    let new: Vec<(i32, String, Option<String>)> = image_instance::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.image_instance_id > old)
        .map(|m| (m.image_instance_id, m.dataset_identifier, m.thumbnail_path))
        .collect();
    assert_eq!(new.len(), 3);
    let project_id: i32 = {
        let patients = eyened_orm::patient::Entity::find()
            .all(&conn)
            .await
            .unwrap();
        patients
            .iter()
            .find(|p| p.patient_identifier == "P1")
            .unwrap()
            .project_id
    };
    let made: Vec<(i32, i32)> = new[..2]
        .iter()
        .map(|(id, _, _)| (project_id, *id))
        .collect();
    let names = expected_names(&made);
    for ((_, identifier, path), name) in new.iter().zip(&names) {
        assert_eq!(path.as_deref(), Some(name.as_str()), "{identifier}");
        for size in [144, 540] {
            assert!(thumbs.join(format!("{name}_{size}.jpg")).is_file());
        }
    }
    assert_eq!(new[2].2, None, "the .json image has no thumbnail");
    // The image that was there before is left to `eorm update-thumbnails`.
    assert_eq!(thumbnail_paths(&conn).await[&old], None);

    // --no-thumbnails: the rows, and no thumbnails.
    let files_before = walk(&thumbs);
    let out = import(
        "b.json",
        doc("1.2.3.2", &["many.binary"]),
        &["--no-thumbnails"],
    );
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("Thumbnails:"), "{text}");
    let paths = thumbnail_paths(&conn).await;
    let newest = *paths.keys().max().unwrap();
    assert!(newest > new[2].0);
    assert_eq!(paths[&newest], None);
    assert_eq!(walk(&thumbs), files_before);

    // Without SECRET_KEY the import is refused before anything is written, and says how to go on.
    write_env(Path::new(env), &db, &images, &thumbs, None);
    let out = import("c.json", doc("1.2.3.3", &["grey16.png"]), &[]);
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("SECRET_KEY is not set"), "{text}");
    assert!(text.contains("--no-thumbnails"), "{text}");
    assert_eq!(thumbnail_paths(&conn).await.len(), paths.len());
}
