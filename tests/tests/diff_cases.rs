//! Table-driven schema-diff cases: one file per case in `tests/diff_cases/*.case`.
//!
//! A case file holds sections, each opened by a `-- <name>` line:
//!
//! - `before`, `after`: MySQL DDL, statements ending with `;` at the end of a line;
//! - `renames` (optional): declared renames, `Table.old=new` or `Old=New`, one per line;
//! - `changes`: the expected changes as `Change`'s `Display` prints them, in order;
//! - `sql`: the expected planned SQL (`plan(Dialect::MySql, ..)`), one statement per line;
//! - `possible_renames` (optional; empty when absent): the expected rename hints.
//!
//! Lines starting with `#` are comments. For each case, on real MariaDB: a database is loaded
//! with `before`, another with `after`; both are introspected and diffed, and the changes and SQL
//! must equal the file. Then the changes are applied to the before-database, which must then diff
//! empty against the after-schema; then `reverse(changes)` is applied, and the database must be
//! fingerprint-equal to what it was.
//!
//! `DIFF_CASE=<name>` runs only the cases whose file name contains `<name>`;
//! `DIFF_CASES_BLESS=1` rewrites the expected sections with what the code produces (review the
//! result with `git diff` before keeping it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use eyened_orm::migrate::{Dialect, apply, plan};
use eyened_orm::schema::diff::{Diff, Renames, diff};
use eyened_orm::schema::{Change, reverse};
use eyened_orm::schema::{Schema, introspect};
use eyened_orm_tests::{TestDb, fingerprint_diff};
use sea_orm::{ConnectionTrait, DatabaseConnection};

const SECTIONS: [&str; 6] = [
    "before",
    "after",
    "renames",
    "changes",
    "sql",
    "possible_renames",
];

/// One parsed case file.
#[derive(Debug, Default)]
struct Case {
    path: PathBuf,
    /// Leading comment lines, kept when blessing.
    header: Vec<String>,
    before: String,
    after: String,
    renames: Vec<String>,
    changes: Vec<String>,
    sql: Vec<String>,
    possible_renames: Vec<String>,
}

