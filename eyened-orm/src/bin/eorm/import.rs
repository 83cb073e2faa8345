//! `eorm import FILE`: import images with their projects, patients, studies and series.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use eyened_orm::External;
use eyened_orm::cli::{ConnectArgs, Exit, OutputArgs, fail, print_json};
use eyened_orm::config::PlatformConfig;
use eyened_orm::import::{self, Format, ImportError, Options};
use eyened_orm::progress::Progress;

/// Import images from a JSON, YAML or flat CSV file (see the docs of `eyened_orm::import` for
/// the format): everything is checked first, then one transaction writes it. Exit 0 on success,
/// 1 when the input has problems (nothing written), 2 on other errors.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The file to import: .json, .yaml/.yml or .csv
    pub file: PathBuf,
    /// The file's format, when its extension does not tell
    #[arg(long, value_parser = ["json", "yaml", "csv"])]
    pub format: Option<String>,
    /// Create projects that do not exist
    #[arg(long)]
    pub create_projects: bool,
    /// Create patients that do not exist
    #[arg(long)]
    pub create_patients: bool,
    /// Create studies that do not exist
    #[arg(long)]
    pub create_studies: bool,
    /// Create series that do not exist (the default)
    #[arg(long, overrides_with = "no_create_series")]
    pub create_series: bool,
    /// Do not create series: every series must exist
    #[arg(long)]
    pub no_create_series: bool,
    /// Check the input and print counts of new and existing rows; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Directory the image paths are relative to [default: IMAGES_BASEPATH]
    #[arg(long, value_name = "DIR")]
    pub images_basepath: Option<PathBuf>,
    /// Study date for studies without study_date [default: DEFAULT_STUDY_DATE, else 1970-01-01]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    pub default_study_date: Option<NaiveDate>,
    /// `External` of new projects: Y, N or M
    #[arg(long, default_value = "Y", value_parser = parse_external, value_name = "Y|N|M")]
    pub project_external: External,
    /// Write the images with INSERTs, not LOAD DATA LOCAL INFILE
    #[arg(long)]
    pub no_load_data: bool,
    /// Write the first items while the later ones are checked (in the same transaction, rolled
    /// back on any problem, then everything is checked again to report every problem), instead
    /// of checking everything before writing anything
    #[arg(long)]
    pub overlap: bool,
    /// Do not make the new images' thumbnails after the import (by default they are made as
    /// `eorm update-thumbnails` makes them, which needs SECRET_KEY and THUMBNAILS_PATH)
    #[arg(long)]
    pub no_thumbnails: bool,
    /// No progress bar (it is also off when stderr is not a terminal)
    #[arg(long)]
    pub no_progress: bool,
}

fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    import::input::parse_date(s).ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

fn parse_external(s: &str) -> Result<External, String> {
    s.parse::<External>()
        .map_err(|_| format!("'{s}' is not Y, N or M"))
}

impl Args {
    /// Options from the arguments; `env` looks up `IMAGES_BASEPATH` and `DEFAULT_STUDY_DATE`
    /// where the arguments do not give them.
    fn options(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Options, ImportError> {
        let basepath = match &self.images_basepath {
            Some(p) => p.clone(),
            None => env("IMAGES_BASEPATH")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .ok_or(ImportError::NoBasepath)?,
        };
        let default_date = match self.default_study_date {
            Some(d) => d,
            None => match env("DEFAULT_STUDY_DATE") {
                Some(v) => import::input::parse_date(&v).ok_or(ImportError::DefaultStudyDate(v))?,
                None => import::default_study_date(),
            },
        };
        Ok(Options {
            create_projects: self.create_projects,
            create_patients: self.create_patients,
            create_studies: self.create_studies,
            create_series: !self.no_create_series,
            dry_run: self.dry_run,
            default_study_date: default_date,
            project_external: self.project_external,
            ..Options::new(basepath)
        })
    }

    fn format(&self) -> Option<Format> {
        match self.format.as_deref()? {
            "json" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            _ => Some(Format::Csv),
        }
    }
}

/// Variables of `env_file` if given (the process environment is not consulted then, as for the
/// connection settings), else of the process environment.
fn env_lookup(env_file: Option<&Path>) -> Result<HashMap<String, String>, ImportError> {
    match env_file {
        None => Ok(std::env::vars().collect()),
        // The reader of the connection settings: its errors never quote a value, which may be
        // the password.
        Some(path) => Ok(eyened_orm::config::read_env_file(path)?),
    }
}

/// Runs `eorm import`.
pub async fn run(args: Args, output: OutputArgs) -> Exit {
    let progress: Arc<dyn Progress> = crate::bars::Bars::shown_if(!args.no_progress, 12);
    let result = async {
        let vars = env_lookup(args.connect.env_file.as_deref())?;
        let options = args.options(&|k| vars.get(k).cloned())?;
        let thumbnails = if args.no_thumbnails || args.dry_run {
            None
        } else {
            let cfg = PlatformConfig::resolve(args.connect.env_file.as_deref())?;
            import::check_secret_key(&cfg)?;
            Some(cfg)
        };
        let config = args.connect.resolve()?;
        let db = config.connect().await?;
        let options = Options {
            load_data: (!args.no_load_data).then(|| config.clone()),
            overlap: args.overlap,
            thumbnails,
            ..options
        };
        let result = import::import_file(&db, &args.file, args.format(), &options, &progress).await;
        let _ = db.close().await;
        result
    }
    .await;
    match result {
        Ok(summary) => {
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            if output.json {
                print_json(&summary);
            } else {
                print!("{}", summary.render_table());
            }
            Exit::Ok
        }
        Err(err @ ImportError::Input(_)) => {
            let _ = fail(output.json, &err.to_string(), Exit::Problems);
            Exit::Problems
        }
        Err(err) => {
            let _ = fail(output.json, &err.to_string(), Exit::Error);
            Exit::Error
        }
    }
}
