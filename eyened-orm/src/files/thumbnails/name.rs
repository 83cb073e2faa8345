//! Thumbnail names: `{ProjectID}/{name}`, where `name` hides the image's id from whoever can
//! list or guess thumbnail URLs.

use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::Secret;

/// Hex digits of the HMAC kept in a thumbnail name, as in the Python platform.
const NAME_LEN: usize = 24;

/// The name part of a thumbnail: the first 24 hex digits of
/// `HMAC-SHA256(key = SECRET_KEY, msg = str(ImageInstanceID))`.
pub fn thumbnail_name(secret_key: &Secret, image_instance_id: i32) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(image_instance_id.to_string().as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.truncate(NAME_LEN);
    hex
}

/// The value stored in `ImageInstance.ThumbnailPath`: `{ProjectID}/{name}`.
pub fn thumbnail_path_value(
    secret_key: &Secret,
    project_id: i32,
    image_instance_id: i32,
) -> String {
    format!(
        "{project_id}/{}",
        thumbnail_name(secret_key, image_instance_id)
    )
}

/// The file of the thumbnail of `size` for a `ThumbnailPath` value:
/// `thumbnails_path/{ThumbnailPath}_{size}.jpg` (Python's `get_thumbnail_path`).
pub fn thumbnail_file(thumbnails_path: &Path, thumbnail_path: &str, size: u32) -> PathBuf {
    thumbnails_path.join(format!("{thumbnail_path}_{size}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_truncated_hmac() {
        // hmac.new(b"s3cret", b"42", hashlib.sha256).hexdigest()[:24] in Python.
        let key = Secret::new("s3cret");
        let name = thumbnail_name(&key, 42);
        assert_eq!(name.len(), 24);
        assert!(
            name.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_uppercase())
        );
        assert_eq!(name, "982005f6c4662ae06eaa3ba4");
        assert_eq!(thumbnail_path_value(&key, 7, 42), format!("7/{name}"));
        assert_ne!(thumbnail_name(&key, 43), name);
        assert_eq!(
            thumbnail_file(Path::new("/t"), "7/abc", 144),
            Path::new("/t/7/abc_144.jpg")
        );
    }
}
