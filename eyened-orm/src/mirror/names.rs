//! Database names: the rules a source or target name must pass before anything connects, and
//! the names of the target's helper databases.
//!
//! The rules refuse what the server cannot create (an empty name, a trailing space, more than
//! 64 characters, characters outside the Basic Multilingual Plane) and what is safe to quote but
//! not sensible to create or print: backticks (`` `x`; DROP DATABASE y` `` is quoted correctly,
//! and would create a database of that literal name), control and invisible formatting
//! characters, `/`, `\` and `.`. Names are shown with `{:?}`, so that whatever they hold is
//! visible.

use super::error::MirrorError;

/// Makes the name of the database the copy is built in from the target's; a target name may
/// not end with it.
pub const STAGING_SUFFIX: &str = "__eorm_staging";
/// Makes the name of the database the replaced tables move to in the swap, dropped right
/// after; a target name may not end with it.
pub const OLD_SUFFIX: &str = "__eorm_old";

/// MySQL's and MariaDB's limit on a database name, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// The longest target name: its staging name (the longer helper name) must fit in
/// [`MAX_NAME_CHARS`].
pub const MAX_TARGET_CHARS: usize = MAX_NAME_CHARS - STAGING_SUFFIX.len();

/// What is wrong with a database name. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameProblem {
    /// Nothing (or only white space) is given.
    #[error("is empty; name a database")]
    Empty,
    /// More characters than fit (for a target: with the staging suffix added).
    #[error("has {length} characters, more than the {max} allowed{why}; use a shorter name")]
    TooLong {
        /// Characters in the name.
        length: usize,
        /// The most allowed.
        max: usize,
        /// Why the limit is lower than 64, or nothing.
        why: &'static str,
    },
    /// Starts or ends with white space: the server cannot create a name with a trailing space,
    /// and a leading one is almost always a typo.
    #[error(
        "starts or ends with white space, which MariaDB/MySQL cannot create or is a typo; remove it"
    )]
    OuterWhiteSpace,
    /// Holds a character the mirror does not put into database names.
    #[error(
        "contains {0:?}; backticks, control or invisible characters, '/', '\\' and '.' are not allowed in database names"
    )]
    Character(char),
    /// Holds a character outside the Basic Multilingual Plane (an emoji, say).
    #[error(
        "contains {0:?}, which MariaDB/MySQL names cannot hold (outside the Basic Multilingual Plane)"
    )]
    OutsideBmp(char),
    /// Starts with `#mysql50#`, which MariaDB reads as a raw file name.
    #[error("starts with #mysql50#, which MariaDB reads as a raw file name; use another name")]
    RawFileName,
}

/// Which database of the config a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `source.database`: only read, checked so that it prints safely.
    Source,
    /// `target.database`: created or replaced, so its helper names must fit too.
    Target,
}

impl Role {
    /// The config key the name comes from.
    pub fn key(self) -> &'static str {
        match self {
            Role::Source => "source.database",
            Role::Target => "target.database",
        }
    }
}

/// Whether `c` is a zero-width or direction-changing character, which would make a printed name
/// differ from the real one.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The first problem of `name` as a database name in `role`, if any.
pub fn problem(name: &str, role: Role) -> Option<NameProblem> {
    if name.trim().is_empty() {
        return Some(NameProblem::Empty);
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return Some(NameProblem::OuterWhiteSpace);
    }
    if let Some(c) = name
        .chars()
        .find(|&c| matches!(c, '`' | '/' | '\\' | '.') || c.is_control() || invisible(c))
    {
        return Some(NameProblem::Character(c));
    }
    if let Some(c) = name.chars().find(|&c| u32::from(c) > 0xFFFF) {
        return Some(NameProblem::OutsideBmp(c));
    }
    if name.to_ascii_lowercase().starts_with("#mysql50#") {
        return Some(NameProblem::RawFileName);
    }
    let (max, why) = match role {
        Role::Source => (MAX_NAME_CHARS, ""),
        Role::Target => (
            MAX_TARGET_CHARS,
            " (the staging database adds __eorm_staging, and MariaDB/MySQL names have at most 64)",
        ),
    };
    let length = name.chars().count();
    (length > max).then_some(NameProblem::TooLong { length, max, why })
}

/// `Ok` when `name` may be used as the `role` database; otherwise the
/// [`MirrorError::DatabaseName`] naming it and the rule.
pub fn check(name: &str, role: Role) -> Result<(), MirrorError> {
    match problem(name, role) {
        None => Ok(()),
        Some(problem) => Err(MirrorError::DatabaseName {
            key: role.key(),
            name: name.to_owned(),
            problem,
        }),
    }
}

