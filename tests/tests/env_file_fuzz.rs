//! Property test of the env-file loader (`config::resolve(None, Some(path))`): valid `.env`
//! files, mutated at random (bytes flipped, inserted and deleted; separators such as `=`, line
//! breaks, quotes and a URL's `@` lost or replaced; quotes, `=`, `#`, `$`, backslashes, NULs,
//! invalid UTF-8, byte-order marks, CRLF, very long lines; lines repeated and swapped), never panic or hang, each loads within a second, every error is one
//! line, and no error shows the password the file was written with.
//!
//! - `ENV_FUZZ_CASES` (default 3000): how many cases;
//! - `ENV_FUZZ_SEED` (default fixed): the seed; case `i` uses `ENV_FUZZ_SEED + i`;
//! - `ENV_FUZZ_CASE=i`: run only case `i` (to replay a failure).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use eyened_orm::config::{self, ConfigError, DatabaseConfig};
use eyened_orm_tests::{eorm_bin, next_id, output_text};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const DEFAULT_CASES: u64 = 3000;
const DEFAULT_SEED: u64 = 0x0e4f_f11e;

/// Loading any one file takes microseconds: a minute means it hangs (far from any slowdown, so
/// a loaded machine cannot fail the test).
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// The password of every template, as loaded.
const PASSWORD: &str = "Vq7Lm2kZ9xR";

/// Valid env files, each loading with [`PASSWORD`] as the password.
const TEMPLATES: [&str; 8] = [
    "DATABASE_USER=eyened\nDATABASE_PASSWORD=Vq7Lm2kZ9xR\nDATABASE_HOST=db.local\n\
     DATABASE_PORT=3307\nDATABASE_NAME=eyened\n",
    "# settings\nDATABASE_HOST=db.local\nDATABASE_PORT=3307\n\nDATABASE_USER=eyened\n\
     DATABASE_PASSWORD='Vq7Lm2kZ9xR'\nDATABASE_NAME=eyened\n",
    "export DATABASE_USER=eyened\nexport DATABASE_PASSWORD=\"Vq7Lm2kZ9xR\"\n\
     export DATABASE_HOST=db.local\nexport DATABASE_PORT=3307\nexport DATABASE_NAME=eyened\n",
    "DATABASE_NAME=eyened\nDATABASE_PORT=3307\nDATABASE_HOST=db.local # the server\n\
     DATABASE_PASSWORD=Vq7Lm2kZ9xR\nDATABASE_USER=eyened\nIMAGES_BASEPATH=/data/images\n",
    "\u{feff}DATABASE_USER=eyened\r\nDATABASE_PASSWORD=Vq7Lm2kZ9xR\r\n\
     DATABASE_HOST=db.local\r\nDATABASE_PORT=3307\r\nDATABASE_NAME=eyened\r\n",
    "DATABASE_URL=mysql://eyened:Vq7Lm2kZ9xR@db.local:3307/eyened\n",
    "OTHER=x\nDATABASE_URL='mysql://eyened:Vq7Lm2kZ9xR@db.local:3307/eyened?ssl-mode=DISABLED'\n",
    "DATABASE_USER=eyened\nDATABASE_PASSWORD=Vq7Lm2kZ9xR\nDATABASE_HOST=db.local\n\
     DATABASE_PORT=3307\nDATABASE_NAME=eyened\nDATABASE_URL=\n",
];

/// Bytes the mutations insert: what env files and their parser treat specially.
const SPECIALS: [&[u8]; 20] = [
    b"'",
    b"\"",
    b"=",
    b"#",
    b"$",
    b"${",
    b"}",
    b"\\",
    b"\\n",
    b"\0",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"\t",
    b"export ",
    "\u{feff}".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
];

/// Bytes that give an env file or a URL its structure.
const STRUCTURE: &[u8] = b"=\n'\"#@:/?";

