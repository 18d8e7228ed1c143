use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::matching::{Answer, AnswerRefused, Finding, FindingKind, LoginService, LoginSource, Resolution};
use crate::notice::{Authenticity, Rules, Service, recognise};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

const NOTICE: &[u8] = b"Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\nMessage-ID: <n1@ameli>\r\n\r\n\
Connexion le 20 novembre 2026 a 10:14.\r\n";

#[test]
fn notices_are_recorded_once_per_account_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let seen = recognise(NOTICE, &Rules::builtin()).expect("mail");
    let now = t("2026-11-20T10:00:00Z");
    let loc = Location { folder: Some("INBOX".into()), uid: Some(4) };
    assert!(journal.record_notice("Mamie", "n1@ameli", &loc, &seen, now).expect("insert").is_some());
    assert_eq!(journal.record_notice("Mamie", "n1@ameli", &loc, &seen, now).expect("again"), None);
    assert!(journal.record_notice("Moi", "n1@ameli", &loc, &seen, now).expect("other account").is_some());
    let notices = journal.notices().expect("notices");
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0].facts.login_at, Some(t("2026-11-20T09:14:00Z")));
    assert_eq!(notices[0].facts.authenticity, Authenticity::Genuine);
    let codes: Vec<&str> = notices[0].reasons.iter().map(|r| r.code()).collect();
    assert_eq!(codes, vec!["dkim_pass"]);
}

#[test]
fn findings_are_raised_once_and_mine_resolves_with_an_own_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let finding = Finding {
        kind: FindingKind::UnrecognisedLogin,
        account: "Mamie".into(),
        service: Some(Service::Ameli),
        notice_id: None,
        own_login_id: None,
        at: Some(t("2026-11-20T09:14:00Z")),
        unverified: false,
    };
    let id = journal.raise(&finding, now).expect("raise").expect("new");
    assert_eq!(journal.raise(&finding, now).expect("again"), None);
    journal.answer(id, Answer::Mine, now).expect("answer");
    let stored = journal.finding(id).expect("read").expect("exists");
    assert_eq!(stored.resolution, Some(Resolution::Mine));
    let logins = journal.own_logins().expect("logins");
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].0.at, t("2026-11-20T09:14:00Z"));
    assert_eq!(logins[0].0.source, LoginSource::AcknowledgedAlert);
    assert_eq!(logins[0].0.service, LoginService::Ameli);
}

#[test]
fn resolve_all_closes_only_that_accounts_open_findings_of_that_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let blind = |account: &str| Finding {
        kind: FindingKind::Blind,
        account: account.into(),
        service: None,
        notice_id: None,
        own_login_id: None,
        at: Some(now),
        unverified: false,
    };
    let mamie = journal.raise(&blind("Mamie"), now).expect("raise").expect("new");
    let papi = journal.raise(&blind("Papi"), now).expect("raise").expect("new");
    journal.resolve_all(FindingKind::Blind, "Mamie", Resolution::ReadableAgain, now).expect("resolve");
    assert_eq!(journal.finding(mamie).expect("read").and_then(|f| f.resolution), Some(Resolution::ReadableAgain));
    assert_eq!(journal.finding(papi).expect("read").and_then(|f| f.resolved_at), None);
}

#[test]
fn cursors_and_health_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    assert_eq!(journal.cursor("Mamie", "INBOX").expect("read"), None);
    journal.set_cursor("Mamie", "INBOX", 7, 42, now).expect("write");
    journal.set_cursor("Mamie", "INBOX", 7, 43, now).expect("update");
    assert_eq!(journal.cursor("Mamie", "INBOX").expect("read"), Some((7, 43)));
    journal.set_health("Mamie", Some("login refused"), now).expect("error");
    journal.set_health("Mamie", None, now).expect("ok");
    let health = journal.health().expect("health");
    assert_eq!(health[0].last_ok, Some(now));
    assert_eq!(health[0].last_error, None);
}

#[cfg(unix)]
#[test]
fn the_journal_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let journal = Journal::open_in(&data).expect("journal");
    let mode = std::fs::metadata(journal.path()).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mode = std::fs::metadata(&data).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

