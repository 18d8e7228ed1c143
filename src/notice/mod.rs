//! Recognition: raw e-mail bytes in, a [`Recognition`] out.
//!
//! This module is pure: it never touches the network, the disk or the clock,
//! and it never panics on hostile input. It answers three questions about a
//! message:
//!
//! 1. Does it present itself as ameli or FranceConnect (`claims`)? Mail that
//!    merely mentions them — a mutuelle newsletter, a doctor's reminder to
//!    bring the carte Vitale — does not.
//! 2. If so, which kind of notice is it ([`Kind`]), and when did the login
//!    happen ([`LoginTime`], read as Paris time and kept in UTC)?
//! 3. Is it authentic ([`Authenticity`])? Authenticity comes before meaning:
//!    a fake "Information de connexion" is an impersonation, never a login
//!    the user must act upon.
//!
//! What vigie knows about the notices (official domains, subjects, lures) is
//! data, in [`Rules`]: `builtin.toml` plus what the config adds.
//!
//! ```
//! let rules = vigie::notice::Rules::builtin();
//! let raw = b"From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
//!             Subject: Information de paiement\r\n\r\nBonjour\r\n";
//! let seen = vigie::notice::recognise(raw, &rules).unwrap();
//! let notice = seen.notice.unwrap();
//! assert_eq!(notice.kind, vigie::notice::Kind::Payment);
//! ```

mod authenticity;
mod claims;
mod domain;
mod forward;
mod rewriter;
mod rules;
pub mod sanitise;
mod text;
mod trust;
mod when;

#[cfg(test)]
mod trust_tests;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use authenticity::{AuthenticationResult, AuthenticationResults, parse_authentication_results};
pub use domain::{DomainVerdict, classify_domain, is_under};
pub use rewriter::{Encoding as RewriterEncoding, RewriterSpec};
pub use rules::{LureCategory, Proves, Rules, RulesError, RulesExtension, VisitSpec};
pub use sanitise::{plain_name, terminal_safe, terminal_safe_text};
pub use trust::{
    AuthservId, BadAuthservId, LEARN_MIN_SENDER_DOMAINS, MICROSOFT_STYLE, Observation, Trust, learn_authserv_id,
    observe,
};
pub use when::{LoginTime, TimeSource, read_login_time};

/// The service a message presents itself as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Ameli,
    #[serde(rename = "franceconnect")]
    FranceConnect,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ameli => "ameli",
            Service::FranceConnect => "franceconnect",
        }
    }
}

/// What a message claiming a service is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Someone logged in.
    Login,
    /// Assurance Maladie "Information de paiement".
    Payment,
    /// FranceConnect "Modification de vos accès".
    Settings,
    /// A one-time security code sent while someone logs in: whoever
    /// receives one without having asked has had their identifiers typed.
    #[serde(rename = "security_code")]
    SecurityCode,
    /// Anything else that claims the service: newsletters, lures.
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Payment => "payment",
            Kind::Settings => "settings",
            Kind::SecurityCode => "security_code",
            Kind::Other => "other",
        }
    }
}

/// Whether a message that claims a service really comes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Authenticity {
    /// Official sender, DKIM aligned or DMARC pass, no lure.
    Genuine,
    /// Official sender and no lure, but no authentication results to check.
    Unverified,
    /// Fails at least one check: a fake until proven otherwise.
    Suspicious,
}

impl Authenticity {
    pub fn as_str(self) -> &'static str {
        match self {
            Authenticity::Genuine => "genuine",
            Authenticity::Unverified => "unverified",
            Authenticity::Suspicious => "suspicious",
        }
    }
}

