#!/usr/bin/python3
"""vigie test support: a stand-in GNOME Online Accounts service (no desktop
needed).

    online-accounts.py ACCOUNTS_JSON LOGFILE

Owns org.gnome.OnlineAccounts on the session bus given by
DBUS_SESSION_BUS_ADDRESS and serves, as goa-daemon does, an
org.freedesktop.DBus.ObjectManager at /org/gnome/OnlineAccounts and one
object per account at /org/gnome/OnlineAccounts/Accounts/<id> with the real
interface names: org.gnome.OnlineAccounts.Account (ProviderType,
ProviderName, Id, Identity, PresentationIdentity, AttentionNeeded,
MailDisabled; EnsureCredentials), org.gnome.OnlineAccounts.Mail
(EmailAddress, ImapSupported, ImapHost, ImapUserName, ImapUseSsl, ...) and
org.gnome.OnlineAccounts.OAuth2Based (GetAccessToken -> (s token,
i expires_in)).

ACCOUNTS_JSON is a list of objects:

    {"id": "account_1", "provider_type": "ms_graph",
     "provider_name": "Microsoft 365", "email": "mamie@hotmail.fr",
     "imap_host": "127.0.0.1:10993", "imap_user": "alice",
     "token": "tok-1", "expires_in": 3600, "attention_needed": false}

It is read again on every call, so a test can rotate a token (as goa-daemon
does when it refreshes one) by rewriting the file. An account with
"refreshed_token" plays goa-daemon's cache: GetAccessToken keeps handing
out "token" until EnsureCredentials is called, then hands out
"refreshed_token". Accounts are listed when
the service starts. Each method call is logged to LOGFILE as one JSON line:
{"call": "GetAccessToken", "id": "account_1", "time": ...}.

Prints "ready" on stdout once the name is owned. Needs Debian's python3-gi.
"""
import json
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

NAME = "org.gnome.OnlineAccounts"
ROOT = "/org/gnome/OnlineAccounts"
ACCOUNTS = ROOT + "/Accounts/"
XML = """
<node>
  <interface name="org.freedesktop.DBus.ObjectManager">
    <method name="GetManagedObjects">
      <arg name="objects" type="a{oa{sa{sv}}}" direction="out"/>
    </method>
  </interface>
  <interface name="org.gnome.OnlineAccounts.Account">
    <property name="ProviderType" type="s" access="read"/>
    <property name="ProviderName" type="s" access="read"/>
    <property name="Id" type="s" access="read"/>
    <property name="IsTemporary" type="b" access="read"/>
    <property name="AttentionNeeded" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="PresentationIdentity" type="s" access="read"/>
    <property name="MailDisabled" type="b" access="read"/>
    <method name="EnsureCredentials">
      <arg name="expires_in" type="i" direction="out"/>
    </method>
  </interface>
  <interface name="org.gnome.OnlineAccounts.OAuth2Based">
    <method name="GetAccessToken">
      <arg name="access_token" type="s" direction="out"/>
      <arg name="expires_in" type="i" direction="out"/>
    </method>
    <property name="ClientId" type="s" access="read"/>
  </interface>
  <interface name="org.gnome.OnlineAccounts.Mail">
    <property name="EmailAddress" type="s" access="read"/>
    <property name="Name" type="s" access="read"/>
    <property name="ImapSupported" type="b" access="read"/>
    <property name="ImapAcceptSslErrors" type="b" access="read"/>
    <property name="ImapHost" type="s" access="read"/>
    <property name="ImapUseSsl" type="b" access="read"/>
    <property name="ImapUseTls" type="b" access="read"/>
    <property name="ImapUserName" type="s" access="read"/>
  </interface>
</node>
"""

if len(sys.argv) != 3:
    sys.exit("usage: online-accounts.py ACCOUNTS_JSON LOGFILE")
