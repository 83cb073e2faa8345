//! Random mutations of valid transfer configs fed to the config loader
//! ([`MirrorConfig::from_bytes`], and [`MirrorConfig::load`] for some): byte flips, inserted
//! YAML and SQL syntax, deletions, duplicated and swapped lines, deep nesting, huge scalars,
//! byte-order marks, NULs and invalid UTF-8. No case may panic or hang, each takes well under a
//! second, and every error is one line that shows none of the passwords.
//!
//! The cases come from a seeded PRNG, so a failure names a case that fails again.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use eyened_orm::mirror::MirrorConfig;

const CASES: usize = 3000;
const SEED: u64 = 0x5eed_17c0_f19a_2024;
/// A case takes microseconds to milliseconds; no answer within this long is a hang (the limit
/// is far from any slowdown, so a loaded machine cannot fail the test).
const HANG: Duration = Duration::from_secs(60);

const SOURCE_PASSWORD: &str = "Hunter2-Secret-src";
const TARGET_PASSWORD: &str = r#"p@ss w0rd#'"x"#;
/// What `password_env: EORM_FUZZ_PASSWORD` and the env file give.
const ENV_PASSWORD: &str = "EnvSecret-9f8e71";
const FILE_PASSWORD: &str = "FileSecret-3c2d";

const SECRETS: [&str; 4] = [
    SOURCE_PASSWORD,
    TARGET_PASSWORD,
    ENV_PASSWORD,
    FILE_PASSWORD,
];

/// Valid configs, block and flow style, with every kind of key.
const SEEDS: [&str; 3] = [
    r#"# transfer config
source:
  database:
    user: eyened
    password: Hunter2-Secret-src
    host: db.prod
    port: 3306
    database: eyened_database
    raise_on_warnings: true
target:
  database: {user: root, password: "p@ss w0rd#'\"x", host: 127.0.0.1, port: '3307', database: eyened_test}
copy_objects:
  - table: Patient
    clause:
      PatientIdentifier: 'P-0001'
  - table: Patient
    clause: "PatientID IN (1, 2, 3)"
    follow_down: false
  - table: Study
    clause: "StudyDate >= '2020-01-01' AND StudyID < 20"
copy_segmentation_data: false
follow_down: [Study.PatientID, Series.StudyID]
"#,
    r#"source: {database: {user: u, password_env: EORM_FUZZ_PASSWORD, host: h, port: 3306, database: src}}
target: {database: {user: u, password: 'Hunter2-Secret-src', host: h2, port: 3306, database: dst}}
copy_objects: [{table: Patient, clause: {PatientID: 7, BirthDate: null}}, {table: Tag, clause: 'TagID IN (SELECT TagID FROM Tag WHERE TagName LIKE ''a%'')'}]
skip_down: [AttributeValueInput.InputAttributeValueID, FormAnnotation.PatientID]
"#,
    r#"source:
  database: {user: eyened, password: "Hunter2-Secret-src", host: db, port: 3306, database: eyened_database}
  secret_key: not-a-password
target:
  env_file: test.env
copy_objects:
  - {table: Patient, clause: "DATE(BirthDate) < NOW() - INTERVAL 18 YEAR"}
  - {table: Project, clause: {ProjectName: 'Study A'}, follow_down: true}
"#,
];

/// SplitMix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const YAML_SYNTAX: &[&str] = &[
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "#", " #", "&a ", "*a", "!", "!!str ", "|", ">",
    "'", "\"", "%", "@", "`", "?", "? ", "\n", "\n  ", " ", "\t", "---\n", "...\n", "<<: ", "\\",
    "\r\n",
];

const SQL_SYNTAX: &[&str] = &[
    " INTO OUTFILE '/tmp/f' ",
    ";",
    "--",
    "/*!",
    "*/",
    "@x",
    ":=",
    "SLEEP(1)",
    "(",
    ")",
    "''",
    "\\\\",
    "`",
    " FOR UPDATE",
    " OR 1=1",
    "?",
];

const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xe2\x82",
    b"\xf8\x88\x80\x80\x80",
];

