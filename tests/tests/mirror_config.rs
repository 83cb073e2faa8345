//! A corpus of malformed transfer configs (tests/fixtures/mirror/bad/*.yml): each must fail with
//! its expected one-line message naming the key, show no password, and touch nothing (no target,
//! no staging database, the source unchanged).
//!
//! A fixture starts with `# expect: <text the error must contain>`. Placeholders: `${SRC}` and
//! `${DST}` (the `database:` mappings of the test source and an unused target name),
//! `${FAKE_SRC}` / `${FAKE_DST}` (the same with a wrong password: errors that must come before
//! connecting), `${SRC_DB}`, `${DST_DB}`, `${USER}`, `${PASSWORD}`, `${HOST}`, `${PORT}`.

mod mirror_support;

use std::path::PathBuf;

use eyened_orm::mirror::{self, Mode, Options, RunState};
use eyened_orm_tests::query_strings;
use mirror_support::*;

const FAKE_PASSWORD: &str = "hunter2-secret";

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/mirror/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_configs_fail_clearly_and_touch_nothing() {
    let (source, _) = eyened_source(2, 31).await;
    let target = Db::named("t");
    let conn = source.connect().await;
    let before = row_counts(&conn, &source.name).await;
    let _ = conn.close().await;
    let s = server();
    let mapping = |db: &str, password: &str| {
        format!(
            "{{user: '{}', password: '{password}', host: '{}', port: {}, database: '{db}'}}",
            s.user(),
            s.host(),
            s.port()
        )
    };
    let dir = TempDir::new();
    std::fs::write(
        dir.path().join("sqlite.env"),
        "DATABASE_URL=sqlite::memory:\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("test.env"),
        "DATABASE_URL=mysql://root@127.0.0.1/x\n",
    )
    .unwrap();

    let files = fixtures();
    assert!(files.len() >= 15, "only {} fixtures", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let raw = std::fs::read_to_string(file).unwrap();
        let substitute = |text: &str| {
            text.replace("${SRC}", &mapping(&source.name, s.password().expose()))
                .replace("${DST}", &mapping(&target.name, s.password().expose()))
                .replace("${FAKE_SRC}", &mapping(&source.name, FAKE_PASSWORD))
                .replace("${FAKE_DST}", &mapping(&target.name, FAKE_PASSWORD))
                .replace("${SRC_DB}", &source.name)
                .replace("${DST_DB}", &target.name)
                .replace("${USER}", s.user())
                .replace("${PASSWORD}", s.password().expose())
                .replace("${HOST}", s.host())
                .replace("${PORT}", &s.port().to_string())
        };
        let expect = raw
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: no '# expect:' line", file.display()));
        let expect = substitute(expect);
        let config = dir.path().join(file.file_name().unwrap());
        std::fs::write(&config, substitute(&raw)).unwrap();

        let mut options = Options::new(Mode::Test, &config);
        options.workers = 2;
        let state = RunState::new();
        let mut asked = false;
        let result = mirror::run(
            &options,
            &eyened_orm::progress::silent(),
            &mut |_: &mirror::report::Plan| {
                asked = true;
                Ok(false)
            },
            &state,
        )
        .await;
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match result {
            Ok(_) => failures.push(format!("{name}: succeeded")),
            Err(e) => {
                let text = e.to_string();
                if !text.contains(&expect) {
                    failures.push(format!("{name}: expected '{expect}', got '{text}'"));
                }
                if text.contains(FAKE_PASSWORD) {
                    failures.push(format!("{name}: the message shows the password: {text}"));
                }
                if text.lines().count() != 1 {
                    failures.push(format!("{name}: not one line: {text}"));
                }
            }
        }
        if asked {
            failures.push(format!("{name}: reached the confirmation prompt"));
        }
        for db in [
            target.name.clone(),
            format!("{}__eorm_staging", target.name),
            format!("{}__eorm_staging", source.name),
        ] {
            if source.exists(&db).await {
                failures.push(format!("{name}: database {db} was created"));
            }
        }
    }
    let conn = source.connect().await;
    let after = row_counts(&conn, &source.name).await;
    let _ = conn.close().await;
    assert_eq!(before, after, "the source changed");
    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// A config saved with a UTF-8 byte-order mark (as Windows editors write one) runs like the same
/// config without it; one with `copy_objects` nested 50,000 levels deep stops at the depth limit,
/// naming it, before anything is touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_order_mark_is_accepted_and_deep_nesting_is_refused() {
    let (source, _) = eyened_source(2, 32).await;
    let target = Db::named("bom");
    let dir = TempDir::new();
    let objects = "copy_objects:\n  - {table: Patient, clause: {PatientID: 1}}\n";
    let plain = write_config(dir.path(), "plain.yml", &source.name, &target.name, objects);
    let text = std::fs::read_to_string(&plain).unwrap();
    let bom = dir.path().join("bom.yml");
    std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
    let outcome = run(Mode::Test, &bom, |_| {}).await.unwrap();
    assert!(outcome.summary.is_some());
    assert!(target.exists(&target.name).await);
    let conn = target.server_conn().await;
    let patients = query_strings(
        &conn,
        &format!(
            "SELECT CAST(PatientID AS CHAR) FROM `{}`.Patient",
            target.name
        ),
        vec![],
    )
    .await;
    assert_eq!(patients, ["1"]);
    let _ = conn.close().await;

    let untouched = Db::named("deep");
    let deep = write_config(
        dir.path(),
        "deep.yml",
        &source.name,
        &untouched.name,
        &format!(
            "copy_objects: {}{}\n",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
    );
    let err = run(Mode::Test, &deep, |_| {}).await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("nested more than 32 levels deep (the limit for a transfer config)"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!untouched.exists(&untouched.name).await);
}
