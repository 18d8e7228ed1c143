//! Alerts: telling the user about a finding, on every channel that works.
//!
//! Every alert goes to the terminal/log ([`TerminalAlerter`], always
//! available) and to the desktop ([`DesktopAlerter`], when a notification
//! server answers), and every delivery is written to the journal, so that
//! nothing depends on the notification server alone. The text comes from
//! [`crate::messages::alert_text`]; no link taken from an e-mail is ever
//! shown, only official addresses known in advance.

mod desktop;
mod terminal;

use std::sync::Arc;

pub use desktop::{
    Capabilities, Desktop, DesktopAlerter, DesktopError, DesktopEvent, DesktopNotification, Shown, Urgency,
    escape_markup, plain_summary,
};
pub use terminal::TerminalAlerter;

use crate::journal::Answer;
use crate::matching::Finding;

/// Everything an alert says about one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The journal's id for the finding (for answers).
    pub finding_id: i64,
    pub finding: Finding,
    /// FranceConnect: the site reached and the account used.
    pub site: Option<String>,
    pub identity_provider: Option<String>,
    /// Impersonation: the fake's subject and why it is a fake.
    pub subject: Option<String>,
    pub reasons: Vec<String>,
}

/// The words of an alert, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertText {
    pub summary: String,
    pub body: String,
    /// Urgent: a login that may not be the user's.
    pub critical: bool,
    /// "C'était moi" / "Ce n'était pas moi" make sense for this finding.
    pub answerable: bool,
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Shown; `buttons` says whether the user can answer on it.
    Shown { buttons: bool },
    /// This channel could not show it (why, for the journal and the user).
    Failed(String),
}

impl Delivery {
    /// The journal's record of it.
    pub fn outcome(&self) -> String {
        match self {
            Delivery::Shown { buttons: true } => "shown with buttons".into(),
            Delivery::Shown { buttons: false } => "shown".into(),
            Delivery::Failed(why) => format!("failed: {why}"),
        }
    }
}

/// A channel that shows alerts.
pub trait Alerter {
    /// A short name for the journal: `desktop`, `terminal`.
    fn channel(&self) -> &'static str;
    /// Shows the alert. Must return promptly whatever the channel does.
    fn deliver(&self, alert: &Alert, text: &AlertText) -> Delivery;
}

/// Called (from another thread) when the user answers an alert.
pub type AnswerHandler = Arc<dyn Fn(i64, Answer) + Send + Sync>;
