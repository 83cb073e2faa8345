//! Reading `.env` files with dotenvy, and saying where one does not parse without quoting it.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::{ConfigError, VAR_HOST, VAR_NAME, VAR_PASSWORD, VAR_PORT, VAR_URL, VAR_USER};

/// The variables a syntax error may name: a line whose `=` is missing may run any other name
/// into its value, and so into the password.
const NAMEABLE: [&str; 6] = [
    VAR_URL,
    VAR_USER,
    VAR_PASSWORD,
    VAR_HOST,
    VAR_PORT,
    VAR_NAME,
];

/// Reads `KEY=value` pairs from the env file at `path`; later entries override earlier ones (as
/// in python-dotenv). A leading byte-order mark is skipped. Errors name the file and, for a
/// line that does not parse, its number, never its text.
pub(super) fn read(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let unreadable = |reason: String| ConfigError::EnvFileUnreadable {
        path: path.to_owned(),
        reason,
    };
    if path.is_dir() {
        return Err(unreadable("it is a directory".to_owned()));
    }
    let bytes = std::fs::read(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ConfigError::EnvFileNotFound {
            path: path.to_owned(),
        },
        _ => unreadable(err.to_string()),
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let line = line_of(err.as_bytes(), err.utf8_error().valid_up_to());
        unreadable(format!(
            "line {line} is not valid UTF-8; save the file as UTF-8 text"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    parse(text).map_err(|(line, key)| ConfigError::EnvFileSyntax {
        path: path.to_owned(),
        line,
        key,
    })
}

/// The variables of `text`, or the line number (1-based) and, if it is one of [`NAMEABLE`], the
/// variable of the first entry that does not parse.
fn parse(text: &str) -> Result<HashMap<String, String>, (usize, Option<String>)> {
    let consumed = Cell::new(0);
    let reader = ByteByByte {
        rest: text.as_bytes(),
        consumed: &consumed,
    };
    let mut vars = HashMap::new();
    let mut entry_start = 0;
    for item in dotenvy::from_read_iter(reader) {
        match item {
            Ok((key, value)) => {
                vars.insert(key, value);
                entry_start = consumed.get();
            }
            Err(err) => return Err(locate(text, entry_start, consumed.get(), &err)),
        }
    }
    Ok(vars)
}

/// Where the entry that failed with `err` is: its line number, and its variable if nameable. It
/// lies in `text[start..end]` (with the blank and comment lines before it), and dotenvy's error
/// holds its text or the text of its value.
fn locate(text: &str, start: usize, end: usize, err: &dotenvy::Error) -> (usize, Option<String>) {
    let span = &text[start..end.min(text.len())];
    let offset = match err {
        dotenvy::Error::LineParse(failed, _) if !failed.is_empty() => {
            span.rfind(failed.as_str()).unwrap_or(0)
        }
        _ => 0,
    };
    let line_start = span[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = line_of(text.as_bytes(), start + offset);
    let key = key_of(&span[line_start..]).filter(|key| NAMEABLE.contains(key));
    (line, key.map(str::to_owned))
}

/// The variable name `line` assigns (`KEY=...` or `export KEY=...`), if it has that shape.
fn key_of(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line
        .strip_prefix("export")
        .filter(|rest| rest.starts_with([' ', '\t']))
        .map_or(line, str::trim_start);
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let (key, rest) = line.split_at(end);
    rest.trim_start().starts_with('=').then_some(key)
}

/// The 1-based line number of byte `offset` of `text`.
fn line_of(text: &[u8], offset: usize) -> usize {
    text[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Hands dotenvy one byte per read, so that what it has read is exactly what it has consumed:
/// its errors carry the text of the failing entry but not where it is.
struct ByteByByte<'a> {
    rest: &'a [u8],
    consumed: &'a Cell<usize>,
}

impl Read for ByteByByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.rest.split_first(), buf.first_mut()) {
            (Some((&byte, rest)), Some(slot)) => {
                *slot = byte;
                self.rest = rest;
                self.consumed.set(self.consumed.get() + 1);
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(text: &str) -> (usize, Option<String>) {
        parse(text).expect_err(text)
    }

    #[test]
    fn later_entries_win_and_comments_are_skipped() {
        let vars = parse("# c\nA=1\n\nexport B='x y'\nA=2 # note\n").unwrap();
        assert_eq!(vars["A"], "2");
        assert_eq!(vars["B"], "x y");
    }

    #[test]
    fn failures_name_the_line_and_a_known_variable() {
        assert_eq!(
            failure("DATABASE_USER=root\n\n# x\nDATABASE_PASSWORD=ab=c d\nDATABASE_HOST=h\n"),
            (4, Some(VAR_PASSWORD.to_owned()))
        );
        // The same text earlier, in a comment, does not mislead.
        assert_eq!(
            failure("# ab=c d\nA=1\nDATABASE_PASSWORD=ab=c d\n"),
            (3, Some(VAR_PASSWORD.to_owned()))
        );
        // An unterminated quote runs to the end: the entry starts where the quote was opened.
        assert_eq!(
            failure("A=1\r\nDATABASE_PASSWORD='hunter2\r\nB=2\r\n"),
            (2, Some(VAR_PASSWORD.to_owned()))
        );
        assert_eq!(failure("A=1\n= x\n"), (2, None));
    }

    #[test]
    fn a_name_that_may_hold_the_password_is_not_given() {
        // The '=' after the name is missing: the name runs into a password holding '='.
        assert_eq!(failure("DATABASE_PASSWORDab=c d\n"), (1, None));
        assert_eq!(failure("DATABASE_PASSWORDhunter2\n"), (1, None));
        assert_eq!(failure("OTHER=a b\n"), (1, None));
    }

    #[test]
    fn key_shapes() {
        assert_eq!(key_of("  export  A_B.c = 1"), Some("A_B.c"));
        assert_eq!(key_of("export=1"), Some("export"));
        assert_eq!(key_of("A B=1"), None);
        assert_eq!(key_of("A"), None);
    }
}
