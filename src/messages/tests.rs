//! Every user-facing message rendered in both languages, with
//! representative arguments: French text holds no English words, English
//! text no French words nor French spacing, and neither shows internals.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::agent::AgentError;
use crate::agent_status::{AgentStatus, AgentView, ReloadError, WatchedAccount};
use crate::config::{Config, ConfigError};
use crate::journal::{AccountHealth, JournalError, NewOwnLogin, StoredFinding, StoredNotice};
use crate::mailbox::MailboxError;
use crate::matching::{
    AlertFacts, Answer, AnswerRefused, Finding, FindingKind, LoginService, LoginSource, NoticeFacts, OwnLogin,
    Resolution, Via,
};
use crate::notice::{Authenticity, Kind, LureCategory, NotAnEmail, Reason, Rules, Service};
use crate::private_fs::PrivateFsError;
use crate::secrets::SecretError;

/// Words that give English away in French text.
const ENGLISH: &[&str] = &[
    "the", "and", "with", "your", "is", "are", "not", "could", "cannot", "was", "of", "to", "for", "from", "error",
    "failed", "please", "this", "unknown", "found", "read", "mailbox", "run", "check", "none",
];
/// Words that give French away in English text.
const FRENCH: &[&str] = &[
    "le",
    "la",
    "les",
    "des",
    "une",
    "est",
    "pas",
    "vous",
    "votre",
    "vos",
    "avec",
    "pour",
    "dans",
    "sur",
    "qui",
    "et",
    "aucun",
    "aucune",
    "été",
    "boîte",
    "connexion",
    "alerte",
    "n'est",
];
/// Internals no user should read without `--verbose`.
const INTERNALS: &[&str] = &[
    "os error",
    "ExitStatus",
    "invalid digit",
    "TOML parse error",
    "error:0A",
    "Resource temporarily unavailable",
    "goodbye",
    "unix_wait_status",
    "DKIM",
    "DMARC",
    "INBOX",
];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_lowercase())
        .collect()
}

/// Names, addresses and commands a message may quote whatever its language.
fn without_quoted_names(text: &str) -> String {
    let mut text = text.to_owned();
    for name in [
        "Mon compte ameli",
        "vigie run",
        "vigie check",
        "vigie answer",
        "vigie status",
        "vigie setup",
        "vigie doctor",
        "vigie service install",
        "vigie open ameli",
        "password_command",
        "oauth2_token_command",
        "tls_ca_file",
        "Authentication-Results",
        "signal-spam.fr",
    ] {
        text = text.replace(name, "");
    }
    text
}

fn check(name: &str, lang: Lang, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let plain = without_quoted_names(text);
    let list = match lang {
        Lang::Fr => ENGLISH,
        Lang::En => FRENCH,
    };
    for w in words(&plain) {
        if list.contains(&w.as_str()) {
            problems.push(format!("{name} ({lang}): the word {w:?} in {text:?}"));
        }
    }
    for internal in INTERNALS {
        if text.contains(internal) {
            problems.push(format!("{name} ({lang}): internals {internal:?} in {text:?}"));
        }
    }
    if lang == Lang::En {
        for french in [" ;", " :", " ?", " !", "«", "»"] {
            if text.contains(french) {
                problems.push(format!("{name} (en): French punctuation {french:?} in {text:?}"));
            }
        }
    }
    for odd in ["(s)", "[]", "((", "))", "(aucune)", "(none)"] {
        if text.contains(odd) {
            problems.push(format!("{name} ({lang}): {odd:?} in {text:?}"));
        }
    }
    if let Some(gap) = gap_inside_a_sentence(text) {
        problems.push(format!("{name} ({lang}): a string literal broken without `\\`: {gap:?} in {text:?}"));
    }
    problems
}

/// A run of spaces between two words, wider than any column alignment:
/// what a string literal continued on the next source line without `\`
/// leaves in the text.
fn gap_inside_a_sentence(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' {
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&j| chars[j] != ' ').unwrap_or(chars.len());
        let letter = |k: Option<&char>| k.is_some_and(|c| c.is_alphabetic());
        if end - i >= 6 && i > 0 && letter(chars.get(i - 1)) && letter(chars.get(end)) {
            let from = i.saturating_sub(10);
            return Some(chars[from..(end + 10).min(chars.len())].iter().collect());
        }
        i = end;
    }
    None
}

