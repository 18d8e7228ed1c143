//! The terminal/log channel: always there. Writes to standard error, which
//! the service manager keeps in its log when vigie runs as a service.

use std::borrow::Cow;
use std::io::Write;

use super::{AlertText, Alerter, Delivery};
use crate::matching::Urgency;

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

/// `text` made safe for a terminal: escape sequences, other control
/// characters (but newline and tab) and bidirectional overrides become
/// visible marks, so that text from a mail can neither clear the screen,
/// set the window title, hide a link nor reorder what is shown.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    }
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c }).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_never_reach_the_terminal_raw() {
        let hostile = "\u{1b}[2J\u{1b}]0;title\u{7}\u{1b}]8;;https://evil\u{1b}\\3646\u{202E}txt.exe\u{9b}31m";
        let safe = terminal_safe(hostile);
        assert!(!safe.chars().any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)), "{safe:?}");
        assert!(safe.contains("3646"));
        assert_eq!(terminal_safe("Connexion le 20/11/2026\n\tà 10:14"), "Connexion le 20/11/2026\n\tà 10:14");
    }
}
