//! `eorm import` on real MariaDB and real files: an image path must name a file inside the
//! images base path once symbolic links are followed. A link that leads outside and a directory
//! are problems at the image's position, found before anything is written; a link that stays
//! inside is fine, and so is a base path given through a link.

use std::os::unix::fs::symlink;
use std::path::Path;

use eyened_orm::import::{self, Format, ImportError, Options, Summary};
use eyened_orm_tests::{ImageDir, eorm, import_database, output_text, query_i64, query_strings};
use sea_orm::DatabaseConnection;

const IMAGE_COLUMNS: &str = "SourceInfoID,DeviceInstanceID,ModalityID,Laterality,Modality";
const IMAGE_VALUES: &str = "1,1,1,L,ColorFundus";

/// A CSV import of `images` (one line each, all of patient A), creating what is missing.
fn csv(images: &[&str]) -> String {
    let mut out = format!("project_name,patient_identifier,study_date,image,{IMAGE_COLUMNS}\n");
    for image in images {
        out.push_str(&format!("P,A,2020-01-01,{image},{IMAGE_VALUES}\n"));
    }
    out
}

async fn import_csv(
    conn: &DatabaseConnection,
    basepath: &Path,
    images: &[&str],
) -> Result<Summary, ImportError> {
    let options = Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        ..Options::new(basepath)
    };
    import::import_text(
        conn,
        &csv(images),
        Format::Csv,
        &options,
        &eyened_orm::progress::silent(),
    )
    .await
}

async fn images_written(conn: &DatabaseConnection) -> i64 {
    query_i64(conn, "SELECT COUNT(*) FROM ImageInstance").await
}

/// A base path `base/` holding `sub/a.png`, `sub/b.png` and links, beside a directory
/// `outside/` holding `secret.png`.
struct Tree {
    root: ImageDir,
}

impl Tree {
    fn new() -> Self {
        let root = ImageDir::with(&[
            "base/sub/a.png".into(),
            "base/sub/b.png".into(),
            "outside/secret.png".into(),
        ]);
        let base = root.0.join("base");
        std::fs::create_dir_all(base.join("empty")).unwrap();
        symlink(root.0.join("outside/secret.png"), base.join("out.png")).unwrap();
        symlink("../outside", base.join("out_dir")).unwrap();
        symlink(base.join("sub/a.png"), base.join("in.png")).unwrap();
        symlink("sub", base.join("in_dir")).unwrap();
        symlink(&base, root.0.join("base_link")).unwrap();
        Tree { root }
    }

    fn base(&self) -> std::path::PathBuf {
        self.root.0.join("base")
    }
}

#[tokio::test]
async fn links_out_of_the_base_path_and_directories_are_refused_before_writing() {
    let (_db, conn) = import_database().await;
    let tree = Tree::new();
    let err = import_csv(
        &conn,
        &tree.base(),
        &[
            "sub/a.png",
            "out.png",
            "out_dir/secret.png",
            "sub",
            "in_dir",
            "empty",
            "in.png",
        ],
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ImportError::Input(_)), "{text}");
    let secret = std::fs::canonicalize(tree.root.0.join("outside/secret.png")).unwrap();
    let base = tree.base();
    for expected in [
        format!(
            "line 3, column image: 'out.png' is outside the images base path {} (a symbolic \
             link leads to {})",
            base.display(),
            secret.display()
        ),
        format!(
            "line 4, column image: 'out_dir/secret.png' is outside the images base path {} (a \
             symbolic link leads to {})",
            base.display(),
            secret.display()
        ),
        "line 5, column image: 'sub' is a directory, not an image file".to_owned(),
        "line 6, column image: 'in_dir' is a directory, not an image file".to_owned(),
        "line 7, column image: 'empty' is a directory, not an image file".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected}\nnot in\n{text}");
    }
    assert!(text.starts_with("5 problem(s)"), "{text}");
    assert_eq!(images_written(&conn).await, 0);
}

#[tokio::test]
async fn links_that_stay_inside_are_followed() {
    let (_db, conn) = import_database().await;
    let tree = Tree::new();
    // Through the base path's own link too: containment is of the resolved paths.
    for (basepath, new, existing) in [(tree.base(), 3, 0), (tree.root.0.join("base_link"), 0, 3)] {
        let summary = import_csv(&conn, &basepath, &["sub/b.png", "in.png", "in_dir/a.png"])
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", basepath.display()));
        assert_eq!(
            (summary.images.new, summary.images.existing),
            (new, existing),
            "{}",
            basepath.display()
        );
    }
    // The path is stored as given, not as resolved.
    let mut paths =
        query_strings(&conn, "SELECT DatasetIdentifier FROM ImageInstance", vec![]).await;
    paths.sort();
    assert_eq!(paths, ["in.png", "in_dir/a.png", "sub/b.png"]);
}

#[tokio::test]
async fn the_command_refuses_a_link_out_with_exit_1_and_writes_nothing() {
    let (db, conn) = import_database().await;
    let tree = Tree::new();
    let file = tree.root.0.join("import.csv");
    std::fs::write(&file, csv(&["sub/a.png", "out.png"])).unwrap();
    let url = db.url();
    let out = eorm(&[
        "import",
        "-u",
        &url,
        "--create-projects",
        "--create-patients",
        "--create-studies",
        "--no-thumbnails",
        "--images-basepath",
        &tree.base().to_string_lossy(),
        &file.to_string_lossy(),
    ]);
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("line 3, column image: 'out.png' is outside the images base path"),
        "{text}"
    );
    assert_eq!(images_written(&conn).await, 0);
}