/// A finding; `n` tells several apart (no notice behind it: none stored).
fn unrecognised(account: &str, n: Option<i64>) -> Finding {
    Finding {
        kind: FindingKind::UnrecognisedLogin,
        account: account.into(),
        service: Some(Service::Ameli),
        notice_id: None,
        own_login_id: None,
        at: Some(t("2026-11-20T09:14:00Z") + Duration::minutes(n.unwrap_or(0))),
        unverified: false,
    }
}

fn shown_on_desktop(journal: &Journal, id: i64, notification: u32, now: DateTime<Utc>) {
    let record = DeliveryRecord {
        channel: "desktop".into(),
        outcome: DeliveryOutcome::ShownWithButtons,
        detail: None,
        notification_id: Some(notification),
    };
    journal.record_delivery(id, &record, None, now).expect("delivery");
}

#[test]
fn an_unknown_value_in_a_row_is_damage_not_a_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let id = journal.raise(&unrecognised("Mamie", None), now).expect("raise").expect("new");
    journal.conn.execute("UPDATE finding SET kind = 'alien' WHERE id = ?1", [id]).expect("corrupt");
    let err = journal.findings().expect_err("an unknown kind is refused");
    assert!(matches!(err, JournalError::Damaged { ref detail, .. } if detail.contains("alien")), "{err}");
    journal.conn.execute("UPDATE finding SET kind = 'unrecognised_login', raised_at = 'yesterday'", []).expect("x");
    let err = journal.finding(id).expect_err("a bad time is refused, not 1970");
    assert!(matches!(err, JournalError::Damaged { ref detail, .. } if detail.contains("yesterday")), "{err}");
}

#[test]
fn an_explanation_never_closes_a_shown_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let never_shown = journal.raise(&unrecognised("Mamie", Some(1)), now).expect("raise").expect("new");
    let shown = journal.raise(&unrecognised("Mamie", Some(2)), now).expect("raise").expect("new");
    shown_on_desktop(&journal, shown, 7, now);
    assert!(journal.resolve_explained(never_shown, now).expect("resolve"));
    assert!(!journal.resolve_explained(shown, now).expect("resolve"), "a shown alert stays open");
    assert!(journal.finding(shown).expect("read").expect("exists").is_open());
}

#[test]
fn not_mine_is_final_until_handled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let id = journal.raise(&unrecognised("Papi", Some(1)), now).expect("raise").expect("new");
    assert!(matches!(journal.answer(id, Answer::NotMine, now).expect("answer"), AnswerOutcome::Recorded(_)));
    let stored = journal.finding(id).expect("read").expect("exists");
    assert!(stored.is_open());
    assert_eq!(stored.answer, Some(Answer::NotMine));
    assert!(!journal.resolve_explained(id, now).expect("resolve"), "an answered finding is never explained");
    let refused = journal.answer(id, Answer::Mine, now).expect("answer");
    assert_eq!(refused, AnswerOutcome::Refused(AnswerRefused::NotMineIsFinal));
    assert!(journal.own_logins().expect("logins").is_empty(), "the fraudster's login is not recorded as mine");
    assert!(matches!(journal.answer(id, Answer::Handled, now).expect("answer"), AnswerOutcome::Recorded(_)));
    let stored = journal.finding(id).expect("read").expect("exists");
    assert_eq!(stored.resolution, Some(Resolution::Handled));
    let again = journal.answer(id, Answer::Handled, now).expect("answer");
    assert_eq!(again, AnswerOutcome::Refused(AnswerRefused::Closed(Resolution::Handled)));
    let missing = journal.answer(999, Answer::Handled, now).expect("answer");
    assert_eq!(missing, AnswerOutcome::Refused(AnswerRefused::NoSuchFinding));
}

#[test]
fn open_findings_are_due_until_shown_then_every_remind_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let day = Duration::hours(24);
    let id = journal.raise(&unrecognised("Mamie", Some(1)), now).expect("raise").expect("new");
    assert_eq!(journal.due(now, day, false).expect("due").len(), 1, "never shown: due");
    shown_on_desktop(&journal, id, 7, now);
    assert!(journal.due(now + Duration::hours(23), day, false).expect("due").is_empty());
    assert_eq!(journal.due(now + Duration::hours(1), day, true).expect("due").len(), 1, "at agent start");
    let due = journal.due(now + day, day, false).expect("due");
    assert_eq!(due.len(), 1, "reminder");
    assert_eq!(due[0].notification_id, Some(7), "kept to replace the notification shown before");
}

