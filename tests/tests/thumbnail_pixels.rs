//! The thumbnail pipeline against Pillow and numpy in the Python venv: `thumbnail()` gives
//! Pillow's sizes and pixels exactly, `source_picture` reduces volumes as Python's
//! `get_thumbnail` does, and the JPEG files are what Pillow reads back.

use std::path::{Path, PathBuf};

use eyened_orm::files::thumbnails::{self, Picture, Resolution};
use eyened_orm_tests::run_python;
use ndarray::{ArrayD, IxDyn};

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "eorm-thumbs-{name}-{}-{}",
            std::process::id(),
            eyened_orm_tests::next_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Deterministic noise with some structure (gradients), so that resampling errors show.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let random = (state >> 33) as usize % 64;
            ((i / 7) % 192 + random) as u8
        })
        .collect()
}

const PIL_THUMBNAILS: &str = r#"
import sys
import numpy as np
from PIL import Image
path, h, w, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
a = np.fromfile(path, dtype=np.uint8).reshape((h, w, c) if c > 1 else (h, w))
for size in (144, 540):
    im = Image.fromarray(a)
    im.thumbnail((size, size))
    out = np.asarray(im)
    out.tofile(f"{path}.{size}")
    print(im.size[0], im.size[1])
"#;

fn check_against_pillow(dir: &Path, width: usize, height: usize, channels: usize, seed: u64) {
    let picture = Picture {
        width,
        height,
        channels,
        data: noise(width * height * channels, seed),
    };
    let raw = dir.join(format!("{width}x{height}x{channels}.raw"));
    std::fs::write(&raw, &picture.data).unwrap();
    let printed = run_python(
        PIL_THUMBNAILS,
        &[
            raw.to_str().unwrap(),
            &height.to_string(),
            &width.to_string(),
            &channels.to_string(),
        ],
    );
    let sizes: Vec<(usize, usize)> = printed
        .lines()
        .map(|l| {
            let (w, h) = l.split_once(' ').unwrap();
            (w.parse().unwrap(), h.parse().unwrap())
        })
        .collect();
    for (size, (pil_w, pil_h)) in [144u32, 540].into_iter().zip(sizes) {
        let ours = thumbnails::thumbnail(&picture, size);
        assert_eq!(
            (ours.width, ours.height),
            (pil_w, pil_h),
            "{width}x{height}x{channels} at {size}"
        );
        let pil = std::fs::read(format!("{}.{size}", raw.display())).unwrap();
        let differing = ours.data.iter().zip(&pil).filter(|(a, b)| a != b).count();
        assert_eq!(
            differing, 0,
            "{width}x{height}x{channels} at {size}: {differing} values differ from Pillow's"
        );
    }
}

#[test]
fn thumbnails_are_pillows_pixel_for_pixel() {
    let dir = TempDir::new("pil");
    // Square RGB (540 without reduction, 144 after a 3x reduction), odd sizes with partial
    // reduction blocks, a wide grey, and an image smaller than 540 (left alone there).
    check_against_pillow(&dir.0, 1024, 1024, 3, 1);
    check_against_pillow(&dir.0, 1001, 677, 3, 2);
    check_against_pillow(&dir.0, 333, 1200, 1, 3);
    check_against_pillow(&dir.0, 2000, 97, 1, 4);
    check_against_pillow(&dir.0, 400, 300, 3, 5);
    // Pillow 13 resamples vertically first when the height loses more than twice as many
    // pixels as the width.
    check_against_pillow(&dir.0, 333, 1200, 3, 6);
    check_against_pillow(&dir.0, 97, 2000, 1, 7);
    check_against_pillow(&dir.0, 1500, 1499, 3, 8);
    check_against_pillow(&dir.0, 150, 900, 3, 9);
}

#[test]
fn volumes_reduce_as_python_does() {
    // Python's get_thumbnail, without cv2 (not in the venv): the projection with the aspect
    // ratio 1 needs no resize, and the middle B-scan is plain indexing.
    let dir = TempDir::new("vol");
    let (scans, depth, width) = (16usize, 40usize, 30usize);
    let values = noise(scans * depth * width, 9);
    let raw = dir.0.join("vol.raw");
    std::fs::write(&raw, &values).unwrap();
    let printed = run_python(
        r#"
import sys
import numpy as np
a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(16, 40, 30)
np_im = a.mean(axis=1)
np_im = np_im - np.min(np_im)
np_im = np_im / np.max(np_im)
np_im = (np_im * 255).astype(np.uint8)
print(" ".join(map(str, np_im.ravel())))
print(" ".join(map(str, a[:5][5 // 2].ravel())))
"#,
        &[raw.to_str().unwrap()],
    );
    let mut lines = printed.lines().map(|l| {
        l.split(' ')
            .map(|v| v.parse::<u8>().unwrap())
            .collect::<Vec<_>>()
    });
    let volume = ArrayD::from_shape_vec(IxDyn(&[scans, depth, width]), values.clone()).unwrap();
    let projection = thumbnails::source_picture(volume.view(), Resolution::default()).unwrap();
    assert_eq!((projection.width, projection.height), (width, scans));
    assert_eq!(projection.data, lines.next().unwrap());
    let few = ArrayD::from_shape_vec(
        IxDyn(&[5, depth, width]),
        values[..5 * depth * width].to_vec(),
    )
    .unwrap();
    let middle = thumbnails::source_picture(few.view(), Resolution::default()).unwrap();
    assert_eq!((middle.width, middle.height), (width, depth));
    assert_eq!(middle.data, lines.next().unwrap());
}

#[test]
fn jpegs_are_progressive_quality_75_files_pillow_reads() {
    let dir = TempDir::new("jpeg");
    let picture = Picture {
        width: 900,
        height: 600,
        channels: 3,
        data: noise(900 * 600 * 3, 11),
    };
    let key = eyened_orm::config::Secret::new("k");
    let value = thumbnails::thumbnail_path_value(&key, 3, 17);
    let files = thumbnails::save_thumbnails(&picture, &dir.0, &value).unwrap();
    assert_eq!(files.len(), 2);
    let printed = run_python(
        r#"
import sys
from PIL import Image
for path in sys.argv[1:]:
    im = Image.open(path)
    print(im.format, im.mode, im.size[0], im.size[1], bool(im.info.get("progressive")))
"#,
        &[files[0].to_str().unwrap(), files[1].to_str().unwrap()],
    );
    assert_eq!(printed, "JPEG RGB 144 96 True\nJPEG RGB 540 360 True\n");
    assert!(files[0].ends_with(format!("{value}_144.jpg")));
    assert!(files[1].starts_with(dir.0.join("3")));
}
