//! Where a thumbnail's time goes, single-threaded: reading and decoding the image, making the
//! 144 and 540 px thumbnails, and encoding them as JPEG, for the first 30 images of a directory
//! (the best of 5 rounds, per image). `bench/files/thumbnail_phases.py` times the same phases
//! with Pillow.
//!
//! ```sh
//! cargo run --release -p examples --example thumbnail_phases -- target/bench-thumbnails/images/cfi
//! ```

use std::time::Instant;

use eyened_orm::files;
use eyened_orm::files::thumbnails::{self, Resolution};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: thumbnail_phases DIRECTORY_OF_IMAGES");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths.truncate(30);
    let mut best = [f64::MAX; 4];
    for _ in 0..5 {
        let mut round = [0f64; 4];
        for path in &paths {
            let start = Instant::now();
            let pixels = files::load_pixels(path, None, None).expect("a readable image");
            let read = Instant::now();
            let picture = thumbnails::into_picture(pixels, Resolution::default())
                .expect("an image thumbnails can be made of");
            let small = thumbnails::thumbnail(&picture, 144);
            let large = thumbnails::thumbnail(&picture, 540);
            let resized = Instant::now();
            let jpegs = [&small, &large].map(|t| thumbnails::encode_jpeg(t).expect("encodable"));
            let encoded = Instant::now();
            std::hint::black_box(jpegs);
            round[0] += (read - start).as_secs_f64();
            round[1] += (resized - read).as_secs_f64();
            round[2] += (encoded - resized).as_secs_f64();
            round[3] += (encoded - start).as_secs_f64();
        }
        for (b, r) in best.iter_mut().zip(round) {
            *b = b.min(r);
        }
    }
    let per_image = |s: f64| s * 1000.0 / paths.len() as f64;
    println!(
        "eorm: read {:.2}, resize {:.2}, jpeg {:.2}, total {:.2} ms per image ({} images)",
        per_image(best[0]),
        per_image(best[1]),
        per_image(best[2]),
        per_image(best[3]),
        paths.len()
    );
}
