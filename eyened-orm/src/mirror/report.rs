//! What a run tells its user, as data: the [`Plan`] shown before anything is written, and the
//! [`Summary`] of a finished copy. Each renders as the text `eorm` prints ([`std::fmt::Display`])
//! and serializes for `--json`.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// What a run is about to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// `database-mirror-full` or `database-mirror-test`.
    pub command: &'static str,
    /// Whether the run stops after the plan.
    pub dry_run: bool,
    /// `user@host:port/db` of the source (never a password).
    pub source: String,
    /// `user@host:port/db` of the target.
    pub target: String,
    /// `user@host:port` of the target's server.
    pub target_server: String,
    /// The target as it is now.
    pub target_now: TargetNow,
    /// The database the copy is built in before it is swapped in.
    pub staging: String,
    /// Databases an earlier, interrupted run left (its staging or old database, with the
    /// mirror's ownership marker): dropped before staging.
    pub leftovers: Vec<Leftover>,
    /// How rows are copied.
    pub method: String,
    /// How the copy is verified before the swap.
    pub verify: String,
    /// Remarks on the config or the method.
    pub notes: Vec<String>,
    /// For a subset: how many rows each `copy_objects` entry selects.
    pub copy_objects: Vec<CopyObjectRows>,
    /// For a subset: downward edges followed, of all foreign keys.
    pub downward_edges: Option<(usize, usize)>,
    /// The tables, in the order shown: by size for a full copy, by name for a subset.
    pub tables: Vec<PlannedTable>,
    /// Tables in the source (all of them are created).
    pub source_tables: usize,
    /// Views, triggers and stored routines created after the tables.
    pub objects: Objects,
    /// Events, which are not copied.
    pub events_not_copied: Vec<String>,
    /// The source's and the target's servers as they describe themselves (see
    /// [`super::topology`]), with the checks that could not be made.
    pub servers: Vec<super::topology::Identity>,
}

/// The target before the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetNow {
    /// Whether the target database exists (the swap creates it otherwise).
    pub exists: bool,
    /// Its base tables, all replaced.
    pub tables: usize,
    /// Estimated rows.
    pub rows: u64,
}

/// A database an earlier run of the mirror created and did not drop (it was killed, or its
/// cleanup could not finish), recognized by its ownership marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leftover {
    /// Its name: `<target>__eorm_staging` or `<target>__eorm_old`.
    pub database: String,
    /// Its tables and views, besides the marker.
    pub tables: usize,
    /// The run that created it.
    pub run_id: String,
    /// The version of eyened-orm that ran it.
    pub tool_version: String,
    /// When it was created (UTC).
    pub created_at: String,
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} tables; left by run {} of eyened-orm {} at {} UTC)",
            self.database, self.tables, self.run_id, self.tool_version, self.created_at
        )
    }
}

/// Rows one `copy_objects` entry selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyObjectRows {
    /// `copy_objects[0]`.
    pub key: String,
    /// The entry's table.
    pub table: String,
    /// Rows its clause matched (exact), before what belongs to them or what they need.
    pub rows: u64,
}

/// One table of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedTable {
    /// The table's name.
    pub name: String,
    /// Rows to copy: exact for a subset's selected rows, an estimate otherwise.
    pub rows: u64,
    /// Whether `rows` is an `information_schema` estimate rather than an exact count.
    pub rows_estimated: bool,
    /// Estimated size (full copies).
    pub bytes: Option<u64>,
    /// Secondary indexes and foreign keys are added after the load.
    pub indexes_after_load: bool,
    /// Copied whole in a subset (the migration version tables).
    pub whole: bool,
}

/// Counts of the objects besides tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Objects {
    /// Views.
    pub views: usize,
    /// Triggers.
    pub triggers: usize,
    /// Stored procedures and functions.
    pub routines: usize,
}

