//! database-mirror-test by its three copy paths on the same data: one reader streaming in the
//! selection's snapshot (the reference), several readers sharing that snapshot (the path between
//! two servers), and `INSERT ... SELECT` of the selected keys on one server. All three must hold
//! exactly the same rows, the same contents, and no orphans.

mod mirror_support;

use eyened_orm::mirror::{self, MirrorError, Mode, Options, Outcome, RunState, ServerSide};
use mirror_support::*;
use sea_orm::ConnectionTrait;

fn copying(outcome: &Outcome) -> String {
    outcome
        .summary
        .as_ref()
        .map(|s| s.copying.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subset_path_copies_the_same_rows() {
    let (source, _) = eyened_source(24, 77).await;
    let dir = TempDir::new();
    // A third of the patients and everything they need; chunks of several key batches come
    // from the bigger tables.
    let objects = "copy_objects: [{table: Patient, clause: \"PatientID % 3 = 0\"}]\n";

    let single = Db::named("r1");
    let config = write_config(
        dir.path(),
        "single.yml",
        &source.name,
        &single.name,
        objects,
    );
    let outcome = run(Mode::Test, &config, |o| {
        o.server_side = ServerSide::Never;
        o.workers = 1;
    })
    .await
    .unwrap();
    assert!(
        copying(&outcome).contains("1 reader"),
        "{}",
        copying(&outcome)
    );

    let parallel = Db::named("rp");
    let config = write_config(
        dir.path(),
        "parallel.yml",
        &source.name,
        &parallel.name,
        objects,
    );
    let outcome = run(Mode::Test, &config, |o| {
        o.server_side = ServerSide::Never;
        o.workers = 3;
        o.defer_indexes_min_rows = 1;
    })
    .await
    .unwrap();
    assert!(
        copying(&outcome).contains("3 readers sharing one consistent snapshot"),
        "{}",
        copying(&outcome)
    );

    let on_server = Db::named("rs");
    let config = write_config(
        dir.path(),
        "server.yml",
        &source.name,
        &on_server.name,
        objects,
    );
    // Every table with selected rows gets its indexes after its last chunk, then its staged
    // fingerprint (the DDL check of the verification sees that the indexes are all there).
    let outcome = run(Mode::Test, &config, |o| {
        o.server_side = ServerSide::Always;
        o.workers = 3;
        o.defer_indexes_min_rows = 1;
    })
    .await
    .unwrap();
    assert!(
        copying(&outcome).contains("on the server (INSERT ... SELECT)"),
        "{}",
        copying(&outcome)
    );

    let conn = source.server_conn().await;
    let reference = primary_keys(&conn, &single.name).await;
    assert!(
        reference["Patient"].len() == 8 && reference["ImageInstance"].len() > 8,
        "{reference:?}"
    );
    let reference_sums = checksums(&conn, &single.name).await;
    for copy in [&parallel, &on_server] {
        assert!(
            primary_keys(&conn, &copy.name).await == reference,
            "{}: other rows than the single reader's",
            copy.name
        );
        assert_eq!(
            checksums(&conn, &copy.name).await,
            reference_sums,
            "{}",
            copy.name
        );
    }
    for copy in [&single, &parallel, &on_server] {
        for (fk, n) in orphans(&conn, &copy.name).await {
            assert_eq!(n, 0, "{}: orphans of {fk}", copy.name);
        }
    }
    let _ = conn.close().await;
}

/// The server-side path refuses to pretend: across a TCP forwarder (another address, the same
/// server) `auto` still finds one server and copies on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_server_behind_another_address_copies_on_the_server() {
    let (source, _) = eyened_source(6, 78).await;
    let dir = TempDir::new();
    let target = Db::named("fw");
    let (port, handle) = forwarder().await;
    let s = server();
    let text = format!(
        "source:\n  database: {}\ntarget:\n  database: {{user: '{}', password: '{}', host: '127.0.0.1', port: {port}, database: '{}'}}\ncopy_objects: [{{table: Patient, clause: {{PatientIdentifier: P0000003}}}}]\n",
        database_yaml(&s, &source.name),
        s.user(),
        s.password().expose(),
        target.name
    );
    let config = dir.path().join("alias.yml");
    std::fs::write(&config, text).unwrap();
    let outcome = run(Mode::Test, &config, |_| {}).await;
    handle.abort();
    let outcome = outcome.unwrap();
    assert!(
        copying(&outcome).contains("on the server"),
        "{}",
        copying(&outcome)
    );
    let conn = source.server_conn().await;
    for (fk, n) in orphans(&conn, &target.name).await {
        assert_eq!(n, 0, "orphans of {fk}");
    }
    let _ = conn.close().await;
}

/// `INSERT ... SELECT` reads the latest rows, the selection its snapshot: a selected row changed
/// in between (here while the plan is being confirmed) fails the verification, and the target
/// is left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_after_the_selection_fails_the_server_side_copy() {
    let (source, _) = eyened_source(6, 79).await;
    let dir = TempDir::new();
    let target = Db::empty("chg").await;
    let conn = target.connect().await;
    conn.execute_unprepared("CREATE TABLE keep (id INT PRIMARY KEY); INSERT INTO keep VALUES (7)")
        .await
        .unwrap();
    let _ = conn.close().await;
    let config = write_config(
        dir.path(),
        "changed.yml",
        &source.name,
        &target.name,
        "copy_objects: [{table: Patient, clause: \"PatientID % 2 = 0\"}]\n",
    );
    let mut options = Options::new(Mode::Test, &config);
    options.server_side = ServerSide::Always;
    options.workers = 2;
    let source_conn = source.connect().await;
    let mut confirm = |_: &mirror::report::Plan| {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(source_conn.execute_unprepared(
                "UPDATE Patient SET PatientIdentifier = CONCAT(PatientIdentifier, 'x') WHERE PatientID = 2",
            ))
        })
        .unwrap();
        Ok(true)
    };
    let result = mirror::run(
        &options,
        &eyened_orm::progress::silent(),
        &mut confirm,
        &RunState::new(),
    )
    .await;
    let _ = source_conn.close().await;
    match result {
        Err(MirrorError::Verify(problems)) => {
            let text = problems.join("\n");
            assert!(
                text.contains("Patient: same row count")
                    && text.contains("changed after the rows were selected"),
                "{text}"
            );
        }
        other => panic!("expected a verification failure, got {other:?}"),
    }
    let conn = source.server_conn().await;
    assert_eq!(tables(&conn, &target.name).await, ["keep"]);
    let _ = conn.close().await;
}