#[test]
fn a_literal_broken_over_lines_is_caught() {
    assert!(gap_inside_a_sentence("avec le              navigateur").is_some());
    assert!(gap_inside_a_sentence("  vigie test-alert        — voir").is_none());
    assert!(gap_inside_a_sentence("10:14  Moi  ameli").is_none());
}

fn finding(kind: FindingKind, account: &str) -> Finding {
    Finding {
        kind,
        account: account.into(),
        service: Some(Service::Ameli),
        notice_id: Some(1),
        own_login_id: None,
        at: Some(at("2026-11-20T09:14:00Z")),
        unverified: false,
    }
}

fn stored(id: i64, kind: FindingKind, answer: Option<Answer>, resolution: Option<Resolution>) -> StoredFinding {
    StoredFinding {
        id,
        finding: finding(kind, "Mamie"),
        raised_at: at("2026-11-20T09:20:00Z"),
        resolved_at: resolution.map(|_| at("2026-11-20T10:00:00Z")),
        resolution,
        answer,
        answered_at: None,
        first_shown_at: None,
        last_shown_at: None,
        desktop_shown_at: None,
        notification_id: None,
        failed_attempts: 0,
        next_attempt_at: None,
    }
}

fn all_reasons() -> Vec<Reason> {
    let mut reasons = vec![
        Reason::DkimPass { domain: "ameli.fr".into() },
        Reason::DmarcPass,
        Reason::NoAuthenticationResults,
        Reason::NoPassingAuthentication,
        Reason::NoTrustedServer,
        Reason::UntrustedAuthenticationResults,
        Reason::DkimFail { domain: None },
        Reason::SpfFail,
        Reason::DmarcFail,
        Reason::NoSender,
        Reason::SenderNotOfficial { domain: "ameli-fr.com".into() },
        Reason::LookalikeDomain { domain: "ameIi.fr".into(), official: "ameli.fr".into() },
        Reason::ReplyToNotOfficial { domain: "gmail.com".into() },
        Reason::LinkNotOfficial { host: "ameli.secure-login.com".into() },
        Reason::LinkTextMismatch { shown: "ameli.fr".into(), target: "x.com".into() },
        Reason::TimeInDstGap,
        Reason::TimeAmbiguous,
        Reason::TimeFromDateHeader,
        Reason::OnlyBeginningRead,
    ];
    for category in LureCategory::ALL {
        reasons.push(Reason::Lure { category });
    }
    reasons
}

fn config_errors() -> Vec<ConfigError> {
    let path = std::path::Path::new("config.toml");
    let account = "[[account]]\nname = \"Mamie\"\nimap_host = \"h\"\nusername = \"u\"\n";
    let texts = [
        "[[account]]\nname = \"Mamie\"\nimap_hots = \"h\"\nusername = \"u\"\n".to_owned(),
        format!("{account}imap_port = \"abc\"\n"),
        "[[account]\n".to_owned(),
        "[[account]]\nimap_host = \"h\"\n".to_owned(),
        "poll_interval_secs = 3\n".to_owned(),
        format!("{account}{account}"),
        format!("{account}folders = []\n"),
        format!("{account}password_command = \"a\"\noauth2_token_command = \"b\"\n"),
    ];
    let mut errors: Vec<ConfigError> = texts.iter().filter_map(|t| Config::parse(t, path).err()).collect();
    errors.push(ConfigError::Read { path: path.into(), source: std::io::Error::from_raw_os_error(5) });
    errors.push(ConfigError::NoDataDir);
    errors
}

