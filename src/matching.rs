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
//! - A security-code mail (genuine or unverified) with no own login
//!   attempt from `attempt_before` before it to `window.after` after it is
//!   a **login attempt**: someone typed the user's identifiers now. Every
//!   own login counts as an attempt (a launcher visit, `vigie login`, a
//!   visit to the login form in the browser).
//! - A FranceConnect "Modification de vos accès" not explained by an own
//!   FranceConnect login in the window is an **access change**.
//! - A genuine or unverified payment notice is a **payment check** — at
//!   most one per account every `payment_every`, counting the ones raised
//!   before, and on a first sync only for the newest notice or recent ones.
//! - **Own logins explain only what they preceded**: an own login recorded
//!   after the notice's alert was first shown explains nothing. The user's
//!   reaction to an alert (going to ameli to change the password, as the
//!   alert asks) must never close it.
//!
//! Each [`FindingKind`] knows how urgent it is and whether the user can
//! answer "it was me" to it; the text lives in `messages`.

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
    /// An own login attempt this long before a security-code mail explains
    /// it (the code is valid 15 minutes).
    pub attempt_before: Duration,
    /// At most one payment reminder per account in this time.
    pub payment_every: Duration,
    /// Whether genuine payment notices raise a reminder at all.
    pub payment_reminders: bool,
}

impl Default for MatchRules {
    fn default() -> Self {
        MatchRules {
            before: Duration::minutes(30),
            after: Duration::minutes(10),
            missing_wait: Duration::minutes(30),
            attempt_before: Duration::minutes(15),
            payment_every: Duration::days(15),
            payment_reminders: true,
        }
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
    /// A return-from-login visit in the user's browser history.
    Browser,
}

impl LoginSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginSource::Cli => "cli",
            LoginSource::Launcher => "launcher",
            LoginSource::AcknowledgedAlert => "acknowledged_alert",
            LoginSource::Import => "import",
            LoginSource::Browser => "browser",
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
    /// When vigie learnt of it: an own login recorded after an alert was
    /// shown explains nothing (the user's reaction to the alert).
    pub recorded_at: DateTime<Utc>,
    /// Only an attempt: the login form was visited (browser history). It
    /// explains a security-code mail, never a login notice.
    pub attempt: bool,
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
    /// When the message says it was sent (its Date header), else when vigie
    /// first saw it.
    pub sent_at: DateTime<Utc>,
    /// When vigie first saw it.
    pub seen_at: DateTime<Utc>,
    /// When an alert about this notice was first shown, if ever: own logins
    /// recorded later explain nothing.
    pub alert_shown_at: Option<DateTime<Utc>>,
}

/// What kind of trouble a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    UnrecognisedLogin,
    LoginAttempt,
    MissingNotice,
    Impersonation,
    AccessChange,
    PaymentCheck,
    Blind,
}

/// How urgently a finding must reach the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

impl FindingKind {
    pub const ALL: [FindingKind; 7] = [
        FindingKind::UnrecognisedLogin,
        FindingKind::LoginAttempt,
        FindingKind::MissingNotice,
        FindingKind::Impersonation,
        FindingKind::AccessChange,
        FindingKind::PaymentCheck,
        FindingKind::Blind,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::UnrecognisedLogin => "unrecognised_login",
            FindingKind::LoginAttempt => "login_attempt",
            FindingKind::MissingNotice => "missing_notice",
            FindingKind::Impersonation => "impersonation",
            FindingKind::AccessChange => "access_change",
            FindingKind::PaymentCheck => "payment_check",
            FindingKind::Blind => "blind",
        }
    }

    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How urgent it is. A missing notice and an access change are
    /// questions, not alarms; a payment check is a calm reminder.
    /// An impersonation is critical too (DESIGN: the alerts are urgent):
    /// the fake is in the inbox now, and the warning must reach the user
    /// before they click, do-not-disturb or not; a flood of fakes is held
    /// back by grouping, not by a lower urgency.
    pub fn urgency(self) -> Urgency {
        match self {
            FindingKind::UnrecognisedLogin
            | FindingKind::LoginAttempt
            | FindingKind::Impersonation
            | FindingKind::Blind => Urgency::Critical,
            FindingKind::MissingNotice | FindingKind::AccessChange => Urgency::Normal,
            FindingKind::PaymentCheck => Urgency::Low,
        }
    }

    /// Whether an own login recorded before the alert was first shown
    /// closes it: the kinds that ask "was it you?".
    pub fn explainable(self) -> bool {
        self.answerable()
    }

    /// Whether an open finding of this kind is shown again at agent start
    /// and every reminder interval. A payment reminder is shown once: a
    /// calm reminder repeated every day becomes noise.
    pub fn reminded(self) -> bool {
        self != FindingKind::PaymentCheck
    }

    /// Whether "it was me" / "it was not me" is a question for this kind:
    /// a login the user may have made. Nobody answers "it was me" to a
    /// fake or to an unreadable mailbox.
    pub fn answerable(self) -> bool {
        matches!(
            self,
            FindingKind::UnrecognisedLogin
                | FindingKind::LoginAttempt
                | FindingKind::MissingNotice
                | FindingKind::AccessChange
        )
    }

    /// Whether many open findings of this kind may share one summary
    /// notification. Unknown logins and login attempts are never grouped
    /// away.
    pub fn groupable(self) -> bool {
        self == FindingKind::Impersonation
    }
}

