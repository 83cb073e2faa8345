//! Progress bars (one per table, rows and bytes) and the closing summary table.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where status lines and bars go: stderr; bars only on a terminal and unless disabled.
#[derive(Clone)]
pub struct Ui {
    multi: MultiProgress,
    bars: bool,
}

impl Ui {
    pub fn new(bars: bool) -> Self {
        let target = if bars {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            bars: bars && !ProgressDrawTarget::stderr().is_hidden(),
        }
    }

    /// A silent UI (library use and tests).
    pub fn quiet() -> Self {
        Self::new(false)
    }

    /// A status line on stderr, above the bars.
    pub fn line(&self, text: impl AsRef<str>) {
        if self.bars {
            let _ = self.multi.println(text.as_ref());
        } else {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A bar for one table: rows against the estimate, bytes and rate in the message.
    pub fn table_bar(&self, table: &str, estimated_rows: u64) -> ProgressBar {
        let bar = ProgressBar::new(estimated_rows.max(1));
        if !self.bars {
            bar.set_draw_target(ProgressDrawTarget::hidden());
            return bar;
        }
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:<26!} {bar:24.cyan/blue} {human_pos:>10}/{human_len:<10} rows {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(table.to_owned());
        self.multi.add(bar)
    }

    /// A spinner for a phase without countable progress.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        let bar = ProgressBar::new_spinner();
        if !self.bars {
            bar.set_draw_target(ProgressDrawTarget::hidden());
            return bar;
        }
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.multi.add(bar)
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

/// One line of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSummary {
    pub table: String,
    pub rows: u64,
    pub bytes: u64,
    pub time: Duration,
}

/// The summary table: rows, bytes, time and throughput per table, then the total over the
/// copy's wall time, then the phases.
pub fn summary(
    tables: &[TableSummary],
    copy_wall: Duration,
    phases: &[(String, Duration)],
) -> String {
    let rate = |n: u64, d: Duration| {
        let s = d.as_secs_f64();
        if s > 0.0 { n as f64 / s } else { 0.0 }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "{:<30} {:>12} {:>11} {:>9} {:>12} {:>10}\n",
        "table", "rows", "bytes", "time", "rows/s", "MiB/s"
    ));
    let mut sorted: Vec<&TableSummary> = tables.iter().collect();
    sorted.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.table.cmp(&b.table)));
    for t in &sorted {
        out.push_str(&format!(
            "{:<30} {:>12} {:>11} {:>9} {:>12.0} {:>10.2}\n",
            t.table,
            t.rows,
            bytes(t.bytes),
            duration(t.time),
            rate(t.rows, t.time),
            rate(t.bytes, t.time) / 1048576.0
        ));
    }
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    let total_bytes: u64 = tables.iter().map(|t| t.bytes).sum();
    out.push_str(&format!(
        "{:<30} {:>12} {:>11} {:>9} {:>12.0} {:>10.2}\n",
        format!("total ({} tables)", tables.len()),
        rows,
        bytes(total_bytes),
        duration(copy_wall),
        rate(rows, copy_wall),
        rate(total_bytes, copy_wall) / 1048576.0
    ));
    if !phases.is_empty() {
        let total: Duration = phases.iter().map(|(_, d)| *d).sum();
        out.push_str(&format!(
            "phases: {} (total {})\n",
            phases
                .iter()
                .map(|(name, d)| format!("{name} {}", duration(*d)))
                .collect::<Vec<_>>()
                .join(", "),
            duration(total)
        ));
    }
    out
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
        let text = summary(
            &[TableSummary {
                table: "Patient".into(),
                rows: 100,
                bytes: 2048,
                time: Duration::from_secs(2),
            }],
            Duration::from_secs(2),
            &[("copy".into(), Duration::from_secs(2))],
        );
        assert!(text.contains("Patient"), "{text}");
        assert!(text.contains("total (1 tables)"), "{text}");
        assert!(text.contains("phases: copy 2.00s"), "{text}");
    }
}