/// One random mutation of `text`; returns what it did.
fn mutate(rng: &mut Rng, text: &mut Vec<u8>) -> String {
    let at = |rng: &mut Rng, text: &Vec<u8>| rng.below(text.len() + 1);
    match rng.below(13) {
        0 if !text.is_empty() => {
            let i = rng.below(text.len());
            text[i] ^= 1 << rng.below(8);
            format!("flip byte {i}")
        }
        1 => {
            let i = at(rng, text);
            let s = rng.pick(YAML_SYNTAX);
            text.splice(i..i, s.bytes());
            format!("insert {s:?} at {i}")
        }
        2 => {
            let i = at(rng, text);
            let s = rng.pick(SQL_SYNTAX);
            text.splice(i..i, s.bytes());
            format!("insert {s:?} at {i}")
        }
        3 if !text.is_empty() => {
            let i = rng.below(text.len());
            let n = (1 + rng.below(12)).min(text.len() - i);
            text.drain(i..i + n);
            format!("delete {n} bytes at {i}")
        }
        4 | 5 => {
            let mut lines = split_lines(text);
            if lines.is_empty() {
                return "no lines".into();
            }
            let i = rng.below(lines.len());
            let what = match rng.below(3) {
                0 => {
                    let line = lines[i].clone();
                    lines.insert(i, line);
                    format!("duplicate line {i}")
                }
                1 => {
                    lines.remove(i);
                    format!("delete line {i}")
                }
                _ => {
                    let j = rng.below(lines.len());
                    lines.swap(i, j);
                    format!("swap lines {i} and {j}")
                }
            };
            *text = lines.concat();
            what
        }
        6 => {
            let depth = 1 + rng.below(30_000);
            let i = at(rng, text);
            let nested = match rng.below(3) {
                0 => format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
                1 => format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
                _ => (0..depth.min(3000))
                    .map(|d| format!("\n{}- ", " ".repeat(d)))
                    .collect(),
            };
            text.splice(i..i, nested.bytes());
            format!("nest {depth} deep at {i}")
        }
        7 => {
            let size = if rng.below(4) == 0 {
                1_100_000
            } else {
                1 + rng.below(300_000)
            };
            let i = at(rng, text);
            let c = *rng.pick(b"x '[9");
            text.splice(i..i, std::iter::repeat_n(c, size));
            format!("insert {size} x {:?} at {i}", c as char)
        }
        8 => {
            let i = if rng.below(2) == 0 { 0 } else { at(rng, text) };
            text.splice(i..i, "\u{feff}".bytes());
            format!("insert a byte-order mark at {i}")
        }
        9 => {
            let i = at(rng, text);
            text.insert(i, 0);
            format!("insert NUL at {i}")
        }
        10 => {
            let i = at(rng, text);
            let bytes = rng.pick(INVALID_UTF8);
            text.splice(i..i, bytes.iter().copied());
            format!("insert {bytes:?} at {i}")
        }
        11 => {
            // Another key with a copy of a value from elsewhere: `password` near `clause`, ...
            let lines = split_lines(text);
            if lines.is_empty() {
                return "no lines".into();
            }
            let from = lines[rng.below(lines.len())].clone();
            let i = at(rng, text);
            text.splice(i..i, from);
            format!("copy a line to {i}")
        }
        _ => {
            let i = at(rng, text);
            let j = (i + rng.below(40)).min(text.len());
            text.truncate(if rng.below(2) == 0 { i } else { j });
            format!("truncate at {}", text.len())
        }
    }
}

fn split_lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// What one case gave: `None` when the config was accepted.
type Outcome = Result<Option<String>, String>;

fn load(bytes: &[u8], dir: &Path, through_file: bool) -> Outcome {
    let env = |name: &str| (name == "EORM_FUZZ_PASSWORD").then(|| ENV_PASSWORD.to_owned());
    catch_unwind(AssertUnwindSafe(|| {
        let result = if through_file {
            let path = dir.join("fuzz.yml");
            std::fs::write(&path, bytes).unwrap();
            // `load` reads passwords from the process environment: only the env file's here.
            MirrorConfig::load(&path)
        } else {
            MirrorConfig::from_bytes(bytes, Path::new("fuzz.yml"), dir, &env)
        };
        result.err().map(|e| e.to_string())
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eorm_mirror_config_fuzz_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("test.env"),
        format!("DATABASE_URL=mysql://root:{FILE_PASSWORD}@127.0.0.1:3306/eyened_test\n"),
    )
    .unwrap();
    dir
}

/// `bytes` for a failure message: escaped, and cut where it is long.
fn show(bytes: &[u8]) -> String {
    let shown = bytes.escape_ascii().to_string();
    if shown.len() > 600 {
        format!("{}... ({} bytes)", &shown[..600], bytes.len())
    } else {
        shown
    }
}

#[test]
fn mutated_configs_never_panic_hang_or_show_a_password() {
    let dir = temp_dir();
    for seed in SEEDS {
        assert_eq!(
            load(seed.as_bytes(), &dir, false),
            Ok(None),
            "a seed does not load:\n{seed}"
        );
    }

    // Cases are loaded on a thread of their own, so that a hang is reported, not waited for.
    let (cases, to_load) = mpsc::channel::<(Vec<u8>, bool)>();
    let (done, results) = mpsc::channel::<Outcome>();
    let worker_dir = dir.clone();
    let worker = std::thread::spawn(move || {
        for (bytes, through_file) in to_load {
            let outcome = load(&bytes, &worker_dir, through_file);
            if done.send(outcome).is_err() {
                break;
            }
        }
    });

    let mut rng = Rng(SEED);
    let (mut accepted, mut refused) = (0, 0);
    let started = Instant::now();
    for case in 0..CASES {
        let mut bytes = rng.pick(&SEEDS).as_bytes().to_vec();
        let mutations: Vec<String> = (0..1 + rng.below(3))
            .map(|_| mutate(&mut rng, &mut bytes))
            .collect();
        let through_file = case % 50 == 0;
        cases.send((bytes.clone(), through_file)).unwrap();
        let context = || format!("case {case} ({}):\n{}", mutations.join(", "), show(&bytes));
        let outcome = results
            .recv_timeout(HANG)
            .unwrap_or_else(|_| panic!("no answer within {HANG:?}: {}", context()));
        match outcome {
            Err(panic) => panic!("panicked ({panic}): {}", context()),
            Ok(None) => accepted += 1,
            Ok(Some(message)) => {
                refused += 1;
                assert!(
                    message.lines().count() == 1 && !message.contains('\r'),
                    "not one line: {message:?}\n{}",
                    context()
                );
                for secret in SECRETS {
                    assert!(
                        !message.contains(secret),
                        "shows a password: {message}\n{}",
                        context()
                    );
                }
            }
        }
    }
    drop(cases);
    worker.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // Both outcomes are common, or the mutations test too little.
    assert!(
        accepted > CASES / 20 && refused > CASES / 2,
        "{accepted} accepted, {refused} refused"
    );
    eprintln!(
        "{CASES} cases in {:?}: {accepted} accepted, {refused} refused",
        started.elapsed()
    );
}