fn agent_errors() -> Vec<AgentError> {
    let m = |e: MailboxError| AgentError::Mailbox(e);
    let connect =
        |detail: &str| m(MailboxError::Connect { host: "imap.orange.fr".into(), port: 993, detail: detail.into() });
    vec![
        connect("Connection refused (os error 111)"),
        connect("Resource temporarily unavailable (os error 11)"),
        connect("failed to lookup address information: Name or service not known"),
        connect("something else"),
        m(MailboxError::Untrusted("error:0A000086:SSL routines::certificate verify failed".into())),
        m(MailboxError::Tls("error:0A000102:SSL routines::unsupported protocol".into())),
        m(MailboxError::CaFile { path: "/ca.pem".into(), detail: "No such file (os error 2)".into() }),
        m(MailboxError::LoginRejected { user: "u".into(), detail: "AUTHENTICATIONFAILED".into() }),
        m(MailboxError::Lost("Resource temporarily unavailable (os error 11)".into())),
        m(MailboxError::Lost("the server said goodbye".into())),
        m(MailboxError::Protocol("invalid digit found in string".into())),
        m(MailboxError::NoSuchFolder("Junk".into())),
        m(MailboxError::Stalled { seconds: 60 }),
        m(MailboxError::Oversized { what: "literal", limit: 10 << 20 }),
        AgentError::Secret(SecretError::CommandFailed {
            which: "password_command",
            detail: "ExitStatus(unix_wait_status(768))".into(),
        }),
        AgentError::Secret(SecretError::CommandEmpty { which: "password_command" }),
        AgentError::Secret(SecretError::CommandTimedOut { which: "password_command" }),
        AgentError::Secret(SecretError::CommandTooLong { which: "password_command" }),
        AgentError::Secret(SecretError::NotInKeyring { user: "u".into() }),
        AgentError::Secret(SecretError::Keyring("org.freedesktop.Secret.Error.IsLocked".into())),
        AgentError::Secret(SecretError::KeyringTimedOut),
    ]
}

fn journal_errors() -> Vec<JournalError> {
    let path = PathBuf::from("/data/journal.sqlite3");
    let sqlite = || rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(5), None);
    vec![
        JournalError::CreateDir { path: path.clone(), source: std::io::Error::from_raw_os_error(13) },
        JournalError::Symlink { path: path.clone() },
        JournalError::Damaged { path: path.clone(), detail: "x".into() },
        JournalError::Busy { path: path.clone(), source: sqlite() },
        JournalError::Sqlite { path, source: sqlite() },
    ]
}

fn private_fs_errors() -> Vec<PrivateFsError> {
    let path = PathBuf::from("/home/j/.config/vigie");
    vec![
        PrivateFsError::NotOwned { path: path.clone(), owner: 0 },
        PrivateFsError::WritableByOthers { path: path.clone(), mode: 0o777 },
        PrivateFsError::Symlink { path: path.clone() },
        PrivateFsError::NotADirectory { path: path.clone() },
        PrivateFsError::NotAFile { path: path.clone() },
        PrivateFsError::Io { path, source: std::io::Error::from_raw_os_error(5) },
    ]
}

fn agent_views() -> Vec<AgentView> {
    let status = AgentStatus {
        pid: 42,
        config: Some("/c.toml".into()),
        loaded_at: at("2026-11-20T09:00:00Z"),
        config_digest: "d".into(),
        accounts: vec![
            WatchedAccount { name: "Mamie".into(), folders: None, digest: "a".into() },
            WatchedAccount {
                name: "Papi".into(),
                folders: Some(vec!["INBOX".into(), "Junk".into()]),
                digest: "b".into(),
            },
        ],
        reload_error: None,
    };
    let mut broken = status.clone();
    broken.reload_error = Some(ReloadError { at: at("2026-11-20T09:00:00Z"), message: "x".into() });
    let behind = |status: AgentStatus, n: usize| AgentView::Behind {
        status,
        missing: vec!["Papi".into(); n],
        changed: vec!["Mamie".into(); n],
        removed: vec!["Tata".into(); n],
    };
    vec![
        AgentView::NotRunning,
        AgentView::Silent,
        AgentView::UpToDate(status.clone()),
        behind(status.clone(), 1),
        behind(status, 2),
        behind(broken.clone(), 0),
        behind(broken, 1),
    ]
}

