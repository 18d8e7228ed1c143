//! The middle of the flow, one job per file:
//!
//! - [`record`]: raw message → journal (recognise, then store once);
//! - [`evaluate`]: journal → findings raised or explained, and the alerts
//!   due a showing (new, retried, reminded; floods grouped);
//! - [`history`]: the browsers' history → own logins, when a notice may
//!   need them;
//! - [`deliver`]: alerts → sinks → journal (what was shown, where, under
//!   which notification id), and the user's clicks back into the journal.
//!
//! The watcher (`crate::agent`) drives them for `check` and `run`; the demo
//! uses them too, with a fixed time.

pub mod deliver;
pub mod evaluate;
pub mod history;
pub mod record;

use chrono::{DateTime, Utc};

/// A source of the current time, so that tests and the demo can fix it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
