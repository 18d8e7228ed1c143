//! [`DesktopAlerter`]: the [`Alerter`] face of the desktop sink, for the
//! callers that still show alerts through it.
//!
//! Every `DesktopAlerter` of the process shares one [`Desktop`] (one
//! connection, one listener) and one dispatcher thread that turns clicks
//! into answers: "C'était moi" / "Ce n'était pas moi" keep working after
//! the alerter that showed the notification is gone, as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::{Desktop, DesktopError, DesktopEvent, DesktopNotification, Urgency};
use crate::alert::{Alert, AlertText, Alerter, AnswerHandler, Delivery};
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

/// The process's sink and the alerts waiting for a click.
struct Shared {
    desktop: Desktop,
    pending: Mutex<HashMap<u32, Pending>>,
}

/// An alert shown with buttons, by notification id.
struct Pending {
    finding_id: i64,
    answers: AnswerHandler,
    /// Shown again after "Ce n'était pas moi".
    steps: AlertText,
}

static SHARED: Mutex<Option<Arc<Shared>>> = Mutex::new(None);

impl Shared {
    fn pending(&self) -> MutexGuard<'_, HashMap<u32, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The process's sink, connected on first use (again after a failure).
fn shared(timeout: Duration) -> Result<Arc<Shared>, DesktopError> {
    let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(shared) = slot.as_ref() {
        return Ok(Arc::clone(shared));
    }
    let desktop = Desktop::connect(timeout)?;
    let events = desktop.take_events();
    let shared = Arc::new(Shared { desktop, pending: Mutex::new(HashMap::new()) });
    if let Some(events) = events {
        let dispatcher = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("vigie-answers".into())
            .spawn(move || {
                for event in events {
                    dispatch(&dispatcher, event);
                }
            })
            .map_err(|e| DesktopError::Failed(e.to_string()))?;
    }
    *slot = Some(Arc::clone(&shared));
    Ok(shared)
}

fn dispatch(shared: &Shared, event: DesktopEvent) {
    let (id, key) = match event {
        DesktopEvent::Action { id, key } => (id, key),
        DesktopEvent::Closed { id, .. } => {
            shared.pending().remove(&id);
            return;
        }
    };
    let Some(pending) = shared.pending().remove(&id) else { return };
    match key.as_str() {
        "mine" => (pending.answers)(pending.finding_id, Answer::Mine),
        "not_mine" => {
            (pending.answers)(pending.finding_id, Answer::NotMine);
            if let Err(e) = shared.desktop.show(&notification(&pending.steps, Vec::new())) {
                tracing::warn!(error = %e, "desktop: cannot show the steps again");
            }
        }
        _ => {}
    }
}

fn notification(text: &AlertText, actions: Vec<(String, String)>) -> DesktopNotification {
    DesktopNotification {
        summary: text.summary.clone(),
        body: text.body.clone(),
        urgency: if text.critical { Urgency::Critical } else { Urgency::Normal },
        actions,
        replaces_id: 0,
    }
}

impl DesktopAlerter {
    pub fn new(lang: Lang, answers: Option<AnswerHandler>) -> DesktopAlerter {
        DesktopAlerter { lang, answers, timeout: Duration::from_secs(5) }
    }

    /// Whether a notification server answers, and whether it shows buttons.
    pub fn probe(&self) -> Result<bool, String> {
        let shared = shared(self.timeout).map_err(|e| self.reason(&e))?;
        shared.desktop.capabilities().map(|caps| caps.actions).map_err(|e| self.reason(&e))
    }

    fn reason(&self, e: &DesktopError) -> String {
        match e {
            DesktopError::TimedOut(_) => messages::timed_out(self.lang),
            other => other.to_string(),
        }
    }
}

impl Alerter for DesktopAlerter {
    fn channel(&self) -> &'static str {
        "desktop"
    }

    fn deliver(&self, alert: &Alert, text: &AlertText) -> Delivery {
        let shared = match shared(self.timeout) {
            Ok(shared) => shared,
            Err(e) => return Delivery::Failed(self.reason(&e)),
        };
        let answers = self.answers.clone().filter(|_| text.answerable);
        let actions = if answers.is_some() {
            vec![
                ("mine".to_owned(), messages::button_mine(self.lang).to_owned()),
                ("not_mine".to_owned(), messages::button_not_mine(self.lang).to_owned()),
            ]
        } else {
            Vec::new()
        };
        match shared.desktop.show(&notification(text, actions)) {
            Ok(shown) => {
                if let Some(answers) = answers.filter(|_| shown.buttons) {
                    let steps = messages::steps_text(alert, self.lang);
                    shared.pending().insert(shown.id, Pending { finding_id: alert.finding_id, answers, steps });
                }
                Delivery::Shown { buttons: shown.buttons }
            }
            Err(e) => Delivery::Failed(self.reason(&e)),
        }
    }
}