/// (name, text) of every message in `lang`.
fn catalogue(lang: Lang) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, text: String| all.push((name.to_owned(), text));
    let t = at("2026-11-20T09:14:00Z");
    let login = NewOwnLogin {
        account: "Moi".into(),
        service: LoginService::Ameli,
        at: t,
        via: Via::Web,
        source: LoginSource::Launcher,
        note: None,
    };
    for reason in all_reasons() {
        add("reason", super::reason(&reason, lang));
    }
    for e in config_errors() {
        add("config_problem", config_problem(&e, lang));
    }
    for e in agent_errors() {
        add("mailbox_problem", mailbox_problem("Mamie", &e, lang));
    }
    for e in journal_errors() {
        add("journal_problem", journal_problem(&e, lang));
    }
    for e in private_fs_errors() {
        add("private_fs_problem", private_fs_problem(&e, lang));
    }
    for view in agent_views() {
        if let Some((_, line)) = agent_view_line(&view, lang) {
            add("agent_view_line", line);
        }
        add("setup_agent_watches", setup_agent_watches("Mamie", &view, lang));
    }
    let history = |outcome| crate::own_logins::HistoryStatus {
        history: crate::own_logins::History {
            browser: crate::own_logins::Browser::Firefox,
            profile: "default-release".into(),
            path: PathBuf::from("/home/jeanne/.mozilla/firefox/abcd.default-release/places.sqlite"),
        },
        outcome,
    };
    use crate::own_logins::HistoryError;
    for outcome in [
        Ok(3),
        Err(HistoryError::Missing),
        Err(HistoryError::Locked),
        Err(HistoryError::Damaged("file is not a database".into())),
        Err(HistoryError::TooBig { bytes: 600 << 20, cap: 512 << 20 }),
        Err(HistoryError::TimedOut),
        Err(HistoryError::Unreadable("Permission denied (os error 13)".into())),
    ] {
        add("history_line", history_line(&history(outcome), lang).1);
    }
    add("no_history_line", no_history_line(lang).1);
    add("setup_ask_browser_history", setup_ask_browser_history("Mamie", lang));
    for kind in FindingKind::ALL {
        add("finding_label", finding_label(kind, Some(Service::FranceConnect), lang));
        let facts = AlertFacts {
            id: 3,
            finding: finding(kind, "Mamie"),
            answer: None,
            site: Some("impots.gouv.fr".into()),
            identity_provider: Some("ameli".into()),
            addressee: Some("Jeanne Dupont".into()),
            noticed_at: Some(t),
            subject: Some("Sujet".into()),
            reasons: vec![Reason::SpfFail],
        };
        let words = alert_words(&facts, lang);
        add("alert_words", format!("{}\n{}", words.summary, words.body));
        let words = follow_up(&facts, lang);
        add("follow_up", format!("{}\n{}", words.summary, words.body));
    }
    for answer in [Answer::Mine, Answer::NotMine, Answer::Handled] {
        add("answer_recorded", answer_recorded(&stored(3, FindingKind::UnrecognisedLogin, None, None), answer, lang));
    }
    for refused in [
        AnswerRefused::NoSuchFinding,
        AnswerRefused::Closed(Resolution::Explained),
        AnswerRefused::Closed(Resolution::ReadableAgain),
        AnswerRefused::NotAnswerable(FindingKind::Blind),
        AnswerRefused::NotMineIsFinal,
    ] {
        add("answer_refused", answer_refused(3, refused, lang));
    }
    let findings = vec![
        stored(1, FindingKind::UnrecognisedLogin, Some(Answer::NotMine), None),
        stored(2, FindingKind::Impersonation, None, None),
        stored(3, FindingKind::MissingNotice, Some(Answer::Mine), Some(Resolution::Mine)),
    ];
    let notice = StoredNotice {
        facts: NoticeFacts {
            id: 1,
            account: "Mamie".into(),
            service: Service::Ameli,
            kind: Kind::Login,
            authenticity: Authenticity::Genuine,
            login_at: Some(t),
            site: None,
            sent_at: t,
            seen_at: t,
            alert_shown_at: None,
        },
        folder: Some("INBOX".into()),
        message_id: None,
        sender: None,
        subject: "Sujet".into(),
        identity_provider: None,
        addressee: None,
        reasons: Vec::new(),
        seen_at: t,
    };
    let own = OwnLogin {
        id: 1,
        account: "Moi".into(),
        service: LoginService::Any,
        at: t,
        via: Via::AppFingerprint,
        source: LoginSource::Cli,
        recorded_at: t,
        attempt: false,
    };
    let healthy = AccountHealth { account: "Moi".into(), last_ok: Some(t), last_error: None, last_error_at: None };
    let sick = AccountHealth {
        account: "Mamie".into(),
        last_ok: Some(t),
        last_error: Some(mailbox_reason(&agent_errors()[1], lang)),
        last_error_at: Some(t),
    };
    add("log_text", log_text(&[(own.clone(), Some("note".into()))], std::slice::from_ref(&notice), &findings, lang));
    add("log_text empty", log_text(&[], &[], &[], lang));
    add("status_text", status_text(&findings, std::slice::from_ref(&notice), std::slice::from_ref(&healthy), lang));
    add("status_text sick", status_text(&[], &[], &[healthy, sick], lang));
    add("status_text empty", status_text(&[], &[], &[], lang));
    add("login_recorded", login_recorded(&login, lang));
    add("demo_login_line", demo_login_line(&login, lang));
    add("demo_message_line", demo_message_line("Moi", "Sujet", "verdict", Some(&own), false, lang));
    add("demo_message_line", demo_message_line("Moi", "Sujet", "verdict", None, true, lang));
    for n in [0, 1, 3] {
        add("demo_summary", demo_summary(n, lang));
        add("check_summary", check_summary(n, 0, false, lang));
        add("check_summary", check_summary(2, n, n == 0, lang));
        add("doctor config", doctor_line(&Check::Config(n), lang).1);
    }
    add("browser_failed", browser_failed("https://assure.ameli.fr/", "No such file (os error 2)", lang));
    add("no_such_finding", no_such_finding(9, lang));
    add("test_alert_result", test_alert_result(true, lang));
    add("test_alert_result", test_alert_result(false, lang));
    let test = test_alert("Mamie", lang);
    add("test_alert", format!("{}\n{}", test.summary, test.body));
    let summary = impersonation_summary("Mamie", 12, lang);
    add("impersonation_summary", format!("{}\n{}", summary.summary, summary.body));
    add("demo_intro", demo_intro(lang).into());
    add("demo_messages_header", demo_messages_header(lang).into());
    add("demo_alerts_header", demo_alerts_header(lang).into());
    add("no_accounts", no_accounts(lang));
    add("which_account", which_account(&["Mamie", "Papi"], lang));
    add("unknown_account", unknown_account("Tata", &["Mamie", "Papi"], lang));
    add("unknown_account", unknown_account("Mamy", &["Mamie", "Papi"], lang));
    add("unreadable", unreadable(&std::io::Error::from_raw_os_error(5), lang));
    add("unreadable", unreadable(&std::io::Error::from_raw_os_error(2), lang));
    add("not_an_email", not_an_email(&NotAnEmail::Empty, lang));
    add("not_an_email", not_an_email(&NotAnEmail::NoHeaders, lang));
    add("too_large", too_large(50 << 20, 10 << 20, lang));
    add("checked_by", checked_by("mx.orange.fr", lang));
    let rules = Rules::builtin();
    for raw in [
        include_bytes!("../cli/demo/02-mamie-ameli-connexion.eml").as_slice(),
        include_bytes!("../cli/demo/05-mamie-faux-ameli.eml").as_slice(),
        include_bytes!("../cli/demo/07-moi-rappel-rendez-vous.eml").as_slice(),
    ] {
        if let Ok(seen) = crate::notice::recognise(raw, &rules) {
            add("scan_verdict", scan_verdict(&seen, lang));
        }
    }
    for check in [
        Check::NoAccounts,
        Check::ConfigBroken(config_problem(&ConfigError::NoDataDir, lang)),
        Check::Mailbox { account: "Mamie".into(), folders: vec!["INBOX".into(), "Junk".into()] },
        Check::Notifications { buttons: true },
        Check::Notifications { buttons: false },
        Check::NoNotifications("org.freedesktop.DBus.Error.ServiceUnknown".into()),
        Check::Journal("/data/journal.sqlite3".into()),
        Check::Service { running: true },
        Check::Service { running: false },
    ] {
        add("doctor_line", doctor_line(&check, lang).1);
    }
    let p = std::path::Path::new("/home/j/.config/systemd/user/vigie.service");
    add("service_would_write", service_would_write(p, lang));
    add("service_wrote", service_wrote(p, lang));
    add("service_would_run", service_would_run("systemctl --user daemon-reload", lang));
    add("service_would_remove", service_would_remove(p, lang));
    add("service_removed", service_removed(p, lang));
    add(
        "service_command_failed",
        service_command_failed("systemctl --user stop", "ExitStatus(unix_wait_status(768))", lang),
    );
    add("service_agent_stopped", service_agent_stopped(lang).into());
    add("service_agent_still_running", service_agent_still_running("kill: os error 1", lang));
    let (s, b) = open_failed("ameli", &which_account(&["Mamie", "Papi"], lang), lang);
    add("open_failed", format!("{s}\n{b}"));
    add("browser_failed_title", browser_failed_title(lang).into());
    add("service_installed", service_installed(false, lang).into());
    add("service_installed", service_installed(true, lang).into());
    add("service_status", service_status(Some(p), true, lang));
    add("service_status", service_status(None, false, lang));
    add("already_running", already_running(lang).into());
    add("cannot_catch_signals", cannot_catch_signals("EPERM", lang));
    add("output_problem", output_problem(&std::io::Error::from_raw_os_error(28), lang));
    add("no_home", no_home(lang));
    add("folder_names", folder_names(&["INBOX".into(), "Junk".into(), "Archives".into()], lang));
    add("setup_welcome", setup_welcome(lang).into());
    add("setup_next_steps", setup_next_steps(lang).into());
    for key in help_keys() {
        add(&format!("help {key:?}"), help_text(key, lang).unwrap_or_default().into());
    }
    all
}

