//! The terminal/log channel: always there. Writes to standard error, which
//! the service manager keeps in its log when vigie runs as a service.
//! Every line goes through [`terminal_safe`]: no escape sequence or bidi
//! override from a mail reaches the terminal.

use std::io::Write;

use super::{AlertText, Alerter, Delivery};
use crate::matching::Urgency;
use crate::notice::terminal_safe;

pub struct TerminalAlerter {
    /// Standard output instead of standard error (the demo tells a story
    /// on standard output and shows its alerts in line with it).
    pub stdout: bool,
    /// Say how to answer with `vigie answer` (not in the demo, whose
    /// journal is thrown away).
    pub answer_hints: bool,
}

impl TerminalAlerter {
    pub fn stderr() -> TerminalAlerter {
        TerminalAlerter { stdout: false, answer_hints: true }
    }
}

impl Alerter for TerminalAlerter {
    fn channel(&self) -> &'static str {
        "terminal"
    }

    fn deliver(&self, text: &AlertText, _replaces: Option<u32>) -> Delivery {
        let mark = if text.urgency == Urgency::Critical { "⚠" } else { "ℹ" };
        let mut block = format!("\n{mark} {}\n", terminal_safe(&text.summary));
        for line in text.body.lines() {
            block.push_str(&format!("  {}\n", terminal_safe(line)));
        }
        if let Some(line) = text.answer_line.as_deref().filter(|_| self.answer_hints) {
            block.push_str(&format!("  {}\n", terminal_safe(line)));
        }
        let written = if self.stdout {
            std::io::stdout().lock().write_all(block.as_bytes())
        } else {
            std::io::stderr().lock().write_all(block.as_bytes())
        };
        match written {
            Ok(()) => Delivery::Shown { notification_id: None, buttons: false },
            Err(e) => Delivery::Failed(e.to_string()),
        }
    }
}
