//! `eorm`: command-line tools of the Eyened ORM.
//!
//! ```text
//! eorm database-mirror-full -c transfer-config.yml [--dry-run] [--yes] [--workers N]
//! eorm database-mirror-test -c transfer-config.yml [--dry-run] [--yes]
//! eorm verify -e prod.env [--snapshot before.json | --compare before.json]
//! eorm import -e prod.env images.json [--dry-run]
//! eorm dataset -e test.env --patients 500 [--seed 1] [--create-schema]
//! eorm update-hashes -e prod.env [--print-errors]
//! eorm zarr-tree -e prod.env
//! eorm update-thumbnails -e prod.env [--failed] [--print-errors]
//! eorm completions bash > /etc/bash_completion.d/eorm
//! ```
//!
//! The conventions every command follows (connection arguments, `-v`, `--json`, the
//! confirmation prompt, exit codes) are those of [`eyened_orm::cli`].

mod bars;
mod dataset;
mod import;
mod mirror;
mod update_hashes;
mod update_thumbnails;
mod verify;
mod zarr_tree;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use eyened_orm::cli::{self, Exit, OutputArgs};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc asks for transparent huge pages (`madvise`), and the kernel zeroes each 2 MiB page
/// when it is first touched: in a subset selection that was 44 % of eorm's CPU, taken from the
/// database server when both run on one machine. With small pages only what is used is zeroed.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only changes how the kernel backs
    // this process's memory; a failure (an old kernel) leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "eorm",
    version,
    about = "Command-line tools of the Eyened ORM",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Copy a whole database (schema and every row) into a target database, e.g. production
    /// into a test server, through a verified staging copy.
    ///
    /// The target is replaced only after the copy has been verified (row counts, content
    /// fingerprints and DDL of every table), with one atomic RENAME; an interrupted or failed
    /// run leaves it untouched. Source reads run in a read-only consistent snapshot.
    #[command(name = "database-mirror-full")]
    DatabaseMirrorFull(mirror::Args),

    /// Copy the schema and a subset of rows: those selected by `copy_objects` in the config,
    /// everything that belongs to them (down the foreign keys) and everything they reference
    /// (up the foreign keys), so that the copy has no orphans.
    ///
    /// Downward edges default to every foreign key; change them with `follow_down:` (the whole
    /// list, e.g. [Study.PatientID, Series.StudyID]) or `skip_down:` (removals) in the config,
    /// or with `follow_down: false` on a copy_objects entry.
    ///
    /// `copy_segmentation_data: true` also copies the subset's segmentation zarr data into the
    /// target's store (`segmentations_zarr_store:` or SEGMENTATIONS_ZARR_STORE of `env_file:`
    /// on each side) and points the copied rows' ZarrArrayIndex at it.
    #[command(name = "database-mirror-test")]
    DatabaseMirrorTest(mirror::Args),

    /// Fill an empty Eyened database with generated, Eyened-shaped data (all 40 tables),
    /// for tests and benchmarks. The same seed always gives the same rows.
    Dataset(dataset::Args),

    /// Check the data of a live database: schema, orphans and duplicates, every row decoded
    /// through its entity, and (with --snapshot / --compare) which columns' data changed.
    Verify(verify::Args),

    /// Import images with their projects, patients, studies and series from a JSON, YAML or
    /// flat CSV file: everything checked first, then one transaction.
    Import(import::Args),

    /// Compute the missing FileChecksum and DataHash of images (inactive ones too) from their
    /// files; files that cannot be read are counted, not fatal.
    #[command(name = "update-hashes")]
    UpdateHashes(update_hashes::Args),

    /// Show the segmentation zarr store (SEGMENTATIONS_ZARR_STORE), read-only: each group with
    /// its arrays' names, shapes, element types and chunks.
    #[command(name = "zarr-tree")]
    ZarrTree(zarr_tree::Args),
    /// Make the missing 144 and 540 pixel thumbnails of active images under THUMBNAILS_PATH
    /// and set their ThumbnailPath (needs SECRET_KEY); failures are marked '' and counted.
    #[command(name = "update-thumbnails")]
    UpdateThumbnails(update_thumbnails::Args),

    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Resolves on Ctrl-C or SIGTERM with the signal's name.
pub async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "Ctrl-C",
            _ = term.recv() => "SIGTERM",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    no_transparent_huge_pages();
    let cli = Cli::parse();
    cli::init_logging(cli.output.verbose);
    let output = cli.output;
    let exit = match cli.command {
        Command::DatabaseMirrorFull(args) => {
            mirror::run(eyened_orm::mirror::Mode::Full, args, output).await
        }
        Command::DatabaseMirrorTest(args) => {
            mirror::run(eyened_orm::mirror::Mode::Test, args, output).await
        }
        Command::ZarrTree(args) => zarr_tree::run(args, output),
        Command::Completions { shell } => {
            cli::print_completions(Cli::command(), shell);
            Exit::Ok
        }
        command => {
            let work = async move {
                match command {
                    Command::Verify(args) => verify::run(args, output).await,
                    Command::Import(args) => import::run(args, output).await,
                    Command::Dataset(args) => dataset::run(args, output).await,
                    Command::UpdateHashes(args) => update_hashes::run(args, output).await,
                    Command::UpdateThumbnails(args) => update_thumbnails::run(args, output).await,
                    _ => Exit::Ok,
                }
            };
            tokio::select! {
                exit = work => exit,
                name = interrupted() => {
                    let _ = cli::fail(output.json, &format!("interrupted ({name})"), Exit::Interrupted);
                    Exit::Interrupted
                }
            }
        }
    };
    exit.into()
}
