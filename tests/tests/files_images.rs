//! Pixels and hashes of image files against the Python platform: the files are written by
//! Pillow and pydicom in the reference venv, which also computes what `pixel_array`,
//! `calc_data_hash` and `calc_file_checksum` give for each (`tests/python/make_images.py`).

use eyened_orm::files::{self, FileError, PixelArray};
use eyened_orm_tests::files::{TempDir, make_images};

fn hex(bytes: &[u8]) -> String {
    files::hashes::hex(bytes)
}

#[test]
fn pixels_and_hashes_equal_the_python_platform() {
    let dir = TempDir::new("eorm-files-images");
    let refs = make_images(&dir.0);
    assert!(
        refs.len() > 30,
        "make_images.py wrote {} images",
        refs.len()
    );
    let mut problems = Vec::new();
    for r in &refs {
        let path = dir.0.join(&r.identifier);
        let loaded = files::load_pixels(&path, r.rows, r.columns);
        match (&loaded, &r.error) {
            (Ok(pixels), None) => {
                let (shape, dtype) = (pixels.shape().to_vec(), pixels.dtype());
                if Some(&shape) != r.shape.as_ref() || Some(dtype) != r.dtype.as_deref() {
                    problems.push(format!(
                        "{}: shape {shape:?} {dtype}, Python {:?} {:?}",
                        r.identifier, r.shape, r.dtype
                    ));
                    continue;
                }
                let hash = files::data_hash(pixels);
                if Some(&hash) != r.data_hash.as_ref() {
                    problems.push(format!("{}: DataHash differs", r.identifier));
                }
                assert_eq!(pixels.to_le_bytes().len(), pixels.len() * dtype_size(dtype));
            }
            (Err(_), Some(_)) => {}
            (Ok(_), Some(e)) => problems.push(format!("{}: read, Python: {e}", r.identifier)),
            (Err(e), None) => problems.push(format!("{}: {e}", r.identifier)),
        }
        let checksum = files::file_checksum(&path).ok().map(|c| hex(&c));
        if checksum != r.file_checksum {
            problems.push(format!(
                "{}: FileChecksum {checksum:?}, Python {:?}",
                r.identifier, r.file_checksum
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "differences from Python:\n{}",
        problems.join("\n")
    );
}

fn dtype_size(dtype: &str) -> usize {
    match dtype {
        "uint8" | "int8" | "bool" => 1,
        "uint16" | "int16" => 2,
        "uint32" | "int32" | "float32" => 4,
        _ => 8,
    }
}

/// JPEG files, and JPEG-baseline DICOM (one frame, and several), are decoded by libjpeg-turbo's code with Pillow's (and
/// pydicom's) settings: every sample equal, where the pure-Rust decoders were off by up to 3.
#[test]
fn jpeg_pixels_equal_pillow() {
    let dir = TempDir::new("eorm-files-jpeg");
    let refs = make_images(&dir.0);
    let jpegs: Vec<_> = refs
        .iter()
        .filter(|r| r.identifier.ends_with(".jpg") || r.identifier.starts_with("jpeg"))
        .collect();
    assert_eq!(jpegs.len(), 5);
    for r in jpegs {
        let (differing, max, hash_equal) = compare_with_pillow(&dir.0, r);
        assert_eq!((differing, max), (0, 0), "{}", r.identifier);
        assert!(hash_equal, "{}: DataHash differs", r.identifier);
    }
}

/// (samples that differ, largest difference, DataHash equal) against the Python reference.
fn compare_with_pillow(
    dir: &std::path::Path,
    r: &eyened_orm_tests::files::Reference,
) -> (usize, u8, bool) {
    let pixels = files::load_pixels(&dir.join(&r.identifier), r.rows, r.columns)
        .unwrap_or_else(|e| panic!("{e}"));
    let PixelArray::U8(ours) = &pixels else {
        panic!("{}: {} pixels", r.identifier, pixels.dtype())
    };
    let theirs = decode_hex(r.pixels_hex.as_deref().unwrap());
    assert_eq!(ours.len(), theirs.len(), "{}", r.identifier);
    let differing = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
    let max = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(0);
    let hash_equal = Some(files::data_hash(&pixels)) == r.data_hash;
    eprintln!(
        "{}: {differing} of {} samples differ from Pillow, by at most {max}",
        r.identifier,
        ours.len()
    );
    (differing, max, hash_equal)
}

fn decode_hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let dir = TempDir::new("eorm-files-errors");
    let missing = dir.0.join("nope.png");
    let err = files::load_pixels(&missing, None, None).unwrap_err();
    assert!(matches!(err, FileError::Missing { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no such file; check IMAGES_BASEPATH and the DatasetIdentifier",
            missing.display()
        )
    );
    assert!(matches!(
        files::file_checksum(&missing),
        Err(FileError::Missing { .. })
    ));
    assert!(matches!(
        files::load_pixels(&dir.0.join("nope.dcm"), None, None),
        Err(FileError::Missing { .. })
    ));

    let ragged = dir.0.join("x.binary");
    std::fs::write(&ragged, [0u8; 10]).unwrap();
    let err = files::load_pixels(&ragged, Some(2), Some(3))
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("10 bytes is not a whole number of 2x3 frames"),
        "{err}"
    );
    let err = files::load_pixels(&ragged, None, Some(3))
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs Rows_y and Columns_x"), "{err}");
    let ok = files::load_pixels(&ragged, Some(1), Some(5)).unwrap();
    assert_eq!((ok.shape(), ok.dtype()), (&[2, 1, 5][..], "uint8"));

    let text = dir.0.join("notes.png");
    std::fs::write(&text, "not an image").unwrap();
    let err = files::load_pixels(&text, None, None).unwrap_err();
    assert!(matches!(err, FileError::Unsupported { .. }), "{err:?}");

    let broken = dir.0.join("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR").unwrap();
    let err = files::load_pixels(&broken, None, None).unwrap_err();
    assert!(
        matches!(err, FileError::Undecodable { format: "PNG", .. }),
        "{err:?}"
    );

    let broken = dir.0.join("broken.dcm");
    std::fs::write(&broken, b"not dicom").unwrap();
    let err = files::load_pixels(&broken, None, None).unwrap_err();
    assert!(
        matches!(
            err,
            FileError::Undecodable {
                format: "DICOM",
                ..
            }
        ),
        "{err:?}"
    );

    let err = files::load_pixels(&dir.0.join("[png_series_x]a.png"), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'x' in [png_series_N] is not a number"),
        "{err}"
    );
}

#[test]
fn pixel_bytes_are_c_order_little_endian() {
    use eyened_orm::files::ndarray::{ArrayD, IxDyn};
    let a = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1u16, 0x0203, 0xFFFF, 4]).unwrap();
    // A transposed view: bytes must follow the logical (C) order, not the memory order.
    let t = PixelArray::U16(a.t().to_owned());
    assert_eq!(t.to_le_bytes(), [1, 0, 0xFF, 0xFF, 3, 2, 4, 0]);
    let t = PixelArray::U16(a.reversed_axes());
    assert_eq!(t.to_le_bytes(), [1, 0, 0xFF, 0xFF, 3, 2, 4, 0]);
    let b = PixelArray::Bool(ArrayD::from_shape_vec(IxDyn(&[3]), vec![true, false, true]).unwrap());
    assert_eq!((b.to_le_bytes(), b.dtype()), (vec![255, 0, 255], "bool"));
    assert_eq!(
        files::data_hash(&PixelArray::U8(
            ArrayD::from_shape_vec(IxDyn(&[0]), vec![]).unwrap()
        )),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[tokio::test]
async fn an_image_knows_its_file_url_and_thumbnails() {
    use eyened_orm::config::PlatformConfig;
    use eyened_orm_tests::{SqliteDb, seed};

    let (_db, conn) = SqliteDb::migrated().await;
    let tree = seed::image_tree(&conn).await.unwrap();
    let mut image = eyened_orm::ImageInstance::by_id(&conn, tree.image_instance_id)
        .await
        .unwrap()
        .unwrap();
    let dir = TempDir::new("eorm-files-instance");
    let vars = [
        ("IMAGES_BASEPATH", dir.0.to_str().unwrap()),
        ("THUMBNAILS_PATH", "/thumbs"),
        ("IMAGE_SERVER_URL", "https://eyened.example/img/"),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let cfg = PlatformConfig::from_lookup(&lookup, "test vars").unwrap();

    image.dataset_identifier = "a/b.binary".into();
    assert_eq!(image.path(&cfg), dir.0.join("a/b.binary"));
    assert_eq!(
        image.url(&cfg).unwrap(),
        "https://eyened.example/img/a/b.binary"
    );
    let no_server = PlatformConfig::from_lookup(&|_| None, "test vars").unwrap();
    assert_eq!(
        image.url(&no_server).unwrap_err().to_string(),
        "IMAGE_SERVER_URL is not set in test vars; set it there (the platform's value, so that names and links match)"
    );

    assert_eq!(image.thumbnail_path(&cfg, 144), None, "ThumbnailPath NULL");
    image.thumbnail_path = Some(String::new());
    assert_eq!(
        image.thumbnail_path(&cfg, 144),
        None,
        "ThumbnailPath '' (failed)"
    );
    image.thumbnail_path = Some("7/abc".into());
    assert_eq!(
        image.thumbnail_path(&cfg, 540),
        Some("/thumbs/7/abc_540.jpg".into())
    );

    // The row's Rows_y and Columns_x shape a .binary file.
    std::fs::create_dir_all(dir.0.join("a")).unwrap();
    std::fs::write(dir.0.join("a/b.binary"), (0..24u8).collect::<Vec<_>>()).unwrap();
    (image.rows_y, image.columns_x) = (Some(3), Some(4));
    let pixels = image.pixel_array(&cfg).unwrap();
    assert_eq!((pixels.shape(), pixels.dtype()), (&[2, 3, 4][..], "uint8"));
    assert_eq!(pixels.to_le_bytes(), (0..24u8).collect::<Vec<_>>());
    assert_eq!(
        image.data_hash(&cfg).unwrap(),
        files::hashes::hex(&sha256_of(&(0..24u8).collect::<Vec<_>>()))
    );
    assert_eq!(image.file_checksum(&cfg).unwrap().len(), 16);
}

/// SHA-256 by the reference venv's hashlib.
fn sha256_of(bytes: &[u8]) -> Vec<u8> {
    let hex = eyened_orm_tests::run_python(
        "import hashlib, sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest())",
        &[&files::hashes::hex(bytes)],
    );
    decode_hex(hex.trim())
}
