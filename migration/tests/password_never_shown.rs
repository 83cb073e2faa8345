//! The `migration` and `eorm` binaries given a database URL or env file whose password is
//! pasted unencoded, or that is broken some other way: exit code 2, and no part of the password
//! on stdout or stderr, in text or JSON.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use eyened_orm_tests::{eorm_bin, next_id, output_text};

/// How the database is named: `-u URL`, or `-e FILE` holding these lines.
enum Source {
    Url(&'static str),
    EnvFile(&'static str),
}

/// (how the database is named, the password in it). The passwords share no three characters
/// with anything else the binaries print.
const CASES: [(Source, &str); 9] = [
    // Nothing listens on port 1: the connection fails after the password is parsed.
    (Source::Url("mysql://app:4711?x@127.0.0.1:1/db"), "4711?x"),
    (Source::Url("mysql://app:Zq#9/Lw@127.0.0.1:1/db"), "Zq#9/Lw"),
    // The server refuses the login.
    (
        Source::Url("mysql://eorm_no_such_user:Zq9?Lw@127.0.0.1:3306/db"),
        "Zq9?Lw",
    ),
    // Rejected before connecting.
    (Source::Url("mysql://app:Zq9Lw@/db"), "Zq9Lw"),
    (Source::Url("mysql://app:4711?Zq9"), "4711?Zq9"),
    (Source::Url("mysql://app:Zq9Lw/eyened"), "Zq9Lw"),
    (
        Source::EnvFile("DATABASE_URL=mysql://app:4711?x@127.0.0.1:1/db\n"),
        "4711?x",
    ),
    // A space in an unquoted value: a syntax error on the password's line.
    (
        Source::EnvFile(
            "DATABASE_USER=app\nDATABASE_PASSWORD=Zq9=Lw x\nDATABASE_HOST=127.0.0.1\n\
             DATABASE_PORT=1\nDATABASE_NAME=db\n",
        ),
        "Zq9=Lw x",
    ),
    // An unterminated quote runs to the end of the file.
    (
        Source::EnvFile(
            "DATABASE_USER=app\nDATABASE_PASSWORD='Zq9Lw\nDATABASE_HOST=127.0.0.1\n\
             DATABASE_PORT=1\nDATABASE_NAME=db\n",
        ),
        "Zq9Lw",
    ),
];

/// An env file under the temp dir, removed on drop.
struct EnvFile(PathBuf);

impl EnvFile {
    fn new(contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "eorm-password-{}-{}.env",
            std::process::id(),
            next_id()
        ));
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }
}

impl Drop for EnvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn spawn(binary: &Path, args: &[&str]) -> Child {
    Command::new(binary)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()))
}

/// Every piece of `password` of three or more characters.
fn pieces(password: &str) -> Vec<String> {
    let chars: Vec<char> = password.chars().collect();
    (0..chars.len())
        .flat_map(|start| (start + 3..=chars.len()).map(move |end| (start, end)))
        .map(|(start, end)| chars[start..end].iter().collect())
        .collect()
}

#[test]
fn broken_urls_and_env_files_exit_2_without_the_password() {
    let migration = PathBuf::from(env!("CARGO_BIN_EXE_migration"));
    let eorm = eorm_bin().to_owned();
    let mut env_files = Vec::new();
    let mut runs = Vec::new();
    for (source, password) in &CASES {
        let connect: Vec<String> = match source {
            Source::Url(url) => vec!["-u".into(), (*url).into()],
            Source::EnvFile(lines) => {
                let file = EnvFile::new(lines);
                let arg = vec!["-e".into(), file.0.display().to_string()];
                env_files.push(file);
                arg
            }
        };
        let connect: Vec<&str> = connect.iter().map(String::as_str).collect();
        let images = std::env::temp_dir().display().to_string();
        for (binary, command) in [
            (&migration, vec!["check"]),
            (&migration, vec!["--json", "status"]),
            (&eorm, vec!["verify"]),
            (&eorm, vec!["verify", "--json"]),
            (
                &eorm,
                vec!["import", "--images-basepath", &images, "missing.json"],
            ),
        ] {
            let args: Vec<&str> = command.iter().chain(&connect).copied().collect();
            let what = format!("{} {}", binary.display(), args.join(" "));
            // All at once: a refused connection takes the pool's 10 s to be given up on.
            runs.push((what, *password, spawn(binary, &args)));
        }
    }
    for (what, password, child) in runs {
        let output = child.wait_with_output().unwrap();
        let text = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{what}\n{text}");
        for piece in pieces(password) {
            assert!(
                !text.contains(&piece),
                "{what}: '{piece}' of the password shows:\n{text}"
            );
        }
    }
}
