//! Matching: which notices does the user's own journal explain, and what is
//! left to tell them? Pure: plain data in, findings out; no clock (`now` is
//! an argument), no disk.
//!
//! The rules (DESIGN.md "Rules"):
//! - A message that claims ameli or FranceConnect and is `suspicious` is an
//!   **impersonation** — never an unrecognised login: telling a user to act
//!   on a fake notice is exactly what a phisher wants.
//! - A genuine (or unverified, said so) login notice at time T is explained
//!   by an own login of the same account and service (or `any`) from
//!   `window.before` before T to `window.after` after T. One own login may
//!   explain several notices: logging into ameli through FranceConnect
//!   sends both, so an ameli login also explains a FranceConnect notice
//!   whose site is ameli. A login "with the app and fingerprint" sends no
//!   notice, so it explains none. What is not explained is an
//!   **unrecognised login**.
//! - An own web login to ameli with no notice within `window.after` before
//!   to `missing_wait` after it is a **missing notice**, but only for an
//!   account that has received ameli notices before: a notice that stops
//!   arriving can mean the account's e-mail address was changed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::notice::{Authenticity, Kind, Service};

/// How long around a notice an own login explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchRules {
    /// The own login may be this long before the notice's time.
    pub before: Duration,
    /// The own login may be this long after the notice's time (clocks
    /// drift, and a notice may state a rounded time).
    pub after: Duration,
    /// How long after an own web login a missing notice becomes a finding.
    pub missing_wait: Duration,
}

impl Default for MatchRules {
    fn default() -> Self {
        MatchRules { before: Duration::minutes(30), after: Duration::minutes(10), missing_wait: Duration::minutes(30) }
    }
}

/// What service an own login was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LoginService {
    Ameli,
    #[serde(rename = "franceconnect")]
    #[value(name = "franceconnect")]
    FranceConnect,
    /// Unknown or both: explains a notice of either service.
    Any,
}

impl LoginService {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginService::Ameli => "ameli",
            LoginService::FranceConnect => "franceconnect",
            LoginService::Any => "any",
        }
    }
}

/// How the user logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// A web browser: sends a notice.
    Web,
    /// The app with a password: sends a notice.
    App,
    /// The app with a fingerprint: sends no notice.
    AppFingerprint,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::App => "app",
            Via::AppFingerprint => "app-fingerprint",
        }
    }
}

/// Where an own login record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginSource {
    /// `vigie login`.
    Cli,
    /// `vigie open` (the desktop launchers).
    Launcher,
    /// "C'était moi" on an alert.
    AcknowledgedAlert,
    Import,
}

impl LoginSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginSource::Cli => "cli",
            LoginSource::Launcher => "launcher",
            LoginSource::AcknowledgedAlert => "acknowledged_alert",
            LoginSource::Import => "import",
        }
    }
}

/// One of the user's own logins, as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnLogin {
    pub id: i64,
    pub account: String,
    pub service: LoginService,
    pub at: DateTime<Utc>,
    pub via: Via,
    pub source: LoginSource,
}

/// What matching needs to know of a stored notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts {
    pub id: i64,
    pub account: String,
    pub service: Service,
    pub kind: Kind,
    pub authenticity: Authenticity,
    pub login_at: Option<DateTime<Utc>>,
    /// FranceConnect: the site reached.
    pub site: Option<String>,
}

/// What kind of trouble a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    UnrecognisedLogin,
    MissingNotice,
    Impersonation,
    Blind,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::UnrecognisedLogin => "unrecognised_login",
            FindingKind::MissingNotice => "missing_notice",
            FindingKind::Impersonation => "impersonation",
            FindingKind::Blind => "blind",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        [FindingKind::UnrecognisedLogin, FindingKind::MissingNotice, FindingKind::Impersonation, FindingKind::Blind]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Something the user must hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub account: String,
    pub service: Option<Service>,
    pub notice_id: Option<i64>,
    pub own_login_id: Option<i64>,
    /// When the login happened (or the own login, for a missing notice).
    pub at: Option<DateTime<Utc>>,
    /// The notice could not be authenticated (no Authentication-Results):
    /// acted upon, and said so.
    pub unverified: bool,
}

