//! The tests' throw-away mariadbd must not touch what belongs to the machine's server.

use eyened_orm_tests::PrivateServer;

/// At start-up mariadbd deletes every `#sql*` file in its temp dir. In the shared temp dir
/// those are the machine server's internal temporary tables, in use by other tests' queries,
/// which then fail with "Error on delete of '/tmp/#sql-temptable-...'".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_server_leaves_the_shared_temp_dir_alone() {
    let probe = std::env::temp_dir().join(format!(
        "#sql-eorm-private-server-probe-{}.MAI",
        std::process::id()
    ));
    std::fs::write(&probe, b"").unwrap();
    let server = match PrivateServer::start(&[]).await {
        Ok(s) => s,
        Err(why) => {
            let _ = std::fs::remove_file(&probe);
            eprintln!("SKIPPED a_private_server_leaves_the_shared_temp_dir_alone: {why}");
            return;
        }
    };
    let kept = probe.exists();
    drop(server);
    let _ = std::fs::remove_file(&probe);
    assert!(
        kept,
        "starting a private server deleted {}",
        probe.display()
    );
}
