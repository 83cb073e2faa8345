//! The error type of the mirror commands.

use crate::config::ConfigError;

/// Everything that can stop a mirror run. Messages are one line (a verification failure lists
/// its findings on following lines) and never contain a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// The config file cannot be read.
    #[error("cannot read config file {path}: {reason}")]
    ConfigFile {
        /// The path as given.
        path: String,
        /// The I/O error, e.g. that no such file exists.
        reason: String,
    },

    /// The config file is not valid YAML.
    #[error("{path}: not valid YAML: {reason}")]
    ConfigSyntax {
        /// The path as given.
        path: String,
        /// The parser's message (usually with line and column), on one line.
        reason: String,
    },

    /// The config file is empty (or holds only comments).
    #[error(
        "{path}: the file is empty; a transfer config needs source: and target: (each with database: {{user, password, host, port, database}} or env_file:), and copy_objects: for database-mirror-test"
    )]
    ConfigEmpty {
        /// The path as given.
        path: String,
    },

    /// The config file is over a limit of its shape: nested too deep, or too large.
    #[error("{path}: {reason}")]
    ConfigLimit {
        /// The path as given.
        path: String,
        /// Which limit, and where in the file it was exceeded.
        reason: String,
    },

    /// A key of the config is missing, unknown or has a bad value. `key` is its path, e.g.
    /// `copy_objects[2].clause`.
    #[error("{key}: {message}")]
    Config {
        /// The key's path, or `(top level)`.
        key: String,
        /// What is wrong, often with what to write instead ("did you mean ...?").
        message: String,
    },

    /// Connection settings could not be resolved, or connecting failed.
    #[error("{role}: {source}")]
    Connection {
        /// `source` or `target`.
        role: &'static str,
        /// Why connecting failed, with a hint (reachability, credentials) where one applies.
        #[source]
        source: ConfigError,
    },

    /// The run was refused for safety (source = target, a system database, ...).
    #[error("refusing to run: {0}")]
    Refused(String),

    /// Source and target are different servers of one Galera cluster or replication topology
    /// (see [`super::topology`]): what the swap runs on the target would reach the source.
    #[error(
        "refusing to run: source {source_side} and target {target_side} are linked: {link}; the swap's DROP DATABASE and RENAME TABLE on the target would replicate into the source, so mirror into a server outside the source's cluster and replication"
    )]
    SharedTopology {
        /// `user@host:port/db` of the source (never a password).
        source_side: String,
        /// `user@host:port/db` of the target.
        target_side: String,
        /// What links them, with the servers' own words, e.g. `target replicates from source
        /// (Master_Host=db1, Master_Port=3306, Master_Server_Id=11)`.
        link: String,
    },

    /// A source or target database name breaks a rule of [`super::names`]; found before
    /// anything connects. The name is shown escaped (`{:?}`).
    #[error("refusing to run: {key} {name:?} {problem}")]
    DatabaseName {
        /// `source.database` or `target.database`.
        key: &'static str,
        /// The name as the config gives it.
        name: String,
        /// The rule it breaks, with what to do.
        problem: super::names::NameProblem,
    },

    /// A database with the name of one of the target's helper databases (`__eorm_staging`,
    /// `__eorm_old`) exists without the mirror's ownership marker (see [`super::owner`]).
    #[error(
        "refusing to run: {database} exists but was not created by the mirror ({why}); inspect it, drop or rename it yourself, then rerun"
    )]
    NotOurs {
        /// The database's name.
        database: String,
        /// Why it is not the mirror's.
        why: String,
    },

    /// A statement of the swap gave up waiting (`lock_wait_timeout`) for tables that another
    /// session holds. The run's cleanup restores the target.
    #[error(
        "{context}: gave up after {seconds} s waiting for tables of {database} that another session uses; {holders}"
    )]
    TargetLocked {
        /// The statement that waited, e.g. `target: swapping x__eorm_staging into x`.
        context: String,
        /// The target.
        database: String,
        /// The lock wait, in seconds.
        seconds: u64,
        /// The sessions that hold (or likely hold) the tables, and what to do.
        holders: super::sessions::Holders,
    },

    /// Standard input is not a terminal, so the confirmation prompt cannot be shown.
    #[error(
        "not running on a terminal, so cannot ask before replacing {target}: pass --yes to confirm"
    )]
    NeedsConfirmation {
        /// `user@host:port/db` of the target that would be replaced.
        target: String,
    },

    /// The user answered no at the prompt.
    #[error("aborted: nothing was changed")]
    Aborted,

    /// Another mirror run into the same target holds the lock.
    #[error(
        "another mirror run into {target} is in progress (lock '{lock}' is held); wait for it to finish"
    )]
    Busy {
        /// `user@host:port/db` of the target.
        target: String,
        /// The name of the server lock (`GET_LOCK`) the other run holds.
        lock: String,
    },

    /// The run's lock on the target server was lost before the swap: its connection was closed
    /// (killed, or ended by a server or network timeout) or no longer holds it. Found by the
    /// checks while the copy runs and right before the swap, so nothing was swapped.
    #[error(
        "target: the run lock '{lock}' was lost ({why}); the target was not replaced, since another run could now write to it; check the target server's connection timeouts and run again"
    )]
    LockLost {
        /// The name of the server lock (`GET_LOCK`).
        lock: String,
        /// What the check found, e.g. that the connection failed and how.
        why: String,
    },

    /// A row of the source does not fit into one statement on the target, whose
    /// `max_allowed_packet` is smaller than the row (rows are sent whole).
    #[error(
        "{table}: a row of {} does not fit the target's max_allowed_packet of {}; raise max_allowed_packet on the target server to at least {} and run again",
        super::report::bytes(*row_bytes),
        super::report::bytes(*max_packet),
        super::report::bytes(*needed)
    )]
    RowTooBig {
        /// The table the row is in.
        table: String,
        /// The size of the row as sent (its values, escaped or rendered).
        row_bytes: u64,
        /// The target's `max_allowed_packet`.
        max_packet: u64,
        /// A `max_allowed_packet` that would take the row, with room for the protocol.
        needed: u64,
    },

    /// A statement failed. `context` says what was being done, on which side.
    #[error("{context}: {message}")]
    Sql {
        /// What was being done, usually starting with the side, e.g. `source: reading Patient`.
        context: String,
        /// The server's or driver's message, with the MySQL error code where there is one.
        message: String,
    },

    /// Copying a segmentation's zarr data failed (`copy_segmentation_data: true`); the target
    /// database was left untouched.
    #[error(
        "copying segmentation data failed, the target database was left untouched: {0}; check that the source store holds the rows' data"
    )]
    SegmentationData(String),

    /// Something the mirror does not support.
    #[error("not supported: {0}")]
    Unsupported(String),

    /// The staged copy differs from the source; the target was left untouched.
    #[error("verification failed, the target was left untouched:\n  {}", .0.join("\n  "))]
    Verify(Vec<String>),

    /// Ctrl-C or SIGTERM.
    #[error("interrupted by {0}; {1}")]
    Interrupted(&'static str, String),

    /// A bug or an unexpected state: a worker task panicked or was cancelled, a lock could not
    /// be taken, the answer to the prompt could not be read.
    #[error("internal error: {0}")]
    Internal(String),
}

impl MirrorError {
    pub(crate) fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        MirrorError::Config {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// The closest of `candidates` to `name` (case-insensitive match or a few edits away), for
/// "did you mean ...?" hints.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = if candidate.to_ascii_lowercase() == lower {
            0
        } else {
            levenshtein(&lower, &candidate.to_ascii_lowercase())
        };
        let limit = (name.chars().count() / 3).clamp(1, 3);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean X?"`, or nothing.
pub fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!("; did you mean {c}?"))
        .unwrap_or_default()
}

/// Edit distance counting a swap of two neighbours as one edit (optimal string alignment).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

impl From<crate::load_data::LoadError> for MirrorError {
    fn from(e: crate::load_data::LoadError) -> Self {
        MirrorError::Sql {
            context: e.context,
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cols = ["PatientID", "PatientIdentifier", "BirthDate"];
        assert_eq!(
            did_you_mean("PatientIdentifer", cols),
            Some("PatientIdentifier")
        );
        assert_eq!(did_you_mean("patientid", cols), Some("PatientID"));
        assert_eq!(did_you_mean("Nothing", cols), None);
        assert_eq!(hint("Birthdate", cols), "; did you mean BirthDate?");
    }
}
