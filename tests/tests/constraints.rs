//! What the schema enforces: ON DELETE CASCADE / SET NULL / RESTRICT, unique keys (with typed
//! errors, case-insensitive on MariaDB), foreign keys and the AttributeValue CHECK constraint.
//! Each scenario runs on MariaDB; those that do not depend on MariaDB's collation also on SQLite.

use eyened_orm::{
    ModelKind, annotation, annotation_data, attribute_definition, attribute_value, creator,
    form_annotation, image_instance, patient, segmentation, series, study, sub_task,
    sub_task_image_link,
};
use eyened_orm_tests::{SqliteDb, TestDb, seed};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, SqlErr,
};

fn assert_unique_violation(result: Result<impl std::fmt::Debug, DbErr>, what: &str) {
    match result {
        Ok(v) => panic!("{what}: accepted, got {v:?}"),
        Err(err) => match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {}
            other => panic!("{what}: expected a unique-key violation, got {other:?} from {err}"),
        },
    }
}

fn assert_fk_violation(result: Result<impl std::fmt::Debug, DbErr>, what: &str) {
    match result {
        Ok(v) => panic!("{what}: accepted, got {v:?}"),
        Err(err) => match err.sql_err() {
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {}
            other => {
                panic!("{what}: expected a foreign-key violation, got {other:?} from {err}")
            }
        },
    }
}

