//! Quickstart: create the Eyened schema, insert a small patient tree, read it back through
//! relations and through the selectors (`by_id`, `by_name`, `where_`), and create a grading
//! task with `Task::from_imagesets`.
//!
//! With no setup it runs on an embedded SQLite file in the system temp dir, created afresh:
//!     cargo run -p examples --example quickstart
//! Pointed at MySQL/MariaDB it applies pending migrations and adds rows with unique names:
//!     DATABASE_URL=mysql://root@127.0.0.1:3306/eyened_quickstart cargo run -p examples --example quickstart

use eyened_orm::{
    DataType, ImageInstance, Laterality, Modality, Project, Sex, SubTask, Task, creator,
    device_instance, device_model, image_instance, modality, patient, project, series, source_info,
    study, sub_task, task_definition,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, Database, DatabaseConnection,
    EntityTrait, ModelTrait, PaginatorTrait,
};

/// What every step returns: any error ends the tour with its message.
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    let db = connect_and_migrate().await?;
    // Unique names, so the example can run repeatedly against a persistent server database.
    let tag = chrono::Utc::now().format("%Y%m%d%H%M%S%f").to_string();
    let equipment = insert_equipment(&db, &tag).await?;
    let (project, series) = insert_patient_tree(&db, &tag).await?;
    let image_ids = insert_images(&db, &tag, &series, &equipment).await?;
    read_back_through_relations(&db, &series).await?;
    use_the_selectors(&db, &project, &image_ids).await?;
    create_a_grading_task(&db, &tag, &image_ids).await?;
    Ok(())
}

/// Connects to `DATABASE_URL` (or a fresh SQLite file) and applies the pending migrations.
async fn connect_and_migrate() -> Result<DatabaseConnection> {
    let (url, shown) = match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let shown = eyened_orm::config::DatabaseConfig::from_url(&url)?.display();
            (url, shown)
        }
        Err(_) => {
            let path = std::env::temp_dir().join("eyened-quickstart.db");
            let _ = std::fs::remove_file(&path);
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                format!("sqlite:{}", path.display()),
            )
        }
    };
    println!("database: {shown}");
    let db = Database::connect(&url).await?;

    Migrator::up(&db, None).await?;
    let applied = Migrator::get_applied_migrations(&db).await?.len();
    println!("migrations applied: {applied}");
    Ok(db)
}

/// Where images come from: their source, the camera that took them, and their modality.
struct Equipment {
    source: source_info::Model,
    device: device_instance::Model,
    modality: modality::Model,
}

