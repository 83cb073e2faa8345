//! The platform's file-side settings: where images, annotations, thumbnails and segmentations
//! live, the image server, and the key thumbnail names are derived from. Read from the same
//! places, with the same errors, as the `DATABASE_*` variables (see [`super::resolve`]).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{ConfigError, Secret, Source};

/// `IMAGES_BASEPATH`: the directory `ImageInstance.DatasetIdentifier` is relative to.
pub const VAR_IMAGES_BASEPATH: &str = "IMAGES_BASEPATH";
/// `ANNOTATIONS_PATH`: the directory `AnnotationData.DatasetIdentifier` is relative to.
pub const VAR_ANNOTATIONS_PATH: &str = "ANNOTATIONS_PATH";
/// `THUMBNAILS_PATH`: the directory `ImageInstance.ThumbnailPath` is relative to.
pub const VAR_THUMBNAILS_PATH: &str = "THUMBNAILS_PATH";
/// `SEGMENTATIONS_ZARR_STORE`: the zarr store holding segmentation arrays.
pub const VAR_SEGMENTATIONS_ZARR_STORE: &str = "SEGMENTATIONS_ZARR_STORE";
/// `IMAGE_SERVER_URL`: the URL images are served under (`<url>/<DatasetIdentifier>`).
pub const VAR_IMAGE_SERVER_URL: &str = "IMAGE_SERVER_URL";
/// `SECRET_KEY`: the HMAC key thumbnail names are derived from.
pub const VAR_SECRET_KEY: &str = "SECRET_KEY";
/// `CFI_CACHE_PATH`: where colour-fundus preprocessing caches its images.
pub const VAR_CFI_CACHE_PATH: &str = "CFI_CACHE_PATH";
/// `DEFAULT_STUDY_DATE`: the study date of imported studies that have none.
pub const VAR_DEFAULT_STUDY_DATE: &str = "DEFAULT_STUDY_DATE";

/// The platform's file-side settings, with the Python platform's defaults.
///
/// Differences from the Python `load_config`, each on purpose: `SECRET_KEY` may be missing
/// (only the thumbnail tools need it, and they say so); an empty `IMAGE_SERVER_URL` or
/// `CFI_CACHE_PATH` counts as unset (Python keeps `""` and `Path('.')`, which build URLs and paths
/// that point nowhere); an empty path variable is an error instead of the current directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformConfig {
    /// `IMAGES_BASEPATH` (default `/images`).
    pub images_basepath: PathBuf,
    /// `ANNOTATIONS_PATH` (default `/storage/annotations`).
    pub annotations_path: PathBuf,
    /// `THUMBNAILS_PATH` (default `/storage/thumbnails`).
    pub thumbnails_path: PathBuf,
    /// `SEGMENTATIONS_ZARR_STORE` (default `/storage/segmentations.zarr`).
    pub segmentations_zarr_store: PathBuf,
    /// `IMAGE_SERVER_URL`, without a trailing `/` (default: none).
    pub image_server_url: Option<String>,
    /// `SECRET_KEY` (default: none).
    pub secret_key: Option<Secret>,
    /// `CFI_CACHE_PATH` (default: none).
    pub cfi_cache_path: Option<PathBuf>,
    /// `DEFAULT_STUDY_DATE` (default 1970-01-01).
    pub default_study_date: NaiveDate,
    /// Where the settings were read, for errors (`env file 'test.env'`, `the environment`).
    pub source_desc: String,
}

impl Default for PlatformConfig {
    /// The Python platform's defaults, as if no variable were set.
    fn default() -> Self {
        PlatformConfig {
            images_basepath: PathBuf::from("/images"),
            annotations_path: PathBuf::from("/storage/annotations"),
            thumbnails_path: PathBuf::from("/storage/thumbnails"),
            segmentations_zarr_store: PathBuf::from("/storage/segmentations.zarr"),
            image_server_url: None,
            secret_key: None,
            cfi_cache_path: None,
            default_study_date: NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date"),
            source_desc: super::SOURCE_ENV.to_owned(),
        }
    }
}

impl PlatformConfig {
    /// Reads the settings from the env file at `env_file` if given, else from the process
    /// environment layered over `./.env` when it exists (as the `eorm` commands do).
    pub fn resolve(env_file: Option<&Path>) -> Result<Self, ConfigError> {
        let source = Source::open(env_file, Some(Path::new(".env")), &super::process_env)?;
        Self::from_source(&source)
    }

