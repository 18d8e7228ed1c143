//! The desktop channel: an `org.freedesktop.Notifications` notification,
//! persistent, at the finding's urgency, replacing the one shown before for
//! the same finding. (Interim implementation over notify-rust.)

use std::sync::mpsc;
use std::time::Duration;

use notify_rust::{Hint, Notification, Timeout, Urgency as NotifyUrgency};

use super::{AlertText, Alerter, Delivery};
use crate::matching::Urgency;

pub struct DesktopAlerter {
    /// Show buttons (someone listens for the clicks).
    pub buttons: bool,
    /// How long to wait for the notification server.
    pub timeout: Duration,
}

impl DesktopAlerter {
    pub fn new(buttons: bool) -> DesktopAlerter {
        DesktopAlerter { buttons, timeout: Duration::from_secs(5) }
    }

    /// Whether a notification server answers, and whether it shows buttons.
    pub fn probe(&self) -> Result<bool, String> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(notify_rust::get_capabilities().map_err(|e| e.to_string()));
        });
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(caps)) => Ok(caps.iter().any(|c| c == "actions")),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("timeout".into()),
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Alerter for DesktopAlerter {
    fn channel(&self) -> &'static str {
        "desktop"
    }

    fn deliver(&self, text: &AlertText, replaces: Option<u32>) -> Delivery {
        let (tx, rx) = mpsc::channel();
        let text = text.clone();
        let want_buttons = self.buttons;
        std::thread::spawn(move || {
            let caps = notify_rust::get_capabilities().unwrap_or_default();
            let buttons = want_buttons && caps.iter().any(|c| c == "actions") && !text.actions.is_empty();
            let markup = caps.iter().any(|c| c == "body-markup");
            let mut body = text.body.clone();
            if let Some(line) = text.answer_line.as_deref().filter(|_| !buttons) {
                body.push_str("\n\n");
                body.push_str(line);
            }
            let body = if markup { escape(&body) } else { body };
            let mut n = Notification::new();
            n.appname("vigie")
                .summary(&text.summary)
                .body(&body)
                .icon(if text.urgency == Urgency::Critical { "dialog-warning" } else { "dialog-information" })
                .hint(Hint::Category("security".into()))
                .hint(Hint::Resident(true))
                .urgency(match text.urgency {
                    Urgency::Low => NotifyUrgency::Low,
                    Urgency::Normal => NotifyUrgency::Normal,
                    Urgency::Critical => NotifyUrgency::Critical,
                })
                .timeout(Timeout::Never);
            if let Some(id) = replaces {
                n.id(id);
            }
            if buttons {
                for (key, label) in &text.actions {
                    n.action(key, label);
                }
            }
            let _ = tx.send(match n.show() {
                Ok(handle) => Delivery::Shown { notification_id: Some(handle.id()), buttons },
                Err(e) => Delivery::Failed(e.to_string()),
            });
        });
        rx.recv_timeout(self.timeout).unwrap_or_else(|_| Delivery::Failed("timeout".into()))
    }
}
