//! Unmanaged tables: tables of a live database that the entities do not model, declared with a
//! reason so that the tools report them and never touch them.
//!
//! The declarations are TOML, one `[[table]]` per table:
//!
//! ```toml
//! [[table]]
//! name = "ProjectToImageInstance"
//! reason = "pre-baseline link of projects to images, read by the old exporter"
//! ```
//!
//! A table the live database has, the entities do not model and no declaration names is drift:
//! the diff drops it. A declared table is split off the live schema before the diff
//! ([`Unmanaged::split`]) and reported on its own.

use serde::Deserialize;

use super::model::{Schema, Table};

/// Where the migration crate keeps the declarations, from the workspace root.
pub const FILE: &str = "migration/unmanaged.toml";

/// The declared unmanaged tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmanaged {
    /// The declarations, in file order; names are unique and none is an entity's table.
    pub tables: Vec<UnmanagedTable>,
}

/// One declared table and why it stays.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnmanagedTable {
    /// The table name, matched exactly (case-sensitive).
    pub name: String,
    /// Why the table stays unmodelled; never empty.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    table: Vec<UnmanagedTable>,
}

impl Unmanaged {
    /// Parses declarations; `entities` are the modelled tables, which cannot be unmanaged. The
    /// error is one line naming what is wrong.
    pub fn parse(text: &str, entities: &Schema) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].lines().count().max(1);
                    format!("line {line}: {message}")
                }
                None => message,
            }
        })?;
        let mut seen: Vec<&str> = Vec::new();
        for (i, table) in file.table.iter().enumerate() {
            let what = format!("table {} (`{}`)", i + 1, table.name);
            if table.name.trim().is_empty() {
                return Err(format!("table {}: `name` is empty", i + 1));
            }
            if table.reason.trim().is_empty() {
                return Err(format!(
                    "{what}: `reason` is empty; say why the table stays unmodelled"
                ));
            }
            if entities.table(&table.name).is_some() {
                return Err(format!(
                    "{what}: an entity models this table; remove the declaration"
                ));
            }
            if seen.contains(&table.name.as_str()) {
                return Err(format!("{what}: declared twice"));
            }
            seen.push(&table.name);
        }
        Ok(Self { tables: file.table })
    }

    /// Reads and parses the declarations in `path`; the error names the file.
    pub fn read(path: &std::path::Path, entities: &Schema) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text, entities).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// `migration/unmanaged.toml` under the current directory or its nearest parent that has
    /// one: where a command run inside the repository finds the checked-in declarations.
    pub fn find_file() -> Option<std::path::PathBuf> {
        let start = std::env::current_dir().ok()?;
        start
            .ancestors()
            .map(|dir| dir.join(FILE))
            .find(|candidate| candidate.is_file())
    }

    /// Why `table` is unmanaged, when it is declared.
    pub fn reason(&self, table: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|t| t.name == table)
            .map(|t| t.reason.as_str())
    }

    /// `live` without the declared tables, and the declared tables it had.
    pub fn split(&self, live: Schema) -> (Schema, Vec<Table>) {
        let (declared, managed): (Vec<Table>, Vec<Table>) = live
            .tables
            .into_iter()
            .partition(|t| self.reason(&t.name).is_some());
        (Schema::new(managed), declared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, SqlType};

    fn entities() -> Schema {
        Schema::new(vec![
            Table::new("Patient").column(Column::new("PatientID", SqlType::INT)),
        ])
    }

    #[test]
    fn declarations_parse_and_split_the_live_schema() {
        let unmanaged = Unmanaged::parse(
            "[[table]]\nname = \"Statistics\"\nreason = \"nightly counts\"\n",
            &entities(),
        )
        .unwrap();
        assert_eq!(unmanaged.reason("Statistics"), Some("nightly counts"));
        let live = Schema::new(vec![
            Table::new("Patient"),
            Table::new("Statistics"),
            Table::new("tmp-export"),
        ]);
        let (managed, declared) = unmanaged.split(live);
        let names: Vec<&str> = managed.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Patient", "tmp-export"]);
        assert_eq!(declared.len(), 1);
        assert_eq!(declared[0].name, "Statistics");
        assert_eq!(
            Unmanaged::parse("", &entities()).unwrap(),
            Unmanaged::default()
        );
    }

    #[test]
    fn bad_declarations_are_one_line_each() {
        let err = |text: &str| Unmanaged::parse(text, &entities()).unwrap_err();
        assert!(err("[[table]]\nname = \"X\"\n").contains("reason"));
        assert!(err("[[table]]\nname = \"X\"\nreason = \"  \"\n").contains("`reason` is empty"));
        assert!(
            err("[[table]]\nname = \"Patient\"\nreason = \"r\"\n").contains("an entity models")
        );
        assert!(
            err(
                "[[table]]\nname = \"X\"\nreason = \"r\"\n[[table]]\nname = \"X\"\nreason = \"r\"\n"
            )
            .contains("declared twice")
        );
        assert!(err("[[table]]\nname = \"X\"\nreason = \"r\"\nrows = 3\n").starts_with("line "));
        assert!(err("[[table]\n").starts_with("line 1"));
        for message in [err("[[table]]\nname = \"X\"\n"), err("[[table]\n")] {
            assert!(!message.contains('\n'), "{message:?}");
        }
    }
}
