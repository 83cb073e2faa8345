//! Constructors (`Task::from_imagesets`, `SubTask::from_image_ids`, `Feature::from_list`,
//! `Annotation::create`, `make_tag`): what they write on success, and that a failure writes
//! nothing (every table's row count unchanged). Through the public API only, against MariaDB
//! (one database per test), and once on SQLite.

use std::collections::BTreeMap;

use eyened_orm::{
    Annotation, CompositeFeature, Creator, Error, Feature, FormAnnotation, ImageInstance,
    NewAnnotation, Segmentation, Study, SubTask, SubTaskImageLink, SubTaskState, Tag, TagType,
    Task, TaskState, composite_feature, sub_task, sub_task_image_link, tag, task_definition,
};
use eyened_orm_tests::seed::{self, ImageTree};
use eyened_orm_tests::{BOOKKEEPING_TABLES, SqliteDb, TestDb, query_i64, quote_ident, table_names};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    TransactionTrait,
};

async fn setup() -> (TestDb, DatabaseConnection) {
    let db = TestDb::migrated().await;
    let conn = db.connect().await;
    (db, conn)
}

/// Rows per table, bookkeeping tables left out.
async fn row_counts<C: ConnectionTrait>(db: &C) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for table in table_names(db).await {
        if BOOKKEEPING_TABLES.contains(&table.as_str()) {
            continue;
        }
        let n = query_i64(db, &format!("SELECT COUNT(*) FROM {}", quote_ident(&table))).await;
        counts.insert(table, n);
    }
    counts
}

