//! [`DesktopAlerter`]: the [`Alerter`] face of the desktop sink.
//!
//! Every `DesktopAlerter` of the process shares one [`Desktop`] (one
//! connection, one listener), connected on first use and again after a
//! failure to connect. The agent takes its events ([`DesktopAlerter::events`])
//! and turns clicks into answers through the journal; this file only shows
//! and closes notifications.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Desktop, DesktopError, DesktopEvent, DesktopNotification};
use crate::alert::{AlertText, Alerter, Delivery};

/// How long to wait for the bus and the notification server.
const TIMEOUT: Duration = Duration::from_secs(5);

static DESKTOP: Mutex<Option<Arc<Desktop>>> = Mutex::new(None);

/// The process's sink, connected on first use (again after a failure).
fn desktop() -> Result<Arc<Desktop>, DesktopError> {
    let mut slot = DESKTOP.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(desktop) = slot.as_ref() {
        return Ok(Arc::clone(desktop));
    }
    let desktop = Arc::new(Desktop::connect(TIMEOUT)?);
    *slot = Some(Arc::clone(&desktop));
    Ok(desktop)
}

pub struct DesktopAlerter {
    /// Show the buttons: someone listens for the clicks (the agent). A
    /// one-shot command shows none, and the body says how to answer.
    pub buttons: bool,
}

impl DesktopAlerter {
    pub fn new(buttons: bool) -> DesktopAlerter {
        DesktopAlerter { buttons }
    }

    /// Whether a notification server answers, and whether it shows buttons.
    pub fn probe(&self) -> Result<bool, String> {
        desktop().and_then(|d| d.capabilities()).map(|caps| caps.actions).map_err(|e| e.to_string())
    }

    /// The clicks and closings of every notification this process shows;
    /// handed out once (to the agent's one listener).
    pub fn events() -> Option<Receiver<DesktopEvent>> {
        desktop().ok().and_then(|d| d.take_events())
    }
}

impl Alerter for DesktopAlerter {
    fn channel(&self) -> &'static str {
        "desktop"
    }

    fn deliver(&self, text: &AlertText, replaces: Option<u32>) -> Delivery {
        let desktop = match desktop() {
            Ok(desktop) => desktop,
            Err(e) => return Delivery::Failed(e.to_string()),
        };
        let actions_shown = desktop.capabilities().is_ok_and(|caps| caps.actions);
        let buttons = self.buttons && actions_shown && !text.actions.is_empty();
        let mut body = text.body.clone();
        if let Some(line) = text.answer_line.as_deref().filter(|_| !buttons) {
            body.push_str("\n\n");
            body.push_str(line);
        }
        let notification = DesktopNotification {
            summary: text.summary.clone(),
            body,
            urgency: text.urgency,
            actions: if buttons { text.actions.clone() } else { Vec::new() },
            replaces_id: replaces.unwrap_or(0),
        };
        match desktop.show(&notification) {
            Ok(shown) => Delivery::Shown { notification_id: Some(shown.id), buttons: shown.buttons },
            Err(e) => Delivery::Failed(e.to_string()),
        }
    }

    fn close(&self, notification_id: u32) {
        if let Ok(desktop) = desktop()
            && let Err(e) = desktop.close(notification_id)
        {
            tracing::warn!(notification_id, error = %e, "cannot close the notification");
        }
    }
}
