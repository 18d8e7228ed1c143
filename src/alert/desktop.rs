//! The desktop channel: an `org.freedesktop.Notifications` notification
//! (through `notify-rust`), urgent and persistent, with "C'était moi" /
//! "Ce n'était pas moi" buttons where the server supports actions.
//!
//! D-Bus calls run on a thread of their own and the caller waits at most
//! [`DesktopAlerter::timeout`]: a missing or stuck notification server never
//! hangs vigie. The same thread then waits for the user's click, if any.

use std::sync::mpsc;
use std::time::Duration;

use notify_rust::{Hint, Notification, Timeout, Urgency};

use super::{Alert, AlertText, Alerter, AnswerHandler, Delivery};
use crate::journal::Answer;
use crate::messages::{self, Lang};

pub struct DesktopAlerter {
    pub lang: Lang,
    /// Where answers go; `None` shows no buttons (nobody would listen, e.g.
    /// a one-shot command that exits right away).
    pub answers: Option<AnswerHandler>,
    /// How long to wait for the notification server.
    pub timeout: Duration,
}

impl DesktopAlerter {
    pub fn new(lang: Lang, answers: Option<AnswerHandler>) -> DesktopAlerter {
        DesktopAlerter { lang, answers, timeout: Duration::from_secs(5) }
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
            Err(_) => Err(messages::timed_out(self.lang)),
        }
    }
}

fn notification(text: &AlertText) -> Notification {
    let mut n = Notification::new();
    n.appname("vigie")
        .summary(&text.summary)
        .body(&text.body)
        .icon(if text.critical { "dialog-warning" } else { "dialog-information" })
        .hint(Hint::Category("security".into()))
        .hint(Hint::Resident(true))
        .urgency(if text.critical { Urgency::Critical } else { Urgency::Normal })
        .timeout(Timeout::Never);
    n
}

impl Alerter for DesktopAlerter {
    fn channel(&self) -> &'static str {
        "desktop"
    }

    fn deliver(&self, alert: &Alert, text: &AlertText) -> Delivery {
        let (tx, rx) = mpsc::channel();
        let answers = self.answers.clone().filter(|_| text.answerable);
        let (lang, finding_id, text) = (self.lang, alert.finding_id, text.clone());
        let steps = messages::steps_text(alert, lang);
        std::thread::spawn(move || {
            let buttons = answers.is_some()
                && notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "actions"));
            let mut n = notification(&text);
            if buttons {
                n.action("mine", messages::button_mine(lang)).action("not_mine", messages::button_not_mine(lang));
            }
            let handle = match n.show() {
                Ok(handle) => handle,
                Err(e) => {
                    let _ = tx.send(Delivery::Failed(e.to_string()));
                    return;
                }
            };
            let _ = tx.send(Delivery::Shown { buttons });
            if let Some(answers) = answers.filter(|_| buttons) {
                // The closure runs inside the D-Bus runtime: note the click
                // there, act on it here (showing another notification from
                // inside would wait on the runtime's own thread).
                let mut chosen = String::new();
                handle.wait_for_action(|action| chosen = action.to_owned());
                match chosen.as_str() {
                    "mine" => answers(finding_id, Answer::Mine),
                    "not_mine" => {
                        answers(finding_id, Answer::NotMine);
                        let _ = notification(&steps).show();
                    }
                    _ => {}
                }
            }
        });
        rx.recv_timeout(self.timeout).unwrap_or_else(|_| Delivery::Failed(messages::timed_out(self.lang)))
    }
}
