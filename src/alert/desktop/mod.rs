//! The desktop sink: `org.freedesktop.Notifications` notifications over one
//! session-bus connection, with one listener for the signals of every
//! notification shown (button clicks, closings).
//!
//! [`Desktop`] owns the connection. A thread of its own opens it and then
//! reads the bus for as long as it lives, so that showing 300 notifications
//! costs no thread and no file descriptor per notification: each `show` is
//! one method call on the shared connection, and what the user does with
//! the notification comes back as a [`DesktopEvent`] on one channel.
//!
//! Every call is bounded: the connection's method calls time out after the
//! [`Desktop`]'s timeout, and a connection that cannot be opened within it is
//! reported as such (the opening goes on in the background, one attempt at a
//! time). A broken connection (the bus restarted) is opened again by the
//! next call.
//!
//! The sink takes finished text and makes it safe for the server: the body
//! is escaped when the server renders markup, and the summary never carries
//! markup characters (see [`plain_summary`]).
//!
//! [`DesktopAlerter`] is the older [`super::Alerter`] face of the same sink,
//! kept for the callers that still use it.

mod alerter;
mod link;
mod markup;

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use zbus::Variant;
use zbus::names::OwnedUniqueName;

pub use alerter::DesktopAlerter;
use link::{Link, Stop};
pub use markup::{escape_markup, plain_summary};

/// The bus name, object path and interface of the notification server.
const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

/// How many events wait for the reader of [`Desktop::take_events`] before
/// further ones are dropped (with a warning): memory stays bounded when
/// nobody reads them.
const EVENT_QUEUE: usize = 4096;

/// How urgent a notification is (the `urgency` hint): the finding kind's.
pub use crate::matching::Urgency;

/// One notification, as finished plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopNotification {
    /// Plain text; markup characters are replaced (see [`plain_summary`]).
    pub summary: String,
    /// Plain text; escaped when the server renders markup in bodies.
    pub body: String,
    pub urgency: Urgency,
    /// (key, label) of each button; sent only when the server has the
    /// `actions` capability.
    pub actions: Vec<(String, String)>,
    /// The notification this one replaces on screen; 0 for a new one.
    pub replaces_id: u32,
}

/// What the server did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// The server's id for it (for `replaces_id`, `close` and events).
    pub id: u32,
    /// Whether its buttons were sent (the server shows actions and the
    /// notification had some).
    pub buttons: bool,
}

/// Something the user (or the server) did with a notification shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesktopEvent {
    /// The user clicked the button `key` of notification `id`.
    Action { id: u32, key: String },
    /// Notification `id` went away: `reason` 1 expired, 2 dismissed by the
    /// user, 3 closed by a call, 4 other (per the specification).
    Closed { id: u32, reason: u32 },
}

/// What the notification server can do, from `GetCapabilities`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Shows buttons.
    pub actions: bool,
    /// Renders markup in bodies (so bodies must be escaped).
    pub body_markup: bool,
    /// Renders links in bodies.
    pub body_hyperlinks: bool,
    /// Keeps notifications until the user dismisses them.
    pub persistence: bool,
}

impl Capabilities {
    fn from_names(names: &[String]) -> Capabilities {
        let has = |cap: &str| names.iter().any(|n| n == cap);
        Capabilities {
            actions: has("actions"),
            body_markup: has("body-markup"),
            body_hyperlinks: has("body-hyperlinks"),
            persistence: has("persistence"),
        }
    }
}

/// Why the desktop could not be reached. The texts are for logs; what the
/// user reads comes from `messages`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesktopError {
    /// No session bus, or the connection to it failed.
    #[error("cannot reach the session bus: {0}")]
    Bus(String),
    /// Nobody owns `org.freedesktop.Notifications` (and none could be started).
    #[error("no notification server on the session bus")]
    NoServer,
    /// The bus or the notification server did not answer in time.
    #[error("the notification server did not answer within {0:?}")]
    TimedOut(Duration),
    /// The server answered with an error, or an answer that makes no sense.
    #[error("the notification server failed: {0}")]
    Failed(String),
}

/// The desktop sink: one session-bus connection and one signal listener
/// for every notification. `Send + Sync`: share it (e.g. in an `Arc`)
/// between the threads that show notifications. Dropping it stops its
/// listener.
pub struct Desktop {
    shared: Arc<Shared>,
    events: Mutex<Option<Receiver<DesktopEvent>>>,
}

/// What the calling threads and the connection's thread share.
struct Shared {
    /// `None`: the session bus of the environment.
    address: Option<String>,
    timeout: Duration,
    state: Mutex<State>,
    /// Signalled when a connection attempt ends.
    attempt_done: Condvar,
    events: SyncSender<DesktopEvent>,
    stop: Stop,
}