/// The user's answer to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// "C'était moi": records the login as the user's own and closes.
    Mine,
    /// "Ce n'était pas moi": final; the finding stays open until handled.
    NotMine,
    /// "C'est fait": the user has acted; closes.
    Handled,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Mine, Answer::NotMine, Answer::Handled];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Mine => "mine",
            Answer::NotMine => "not-mine",
            Answer::Handled => "handled",
        }
    }

    /// The resolution an answer gives, if it closes the finding.
    pub fn resolution(self) -> Option<Resolution> {
        match self {
            Answer::Mine => Some(Resolution::Mine),
            Answer::NotMine => None,
            Answer::Handled => Some(Resolution::Handled),
        }
    }
}

/// Why an answer is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefused {
    /// No finding has that number.
    NoSuchFinding,
    /// The finding is already closed.
    Closed(Resolution),
    /// "It was me" / "it was not me" mean nothing for this kind (a fake,
    /// an unreadable mailbox): only "handled".
    NotAnswerable(FindingKind),
    /// "It was not me" is final: only "handled" closes it now. Taking
    /// "mine" would record the fraudster's login as the user's.
    NotMineIsFinal,
}

/// Whether `new` may answer a finding of `kind`, open or closed with
/// `resolution`, already answered `previous`.
pub fn check_answer(
    kind: FindingKind,
    resolution: Option<Resolution>,
    previous: Option<Answer>,
    new: Answer,
) -> Result<(), AnswerRefused> {
    if let Some(resolution) = resolution {
        return Err(AnswerRefused::Closed(resolution));
    }
    match new {
        // A blind mailbox closes itself once it can be read again: an
        // answer would silence it for the rest of the outage.
        _ if kind == FindingKind::Blind => Err(AnswerRefused::NotAnswerable(kind)),
        Answer::Handled => Ok(()),
        Answer::Mine | Answer::NotMine if !kind.answerable() => Err(AnswerRefused::NotAnswerable(kind)),
        Answer::Mine if previous == Some(Answer::NotMine) => Err(AnswerRefused::NotMineIsFinal),
        Answer::Mine | Answer::NotMine => Ok(()),
    }
}

/// Why a finding was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// An own login recorded before the alert was shown explains it.
    Explained,
    /// The user answered "it was me".
    Mine,
    /// The user said they had acted.
    Handled,
    /// The mailbox can be read again (a `blind` finding).
    ReadableAgain,
}

impl Resolution {
    pub const ALL: [Resolution; 4] =
        [Resolution::Explained, Resolution::Mine, Resolution::Handled, Resolution::ReadableAgain];

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Explained => "explained",
            Resolution::Mine => "mine",
            Resolution::Handled => "handled",
            Resolution::ReadableAgain => "readable_again",
        }
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

/// What an alert says about a finding: the finding, the user's answer so
/// far, and what the notice behind it lets vigie show (FranceConnect's site
/// and identity provider, a fake's subject, why it is a fake).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFacts {
    /// The finding's number in the journal (`vigie answer N`).
    pub id: i64,
    pub finding: Finding,
    pub answer: Option<Answer>,
    pub site: Option<String>,
    pub identity_provider: Option<String>,
    /// Whom the notice greets (FranceConnect: « Bonjour Jeanne Dupont »).
    pub addressee: Option<String>,
    /// When vigie first saw the notice behind the finding.
    pub noticed_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    /// Why the notice is a fake (warnings only).
    pub reasons: Vec<crate::notice::Reason>,
}

