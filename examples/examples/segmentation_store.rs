//! The segmentation zarr store as a program: writes `count` segmentations of shape
//! `(depth, height, width)` (uint8) into a store, or reads them all back, and prints a checksum.
//! The Rust side of `bench/files/segmentations.sh`; `bench/files/segmentations.py` is the
//! Python platform's side of the same work.
//!
//! ```text
//! cargo run --release -p examples --example segmentation_store -- write store.zarr 200 1 512 512
//! cargo run --release -p examples --example segmentation_store -- read store.zarr 200 1 512 512
//! ```

use eyened_orm::enums::DataType;
use eyened_orm::files::{ArrayKey, SegmentationStore};
use ndarray::{ArrayD, IxDyn};

/// Element `index`'s data: mask-like values 0..=3, scattered (the same formula as the Python
/// side, so both checksums agree).
fn element(index: u64, shape: &[usize]) -> ArrayD<u8> {
    let n = shape.iter().product::<usize>() as u64;
    let values = (0..n)
        .map(|pos| {
            ((pos
                .wrapping_mul(40503)
                .wrapping_add(index.wrapping_mul(2654435761))
                >> 13)
                & 3) as u8
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), values).expect("n elements")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, store, count, d, h, w] = args.as_slice() else {
        return Err("usage: segmentation_store write|read STORE COUNT DEPTH HEIGHT WIDTH".into());
    };
    let count: u64 = count.parse()?;
    let shape = [d.parse::<u64>()?, h.parse()?, w.parse()?];
    let dims: Vec<usize> = shape.iter().map(|&n| n as usize).collect();
    let key = ArrayKey::new("DataRepresentation.Binary", DataType::R8UI, shape);
    let mut checksum: u64 = 0;
    match mode.as_str() {
        "write" => {
            let store = SegmentationStore::open(store)?;
            for i in 0..count {
                let data = element(i, &dims);
                checksum += data.iter().map(|&v| u64::from(v)).sum::<u64>();
                store.write(&key, None, data.view())?;
            }
        }
        "read" => {
            let store = SegmentationStore::open_read_only(store)?;
            for i in 0..count {
                let data: ArrayD<u8> = store.read(&key, i as i64)?;
                checksum += data.iter().map(|&v| u64::from(v)).sum::<u64>();
            }
        }
        _ => return Err(format!("unknown mode {mode}: write or read").into()),
    }
    println!("{checksum}");
    Ok(())
}
