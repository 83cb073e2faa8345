//! The command-line conventions the `eorm` and `migration` binaries share, defined once:
//! connection arguments, verbosity and logging, `--json`, the confirmation prompt, exit codes and
//! shell completions. Only the binaries use this module; the library itself never prints,
//! prompts or exits.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | done, nothing wrong |
//! | 1 | problems found: drift, failed checks, rejected input |
//! | 2 | error: the command could not do its job (bad arguments, config, connection, SQL) |
//! | 130 | interrupted (Ctrl-C, SIGTERM) |

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{self, ConfigError, DatabaseConfig};

/// Where a command finds its database: `-u URL`, else `-e FILE` (a `.env` file with
/// `DATABASE_URL` or `DATABASE_USER/PASSWORD/HOST/PORT/NAME`), else those variables in the
/// environment (see [`config::resolve`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct ConnectArgs {
    /// Database URL, e.g. mysql://user:pass@host:3306/eyened [default: DATABASE_URL or
    /// DATABASE_*]. Visible in `ps`: prefer --env-file or the environment when there is a
    /// password
    #[arg(short = 'u', long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Read DATABASE_URL or DATABASE_USER/PASSWORD/HOST/PORT/NAME from this .env file (the
    /// process environment is then not consulted)
    #[arg(short = 'e', long, global = true, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

impl ConnectArgs {
    /// The database these arguments name.
    pub fn resolve(&self) -> Result<DatabaseConfig, ConfigError> {
        config::resolve(self.database_url.as_deref(), self.env_file.as_deref())
    }
}

/// `-v` (repeatable) and `--json`, on every command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::Args)]
pub struct OutputArgs {
    /// Log more on stderr: -v the steps, -vv also every SQL statement, -vvv everything
    /// (RUST_LOG, when set, decides instead)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print the result as JSON on stdout; errors too
    #[arg(long, global = true)]
    pub json: bool,
}

/// The exit codes of both binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done, nothing wrong.
    Ok,
    /// Problems found: drift, failed checks, rejected input.
    Problems,
    /// The command could not do its job.
    Error,
    /// Interrupted by Ctrl-C or SIGTERM.
    Interrupted,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Problems => 1,
            Exit::Error => 2,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// The logging filter for `-v` given `verbose` times, unless `RUST_LOG` is set.
pub fn log_filter(verbose: u8) -> String {
    match verbose {
        0 => "warn",
        1 => "warn,eyened_orm=info,migration=info",
        2 => "warn,eyened_orm=debug,migration=debug,sqlx::query=debug",
        _ => "trace",
    }
    .to_string()
}

/// Sends `tracing` events (ours, SeaORM's and sqlx's statements) to stderr, filtered by
/// `RUST_LOG` or else by `-v`. Safe to call once per process.
pub fn init_logging(verbose: u8) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(log_filter(verbose)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: `2> run.log` and `| grep` get plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true)
        .try_init();
}

/// Why a confirmation could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// Nobody to ask, and `--yes` not given.
    #[error("refusing to {0} without confirmation: no terminal to ask on; pass --yes")]
    NoTerminal(String),
    /// The terminal could not be read.
    #[error("cannot read the answer: {0}")]
    Read(#[from] std::io::Error),
}

/// Asks `"This will <what>. Continue? [y/N] "` on stderr (stdout stays the command's output) and
/// reads the answer from stdin: `y` or `yes`, any case, goes on. With `yes`, does not ask;
/// without a terminal to ask on, refuses.
pub fn confirm(what: &str, yes: bool) -> Result<bool, ConfirmError> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(ConfirmError::NoTerminal(what.to_string()));
    }
    Ok(confirm_with(
        what,
        &mut std::io::stdin().lock(),
        &mut std::io::stderr(),
    )?)
}

/// [`confirm`] on the given streams.
pub fn confirm_with(
    what: &str,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> std::io::Result<bool> {
    write!(output, "This will {what}. Continue? [y/N] ")?;
    output.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Prints a failure as the output mode asks: `error: <message>` on stderr, or in JSON mode
/// `{"error": {"message": ..., "exit_code": ...}}` on stdout. Returns the exit code to end with.
pub fn fail(json: bool, message: &str, exit: Exit) -> ExitCode {
    if json {
        println!("{}", error_json(message, exit));
    } else {
        eprintln!("error: {message}");
    }
    exit.into()
}

/// The JSON document of a failure.
pub fn error_json(message: &str, exit: Exit) -> String {
    serde_json::json!({ "error": { "message": message, "exit_code": exit.code() } }).to_string()
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => println!("{}", error_json(&e.to_string(), Exit::Error)),
    }
}

/// Writes the completion script of `command` for `shell` to stdout.
pub fn print_completions(mut command: clap::Command, shell: clap_complete::Shell) {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_accepts_y_and_yes_and_asks_on_the_given_stream() {
        for (answer, expected) in [
            ("y\n", true),
            ("YES\n", true),
            (" yes \n", true),
            ("n\n", false),
            ("\n", false),
            ("yep\n", false),
        ] {
            let mut out = Vec::new();
            let got = confirm_with("drop 3 tables", &mut answer.as_bytes(), &mut out).unwrap();
            assert_eq!(got, expected, "{answer:?}");
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "This will drop 3 tables. Continue? [y/N] "
            );
        }
    }

    #[test]
    fn exit_codes_and_json_errors() {
        assert_eq!(
            [Exit::Ok, Exit::Problems, Exit::Error, Exit::Interrupted].map(Exit::code),
            [0, 1, 2, 130]
        );
        let v: serde_json::Value =
            serde_json::from_str(&error_json("it's \"broken\"", Exit::Error)).unwrap();
        assert_eq!(v["error"]["message"], "it's \"broken\"");
        assert_eq!(v["error"]["exit_code"], 2);
    }

    #[test]
    fn verbosity_widens_the_filter() {
        assert_eq!(log_filter(0), "warn");
        assert!(log_filter(2).contains("sqlx::query=debug"));
        assert_eq!(log_filter(9), "trace");
    }
}