async fn definition<C: ConnectionTrait>(db: &C, name: &str) -> eyened_orm::TaskDefinition {
    task_definition::ActiveModel {
        task_definition_name: Set(name.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("task definition")
}

/// Three images of one series.
async fn three_images<C: ConnectionTrait>(db: &C) -> (ImageTree, [i32; 3]) {
    let tree = seed::image_tree(db).await.expect("seed");
    let b = seed::image(db, &tree)
        .await
        .expect("image")
        .image_instance_id;
    let c = seed::image(db, &tree)
        .await
        .expect("image")
        .image_instance_id;
    (tree, [tree.image_instance_id, b, c])
}

async fn links_of<C: ConnectionTrait>(db: &C, sub_task_id: i32) -> Vec<i32> {
    let mut ids: Vec<i32> = SubTaskImageLink::by_columns(
        db,
        [(sub_task_image_link::Column::SubTaskId, sub_task_id.into())],
    )
    .await
    .expect("links")
    .into_iter()
    .map(|l| l.image_instance_id)
    .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn from_imagesets_creates_the_task_its_sub_tasks_and_links() {
    let (_db, conn) = setup().await;
    let (_tree, [a, b, c]) = three_images(&conn).await;
    let grading = definition(&conn, "grading").await;
    let alice = seed::creator_named(&conn, "alice").await.expect("creator");

    let task = Task::from_imagesets(
        &conn,
        "grading",
        "batch 7",
        &[vec![a, b, a], vec![c]],
        Some("alice"),
    )
    .await
    .expect("from_imagesets");
    assert_eq!(task.task_name, "batch 7");
    assert_eq!(task.task_definition_id, grading.task_definition_id);
    assert_eq!(task.task_state, TaskState::NotStarted);
    assert_eq!(
        Task::by_id(&conn, task.task_id).await.expect("by_id"),
        Some(task.clone())
    );

    let subs = SubTask::by_columns(&conn, [(sub_task::Column::TaskId, task.task_id.into())])
        .await
        .expect("sub tasks");
    assert_eq!(subs.len(), 2);
    for sub in &subs {
        assert_eq!(sub.task_state, SubTaskState::NotStarted);
        assert_eq!(sub.creator_id, Some(alice.creator_id));
    }
    assert_eq!(links_of(&conn, subs[0].sub_task_id).await, vec![a, b]);
    assert_eq!(links_of(&conn, subs[1].sub_task_id).await, vec![c]);

    // Without a creator; and a task with no image sets at all.
    let task = Task::from_imagesets(&conn, "grading", "batch 8", &[vec![c]], None)
        .await
        .expect("from_imagesets");
    let subs = SubTask::by_columns(&conn, [(sub_task::Column::TaskId, task.task_id.into())])
        .await
        .expect("sub tasks");
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].creator_id, None);
    let empty = Task::from_imagesets(&conn, "grading", "empty", &[], None)
        .await
        .expect("from_imagesets");
    let subs = SubTask::by_columns(&conn, [(sub_task::Column::TaskId, empty.task_id.into())])
        .await
        .expect("sub tasks");
    assert!(subs.is_empty());
}

#[tokio::test]
async fn from_imagesets_with_an_unknown_name_or_id_writes_nothing() {
    let (_db, conn) = setup().await;
    let (_tree, [a, b, _]) = three_images(&conn).await;
    definition(&conn, "grading").await;
    seed::creator_named(&conn, "alice").await.expect("creator");
    let before = row_counts(&conn).await;

    match Task::from_imagesets(&conn, "no such definition", "t", &[vec![a]], Some("alice")).await {
        Err(Error::NotFound { entity, what }) => {
            assert_eq!(entity, "TaskDefinition");
            assert!(what.contains("no such definition"), "{what}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(row_counts(&conn).await, before);

    let e = Task::from_imagesets(&conn, "grading", "t", &[vec![a]], Some("carol"))
        .await
        .expect_err("unknown creator");
    assert!(
        matches!(
            e,
            Error::NotFound {
                entity: "Creator",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(row_counts(&conn).await, before);

    match Task::from_imagesets(
        &conn,
        "grading",
        "t",
        &[vec![a, b], vec![999_999, b, 999_998]],
        None,
    )
    .await
    {
        Err(Error::NotFound { entity, what }) => {
            assert_eq!(entity, "ImageInstance");
            assert!(what.contains("999998") && what.contains("999999"), "{what}");
            assert!(!what.contains(&a.to_string()), "{what}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(row_counts(&conn).await, before);

    definition(&conn, "grading").await;
    let before = row_counts(&conn).await;
    let e = Task::from_imagesets(&conn, "grading", "t", &[vec![a]], None)
        .await
        .expect_err("two definitions named grading");
    assert!(matches!(e, Error::Ambiguous { count: 2, .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("TaskDefinitionName"), "{message}");
    assert_eq!(row_counts(&conn).await, before);
}

#[tokio::test]
async fn constructors_nest_inside_a_callers_transaction() {
    let (_db, conn) = setup().await;
    let (_tree, [a, b, _]) = three_images(&conn).await;
    definition(&conn, "grading").await;
    let before = row_counts(&conn).await;

    // The caller's transaction decides: rolled back, nothing stays.
    let txn = conn.begin().await.expect("begin");
    let task = Task::from_imagesets(&txn, "grading", "t", &[vec![a, b]], None)
        .await
        .expect("from_imagesets");
    assert!(
        Task::by_id(&txn, task.task_id)
            .await
            .expect("by_id")
            .is_some()
    );
    txn.rollback().await.expect("rollback");
    assert_eq!(row_counts(&conn).await, before);

    // A failed constructor rolls back only its own savepoint; the caller's work survives.
    let txn = conn.begin().await.expect("begin");
    let kept = Task::from_imagesets(&txn, "grading", "kept", &[vec![a]], None)
        .await
        .expect("from_imagesets");
    let e = Task::from_imagesets(&txn, "grading", "lost", &[vec![999_999]], None)
        .await
        .expect_err("unknown image");
    assert!(matches!(e, Error::NotFound { .. }));
    txn.commit().await.expect("commit");
    assert!(
        Task::by_id(&conn, kept.task_id)
            .await
            .expect("by_id")
            .is_some()
    );
    assert_eq!(Task::fetch_all(&conn).await.expect("fetch_all").len(), 1);
}

#[tokio::test]
async fn sub_task_from_image_ids() {
    let (_db, conn) = setup().await;
    let (_tree, [a, b, c]) = three_images(&conn).await;
    let task = seed::task(&conn, None).await.expect("task");

    let sub = SubTask::from_image_ids(&conn, task.task_id, &[c, a, c], None)
        .await
        .expect("from_image_ids");
    assert_eq!(sub.task_id, task.task_id);
    assert_eq!(sub.task_state, SubTaskState::NotStarted);
    assert_eq!(links_of(&conn, sub.sub_task_id).await, vec![a, c]);
    let busy = SubTask::from_image_ids(&conn, task.task_id, &[b], Some(SubTaskState::Busy))
        .await
        .expect("from_image_ids");
    assert_eq!(busy.task_state, SubTaskState::Busy);

    let before = row_counts(&conn).await;
    let e = SubTask::from_image_ids(&conn, task.task_id + 1000, &[a], None)
        .await
        .expect_err("unknown task");
    assert!(matches!(e, Error::NotFound { entity: "Task", .. }), "{e:?}");
    let e = SubTask::from_image_ids(&conn, task.task_id, &[a, 999_999], None)
        .await
        .expect_err("unknown image");
    assert!(
        matches!(
            e,
            Error::NotFound {
                entity: "ImageInstance",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(row_counts(&conn).await, before);
}

#[tokio::test]
async fn feature_from_list_reuses_existing_features() {
    let (_db, conn) = setup().await;
    let drusen = Feature::from_list::<_, &str>(&conn, "Drusen", &[])
        .await
        .expect("from_list");
    let again = Feature::from_list::<_, &str>(&conn, "Drusen", &[])
        .await
        .expect("from_list reuses");
    assert_eq!(again.feature_id, drusen.feature_id);

    let lesions = Feature::from_list(&conn, "Lesions", &["Drusen", "Hemorrhage", "Exudate"])
        .await
        .expect("from_list");
    let children = |parent: i32| {
        let conn = conn.clone();
        async move {
            CompositeFeature::by_columns(
                &conn,
                [(composite_feature::Column::ParentFeatureId, parent.into())],
            )
            .await
            .expect("links")
            .into_iter()
            .map(|l| (l.feature_index, l.child_feature_id))
            .collect::<Vec<_>>()
        }
    };
    let hemorrhage = Feature::by_name(&conn, "Hemorrhage")
        .await
        .expect("by_name")
        .expect("created");
    let exudate = Feature::by_name(&conn, "Exudate")
        .await
        .expect("by_name")
        .expect("created");
    let links = children(lesions.feature_id).await;
    assert_eq!(links.len(), 3);
    let mut sorted = links.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        vec![
            (0, drusen.feature_id),
            (1, hemorrhage.feature_id),
            (2, exudate.feature_id)
        ]
    );
    assert_eq!(Feature::fetch_all(&conn).await.expect("fetch_all").len(), 4);

    // The same call again changes nothing; a String list works too.
    let before = row_counts(&conn).await;
    let names = vec![
        "Drusen".to_owned(),
        "Hemorrhage".to_owned(),
        "Exudate".to_owned(),
    ];
    let same = Feature::from_list(&conn, "Lesions", &names)
        .await
        .expect("from_list");
    assert_eq!(same.feature_id, lesions.feature_id);
    assert_eq!(row_counts(&conn).await, before);

    // A different list for an existing composite, or a feature in its own list: refused, and
    // nothing written (not even the new sub-feature).
    let e = Feature::from_list(&conn, "Lesions", &["Drusen", "Microaneurysm"])
        .await
        .expect_err("different list");
    match &e {
        Error::InvalidArgument(message) => assert!(message.contains("Hemorrhage"), "{message}"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert_eq!(row_counts(&conn).await, before);
    let e = Feature::from_list(&conn, "Loop", &["A", "Loop"])
        .await
        .expect_err("self reference");
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert_eq!(row_counts(&conn).await, before);

    // An existing feature without sub-features gets them.
    let composite = Feature::from_list(&conn, "Drusen", &["Hemorrhage"])
        .await
        .expect("from_list");
    assert_eq!(composite.feature_id, drusen.feature_id);
    assert_eq!(
        children(drusen.feature_id).await,
        vec![(0, hemorrhage.feature_id)]
    );
}

#[tokio::test]
async fn make_tag_on_study_image_form_annotation_and_segmentation() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator_named(&conn, "alice").await.expect("creator");
    let study = Study::by_id(&conn, tree.study_id)
        .await
        .expect("by_id")
        .expect("found");

    // A new tag needs a description; the creator is created when new (as a human).
    let before = row_counts(&conn).await;
    let e = study
        .make_tag(&conn, "review", "bob", None, None)
        .await
        .expect_err("no description for a new tag");
    match &e {
        Error::InvalidArgument(message) => {
            assert!(message.contains("tag_description is required"), "{message}")
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert_eq!(
        row_counts(&conn).await,
        before,
        "bob was not created either"
    );

    let link = study
        .make_tag(
            &conn,
            "review",
            "bob",
            Some("look again"),
            Some("needs review"),
        )
        .await
        .expect("make_tag");
    let bob = Creator::by_name(&conn, "bob")
        .await
        .expect("by_name")
        .expect("created");
    assert!(bob.is_human);
    assert_eq!(link.study_id, tree.study_id);
    assert_eq!(link.creator_id, bob.creator_id);
    assert_eq!(link.comment.as_deref(), Some("look again"));
    let review = Tag::by_id(&conn, link.tag_id)
        .await
        .expect("by_id")
        .expect("tag");
    assert_eq!(review.tag_type, TagType::Study);
    assert_eq!(review.tag_description, "needs review");
    assert_eq!(review.creator_id, bob.creator_id);

    // Tagging again: same link, first creator kept, comment replaced only when given.
    let again = study
        .make_tag(&conn, "review", "alice", Some("done"), None)
        .await
        .expect("make_tag");
    assert_eq!(
        (again.tag_id, again.creator_id),
        (link.tag_id, bob.creator_id)
    );
    assert_eq!(again.comment.as_deref(), Some("done"));
    let unchanged = study
        .make_tag(&conn, "review", "alice", None, Some("needs review"))
        .await
        .expect("make_tag");
    assert_eq!(unchanged.comment.as_deref(), Some("done"));

    // A different description for an existing tag is refused, nothing written.
    let before = row_counts(&conn).await;
    let e = study
        .make_tag(&conn, "review", "carol", None, Some("something else"))
        .await
        .expect_err("different description");
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("different description")),
        "{e:?}"
    );
    assert_eq!(row_counts(&conn).await, before);

    // The same tag name is a different tag for another entity type.
    let image = ImageInstance::by_id(&conn, tree.image_instance_id)
        .await
        .expect("by_id")
        .expect("found");
    let image_link = image
        .make_tag(&conn, "review", "alice", None, Some("image review"))
        .await
        .expect("make_tag");
    assert_ne!(image_link.tag_id, link.tag_id);
    assert_eq!(image_link.image_instance_id, tree.image_instance_id);
    assert_eq!(image_link.creator_id, creator.creator_id);
    let image_tags = Tag::by_columns(
        &conn,
        [
            (tag::Column::TagName, "review".into()),
            (tag::Column::TagType, TagType::ImageInstance.into()),
        ],
    )
    .await
    .expect("tags");
    assert_eq!(image_tags.len(), 1);

    let form = seed::form_annotation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("form annotation");
    let form = FormAnnotation::by_id(&conn, form.form_annotation_id)
        .await
        .expect("by_id")
        .expect("found");
    let form_link = form
        .make_tag(
            &conn,
            "checked",
            "alice",
            Some("ok"),
            Some("checked by a grader"),
        )
        .await
        .expect("make_tag");
    assert_eq!(form_link.form_annotation_id, form.form_annotation_id);

    let seg = seed::segmentation(&conn, &tree, creator.creator_id, None)
        .await
        .expect("segmentation");
    let seg = Segmentation::by_id(&conn, seg.segmentation_id)
        .await
        .expect("by_id")
        .expect("found");
    let seg_link = seg
        .make_tag(&conn, "checked", "alice", None, Some("checked by a grader"))
        .await
        .expect("make_tag");
    assert_eq!(seg_link.segmentation_id, seg.segmentation_id);
    let checked = Tag::by_columns(&conn, [(tag::Column::TagName, "checked".into())])
        .await
        .expect("tags");
    assert_eq!(checked.len(), 2, "one per tag type");
}

#[tokio::test]
async fn annotation_create_sets_the_feature_and_the_image_tree() {
    let (_db, conn) = setup().await;
    let tree = seed::image_tree(&conn).await.expect("seed");
    let creator = seed::creator(&conn).await.expect("creator");
    let feature = seed::feature(&conn).await.expect("feature");
    let kind = seed::annotation_type(&conn).await.expect("annotation type");
    let new = NewAnnotation {
        image_instance_id: tree.image_instance_id,
        feature_id: feature.feature_id,
        creator_id: creator.creator_id,
        annotation_type_id: kind.annotation_type_id,
    };

    let ann = Annotation::create(&conn, new).await.expect("create");
    assert_eq!(ann.feature_id, feature.feature_id);
    assert_eq!(ann.patient_id, tree.patient_id);
    assert_eq!(ann.study_id, Some(tree.study_id));
    assert_eq!(ann.series_id, Some(tree.series_id));
    assert_eq!(ann.image_instance_id, Some(tree.image_instance_id));
    assert_eq!(ann.creator_id, creator.creator_id);
    assert_eq!(ann.annotation_type_id, kind.annotation_type_id);
    assert!(!ann.inactive);
    assert_eq!(
        Annotation::by_id(&conn, ann.annotation_id)
            .await
            .expect("by_id"),
        Some(ann)
    );

    let before = row_counts(&conn).await;
    for (bad, entity) in [
        (
            NewAnnotation {
                image_instance_id: 999_999,
                ..new
            },
            "ImageInstance",
        ),
        (
            NewAnnotation {
                feature_id: 999_999,
                ..new
            },
            "Feature",
        ),
        (
            NewAnnotation {
                creator_id: 999_999,
                ..new
            },
            "Creator",
        ),
        (
            NewAnnotation {
                annotation_type_id: 999_999,
                ..new
            },
            "AnnotationType",
        ),
    ] {
        match Annotation::create(&conn, bad).await {
            Err(Error::NotFound { entity: e, what }) => {
                assert_eq!(e, entity);
                assert!(what.contains("999999"), "{what}");
            }
            other => panic!("{entity}: expected NotFound, got {other:?}"),
        }
    }
    assert_eq!(row_counts(&conn).await, before);
}

#[tokio::test]
async fn constructors_work_on_sqlite_too() {
    let (_file, conn) = SqliteDb::migrated().await;
    let (_tree, [a, b, c]) = three_images(&conn).await;
    definition(&conn, "grading").await;
    seed::creator_named(&conn, "alice").await.expect("creator");
    let task = Task::from_imagesets(
        &conn,
        "grading",
        "batch",
        &[vec![a, b], vec![c]],
        Some("alice"),
    )
    .await
    .expect("from_imagesets");
    let subs = SubTask::where_(&conn, sub_task::Column::TaskId.eq(task.task_id))
        .await
        .expect("sub tasks");
    assert_eq!(subs.len(), 2);
    assert_eq!(links_of(&conn, subs[0].sub_task_id).await, vec![a, b]);

    let before = row_counts(&conn).await;
    let e = Task::from_imagesets(&conn, "grading", "x", &[vec![a], vec![999]], None)
        .await
        .expect_err("unknown image");
    assert!(matches!(e, Error::NotFound { .. }));
    assert_eq!(row_counts(&conn).await, before);
}