impl Case {
    fn parse(path: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        let mut case = Case {
            path: path.to_owned(),
            ..Case::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut current: Option<&str> = None;
        for (number, line) in text.lines().enumerate() {
            if let Some(section) = line.strip_prefix("-- ") {
                let section = section.trim();
                let known = SECTIONS
                    .iter()
                    .find(|s| **s == section)
                    .ok_or_else(|| format!("line {}: unknown section `{section}`", number + 1))?;
                if seen.contains(known) {
                    return Err(format!("line {}: section `{section}` twice", number + 1));
                }
                seen.push(known);
                current = Some(known);
                continue;
            }
            let Some(section) = current else {
                if line.starts_with('#') || line.trim().is_empty() {
                    case.header.push(line.to_owned());
                    continue;
                }
                return Err(format!(
                    "line {}: text before the first section",
                    number + 1
                ));
            };
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let list = match section {
                "before" => {
                    case.before.push_str(line);
                    case.before.push('\n');
                    continue;
                }
                "after" => {
                    case.after.push_str(line);
                    case.after.push('\n');
                    continue;
                }
                "renames" => &mut case.renames,
                "changes" => &mut case.changes,
                "sql" => &mut case.sql,
                _ => &mut case.possible_renames,
            };
            list.push(line.trim_end().to_owned());
        }
        for required in ["before", "after", "changes", "sql"] {
            if !seen.contains(&required) {
                return Err(format!("missing section `-- {required}`"));
            }
        }
        Ok(case)
    }

    /// The file with its expected sections replaced by what the code produced.
    fn blessed(&self, found: &Diff, sql: &[String]) -> String {
        let mut out = String::new();
        for line in &self.header {
            let _ = writeln!(out, "{line}");
        }
        let mut section = |name: &str, body: &str| {
            let _ = writeln!(out, "-- {name}");
            out.push_str(body);
            if !body.is_empty() && !body.ends_with('\n') {
                out.push('\n');
            }
        };
        section("before", &self.before);
        section("after", &self.after);
        if !self.renames.is_empty() {
            section("renames", &lines(&self.renames));
        }
        let changes: Vec<String> = found.changes.iter().map(ToString::to_string).collect();
        section("changes", &lines(&changes));
        section("sql", &lines(sql));
        if !found.possible_renames.is_empty() {
            section("possible_renames", &lines(&found.possible_renames));
        }
        out
    }
}

fn lines(items: &[String]) -> String {
    items.iter().map(|l| format!("{l}\n")).collect()
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("diff_cases")
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", cases_dir().display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
}

/// Runs each `;`-terminated statement of `ddl`.
async fn load(conn: &DatabaseConnection, ddl: &str) -> Result<(), String> {
    let mut statement = String::new();
    for line in ddl.lines() {
        statement.push_str(line);
        statement.push('\n');
        if line.trim_end().ends_with(';') {
            conn.execute_unprepared(&statement)
                .await
                .map_err(|e| format!("{e}\nstatement: {statement}"))?;
            statement.clear();
        }
    }
    if !statement.trim().is_empty() {
        return Err(format!("statement without a final `;`: {statement}"));
    }
    Ok(())
}

async fn schema_of(db: &TestDb, conn: &DatabaseConnection) -> Result<Schema, String> {
    introspect(conn, Some(db.name()))
        .await
        .map_err(|e| format!("introspection of {} failed: {e}", db.name()))
}

fn compare(what: &str, expected: &[String], actual: &[String], problems: &mut Vec<String>) {
    if expected != actual {
        problems.push(format!(
            "{what} differ\n  expected:\n{}  actual:\n{}",
            indent(expected),
            indent(actual)
        ));
    }
}

fn indent(items: &[String]) -> String {
    if items.is_empty() {
        return "    (none)\n".to_owned();
    }
    items.iter().map(|l| format!("    {l}\n")).collect()
}

/// Runs one case; `Err` lists everything that went wrong.
async fn run(case: &Case, bless: bool) -> Result<(), String> {
    let before_db = TestDb::new().await;
    let after_db = TestDb::new().await;
    let before_conn = before_db.connect().await;
    let after_conn = after_db.connect().await;
    load(&before_conn, &case.before)
        .await
        .map_err(|e| format!("loading `before`: {e}"))?;
    load(&after_conn, &case.after)
        .await
        .map_err(|e| format!("loading `after`: {e}"))?;
    let before = schema_of(&before_db, &before_conn).await?;
    let after = schema_of(&after_db, &after_conn).await?;
    let original = before_db.fingerprint().await;

    let mut renames = Renames::default();
    for spec in &case.renames {
        renames.add(spec)?;
    }
    let found = diff(&before, &after, &renames);
    let sql = plan(Dialect::MySql, &found.changes).map_err(|e| format!("plan failed: {e}"))?;

    if bless {
        std::fs::write(&case.path, case.blessed(&found, &sql))
            .map_err(|e| format!("cannot bless {}: {e}", case.path.display()))?;
    }

    let mut problems = Vec::new();
    let changes: Vec<String> = found.changes.iter().map(ToString::to_string).collect();
    compare("changes", &case.changes, &changes, &mut problems);
    compare("planned SQL", &case.sql, &sql, &mut problems);
    compare(
        "possible renames",
        &case.possible_renames,
        &found.possible_renames,
        &mut problems,
    );
    check_round_trip(
        &before_db,
        &before_conn,
        (&before, &original),
        &after,
        &found.changes,
    )
    .await
    .unwrap_or_else(|e| problems.push(e));

    let _ = before_conn.close().await;
    let _ = after_conn.close().await;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Up makes the database diff-equal to `after`; down makes it fingerprint-equal to `original`
/// and introspection-equal to `before` (which also compares column order and key names).
async fn check_round_trip(
    db: &TestDb,
    conn: &DatabaseConnection,
    (before, original): (&Schema, &[String]),
    after: &Schema,
    changes: &[Change],
) -> Result<(), String> {
    apply(conn, changes)
        .await
        .map_err(|e| format!("up failed: {e}"))?;
    let upgraded = schema_of(db, conn).await?;
    let left = diff(&upgraded, after, &Renames::default());
    if !left.changes.is_empty() {
        let left: Vec<String> = left.changes.iter().map(ToString::to_string).collect();
        return Err(format!(
            "after up, the database still differs from `after`:\n{}",
            indent(&left)
        ));
    }
    apply(conn, &reverse(changes))
        .await
        .map_err(|e| format!("down failed: {e}"))?;
    let restored = db.fingerprint().await;
    let delta = fingerprint_diff(original, &restored);
    if !delta.is_empty() {
        return Err(format!(
            "after down, the database is not the `before` schema \
             (- before only, + after down only):\n{delta}"
        ));
    }
    let back = schema_of(db, conn).await?;
    if &back != before {
        return Err(format!(
            "after down, introspection differs from `before`:\n{}",
            schema_delta(before, &back)
        ));
    }
    Ok(())
}

/// The tables of `expected` and `actual` that differ, both ways, as `Debug`.
fn schema_delta(expected: &Schema, actual: &Schema) -> String {
    let mut out = String::new();
    for t in &expected.tables {
        if actual.table(&t.name) != Some(t) {
            let _ = writeln!(
                out,
                "  expected {t:?}\n  actual   {:?}",
                actual.table(&t.name)
            );
        }
    }
    for t in &actual.tables {
        if expected.table(&t.name).is_none() {
            let _ = writeln!(out, "  unexpected {t:?}");
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_cases() {
    let filter = std::env::var("DIFF_CASE").unwrap_or_default();
    let bless = std::env::var_os("DIFF_CASES_BLESS").is_some_and(|v| v == "1");
    let files: Vec<PathBuf> = case_files()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    assert!(
        !files.is_empty(),
        "no case matches `{filter}` in {}",
        cases_dir().display()
    );

    // A few cases at a time: each holds two small databases.
    let mut failures = Vec::new();
    let mut passed = 0;
    for chunk in files.chunks(4) {
        let mut tasks = tokio::task::JoinSet::new();
        for path in chunk.iter().cloned() {
            tasks.spawn(async move {
                let outcome = match Case::parse(&path) {
                    Ok(case) => run(&case, bless).await,
                    Err(e) => Err(format!("bad case file: {e}")),
                };
                (path, outcome)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (path, outcome) = joined.unwrap_or_else(|e| panic!("case task panicked: {e}"));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match outcome {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("=== case {name} ===\n{e}")),
            }
        }
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} diff cases failed ({passed} passed):\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_case_file_parses() {
    for path in case_files() {
        if let Err(e) = Case::parse(&path) {
            panic!("{}: {e}", path.display());
        }
    }
}
