-- vigie journal, schema 2: the lifecycle of an alert.
--
-- A finding is shown (first_shown_at: on any channel; own logins recorded
-- later explain nothing), kept on the desktop as one notification
-- (notification_id, replaced on each showing), shown again while open
-- (desktop_shown_at + remind_every_hours), retried when the desktop failed
-- (failed_attempts, next_attempt_at), and answered (answer, answered_at).
ALTER TABLE finding ADD COLUMN first_shown_at TEXT;
ALTER TABLE finding ADD COLUMN desktop_shown_at TEXT;
ALTER TABLE finding ADD COLUMN notification_id INTEGER;
ALTER TABLE finding ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE finding ADD COLUMN next_attempt_at TEXT;
ALTER TABLE finding ADD COLUMN answer TEXT;          -- mine | not-mine | handled
ALTER TABLE finding ADD COLUMN answered_at TEXT;

-- One spelling per value (schema 1 wrote these two differently).
UPDATE finding SET resolution = 'readable_again' WHERE resolution = 'readable again';
UPDATE answer SET answer = 'not-mine' WHERE answer = 'not_mine';
UPDATE finding SET
    answer = (SELECT a.answer FROM answer a WHERE a.finding_id = finding.id ORDER BY a.id DESC LIMIT 1),
    answered_at = (SELECT a.at FROM answer a WHERE a.finding_id = finding.id ORDER BY a.id DESC LIMIT 1);

-- Deliveries: the outcome as one word, the failure's detail apart.
ALTER TABLE alert ADD COLUMN detail TEXT;
UPDATE alert SET detail = substr(outcome, 9), outcome = 'failed' WHERE outcome LIKE 'failed:%';
UPDATE alert SET outcome = 'shown_with_buttons' WHERE outcome = 'shown with buttons';
ALTER TABLE alert ADD COLUMN notification_id INTEGER;
UPDATE finding SET first_shown_at = (SELECT MIN(at) FROM alert WHERE alert.finding_id = finding.id
                                     AND alert.outcome IN ('shown', 'shown_with_buttons'));
UPDATE finding SET desktop_shown_at = (SELECT MAX(at) FROM alert WHERE alert.finding_id = finding.id
                                       AND alert.channel = 'desktop' AND alert.outcome IN ('shown', 'shown_with_buttons'));

-- Summaries that group many open findings of one kind (floods of fakes):
-- one notification per account and kind.
CREATE TABLE summary_notification (
    account         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    notification_id INTEGER NOT NULL,
    shown_at        TEXT NOT NULL,
    PRIMARY KEY (account, kind)
);

CREATE INDEX finding_open ON finding (resolved_at, id);
CREATE INDEX finding_notification ON finding (notification_id);
