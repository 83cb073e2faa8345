//! `eorm zarr-tree`: the groups and arrays of the segmentation zarr store.

use std::path::PathBuf;

use eyened_orm::cli::{Exit, OutputArgs, fail};
use eyened_orm::config::PlatformConfig;
use eyened_orm::files::{GroupSummary, SegmentationStore};

/// Show the segmentation zarr store (SEGMENTATIONS_ZARR_STORE), read-only: each group, sorted,
/// with each array's name, shape, element type and chunk shape.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Read SEGMENTATIONS_ZARR_STORE from this .env file [default: the environment over ./.env]
    #[arg(short = 'e', long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

/// Runs `eorm zarr-tree`.
pub fn run(args: Args, output: OutputArgs) -> Exit {
    let config = match PlatformConfig::resolve(args.env_file.as_deref()) {
        Ok(config) => config,
        Err(e) => return failed(output, &e.to_string()),
    };
    let path = &config.segmentations_zarr_store;
    let tree = SegmentationStore::open_read_only(path).and_then(|store| store.tree());
    match tree {
        Ok(groups) if output.json => {
            println!("{}", to_json(path, &groups));
            Exit::Ok
        }
        Ok(groups) => {
            print!("{}", render(path, &groups));
            Exit::Ok
        }
        Err(e) => failed(output, &e.to_string()),
    }
}

/// The listing, laid out as the Python `eorm zarr-tree` prints it.
fn render(path: &std::path::Path, groups: &[GroupSummary]) -> String {
    let mut out = format!("Zarr store: {}\n{}\n", path.display(), "=".repeat(50));
    if groups.is_empty() {
        out.push_str("No groups found in the zarr store\n");
    }
    for group in groups {
        out.push_str(&format!("\nGroup: {}\n{}\n", group.name, "-".repeat(30)));
        if group.arrays.is_empty() {
            out.push_str("  No arrays found in this group\n");
        }
        for array in &group.arrays {
            out.push_str(&format!(
                "  Array: {}\n    Shape: {}\n    Dtype: {}\n    Chunks: {}\n",
                array.name,
                tuple(&array.shape),
                array.dtype,
                tuple(&array.chunks)
            ));
        }
    }
    out
}

/// `(1, 2, 3)`, as Python prints a tuple.
fn tuple(dims: &[u64]) -> String {
    match dims {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            dims.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn to_json(path: &std::path::Path, groups: &[GroupSummary]) -> String {
    let groups: Vec<_> = groups
        .iter()
        .map(|g| {
            let arrays: Vec<_> = g
                .arrays
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "name": a.name, "shape": a.shape, "dtype": a.dtype, "chunks": a.chunks,
                    })
                })
                .collect();
            serde_json::json!({ "name": g.name, "arrays": arrays })
        })
        .collect();
    serde_json::json!({ "store": path.display().to_string(), "groups": groups }).to_string()
}

fn failed(output: OutputArgs, message: &str) -> Exit {
    let _ = fail(output.json, message, Exit::Error);
    Exit::Error
}