#[test]
fn every_message_is_in_one_language_and_shows_no_internals() {
    set_verbose(false);
    let mut problems = Vec::new();
    for lang in [Lang::Fr, Lang::En] {
        let all = catalogue(lang);
        assert!(all.len() > 150, "the catalogue renders {} messages", all.len());
        for (name, text) in all {
            problems.extend(check(&name, lang, &text));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn verbose_shows_the_technical_detail_and_the_terms() {
    let error = &agent_errors()[1];
    set_verbose(true);
    let shown = mailbox_problem("Mamie", error, Lang::Fr);
    let reason = super::reason(&Reason::DmarcFail, Lang::Fr);
    set_verbose(false);
    assert!(shown.contains("os error 11") && shown.contains("(détail :"), "{shown}");
    assert!(reason.contains("(DMARC)"), "{reason}");
    assert!(!mailbox_problem("Mamie", error, Lang::Fr).contains("os error"));
}

#[test]
fn a_timeout_is_said_in_plain_words() {
    let said = mailbox_problem("Mamie", &agent_errors()[1], Lang::Fr);
    assert!(said.contains("le serveur n'a pas répondu à temps"), "{said}");
}

#[test]
fn a_config_typo_names_the_key_and_suggests_the_right_one() {
    let said = config_problem(&config_errors()[0], Lang::Fr);
    assert!(said.contains("clé inconnue imap_hots — vouliez-vous dire imap_host ?"), "{said}");
    assert!(said.contains("ligne 3"), "{said}");
    let said = config_problem(&config_errors()[1], Lang::En);
    assert!(said.contains("imap_port") && said.contains("whole number"), "{said}");
}

#[test]
fn status_never_says_all_clear_above_an_unreadable_mailbox() {
    let sick = AccountHealth {
        account: "Mamie".into(),
        last_ok: None,
        last_error: Some("x".into()),
        last_error_at: Some(at("2026-11-20T09:00:00Z")),
    };
    for lang in [Lang::Fr, Lang::En] {
        let said = status_text(&[], &[], std::slice::from_ref(&sick), lang);
        assert!(!said.contains("Rien à signaler") && !said.contains("Nothing to report"), "{said}");
        assert!(said.starts_with('⚠'), "{said}");
    }
}

#[test]
fn counts_agree_with_their_noun() {
    assert_eq!(count(1, Lang::Fr, "alerte", "alertes"), "1 alerte");
    assert_eq!(count(0, Lang::Fr, "alerte", "alertes"), "0 alerte");
    assert_eq!(count(0, Lang::En, "alert", "alerts"), "0 alerts");
    assert_eq!(count(3, Lang::En, "alert", "alerts"), "3 alerts");
}

#[test]
fn the_locale_decides_the_language_unless_lang_is_given() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    };
    assert_eq!(Lang::from_locale(env(&[("LANG", "en_GB.UTF-8")])), Lang::En);
    assert_eq!(Lang::from_locale(env(&[("LANG", "en_GB.UTF-8"), ("LC_MESSAGES", "fr_FR.UTF-8")])), Lang::Fr);
    assert_eq!(Lang::from_locale(env(&[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "en_US.UTF-8")])), Lang::En);
    assert_eq!(Lang::from_locale(env(&[("LANG", "C.UTF-8")])), Lang::Fr);
    assert_eq!(Lang::from_locale(env(&[])), Lang::Fr);
    let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
    assert_eq!(Lang::from_args(&args(&["vigie", "--lang", "en", "status"])), Some(Lang::En));
    assert_eq!(Lang::from_args(&args(&["vigie", "status", "--lang=fr"])), Some(Lang::Fr));
    assert_eq!(Lang::from_args(&args(&["vigie", "login", "--note", "--", "--lang", "en"])), None);
}

#[test]
fn paris_time_is_the_time_vigie_prints() {
    let t = Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).single().unwrap_or_default();
    assert_eq!(paris_time(t, Lang::Fr), "26/11/2026 à 10:30");
}
