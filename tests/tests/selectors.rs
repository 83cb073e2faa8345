//! Selectors (`by_*`, `where_`, `fetch_all`, entity-specific lookups and helpers), the ORM-side
//! defaults and serialization, through the public API only, against MariaDB: every test in a
//! database of its own.

use chrono::NaiveDate;
use eyened_orm::{
    AnnotationData, AnnotationType, CompositeFeature, Contact, Creator, DeviceModel, Error,
    FormAnnotation, ImageInstance, Laterality, ModalityTable, Patient, Project, Scan, Segmentation,
    Series, Sex, Study, StudyTag, SubTaskState, TagType, Task, TaskDefinition, annotation,
    annotation_data, annotation_type, composite_feature, contact, creator, device_instance,
    device_model, form_annotation, image_instance, patient, project, scan, segmentation, series,
    study, study_tag, sub_task, tag, task, task_definition,
};
use eyened_orm_tests::TestDb;
use eyened_orm_tests::seed::{self, ImageTree, unique};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection,
    IntoActiveModel, TransactionTrait,
};

async fn setup() -> (TestDb, DatabaseConnection) {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    (db, conn)
}

async fn set_inactive<C: sea_orm::ConnectionTrait>(db: &C, image: ImageInstance) {
    let mut active = image.into_active_model();
    active.inactive = Set(true);
    active.update(db).await.expect("deactivate image");
}