/// The target and the names of its helper databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The target database, as the config names it.
    pub target: String,
    /// `<target>__eorm_staging`: where the copy is built and verified.
    pub staging: String,
    /// `<target>__eorm_old`: where the target's tables go in the swap.
    pub old: String,
}

impl Names {
    /// The names for `target`, after [`check`]ing it: a [`MirrorError::DatabaseName`] when it
    /// breaks a rule (for instance when the staging name would exceed 64 characters).
    pub fn new(target: &str) -> Result<Names, MirrorError> {
        check(target, Role::Target)?;
        Ok(Names {
            target: target.to_owned(),
            staging: format!("{target}{STAGING_SUFFIX}"),
            old: format!("{target}{OLD_SUFFIX}"),
        })
    }

    /// The name of the server-side lock that keeps two runs off one target.
    pub fn lock_name(&self) -> String {
        let name = format!("eorm-mirror:{}", self.target.to_lowercase());
        if name.len() <= 64 {
            name
        } else {
            use md5::{Digest, Md5};
            let digest = Md5::digest(self.target.to_lowercase().as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("eorm-mirror:{hex}")
        }
    }

    /// The helper databases: staging, then old.
    pub fn helpers(&self) -> [&str; 2] {
        [&self.staging, &self.old]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = Names::new("eyened_test").unwrap();
        assert_eq!(n.staging, "eyened_test__eorm_staging");
        assert_eq!(n.old, "eyened_test__eorm_old");
        assert_eq!(n.lock_name(), "eorm-mirror:eyened_test");
        assert!(Names::new(&"x".repeat(51)).is_err());
        assert!(Names::new(&"x".repeat(50)).is_ok());
        assert!(Names::new(&"x".repeat(50)).unwrap().lock_name().len() <= 64);
        // Characters, not bytes: 50 two-byte letters fit.
        assert!(Names::new(&"é".repeat(50)).is_ok());
    }

    #[test]
    fn rules() {
        use NameProblem::*;
        let target = |n: &str| problem(n, Role::Target);
        assert_eq!(target("eyened_test "), Some(OuterWhiteSpace));
        assert_eq!(target(" eyened_test"), Some(OuterWhiteSpace));
        assert_eq!(target("eyened\u{a0}"), Some(OuterWhiteSpace));
        assert_eq!(target(""), Some(Empty));
        assert_eq!(target("   "), Some(Empty));
        assert_eq!(target("x`; DROP DATABASE y; `"), Some(Character('`')));
        assert_eq!(target("a/b"), Some(Character('/')));
        assert_eq!(target("a\\b"), Some(Character('\\')));
        assert_eq!(target("a.b"), Some(Character('.')));
        assert_eq!(target("a\nb"), Some(Character('\n')));
        assert_eq!(target("a\u{1b}[31mb"), Some(Character('\u{1b}')));
        assert_eq!(target("a\u{202e}b"), Some(Character('\u{202e}')));
        assert_eq!(target("db\u{1F600}"), Some(OutsideBmp('\u{1F600}')));
        assert_eq!(target("#mysql50#x"), Some(RawFileName));
        assert!(matches!(
            target(&"x".repeat(51)),
            Some(TooLong {
                length: 51,
                max: 50,
                ..
            })
        ));
        // A source only needs to fit in 64.
        assert_eq!(problem(&"x".repeat(60), Role::Source), None);
        assert!(problem(&"x".repeat(65), Role::Source).is_some());
        for fine in ["eyened_test", "Eyened-Test 2", "données", "a b", "x$1"] {
            assert_eq!(target(fine), None, "{fine}");
        }
    }

    #[test]
    fn the_error_shows_the_name_escaped_on_one_line() {
        let e = check("eyened_test ", Role::Target).unwrap_err().to_string();
        assert!(e.contains(r#""eyened_test ""#), "{e}");
        assert!(e.contains("target.database"), "{e}");
        assert!(e.contains("white space"), "{e}");
        let e = check("a\nb`; DROP DATABASE x", Role::Source)
            .unwrap_err()
            .to_string();
        assert_eq!(e.lines().count(), 1, "{e}");
        assert!(e.contains(r#""a\nb`; DROP DATABASE x""#), "{e}");
        assert!(e.contains("source.database"), "{e}");
    }
}
