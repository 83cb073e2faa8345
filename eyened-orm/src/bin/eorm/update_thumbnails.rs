//! `eorm update-thumbnails`: make the missing thumbnails of images.

use std::sync::Arc;

use eyened_orm::cli::{ConnectArgs, Exit, OutputArgs, fail, print_json};
use eyened_orm::config::PlatformConfig;
use eyened_orm::files::thumbnails::{self, UpdateOptions};
use eyened_orm::progress::Progress;

/// Make the 144 and 540 pixel JPEG thumbnails of active images that have none
/// (ThumbnailPath NULL), under THUMBNAILS_PATH, and set their ThumbnailPath; needs SECRET_KEY.
///
/// Images are read on every core and their names stored 100 at a time, so an interrupted run
/// keeps what it finished. An image whose thumbnails cannot be made (missing file, unknown
/// format) gets ThumbnailPath = '' and is counted; --failed tries those again. `.json` images
/// have no thumbnail: ThumbnailPath stays NULL.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Also retry images whose thumbnails failed before (ThumbnailPath = '')
    #[arg(long)]
    pub failed: bool,
    /// Print why each failed image failed
    #[arg(long)]
    pub print_errors: bool,
    /// Images whose names are stored per UPDATE
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub batch_size: usize,
    /// No progress bar (it is also off when stderr is not a terminal)
    #[arg(long)]
    pub no_progress: bool,
}

/// Runs `eorm update-thumbnails`.
pub async fn run(args: Args, output: OutputArgs) -> Exit {
    let progress: Arc<dyn Progress> = crate::bars::Bars::shown_if(!args.no_progress, 10);
    let result = async {
        let platform = PlatformConfig::resolve(args.connect.env_file.as_deref())?;
        platform.require_secret_key()?;
        let db = args.connect.resolve()?.connect().await?;
        let summary = async {
            let jobs = thumbnails::missing_thumbnails(&db, args.failed).await?;
            progress.line(&format!("found {} images without thumbnails", jobs.len()));
            let options = UpdateOptions {
                batch: args.batch_size,
                keep_errors: args.print_errors,
            };
            thumbnails::update_thumbnails(&db, &platform, jobs, &options, &progress).await
        }
        .await;
        let _ = db.close().await;
        Ok::<_, Box<dyn std::error::Error>>(summary?)
    }
    .await;
    match result {
        Ok(summary) => {
            if output.json {
                print_json(&summary);
            } else {
                for (id, why) in &summary.errors {
                    println!("Error generating thumbnail for image {id}: {why}");
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