async fn project_named(db: &DatabaseConnection, name: &str) -> eyened_orm::Project {
    project::ActiveModel {
        project_name: Set(name.to_owned()),
        external: Set(eyened_orm::External::N),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("project")
}

async fn patient_in(db: &DatabaseConnection, project_id: i32, identifier: &str) -> Patient {
    patient::ActiveModel {
        project_id: Set(project_id),
        patient_identifier: Set(identifier.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("patient")
}

#[tokio::test]
async fn by_id_finds_a_row_or_none() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");

    let image = ImageInstance::by_id(&conn, tree.image_instance_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(image.image_instance_id, tree.image_instance_id);
    assert_eq!(image.series_id, tree.series_id);
    let patient = Patient::by_id(&conn, tree.patient_id).await.expect("by_id");
    assert_eq!(patient.map(|p| p.project_id), Some(tree.project_id));

    assert_eq!(
        ImageInstance::by_id(&conn, tree.image_instance_id + 1000)
            .await
            .expect("by_id"),
        None
    );
    assert_eq!(Project::by_id(&conn, -1).await.expect("by_id"), None);
}

#[tokio::test]
async fn by_ids_keeps_the_given_order_once_and_skips_missing_ids() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let a = tree.image_instance_id;
    let b = seed::image(&conn, &tree)
        .await
        .expect("image")
        .image_instance_id;
    let c = seed::image(&conn, &tree)
        .await
        .expect("image")
        .image_instance_id;

    let ids = |rows: Vec<ImageInstance>| -> Vec<i32> {
        rows.into_iter().map(|r| r.image_instance_id).collect()
    };
    let got = ImageInstance::by_ids(&conn, &[c, a, 999_999, a, b, c])
        .await
        .expect("by_ids");
    assert_eq!(ids(got), vec![c, a, b]);
    let got = ImageInstance::by_ids(&conn, &[b]).await.expect("by_ids");
    assert_eq!(ids(got), vec![b]);
    let got = ImageInstance::by_ids(&conn, &[999_998, 999_999])
        .await
        .expect("by_ids");
    assert!(got.is_empty());

    // An empty slice never reaches the database: a disconnected handle (which panics on any
    // query) works.
    let disconnected = DatabaseConnection::default();
    let got = ImageInstance::by_ids(&disconnected, &[])
        .await
        .expect("no query for an empty slice");
    assert!(got.is_empty());
}

#[tokio::test]
async fn by_pk_takes_composite_keys_in_primary_key_order() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator(&conn).await.expect("creator");
    let tag = tag::ActiveModel {
        tag_name: Set(unique("tag")),
        tag_type: Set(TagType::Study),
        tag_description: Set("a study tag".into()),
        creator_id: Set(creator.creator_id),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("tag");
    study_tag::ActiveModel {
        tag_id: Set(tag.tag_id),
        study_id: Set(tree.study_id),
        creator_id: Set(creator.creator_id),
        comment: Set(Some("ok".into())),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("study tag");

    let link = StudyTag::by_pk(&conn, (tag.tag_id, tree.study_id))
        .await
        .expect("by_pk")
        .expect("found");
    assert_eq!(link.comment.as_deref(), Some("ok"));
    if tag.tag_id != tree.study_id {
        let swapped = StudyTag::by_pk(&conn, (tree.study_id, tag.tag_id))
            .await
            .expect("by_pk");
        assert_eq!(swapped, None, "the tuple is (TagID, StudyID)");
    }
    assert_eq!(
        StudyTag::by_pk(&conn, (tag.tag_id, tree.study_id + 1000))
            .await
            .expect("by_pk"),
        None
    );

    // A three-column key, and a single-column one through by_pk.
    let parent = seed::feature(&conn).await.expect("feature");
    let child = seed::feature(&conn).await.expect("feature");
    composite_feature::ActiveModel {
        parent_feature_id: Set(parent.feature_id),
        child_feature_id: Set(child.feature_id),
        feature_index: Set(0),
    }
    .insert(&conn)
    .await
    .expect("composite");
    let found = CompositeFeature::by_pk(&conn, (parent.feature_id, child.feature_id, 0))
        .await
        .expect("by_pk");
    assert!(found.is_some());
    let none = CompositeFeature::by_pk(&conn, (parent.feature_id, child.feature_id, 1))
        .await
        .expect("by_pk");
    assert!(none.is_none());
    let study = Study::by_pk(&conn, tree.study_id).await.expect("by_pk");
    assert_eq!(study.map(|s| s.study_id), Some(tree.study_id));
}

#[tokio::test]
async fn fetch_all_returns_every_row_inactive_ones_too_in_key_order() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let second = seed::image(&conn, &tree).await.expect("image");
    set_inactive(&conn, second.clone()).await;

    let all = ImageInstance::fetch_all(&conn).await.expect("fetch_all");
    let ids: Vec<i32> = all.iter().map(|i| i.image_instance_id).collect();
    assert_eq!(ids, vec![tree.image_instance_id, second.image_instance_id]);
    assert!(all[1].inactive);
    assert!(
        Contact::fetch_all(&conn)
            .await
            .expect("fetch_all")
            .is_empty()
    );
}

#[tokio::test]
async fn by_name_finds_one_row_none_or_reports_ambiguity() {
    let (_db, conn) = setup().await;

    // Unique name columns: found (case-insensitively, as the server compares), not found.
    let alice = seed::creator_named(&conn, "Alice").await.expect("creator");
    let found = Creator::by_name(&conn, "alice").await.expect("by_name");
    assert_eq!(found.map(|c| c.creator_id), Some(alice.creator_id));
    assert_eq!(Creator::by_name(&conn, "bob").await.expect("by_name"), None);

    // Non-unique name columns: Ambiguous with the count.
    let p1 = project_named(&conn, "one").await;
    let p2 = project_named(&conn, "two").await;
    let p3 = project_named(&conn, "three").await;
    for p in [&p1, &p2, &p3] {
        patient_in(&conn, p.project_id, "P-0001").await;
    }
    patient_in(&conn, p1.project_id, "P-0002").await;
    match Patient::by_name(&conn, "P-0001").await {
        Err(Error::Ambiguous {
            entity,
            column,
            value,
            count,
        }) => {
            assert_eq!(entity, "Patient");
            assert_eq!(column, "PatientIdentifier");
            assert_eq!(value, "'P-0001'");
            assert_eq!(count, 3);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    let e = Patient::by_name(&conn, "P-0001")
        .await
        .expect_err("ambiguous");
    assert!(e.to_string().contains("3 Patient rows"), "{e}");
    let one = Patient::by_name(&conn, "P-0002").await.expect("by_name");
    assert_eq!(one.map(|p| p.project_id), Some(p1.project_id));
    assert_eq!(Patient::by_name(&conn, "P-9").await.expect("by_name"), None);

    for email in ["a@x", "b@x"] {
        contact::ActiveModel {
            name: Set("Dr. Who".into()),
            email: Set(email.into()),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("contact");
    }
    assert!(matches!(
        Contact::by_name(&conn, "Dr. Who").await,
        Err(Error::Ambiguous { count: 2, .. })
    ));

    for interpretation in ["R/G mask", "Binary mask"] {
        annotation_type::ActiveModel {
            annotation_type_name: Set("Segmentation".into()),
            interpretation: Set(interpretation.into()),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("annotation type");
    }
    assert!(matches!(
        AnnotationType::by_name(&conn, "Segmentation").await,
        Err(Error::Ambiguous { count: 2, .. })
    ));

    for manufacturer in ["Topcon", "Zeiss"] {
        device_model::ActiveModel {
            manufacturer: Set(manufacturer.into()),
            manufacturer_model_name: Set("X1".into()),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("device model");
    }
    assert!(matches!(
        DeviceModel::by_name(&conn, "X1").await,
        Err(Error::Ambiguous { count: 2, .. })
    ));

    let mut definitions = Vec::new();
    for _ in 0..2 {
        definitions.push(
            task_definition::ActiveModel {
                task_definition_name: Set("grading".into()),
                ..Default::default()
            }
            .insert(&conn)
            .await
            .expect("task definition"),
        );
    }
    assert!(matches!(
        TaskDefinition::by_name(&conn, "grading").await,
        Err(Error::Ambiguous { count: 2, .. })
    ));
    for definition in &definitions {
        task::ActiveModel {
            task_name: Set("batch".into()),
            task_definition_id: Set(definition.task_definition_id),
            task_state: Set(eyened_orm::TaskState::NotStarted),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("task");
    }
    assert!(matches!(
        Task::by_name(&conn, "batch").await,
        Err(Error::Ambiguous { count: 2, .. })
    ));
}

#[tokio::test]
async fn name_to_id_maps_names_and_refuses_repeated_ones() {
    let (_db, conn) = setup().await;
    let alice = seed::creator_named(&conn, "alice").await.expect("creator");
    let bob = seed::creator_named(&conn, "bob").await.expect("creator");
    let map = Creator::name_to_id(&conn).await.expect("name_to_id");
    assert_eq!(map.len(), 2);
    assert_eq!(map.get("alice"), Some(&alice.creator_id));
    assert_eq!(map.get("bob"), Some(&bob.creator_id));
    assert!(Project::name_to_id(&conn).await.expect("empty").is_empty());

    let p1 = project_named(&conn, "one").await;
    let p2 = project_named(&conn, "two").await;
    patient_in(&conn, p1.project_id, "P-1").await;
    patient_in(&conn, p2.project_id, "P-1").await;
    assert!(matches!(
        Patient::name_to_id(&conn).await,
        Err(Error::Ambiguous { count: 2, .. })
    ));
}

#[tokio::test]
async fn by_column_and_by_columns_are_typed_and_match_null() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let other = patient_in(&conn, tree.project_id, "P-other").await;
    let mut with_birth = other.clone().into_active_model();
    with_birth.birth_date = Set(NaiveDate::from_ymd_opt(1961, 4, 12));
    with_birth.sex = Set(Some(Sex::F));
    let other = with_birth.update(&conn).await.expect("update");

    // One match, none, several.
    let found = Patient::by_column(&conn, patient::Column::Sex, Sex::F)
        .await
        .expect("by_column");
    assert_eq!(found.map(|p| p.patient_id), Some(other.patient_id));
    let none = Patient::by_column(&conn, patient::Column::Sex, Sex::M)
        .await
        .expect("by_column");
    assert_eq!(none, None);
    let e = Patient::by_column(&conn, patient::Column::ProjectId, tree.project_id)
        .await
        .expect_err("two patients in the project");
    assert!(
        matches!(
            e,
            Error::Ambiguous {
                column: "ProjectID",
                count: 2,
                ..
            }
        ),
        "{e:?}"
    );

    // None means IS NULL.
    let no_birth = Patient::by_column(&conn, patient::Column::BirthDate, None::<NaiveDate>)
        .await
        .expect("by_column");
    assert_eq!(no_birth.map(|p| p.patient_id), Some(tree.patient_id));
    let rows = Patient::by_columns(
        &conn,
        [
            (patient::Column::ProjectId, tree.project_id.into()),
            (patient::Column::Sex, None::<Sex>.into()),
        ],
    )
    .await
    .expect("by_columns");
    assert_eq!(
        rows.iter().map(|p| p.patient_id).collect::<Vec<_>>(),
        vec![tree.patient_id]
    );

    // Every match, in key order; enum values; no pairs means every row.
    let second = seed::image(&conn, &tree).await.expect("image");
    let rows = ImageInstance::by_columns(
        &conn,
        [
            (image_instance::Column::SeriesId, tree.series_id.into()),
            (image_instance::Column::Laterality, Laterality::L.into()),
        ],
    )
    .await
    .expect("by_columns");
    assert_eq!(
        rows.iter().map(|i| i.image_instance_id).collect::<Vec<_>>(),
        vec![tree.image_instance_id, second.image_instance_id]
    );
    let rows = ImageInstance::by_columns(
        &conn,
        [(image_instance::Column::Laterality, Laterality::R.into())],
    )
    .await
    .expect("by_columns");
    assert!(rows.is_empty());
    let all = Patient::by_columns(&conn, []).await.expect("by_columns");
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn where_leaves_inactive_rows_out_unless_asked() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator(&conn).await.expect("creator");

    // ImageInstance
    let gone = seed::image(&conn, &tree).await.expect("image");
    set_inactive(&conn, gone.clone()).await;
    let in_series = image_instance::Column::SeriesId.eq(tree.series_id);
    let active = ImageInstance::where_(&conn, in_series.clone())
        .await
        .expect("where_");
    assert_eq!(
        active
            .iter()
            .map(|i| i.image_instance_id)
            .collect::<Vec<_>>(),
        vec![tree.image_instance_id]
    );
    let all = ImageInstance::where_including_inactive(&conn, in_series)
        .await
        .expect("where_including_inactive");
    assert_eq!(
        all.iter().map(|i| i.image_instance_id).collect::<Vec<_>>(),
        vec![tree.image_instance_id, gone.image_instance_id]
    );

    // Annotation
    let kept = seed::annotation(&conn, &tree, creator.creator_id)
        .await
        .expect("annotation");
    let dropped = seed::annotation(&conn, &tree, creator.creator_id)
        .await
        .expect("annotation");
    let mut a = dropped.into_active_model();
    a.inactive = Set(true);
    a.update(&conn).await.expect("deactivate");
    let by_creator = annotation::Column::CreatorId.eq(creator.creator_id);
    assert_eq!(
        eyened_orm::Annotation::where_(&conn, by_creator.clone())
            .await
            .expect("where_")
            .iter()
            .map(|a| a.annotation_id)
            .collect::<Vec<_>>(),
        vec![kept.annotation_id]
    );
    assert_eq!(
        eyened_orm::Annotation::where_including_inactive(&conn, by_creator)
            .await
            .expect("where_")
            .len(),
        2
    );

    // FormAnnotation
    let kept = seed::form_annotation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("form annotation");
    let dropped = seed::form_annotation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("form annotation");
    let mut f = dropped.into_active_model();
    f.inactive = Set(true);
    f.update(&conn).await.expect("deactivate");
    let by_patient = form_annotation::Column::PatientId.eq(tree.patient_id);
    assert_eq!(
        FormAnnotation::where_(&conn, by_patient.clone())
            .await
            .expect("where_")
            .iter()
            .map(|f| f.form_annotation_id)
            .collect::<Vec<_>>(),
        vec![kept.form_annotation_id]
    );
    assert_eq!(
        FormAnnotation::where_including_inactive(&conn, by_patient)
            .await
            .expect("where_")
            .len(),
        2
    );

    // Segmentation
    let kept = seed::segmentation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("segmentation");
    let dropped = seed::segmentation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("segmentation");
    let mut s = dropped.into_active_model();
    s.inactive = Set(true);
    s.update(&conn).await.expect("deactivate");
    let of_image = segmentation::Column::ImageInstanceId.eq(tree.image_instance_id);
    assert_eq!(
        Segmentation::where_(&conn, of_image.clone())
            .await
            .expect("where_")
            .iter()
            .map(|s| s.segmentation_id)
            .collect::<Vec<_>>(),
        vec![kept.segmentation_id]
    );
    assert_eq!(
        Segmentation::where_including_inactive(&conn, of_image)
            .await
            .expect("where_")
            .len(),
        2
    );

    // An entity without Inactive: where_ is a plain filter.
    let studies = Study::where_(&conn, study::Column::PatientId.eq(tree.patient_id))
        .await
        .expect("where_");
    assert_eq!(studies.len(), 1);
    let none = Study::where_(&conn, study::Column::PatientId.eq(-1))
        .await
        .expect("where_");
    assert!(none.is_empty());
}

#[tokio::test]
async fn image_where_joins_series_study_patient_project_scan_and_device() {
    let (_db, conn) = setup().await;
    let first = seed::image_tree(&conn).await.expect("seed");
    let second = seed::image_tree(&conn).await.expect("seed");
    let scan = scan::ActiveModel {
        scan_mode: Set("Macula 6x6".into()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("scan");
    let image = ImageInstance::by_id(&conn, second.image_instance_id)
        .await
        .expect("by_id")
        .expect("found");
    let mut with_scan = image.into_active_model();
    with_scan.scan_id = Set(Some(scan.scan_id));
    with_scan.update(&conn).await.expect("set scan");

    let only = |rows: Vec<ImageInstance>| -> Vec<i32> {
        rows.into_iter().map(|i| i.image_instance_id).collect()
    };
    let project = Project::by_id(&conn, second.project_id)
        .await
        .expect("by_id")
        .expect("found");
    let patient = Patient::by_id(&conn, first.patient_id)
        .await
        .expect("by_id")
        .expect("found");
    let model = DeviceModel::by_id(&conn, second.device_model_id)
        .await
        .expect("by_id")
        .expect("found");

    let got = ImageInstance::where_(&conn, project::Column::ProjectName.eq(project.project_name))
        .await
        .expect("project condition");
    assert_eq!(only(got), vec![second.image_instance_id]);
    let got = ImageInstance::where_(
        &conn,
        patient::Column::PatientIdentifier.eq(patient.patient_identifier),
    )
    .await
    .expect("patient condition");
    assert_eq!(only(got), vec![first.image_instance_id]);
    let got = ImageInstance::where_(&conn, study::Column::StudyId.eq(first.study_id))
        .await
        .expect("study condition");
    assert_eq!(only(got), vec![first.image_instance_id]);
    let got = ImageInstance::where_(&conn, series::Column::SeriesId.eq(second.series_id))
        .await
        .expect("series condition");
    assert_eq!(only(got), vec![second.image_instance_id]);
    let got = ImageInstance::where_(&conn, scan::Column::ScanMode.eq("Macula 6x6"))
        .await
        .expect("scan condition");
    assert_eq!(only(got), vec![second.image_instance_id]);
    let got = ImageInstance::where_(&conn, scan::Column::ScanId.is_null())
        .await
        .expect("left join keeps images without a scan");
    assert_eq!(only(got), vec![first.image_instance_id]);
    let got = ImageInstance::where_(
        &conn,
        Condition::all()
            .add(device_model::Column::ManufacturerModelName.eq(model.manufacturer_model_name))
            .add(device_instance::Column::DeviceInstanceId.eq(second.device_instance_id)),
    )
    .await
    .expect("device condition");
    assert_eq!(only(got), vec![second.image_instance_id]);
    let got = ImageInstance::where_(&conn, device_model::Column::Manufacturer.eq("Topcon"))
        .await
        .expect("device model condition");
    assert_eq!(
        only(got),
        vec![first.image_instance_id, second.image_instance_id]
    );
    let got = ImageInstance::where_(&conn, Condition::all())
        .await
        .expect("no condition");
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn entity_specific_selectors() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let patient = Patient::by_id(&conn, tree.patient_id)
        .await
        .expect("by_id")
        .expect("found");
    let other_project = project_named(&conn, "elsewhere").await;
    let twin = patient_in(&conn, other_project.project_id, &patient.patient_identifier).await;

    let found =
        Patient::by_project_and_identifier(&conn, tree.project_id, &patient.patient_identifier)
            .await
            .expect("by_project_and_identifier");
    assert_eq!(found.map(|p| p.patient_id), Some(tree.patient_id));
    let none = Patient::by_project_and_identifier(&conn, tree.project_id, "nobody")
        .await
        .expect("by_project_and_identifier");
    assert_eq!(none, None);
    let both = Patient::by_identifier(&conn, &patient.patient_identifier)
        .await
        .expect("by_identifier");
    assert_eq!(
        both.iter().map(|p| p.patient_id).collect::<Vec<_>>(),
        vec![tree.patient_id, twin.patient_id]
    );
    assert!(
        Patient::by_identifier(&conn, "nobody")
            .await
            .expect("by_identifier")
            .is_empty()
    );

    let date = NaiveDate::from_ymd_opt(2024, 3, 5).expect("date");
    let study = Study::by_patient_and_date(&conn, tree.patient_id, date)
        .await
        .expect("by_patient_and_date");
    assert_eq!(study.map(|s| s.study_id), Some(tree.study_id));
    let none = Study::by_patient_and_date(&conn, tree.patient_id, date.succ_opt().expect("date"))
        .await
        .expect("by_patient_and_date");
    assert_eq!(none, None);

    let model = DeviceModel::by_id(&conn, tree.device_model_id)
        .await
        .expect("by_id")
        .expect("found");
    let found = DeviceModel::by_manufacturer(&conn, "Topcon", &model.manufacturer_model_name)
        .await
        .expect("by_manufacturer");
    assert_eq!(found.map(|m| m.device_model_id), Some(tree.device_model_id));
    let none = DeviceModel::by_manufacturer(&conn, "Zeiss", &model.manufacturer_model_name)
        .await
        .expect("by_manufacturer");
    assert_eq!(none, None);

    let modality = ModalityTable::by_id(&conn, tree.modality_id)
        .await
        .expect("by_id")
        .expect("found");
    let found = ModalityTable::by_tag(&conn, &modality.modality_tag)
        .await
        .expect("by_tag");
    assert_eq!(found.map(|m| m.modality_id), Some(tree.modality_id));
    assert_eq!(
        ModalityTable::by_tag(&conn, "nope").await.expect("by_tag"),
        None
    );

    let scan = scan::ActiveModel {
        scan_mode: Set("Disc 6x6".into()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("scan");
    let found = Scan::by_mode(&conn, "Disc 6x6").await.expect("by_mode");
    assert_eq!(found.map(|s| s.scan_id), Some(scan.scan_id));
    assert_eq!(Scan::by_mode(&conn, "Macula").await.expect("by_mode"), None);

    let creator = seed::creator(&conn).await.expect("creator");
    let ann = seed::annotation(&conn, &tree, creator.creator_id)
        .await
        .expect("annotation");
    annotation_data::ActiveModel {
        annotation_id: Set(ann.annotation_id),
        scan_nr: Set(3),
        dataset_identifier: Set("x.png".into()),
        media_type: Set("image/png".into()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("annotation data");
    let found = AnnotationData::by_composite_id(&conn, &format!("{}_3", ann.annotation_id))
        .await
        .expect("by_composite_id")
        .expect("found");
    assert_eq!((found.annotation_id, found.scan_nr), (ann.annotation_id, 3));
    let none = AnnotationData::by_composite_id(&conn, &format!("{}_0", ann.annotation_id))
        .await
        .expect("by_composite_id");
    assert_eq!(none, None);
    for bad in ["5", "a_0", "5_x", "1_2_3", ""] {
        match AnnotationData::by_composite_id(&conn, bad).await {
            Err(Error::InvalidArgument(message)) => {
                assert!(message.contains("<AnnotationID>_<ScanNr>"), "{message}")
            }
            other => panic!("{bad:?}: expected InvalidArgument, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn form_annotations_by_schema_and_creator() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let alice = seed::creator_named(&conn, "alice").await.expect("creator");
    let bob = seed::creator_named(&conn, "bob").await.expect("creator");
    let first = seed::form_annotation(&conn, &tree, alice.creator_id, None)
        .await
        .expect("form annotation");
    let schema = eyened_orm::FormSchema::by_id(&conn, first.form_schema_id)
        .await
        .expect("by_id")
        .expect("found");
    let add = |creator_id: i32, inactive: bool| form_annotation::ActiveModel {
        form_schema_id: Set(first.form_schema_id),
        patient_id: Set(tree.patient_id),
        creator_id: Set(creator_id),
        inactive: Set(inactive),
        ..Default::default()
    };
    let by_bob = add(bob.creator_id, false)
        .insert(&conn)
        .await
        .expect("form annotation");
    add(alice.creator_id, true)
        .insert(&conn)
        .await
        .expect("form annotation");
    // Another schema's row is never returned.
    seed::form_annotation(&conn, &tree, alice.creator_id, None)
        .await
        .expect("form annotation");

    let ids = |rows: Vec<FormAnnotation>| -> Vec<i32> {
        rows.into_iter().map(|f| f.form_annotation_id).collect()
    };
    let all = FormAnnotation::by_schema_and_creator(&conn, &schema.schema_name, None)
        .await
        .expect("by_schema_and_creator");
    assert_eq!(
        ids(all),
        vec![first.form_annotation_id, by_bob.form_annotation_id]
    );
    let alices = FormAnnotation::by_schema_and_creator(&conn, &schema.schema_name, Some("alice"))
        .await
        .expect("by_schema_and_creator");
    assert_eq!(ids(alices), vec![first.form_annotation_id]);

    assert!(matches!(
        FormAnnotation::by_schema_and_creator(&conn, "no such schema", None).await,
        Err(Error::NotFound {
            entity: "FormSchema",
            ..
        })
    ));
    assert!(matches!(
        FormAnnotation::by_schema_and_creator(&conn, &schema.schema_name, Some("carol")).await,
        Err(Error::NotFound {
            entity: "Creator",
            ..
        })
    ));
}

#[tokio::test]
async fn get_images_of_patient_study_and_series() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let gone = seed::image(&conn, &tree).await.expect("image");
    set_inactive(&conn, gone.clone()).await;
    // A second study and series of the same patient, and an unrelated tree.
    let later = study::ActiveModel {
        patient_id: Set(tree.patient_id),
        study_date: Set(NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("study");
    let later_series = seed::series(&conn, later.study_id).await.expect("series");
    let later_image = seed::image_in(&conn, &tree, later_series.series_id)
        .await
        .expect("image");
    let unrelated = seed::image_tree(&conn).await.expect("seed");

    let ids = |rows: Vec<ImageInstance>| -> Vec<i32> {
        rows.into_iter().map(|i| i.image_instance_id).collect()
    };
    let patient = Patient::by_id(&conn, tree.patient_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(
        ids(patient.get_images(&conn).await.expect("get_images")),
        vec![tree.image_instance_id, later_image.image_instance_id]
    );
    assert_eq!(
        ids(patient
            .get_images_including_inactive(&conn)
            .await
            .expect("get_images")),
        vec![
            tree.image_instance_id,
            gone.image_instance_id,
            later_image.image_instance_id
        ]
    );
    assert_eq!(
        ids(patient
            .get_images_where(&conn, study::Column::StudyId.eq(later.study_id))
            .await
            .expect("get_images_where")),
        vec![later_image.image_instance_id]
    );

    let study = Study::by_id(&conn, tree.study_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(
        ids(study.get_images(&conn).await.expect("get_images")),
        vec![tree.image_instance_id]
    );
    assert_eq!(
        ids(study
            .get_images_including_inactive(&conn)
            .await
            .expect("get_images")),
        vec![tree.image_instance_id, gone.image_instance_id]
    );
    assert!(
        study
            .get_images_where(&conn, image_instance::Column::Laterality.eq(Laterality::R))
            .await
            .expect("get_images_where")
            .is_empty()
    );

    let series = Series::by_id(&conn, later_series.series_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(
        ids(series.get_images(&conn).await.expect("get_images")),
        vec![later_image.image_instance_id]
    );
    let series = Series::by_id(&conn, tree.series_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(
        ids(series
            .get_images_including_inactive(&conn)
            .await
            .expect("get_images")),
        vec![tree.image_instance_id, gone.image_instance_id]
    );
    let unrelated_patient = Patient::by_id(&conn, unrelated.patient_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(
        ids(unrelated_patient
            .get_images(&conn)
            .await
            .expect("get_images")),
        vec![unrelated.image_instance_id]
    );
}

#[tokio::test]
async fn task_form_annotations_image_shape_and_study_age() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator(&conn).await.expect("creator");
    let task = seed::task(&conn, None).await.expect("task");
    let sub = seed::sub_task(&conn, task.task_id, None)
        .await
        .expect("sub task");
    let other_task = seed::task(&conn, None).await.expect("task");
    let other_sub = seed::sub_task(&conn, other_task.task_id, None)
        .await
        .expect("sub task");
    let a = seed::form_annotation(&conn, &tree, creator.creator_id, Some(sub.sub_task_id))
        .await
        .expect("form annotation");
    let b = seed::form_annotation(&conn, &tree, creator.creator_id, Some(sub.sub_task_id))
        .await
        .expect("form annotation");
    let mut inactive = b.clone().into_active_model();
    inactive.inactive = Set(true);
    inactive.update(&conn).await.expect("deactivate");
    seed::form_annotation(
        &conn,
        &tree,
        creator.creator_id,
        Some(other_sub.sub_task_id),
    )
    .await
    .expect("form annotation");

    let all = task
        .get_form_annotations(&conn, None)
        .await
        .expect("get_form_annotations");
    assert_eq!(
        all.iter().map(|f| f.form_annotation_id).collect::<Vec<_>>(),
        vec![a.form_annotation_id, b.form_annotation_id],
        "inactive ones included, as in the Python ORM"
    );
    let of_b = task
        .get_form_annotations(&conn, Some(b.form_schema_id))
        .await
        .expect("get_form_annotations");
    assert_eq!(
        of_b.iter()
            .map(|f| f.form_annotation_id)
            .collect::<Vec<_>>(),
        vec![b.form_annotation_id]
    );

    let image = ImageInstance::by_id(&conn, tree.image_instance_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(image.shape(), None, "no size recorded");
    assert!(!image.is_3d());
    let mut sized = image.into_active_model();
    sized.rows_y = Set(Some(496));
    sized.columns_x = Set(Some(512));
    sized.nr_of_frames = Set(Some(97));
    let volume = sized.update(&conn).await.expect("update");
    assert_eq!(volume.shape(), Some((97, 496, 512)));
    assert!(volume.is_3d());
    let mut flat = volume.into_active_model();
    flat.nr_of_frames = Set(None);
    let flat = flat.update(&conn).await.expect("update");
    assert_eq!(flat.shape(), Some((1, 496, 512)));
    assert!(flat.is_2d());

    let study = Study::by_id(&conn, tree.study_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(study.patient_age_years(&conn).await.expect("age"), None);
    let patient = Patient::by_id(&conn, tree.patient_id)
        .await
        .expect("by_id")
        .expect("found");
    let mut born = patient.into_active_model();
    born.birth_date = Set(NaiveDate::from_ymd_opt(2000, 3, 5));
    born.update(&conn).await.expect("update");
    let age = study
        .patient_age_years(&conn)
        .await
        .expect("age")
        .expect("known");
    assert!((age - 24.0).abs() < 0.01, "{age}");
    assert_eq!(study.age_years(None), None);
}

#[tokio::test]
async fn selectors_run_inside_a_callers_transaction() {
    let (_db, conn) = setup().await;
    let txn = conn.begin().await.expect("begin");
    let tree: ImageTree = seed::image_tree(&txn).await.expect("seed");
    let seen = ImageInstance::by_id(&txn, tree.image_instance_id)
        .await
        .expect("by_id");
    assert!(seen.is_some(), "the transaction sees its own rows");
    let images = ImageInstance::where_(&txn, project::Column::ProjectId.eq(tree.project_id))
        .await
        .expect("where_");
    assert_eq!(images.len(), 1);
    txn.rollback().await.expect("rollback");
    assert_eq!(
        ImageInstance::by_id(&conn, tree.image_instance_id)
            .await
            .expect("by_id"),
        None
    );
}

#[tokio::test]
async fn orm_side_defaults_inactive_date_modified_and_sub_task_state() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator(&conn).await.expect("creator");

    // Inactive = false when the insert does not set it (the column has no server default).
    let image = image_instance::ActiveModel {
        series_id: Set(tree.series_id),
        source_info_id: Set(tree.source_info_id),
        device_instance_id: Set(tree.device_instance_id),
        modality_id: Set(tree.modality_id),
        laterality: Set(Laterality::R),
        dataset_identifier: Set(unique("defaults") + ".png"),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("insert without Inactive");
    assert!(!image.inactive);
    assert_eq!(image.date_modified, None);
    let feature = seed::feature(&conn).await.expect("feature");
    let kind = seed::annotation_type(&conn).await.expect("annotation type");
    let ann = annotation::ActiveModel {
        patient_id: Set(tree.patient_id),
        creator_id: Set(creator.creator_id),
        feature_id: Set(feature.feature_id),
        annotation_type_id: Set(kind.annotation_type_id),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("annotation without Inactive");
    assert!(!ann.inactive);
    let schema = seed::form_schema(&conn).await.expect("schema");
    // FormAnnotation.DateModified has a server default (CURRENT_TIMESTAMP at insert) but no ON
    // UPDATE: start it in the past, so that only the ORM's refresh on update can move it.
    let long_ago = NaiveDate::from_ymd_opt(2001, 2, 3)
        .and_then(|d| d.and_hms_opt(4, 5, 6))
        .expect("datetime");
    let form = form_annotation::ActiveModel {
        form_schema_id: Set(schema.form_schema_id),
        patient_id: Set(tree.patient_id),
        creator_id: Set(creator.creator_id),
        date_modified: Set(Some(long_ago)),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("form annotation without Inactive");
    assert!(!form.inactive);
    let seg = segmentation::ActiveModel {
        creator_id: Set(creator.creator_id),
        feature_id: Set(feature.feature_id),
        image_instance_id: Set(tree.image_instance_id),
        data_representation: Set(eyened_orm::DataRepresentation::Binary),
        data_type: Set(eyened_orm::DataType::R8),
        depth: Set(1),
        height: Set(2),
        width: Set(2),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("segmentation without Inactive");
    assert!(!seg.inactive);

    // SubTask.TaskState = NotStarted when not set.
    let task = seed::task(&conn, None).await.expect("task");
    let sub = sub_task::ActiveModel {
        task_id: Set(task.task_id),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("sub task without state");
    assert_eq!(sub.task_state, SubTaskState::NotStarted);

    // DateModified refreshed on update, unless the update sets it.
    let before = chrono::Local::now().naive_local() - chrono::Duration::seconds(2);
    let mut update = image.clone().into_active_model();
    update.cf_quality = Set(Some(0.5));
    let updated = update.update(&conn).await.expect("update image");
    let stamp = updated.date_modified.expect("DateModified set on update");
    assert!(stamp >= before, "{stamp} < {before}");
    let fixed = NaiveDate::from_ymd_opt(2020, 1, 2)
        .and_then(|d| d.and_hms_opt(3, 4, 5))
        .expect("datetime");
    let mut explicit = updated.into_active_model();
    explicit.date_modified = Set(Some(fixed));
    let kept = explicit.update(&conn).await.expect("update image");
    assert_eq!(kept.date_modified, Some(fixed));

    assert_eq!(form.date_modified, Some(long_ago));
    let mut update = form.into_active_model();
    update.form_data = Set(Some(serde_json::json!({"grade": 2})));
    let updated = update.update(&conn).await.expect("update form annotation");
    let stamp = updated.date_modified.expect("DateModified");
    assert!(
        stamp >= before,
        "DateModified not refreshed on update: {stamp}"
    );
    let stored = FormAnnotation::by_id(&conn, updated.form_annotation_id)
        .await
        .expect("by_id")
        .expect("found");
    assert_eq!(stored.date_modified, Some(stamp), "the refresh is written");

    let data = annotation_data::ActiveModel {
        annotation_id: Set(ann.annotation_id),
        scan_nr: Set(0),
        dataset_identifier: Set("a.png".into()),
        media_type: Set("image/png".into()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .expect("annotation data");
    assert_eq!(data.date_modified, None);
    let mut update = data.into_active_model();
    update.value_int = Set(Some(7));
    let updated = update.update(&conn).await.expect("update annotation data");
    assert!(updated.date_modified.expect("DateModified") >= before);
}

#[tokio::test]
async fn creator_serialization_leaves_out_password_columns() {
    let (_db, conn) = setup().await;
    let mut active = creator::ActiveModel {
        creator_name: Set("alice".into()),
        is_human: Set(true),
        ..Default::default()
    };
    active.password = Set(Some(vec![7u8; 32]));
    active.password_hash = Set(Some("$argon2id$secret".into()));
    let alice = active.insert(&conn).await.expect("creator");
    let read = Creator::by_name(&conn, "alice")
        .await
        .expect("by_name")
        .expect("found");
    assert_eq!(read.password_hash.as_deref(), Some("$argon2id$secret"));

    let json = serde_json::to_value(&read).expect("serialize");
    let object = json.as_object().expect("an object");
    assert!(!object.contains_key("password"), "{json}");
    assert!(!object.contains_key("password_hash"), "{json}");
    assert_eq!(
        object.get("creator_name"),
        Some(&serde_json::json!("alice"))
    );
    assert_eq!(
        object.get("creator_id"),
        Some(&serde_json::json!(alice.creator_id))
    );
    let text = serde_json::to_string(&read).expect("serialize");
    assert!(!text.contains("argon2id"), "{text}");
}
