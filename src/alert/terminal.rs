//! The terminal/log channel: always there. Writes to standard error, which
//! the service manager keeps in its log when vigie runs as a service.

use std::io::Write;

use super::{Alert, AlertText, Alerter, Delivery};
use crate::messages::{self, Lang};

pub struct TerminalAlerter {
    pub lang: Lang,
    /// Standard output instead of standard error (the demo tells a story
    /// on standard output and shows its alerts in line with it).
    pub stdout: bool,
    /// Say how to answer with `vigie answer` (not in the demo, whose
    /// journal is thrown away).
    pub answer_hints: bool,
}

impl TerminalAlerter {
    pub fn stderr(lang: Lang) -> TerminalAlerter {
        TerminalAlerter { lang, stdout: false, answer_hints: true }
    }
}

impl Alerter for TerminalAlerter {
    fn channel(&self) -> &'static str {
        "terminal"
    }

    fn deliver(&self, alert: &Alert, text: &AlertText) -> Delivery {
        let mut block = format!("\n{} {}\n", if text.critical { "⚠" } else { "ℹ" }, text.summary);
        for line in text.body.lines() {
            block.push_str(&format!("  {line}\n"));
        }
        if text.answerable && self.answer_hints {
            block.push_str(&format!("  {}\n", messages::answer_hint(alert.finding_id, self.lang)));
        }
        let written = if self.stdout {
            std::io::stdout().lock().write_all(block.as_bytes())
        } else {
            std::io::stderr().lock().write_all(block.as_bytes())
        };
        match written {
            Ok(()) => Delivery::Shown { buttons: false },
            Err(e) => Delivery::Failed(e.to_string()),
        }
    }
}
