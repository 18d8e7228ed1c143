//! The desktop sink's connection and its one thread.
//!
//! The thread opens the connection, hands it over, then reads the signals
//! of the notification server from it until the connection closes or the
//! [`super::Desktop`] is dropped. The connection lives on that thread's
//! runtime (`zbus::block_on`), so reading the bus costs no other thread;
//! callers make their method calls from their own threads.
//!
//! Opening is bounded for the caller, who waits at most until its deadline;
//! an opening that hangs (a stalled bus) goes on in the background, and
//! callers wait for that same attempt instead of starting another one: at
//! most one such thread exists.

use std::future::poll_fn;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TrySendError;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use zbus::export::futures_core::Stream;
use zbus::message::Type;
use zbus::{Connection, MatchRule, Message, MessageStream};

use super::{DesktopError, DesktopEvent, NOTIFICATIONS, NOTIFICATIONS_PATH, Shared};

/// Signals queued between the socket and the listener; the listener drains
/// them at once, so this only absorbs bursts.
const SIGNAL_QUEUE: usize = 1024;

/// An open connection, numbered by the attempt that opened it.
#[derive(Clone)]
pub(super) struct Link {
    pub(super) conn: Connection,
    pub(super) generation: u64,
}

/// Tells the connection's thread to stop (the `Desktop` is gone).
#[derive(Default)]
pub(super) struct Stop {
    stopped: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Stop {
    fn set(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        if let Some(waker) = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take() {
            waker.wake();
        }
    }

    /// Whether stopped; otherwise `cx` is woken when it is.
    fn poll(&self, cx: &Context<'_>) -> bool {
        *self.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
        self.stopped.load(Ordering::SeqCst)
    }

    fn is_set(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }
}

/// The live connection of `shared`, or the outcome of an attempt to open
/// one, waiting until `deadline` at most.
pub(super) fn current(shared: &Arc<Shared>, deadline: Instant) -> Result<Link, DesktopError> {
    let mut state = shared.state();
    if let Some(link) = &state.link {
        if !link.conn.is_closed() {
            return Ok(link.clone());
        }
        state.link = None;
        state.capabilities = None;
    }
    if !state.connecting {
        state.attempt += 1;
        state.connecting = true;
        state.failure = None;
        let (shared, attempt) = (Arc::clone(shared), state.attempt);
        let spawned = std::thread::Builder::new()
            .name("vigie-desktop".into())
            .spawn(move || zbus::block_on(run(&shared, attempt)));
        if let Err(e) = spawned {
            state.connecting = false;
            return Err(DesktopError::Bus(e.to_string()));
        }
    }
    let attempt = state.attempt;
    loop {
        if let Some(link) = state.link.as_ref().filter(|l| l.generation == attempt) {
            return Ok(link.clone());
        }
        if !state.connecting || state.attempt != attempt {
            return Err(state.failure.clone().unwrap_or_else(|| DesktopError::Bus("connection lost".into())));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(DesktopError::TimedOut(shared.timeout));
        }
        state = shared.attempt_done.wait_timeout(state, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
    }
}

/// Forgets the connection of attempt `generation` (found closed).
pub(super) fn forget(shared: &Shared, generation: u64) {
    let mut state = shared.state();
    if state.link.as_ref().is_some_and(|l| l.generation == generation) {
        state.link = None;
        state.capabilities = None;
    }
}

/// Stops the connection's thread and drops the connection.
pub(super) fn shut(shared: &Shared) {
    shared.stop.set();
    let mut state = shared.state();
    state.link = None;
    state.capabilities = None;
}

/// The connection's thread: open, hand over, listen.
async fn run(shared: &Shared, attempt: u64) {
    let opened = open(shared).await;
    let stream = {
        let mut state = shared.state();
        state.connecting = false;
        let stream = match opened {
            Ok((conn, stream)) if !shared.stop.is_set() => {
                state.link = Some(Link { conn, generation: attempt });
                state.capabilities = None;
                Some(stream)
            }
            Ok(_) => None,
            Err(e) => {
                state.failure = Some(e);
                None
            }
        };
        shared.attempt_done.notify_all();
        stream
    };
    if let Some(stream) = stream {
        listen(shared, stream).await;
        forget(shared, attempt);
    }
}

/// Opens the connection and subscribes to the server's signals (before any
/// notification is shown on it, so that none of their signals is missed).
async fn open(shared: &Shared) -> Result<(Connection, MessageStream), DesktopError> {
    let builder = match &shared.address {
        Some(address) => zbus::connection::Builder::address(address.as_str()),
        None => zbus::connection::Builder::session(),
    };
    let bus = |e: zbus::Error| DesktopError::Bus(e.to_string());
    let conn = builder.method_timeout(shared.timeout).build().await.map_err(bus)?;
    // `sender` makes the bus pass on only the broadcasts of the server;
    // signals sent straight to us are checked against the server in
    // `listen`.
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .sender(NOTIFICATIONS)
        .interface(NOTIFICATIONS)
        .path(NOTIFICATIONS_PATH)
        .build()
        .map_err(bus)?;
    let stream = MessageStream::for_match_rule(rule, &conn, NonZeroUsize::new(SIGNAL_QUEUE)).await.map_err(bus)?;
    Ok((conn, stream))
}

/// Turns the server's signals into events until the connection closes or
/// the sink stops.
async fn listen(shared: &Shared, mut stream: MessageStream) {
    loop {
        let next = poll_fn(|cx| {
            if shared.stop.poll(cx) {
                return Poll::Ready(None);
            }
            Pin::new(&mut stream).poll_next(cx)
        })
        .await;
        let message = match next {
            None => return,
            Some(Ok(message)) => message,
            Some(Err(e)) => {
                tracing::debug!(error = %e, "desktop: unreadable message");
                continue;
            }
        };
        let Some(event) = event_of(shared, &message) else { continue };
        match shared.events.try_send(event) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(event)) => tracing::warn!(?event, "desktop: event queue full, event dropped"),
        }
    }
}

/// The event `message` carries, if it is a signal of the server we talk to
/// about a notification shown through this sink.
fn event_of(shared: &Shared, message: &Message) -> Option<DesktopEvent> {
    let header = message.header();
    let body = message.body();
    let event = match header.member().map(|m| m.as_str()) {
        Some("ActionInvoked") => {
            body.deserialize::<(u32, String)>().ok().map(|(id, key)| DesktopEvent::Action { id, key })
        }
        Some("NotificationClosed") => {
            body.deserialize::<(u32, u32)>().ok().map(|(id, reason)| DesktopEvent::Closed { id, reason })
        }
        _ => None,
    }?;
    let mut state = shared.state();
    let from_server =
        header.sender().is_some_and(|s| state.server.as_ref().is_some_and(|server| server.as_ref() == *s));
    if !from_server {
        tracing::debug!(sender = ?header.sender(), "desktop: signal from another connection ignored");
        return None;
    }
    let ours = match &event {
        DesktopEvent::Action { id, .. } => state.shown.contains(id),
        DesktopEvent::Closed { id, .. } => state.shown.remove(id),
    };
    ours.then_some(event)
}