impl Plan {
    /// What the user confirms: `replace database x on server y with a full copy of z; ...`.
    pub fn confirmation(&self) -> String {
        let what = if self.command == "database-mirror-full" {
            "full copy"
        } else {
            "test subset"
        };
        let now = if self.target_now.exists {
            format!(
                "its {} current tables (~{} rows) are dropped once the copy is verified",
                self.target_now.tables, self.target_now.rows
            )
        } else {
            "it does not exist yet and will be created".to_owned()
        };
        let leftovers = if self.leftovers.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = self
                .leftovers
                .iter()
                .map(|l| format!("{} ({} tables)", l.database, l.tables))
                .collect();
            format!(
                "; first drops what an earlier run left: {}",
                names.join(", ")
            )
        };
        format!(
            "replace database {} on {} with a {what} of {}; {now}{leftovers}",
            self.target_database(),
            self.target_server,
            self.source
        )
    }

    /// The target database's name.
    pub fn target_database(&self) -> &str {
        self.target.rsplit('/').next().unwrap_or(&self.target)
    }

    fn is_subset(&self) -> bool {
        self.command == "database-mirror-test"
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dry = if self.dry_run {
            " (dry run: nothing will be changed)"
        } else {
            ""
        };
        writeln!(f, "{}{dry}", self.command)?;
        writeln!(f, "  source:  {}", self.source)?;
        let state = if self.target_now.exists {
            format!(
                "exists with {} tables, ~{} rows: replaced after verification",
                self.target_now.tables, self.target_now.rows
            )
        } else {
            "does not exist: created".to_owned()
        };
        writeln!(f, "  target:  {} ({state})", self.target)?;
        for server in &self.servers {
            writeln!(f, "  {} server: {server}", server.side)?;
            for check in &server.not_checked {
                writeln!(f, "    not checked: {check}")?;
            }
        }
        writeln!(
            f,
            "  staging: {} (swapped in with one atomic RENAME TABLE)",
            self.staging
        )?;
        for leftover in &self.leftovers {
            writeln!(f, "  leftover: {leftover}: dropped first")?;
        }
        writeln!(f, "  method:  {}", self.method)?;
        writeln!(
            f,
            "  verify:  {}, and the DDL of every table, before the swap",
            self.verify
        )?;
        for note in &self.notes {
            writeln!(f, "  note:    {note}")?;
        }
        if self.is_subset() {
            self.fmt_subset_tables(f)?;
        } else {
            self.fmt_full_tables(f)?;
        }
        let o = self.objects;
        writeln!(
            f,
            "  objects: {} routines, {} triggers, {} views",
            o.routines, o.triggers, o.views
        )?;
        if !self.events_not_copied.is_empty() {
            writeln!(
                f,
                "  not copied: events {}",
                self.events_not_copied.join(", ")
            )?;
        }
        Ok(())
    }
}

impl Plan {
    fn fmt_subset_tables(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for root in &self.copy_objects {
            let nothing = if root.rows == 0 {
                "  <- selects nothing"
            } else {
                ""
            };
            writeln!(
                f,
                "  {}: {} row(s) of {}{nothing}",
                root.key, root.rows, root.table
            )?;
        }
        if let Some((down, all)) = self.downward_edges {
            writeln!(f, "  downward edges: {down} of {all} foreign keys")?;
        }
        let selected: Vec<&PlannedTable> = self.tables.iter().filter(|t| !t.whole).collect();
        writeln!(
            f,
            "  rows to copy ({} tables with rows, {} rows; all {} tables created):",
            selected.len(),
            selected.iter().map(|t| t.rows).sum::<u64>(),
            self.source_tables
        )?;
        for t in &self.tables {
            if t.whole {
                let rows = format!("~{}", t.rows);
                writeln!(f, "    {:<28} {rows:>10}  (copied whole)", t.name)?;
            } else {
                writeln!(f, "    {:<28} {:>10}", t.name, t.rows)?;
            }
        }
        Ok(())
    }

    fn fmt_full_tables(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  tables ({}, ~{} rows, ~{}):",
            self.tables.len(),
            self.tables.iter().map(|t| t.rows).sum::<u64>(),
            bytes(self.tables.iter().filter_map(|t| t.bytes).sum())
        )?;
        for t in &self.tables {
            let after = if t.indexes_after_load {
                "  (indexes after load)"
            } else {
                ""
            };
            writeln!(
                f,
                "    {:<28} ~{:>10} rows {:>11}{after}",
                t.name,
                t.rows,
                bytes(t.bytes.unwrap_or(0))
            )?;
        }
        Ok(())
    }
}

/// One table of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableSummary {
    /// The table's name.
    pub table: String,
    /// Rows written to the copy.
    pub rows: u64,
    /// Bytes sent to the target: INSERT text and bound values, or `LOAD DATA` input; estimated
    /// from the average row size for `INSERT ... SELECT`.
    pub bytes: u64,
    /// Seconds from the table's first to its last row.
    #[serde(serialize_with = "seconds")]
    pub time: Duration,
}

/// What a finished copy did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// `user@host:port/db` of the target, now a verified copy.
    pub target: String,
    /// `user@host:port/db` of the source.
    pub source: String,
    /// `copy` or `test subset`.
    pub kind: &'static str,
    /// How the rows were copied.
    pub copying: String,
    /// Every table of a full copy; the tables with rows of a subset.
    pub tables: Vec<TableSummary>,
    /// Each phase and its time.
    pub phases: Vec<Phase>,
    /// Wall time of the row copy.
    #[serde(serialize_with = "seconds")]
    pub copy_wall: Duration,
    /// Wall time of the whole run from the confirmation on.
    #[serde(serialize_with = "seconds")]
    pub total: Duration,
}

/// One phase of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// `schema`, `copy`, `indexes`, `verify` or `swap`.
    pub name: String,
    /// Its wall time (in seconds, to the millisecond, in JSON).
    #[serde(serialize_with = "seconds")]
    pub time: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