ACCOUNTS_FILE = sys.argv[1]
log = open(sys.argv[2], "a", buffering=1)
node = Gio.DBusNodeInfo.new_for_xml(XML)
MANAGER, ACCOUNT, OAUTH2, MAIL = node.interfaces


def accounts():
    with open(ACCOUNTS_FILE) as f:
        return {a["id"]: a for a in json.load(f)}


def properties(a, iface):
    if iface == ACCOUNT.name:
        return {
            "ProviderType": GLib.Variant("s", a.get("provider_type", "ms_graph")),
            "ProviderName": GLib.Variant("s", a.get("provider_name", "Microsoft 365")),
            "Id": GLib.Variant("s", a["id"]),
            "IsTemporary": GLib.Variant("b", False),
            "AttentionNeeded": GLib.Variant("b", a.get("attention_needed", False)),
            "Identity": GLib.Variant("s", a["email"]),
            "PresentationIdentity": GLib.Variant("s", a["email"]),
            "MailDisabled": GLib.Variant("b", a.get("mail_disabled", False)),
        }
    if iface == OAUTH2.name:
        return {"ClientId": GLib.Variant("s", "vigie-test")}
    if iface == MAIL.name:
        return {
            "EmailAddress": GLib.Variant("s", a["email"]),
            "Name": GLib.Variant("s", a.get("name", "")),
            "ImapSupported": GLib.Variant("b", True),
            "ImapAcceptSslErrors": GLib.Variant("b", False),
            "ImapHost": GLib.Variant("s", a.get("imap_host", "outlook.office365.com")),
            "ImapUseSsl": GLib.Variant("b", True),
            "ImapUseTls": GLib.Variant("b", False),
            "ImapUserName": GLib.Variant("s", a.get("imap_user", a["email"])),
        }
    return {}


refreshed = set()  # accounts whose credentials were ensured since start


def record(call, account_id):
    log.write(json.dumps({"call": call, "id": account_id, "time": time.time()}) + "\n")


def on_call(conn, sender, path, iface, method, params, invocation):
    if method == "GetManagedObjects":
        objects = {}
        for a in accounts().values():
            ifaces = [ACCOUNT.name, OAUTH2.name]
            if not a.get("mail_disabled", False):
                ifaces.append(MAIL.name)
            objects[ACCOUNTS + a["id"]] = {i: properties(a, i) for i in ifaces}
        invocation.return_value(GLib.Variant.new_tuple(GLib.Variant("a{oa{sa{sv}}}", objects)))
        return
    account_id = path[len(ACCOUNTS):]
    a = accounts().get(account_id)
    record(method, account_id)
    if a is None:
        invocation.return_dbus_error("org.gnome.OnlineAccounts.Error.Failed", "no such account")
    elif a.get("attention_needed", False):
        invocation.return_dbus_error("org.gnome.OnlineAccounts.Error.NotAuthorized",
                                     "Authorization expired")
    elif method == "GetAccessToken":
        token = a["token"]
        if account_id in refreshed and a.get("refreshed_token"):
            token = a["refreshed_token"]
        invocation.return_value(GLib.Variant("(si)", (token, a.get("expires_in", 3600))))
    elif method == "EnsureCredentials":
        refreshed.add(account_id)
        invocation.return_value(GLib.Variant("(i)", (a.get("expires_in", 3600),)))


def on_get_property(conn, sender, path, iface, prop):
    a = accounts().get(path[len(ACCOUNTS):])
    return properties(a, iface).get(prop) if a else None


def on_bus(conn, name):
    conn.register_object(ROOT, MANAGER, on_call, None, None)
    for account_id, a in accounts().items():
        for iface in (ACCOUNT, OAUTH2, MAIL):
            if iface is MAIL and a.get("mail_disabled", False):
                continue
            conn.register_object(ACCOUNTS + account_id, iface, on_call, on_get_property, None)


def on_name(conn, name):
    print("ready", flush=True)


def on_lost(conn, name):
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, NAME, Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
GLib.MainLoop().run()