#[derive(Default)]
struct State {
    link: Option<Link>,
    /// Number of the latest connection attempt.
    attempt: u64,
    connecting: bool,
    /// Why the latest attempt failed.
    failure: Option<DesktopError>,
    /// The server's capabilities and which connection of the server (its
    /// unique name) gave them; forgotten with the link.
    capabilities: Option<(Capabilities, OwnedUniqueName)>,
    /// The unique name of the server that answered last: the listener only
    /// takes signals from it,
    server: Option<OwnedUniqueName>,
    /// and only about the notifications shown through this sink on it and
    /// not closed yet (signals about other applications' notifications are
    /// broadcast too).
    shown: HashSet<u32>,
}

impl State {
    /// Notes that `server` answered; the ids of another server mean nothing
    /// on it.
    fn heard_from(&mut self, server: &OwnedUniqueName) {
        if self.server.as_ref() != Some(server) {
            self.shown.clear();
            self.server = Some(server.clone());
        }
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Desktop {
    /// Connects to the session bus of the environment
    /// (`DBUS_SESSION_BUS_ADDRESS`); every later call waits at most
    /// `timeout`. Fails if the bus cannot be reached within it; a missing
    /// notification server is not an error here (see [`Desktop::show`]).
    pub fn connect(timeout: Duration) -> Result<Desktop, DesktopError> {
        Desktop::open(None, timeout)
    }

    /// Like [`Desktop::connect`], to the bus at `address` (a D-Bus address
    /// such as `unix:path=/run/user/1000/bus`).
    pub fn connect_to(address: &str, timeout: Duration) -> Result<Desktop, DesktopError> {
        Desktop::open(Some(address.to_owned()), timeout)
    }

    fn open(address: Option<String>, timeout: Duration) -> Result<Desktop, DesktopError> {
        let (events, receiver) = sync_channel(EVENT_QUEUE);
        let shared = Arc::new(Shared {
            address,
            timeout,
            state: Mutex::new(State::default()),
            attempt_done: Condvar::new(),
            events,
            stop: Stop::default(),
        });
        let desktop = Desktop { shared, events: Mutex::new(Some(receiver)) };
        desktop.link(Instant::now() + timeout)?;
        Ok(desktop)
    }

    /// How long a call may wait for the bus or the server.
    pub fn timeout(&self) -> Duration {
        self.shared.timeout
    }

    /// The events of every notification shown, in the order the server sent
    /// them, through one listener. The receiver is handed out once; later
    /// calls get `None`. Events wait (up to 4096) until it is taken.
    pub fn take_events(&self) -> Option<Receiver<DesktopEvent>> {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
    }

    /// The server's capabilities: remembered for the connection, asked again
    /// after a reconnection or when another server has taken over.
    pub fn capabilities(&self) -> Result<Capabilities, DesktopError> {
        let link = self.link(Instant::now() + self.shared.timeout)?;
        let owner = self.owner(&link)?;
        Ok(self.capabilities_on(&link, owner.as_ref())?.0)
    }

    /// Shows `n`. Each call to the bus or the server waits at most the
    /// timeout, and the first one that meets a stalled bus or server ends
    /// `show` with [`DesktopError::TimedOut`]: it returns within the timeout
    /// (twice the timeout when the connection has to be opened again
    /// first). [`DesktopError::NoServer`] at once if there is no
    /// notification server.
    pub fn show(&self, n: &DesktopNotification) -> Result<Shown, DesktopError> {
        let link = self.link(Instant::now() + self.shared.timeout)?;
        // Which server will get it decides how the body is prepared: ask
        // the bus (cheap) rather than trust capabilities read earlier from
        // a server that may have been replaced since.
        let owner = self.owner(&link)?;
        let (caps, from) = self.capabilities_on(&link, owner.as_ref())?;
        let (id, server) = self.notify(&link, n, n.replaces_id, caps)?;
        if server == from {
            return Ok(Shown { id, buttons: caps.actions && !n.actions.is_empty() });
        }
        // Another server took over between the two calls: read its
        // capabilities and, if the body was prepared for the wrong kind of
        // server, show it again in place with the right preparation.
        let (fresh, _) = self.capabilities_on(&link, Some(&server))?;
        let id = if (fresh.body_markup, fresh.actions) != (caps.body_markup, caps.actions) {
            self.notify(&link, n, id, fresh)?.0
        } else {
            id
        };
        Ok(Shown { id, buttons: fresh.actions && !n.actions.is_empty() })
    }

    /// Closes notification `id` (the server then sends
    /// [`DesktopEvent::Closed`] with reason 3).
    pub fn close(&self, id: u32) -> Result<(), DesktopError> {
        let link = self.link(Instant::now() + self.shared.timeout)?;
        self.call(&link, "CloseNotification", &(id,)).map(|_| ())
    }

    fn notify(
        &self,
        link: &Link,
        n: &DesktopNotification,
        replaces_id: u32,
        caps: Capabilities,
    ) -> Result<(u32, OwnedUniqueName), DesktopError> {
        let body = if caps.body_markup { escape_markup(&n.body) } else { n.body.clone() };
        let actions: Vec<&str> = if caps.actions {
            n.actions.iter().flat_map(|(key, label)| [key.as_str(), label.as_str()]).collect()
        } else {
            Vec::new()
        };
        let (urgency, icon, expire_timeout) = match n.urgency {
            // 0: never expires; -1: the server's default.
            Urgency::Critical => (2u8, "dialog-warning", 0i32),
            Urgency::Normal => (1, "dialog-information", 0),
            Urgency::Low => (0, "dialog-information", -1),
        };
        let mut hints: HashMap<&str, Variant<'_>> = HashMap::new();
        hints.insert("urgency", Variant::U8(urgency));
        hints.insert("category", Variant::from("security"));
        hints.insert("resident", Variant::Bool(true));
        let summary = plain_summary(&n.summary);
        let args = ("vigie", replaces_id, icon, summary.as_str(), body.as_str(), actions, hints, expire_timeout);
        let reply = self.call(link, "Notify", &args)?;
        let id: u32 = reply.body().deserialize().map_err(|e| DesktopError::Failed(e.to_string()))?;
        let server = sender_of(&reply)?;
        let mut state = self.shared.state();
        state.heard_from(&server);
        state.shown.insert(id);
        Ok((id, server))
    }

    /// The unique name of the notification server now, `None` if there is
    /// none yet (the bus may still start one on demand).
    fn owner(&self, link: &Link) -> Result<Option<OwnedUniqueName>, DesktopError> {
        let reply = zbus::block_on(link.conn.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "GetNameOwner",
            &(NOTIFICATIONS,),
        ));
        match reply.map_err(|e| self.error_of(link, e)) {
            Ok(reply) => {
                let name: OwnedUniqueName =
                    reply.body().deserialize().map_err(|e| DesktopError::Failed(e.to_string()))?;
                Ok(Some(name))
            }
            Err(DesktopError::NoServer) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The capabilities of the server `owner` (asked if not known for it)
    /// and the server they came from.
    fn capabilities_on(
        &self,
        link: &Link,
        owner: Option<&OwnedUniqueName>,
    ) -> Result<(Capabilities, OwnedUniqueName), DesktopError> {
        if let Some(known) = self.shared.state().capabilities.clone().filter(|(_, from)| Some(from) == owner) {
            return Ok(known);
        }
        let reply = self.call(link, "GetCapabilities", &())?;
        let names: Vec<String> = reply.body().deserialize().map_err(|e| DesktopError::Failed(e.to_string()))?;
        let known = (Capabilities::from_names(&names), sender_of(&reply)?);
        let mut state = self.shared.state();
        if state.link.as_ref().is_some_and(|l| l.generation == link.generation) {
            state.capabilities = Some(known.clone());
        }
        state.heard_from(&known.1);
        Ok(known)
    }

    /// One method call on the notification server, bounded by the
    /// connection's method timeout.
    fn call<B>(&self, link: &Link, method: &str, body: &B) -> Result<zbus::Message, DesktopError>
    where
        B: serde::Serialize + zbus::DynamicType,
    {
        let result = zbus::block_on(link.conn.call_method(
            Some(NOTIFICATIONS),
            NOTIFICATIONS_PATH,
            Some(NOTIFICATIONS),
            method,
            body,
        ));
        result.map_err(|e| self.error_of(link, e))
    }

    /// What `e`, from a call on `link`, means for the caller. A connection
    /// found closed is forgotten, so that the next call opens a new one.
    fn error_of(&self, link: &Link, e: zbus::Error) -> DesktopError {
        if link.conn.is_closed() {
            link::forget(&self.shared, link.generation);
        }
        use zbus::fdo::Error as Fdo;
        match e {
            zbus::Error::InputOutput(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                DesktopError::TimedOut(self.shared.timeout)
            }
            zbus::Error::FDO(fdo) => match *fdo {
                Fdo::ServiceUnknown(_) | Fdo::NameHasNoOwner(_) => DesktopError::NoServer,
                Fdo::NoReply(_) | Fdo::TimedOut(_) | Fdo::Timeout(_) => DesktopError::TimedOut(self.shared.timeout),
                other => DesktopError::Failed(other.to_string()),
            },
            zbus::Error::InputOutput(io) => DesktopError::Bus(io.to_string()),
            other => DesktopError::Failed(other.to_string()),
        }
    }

    /// The live connection, opened (in the background) if there is none;
    /// waits until `deadline` at most.
    fn link(&self, deadline: Instant) -> Result<Link, DesktopError> {
        link::current(&self.shared, deadline)
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        link::shut(&self.shared);
    }
}

/// The unique name of the connection that sent `reply`.
fn sender_of(reply: &zbus::Message) -> Result<OwnedUniqueName, DesktopError> {
    let header = reply.header();
    let sender = header.sender().ok_or_else(|| DesktopError::Failed("reply without a sender".into()))?;
    Ok(sender.to_owned().into())
}