/// One random change to `file`.
fn mutate(rng: &mut StdRng, file: &mut Vec<u8>) {
    let at = |rng: &mut StdRng, file: &Vec<u8>| rng.random_range(0..=file.len());
    match rng.random_range(0..12) {
        // A separator lost or changed: lines run together, names into values.
        10 | 11 => {
            let places: Vec<usize> = (0..file.len())
                .filter(|&i| STRUCTURE.contains(&file[i]))
                .collect();
            if !places.is_empty() {
                let i = places[rng.random_range(0..places.len())];
                if rng.random() {
                    file.remove(i);
                } else {
                    let special = SPECIALS[rng.random_range(0..SPECIALS.len())];
                    file.splice(i..=i, special.iter().copied());
                }
            }
        }
        0 if !file.is_empty() => {
            let i = rng.random_range(0..file.len());
            file[i] = rng.random();
        }
        1 | 2 => {
            let i = at(rng, file);
            let special = SPECIALS[rng.random_range(0..SPECIALS.len())];
            file.splice(i..i, special.iter().copied());
        }
        3 if !file.is_empty() => {
            let i = rng.random_range(0..file.len());
            let end = (i + rng.random_range(1..4)).min(file.len());
            file.drain(i..end);
        }
        4 => {
            // A very long line (or value), of one repeated special or letter.
            let i = at(rng, file);
            let byte = *b"a'\"=#$\\ x\0"
                .get(rng.random_range(0..10))
                .unwrap_or(&b'a');
            let len = rng.random_range(1_000..100_000);
            file.splice(i..i, std::iter::repeat_n(byte, len));
        }
        5 => {
            file.splice(0..0, "\u{feff}".bytes());
        }
        6 => *file = crlf(file),
        7 => file.truncate(at(rng, file)),
        8 | 9 => {
            let mut lines: Vec<Vec<u8>> = file.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let i = rng.random_range(0..lines.len());
            let j = rng.random_range(0..lines.len());
            if rng.random() {
                let line = lines[i].clone();
                lines.insert(j, line);
            } else {
                lines.swap(i, j);
            }
            *file = lines.join(&b'\n');
        }
        _ => {}
    }
}

