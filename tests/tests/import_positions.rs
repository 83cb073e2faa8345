//! `eorm import` names where a conflicting value was given first: a patient, study or series
//! given twice with different props is a problem at the second place, naming the first.

use eyened_orm::import::{self, Format, ImportError, Options, ProgressBar};
use eyened_orm_tests::{ImageDir, import_database};
use sea_orm::DatabaseConnection;

async fn problems(conn: &DatabaseConnection, dir: &ImageDir, text: &str, format: Format) -> String {
    let options = Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        ..Options::new(&dir.0)
    };
    let err = import::import_text(conn, text, format, &options, &ProgressBar::hidden())
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::Input(_)), "{err}");
    err.to_string()
}

const IMAGE_COLUMNS: &str = "SourceInfoID,DeviceInstanceID,ModalityID,Laterality,Modality";
const IMAGE_VALUES: &str = "1,1,1,L,ColorFundus";

#[tokio::test]
async fn csv_conflicts_name_the_line_that_gave_the_value() {
    let (_db, conn) = import_database().await;
    let dir = ImageDir::with(&["a.png".into(), "b.png".into(), "c.png".into()]);
    // Line 2 gives no Sex, line 3 gives F, line 4 gives M for the same patient.
    let csv = format!(
        "project_name,patient_identifier,Patient.Sex,study_date,image,{IMAGE_COLUMNS}\n\
         P,A,,2020-01-01,a.png,{IMAGE_VALUES}\n\
         P,A,F,2020-01-01,b.png,{IMAGE_VALUES}\n\
         P,A,M,2020-01-01,c.png,{IMAGE_VALUES}\n"
    );
    let text = problems(&conn, &dir, &csv, Format::Csv).await;
    assert!(
        text.contains(
            "line 4, column Patient.Sex: Sex differs from the value given at line 3, column \
             Patient.Sex for the same row"
        ),
        "{text}"
    );
    assert!(text.starts_with("1 problem(s)"), "{text}");
}

#[tokio::test]
async fn tree_conflicts_name_the_first_item() {
    let (_db, conn) = import_database().await;
    let dir = ImageDir::with(&["a.png".into(), "b.png".into()]);
    let item = |sex: &str, image: &str| {
        serde_json::json!({
            "project_name": "P",
            "patient_identifier": "A",
            "props": {"Sex": sex},
            "studies": [{"study_date": "2020-01-01", "series": [{"images": [{
                "image": image,
                "props": {"SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1,
                          "Laterality": "L", "Modality": "ColorFundus"}
            }]}]}]
        })
    };
    let doc = serde_json::json!([item("F", "a.png"), item("M", "b.png")]);
    let text = problems(&conn, &dir, &doc.to_string(), Format::Json).await;
    assert!(
        text.contains(
            "items[1].props.Sex: Sex differs from the value given for the same row at \
             items[0].props.Sex"
        ),
        "{text}"
    );
}
