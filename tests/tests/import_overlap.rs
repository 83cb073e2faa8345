//! `eorm import` writing the first items while the later ones are checked (`Options::overlap`,
//! with a loader), against real MariaDB: an input of several pieces (4,000 images each) gives
//! the rows the sequential import gives, with the same ids; a problem that only a later piece
//! shows, or a file missing there, is reported exactly as the sequential import reports it, and
//! nothing is written; props a later item adds to a patient already written are not lost.

use eyened_orm::config::DatabaseConfig;
use eyened_orm::import::{self, Format, ImportError, Options, Summary};
use eyened_orm_tests::{ImageDir, TestDb, import_database, query_i64, query_strings};
use sea_orm::DatabaseConnection;
use serde_json::{Value as Json, json};

/// Patients of the input: 50 images each (2 studies × 1 series × 25), 5,000 images in all, so
/// two pieces.
const PATIENTS: usize = 100;

fn path(patient: usize, study: usize, image: usize) -> String {
    format!("p{patient}/st{study}/im{image}.png")
}

fn paths() -> Vec<String> {
    let mut paths = Vec::new();
    for pa in 0..PATIENTS {
        for st in 0..2 {
            for im in 0..25 {
                paths.push(path(pa, st, im));
            }
        }
    }
    paths
}

/// The input: one item per patient.
fn document() -> Vec<Json> {
    (0..PATIENTS)
        .map(|pa| {
            let studies: Vec<Json> = (0..2)
                .map(|st| {
                    let images: Vec<Json> = (0..25)
                        .map(|im| {
                            json!({"image": path(pa, st, im), "props": {
                                "SourceInfoID": 1, "DeviceInstanceID": 1, "ModalityID": 1,
                                "Laterality": if im % 2 == 0 { "L" } else { "R" },
                                "SOPInstanceUid": format!("1.9.{pa}.{st}.{im}"),
                            }})
                        })
                        .collect();
                    json!({
                        "study_date": format!("2020-01-{:02}", st + 1),
                        "series": [{"series_id": format!("1.8.{pa}.{st}"), "images": images}],
                    })
                })
                .collect();
            json!({"project_name": "Overlap", "patient_identifier": format!("P{pa:03}"), "studies": studies})
        })
        .collect()
}

async fn import(
    db: &TestDb,
    conn: &DatabaseConnection,
    dir: &ImageDir,
    items: &[Json],
    overlap: bool,
) -> Result<Summary, ImportError> {
    let options = Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        load_data: Some(DatabaseConfig::from_url(&db.url()).unwrap()),
        overlap,
        ..Options::new(&dir.0)
    };
    let text = Json::Array(items.to_vec()).to_string();
    let progress = eyened_orm::progress::silent();
    import::import_text(conn, &text, Format::Json, &options, &progress).await
}

/// Every row the import writes, as text, with its parents by their keys: the ids differ after
/// a rolled-back attempt (auto-increment values are not given back), and a load reserves image
/// ids in blocks, so images loaded in pieces have gaps between the pieces' ids.
async fn rows(conn: &DatabaseConnection) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT CONCAT_WS('|', ProjectName, External) FROM Project ORDER BY 1",
        "SELECT CONCAT_WS('|', ProjectName, PatientIdentifier, IFNULL(Sex, 'null')) \
         FROM Patient JOIN Project USING (ProjectID) ORDER BY 1",
        "SELECT CONCAT_WS('|', PatientIdentifier, StudyDate) FROM Study JOIN Patient USING \
         (PatientID) ORDER BY 1",
        "SELECT CONCAT_WS('|', StudyDate, SeriesInstanceUid) FROM Series JOIN Study USING \
         (StudyID) ORDER BY 1",
        "SELECT CONCAT_WS('|', SeriesInstanceUid, DatasetIdentifier, Laterality, \
         SOPInstanceUid) FROM ImageInstance JOIN Series USING (SeriesID) ORDER BY 1",
    ] {
        rows.extend(query_strings(conn, sql, Vec::new()).await);
    }
    rows
}

/// The number of [`rows`] of a successful import of [`document`].
const ROWS: usize = 1 + PATIENTS + 2 * PATIENTS + 2 * PATIENTS + 50 * PATIENTS;

/// The ids of the new patients, studies and series with their parents' ids: multi-row INSERTs
/// get consecutive ids, so writing in pieces gives the ids writing at once gives.
async fn parent_ids(conn: &DatabaseConnection) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT CONCAT_WS('|', PatientID, PatientIdentifier) FROM Patient ORDER BY PatientID",
        "SELECT CONCAT_WS('|', StudyID, PatientID, StudyDate) FROM Study ORDER BY StudyID",
        "SELECT CONCAT_WS('|', SeriesID, StudyID, SeriesInstanceUid) FROM Series \
         ORDER BY SeriesID",
    ] {
        rows.extend(query_strings(conn, sql, Vec::new()).await);
    }
    rows
}

