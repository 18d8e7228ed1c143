-- vigie journal, schema 3: which server writes the Authentication-Results
-- of an account's mail, learned from the mail itself (the topmost header's
-- authserv-id and the sender's domain, one row per message seen).
CREATE TABLE authserv_observation (
    id            INTEGER PRIMARY KEY,
    account       TEXT NOT NULL,
    authserv_id   TEXT,
    sender_domain TEXT
);
CREATE INDEX authserv_observation_account ON authserv_observation (account, id);

-- The last showing of a finding on any channel: reminders count from it
-- (a desktop that never works must not silence them on the terminal/log).
ALTER TABLE finding ADD COLUMN last_shown_at TEXT;
UPDATE finding SET last_shown_at = COALESCE(desktop_shown_at, first_shown_at);

-- The receiving server learned for an account, pinned once learned: a
-- later flood of forged headers cannot take the account over.
CREATE TABLE learned_authserv (
    account     TEXT PRIMARY KEY,
    authserv_id TEXT NOT NULL,
    learned_at  TEXT NOT NULL
);
