//! `eorm import` against real MariaDB: a generated tree creates exactly the expected rows (from
//! JSON, YAML and CSV alike); importing it again adds nothing; `--dry-run` writes nothing; a bad
//! input file writes nothing and names each problem with its position.

use std::path::Path;
use std::process::Output;

use eyened_orm::import::{self, Format, ImportError, Options, Summary};
use eyened_orm_tests::{ImageDir, TestDb, eorm, output_text, query_i64, query_strings};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::{Value as Json, json};

/// The rows images point at: a source, a device and a modality.
#[derive(Clone, Copy)]
struct Lookups {
    source: i32,
    device: i32,
    modality: i32,
}

async fn lookups(conn: &DatabaseConnection) -> Lookups {
    use eyened_orm::{device_instance, device_model, modality, source_info};
    let source = source_info::ActiveModel {
        source_name: Set("import-source".into()),
        source_path: Set("/images".into()),
        thumbnail_path: Set("/thumbnails".into()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    let model = device_model::ActiveModel {
        manufacturer: Set("Topcon".into()),
        manufacturer_model_name: Set("TRC-NW8".into()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    let device = device_instance::ActiveModel {
        device_model_id: Set(model.device_model_id),
        description: Set("camera".into()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    let modality = modality::ActiveModel {
        modality_tag: Set("CF".into()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    Lookups {
        source: source.source_info_id,
        device: device.device_instance_id,
        modality: modality.modality_id,
    }
}

/// Shape of a generated tree.
#[derive(Clone, Copy)]
struct Shape {
    projects: usize,
    patients: usize,
    studies: usize,
    series: usize,
    images: usize,
}

impl Shape {
    fn total_images(self) -> usize {
        self.projects * self.patients * self.studies * self.series * self.images
    }
}

/// A nested import document of `shape`, with its image files created under `dir`.
fn tree(dir: &ImageDir, shape: Shape, ids: Lookups) -> Json {
    let mut items = Vec::new();
    for p in 0..shape.projects {
        for pa in 0..shape.patients {
            let mut studies = Vec::new();
            for st in 0..shape.studies {
                let mut series = Vec::new();
                for se in 0..shape.series {
                    let mut images = Vec::new();
                    for im in 0..shape.images {
                        let path = format!("p{p}/pa{pa}/st{st}/se{se}/im{im}.png");
                        dir.touch(&path);
                        images.push(json!({
                            "image": path,
                            "props": {
                                "SourceInfoID": ids.source,
                                "DeviceInstanceID": ids.device,
                                "ModalityID": ids.modality,
                                "Laterality": if im % 2 == 0 { "L" } else { "R" },
                                "Modality": "ColorFundus",
                                "Rows_y": 1536,
                                "Columns_x": 2048,
                                "ResolutionHorizontal": 0.0125,
                                "SOPInstanceUid": format!("1.2.826.{p}.{pa}.{st}.{se}.{im}"),
                                "AcquisitionDateTime": format!("2021-0{}-1{} 09:30:00", st + 1, se),
                                "CFROI": {"center": [1024, 768], "radius": 700},
                            }
                        }));
                    }
                    series.push(json!({
                        "series_id": format!("1.2.826.{p}.{pa}.{st}.{se}"),
                        "props": {"SeriesNumber": se + 1},
                        "images": images,
                    }));
                }
                studies.push(json!({
                    "study_date": format!("2020-0{}-0{}", st + 1, pa % 9 + 1),
                    "props": {"StudyDescription": format!("visit {st}")},
                    "series": series,
                }));
            }
            items.push(json!({
                "project_name": format!("Project {p}"),
                "patient_identifier": format!("P{p}-{pa:03}"),
                "props": {"Sex": if pa % 2 == 0 { "F" } else { "M" }, "BirthDate": "1950-06-01"},
                "studies": studies,
            }));
        }
    }
    json!(items)
}

fn options(dir: &ImageDir) -> Options {
    Options {
        create_projects: true,
        create_patients: true,
        create_studies: true,
        ..Options::new(&dir.0)
    }
}

async fn import_json(
    conn: &DatabaseConnection,
    doc: &Json,
    options: &Options,
) -> Result<Summary, ImportError> {
    import::import_text(
        conn,
        &doc.to_string(),
        Format::Json,
        options,
        &eyened_orm::progress::silent(),
    )
    .await
}

/// Row counts of the five tables an import writes.
async fn counts(conn: &DatabaseConnection) -> [i64; 5] {
    let mut out = [0; 5];
    for (i, t) in ["Project", "Patient", "Study", "Series", "ImageInstance"]
        .iter()
        .enumerate()
    {
        out[i] = query_i64(conn, &format!("SELECT COUNT(*) FROM `{t}`")).await;
    }
    out
}

fn expected_counts(shape: Shape) -> [i64; 5] {
    let projects = shape.projects;
    let patients = projects * shape.patients;
    let studies = patients * shape.studies;
    let series = studies * shape.series;
    [projects, patients, studies, series, series * shape.images].map(|n| n as i64)
}

const SHAPE: Shape = Shape {
    projects: 2,
    patients: 3,
    studies: 2,
    series: 2,
    images: 3,
};

#[tokio::test]
async fn generated_tree_creates_exactly_the_expected_rows_and_reimport_adds_nothing() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    let doc = tree(&dir, SHAPE, ids);

    let summary = import_json(&conn, &doc, &options(&dir)).await.unwrap();
    let expected = expected_counts(SHAPE);
    assert_eq!(counts(&conn).await, expected);
    let news = [
        summary.projects.new,
        summary.patients.new,
        summary.studies.new,
        summary.series.new,
        summary.images.new,
    ];
    assert_eq!(news.map(|n| n as i64), expected, "{summary:?}");
    assert_eq!(summary.images.existing, 0);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);

    // What was stored: the fixed bugs and the props.
    assert_eq!(
        query_strings(&conn, "SELECT DISTINCT External FROM Project", vec![]).await,
        vec!["Y"]
    );
    let dates = query_strings(
        &conn,
        "SELECT DISTINCT CAST(StudyDate AS CHAR) FROM Study ORDER BY 1",
        vec![],
    )
    .await;
    assert!(dates.contains(&"2020-01-01".to_owned()), "{dates:?}");
    assert!(dates.contains(&"2020-02-03".to_owned()), "{dates:?}");
    assert!(
        !dates.contains(&"1970-01-01".to_owned()),
        "study_date ignored: {dates:?}"
    );
    assert_eq!(
        query_i64(
            &conn,
            "SELECT COUNT(*) FROM Series s JOIN Study st ON st.StudyID = s.StudyID \
             JOIN Patient p ON p.PatientID = st.PatientID \
             WHERE s.SeriesInstanceUid = '1.2.826.1.2.1.0' AND p.PatientIdentifier = 'P1-002' \
             AND st.StudyDate = '2020-02-03' AND s.SeriesNumber = 1"
        )
        .await,
        1
    );
    let row = query_strings(
        &conn,
        "SELECT CONCAT_WS('|', i.DatasetIdentifier, i.Laterality, i.Modality, i.Rows_y, \
         i.Inactive, CAST(i.AcquisitionDateTime AS CHAR), JSON_EXTRACT(i.CFROI, '$.radius'), \
         p.Sex, CAST(p.BirthDate AS CHAR), st.StudyDescription) \
         FROM ImageInstance i JOIN Series s ON s.SeriesID = i.SeriesID \
         JOIN Study st ON st.StudyID = s.StudyID JOIN Patient p ON p.PatientID = st.PatientID \
         WHERE i.SOPInstanceUid = '1.2.826.0.1.1.0.1'",
        vec![],
    )
    .await;
    assert_eq!(
        row,
        vec![
            "p0/pa1/st1/se0/im1.png|R|ColorFundus|1536|0|2021-02-10 09:30:00|700|M|1950-06-01|visit 1"
        ]
    );

    // Again: nothing new, everything found.
    let again = import_json(&conn, &doc, &options(&dir)).await.unwrap();
    assert_eq!(counts(&conn).await, expected);
    assert_eq!(
        [
            again.projects.new,
            again.patients.new,
            again.studies.new,
            again.series.new,
            again.images.new
        ],
        [0; 5]
    );
    let existing = [
        again.projects.existing,
        again.patients.existing,
        again.studies.existing,
        again.series.existing,
        again.images.existing,
    ];
    assert_eq!(existing.map(|n| n as i64), expected);
    // Props given for existing rows are not applied, and say so.
    assert!(!again.warnings.is_empty());
}

#[tokio::test]
async fn dry_run_writes_nothing_and_counts() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    let doc = tree(&dir, SHAPE, ids);
    let dry = Options {
        dry_run: true,
        ..options(&dir)
    };
    let summary = import_json(&conn, &doc, &dry).await.unwrap();
    assert!(summary.dry_run);
    assert_eq!(counts(&conn).await, [0; 5]);
    assert_eq!(summary.images.new as usize, SHAPE.total_images());
    assert_eq!(summary.series.new, 24);
    assert!(
        summary
            .render_table()
            .contains("dry run: nothing was written")
    );

    // Half imported, then a dry run counts new and existing.
    let first_project = json!([doc[0].clone(), doc[1].clone()]);
    import_json(&conn, &first_project, &options(&dir))
        .await
        .unwrap();
    let before = counts(&conn).await;
    let summary = import_json(&conn, &doc, &dry).await.unwrap();
    assert_eq!(counts(&conn).await, before);
    assert_eq!((summary.projects.new, summary.projects.existing), (1, 1));
    assert_eq!((summary.patients.new, summary.patients.existing), (4, 2));
    assert_eq!(
        (summary.images.new, summary.images.existing),
        (4 * 12, 2 * 12)
    );

    // The command prints the same counts (exit 0), and writes nothing either.
    let file = dir.0.join("tree.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = import_command(&db, &file, &dir.0, true);
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    assert_eq!(counts(&conn).await, before);
}

/// `eorm import` of `file` into `db`, creating what is missing.
fn import_command(db: &TestDb, file: &Path, basepath: &Path, dry_run: bool) -> Output {
    let url = db.url();
    let (file, basepath) = (file.to_string_lossy(), basepath.to_string_lossy());
    let mut args = vec![
        "import",
        "-u",
        &url,
        "--create-projects",
        "--create-patients",
        "--create-studies",
        "--no-thumbnails",
        "--images-basepath",
        &basepath,
        &file,
    ];
    if dry_run {
        args.push("--dry-run");
    }
    eorm(&args)
}

#[tokio::test]
async fn bad_input_writes_nothing_and_names_each_problem() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    let mut doc = tree(&dir, SHAPE, ids);
    let mut set = |i: usize, st: usize, se: usize, im: usize, f: &dyn Fn(&mut Json)| {
        f(&mut doc[i]["studies"][st]["series"][se]["images"][im]);
    };
    set(0, 0, 0, 0, &|v| v["props"]["Lateralty"] = json!("L"));
    set(0, 0, 0, 1, &|v| v["props"]["Rows_y"] = json!("tall"));
    set(0, 0, 1, 2, &|v| v["props"]["Laterality"] = json!("Both"));
    set(1, 1, 0, 0, &|v| v["image"] = json!("p0/missing.png"));
    set(1, 1, 1, 1, &|v| v["image"] = json!("../../etc/passwd"));
    set(2, 0, 0, 0, &|v| v["props"]["SourceInfoID"] = json!(999_999));
    set(2, 0, 1, 0, &|v| {
        v["props"].as_object_mut().unwrap().remove("ModalityID");
    });
    set(3, 1, 1, 2, &|v| {
        v["props"]["Rows_y"] = json!(3_000_000_000_i64)
    });
    doc[4]["studies"][0]["study_date"] = json!("2020-13-01");

    let err = import_json(&conn, &doc, &options(&dir)).await.unwrap_err();
    assert_eq!(counts(&conn).await, [0; 5], "nothing written");
    let problems = err.problems();
    let text = err.to_string();
    let expect = [
        (
            "items[0].studies[0].series[0].images[0].props.Lateralty",
            "has no column Lateralty",
        ),
        (
            "items[0].studies[0].series[0].images[1].props.Rows_y",
            "'tall' is not a valid value",
        ),
        (
            "items[0].studies[0].series[1].images[2].props.Laterality",
            "'Both' is not one of L, R",
        ),
        (
            "items[1].studies[1].series[0].images[0].image",
            "file not found",
        ),
        (
            "items[1].studies[1].series[1].images[1].image",
            "outside the images base path",
        ),
        (
            "items[2].studies[0].series[0].images[0].props.SourceInfoID",
            "SourceInfo has no row with SourceInfoID = 999999",
        ),
        (
            "items[2].studies[0].series[1].images[0].props",
            "a new image needs ModalityID",
        ),
        (
            "items[3].studies[1].series[1].images[2].props.Rows_y",
            "out of range",
        ),
        ("items[4].studies[0].study_date", "not a date"),
    ];
    for (at, message) in expect {
        assert!(
            problems
                .iter()
                .any(|p| p.at == at && p.message.contains(message)),
            "no problem `{message}` at {at}:\n{text}"
        );
    }
    assert_eq!(problems.len(), expect.len(), "{text}");
    assert!(text.contains("nothing was written"), "{text}");

    // The command: exit 1, nothing written.
    let file = dir.0.join("bad.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = import_command(&db, &file, &dir.0, false);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert_eq!(counts(&conn).await, [0; 5]);
}

#[tokio::test]
async fn missing_rows_need_the_create_flags() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    let doc = tree(&dir, SHAPE, ids);
    let err = import_json(&conn, &doc, &Options::new(&dir.0))
        .await
        .unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{err}");
    assert_eq!(problems[0].at, "items[0].project_name");
    assert!(problems[0].message.contains("--create-projects"));
    assert_eq!(problems[1].at, "items[3].project_name");

    // Projects exist, patients do not.
    let projects_only = Options {
        create_projects: true,
        ..Options::new(&dir.0)
    };
    let err = import_json(&conn, &doc, &projects_only).await.unwrap_err();
    assert!(
        err.problems()
            .iter()
            .all(|p| p.message.contains("--create-patients")),
        "{err}"
    );
    assert_eq!(err.problems().len(), 6);
    assert_eq!(counts(&conn).await, [0; 5]);

    // Without series creation, every series must exist.
    let no_series = Options {
        create_series: false,
        ..options(&dir)
    };
    let err = import_json(&conn, &doc, &no_series).await.unwrap_err();
    assert_eq!(err.problems().len(), 24, "{err}");
}

#[tokio::test]
async fn yaml_and_csv_import_the_same_rows() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    let shape = Shape {
        projects: 1,
        patients: 2,
        studies: 2,
        series: 1,
        images: 2,
    };
    let doc = tree(&dir, shape, ids);

    // YAML: the same document.
    let yaml = serde_json_to_yaml(&doc);
    let summary = import::import_text(
        &conn,
        &yaml,
        Format::Yaml,
        &options(&dir),
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap();
    assert_eq!(summary.images.new, 8);
    assert_eq!(counts(&conn).await, expected_counts(shape));

    // CSV: one row per image, into a second project.
    let mut csv = String::from(
        "project_name,patient_identifier,Patient.Sex,study_date,Study.StudyDescription,series_id,image,SourceInfoID,DeviceInstanceID,ModalityID,Laterality,Rows_y,CFROI\n",
    );
    for (i, path) in ["a.png", "b.png", "c.png"].iter().enumerate() {
        dir.touch(&format!("csv/{path}"));
        csv.push_str(&format!(
            "CSV project,C-1,F,2022-05-0{},baseline,,csv/{path},{},{},{},{},{},\"{{\"\"x\"\": {i}}}\"\n",
            1 + i / 2,
            ids.source,
            ids.device,
            ids.modality,
            if i == 0 { "L" } else { "R" },
            100 + i
        ));
    }
    let file = dir.0.join("images.csv");
    std::fs::write(&file, &csv).unwrap();
    let summary = import::import_file(
        &conn,
        &file,
        None,
        &options(&dir),
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap();
    // One patient, two studies (two dates), one series per study (no series_id), three images.
    assert_eq!(
        [
            summary.projects.new,
            summary.patients.new,
            summary.studies.new,
            summary.series.new,
            summary.images.new
        ],
        [1, 1, 2, 2, 3],
        "{summary:?}"
    );
    // Series without series_id are matched through their images: nothing new the second time.
    let again = import::import_file(
        &conn,
        &file,
        None,
        &options(&dir),
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap();
    assert_eq!(again.series.new + again.images.new + again.studies.new, 0);
    assert_eq!(again.series.existing, 2);
    assert_eq!(
        query_strings(
            &conn,
            "SELECT CONCAT_WS('|', Laterality, Rows_y, JSON_EXTRACT(CFROI, '$.x')) FROM ImageInstance \
             WHERE DatasetIdentifier = 'csv/c.png'",
            vec![]
        )
        .await,
        vec!["R|102|2"]
    );

    // A bad CSV cell is named by line and column.
    let bad = csv.replace(",L,100,", ",Left,100,");
    let err = import::import_text(
        &conn,
        &bad,
        Format::Csv,
        &options(&dir),
        &eyened_orm::progress::silent(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    assert_eq!(err.problems()[0].at, "line 2, column Laterality");
}

#[tokio::test]
async fn patients_without_identifier_are_matched_through_their_images() {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    let ids = lookups(&conn).await;
    let dir = ImageDir::new();
    dir.touch("anon/1.png");
    let doc = json!({"items": [{
        "project_name": "Anonymous",
        "studies": [{"series": [{"images": [{"image": dir.0.join("anon/1.png").to_str().unwrap(), "props": {
            "SourceInfoID": ids.source, "DeviceInstanceID": ids.device,
            "ModalityID": ids.modality, "Laterality": "L"
        }}]}]}]
    }]});
    let first = import_json(&conn, &doc, &options(&dir)).await.unwrap();
    assert_eq!(first.patients.new, 1);
    assert_eq!(counts(&conn).await, [1, 1, 1, 1, 1]);
    let identifier = query_strings(&conn, "SELECT PatientIdentifier FROM Patient", vec![]).await;
    assert_eq!(identifier[0].len(), 16, "{identifier:?}");
    assert_eq!(
        query_strings(&conn, "SELECT CAST(StudyDate AS CHAR) FROM Study", vec![]).await,
        vec!["1970-01-01"]
    );
    assert_eq!(
        query_strings(&conn, "SELECT DatasetIdentifier FROM ImageInstance", vec![]).await,
        vec!["anon/1.png"]
    );
    let again = import_json(&conn, &doc, &options(&dir)).await.unwrap();
    assert_eq!(again.patients.existing, 1);
    assert_eq!(counts(&conn).await, [1, 1, 1, 1, 1]);
}

/// The document as YAML text (block style, as a person would write it).
fn serde_json_to_yaml(doc: &Json) -> String {
    fn emit(v: &Json, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Json::Array(items) => {
                for item in items {
                    out.push_str(&format!("{pad}-\n"));
                    emit(item, indent + 2, out);
                }
            }
            Json::Object(map) => {
                for (k, v) in map {
                    match v {
                        Json::Array(a) if a.is_empty() => out.push_str(&format!("{pad}{k}: []\n")),
                        Json::Object(o) if o.is_empty() => {
                            out.push_str(&format!("{pad}{k}: {{}}\n"))
                        }
                        Json::Array(_) | Json::Object(_) => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            emit(v, indent + 2, out);
                        }
                        scalar => out.push_str(&format!("{pad}{k}: {scalar}\n")),
                    }
                }
            }
            scalar => out.push_str(&format!("{pad}{scalar}\n")),
        }
    }
    let mut out = String::new();
    emit(doc, 0, &mut out);
    out
}
