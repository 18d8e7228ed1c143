//! The desktop sink (`vigie::alert::Desktop`) against a real notification
//! server on a private D-Bus session (tests/support/notify-capture.py):
//! what reaches the server, what comes back, what a flood costs, and how
//! every call stays bounded when the server or the bus misbehaves.
//!
//! The tests run one at a time (`serial`): the flood test counts the
//! process's threads and descriptors, which other tests would disturb.

mod common;

use std::process::Command;
use std::sync::mpsc::Receiver;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie::alert::{Desktop, DesktopError, DesktopEvent, DesktopNotification, Shown};
use vigie::matching::Urgency;

use common::Session;

const TIMEOUT: Duration = Duration::from_secs(2);

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn note(summary: &str, body: &str) -> DesktopNotification {
    DesktopNotification {
        summary: summary.into(),
        body: body.into(),
        urgency: Urgency::Critical,
        actions: vec![("mine".into(), "C'était moi".into()), ("not_mine".into(), "Ce n'était pas moi".into())],
        replaces_id: 0,
    }
}

/// The last `Notify` the recorder logged with this id.
fn notified(session: &Session, id: u32) -> Value {
    session
        .wait_for(|n| n["call"] == "Notify" && n["id"] == id, Duration::from_secs(5))
        .and_then(|_| session.notifications().into_iter().rev().find(|n| n["call"] == "Notify" && n["id"] == id))
        .expect("the notification reached the server")
}

fn next_event(events: &Receiver<DesktopEvent>) -> DesktopEvent {
    events.recv_timeout(Duration::from_secs(5)).expect("an event within 5 s")
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("/proc/self/task").count()
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").count()
}

/// Writes `line` straight to stderr: libtest swallows the eprintln! of
/// passing tests, and these figures are for the reader.
fn report(line: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

#[test]
fn a_body_is_escaped_when_the_server_renders_markup() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    assert!(desktop.capabilities().expect("capabilities").body_markup, "the recorder advertises body-markup");
    let body =
        "Objet : <a href=\"https://ameli-fr.com\">3646</a> <img src='https://t.example/x.png'/> & &#58;&#47;&#47;";
    let shown = desktop.show(&note("Faux message <b>ameli</b> & co", body)).expect("shown");
    let n = notified(&session, shown.id);
    assert_eq!(
        n["body"],
        "Objet : &lt;a href=&quot;https://ameli-fr.com&quot;&gt;3646&lt;/a&gt; \
         &lt;img src=&apos;https://t.example/x.png&apos;/&gt; &amp; &amp;#58;&amp;#47;&amp;#47;"
    );
    assert_eq!(n["summary"], "Faux message ‹b›ameli‹/b› ＆ co", "no markup character in the summary");
}

#[test]
fn a_body_is_plain_text_when_the_server_renders_no_markup() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    session.stop_notifications();
    session.start_notifications(Some("actions body persistence"));
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let caps = desktop.capabilities().expect("capabilities");
    assert!(!caps.body_markup && caps.actions && caps.persistence, "{caps:?}");
    let body = "Ce n'était pas « <vous> » & \"lui\"";
    let shown = desktop.show(&note("Connexion inconnue", body)).expect("shown");
    assert_eq!(notified(&session, shown.id)["body"], body);
}

#[test]
fn buttons_are_sent_only_when_the_server_shows_actions() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let shown = desktop.show(&note("Avec boutons", "b")).expect("shown");
    assert!(shown.buttons);
    let n = notified(&session, shown.id);
    assert_eq!(n["actions"]["mine"], "C'était moi");
    assert_eq!(n["actions"]["not_mine"], "Ce n'était pas moi");

    session.stop_notifications();
    session.start_notifications(Some("body body-markup"));
    let shown = desktop.show(&note("Sans boutons", "b")).expect("shown");
    assert!(!shown.buttons);
    let n = notified(&session, shown.id);
    assert_eq!(n["summary"], "Sans boutons");
    assert!(n["actions"].as_object().is_some_and(|a| a.is_empty()), "{n}");
}

