//! Mirroring between two servers: a second mariadbd, started here on a free port with a data
//! directory of its own (stopped and removed at the end), receives a full copy and a subset of
//! a database on the test server, under the same database name (which is allowed across
//! servers). Skipped, saying so, when the MariaDB server binaries are not installed.

mod mirror_support;

use eyened_orm::mirror::{Mode, ServerSide};
use eyened_orm_tests::{PrivateServer, fingerprint, fingerprint_diff, query_strings};
use mirror_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirror_to_a_second_server() {
    let second = match PrivateServer::start(&[]).await {
        Ok(s) => s,
        Err(why) => {
            eprintln!(
                "SKIPPED mirror_to_a_second_server: cannot start a second MariaDB server: {why}"
            );
            return;
        }
    };
    let (source, counts) = eyened_source(10, 51).await;
    let s = server();
    let dir = TempDir::new();
    let other = second.config();
    let objects = "copy_objects: [{table: Patient, clause: {PatientIdentifier: P0000002}}]\n";
    // The same database name on the other server: a legitimate copy, not "source = target".
    let config = write_config_between(
        dir.path(),
        "cross.yml",
        (&s, &source.name),
        (&other, &source.name),
        objects,
    );

    // The server-side path is impossible across servers.
    let err = run(Mode::Full, &config, |o| o.server_side = ServerSide::Always)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("needs source and target on one server"),
        "{err}"
    );

    let outcome = run(Mode::Full, &config, |o| o.chunk_rows = 200)
        .await
        .unwrap();
    assert!(
        outcome.plan.to_string().contains("streaming"),
        "{}",
        outcome.plan
    );
    let here = source.server_conn().await;
    let there = other.connect().await.unwrap();
    let a = fingerprint(&here, &source.name).await;
    let b = fingerprint(&there, &source.name).await;
    assert!(a == b, "schemas differ:\n{}", fingerprint_diff(&a, &b));
    assert_eq!(
        checksums(&here, &source.name).await,
        checksums(&there, &source.name).await
    );

    // A subset over the full copy, on the other server: several readers sharing the
    // selection's snapshot.
    let outcome = run(Mode::Test, &config, |o| o.workers = 3).await.unwrap();
    let copying = outcome.summary.map(|s| s.copying).unwrap_or_default();
    assert!(
        copying.contains("3 readers sharing one consistent snapshot"),
        "{copying}"
    );
    let patients = query_strings(
        &there,
        &format!("SELECT PatientIdentifier FROM `{}`.Patient", source.name),
        vec![],
    )
    .await;
    assert_eq!(patients, ["P0000002"]);
    for (fk, n) in orphans(&there, &source.name).await {
        assert_eq!(n, 0, "orphans of {fk}");
    }
    let copied = row_counts(&there, &source.name).await;
    assert!(
        copied["ImageInstance"] > 0
            && (copied["ImageInstance"] as u64) < counts.get("ImageInstance")
    );

    // The same subset by one reader, into another database of the other server: the same rows.
    let single = format!("{}_1", source.name);
    let config = write_config_between(
        dir.path(),
        "single.yml",
        (&s, &source.name),
        (&other, &single),
        objects,
    );
    let outcome = run(Mode::Test, &config, |o| o.workers = 1).await.unwrap();
    let copying = outcome.summary.map(|s| s.copying).unwrap_or_default();
    assert!(copying.contains("1 reader"), "{copying}");
    assert!(primary_keys(&there, &single).await == primary_keys(&there, &source.name).await);
    assert_eq!(
        checksums(&there, &single).await,
        checksums(&there, &source.name).await
    );
    let _ = here.close().await;
    let _ = there.close().await;
}
