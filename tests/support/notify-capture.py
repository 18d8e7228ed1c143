#!/usr/bin/python3
"""vigie test support: fake desktop notification server (no X server needed).

    notify-capture.py LOGFILE

Owns org.freedesktop.Notifications on the session bus given by
DBUS_SESSION_BUS_ADDRESS and appends one JSON object per call to LOGFILE:

    {"call": "Notify", "id": 1, "app_name": "...", "replaces_id": 0,
     "app_icon": "", "summary": "...", "body": "...",
     "actions": {"default": "Open"}, "hints": {"urgency": 2, ...},
     "expire_timeout": -1, "sender": ":1.4", "time": 1700000000.0}
    {"call": "CloseNotification", "id": 1, "time": ...}

NOTIFY_CAPTURE_CAPS (space-separated) replaces the capabilities it
advertises.

hints.urgency is 0 (low), 1 (normal) or 2 (critical); it is absent when
the sender set none. Image hints are logged as "<image WxH>".

Prints "ready" on stdout once the name is owned. Exits with status 1 if
another notification server already owns the name.

Tests can play the user with the extra interface test.NotifyCapture:

    gdbus call --session --dest org.freedesktop.Notifications \\
      --object-path /org/freedesktop/Notifications \\
      --method test.NotifyCapture.InvokeAction 1 default
    ... --method test.NotifyCapture.Close 1 2      # reason 2 = dismissed

InvokeAction emits ActionInvoked and then NotificationClosed (reason 2), as a
real server does when the user clicks.

Needs Debian's python3-gi (uses /usr/bin/python3 on purpose).
"""
import json
import os
import signal
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg direction="in" type="s" name="app_name"/>
      <arg direction="in" type="u" name="replaces_id"/>
      <arg direction="in" type="s" name="app_icon"/>
      <arg direction="in" type="s" name="summary"/>
      <arg direction="in" type="s" name="body"/>
      <arg direction="in" type="as" name="actions"/>
      <arg direction="in" type="a{sv}" name="hints"/>
      <arg direction="in" type="i" name="expire_timeout"/>
      <arg direction="out" type="u" name="id"/>
    </method>
    <method name="CloseNotification">
      <arg direction="in" type="u" name="id"/>
    </method>
    <method name="GetCapabilities">
      <arg direction="out" type="as" name="capabilities"/>
    </method>
    <method name="GetServerInformation">
      <arg direction="out" type="s" name="name"/>
      <arg direction="out" type="s" name="vendor"/>
      <arg direction="out" type="s" name="version"/>
      <arg direction="out" type="s" name="spec_version"/>
    </method>
    <signal name="NotificationClosed">
      <arg type="u" name="id"/>
      <arg type="u" name="reason"/>
    </signal>
    <signal name="ActionInvoked">
      <arg type="u" name="id"/>
      <arg type="s" name="action_key"/>
    </signal>
  </interface>
  <interface name="test.NotifyCapture">
    <method name="InvokeAction">
      <arg direction="in" type="u" name="id"/>
      <arg direction="in" type="s" name="action_key"/>
    </method>
    <method name="Close">
      <arg direction="in" type="u" name="id"/>
      <arg direction="in" type="u" name="reason"/>
    </method>
  </interface>
</node>
"""
CAPABILITIES = ["actions", "body", "body-hyperlinks", "body-markup",
                "icon-static", "persistence"]
# NOTIFY_CAPTURE_CAPS="body persistence" plays a server with other
# capabilities (e.g. one that renders no markup, or shows no buttons).
if os.environ.get("NOTIFY_CAPTURE_CAPS") is not None:
    CAPABILITIES = os.environ["NOTIFY_CAPTURE_CAPS"].split()

if len(sys.argv) != 2:
    sys.exit("usage: notify-capture.py LOGFILE")
log = open(sys.argv[1], "a", buffering=1)  # line-buffered: readable at once
loop = GLib.MainLoop()
last_id = 0
exit_code = 0


def record(entry):
    entry["time"] = time.time()
    log.write(json.dumps(entry, default=repr) + "\n")


def hint_value(variant):
    if variant.get_type_string() == "(iiibiiay)":  # image-data: keep the size only
        w, h = variant.unpack()[:2]
        return f"<image {w}x{h}>"
    return variant.unpack()


def emit(conn, signal_name, args):
    conn.emit_signal(None, PATH, NAME, signal_name, args)


def on_call(conn, sender, path, iface, method, params, invocation):
    global last_id
    if method == "Notify":
        app, replaces, icon, summary, body, actions, hints, timeout = params.unpack()
        if replaces:
            nid = replaces
        else:
            last_id += 1
            nid = last_id
        hints_in = params.get_child_value(6)
        record({
            "call": "Notify", "id": nid, "app_name": app, "replaces_id": replaces,
            "app_icon": icon, "summary": summary, "body": body,
            "actions": dict(zip(actions[0::2], actions[1::2])),
            "hints": {k: hint_value(hints_in.lookup_value(k, None)) for k in hints},
            "expire_timeout": timeout, "sender": sender,
        })
        invocation.return_value(GLib.Variant("(u)", (nid,)))
    elif method == "CloseNotification":
        (nid,) = params.unpack()
        record({"call": "CloseNotification", "id": nid})
        invocation.return_value(None)
        emit(conn, "NotificationClosed", GLib.Variant("(uu)", (nid, 3)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (CAPABILITIES,)))
    elif method == "GetServerInformation":
        invocation.return_value(
            GLib.Variant("(ssss)", ("notify-capture", "test", "1.0", "1.2")))
    elif method == "InvokeAction":
        nid, key = params.unpack()
        record({"call": "InvokeAction", "id": nid, "action_key": key})
        invocation.return_value(None)
        emit(conn, "ActionInvoked", GLib.Variant("(us)", (nid, key)))
        emit(conn, "NotificationClosed", GLib.Variant("(uu)", (nid, 2)))
    elif method == "Close":
        nid, reason = params.unpack()
        record({"call": "Close", "id": nid, "reason": reason})
        invocation.return_value(None)
        emit(conn, "NotificationClosed", GLib.Variant("(uu)", (nid, reason)))


def on_bus(conn, _name):
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    for iface in node.interfaces:
        conn.register_object(PATH, iface, on_call, None, None)


def on_name(_conn, _name):
    print("ready", flush=True)


def on_name_lost(conn, _name):
    global exit_code
    if conn is None:
        print("notify-capture: no session bus (DBUS_SESSION_BUS_ADDRESS?)", file=sys.stderr)
    else:
        print(f"notify-capture: {NAME} is owned by another process", file=sys.stderr)
    exit_code = 1
    loop.quit()


Gio.bus_own_name(Gio.BusType.SESSION, NAME, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
                 on_bus, on_name, on_name_lost)
for sig in (signal.SIGINT, signal.SIGTERM):
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
loop.run()
sys.exit(exit_code)