/// One piece of evidence behind a verdict. [`crate::messages`] renders it
/// for the user; [`Reason::code`] is stable for scripts and tests. The
/// journal stores it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reason {
    DkimPass {
        domain: String,
    },
    DmarcPass,
    NoAuthenticationResults,
    NoPassingAuthentication,
    /// The account trusts no receiving server yet: the sender could not be
    /// checked.
    NoTrustedServer,
    /// Headers are present, none written by a trusted server.
    UntrustedAuthenticationResults,
    DkimFail {
        domain: Option<String>,
    },
    SpfFail,
    DmarcFail,
    NoSender,
    SenderNotOfficial {
        domain: String,
    },
    LookalikeDomain {
        domain: String,
        official: String,
    },
    ReplyToNotOfficial {
        domain: String,
    },
    Lure {
        category: LureCategory,
    },
    LinkNotOfficial {
        host: String,
    },
    LinkTextMismatch {
        shown: String,
        target: String,
    },
    /// A form in the message sends what is typed into it to this host.
    FormNotOfficial {
        host: String,
    },
    /// A link rewritten by the recipient's mail system (Safe Links,
    /// Proofpoint…) leads to this host: it was judged by it.
    LinkRewritten {
        host: String,
    },
    /// The sender's own (unofficial) domain signed the message: it really
    /// comes from that domain, which is not an official one.
    SignedByUnofficialSender {
        domain: String,
    },
    /// Only another domain than the official sender signed the message
    /// (a mailing provider): that proves nothing about the sender.
    SignedByThirdParty {
        domain: String,
    },
    TimeInDstGap,
    TimeAmbiguous,
    TimeFromDateHeader,
    /// The body states a time vigie could not read: the `Date` header
    /// was used.
    TimeUnreadable,
    /// The message was too big to fetch whole: recognised from its
    /// beginning only.
    OnlyBeginningRead,
}

impl Reason {
    /// A stable identifier, e.g. `dkim_fail` or `lure_refund`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::DkimPass { .. } => "dkim_pass",
            Reason::DmarcPass => "dmarc_pass",
            Reason::NoAuthenticationResults => "no_authentication_results",
            Reason::NoPassingAuthentication => "no_passing_authentication",
            Reason::NoTrustedServer => "no_trusted_server",
            Reason::UntrustedAuthenticationResults => "untrusted_authentication_results",
            Reason::DkimFail { .. } => "dkim_fail",
            Reason::SpfFail => "spf_fail",
            Reason::DmarcFail => "dmarc_fail",
            Reason::NoSender => "no_sender",
            Reason::SenderNotOfficial { .. } => "sender_not_official",
            Reason::LookalikeDomain { .. } => "lookalike_domain",
            Reason::ReplyToNotOfficial { .. } => "reply_to_not_official",
            Reason::Lure { category } => category.code(),
            Reason::LinkNotOfficial { .. } => "link_not_official",
            Reason::LinkTextMismatch { .. } => "link_text_mismatch",
            Reason::FormNotOfficial { .. } => "form_not_official",
            Reason::LinkRewritten { .. } => "link_rewritten",
            Reason::SignedByUnofficialSender { .. } => "signed_by_unofficial_sender",
            Reason::SignedByThirdParty { .. } => "signed_by_third_party",
            Reason::TimeUnreadable => "time_unreadable",
            Reason::TimeInDstGap => "time_in_dst_gap",
            Reason::TimeAmbiguous => "time_ambiguous",
            Reason::TimeFromDateHeader => "time_from_date_header",
            Reason::OnlyBeginningRead => "only_beginning_read",
        }
    }

    /// Evidence against the message (as opposed to evidence for it, or a
    /// note about how its time was read).
    pub fn is_warning(&self) -> bool {
        !matches!(
            self,
            Reason::DkimPass { .. }
                | Reason::DmarcPass
                | Reason::NoAuthenticationResults
                | Reason::NoPassingAuthentication
                | Reason::NoTrustedServer
                | Reason::UntrustedAuthenticationResults
                | Reason::TimeAmbiguous
                | Reason::TimeFromDateHeader
                | Reason::TimeUnreadable
                | Reason::LinkRewritten { .. }
                | Reason::SignedByThirdParty { .. }
                | Reason::OnlyBeginningRead
        )
    }
}

/// The sender as the From header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sender {
    pub name: Option<String>,
    pub address: Option<String>,
}

/// Facts about any message, notice or not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Envelope {
    pub message_id: Option<String>,
    pub sender: Sender,
    pub subject: String,
    /// The Date header, if it could be read.
    pub date: Option<DateTime<Utc>>,
}

/// A message that claims to come from ameli or FranceConnect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub service: Service,
    pub kind: Kind,
    pub authenticity: Authenticity,
    /// Evidence against first, then evidence for.
    pub reasons: Vec<Reason>,
    /// For logins and settings changes: when it happened.
    pub login_at: Option<LoginTime>,
    /// FranceConnect: the site the user was logged into.
    pub site: Option<String>,
    /// FranceConnect: the account used to log in (impots.gouv.fr, Ameli.fr…).
    pub identity_provider: Option<String>,
    /// Whom the notice greets (FranceConnect since February 2025: « Bonjour
    /// Jeanne Dupont »): in a shared mailbox, whose identity was used.
    pub addressee: Option<String>,
    /// The name of the known format that matched, if any.
    pub format: Option<String>,
}