impl Finding {
    /// Identifies the finding across passes, so that it is raised once.
    pub fn key(&self) -> String {
        match (self.notice_id, self.own_login_id) {
            (Some(n), _) => format!("{}:notice:{n}", self.kind.as_str()),
            (None, Some(l)) => format!("{}:login:{l}", self.kind.as_str()),
            // A blind spell is one episode: it starts at `at`.
            (None, None) => format!(
                "{}:{}:{}",
                self.kind.as_str(),
                self.account,
                self.at.map(|t| t.timestamp()).unwrap_or_default()
            ),
        }
    }
}

/// All findings that `notices` and `logins` give at `now`.
pub fn find(notices: &[NoticeFacts], logins: &[OwnLogin], now: DateTime<Utc>, rules: &MatchRules) -> Vec<Finding> {
    let mut findings = Vec::new();
    for notice in notices {
        if notice.authenticity == Authenticity::Suspicious {
            findings.push(Finding {
                kind: FindingKind::Impersonation,
                account: notice.account.clone(),
                service: Some(notice.service),
                notice_id: Some(notice.id),
                own_login_id: None,
                at: notice.login_at,
                unverified: false,
            });
        } else if notice.kind == Kind::Login && !logins.iter().any(|l| explains(l, notice, rules)) {
            findings.push(Finding {
                kind: FindingKind::UnrecognisedLogin,
                account: notice.account.clone(),
                service: Some(notice.service),
                notice_id: Some(notice.id),
                own_login_id: None,
                at: notice.login_at,
                unverified: notice.authenticity == Authenticity::Unverified,
            });
        }
    }
    for login in logins.iter().filter(|l| expects_ameli_notice(l) && now - l.at >= rules.missing_wait) {
        let trusted_ameli_logins = || {
            notices.iter().filter(|n| {
                n.account == login.account
                    && n.service == Service::Ameli
                    && n.kind == Kind::Login
                    && n.authenticity != Authenticity::Suspicious
            })
        };
        let had_notices_before = trusted_ameli_logins().any(|n| n.login_at.is_some_and(|t| t < login.at));
        let got_one = trusted_ameli_logins().any(|n| explains(login, n, rules));
        if had_notices_before && !got_one {
            findings.push(Finding {
                kind: FindingKind::MissingNotice,
                account: login.account.clone(),
                service: Some(Service::Ameli),
                notice_id: None,
                own_login_id: Some(login.id),
                at: Some(login.at),
                unverified: false,
            });
        }
    }
    findings
}

/// An own login that should have produced an ameli notice: a web login to
/// ameli recorded by the user or the launcher (an acknowledged alert came
/// from a notice already).
fn expects_ameli_notice(login: &OwnLogin) -> bool {
    login.service == LoginService::Ameli
        && login.via == Via::Web
        && matches!(login.source, LoginSource::Cli | LoginSource::Launcher)
}

/// Does `login` explain `notice`?
pub fn explains(login: &OwnLogin, notice: &NoticeFacts, rules: &MatchRules) -> bool {
    let Some(t) = notice.login_at else { return false };
    let service_fits = match login.service {
        LoginService::Any => true,
        LoginService::Ameli => notice.service == Service::Ameli || franceconnect_to_ameli(notice),
        LoginService::FranceConnect => notice.service == Service::FranceConnect,
    };
    login.account == notice.account
        && service_fits
        && login.via != Via::AppFingerprint
        && login.at >= t - rules.before
        && login.at <= t + rules.after
}