/// What matching needs to know of the journal's past beyond the notices
/// and own logins it is given: a pass matches only what can still change,
/// not the whole history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Past {
    /// Account and time of the payment checks raised before (at most one
    /// per account every `payment_every`).
    pub payment_checks: Vec<(String, DateTime<Utc>)>,
    /// Per account, the login time of its first trusted ameli login notice
    /// (a missing notice is a finding only for accounts that got some).
    pub first_ameli_notice: Vec<(String, DateTime<Utc>)>,
}

/// All findings that `notices` and `logins` give at `now`, knowing `past`.
pub fn find(
    notices: &[NoticeFacts],
    logins: &[OwnLogin],
    past: &Past,
    now: DateTime<Utc>,
    rules: &MatchRules,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for notice in notices {
        let finding = |kind, at| Finding {
            kind,
            account: notice.account.clone(),
            service: Some(notice.service),
            notice_id: Some(notice.id),
            own_login_id: None,
            at,
            unverified: notice.authenticity == Authenticity::Unverified,
        };
        if notice.authenticity == Authenticity::Suspicious {
            findings.push(Finding { unverified: false, ..finding(FindingKind::Impersonation, notice.login_at) });
            continue;
        }
        match notice.kind {
            Kind::Login if explained_by(notice, logins, rules).is_none() => {
                findings.push(finding(FindingKind::UnrecognisedLogin, notice.login_at));
            }
            Kind::SecurityCode if !logins.iter().any(|l| explains_code(l, notice, rules)) => {
                findings.push(finding(FindingKind::LoginAttempt, Some(notice.sent_at)));
            }
            Kind::Settings
                if notice.service == Service::FranceConnect
                    && !logins.iter().any(|l| explains_access_change(l, notice, rules)) =>
            {
                findings.push(finding(FindingKind::AccessChange, Some(notice.login_at.unwrap_or(notice.sent_at))));
            }
            _ => {}
        }
    }
    if rules.payment_reminders {
        findings.extend(payment_checks_due(notices, &past.payment_checks, now, rules));
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
        let had_notices_before = trusted_ameli_logins().any(|n| n.login_at.is_some_and(|t| t < login.at))
            || past.first_ameli_notice.iter().any(|(account, t)| *account == login.account && *t < login.at);
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

/// Payment reminders: the trusted payment notices, newest first; one is a
/// reminder unless another reminder of the account (raised before, or in
/// this pass) is within `payment_every` of it. An old notice is reminded
/// only if it is the account's newest: a first sync over a month of mail
/// gives one reminder, not one per fortnight.
fn payment_checks_due(
    notices: &[NoticeFacts],
    earlier: &[(String, DateTime<Utc>)],
    now: DateTime<Utc>,
    rules: &MatchRules,
) -> Vec<Finding> {
    let mut payments: Vec<&NoticeFacts> = notices
        .iter()
        .filter(|n| {
            n.kind == Kind::Payment && n.service == Service::Ameli && n.authenticity != Authenticity::Suspicious
        })
        .collect();
    payments.sort_by_key(|n| std::cmp::Reverse((n.sent_at, n.id)));
    let mut reminded: Vec<(String, DateTime<Utc>)> = earlier.to_vec();
    let mut newest_seen: Vec<&str> = Vec::new();
    let mut findings = Vec::new();
    for notice in payments {
        let newest = !newest_seen.contains(&notice.account.as_str());
        if newest {
            newest_seen.push(&notice.account);
        }
        let close_to_one = reminded
            .iter()
            .any(|(account, at)| *account == notice.account && (*at - notice.sent_at).abs() < rules.payment_every);
        if close_to_one || !(newest || now - notice.sent_at < rules.payment_every) {
            continue;
        }
        reminded.push((notice.account.clone(), notice.sent_at));
        findings.push(Finding {
            kind: FindingKind::PaymentCheck,
            account: notice.account.clone(),
            service: Some(Service::Ameli),
            notice_id: Some(notice.id),
            own_login_id: None,
            at: Some(notice.sent_at),
            unverified: notice.authenticity == Authenticity::Unverified,
        });
    }
    findings
}

/// Does `login` show that the user was logging in when the security code
/// was sent? Any own login or login attempt of the account (to ameli, or
/// through FranceConnect where ameli is the identity provider) from
/// `attempt_before` before the mail to `after` after it.
pub fn explains_code(login: &OwnLogin, notice: &NoticeFacts, rules: &MatchRules) -> bool {
    let t = notice.sent_at;
    login.account == notice.account
        && login.via != Via::AppFingerprint
        && recorded_in_time(login, notice)
        && login.at >= t - rules.attempt_before
        && login.at <= t + rules.after
}

/// Does `login` explain a FranceConnect access change? An own FranceConnect
/// login in the usual window around the change.
pub fn explains_access_change(login: &OwnLogin, notice: &NoticeFacts, rules: &MatchRules) -> bool {
    let t = notice.login_at.unwrap_or(notice.sent_at);
    login.account == notice.account
        && !login.attempt
        && matches!(login.service, LoginService::FranceConnect | LoginService::Any)
        && recorded_in_time(login, notice)
        && login.at >= t - rules.before
        && login.at <= t + rules.after
}

/// Own logins explain only what they preceded: recorded before the
/// notice's alert was first shown.
fn recorded_in_time(login: &OwnLogin, notice: &NoticeFacts) -> bool {
    notice.alert_shown_at.is_none_or(|shown| login.recorded_at <= shown)
}

/// An own login that should have produced an ameli notice: a web login to
/// ameli recorded by the user or the launcher (an acknowledged alert came
/// from a notice already).
fn expects_ameli_notice(login: &OwnLogin) -> bool {
    !login.attempt
        && login.service == LoginService::Ameli
        && login.via == Via::Web
        && matches!(login.source, LoginSource::Cli | LoginSource::Launcher | LoginSource::Browser)
}

/// The own login that explains a (non-suspicious) login notice, if any.
pub fn explained_by<'a>(notice: &NoticeFacts, logins: &'a [OwnLogin], rules: &MatchRules) -> Option<&'a OwnLogin> {
    logins.iter().find(|l| explains(l, notice, rules))
}

