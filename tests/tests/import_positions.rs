//! `eorm import` names where a conflicting value was given first: a patient, study or series
//! given twice with different props is a problem at the second place, naming the first.

use eyened_orm::import::{self, Format, ImportError, Options};
use eyened_orm_tests::{ImageDir, import_database};
use sea_orm::DatabaseConnection;

async fn problems(conn: &DatabaseConnection, dir: &ImageDir, text: &str, format: Format) -> String {
    let options = Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        ..Options::new(&dir.0)
    };
    let err = import::import_text(
        conn,
        text,
        format,
        &options,
        &eyened_orm::progress::silent(),
    )
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
             Patient.Sex for the same patient"
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
            "items[1].props.Sex: Sex differs from the value given at items[0].props.Sex for \
             the same patient"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn conflicts_name_the_study_or_series_they_are_about() {
    let (_db, conn) = import_database().await;
    let dir = ImageDir::with(&["a.png".into(), "b.png".into()]);
    // The same study (patient A, 2020-01-01) and series (uid 1.2.3) on both lines, each with
    // another description and number.
    let csv = format!(
        "project_name,patient_identifier,study_date,Study.StudyDescription,series_id,\
         Series.SeriesNumber,image,{IMAGE_COLUMNS}\n\
         P,A,2020-01-01,first,1.2.3,1,a.png,{IMAGE_VALUES}\n\
         P,A,2020-01-01,second,1.2.3,2,b.png,{IMAGE_VALUES}\n"
    );
    let text = problems(&conn, &dir, &csv, Format::Csv).await;
    for expected in [
        "line 3, column Study.StudyDescription: StudyDescription differs from the value given at \
         line 2, column Study.StudyDescription for the same study",
        "line 3, column Series.SeriesNumber: SeriesNumber differs from the value given at line 2, \
         column Series.SeriesNumber for the same series",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }

    // The same in the nested form: two items of one patient.
    let item = |description: &str, number: i64, image: &str| {
        serde_json::json!({
            "project_name": "P",
            "patient_identifier": "A",
            "studies": [{"study_date": "2020-01-01", "props": {"StudyDescription": description},
                "series": [{"series_id": "1.2.3", "props": {"SeriesNumber": number}, "images": [{
                "image": image,
                "props": {"SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1,
                          "Laterality": "L", "Modality": "ColorFundus"}
            }]}]}]
        })
    };
    let doc = serde_json::json!([item("first", 1, "a.png"), item("second", 2, "b.png")]);
    let text = problems(&conn, &dir, &doc.to_string(), Format::Json).await;
    for expected in [
        "items[1].studies[0].props.StudyDescription: StudyDescription differs from the value \
         given at items[0].studies[0].props.StudyDescription for the same study",
        "items[1].studies[0].series[0].props.SeriesNumber: SeriesNumber differs from the value \
         given at items[0].studies[0].series[0].props.SeriesNumber for the same series",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
}

#[tokio::test]
async fn csv_problems_found_while_planning_name_line_and_column() {
    let (_db, conn) = import_database().await;
    let dir = ImageDir::with(&["a.png".into()]);
    // Line 3's file does not exist; line 4's path leaves the base path.
    let csv = format!(
        "project_name,patient_identifier,study_date,image,{IMAGE_COLUMNS}\n\
         P,A,2020-01-01,a.png,{IMAGE_VALUES}\n\
         P,A,2020-01-01,missing.png,{IMAGE_VALUES}\n\
         P,A,2020-01-01,../outside.png,{IMAGE_VALUES}\n"
    );
    let text = problems(&conn, &dir, &csv, Format::Csv).await;
    for expected in [
        "line 3, column image: file not found",
        "line 4, column image: '../outside.png' is outside the images base path",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
}