#[test]
fn a_failed_desktop_delivery_is_retried_after_its_delay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let id = journal.raise(&unrecognised("Mamie", Some(1)), now).expect("raise").expect("new");
    let failed = DeliveryRecord {
        channel: "desktop".into(),
        outcome: DeliveryOutcome::Failed,
        detail: Some("no notification server".into()),
        notification_id: None,
    };
    journal.record_delivery(id, &failed, Some(now + Duration::seconds(30)), now).expect("delivery");
    let day = Duration::hours(24);
    assert!(journal.due(now + Duration::seconds(10), day, false).expect("due").is_empty(), "waits out its delay");
    let due = journal.due(now + Duration::seconds(30), day, false).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].failed_attempts, 1);
    assert_eq!(due[0].last_shown_at, None, "a failed delivery does not count as shown");
}

fn synchronous(journal: &Journal) -> i64 {
    journal.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("pragma")
}

#[test]
fn what_vigie_can_read_again_from_the_mail_is_only_ordered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    assert_eq!(synchronous(&journal), 1, "synchronous=NORMAL between durable writes");
    let now = t("2026-11-20T10:00:00Z");
    let seen = recognise(NOTICE, &Rules::builtin()).expect("mail");
    journal.record_notice("Mamie", "n1@ameli", &Location::default(), &seen, now).expect("notice");
    journal.set_cursor("Mamie", "INBOX", 7, 12, now).expect("cursor");
    let id = journal.transaction(|j| j.raise(&unrecognised("Mamie", Some(1)), now)).expect("raise").expect("new");
    journal.claim_showing(id, (None, None), now).expect("claim");
    assert_eq!(journal.synced_commits.get(), 0);
}

#[test]
fn what_the_user_saw_or_did_is_synced_before_it_returns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let id = journal.raise(&unrecognised("Mamie", Some(1)), now).expect("raise").expect("new");
    let synced = |journal: &Journal| journal.synced_commits.get();
    journal.mark_showing(id, now).expect("about to show");
    assert_eq!(synced(&journal), 1, "an alert about to be shown");
    let shown = DeliveryRecord {
        channel: "desktop".into(),
        outcome: DeliveryOutcome::Shown,
        detail: None,
        notification_id: Some(7),
    };
    journal.record_delivery(id, &shown, None, now).expect("delivery");
    assert_eq!(synced(&journal), 2, "an alert shown: its three statements in one synced commit");
    journal.answer(id, Answer::Mine, now).expect("answer");
    assert_eq!(synced(&journal), 3, "an answer, with the own login it records, in one synced commit");
    let login = NewOwnLogin {
        account: "Mamie".into(),
        service: LoginService::Ameli,
        at: now,
        via: crate::matching::Via::Web,
        source: LoginSource::Cli,
        note: None,
    };
    journal.record_own_login(&login, now).expect("own login");
    assert_eq!(synced(&journal), 4, "a login recorded by `vigie login`");
    assert_eq!(synchronous(&journal), 1, "back to ordered commits");
}

#[test]
fn a_failed_durable_write_is_rolled_back_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::open_in(dir.path()).expect("journal");
    let now = t("2026-11-20T10:00:00Z");
    let id = journal.raise(&unrecognised("Mamie", Some(1)), now).expect("raise").expect("new");
    let failed: Result<(), JournalError> = journal.durably(|j| {
        j.mark_showing(id, now)?;
        Err(j.err(rusqlite::Error::QueryReturnedNoRows))
    });
    assert!(failed.is_err());
    let stored = journal.finding(id).expect("read").expect("there");
    assert_eq!(stored.first_shown_at, None, "the nested write went with the transaction");
    assert_eq!(journal.synced_commits.get(), 0);
    assert_eq!(synchronous(&journal), 1);
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_journal_path_is_never_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("elsewhere.sqlite3");
    let link = dir.path().join(FILE_NAME);
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let err = Journal::open(&link).err().expect("refused");
    assert!(matches!(err, JournalError::Symlink { .. }), "{err}");
    assert!(!target.exists(), "the dangling link's target is not created");
}
