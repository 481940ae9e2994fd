//! Everything the user sees goes through here: platform-worded messages (the plugin's UX
//! adapter), progress bars, and the single JSON object of `--json` mode.
//!
//! Streams: results and replies go to stdout; status lines and progress go to stderr, so
//! `nemo ... --json | jq` and agents reading stdout see only the answer.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Writes a line, ignoring errors: a closed pipe (`nemo ... | head`) must not crash nemo, and
/// there is nowhere left to report a failed write to the terminal.
macro_rules! out_line {
    ($stream:ident, $($arg:tt)*) => {{
        let _ = std::io::Write::write_fmt(&mut std::io::$stream().lock(), format_args!("{}\n", format_args!($($arg)*)));
    }};
}

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nemo_plugin_host::{Platform, UxEvent};

/// The output sink of one command.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    json: bool,
    platform: Arc<Platform>,
    bars: bool,
}

impl Output {
    pub(crate) fn new(json: bool, platform: Platform) -> Self {
        Self {
            json,
            platform: Arc::new(platform),
            bars: std::io::stderr().is_terminal(),
        }
    }

    pub(crate) fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The platform's wording of an event.
    pub(crate) fn word(&self, event: &UxEvent) -> String {
        self.platform.text(event)
    }

    /// An answer for the user: stdout in text mode, stderr in JSON mode (stdout is reserved for
    /// the one JSON object).
    pub(crate) fn say(&self, event: &UxEvent) {
        let text = self.word(event);
        if text.trim().is_empty() {
            return;
        }
        if self.json {
            out_line!(stderr, "{text}");
        } else {
            out_line!(stdout, "{text}");
        }
    }

    /// A transient status line (setting up, still working): always stderr.
    pub(crate) fn status(&self, event: &UxEvent) {
        let text = self.word(event);
        if !text.trim().is_empty() {
            out_line!(stderr, "{text}");
        }
    }

    /// A side remark that is not the command's result (an update is available): stderr.
    pub(crate) fn note(text: &str) {
        out_line!(stderr, "{text}");
    }

    /// Prints the command's JSON result (only in `--json` mode).
    pub(crate) fn json(&self, value: &serde_json::Value) {
        if self.json {
            out_line!(
                stdout,
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        }
    }

    /// Output that is already in the requested form (JSON or text): stdout, as is.
    pub(crate) fn raw(text: &str) {
        out_line!(stdout, "{text}");
    }

    /// Plain text for commands whose output is data (config, plugin list): stdout.
    pub(crate) fn text(&self, text: &str) {
        if !self.json {
            out_line!(stdout, "{text}");
        }
    }

    /// A progress indicator for `label`. On a terminal it is an indicatif bar; elsewhere (an
    /// agent's pipe) it prints the platform's progress line at every quarter.
    pub(crate) fn progress(&self, label: &str) -> Progress {
        let bar = if self.bars && !self.json {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(bar_style());
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            Some(bar)
        } else {
            None
        };
        Progress {
            bar,
            label: label.to_owned(),
            out: self.clone(),
            last_quarter: Arc::new(Mutex::new(None)),
        }
    }
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {percent:>3}% {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// One progress indicator; cheap to clone into callbacks.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    out: Output,
    last_quarter: Arc<Mutex<Option<u8>>>,
}

impl Progress {
    /// Reports a fraction 0..=1 of the work done.
    pub(crate) fn set_fraction(&self, fraction: f64) {
        let percent = (fraction.clamp(0.0, 1.0) * 100.0).round() as u8;
        if let Some(bar) = &self.bar {
            bar.set_length(100);
            bar.set_position(u64::from(percent));
            return;
        }
        let quarter = percent / 25;
        let mut last = self
            .last_quarter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *last != Some(quarter) {
            *last = Some(quarter);
            drop(last);
            self.out.status(&UxEvent::Progress {
                label: self.label.clone(),
                percent: Some(percent),
            });
        }
    }

    /// Reports bytes moved out of an optional total.
    pub(crate) fn set_bytes(&self, done: u64, total: Option<u64>) {
        match total {
            Some(total) if total > 0 => self.set_fraction(done as f64 / total as f64),
            _ => {
                if let Some(bar) = &self.bar {
                    bar.set_position(done);
                }
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