/// Inserts an image source, a device model with one device instance, and a modality.
async fn insert_equipment(db: &DatabaseConnection, tag: &str) -> Result<Equipment> {
    let source = source_info::ActiveModel {
        source_name: Set(format!("quickstart-{tag}")),
        source_path: Set(format!("/images/quickstart-{tag}")),
        thumbnail_path: Set(format!("/thumbnails/quickstart-{tag}")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let model = device_model::ActiveModel {
        manufacturer: Set("Topcon".into()),
        manufacturer_model_name: Set(format!("TRC-NW8 {tag}")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let device = device_instance::ActiveModel {
        device_model_id: Set(model.device_model_id),
        description: Set("clinic camera 1".into()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let cfi = modality::ActiveModel {
        modality_tag: Set(format!("CF-{tag}")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Equipment {
        source,
        device,
        modality: cfi,
    })
}

/// Inserts a project holding a patient, a study and a series; returns the project and series.
async fn insert_patient_tree(
    db: &DatabaseConnection,
    tag: &str,
) -> Result<(project::Model, series::Model)> {
    let project = project::ActiveModel {
        project_name: Set(format!("Quickstart {tag}")),
        external: Set(eyened_orm::External::N),
        description: Set(Some("created by examples/quickstart.rs".into())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let patient = patient::ActiveModel {
        project_id: Set(project.project_id),
        patient_identifier: Set("P-0001".into()),
        birth_date: Set(chrono::NaiveDate::from_ymd_opt(1961, 4, 12)),
        sex: Set(Some(Sex::F)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let study = study::ActiveModel {
        patient_id: Set(patient.patient_id),
        study_date: Set(chrono::NaiveDate::from_ymd_opt(2024, 3, 5).ok_or("bad date")?),
        study_description: Set(Some("baseline visit".into())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let series = series::ActiveModel {
        study_id: Set(study.study_id),
        series_number: Set(Some(1)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    println!(
        "inserted project #{} {:?}, patient #{} {}, study #{} on {}, series #{}",
        project.project_id,
        project.project_name,
        patient.patient_id,
        patient.patient_identifier,
        study.study_id,
        study.study_date,
        series.series_id
    );
    Ok((project, series))
}

/// Inserts three color fundus images (left, right, right) into the series; returns their ids.
async fn insert_images(
    db: &DatabaseConnection,
    tag: &str,
    series: &series::Model,
    equipment: &Equipment,
) -> Result<Vec<i32>> {
    let mut image_ids = Vec::new();
    for (i, laterality) in [Laterality::L, Laterality::R, Laterality::R]
        .into_iter()
        .enumerate()
    {
        let image = image_instance::ActiveModel {
            series_id: Set(series.series_id),
            source_info_id: Set(equipment.source.source_info_id),
            device_instance_id: Set(equipment.device.device_instance_id),
            modality_id: Set(equipment.modality.modality_id),
            modality: Set(Some(Modality::ColorFundus)),
            laterality: Set(laterality),
            rows_y: Set(Some(1536)),
            columns_x: Set(Some(2048)),
            dataset_identifier: Set(format!("quickstart/{tag}/image_{i}.png")),
            cf_keypoints: Set(Some(serde_json::json!({ "fovea_xy": [1010.5, 768.0] }))),
            inactive: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await?;
        println!(
            "inserted image #{} {} eye {}",
            image.image_instance_id, image.dataset_identifier, image.laterality
        );
        image_ids.push(image.image_instance_id);
    }
    Ok(image_ids)
}

/// Reads the images back, walking the relations both ways: series to images, and from an image
/// up to its series, study, patient and project.
async fn read_back_through_relations(
    db: &DatabaseConnection,
    series: &series::Model,
) -> Result<()> {
    let images = series.find_related(image_instance::Entity).all(db).await?;
    println!("series #{} has {} images", series.series_id, images.len());
    let first = &images[0];
    let (_, Some(parent)) = image_instance::Entity::find_by_id(first.image_instance_id)
        .find_also_related(series::Entity)
        .one(db)
        .await?
        .ok_or("image vanished")?
    else {
        return Err("image without series".into());
    };
    let owner = parent
        .find_related(study::Entity)
        .one(db)
        .await?
        .ok_or("no study")?;
    let person = owner
        .find_related(patient::Entity)
        .one(db)
        .await?
        .ok_or("no patient")?;
    let home = person
        .find_related(project::Entity)
        .one(db)
        .await?
        .ok_or("no project")?;
    println!(
        "image #{} -> series #{} -> study #{} ({}) -> patient {} -> project {:?}",
        first.image_instance_id,
        parent.series_id,
        owner.study_id,
        owner.study_date,
        person.patient_identifier,
        home.project_name
    );
    let right_eyes = images
        .iter()
        .filter(|i| i.laterality == Laterality::R)
        .count();
    println!(
        "right-eye images: {right_eyes}; keypoints of the first: {:?}",
        first.cf_keypoints
    );
    let all = image_instance::Entity::find().count(db).await?;
    println!("image instances in the database: {all}");
    let _ = DataType::R8; // every enum of the schema is available at the crate root
    Ok(())
}

/// Selectors: by primary key, by several keys (in the order asked), by name, and by a condition
/// that may use the image's series, study, patient, project and device tables.
async fn use_the_selectors(
    db: &DatabaseConnection,
    project: &project::Model,
    image_ids: &[i32],
) -> Result<()> {
    let image = ImageInstance::by_id(db, image_ids[0])
        .await?
        .ok_or("image vanished")?;
    println!(
        "by_id({}): {} eye {}, shape {:?}",
        image.image_instance_id,
        image.dataset_identifier,
        image.laterality,
        image.shape()
    );
    let reversed: Vec<i32> = image_ids.iter().rev().copied().collect();
    let in_order = ImageInstance::by_ids(db, &reversed).await?;
    println!(
        "by_ids({reversed:?}) -> {:?}",
        in_order
            .iter()
            .map(|i| i.image_instance_id)
            .collect::<Vec<_>>()
    );
    let found = Project::by_name(db, &project.project_name)
        .await?
        .ok_or("project vanished")?;
    println!(
        "by_name({:?}) -> project #{}",
        found.project_name, found.project_id
    );
    let right = ImageInstance::where_(
        db,
        Condition::all()
            .add(project::Column::ProjectName.eq(found.project_name.as_str()))
            .add(image_instance::Column::Laterality.eq(Laterality::R)),
    )
    .await?;
    println!("right-eye images of the project (where_): {}", right.len());
    Ok(())
}

/// A constructor: a task with one sub-task per image set, in one transaction; an unknown task
/// definition is refused.
async fn create_a_grading_task(
    db: &DatabaseConnection,
    tag: &str,
    image_ids: &[i32],
) -> Result<()> {
    let grader = creator::ActiveModel {
        creator_name: Set(format!("grader-{tag}")),
        is_human: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let definition = task_definition::ActiveModel {
        task_definition_name: Set(format!("grading-{tag}")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let task = Task::from_imagesets(
        db,
        &definition.task_definition_name,
        "quickstart batch",
        &[image_ids[..2].to_vec(), image_ids[2..].to_vec()],
        Some(&grader.creator_name),
    )
    .await?;
    let sub_tasks =
        SubTask::by_columns(db, [(sub_task::Column::TaskId, task.task_id.into())]).await?;
    println!(
        "task #{} {:?} ({}) with {} sub-tasks for {}",
        task.task_id,
        task.task_name,
        task.task_state,
        sub_tasks.len(),
        grader.creator_name
    );
    match Task::from_imagesets(db, "no such definition", "never", &[], None).await {
        Err(e) => println!("an unknown task definition is refused: {e}"),
        Ok(_) => return Err("a task was created for an unknown definition".into()),
    }
    Ok(())
}