/// Deleting a Series deletes its images, and with them their annotations (and annotation data),
/// sub-task links, segmentations and form annotations; nothing else.
async fn delete_series_cascades(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let second = seed::image(db, &tree).await.unwrap();
    let creator = seed::creator(db).await.unwrap();
    let task = seed::task(db, Some(creator.creator_id)).await.unwrap();
    let sub = seed::sub_task(db, task.task_id, None).await.unwrap();

    // Everything hanging off the two images of the series.
    let mut annotations = Vec::new();
    for image in [tree.image_instance_id, second.image_instance_id] {
        let a = seed::annotation_of(db, tree.patient_id, Some(image), creator.creator_id)
            .await
            .unwrap();
        annotation_data::ActiveModel {
            annotation_id: Set(a.annotation_id),
            scan_nr: Set(0),
            dataset_identifier: Set(seed::unique("a") + ".png"),
            media_type: Set("image/png".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        annotations.push(a.annotation_id);
        seed::link_image(db, sub.sub_task_id, image).await.unwrap();
    }
    seed::segmentation(db, &tree, creator.creator_id, Some(sub.sub_task_id))
        .await
        .unwrap();
    seed::form_annotation(db, &tree, creator.creator_id, None)
        .await
        .unwrap();

    // Another series of the same study, with an image, annotation and link that must survive.
    let other_series = seed::series(db, tree.study_id).await.unwrap();
    let survivor = seed::image_in(db, &tree, other_series.series_id)
        .await
        .unwrap();
    let kept = seed::annotation_of(
        db,
        tree.patient_id,
        Some(survivor.image_instance_id),
        creator.creator_id,
    )
    .await
    .unwrap();
    seed::link_image(db, sub.sub_task_id, survivor.image_instance_id)
        .await
        .unwrap();
    // A patient-level annotation, not attached to an image, survives too.
    let patient_level = seed::annotation_of(db, tree.patient_id, None, creator.creator_id)
        .await
        .unwrap();

    assert_eq!(image_instance::Entity::find().count(db).await.unwrap(), 3);
    assert_eq!(annotation::Entity::find().count(db).await.unwrap(), 4);
    assert_eq!(annotation_data::Entity::find().count(db).await.unwrap(), 2);
    assert_eq!(
        sub_task_image_link::Entity::find().count(db).await.unwrap(),
        3
    );

    let result = series::Entity::delete_by_id(tree.series_id)
        .exec(db)
        .await
        .unwrap();
    assert_eq!(result.rows_affected, 1);

    let images: Vec<i32> = image_instance::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.image_instance_id)
        .collect();
    assert_eq!(images, vec![survivor.image_instance_id]);
    let mut remaining: Vec<i32> = annotation::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.annotation_id)
        .collect();
    remaining.sort();
    let mut expected = vec![kept.annotation_id, patient_level.annotation_id];
    expected.sort();
    assert_eq!(remaining, expected);
    for gone in annotations {
        assert!(
            annotation::Entity::find_by_id(gone)
                .one(db)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(annotation_data::Entity::find().count(db).await.unwrap(), 0);
    let links = sub_task_image_link::Entity::find().all(db).await.unwrap();
    assert_eq!(
        links,
        vec![sub_task_image_link::Model {
            sub_task_id: sub.sub_task_id,
            image_instance_id: survivor.image_instance_id
        }]
    );
    assert_eq!(segmentation::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(form_annotation::Entity::find().count(db).await.unwrap(), 0);
    // The parents are untouched.
    assert!(
        study::Entity::find_by_id(tree.study_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sub_task::Entity::find_by_id(sub.sub_task_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(creator::Entity::find().count(db).await.unwrap(), 1);
}

#[tokio::test]
async fn delete_series_cascades_on_mariadb() {
    let test = TestDb::migrated().await;
    delete_series_cascades(&test.connect().await).await;
}

#[tokio::test]
async fn delete_series_cascades_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    delete_series_cascades(&conn).await;
}

/// Deleting a SubTask keeps its form annotations and segmentations, with SubTaskID set to NULL;
/// its image links (ON DELETE CASCADE) go.
async fn delete_sub_task_sets_null(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let creator = seed::creator(db).await.unwrap();
    let task = seed::task(db, None).await.unwrap();
    let sub = seed::sub_task(db, task.task_id, Some(creator.creator_id))
        .await
        .unwrap();
    let other = seed::sub_task(db, task.task_id, None).await.unwrap();
    seed::link_image(db, sub.sub_task_id, tree.image_instance_id)
        .await
        .unwrap();
    let form = seed::form_annotation(db, &tree, creator.creator_id, Some(sub.sub_task_id))
        .await
        .unwrap();
    let seg = seed::segmentation(db, &tree, creator.creator_id, Some(sub.sub_task_id))
        .await
        .unwrap();
    let other_form = seed::form_annotation(db, &tree, creator.creator_id, Some(other.sub_task_id))
        .await
        .unwrap();
    assert_eq!(form.sub_task_id, Some(sub.sub_task_id));
    assert_eq!(seg.sub_task_id, Some(sub.sub_task_id));

    let deleted = sub.delete(db).await.unwrap();
    assert_eq!(deleted.rows_affected, 1);

    let form = form_annotation::Entity::find_by_id(form.form_annotation_id)
        .one(db)
        .await
        .unwrap()
        .expect("form annotation survives");
    assert_eq!(form.sub_task_id, None);
    let seg = segmentation::Entity::find_by_id(seg.segmentation_id)
        .one(db)
        .await
        .unwrap()
        .expect("segmentation survives");
    assert_eq!(seg.sub_task_id, None);
    let other_form = form_annotation::Entity::find_by_id(other_form.form_annotation_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other_form.sub_task_id, Some(other.sub_task_id));
    assert_eq!(
        sub_task_image_link::Entity::find().count(db).await.unwrap(),
        0
    );
    assert!(
        image_instance::Entity::find_by_id(tree.image_instance_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn delete_sub_task_sets_null_on_mariadb() {
    let test = TestDb::migrated().await;
    delete_sub_task_sets_null(&test.connect().await).await;
}

#[tokio::test]
async fn delete_sub_task_sets_null_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    delete_sub_task_sets_null(&conn).await;
}

/// Annotation.PatientID and Annotation.CreatorID are RESTRICT: a patient or creator that an
/// annotation references cannot be deleted, and nothing is deleted by the attempt.
async fn delete_restricted(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let creator = seed::creator(db).await.unwrap();
    // Not attached to an image: otherwise the Study → Series → Image cascade could delete it.
    let a = seed::annotation_of(db, tree.patient_id, None, creator.creator_id)
        .await
        .unwrap();

    let patient = patient::Entity::find_by_id(tree.patient_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_fk_violation(
        patient.clone().delete(db).await,
        "delete referenced Patient",
    );
    assert_fk_violation(
        creator.clone().delete(db).await,
        "delete referenced Creator",
    );
    assert!(
        patient::Entity::find_by_id(tree.patient_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );
    // The failed delete did not cascade half-way.
    assert!(
        study::Entity::find_by_id(tree.study_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        image_instance::Entity::find_by_id(tree.image_instance_id)
            .one(db)
            .await
            .unwrap()
            .is_some()
    );

    // Once the annotation is gone, the patient can go, and takes its studies along.
    annotation::Entity::delete_by_id(a.annotation_id)
        .exec(db)
        .await
        .unwrap();
    patient.delete(db).await.unwrap();
    assert!(
        study::Entity::find_by_id(tree.study_id)
            .one(db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(image_instance::Entity::find().count(db).await.unwrap(), 0);
    creator.delete(db).await.unwrap();
}

#[tokio::test]
async fn delete_restricted_on_mariadb() {
    let test = TestDb::migrated().await;
    delete_restricted(&test.connect().await).await;
}

#[tokio::test]
async fn delete_restricted_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    delete_restricted(&conn).await;
}

/// Unique keys: single-column, composite, and composite primary keys.
async fn unique_keys_give_typed_errors(db: &DatabaseConnection) {
    seed::creator_named(db, "Alice").await.unwrap();
    assert_unique_violation(
        seed::creator_named(db, "Alice").await,
        "second Creator 'Alice'",
    );

    // ImageInstance (DatasetIdentifier, SourceInfoID): the pair is unique, not each column.
    let tree = seed::image_tree(db).await.unwrap();
    let first = image_instance::Entity::find_by_id(tree.image_instance_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let duplicate = image_instance::ActiveModel {
        series_id: Set(first.series_id),
        source_info_id: Set(first.source_info_id),
        device_instance_id: Set(first.device_instance_id),
        modality_id: Set(first.modality_id),
        laterality: Set(first.laterality),
        dataset_identifier: Set(first.dataset_identifier.clone()),
        inactive: Set(false),
        ..Default::default()
    };
    assert_unique_violation(
        duplicate.clone().insert(db).await,
        "same DatasetIdentifier and SourceInfoID",
    );
    let other_tree = seed::image_tree(db).await.unwrap();
    let mut elsewhere = duplicate;
    elsewhere.source_info_id = Set(other_tree.source_info_id);
    elsewhere
        .insert(db)
        .await
        .expect("same DatasetIdentifier from another source is fine");

    // Composite primary key.
    let task = seed::task(db, None).await.unwrap();
    let sub = seed::sub_task(db, task.task_id, None).await.unwrap();
    seed::link_image(db, sub.sub_task_id, tree.image_instance_id)
        .await
        .unwrap();
    assert_unique_violation(
        seed::link_image(db, sub.sub_task_id, tree.image_instance_id).await,
        "same SubTaskImageLink twice",
    );
}

#[tokio::test]
async fn unique_keys_give_typed_errors_on_mariadb() {
    let test = TestDb::migrated().await;
    unique_keys_give_typed_errors(&test.connect().await).await;
}

#[tokio::test]
async fn unique_keys_give_typed_errors_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    unique_keys_give_typed_errors(&conn).await;
}

#[tokio::test]
async fn unique_keys_are_case_insensitive_on_mariadb() {
    // The tables use the server's default `_ci` collation, as the reference schema does: 'Alice'
    // and 'alice' (and 'Alice ' with a trailing space, under PAD SPACE) are the same name.
    let test = TestDb::migrated().await;
    let db = test.connect().await;
    seed::creator_named(&db, "Alice").await.unwrap();
    assert_unique_violation(seed::creator_named(&db, "alice").await, "'alice'");
    assert_unique_violation(seed::creator_named(&db, "ALICE").await, "'ALICE'");
    assert_unique_violation(seed::creator_named(&db, "Alice ").await, "'Alice '");
    seed::creator_named(&db, "Alicia").await.unwrap();
    // Lookups match the same way.
    let found = creator::Entity::find()
        .filter(creator::Column::CreatorName.eq("ALICE"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].creator_name, "Alice");
}

/// References to rows that do not exist are rejected with a typed error.
async fn foreign_keys_give_typed_errors(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let creator = seed::creator(db).await.unwrap();
    assert_fk_violation(
        seed::annotation_of(db, 999_999, None, creator.creator_id).await,
        "Annotation of a missing Patient",
    );
    assert_fk_violation(
        seed::image_in(db, &tree, 999_999).await,
        "ImageInstance of a missing Series",
    );
    assert_fk_violation(
        seed::link_image(db, 999_999, tree.image_instance_id).await,
        "link to a missing SubTask",
    );
    // Updating an existing row to point nowhere fails too.
    let a = seed::annotation(db, &tree, creator.creator_id)
        .await
        .unwrap();
    let mut am: annotation::ActiveModel = a.into();
    am.creator_id = Set(creator.creator_id + 1000);
    assert_fk_violation(am.update(db).await, "Annotation moved to a missing Creator");
}

#[tokio::test]
async fn foreign_keys_give_typed_errors_on_mariadb() {
    let test = TestDb::migrated().await;
    foreign_keys_give_typed_errors(&test.connect().await).await;
}

#[tokio::test]
async fn foreign_keys_give_typed_errors_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    foreign_keys_give_typed_errors(&conn).await;
}

/// `ck_AttributeValue_exactly_one_entity`: exactly one of ImageInstanceID, SegmentationID,
/// ModelSegmentationID, PatientID and StudyID is set.
async fn attribute_value_needs_exactly_one_entity(db: &DatabaseConnection) {
    let tree = seed::image_tree(db).await.unwrap();
    let model = seed::model(db, ModelKind::Attributes).await.unwrap();
    let attribute = attribute_definition::ActiveModel {
        attribute_name: Set(seed::unique("attr")),
        attribute_data_type: Set(eyened_orm::AttributeDataType::Float),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let base = attribute_value::ActiveModel {
        attribute_id: Set(attribute.attribute_id),
        model_id: Set(model.model_id),
        value_float: Set(Some(0.5)),
        ..Default::default()
    };

    // Each single entity is fine.
    for set in 0..3 {
        let mut am = base.clone();
        match set {
            0 => am.image_instance_id = Set(Some(tree.image_instance_id)),
            1 => am.patient_id = Set(Some(tree.patient_id)),
            _ => am.study_id = Set(Some(tree.study_id)),
        }
        am.insert(db).await.unwrap();
    }

    let check_failure = |err: DbErr, what: &str| {
        let text = err.to_string();
        assert!(
            text.contains("ck_AttributeValue_exactly_one_entity"),
            "{what}: expected the CHECK constraint to fail, got {text}"
        );
        assert_eq!(err.sql_err(), None, "{what}: {text}");
    };
    let mut two = base.clone();
    two.image_instance_id = Set(Some(tree.image_instance_id));
    two.patient_id = Set(Some(tree.patient_id));
    check_failure(
        two.insert(db).await.expect_err("two entities accepted"),
        "ImageInstanceID and PatientID",
    );
    let mut two = base.clone();
    two.patient_id = Set(Some(tree.patient_id));
    two.study_id = Set(Some(tree.study_id));
    check_failure(
        two.insert(db).await.expect_err("two entities accepted"),
        "PatientID and StudyID",
    );
    check_failure(
        base.clone()
            .insert(db)
            .await
            .expect_err("no entity accepted"),
        "no entity",
    );
    assert_eq!(attribute_value::Entity::find().count(db).await.unwrap(), 3);

    // An update that would add a second entity fails as well.
    let row = attribute_value::Entity::find()
        .filter(attribute_value::Column::PatientId.is_not_null())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut am: attribute_value::ActiveModel = row.into();
    am.study_id = Set(Some(tree.study_id));
    check_failure(
        am.update(db)
            .await
            .expect_err("update to two entities accepted"),
        "update",
    );
}

#[tokio::test]
async fn attribute_value_needs_exactly_one_entity_on_mariadb() {
    let test = TestDb::migrated().await;
    attribute_value_needs_exactly_one_entity(&test.connect().await).await;
}

#[tokio::test]
async fn attribute_value_needs_exactly_one_entity_on_sqlite() {
    let (_db, conn) = SqliteDb::migrated().await;
    attribute_value_needs_exactly_one_entity(&conn).await;
}