async fn count(conn: &DatabaseConnection, table: &str) -> i64 {
    query_i64(conn, &format!("SELECT COUNT(*) FROM {table}")).await
}

/// The same input imported with and without overlap: the summaries, and the [`rows`] followed
/// by the [`parent_ids`].
async fn both(items: &[Json], dir: &ImageDir) -> [(Result<Summary, ImportError>, Vec<String>); 2] {
    let mut out = Vec::new();
    for overlap in [true, false] {
        let (db, conn) = import_database().await;
        let result = import(&db, &conn, dir, items, overlap).await;
        let mut written = rows(&conn).await;
        written.extend(parent_ids(&conn).await);
        out.push((result, written));
    }
    out.try_into().unwrap_or_else(|_| unreachable!())
}

fn problems(result: &Result<Summary, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Input(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected input problems, got {other:?}"),
    }
}

#[tokio::test]
async fn pieces_write_what_the_sequential_import_writes() {
    let dir = ImageDir::with(&paths());
    let [(overlapped, written), (sequential, expected)] = both(&document(), &dir).await;
    let (overlapped, sequential) = (overlapped.unwrap(), sequential.unwrap());
    assert_eq!(overlapped.images.new, (PATIENTS * 50) as u64);
    assert_eq!(overlapped.writing, "LOAD DATA LOCAL INFILE");
    assert_eq!(
        (overlapped.projects, overlapped.patients, overlapped.studies),
        (sequential.projects, sequential.patients, sequential.studies)
    );
    assert_eq!(overlapped.series, sequential.series);
    assert_eq!(overlapped.images, sequential.images);
    assert_eq!(written.len(), ROWS + PATIENTS + 2 * PATIENTS + 2 * PATIENTS);
    assert_eq!(written, expected);
}

#[tokio::test]
async fn a_problem_in_a_later_piece_is_reported_and_nothing_is_written() {
    let dir = ImageDir::with(&paths());
    let mut items = document();
    // Past the first piece: a series UID given in two studies, and a study whose props
    // contradict its date.
    items[95]["studies"][1]["series"][0]["series_id"] = json!("1.8.95.0");
    items[97]["studies"][0]["props"] = json!({"StudyDate": "2021-05-05"});
    let [(overlapped, written), (sequential, _)] = both(&items, &dir).await;
    let reported = problems(&overlapped);
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert_eq!(reported, problems(&sequential));
    assert!(written.is_empty(), "{written:?}");
}

#[tokio::test]
async fn a_file_missing_in_a_later_piece_is_reported_and_nothing_is_written() {
    let dir = ImageDir::with(&paths());
    std::fs::remove_file(dir.0.join(path(99, 1, 24))).unwrap();
    let [(overlapped, written), (sequential, _)] = both(&document(), &dir).await;
    let reported = problems(&overlapped);
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(reported[0].contains("file not found"), "{reported:?}");
    assert_eq!(reported, problems(&sequential));
    assert!(written.is_empty(), "{written:?}");
}

#[tokio::test]
async fn props_a_later_item_adds_to_a_written_patient_are_written() {
    let dir = ImageDir::with(&paths());
    let mut items = document();
    // The first patient again, at the end, with a study of its own and a prop the first
    // occurrence did not give: the rows of the first piece are written by then.
    let mut again = items[0].clone();
    again["props"] = json!({"Sex": "F"});
    again["studies"] = json!([items[99]["studies"][1].clone()]);
    again["studies"][0]["study_date"] = json!("2020-02-02");
    items[99]["studies"].as_array_mut().unwrap().pop();
    items.push(again);
    let [(overlapped, written), (sequential, expected)] = both(&items, &dir).await;
    overlapped.unwrap();
    sequential.unwrap();
    assert_eq!(written[1], "Overlap|P000|F");
    // Not the ids: the attempt that gave up used some before it was rolled back.
    assert_eq!(written[..ROWS], expected[..ROWS]);
}

#[tokio::test]
async fn importing_again_adds_nothing() {
    let dir = ImageDir::with(&paths());
    let (db, conn) = import_database().await;
    import(&db, &conn, &dir, &document(), true).await.unwrap();
    let before = rows(&conn).await;
    let again = import(&db, &conn, &dir, &document(), true).await.unwrap();
    assert_eq!(again.images.new, 0);
    assert_eq!(again.images.existing, (PATIENTS * 50) as u64);
    assert_eq!(count(&conn, "ImageInstance").await, (PATIENTS * 50) as i64);
    assert_eq!(rows(&conn).await, before);
}
