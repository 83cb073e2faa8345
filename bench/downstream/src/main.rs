//! What a service built on eyened-orm needs: open a database, read images by id, create a
//! grading task over sets of them. Written against the API both measured checkouts share.
//!     DATABASE_URL=mysql://user@host/eyened cargo run --manifest-path bench/downstream/Cargo.toml -- 42 43

use eyened_orm::{ImageInstance, Task, config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ids = std::env::args()
        .skip(1)
        .map(|arg| arg.parse::<i32>())
        .collect::<Result<Vec<_>, _>>()?;
    let Some(&first) = ids.first() else {
        return Err("give one or more ImageInstanceIDs".into());
    };
    // DATABASE_URL, or the platform's DATABASE_USER/PASSWORD/HOST/PORT/NAME.
    let db = config::resolve(None, None)?.connect().await?;

    let image = ImageInstance::by_id(&db, first).await?;
    println!("image {first}: {:?}", image.map(|image| image.sop_instance_uid));
    let images = ImageInstance::by_ids(&db, &ids).await?;
    println!("{} of {} images found", images.len(), ids.len());

    let imagesets: Vec<Vec<i32>> = images.iter().map(|image| vec![image.image_instance_id]).collect();
    let task = Task::from_imagesets(&db, "Grading", "downstream", &imagesets, None).await?;
    println!("task {} with {} subtasks", task.task_id, imagesets.len());
    Ok(())
}