fn crlf(file: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(file.len() + file.len() / 16);
    for &b in file {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// What the two readers of env files made of one.
struct Loaded {
    /// `config::resolve(None, Some(path))`: the connection settings.
    settings: Result<DatabaseConfig, ConfigError>,
    /// `config::read_env_file(path)`: all variables (what `eorm import` reads its settings
    /// from).
    variables: Result<HashMap<String, String>, ConfigError>,
}

/// Loads `path` on a thread of its own; `None` if it takes longer than [`CASE_LIMIT`]. A panic
/// is passed on.
fn load(path: &Path) -> Option<Loaded> {
    let (send, receive) = mpsc::channel();
    let owned = path.to_owned();
    let loader = std::thread::spawn(move || {
        let _ = send.send(Loaded {
            settings: config::resolve(None, Some(&owned)),
            variables: config::read_env_file(&owned),
        });
    });
    match receive.recv_timeout(CASE_LIMIT) {
        Ok(result) => {
            let _ = loader.join();
            Some(result)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match loader.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the loader sends before it ends"),
        },
        // The loader is left running: the test fails anyway.
        Err(mpsc::RecvTimeoutError::Timeout) => None,
    }
}

/// What is wrong with `err`, if anything.
fn check_error(err: &ConfigError) -> Result<(), String> {
    let texts = [err.to_string(), format!("{err:?}")];
    if texts[0].contains(['\n', '\r']) {
        return Err(format!("the error is not one line: {:?}", texts[0]));
    }
    if texts.iter().any(|t| t.contains(PASSWORD)) {
        return Err(format!("the error shows the password: {}", texts[0]));
    }
    Ok(())
}

/// What is wrong with the outcome of loading `file`, if anything.
fn check(file: &[u8], loaded: &Loaded) -> Result<(), String> {
    if let Err(err) = &loaded.variables {
        check_error(err)?;
    }
    match &loaded.settings {
        Err(err) => check_error(err)?,
        // Read as the password, it is not shown. (A mutation that repeats its line may also
        // run a copy into another setting, such as the user name, which is shown.)
        Ok(config)
            if config.password().expose().contains(PASSWORD)
                && occurrences(file, PASSWORD.as_bytes()) == 1 =>
        {
            let texts = [config.display(), format!("{config}"), format!("{config:?}")];
            if let Some(text) = texts.iter().find(|t| t.contains(PASSWORD)) {
                return Err(format!("the settings show the password: {text}"));
            }
        }
        Ok(_) => {}
    }
    Ok(())
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// A file of this test, removed on drop.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn the_templates_are_valid() {
    let file = TempFile(std::env::temp_dir().join(format!(
        "eorm-env-fuzz-{}-{}.env",
        std::process::id(),
        next_id()
    )));
    for template in TEMPLATES {
        std::fs::write(&file.0, template).unwrap();
        let config =
            config::resolve(None, Some(&file.0)).unwrap_or_else(|e| panic!("{template:?}: {e}"));
        assert_eq!(config.password().expose(), PASSWORD, "{template:?}");
        assert_eq!(
            config.display(),
            "eyened@db.local:3307/eyened",
            "{template:?}"
        );
    }
}

#[test]
fn mutated_env_files_load_or_fail_in_one_line_without_the_password() {
    let seed = env_u64("ENV_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = match env_u64("ENV_FUZZ_CASE") {
        Some(case) => case..case + 1,
        None => 0..env_u64("ENV_FUZZ_CASES").unwrap_or(DEFAULT_CASES),
    };
    let file = TempFile(std::env::temp_dir().join(format!(
        "eorm-env-fuzz-{}-{}.env",
        std::process::id(),
        next_id()
    )));
    let mut failures = Vec::new();
    let mut errors = 0;
    for case in cases.clone() {
        let mut rng = StdRng::seed_from_u64(seed.wrapping_add(case));
        let mut contents = TEMPLATES[rng.random_range(0..TEMPLATES.len())]
            .as_bytes()
            .to_vec();
        for _ in 0..rng.random_range(1..=4) {
            mutate(&mut rng, &mut contents);
        }
        std::fs::write(&file.0, &contents).unwrap();
        let Some(loaded) = load(&file.0) else {
            panic!(
                "case {case} (ENV_FUZZ_CASE={case}) took over {CASE_LIMIT:?}: {:?}",
                String::from_utf8_lossy(&contents[..contents.len().min(300)])
            );
        };
        errors += usize::from(loaded.settings.is_err());
        if let Err(why) = check(&contents, &loaded) {
            failures.push(format!(
                "case {case} (ENV_FUZZ_CASE={case}): {why}\n  file: {:?}",
                String::from_utf8_lossy(&contents[..contents.len().min(300)])
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.end - cases.start,
        failures.join("\n")
    );
    // The mutations reach the error paths, and not only them.
    let total = (cases.end - cases.start) as usize;
    if total >= 100 {
        assert!(
            errors > total / 10 && errors < total,
            "{errors} errors in {total} cases"
        );
    }
}

#[test]
fn an_env_file_that_is_a_directory_is_an_error_for_eorm_import_too() {
    let dir = std::env::temp_dir().join(format!(
        "eorm-env-fuzz-dir-{}-{}",
        std::process::id(),
        next_id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let err = config::read_env_file(&dir).unwrap_err().to_string();
    assert!(
        err.ends_with("it is a directory; check that it is a readable text file"),
        "{err}"
    );

    // `eorm import` reads its own settings from the file first; it used to loop forever.
    let images = std::env::temp_dir();
    let mut child = std::process::Command::new(eorm_bin())
        .args(["import", "-e"])
        .arg(&dir)
        .arg("--images-basepath")
        .arg(&images)
        .arg("missing.json")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Generous: it takes milliseconds; the bound only catches the endless loop.
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir(&dir);
            panic!("eorm import -e <directory> did not end within 5 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir(&dir);
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("it is a directory"), "{text}");
}