/// Does `login` explain `notice`? Only if it was recorded before the
/// notice's alert was first shown.
pub fn explains(login: &OwnLogin, notice: &NoticeFacts, rules: &MatchRules) -> bool {
    let Some(t) = notice.login_at else { return false };
    let service_fits = match login.service {
        LoginService::Any => true,
        LoginService::Ameli => notice.service == Service::Ameli || franceconnect_to_ameli(notice),
        LoginService::FranceConnect => notice.service == Service::FranceConnect,
    };
    login.account == notice.account
        && !login.attempt
        && service_fits
        && recorded_in_time(login, notice)
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
            sent_at: t(at),
            seen_at: t(at),
            alert_shown_at: None,
        }
    }

    fn code_mail(id: i64, sent: &str) -> NoticeFacts {
        NoticeFacts { kind: Kind::SecurityCode, login_at: None, ..notice(id, Service::Ameli, sent) }
    }

    fn payment(id: i64, account: &str, sent: &str) -> NoticeFacts {
        NoticeFacts { kind: Kind::Payment, login_at: None, account: account.into(), ..notice(id, Service::Ameli, sent) }
    }

    fn login(id: i64, service: LoginService, at: &str) -> OwnLogin {
        OwnLogin {
            id,
            account: "Mamie".into(),
            service,
            at: t(at),
            via: Via::Web,
            source: LoginSource::Cli,
            recorded_at: t(at),
            attempt: false,
        }
    }

    const NOW: &str = "2026-11-20T12:00:00Z";

    fn kinds(findings: &[Finding]) -> Vec<(FindingKind, Option<i64>, Option<i64>)> {
        findings.iter().map(|f| (f.kind, f.notice_id, f.own_login_id)).collect()
    }

    fn run(notices: &[NoticeFacts], logins: &[OwnLogin]) -> Vec<(FindingKind, Option<i64>, Option<i64>)> {
        kinds(&find(notices, logins, &Past::default(), t(NOW), &MatchRules::default()))
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
        assert_eq!(find(&n, &l, &Past::default(), t(NOW), &rules).len(), 1);
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
        let f = find(&[n], &[], &Past::default(), t(NOW), &MatchRules::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].unverified);
    }

    #[test]
    fn a_security_code_with_no_own_attempt_in_the_previous_15_minutes_is_a_login_attempt() {
        let code = code_mail(1, "2026-11-20T11:50:00Z");
        assert_eq!(run(std::slice::from_ref(&code), &[]), vec![(FindingKind::LoginAttempt, Some(1), None)]);
        let f = find(std::slice::from_ref(&code), &[], &Past::default(), t(NOW), &MatchRules::default());
        assert_eq!(f[0].at, Some(t("2026-11-20T11:50:00Z")), "the attempt is dated by the code mail");
        // 16 minutes before: too old to explain it.
        let stale = login(1, LoginService::Ameli, "2026-11-20T11:34:00Z");
        assert_eq!(run(std::slice::from_ref(&code), &[stale]), vec![(FindingKind::LoginAttempt, Some(1), None)]);
    }

    #[test]
    fn an_own_attempt_up_to_15_minutes_before_the_code_explains_it() {
        let code = code_mail(1, "2026-11-20T11:50:00Z");
        for at in ["2026-11-20T11:35:00Z", "2026-11-20T11:49:00Z", "2026-11-20T11:52:00Z"] {
            for service in [LoginService::Ameli, LoginService::Any, LoginService::FranceConnect] {
                let own = login(1, service, at);
                assert!(run(std::slice::from_ref(&code), &[own]).is_empty(), "{at} {service:?}");
            }
        }
        let mut elsewhere = login(1, LoginService::Ameli, "2026-11-20T11:49:00Z");
        elsewhere.account = "Papi".into();
        assert_eq!(run(&[code], &[elsewhere]).len(), 1, "another account's attempt explains nothing");
    }

    #[test]
    fn a_login_form_visit_explains_a_code_mail_but_never_a_login_notice_or_an_access_change() {
        let visit = OwnLogin { attempt: true, ..login(1, LoginService::Ameli, "2026-11-20T09:12:00Z") };
        let code = code_mail(1, "2026-11-20T09:13:00Z");
        assert!(run(&[code], std::slice::from_ref(&visit)).is_empty());
        let notice = notice(2, Service::Ameli, "2026-11-20T09:14:00Z");
        assert_eq!(run(&[notice], std::slice::from_ref(&visit)), vec![(FindingKind::UnrecognisedLogin, Some(2), None)]);
        let mut change = notice_fc_settings(3, "2026-11-20T09:14:00Z");
        change.kind = Kind::Settings;
        let fc_visit = OwnLogin { service: LoginService::FranceConnect, ..visit.clone() };
        assert_eq!(run(&[change], &[fc_visit]), vec![(FindingKind::AccessChange, Some(3), None)]);
        // Nor does a visit to the form expect a notice.
        let earlier = notice_fc_settings(4, "2026-11-01T09:00:00Z");
        let old_visit = OwnLogin { at: t("2026-11-20T09:00:00Z"), ..visit };
        let got = run(&[NoticeFacts { service: Service::Ameli, kind: Kind::Login, ..earlier }], &[old_visit]);
        assert!(!got.iter().any(|k| k.0 == FindingKind::MissingNotice), "{got:?}");
    }

    fn notice_fc_settings(id: i64, at: &str) -> NoticeFacts {
        NoticeFacts { kind: Kind::Settings, ..notice(id, Service::FranceConnect, at) }
    }

    #[test]
    fn an_own_attempt_recorded_after_the_alert_was_shown_does_not_explain_the_code() {
        let mut code = code_mail(1, "2026-11-20T11:50:00Z");
        code.alert_shown_at = Some(t("2026-11-20T11:50:30Z"));
        let mut own = login(1, LoginService::Ameli, "2026-11-20T11:49:00Z");
        own.recorded_at = t("2026-11-20T11:55:00Z");
        assert_eq!(run(&[code], &[own]), vec![(FindingKind::LoginAttempt, Some(1), None)]);
    }

    #[test]
    fn a_suspicious_code_mail_is_an_impersonation_not_an_attempt() {
        let mut code = code_mail(1, "2026-11-20T11:50:00Z");
        code.authenticity = Authenticity::Suspicious;
        assert_eq!(run(&[code], &[]), vec![(FindingKind::Impersonation, Some(1), None)]);
        let mut unverified = code_mail(2, "2026-11-20T11:50:00Z");
        unverified.authenticity = Authenticity::Unverified;
        let f = find(&[unverified], &[], &Past::default(), t(NOW), &MatchRules::default());
        assert_eq!((f[0].kind, f[0].unverified), (FindingKind::LoginAttempt, true), "acted upon, and said so");
    }

    #[test]
    fn an_access_change_needs_an_own_franceconnect_login_to_be_explained() {
        let mut change = notice(1, Service::FranceConnect, "2026-11-20T09:14:00Z");
        change.kind = Kind::Settings;
        assert_eq!(run(std::slice::from_ref(&change), &[]), vec![(FindingKind::AccessChange, Some(1), None)]);
        let ameli = login(1, LoginService::Ameli, "2026-11-20T09:10:00Z");
        assert_eq!(
            run(std::slice::from_ref(&change), &[ameli]).len(),
            1,
            "an ameli login changes no FranceConnect access"
        );
        for service in [LoginService::FranceConnect, LoginService::Any] {
            assert!(run(std::slice::from_ref(&change), &[login(1, service, "2026-11-20T09:10:00Z")]).is_empty());
        }
        let late = login(1, LoginService::FranceConnect, "2026-11-20T09:30:00Z");
        assert_eq!(run(&[change], &[late]).len(), 1, "outside the window");
    }

    #[test]
    fn a_payment_notice_raises_one_reminder_per_account_per_15_days() {
        let notices = [
            payment(1, "Mamie", "2026-11-01T08:00:00Z"),
            payment(2, "Mamie", "2026-11-10T08:00:00Z"),
            payment(3, "Papi", "2026-11-10T09:00:00Z"),
        ];
        let mut got = run(&notices, &[]);
        got.sort_by_key(|k| k.1);
        assert_eq!(
            got,
            vec![(FindingKind::PaymentCheck, Some(2), None), (FindingKind::PaymentCheck, Some(3), None)],
            "the newest of Mamie's, and Papi's"
        );
        // One raised on the 1st already: the 10th is too close to it.
        let earlier = Past { payment_checks: vec![("Mamie".to_owned(), t("2026-11-01T08:00:00Z"))], ..Past::default() };
        let f = find(&notices[..2], &[], &earlier, t(NOW), &MatchRules::default());
        assert!(f.is_empty(), "nothing beside the one raised before: {f:?}");
        // Sixteen days later, a new one.
        let later = payment(4, "Mamie", "2026-11-17T08:00:00Z");
        let f = find(&[notices[0].clone(), later], &[], &earlier, t(NOW), &MatchRules::default());
        assert!(kinds(&f).contains(&(FindingKind::PaymentCheck, Some(4), None)), "{f:?}");
    }

    #[test]
    fn a_first_sync_over_old_payment_notices_reminds_once() {
        let notices = [
            payment(1, "Mamie", "2026-09-01T08:00:00Z"),
            payment(2, "Mamie", "2026-09-20T08:00:00Z"),
            payment(3, "Mamie", "2026-10-10T08:00:00Z"),
        ];
        assert_eq!(run(&notices, &[]), vec![(FindingKind::PaymentCheck, Some(3), None)]);
    }

    #[test]
    fn payment_reminders_can_be_turned_off_and_fakes_are_impersonations() {
        let rules = MatchRules { payment_reminders: false, ..MatchRules::default() };
        let pay = payment(1, "Mamie", "2026-11-19T08:00:00Z");
        assert!(find(std::slice::from_ref(&pay), &[], &Past::default(), t(NOW), &rules).is_empty());
        let fake = NoticeFacts { authenticity: Authenticity::Suspicious, ..pay };
        assert_eq!(run(&[fake], &[]), vec![(FindingKind::Impersonation, Some(1), None)]);
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
    fn missing_notice_counts_notices_older_than_the_pass_window() {
        let own = login(7, LoginService::Ameli, "2026-11-20T10:00:00Z");
        let past = Past { first_ameli_notice: vec![("Mamie".into(), t("2025-01-01T09:00:00Z"))], ..Past::default() };
        let got = kinds(&find(&[], std::slice::from_ref(&own), &past, t(NOW), &MatchRules::default()));
        assert_eq!(got, vec![(FindingKind::MissingNotice, None, Some(7))]);
        let other = Past { first_ameli_notice: vec![("Papi".into(), t("2025-01-01T09:00:00Z"))], ..Past::default() };
        assert!(find(&[], &[own], &other, t(NOW), &MatchRules::default()).is_empty(), "another account's notices");
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
    fn own_logins_explain_only_what_they_preceded() {
        // The alert was shown at 09:20; the user then went to ameli (as the
        // alert asks) and the launcher recorded a login "at 09:13" only at
        // 09:25: it explains nothing.
        let mut n = notice(1, Service::Ameli, "2026-11-20T09:14:00Z");
        n.alert_shown_at = Some(t("2026-11-20T09:20:00Z"));
        let mut late = login(1, LoginService::Ameli, "2026-11-20T09:13:00Z");
        late.recorded_at = t("2026-11-20T09:25:00Z");
        assert_eq!(
            run(std::slice::from_ref(&n), &[late.clone()]),
            vec![(FindingKind::UnrecognisedLogin, Some(1), None)]
        );
        // Recorded before the alert was shown: it explains the notice.
        late.recorded_at = t("2026-11-20T09:19:00Z");
        assert!(run(&[n], &[late]).is_empty());
    }

    #[test]
    fn urgency_and_answerability_belong_to_the_finding_kind() {
        assert_eq!(FindingKind::UnrecognisedLogin.urgency(), Urgency::Critical);
        assert_eq!(FindingKind::Impersonation.urgency(), Urgency::Critical);
        assert_eq!(FindingKind::MissingNotice.urgency(), Urgency::Normal);
        assert!(FindingKind::UnrecognisedLogin.answerable());
        assert!(!FindingKind::Impersonation.answerable());
        assert!(!FindingKind::Blind.answerable());
        assert!(FindingKind::Impersonation.groupable());
        assert!(!FindingKind::UnrecognisedLogin.groupable());
    }

    #[test]
    fn login_attempts_are_urgent_answerable_and_never_grouped() {
        let k = FindingKind::LoginAttempt;
        assert_eq!(k.urgency(), Urgency::Critical);
        assert!(k.answerable() && k.explainable() && k.reminded() && !k.groupable());
    }

    #[test]
    fn access_changes_are_normal_and_payment_checks_low_and_shown_once() {
        assert_eq!(FindingKind::AccessChange.urgency(), Urgency::Normal);
        assert!(FindingKind::AccessChange.answerable());
        let p = FindingKind::PaymentCheck;
        assert_eq!(p.urgency(), Urgency::Low);
        assert!(!p.answerable() && !p.explainable() && !p.reminded() && !p.groupable());
        assert_eq!(check_answer(p, None, None, Answer::Handled), Ok(()));
        assert_eq!(check_answer(p, None, None, Answer::Mine), Err(AnswerRefused::NotAnswerable(p)));
    }

    #[test]
    fn answers_not_mine_keeps_open_mine_and_handled_close() {
        assert_eq!(Answer::NotMine.resolution(), None);
        assert_eq!(Answer::Mine.resolution(), Some(Resolution::Mine));
        assert_eq!(Answer::Handled.resolution(), Some(Resolution::Handled));
    }

    #[test]
    fn answers_are_final() {
        use AnswerRefused::*;
        let open = None;
        let login = FindingKind::UnrecognisedLogin;
        assert_eq!(check_answer(login, open, None, Answer::NotMine), Ok(()));
        assert_eq!(check_answer(login, open, Some(Answer::NotMine), Answer::Mine), Err(NotMineIsFinal));
        assert_eq!(check_answer(login, open, Some(Answer::NotMine), Answer::Handled), Ok(()));
        assert_eq!(check_answer(login, open, Some(Answer::NotMine), Answer::NotMine), Ok(()));
        assert_eq!(
            check_answer(login, Some(Resolution::Handled), Some(Answer::NotMine), Answer::Handled),
            Err(Closed(Resolution::Handled))
        );
        let fake = FindingKind::Impersonation;
        assert_eq!(check_answer(fake, open, None, Answer::Mine), Err(NotAnswerable(fake)));
        assert_eq!(check_answer(fake, open, None, Answer::Handled), Ok(()));
        let blind = FindingKind::Blind;
        assert_eq!(check_answer(blind, open, None, Answer::Handled), Err(NotAnswerable(blind)), "closes itself");
    }

    #[test]
    fn finding_keys_are_stable_and_distinct() {
        let f = find(
            &[notice(3, Service::Ameli, "2026-11-20T09:14:00Z")],
            &[],
            &Past::default(),
            t(NOW),
            &MatchRules::default(),
        );
        assert_eq!(f[0].key(), "unrecognised_login:notice:3");
    }
}
