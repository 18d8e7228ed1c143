-- vigie journal, schema 1. Times are RFC 3339 UTC text.

CREATE TABLE own_login (
    id          INTEGER PRIMARY KEY,
    account     TEXT NOT NULL,
    service     TEXT NOT NULL,            -- ameli | franceconnect | any
    at          TEXT NOT NULL,
    via         TEXT NOT NULL,            -- web | app | app-fingerprint
    source      TEXT NOT NULL,            -- cli | launcher | acknowledged_alert | import
    note        TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX own_login_at ON own_login (account, at);

-- Messages that claim ameli or FranceConnect, once per account and key
-- (the Message-ID, else a hash of the content).
CREATE TABLE notice (
    id                INTEGER PRIMARY KEY,
    account           TEXT NOT NULL,
    key               TEXT NOT NULL,
    folder            TEXT,
    uid               INTEGER,
    message_id        TEXT,
    sender            TEXT,
    subject           TEXT NOT NULL,
    service           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    authenticity      TEXT NOT NULL,
    reasons           TEXT NOT NULL,      -- JSON array of reasons
    login_at          TEXT,
    login_at_source   TEXT,
    site              TEXT,
    identity_provider TEXT,
    received_at       TEXT,
    seen_at           TEXT NOT NULL,
    UNIQUE (account, key)
);

CREATE TABLE finding (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,    -- raised once
    kind         TEXT NOT NULL,           -- unrecognised_login | missing_notice | impersonation | blind
    account      TEXT NOT NULL,
    service      TEXT,
    notice_id    INTEGER REFERENCES notice (id),
    own_login_id INTEGER REFERENCES own_login (id),
    at           TEXT,
    unverified   INTEGER NOT NULL DEFAULT 0,
    raised_at    TEXT NOT NULL,
    resolved_at  TEXT,
    resolution   TEXT                     -- mine | explained | ...
);

-- Each attempt to show a finding's alert, per channel.
CREATE TABLE alert (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES finding (id),
    channel    TEXT NOT NULL,             -- desktop | terminal
    outcome    TEXT NOT NULL,             -- shown | failed: ...
    at         TEXT NOT NULL
);

CREATE TABLE answer (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES finding (id),
    answer     TEXT NOT NULL,             -- mine | not_mine
    at         TEXT NOT NULL
);

-- Where the IMAP watcher is in each folder.
CREATE TABLE cursor (
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    checked_at  TEXT,
    PRIMARY KEY (account, folder)
);

CREATE TABLE account_health (
    account       TEXT PRIMARY KEY,
    last_ok       TEXT,
    last_error    TEXT,
    last_error_at TEXT
);