impl fmt::Display for Summary {
    /// The table (rows, bytes, time and throughput per table, then the total over the copy's
    /// wall time), the phases, and the closing sentence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = |n: u64, d: Duration| {
            let s = d.as_secs_f64();
            if s > 0.0 { n as f64 / s } else { 0.0 }
        };
        writeln!(
            f,
            "{:<30} {:>12} {:>11} {:>9} {:>12} {:>10}",
            "table", "rows", "bytes", "time", "rows/s", "MiB/s"
        )?;
        let mut sorted: Vec<&TableSummary> = self.tables.iter().collect();
        sorted.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.table.cmp(&b.table)));
        for t in &sorted {
            writeln!(
                f,
                "{:<30} {:>12} {:>11} {:>9} {:>12.0} {:>10.2}",
                t.table,
                t.rows,
                bytes(t.bytes),
                duration(t.time),
                rate(t.rows, t.time),
                rate(t.bytes, t.time) / 1048576.0
            )?;
        }
        let rows: u64 = self.tables.iter().map(|t| t.rows).sum();
        let total_bytes: u64 = self.tables.iter().map(|t| t.bytes).sum();
        writeln!(
            f,
            "{:<30} {:>12} {:>11} {:>9} {:>12.0} {:>10.2}",
            format!("total ({} tables)", self.tables.len()),
            rows,
            bytes(total_bytes),
            duration(self.copy_wall),
            rate(rows, self.copy_wall),
            rate(total_bytes, self.copy_wall) / 1048576.0
        )?;
        if !self.phases.is_empty() {
            let total: Duration = self.phases.iter().map(|p| p.time).sum();
            writeln!(
                f,
                "phases: {} (total {})",
                self.phases
                    .iter()
                    .map(|p| format!("{} {}", p.name, duration(p.time)))
                    .collect::<Vec<_>>()
                    .join(", "),
                duration(total)
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{} is now a verified {} of {} ({}; {} in total).",
            self.target,
            self.kind,
            self.source,
            self.copying,
            duration(self.total)
        )
    }
}

/// `1.5 GiB`, `12.0 MiB`, `512 B`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `0.42s`, `12.3s`, `2m05s`.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.2}s")
    } else if secs < 120.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
        assert_eq!(duration(Duration::from_millis(420)), "0.42s");
        assert_eq!(duration(Duration::from_secs(125)), "2m05s");
    }

    #[test]
    fn the_summary_renders_and_serializes() {
        let summary = Summary {
            target: "root@localhost:3306/copy".into(),
            source: "root@localhost:3306/prod".into(),
            kind: "copy",
            copying: "copying on the server".into(),
            tables: vec![TableSummary {
                table: "Patient".into(),
                rows: 100,
                bytes: 2048,
                time: Duration::from_secs(2),
            }],
            phases: vec![Phase {
                name: "copy".into(),
                time: Duration::from_secs(2),
            }],
            copy_wall: Duration::from_secs(2),
            total: Duration::from_millis(2500),
        };
        let text = summary.to_string();
        assert!(text.contains("Patient"), "{text}");
        assert!(text.contains("total (1 tables)"), "{text}");
        assert!(text.contains("phases: copy 2.00s"), "{text}");
        assert!(
            text.contains("root@localhost:3306/copy is now a verified copy of root@localhost:3306/prod (copying on the server; 2.50s in total)."),
            "{text}"
        );
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["tables"][0]["time"], 2.0);
        assert_eq!(json["total"], 2.5);
    }

    #[test]
    fn the_confirmation_names_what_is_replaced() {
        let mut plan = Plan {
            command: "database-mirror-full",
            dry_run: false,
            source: "app@db.prod:3306/eyened".into(),
            target: "root@localhost:3306/eyened_copy".into(),
            target_server: "root@localhost:3306".into(),
            target_now: TargetNow {
                exists: true,
                tables: 41,
                rows: 1200,
            },
            staging: "eyened_copy__eorm_staging".into(),
            leftovers: vec![],
            method: String::new(),
            verify: String::new(),
            notes: vec![],
            copy_objects: vec![],
            downward_edges: None,
            tables: vec![],
            source_tables: 41,
            objects: Objects {
                views: 0,
                triggers: 0,
                routines: 0,
            },
            events_not_copied: vec![],
            servers: vec![],
        };
        assert_eq!(
            plan.confirmation(),
            "replace database eyened_copy on root@localhost:3306 with a full copy of app@db.prod:3306/eyened; its 41 current tables (~1200 rows) are dropped once the copy is verified"
        );
        plan.leftovers = vec![Leftover {
            database: "eyened_copy__eorm_staging".into(),
            tables: 12,
            run_id: "4242-1a2b".into(),
            tool_version: "0.1.0".into(),
            created_at: "2025-01-02 03:04:05".into(),
        }];
        assert!(
            plan.confirmation().ends_with(
                "; first drops what an earlier run left: eyened_copy__eorm_staging (12 tables)"
            ),
            "{}",
            plan.confirmation()
        );
        let text = plan.to_string();
        assert!(
            text.contains("  leftover: eyened_copy__eorm_staging (12 tables; left by run 4242-1a2b of eyened-orm 0.1.0 at 2025-01-02 03:04:05 UTC): dropped first"),
            "{text}"
        );
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(
            json["leftovers"][0]["database"],
            "eyened_copy__eorm_staging"
        );
        assert_eq!(json["leftovers"][0]["run_id"], "4242-1a2b");
    }
}
