//! `eorm update-hashes`: fill in the missing FileChecksum and DataHash of images.

use std::sync::Arc;

use eyened_orm::cli::{ConnectArgs, Exit, OutputArgs, fail, print_json};
use eyened_orm::config::PlatformConfig;
use eyened_orm::files::update_hashes::{Options, update_hashes};
use eyened_orm::progress::Progress;

/// Compute FileChecksum (MD5 of the file) and DataHash (SHA-256 of the pixels) of every image,
/// inactive ones included, that lacks either, with the files under IMAGES_BASEPATH.
///
/// Files are read on every core; each batch of images is written in one transaction. Images
/// whose file is missing or unreadable are counted (and listed with --print-errors) and keep
/// their NULLs, so a later run tries them again; they do not make the command fail.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print every value that could not be computed, with the image's id, path and reason
    #[arg(long)]
    pub print_errors: bool,
    /// Images written per transaction
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub batch_size: usize,
    /// No progress bar (it is also off when stderr is not a terminal)
    #[arg(long)]
    pub no_progress: bool,
}

/// Runs `eorm update-hashes`.
pub async fn run(args: Args, output: OutputArgs) -> Exit {
    let progress: Arc<dyn Progress> = crate::bars::Bars::shown_if(!args.no_progress, 8);
    let result = async {
        let platform = PlatformConfig::resolve(args.connect.env_file.as_deref())?;
        let config = args.connect.resolve()?;
        let db = config.connect().await?;
        let options = Options {
            batch_size: args.batch_size,
        };
        let summary = update_hashes(&db, &platform, &options, &progress).await;
        let _ = db.close().await;
        Ok::<_, Box<dyn std::error::Error>>(summary?)
    }
    .await;
    match result {
        Ok(summary) => {
            if output.json {
                print_json(&summary);
            } else {
                if args.print_errors {
                    for f in &summary.failures {
                        // The message starts with the path, which Python's line repeats.
                        println!(
                            "Error calculating {} for ImageInstanceID={}: {}",
                            f.kind.describe(),
                            f.image_instance_id,
                            f.message
                        );
                    }
                }
                println!("{}", summary.render());
            }
            Exit::Ok
        }
        Err(e) => {
            let _ = fail(output.json, &e.to_string(), Exit::Error);
            Exit::Error
        }
    }
}
