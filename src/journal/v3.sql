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