#[test]
fn urgent_alerts_are_critical_persistent_and_categorised() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let critical = desktop.show(&note("Urgent", "b")).expect("shown");
    let n = notified(&session, critical.id);
    assert_eq!(n["app_name"], "vigie");
    assert_eq!(n["app_icon"], "dialog-warning");
    assert_eq!(n["hints"]["urgency"], 2);
    assert_eq!(n["hints"]["resident"], true);
    assert_eq!(n["hints"]["category"], "security");
    assert_eq!(n["expire_timeout"], 0, "never expires");

    let normal = desktop.show(&DesktopNotification { urgency: Urgency::Normal, ..note("Normal", "b") }).expect("shown");
    let n = notified(&session, normal.id);
    assert_eq!((n["hints"]["urgency"].clone(), n["app_icon"].clone()), (1.into(), "dialog-information".into()));
    let low = desktop.show(&DesktopNotification { urgency: Urgency::Low, ..note("Low", "b") }).expect("shown");
    let n = notified(&session, low.id);
    assert_eq!((n["hints"]["urgency"].clone(), n["expire_timeout"].clone()), (0.into(), (-1).into()));
}

#[test]
fn replaces_id_is_passed_through_and_the_server_id_returned() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let first = desktop.show(&note("Premier", "b")).expect("shown");
    let second = desktop.show(&note("Second", "b")).expect("shown");
    assert_ne!(first.id, second.id);
    let again = desktop.show(&DesktopNotification { replaces_id: first.id, ..note("Premier, à nouveau", "b") });
    assert_eq!(again.expect("shown").id, first.id, "the server's id (the recorder keeps the replaced one)");
    let n = notified(&session, first.id);
    assert_eq!((n["summary"].clone(), n["replaces_id"].clone()), ("Premier, à nouveau".into(), first.id.into()));
}

#[test]
fn a_click_yields_the_action_then_the_closing() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let events = desktop.take_events().expect("events");
    assert!(desktop.take_events().is_none(), "one receiver");
    let Shown { id, .. } = desktop.show(&note("Cliquez", "b")).expect("shown");
    session.invoke_action(id, "not_mine");
    assert_eq!(next_event(&events), DesktopEvent::Action { id, key: "not_mine".into() });
    assert_eq!(next_event(&events), DesktopEvent::Closed { id, reason: 2 });
}

#[test]
fn a_closing_yields_closed() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let events = desktop.take_events().expect("events");
    let first = desktop.show(&note("Fermée par l'utilisateur", "b")).expect("shown").id;
    let second = desktop.show(&note("Fermée par vigie", "b")).expect("shown").id;
    session.close(first, 2);
    assert_eq!(next_event(&events), DesktopEvent::Closed { id: first, reason: 2 });
    desktop.close(second).expect("close");
    assert_eq!(next_event(&events), DesktopEvent::Closed { id: second, reason: 3 });
    assert!(session.notifications().iter().any(|n| n["call"] == "CloseNotification" && n["id"] == second));
}

#[test]
fn signals_about_other_applications_notifications_are_ignored() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let events = desktop.take_events().expect("events");
    let ours = desktop.show(&note("La nôtre", "b")).expect("shown").id;
    let out = session
        .command("gdbus")
        .args(["call", "--session", "--dest", "org.freedesktop.Notifications"])
        .args(["--object-path", "/org/freedesktop/Notifications", "--method"])
        .args(["org.freedesktop.Notifications.Notify", "'other'", "uint32 0", "''", "'Autre'", "'b'"])
        .args(["@as []", "@a{sv} {}", "int32 -1"])
        .output()
        .expect("gdbus runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reply = String::from_utf8_lossy(&out.stdout);
    let other: u32 = reply.trim().trim_start_matches("(uint32 ").trim_end_matches(",)").parse().expect("an id");
    assert_ne!(other, ours);

    session.invoke_action(other, "mine");
    session.close(ours, 2);
    assert_eq!(next_event(&events), DesktopEvent::Closed { id: ours, reason: 2 }, "nothing about {other}");
}