/// What [`recognise`] makes of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognition {
    pub envelope: Envelope,
    /// `None` for mail that has nothing to do with ameli or FranceConnect.
    pub notice: Option<Notice>,
    /// Whose `Authentication-Results` the verdict went by: an authserv-id,
    /// or [`MICROSOFT_STYLE`]; `None` when no header was trusted.
    pub checked_by: Option<String>,
    /// The message forwards an ameli or FranceConnect mail.
    pub forwarded: Option<Forwarded>,
}

/// A forward of a mail that concerns ameli or FranceConnect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// The original is attached (`message/rfc822`) and was judged on its
    /// own, by its topmost `Authentication-Results` (written by the
    /// forwarder's mail provider, not the user's).
    Attached(Box<Recognition>),
    /// The original is copied into the text: its sender cannot be checked.
    Inline(Service),
}

/// Why a byte string could not be read as an e-mail at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAnEmail {
    #[error("the file is empty")]
    Empty,
    #[error("no e-mail headers were found")]
    NoHeaders,
}

/// From a message's header block alone: might it claim ameli or
/// FranceConnect? The watcher fetches the bodies of those only.
pub fn may_concern(headers: &[u8], rules: &Rules) -> bool {
    match text::parser().parse_headers(headers) {
        Some(message) => authenticity::may_concern(&text::Content::of(&message), rules),
        None => false,
    }
}

/// Reads one raw RFC 5322 message. Never panics; text is capped so that
/// time and memory stay bounded whatever the input. Trusts the
/// `Authentication-Results` of the servers named in the rules'
/// `trusted_authserv_ids`, else the topmost header (`vigie scan`); an
/// account's watch uses [`recognise_for`] with its own [`Trust`].
pub fn recognise(raw: &[u8], rules: &Rules) -> Result<Recognition, NotAnEmail> {
    recognise_for(raw, rules, &rules.default_trust())
}

/// As [`recognise`], reading only the `Authentication-Results` that
/// `trust` believes. Every string in the result went through
/// [`sanitise`].
pub fn recognise_for(raw: &[u8], rules: &Rules, trust: &Trust) -> Result<Recognition, NotAnEmail> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(NotAnEmail::Empty);
    }
    let message = text::parser().parse(raw).ok_or(NotAnEmail::NoHeaders)?;
    let mut content = text::Content::of(&message);
    if !content.has_headers {
        return Err(NotAnEmail::NoHeaders);
    }
    let mut seen = judged(&mut content, rules, trust);
    seen.forwarded = forward::attached_original(&message, rules).or_else(|| {
        // A copied original counts only in mail that is no notice itself.
        seen.notice.is_none().then(|| forward::inline_forward(&content, rules)).flatten().map(Forwarded::Inline)
    });
    Ok(seen)
}

/// Judges `content`, whose envelope moves into the recognition.
pub(crate) fn judged(content: &mut text::Content, rules: &Rules, trust: &Trust) -> Recognition {
    let selected = trust::select(&content.authentication_results, trust);
    let notice = authenticity::judge(content, rules, &selected);
    let checked_by = match selected {
        trust::Selected::From { by, .. } => Some(by),
        _ => None,
    };
    let envelope = std::mem::take(&mut content.envelope);
    let mut seen = Recognition { envelope, notice, checked_by, forwarded: None };
    sanitise::recognition(&mut seen);
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_concern_from_headers() {
        let rules = Rules::builtin();
        let yes: [&[u8]; 4] = [
            b"From: x@info.ameli.fr\r\nSubject: Bonjour\r\n\r\n",
            b"From: Service clients Ameli <x@gmail.com>\r\nSubject: Bonjour\r\n\r\n",
            b"From: x@example.com\r\nSubject: Votre remboursement ameli\r\n\r\n",
            b"From: x@arneli.fr\r\nSubject: Bonjour\r\n\r\n",
        ];
        for h in yes {
            assert!(may_concern(h, &rules), "{}", String::from_utf8_lossy(h));
        }
        assert!(!may_concern(b"From: Doctolib <no-reply@doctolib.fr>\r\nSubject: Rappel\r\n\r\n", &rules));
    }
}