/// A FranceConnect notice for a login to ameli (logging into ameli through
/// FranceConnect sends both notices).
fn franceconnect_to_ameli(notice: &NoticeFacts) -> bool {
    notice.service == Service::FranceConnect
        && notice.site.as_deref().is_some_and(|s| {
            let s = s.to_lowercase();
            s.contains("ameli") || s.contains("assurance maladie")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("test time").with_timezone(&Utc)
    }

    fn notice(id: i64, service: Service, at: &str) -> NoticeFacts {
        NoticeFacts {
            id,
            account: "Mamie".into(),
            service,
            kind: Kind::Login,
            authenticity: Authenticity::Genuine,
            login_at: Some(t(at)),
            site: None,
        }
    }

    fn login(id: i64, service: LoginService, at: &str) -> OwnLogin {
        OwnLogin { id, account: "Mamie".into(), service, at: t(at), via: Via::Web, source: LoginSource::Cli }
    }

    const NOW: &str = "2026-11-20T12:00:00Z";

    fn kinds(findings: &[Finding]) -> Vec<(FindingKind, Option<i64>, Option<i64>)> {
        findings.iter().map(|f| (f.kind, f.notice_id, f.own_login_id)).collect()
    }

    fn run(notices: &[NoticeFacts], logins: &[OwnLogin]) -> Vec<(FindingKind, Option<i64>, Option<i64>)> {
        kinds(&find(notices, logins, t(NOW), &MatchRules::default()))
    }

    #[test]
    fn a_notice_with_no_own_login_is_an_unrecognised_login() {
        let got = run(&[notice(1, Service::Ameli, "2026-11-20T09:14:00Z")], &[]);
        assert_eq!(got, vec![(FindingKind::UnrecognisedLogin, Some(1), None)]);
    }

    #[test]
    fn window_bounds_are_inclusive_30_minutes_before_and_10_after() {
        let n = [notice(1, Service::Ameli, "2026-11-20T09:30:00Z")];
        for (at, explained) in [
            ("2026-11-20T08:59:59Z", false),
            ("2026-11-20T09:00:00Z", true),
            ("2026-11-20T09:30:00Z", true),
            ("2026-11-20T09:40:00Z", true),
            ("2026-11-20T09:40:01Z", false),
        ] {
            let got = run(&n, &[login(1, LoginService::Ameli, at)]);
            assert_eq!(got.is_empty(), explained, "own login at {at}");
        }
    }

    #[test]
    fn the_window_is_configurable() {
        let rules = MatchRules { before: Duration::minutes(5), ..MatchRules::default() };
        let n = [notice(1, Service::Ameli, "2026-11-20T09:30:00Z")];
        let l = [login(1, LoginService::Ameli, "2026-11-20T09:20:00Z")];
        assert_eq!(find(&n, &l, t(NOW), &rules).len(), 1);
    }

    #[test]
    fn matching_across_a_dst_change_uses_utc_instants() {
        // 25 Oct 2026, 02:50 CEST (00:50Z) then, an hour of wall clock
        // "later", 02:10 CET (01:10Z): 20 minutes apart, not 40 back.
        let n = [notice(1, Service::Ameli, "2026-10-25T01:10:00Z")];
        let l = [login(1, LoginService::Ameli, "2026-10-25T00:50:00Z")];
        assert!(run(&n, &l).is_empty());
    }

    #[test]
    fn one_own_login_explains_ameli_and_franceconnect_notices() {
        let mut fc = notice(2, Service::FranceConnect, "2026-11-20T09:15:00Z");
        fc.site = Some("Mon compte ameli".into());
        let n = [notice(1, Service::Ameli, "2026-11-20T09:14:00Z"), fc];
        assert!(run(&n, &[login(1, LoginService::Ameli, "2026-11-20T09:12:00Z")]).is_empty());
        assert!(run(&n, &[login(1, LoginService::Any, "2026-11-20T09:12:00Z")]).is_empty());
    }

    #[test]
    fn an_ameli_login_does_not_explain_franceconnect_to_another_site() {
        let mut fc = notice(2, Service::FranceConnect, "2026-11-20T09:15:00Z");
        fc.site = Some("impots.gouv.fr".into());
        let got = run(&[fc], &[login(1, LoginService::Ameli, "2026-11-20T09:12:00Z")]);
        assert_eq!(got, vec![(FindingKind::UnrecognisedLogin, Some(2), None)]);
    }

    #[test]
    fn another_accounts_login_explains_nothing() {
        let mut l = login(1, LoginService::Any, "2026-11-20T09:12:00Z");
        l.account = "Moi".into();
        assert_eq!(run(&[notice(1, Service::Ameli, "2026-11-20T09:14:00Z")], &[l]).len(), 1);
    }

    #[test]
    fn an_impersonation_never_becomes_an_unrecognised_login() {
        let mut fake = notice(1, Service::Ameli, "2026-11-20T09:14:00Z");
        fake.authenticity = Authenticity::Suspicious;
        assert_eq!(run(&[fake.clone()], &[]), vec![(FindingKind::Impersonation, Some(1), None)]);
        // Even with an own login nearby, a fake is a fake.
        let got = run(&[fake], &[login(1, LoginService::Ameli, "2026-11-20T09:14:00Z")]);
        assert_eq!(got, vec![(FindingKind::Impersonation, Some(1), None)]);
    }

    #[test]
    fn an_unverified_notice_is_acted_upon_and_said_so() {
        let mut n = notice(1, Service::Ameli, "2026-11-20T09:14:00Z");
        n.authenticity = Authenticity::Unverified;
        let f = find(&[n], &[], t(NOW), &MatchRules::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].unverified);
    }

    #[test]
    fn payment_and_settings_notices_need_no_own_login() {
        let mut pay = notice(1, Service::Ameli, "2026-11-20T09:14:00Z");
        pay.kind = Kind::Payment;
        let mut settings = notice(2, Service::FranceConnect, "2026-11-20T09:14:00Z");
        settings.kind = Kind::Settings;
        assert!(run(&[pay, settings], &[]).is_empty());
    }

    #[test]
    fn an_app_fingerprint_login_sends_no_notice_and_explains_none() {
        let mut l = login(1, LoginService::Ameli, "2026-11-20T09:12:00Z");
        l.via = Via::AppFingerprint;
        let earlier = notice(1, Service::Ameli, "2026-11-01T09:00:00Z");
        let n = notice(2, Service::Ameli, "2026-11-20T09:14:00Z");
        let got = run(std::slice::from_ref(&earlier), std::slice::from_ref(&l));
        assert_eq!(got, vec![(FindingKind::UnrecognisedLogin, Some(1), None)], "no missing notice for it");
        let got = run(&[earlier, n], &[l]);
        assert!(got.contains(&(FindingKind::UnrecognisedLogin, Some(2), None)), "a notice next to it is not explained");
    }

    #[test]
    fn missing_notice_only_for_accounts_that_received_notices_before() {
        let own = login(7, LoginService::Ameli, "2026-11-20T10:00:00Z");
        assert!(run(&[], std::slice::from_ref(&own)).is_empty(), "never received a notice: no finding");
        let earlier = notice(1, Service::Ameli, "2026-11-01T09:00:00Z");
        let explained_earlier = login(1, LoginService::Ameli, "2026-11-01T08:58:00Z");
        let got = run(std::slice::from_ref(&earlier), &[explained_earlier.clone(), own.clone()]);
        assert_eq!(got, vec![(FindingKind::MissingNotice, None, Some(7))]);
        let arrived = notice(2, Service::Ameli, "2026-11-20T10:01:00Z");
        assert!(run(&[earlier, arrived], &[explained_earlier, own]).is_empty());
    }

    #[test]
    fn missing_notice_waits_before_it_is_a_finding() {
        let earlier = notice(1, Service::Ameli, "2026-11-01T09:00:00Z");
        let explained = login(1, LoginService::Ameli, "2026-11-01T08:58:00Z");
        let own = login(7, LoginService::Ameli, "2026-11-20T11:45:00Z"); // 15 min before NOW
        assert!(run(std::slice::from_ref(&earlier), &[explained.clone(), own]).is_empty());
        let own = login(7, LoginService::Ameli, "2026-11-20T11:30:00Z"); // exactly 30 min
        assert_eq!(run(&[earlier], &[explained, own]), vec![(FindingKind::MissingNotice, None, Some(7))]);
    }

    #[test]
    fn notices_before_any_journal_entry_are_unrecognised() {
        // The journal is empty: vigie cannot explain anything yet, and says
        // so rather than stay quiet about a login that may not be the user's.
        let got = run(&[notice(1, Service::Ameli, "2026-10-01T09:00:00Z")], &[]);
        assert_eq!(got, vec![(FindingKind::UnrecognisedLogin, Some(1), None)]);
    }

    #[test]
    fn a_notice_without_a_time_cannot_be_explained() {
        let mut n = notice(1, Service::Ameli, "2026-11-20T09:14:00Z");
        n.login_at = None;
        let got = run(&[n], &[login(1, LoginService::Any, "2026-11-20T09:14:00Z")]);
        assert_eq!(got, vec![(FindingKind::UnrecognisedLogin, Some(1), None)]);
    }

    #[test]
    fn finding_keys_are_stable_and_distinct() {
        let f = find(&[notice(3, Service::Ameli, "2026-11-20T09:14:00Z")], &[], t(NOW), &MatchRules::default());
        assert_eq!(f[0].key(), "unrecognised_login:notice:3");
    }
}