    /// Reads the settings from `lookup` (a variable's value, `None` when unset), described as
    /// `source_desc` in errors; for settings that come from somewhere else than a file or the
    /// environment.
    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
        source_desc: &str,
    ) -> Result<Self, ConfigError> {
        Self::from_source(&Source::Lookup {
            lookup,
            desc: source_desc.to_owned(),
        })
    }

    fn from_source(source: &Source<'_>) -> Result<Self, ConfigError> {
        let defaults = PlatformConfig::default();
        let desc = source.desc();
        let text = |name: &str| -> Result<Option<String>, ConfigError> {
            let Some(value) = source.get(name) else {
                return Ok(None);
            };
            if value.contains(char::is_control) {
                return Err(ConfigError::ControlCharacter {
                    name: name.to_owned(),
                    source_desc: desc.to_owned(),
                });
            }
            Ok(Some(value.trim().to_owned()))
        };
        let path = |name: &str, default: PathBuf| -> Result<PathBuf, ConfigError> {
            match text(name)? {
                None => Ok(default),
                Some(value) if value.is_empty() => Err(ConfigError::InvalidValue {
                    name: name.to_owned(),
                    source_desc: desc.to_owned(),
                    expected: "a path; leave the variable out for the default".to_owned(),
                }),
                Some(value) => Ok(PathBuf::from(value)),
            }
        };
        let optional = |name: &str| -> Result<Option<String>, ConfigError> {
            Ok(text(name)?.filter(|value| !value.is_empty()))
        };
        let default_study_date = match text(VAR_DEFAULT_STUDY_DATE)? {
            None => defaults.default_study_date,
            Some(value) => NaiveDate::parse_from_str(&value, "%Y-%m-%d").map_err(|_| {
                ConfigError::InvalidValue {
                    name: VAR_DEFAULT_STUDY_DATE.to_owned(),
                    source_desc: desc.to_owned(),
                    expected: format!("a date written YYYY-MM-DD, not '{value}'"),
                }
            })?,
        };
        // The key is a secret: taken as it is, spaces included, and never checked for content.
        let secret_key = source
            .get(VAR_SECRET_KEY)
            .filter(|key| !key.is_empty())
            .map(Secret::new);
        Ok(PlatformConfig {
            images_basepath: path(VAR_IMAGES_BASEPATH, defaults.images_basepath)?,
            annotations_path: path(VAR_ANNOTATIONS_PATH, defaults.annotations_path)?,
            thumbnails_path: path(VAR_THUMBNAILS_PATH, defaults.thumbnails_path)?,
            segmentations_zarr_store: path(
                VAR_SEGMENTATIONS_ZARR_STORE,
                defaults.segmentations_zarr_store,
            )?,
            image_server_url: optional(VAR_IMAGE_SERVER_URL)?
                .map(|url| url.trim_end_matches('/').to_owned()),
            secret_key,
            cfi_cache_path: optional(VAR_CFI_CACHE_PATH)?.map(PathBuf::from),
            default_study_date,
            source_desc: desc.to_owned(),
        })
    }

    /// The image server's URL, or an error saying that `IMAGE_SERVER_URL` is not set.
    pub fn require_image_server_url(&self) -> Result<&str, ConfigError> {
        self.image_server_url
            .as_deref()
            .ok_or_else(|| self.missing(VAR_IMAGE_SERVER_URL))
    }

    /// The thumbnail key, or an error saying that `SECRET_KEY` is not set.
    pub fn require_secret_key(&self) -> Result<&Secret, ConfigError> {
        self.secret_key
            .as_ref()
            .ok_or_else(|| self.missing(VAR_SECRET_KEY))
    }

    fn missing(&self, name: &str) -> ConfigError {
        ConfigError::MissingSetting {
            name: name.to_owned(),
            source_desc: self.source_desc.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<PlatformConfig, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PlatformConfig::from_lookup(&|name| vars.get(name).cloned(), "test vars")
    }

    #[test]
    fn nothing_set_gives_the_python_defaults() {
        let cfg = from(&[]).unwrap();
        assert_eq!(
            cfg,
            PlatformConfig {
                source_desc: "test vars".into(),
                ..PlatformConfig::default()
            }
        );
        assert_eq!(cfg.images_basepath, Path::new("/images"));
        assert_eq!(
            cfg.segmentations_zarr_store,
            Path::new("/storage/segmentations.zarr")
        );
        let err = cfg.require_secret_key().unwrap_err().to_string();
        assert_eq!(
            err,
            "SECRET_KEY is not set in test vars; set it there (the platform's value, so that names and links match)"
        );
        assert!(cfg.require_image_server_url().is_err());
    }

    #[test]
    fn every_key_is_read() {
        let cfg = from(&[
            ("IMAGES_BASEPATH", "/data/images"),
            ("ANNOTATIONS_PATH", "/data/annotations "),
            ("THUMBNAILS_PATH", "/data/thumbs"),
            ("SEGMENTATIONS_ZARR_STORE", "/data/seg.zarr"),
            ("IMAGE_SERVER_URL", "https://eyened.example/images/"),
            ("SECRET_KEY", " s3cret "),
            ("CFI_CACHE_PATH", "/tmp/cfi"),
            ("DEFAULT_STUDY_DATE", "2001-02-03"),
        ])
        .unwrap();
        assert_eq!(cfg.images_basepath, Path::new("/data/images"));
        assert_eq!(cfg.annotations_path, Path::new("/data/annotations"));
        assert_eq!(cfg.thumbnails_path, Path::new("/data/thumbs"));
        assert_eq!(cfg.segmentations_zarr_store, Path::new("/data/seg.zarr"));
        assert_eq!(
            cfg.require_image_server_url().unwrap(),
            "https://eyened.example/images"
        );
        assert_eq!(cfg.require_secret_key().unwrap().expose(), " s3cret ");
        assert_eq!(cfg.cfi_cache_path.as_deref(), Some(Path::new("/tmp/cfi")));
        assert_eq!(
            cfg.default_study_date,
            NaiveDate::from_ymd_opt(2001, 2, 3).unwrap()
        );
        assert!(!format!("{cfg:?}").contains("s3cret"));
    }

    #[test]
    fn bad_values_are_one_line_naming_the_variable() {
        let err = from(&[("DEFAULT_STUDY_DATE", "03-02-2001")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "DEFAULT_STUDY_DATE in test vars is not valid; expected a date written YYYY-MM-DD, not '03-02-2001'"
        );
        let err = from(&[("THUMBNAILS_PATH", "")]).unwrap_err().to_string();
        assert_eq!(
            err,
            "THUMBNAILS_PATH in test vars is not valid; expected a path; leave the variable out for the default"
        );
        let err = from(&[("IMAGES_BASEPATH", "/a\r/b")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("IMAGES_BASEPATH in test vars contains a control character"));
        // Empty optional values count as unset.
        let cfg = from(&[("IMAGE_SERVER_URL", ""), ("CFI_CACHE_PATH", "")]).unwrap();
        assert_eq!((cfg.image_server_url, cfg.cfi_cache_path), (None, None));
    }
}
