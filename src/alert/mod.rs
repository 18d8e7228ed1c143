//! Alerts: showing finished text on every channel that works.
//!
//! A sink ([`Alerter`]) gets an [`AlertText`] that `messages` wrote and the
//! watch layer assembled — summary, body with the official steps, the
//! buttons' labels, and the `vigie answer N …` line for where there are no
//! buttons — and shows it. Sinks never compose text, and never show text
//! from a mail unescaped: the desktop escapes markup where the server
//! renders it, the terminal shows control characters as visible marks.
//! Every alert also goes to the terminal/log and to the journal, so that
//! nothing depends on the notification server alone.

mod desktop;
mod terminal;

pub use desktop::{
    Capabilities, Desktop, DesktopAlerter, DesktopError, DesktopEvent, DesktopNotification, Shown, escape_markup,
    plain_summary,
};
pub use terminal::TerminalAlerter;

use crate::matching::Urgency;

/// An alert, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertText {
    pub summary: String,
    pub body: String,
    pub urgency: Urgency,
    /// Buttons: (action key, label). Shown where the server supports them
    /// and someone listens for the click.
    pub actions: Vec<(String, String)>,
    /// How to answer from the command line, for where there are no buttons
    /// (`vigie answer 12 moi` …); `None` when there is nothing to answer.
    pub answer_line: Option<String>,
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Shown; the notification's id where the channel has one, and whether
    /// it carries buttons.
    Shown { notification_id: Option<u32>, buttons: bool },
    /// This channel could not show it (why, for the journal and the log).
    Failed(String),
}

/// A channel that shows alerts.
pub trait Alerter: Send + Sync {
    /// A short name for the journal: `desktop`, `terminal`.
    fn channel(&self) -> &'static str;
    /// Shows `text`, replacing the notification `replaces` if the channel
    /// has such a thing. Must return promptly whatever the channel does.
    fn deliver(&self, text: &AlertText, replaces: Option<u32>) -> Delivery;
    /// Closes a notification this channel showed (after a click).
    fn close(&self, _notification_id: u32) {}
}
