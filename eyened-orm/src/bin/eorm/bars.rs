//! Progress bars on stderr for the library's [`Progress`] reports: one bar per task, status
//! lines above them. Hidden when stderr is not a terminal, or with `--no-progress`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use eyened_orm::progress::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Bars for one command's run.
#[derive(Clone)]
pub struct Bars {
    multi: MultiProgress,
    /// The bar of the steps the command reports directly (`verify`, `import`).
    main: ProgressBar,
    shown: bool,
}

impl Bars {
    /// Bars on stderr when `wanted` and stderr is a terminal; else nothing is drawn, and lines go
    /// to stderr as they come. `step_width` pads step names so that the bar does not jump.
    pub fn shown_if(wanted: bool, step_width: usize) -> Arc<dyn Progress> {
        let shown = wanted && std::io::stderr().is_terminal();
        let target = if shown {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let main = multi.add(ProgressBar::new(0));
        main.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{msg:{step_width}}} [{{bar:40}}] {{human_pos}}/{{human_len}} ({{eta}})"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Arc::new(Bars { multi, main, shown })
    }
}

impl Progress for Bars {
    fn step(&self, name: &str) {
        self.main.set_message(name.to_owned());
    }

    fn length(&self, total: u64) {
        self.main.set_length(total);
        self.main.set_position(0);
    }

    fn advance(&self, units: u64) {
        self.main.inc(units);
    }

    fn position(&self, done: u64) {
        self.main.set_position(done);
    }

    fn detail(&self, text: &str) {
        self.main.set_message(text.to_owned());
    }

    fn line(&self, text: &str) {
        if self.shown {
            let _ = self.multi.println(text);
        } else {
            eprintln!("{text}");
        }
    }

    fn task(&self, name: &str, total: u64) -> Arc<dyn Progress> {
        let bar = if total == 0 {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(name.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:<26!} {bar:24.cyan/blue} {human_pos:>10}/{human_len:<10} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(name.to_owned());
            bar
        };
        if !self.shown {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Arc::new(Task(self.multi.add(bar)))
    }

    fn finish(&self) {
        self.main.finish_and_clear();
    }
}

/// One task's bar.
struct Task(ProgressBar);

impl Progress for Task {
    fn step(&self, name: &str) {
        self.0.set_message(name.to_owned());
    }

    fn length(&self, total: u64) {
        self.0.set_length(total);
        self.0.set_position(0);
    }

    fn advance(&self, units: u64) {
        self.0.inc(units);
    }

    fn position(&self, done: u64) {
        self.0.set_position(done);
    }

    fn detail(&self, text: &str) {
        self.0.set_message(text.to_owned());
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