/// Clicks `key` on every notification in `ids` from one helper process
/// (one gdbus per click would take seconds).
fn click_all(session: &Session, ids: &[u32], key: &str) {
    let script = r#"
import sys
import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib
bus = Gio.DBusConnection.new_for_address_sync(sys.argv[1],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
for nid in sys.argv[3:]:
    bus.call_sync("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
        "test.NotifyCapture", "InvokeAction", GLib.Variant("(us)", (int(nid), sys.argv[2])),
        None, Gio.DBusCallFlags.NONE, 5000, None)
"#;
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script, session.bus_address(), key])
        .args(ids.iter().map(u32::to_string))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "clicks failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn three_hundred_notifications_share_one_connection_and_one_listener() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let events = desktop.take_events().expect("events");
    desktop.show(&note("Échauffement", "b")).expect("shown");
    let (threads_before, fds_before) = (threads(), fds());

    let started = Instant::now();
    let ids: Vec<u32> =
        (0..300).map(|i| desktop.show(&note(&format!("Faux message {i}"), "b")).expect("shown").id).collect();
    let shown_in = started.elapsed();
    let (threads_pending, fds_pending) = (threads(), fds());

    click_all(&session, &ids, "mine");
    let mut clicked = std::collections::HashSet::new();
    let mut closed = std::collections::HashSet::new();
    while clicked.len() < ids.len() || closed.len() < ids.len() {
        match next_event(&events) {
            DesktopEvent::Action { id, key } if key == "mine" => assert!(clicked.insert(id), "one click for {id}"),
            DesktopEvent::Closed { id, reason: 2 } => assert!(clicked.contains(&id) && closed.insert(id)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(clicked, ids.iter().copied().collect());
    let (threads_after, fds_after) = (threads(), fds());

    report(&format!(
        "flood: 300 shown in {shown_in:?}; threads {threads_before} -> {threads_pending} (300 pending) -> \
         {threads_after} (after 600 events); fds {fds_before} -> {fds_pending} -> {fds_after}"
    ));
    assert!(threads_pending < 16 && threads_after < 16, "threads: {threads_pending}, {threads_after}");
    assert!(fds_pending <= fds_before + 2, "fds grew with notifications: {fds_before} -> {fds_pending}");
    assert!(fds_after <= fds_before + 2, "fds grew with events: {fds_before} -> {fds_after}");
}

#[test]
fn threads_showing_at_once_share_the_connection() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    desktop.show(&note("Échauffement", "b")).expect("shown");
    let (threads_before, fds_before) = (threads(), fds());
    let ids: Vec<u32> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|t| {
                let desktop = &desktop;
                scope.spawn(move || {
                    (0..25)
                        .map(|i| desktop.show(&note(&format!("{t}-{i}"), "b")).expect("shown").id)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 200, "one id per notification");
    let (threads_after, fds_after) = (threads(), fds());
    report(&format!("8 threads x 25: threads {threads_before} -> {threads_after}; fds {fds_before} -> {fds_after}"));
    assert!(threads_after <= threads_before + 1, "threads: {threads_before} -> {threads_after}");
    assert!(fds_after <= fds_before + 2, "fds: {fds_before} -> {fds_after}");
}

#[test]
fn a_server_that_never_answers_makes_show_time_out_within_the_bound() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let timeout = Duration::from_secs(1);
    let desktop = Desktop::connect_to(session.bus_address(), timeout).expect("connect");
    desktop.show(&note("Avant", "b")).expect("shown");

    session.pause_notifications();
    let started = Instant::now();
    let outcome = desktop.show(&note("Pendant", "b"));
    let waited = started.elapsed();
    // A desktop connected while the server is frozen: its capabilities
    // are asked, and that times out the same way.
    let fresh = Desktop::connect_to(session.bus_address(), timeout).expect("the bus itself answers");
    let started = Instant::now();
    let fresh_outcome = fresh.show(&note("Pendant, nouveau", "b"));
    let fresh_waited = started.elapsed();
    session.resume_notifications();

    report(&format!("frozen server: show failed after {waited:?} and {fresh_waited:?} (timeout {timeout:?})"));
    assert_eq!(outcome, Err(DesktopError::TimedOut(timeout)));
    assert_eq!(fresh_outcome, Err(DesktopError::TimedOut(timeout)));
    for w in [waited, fresh_waited] {
        assert!(w >= timeout && w < timeout + Duration::from_secs(1), "waited {w:?}");
    }
    desktop.show(&note("Après", "b")).expect("the same connection works once the server answers again");
}

#[test]
fn a_stalled_bus_makes_every_call_time_out_within_the_bound() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let timeout = Duration::from_secs(1);
    let connected = Desktop::connect_to(session.bus_address(), timeout).expect("connect");
    connected.show(&note("Avant", "b")).expect("shown");

    session.pause_bus();
    let started = Instant::now();
    let show = connected.show(&note("Pendant", "b"));
    let show_waited = started.elapsed();
    let started = Instant::now();
    let connect = Desktop::connect_to(session.bus_address(), timeout).map(|_| ());
    let connect_waited = started.elapsed();
    session.resume_bus();

    report(&format!("frozen bus: show failed after {show_waited:?}, connect after {connect_waited:?}"));
    assert_eq!(show, Err(DesktopError::TimedOut(timeout)));
    assert_eq!(connect, Err(DesktopError::TimedOut(timeout)));
    for w in [show_waited, connect_waited] {
        assert!(w >= timeout && w < timeout + Duration::from_secs(1), "waited {w:?}");
    }
    connected.show(&note("Après", "b")).expect("the same connection works once the bus answers again");
}

#[test]
fn a_missing_server_fails_cleanly() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    session.stop_notifications();
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("the bus is there");
    let started = Instant::now();
    assert_eq!(desktop.show(&note("Personne", "b")), Err(DesktopError::NoServer));
    assert_eq!(desktop.capabilities(), Err(DesktopError::NoServer));
    assert!(started.elapsed() < TIMEOUT, "fails at once, not by timing out: {:?}", started.elapsed());

    session.start_notifications(None);
    let shown = desktop.show(&note("Quelqu'un", "b")).expect("a server that comes later is used");
    assert_eq!(notified(&session, shown.id)["summary"], "Quelqu'un");
}

#[test]
fn a_missing_bus_fails_cleanly() {
    let _serial = serial();
    let started = Instant::now();
    let outcome = Desktop::connect_to("unix:path=/nonexistent/vigie-test-bus", TIMEOUT);
    assert!(matches!(outcome, Err(DesktopError::Bus(_))), "{:?}", outcome.err());
    assert!(started.elapsed() < TIMEOUT, "fails at once, not by timing out: {:?}", started.elapsed());
}

#[test]
fn a_broken_bus_connection_is_made_again_lazily() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let events = desktop.take_events().expect("events");
    desktop.show(&note("Avant", "b")).expect("shown");
    let threads_before = threads();

    session.restart();
    // The old connection's end may be noticed a moment later; a call made
    // in between fails and forgets it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let shown = loop {
        match desktop.show(&note("Après", "b")) {
            Ok(shown) => break shown,
            Err(e) => assert!(Instant::now() < deadline, "no reconnection: {e}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(notified(&session, shown.id)["summary"], "Après");
    session.invoke_action(shown.id, "mine");
    assert_eq!(next_event(&events), DesktopEvent::Action { id: shown.id, key: "mine".into() });
    assert!(threads() <= threads_before + 1, "the old listener is gone: {threads_before} -> {}", threads());
}

#[test]
fn a_server_taking_over_gets_a_body_prepared_for_it() {
    let _serial = serial();
    let Some(session) = Session::start() else { return };
    session.stop_notifications();
    session.start_notifications(Some("actions body"));
    let desktop = Desktop::connect_to(session.bus_address(), TIMEOUT).expect("connect");
    let plain = desktop.show(&note("Avant", "a <b> & c")).expect("shown");
    assert_eq!(notified(&session, plain.id)["body"], "a <b> & c");

    session.stop_notifications();
    session.start_notifications(None);
    let marked = desktop.show(&note("Après", "a <b> & c")).expect("shown");
    let bodies: Vec<Value> = session
        .notifications()
        .into_iter()
        .filter(|n| n["call"] == "Notify" && n["summary"] == "Après")
        .map(|n| n["body"].clone())
        .collect();
    assert_eq!(bodies, ["a &lt;b&gt; &amp; c"], "escaped from the first call to the new server");
    assert_eq!(marked.id, 1, "the new server's own id");
}
