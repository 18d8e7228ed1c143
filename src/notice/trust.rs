//! Whose `Authentication-Results` count.
//!
//! Anyone can write an `Authentication-Results` header into the mail they
//! send: only those written by the user's own receiving server count
//! (DESIGN "Rules"). A server names itself in the header's first word, its
//! authserv-id (`mx.google.com`); Microsoft's servers write none
//! (`spf=pass (sender IP is …) smtp.mailfrom=…; dkim=pass …; compauth=pass`).
//!
//! - For an account, [`Trust::Servers`]: only headers whose authserv-id is
//!   trusted are read, every other one is ignored, and with none trusted a
//!   message is at best `unverified`. Position alone proves nothing (Gmail
//!   writes its header below anything the sender wrote), but a sender can
//!   spell its header with the trusted id too; a receiving server adds its
//!   headers on top of the ones already in the message, so the topmost
//!   trusted header is the server's own and decides:
//!   - with `none`, no result, or two methods or more (`dkim`, `spf`,
//!     `dmarc`…), it is a complete header: only it counts;
//!   - with exactly one method, the server writes one header per method
//!     (ProtonMail, iCloud, OpenDKIM + OpenDMARC): the run of trusted
//!     headers directly below it (no other `Authentication-Results` in
//!     between) is read too, each with exactly one method not seen before;
//!     the run stops at the first header that is not trusted, carries
//!     several methods or repeats a method. Microsoft's header (no id)
//!     neither starts nor joins a run: only the topmost one counts.
//!
//!   What remains forgeable: below a one-method run, a sender's own
//!   one-method header for a method the server did not report (it wrote
//!   no `dkim` header, say) joins the run.
//! - For `vigie scan`, which has no account, [`Trust::Topmost`]: the
//!   topmost header, whoever wrote it, and when it carries one method, the
//!   run of one-method headers of the same authserv-id right below it (as
//!   above); the recognition says whose it was.
//!
//! For an unknown server vigie learns which id to trust from the account's
//! own mail ([`observe`], [`learn_authserv_id`]): the same authserv-id on
//! the topmost header of mail from many different sender domains.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::authenticity::{AuthenticationResult, AuthenticationResults, parse_authentication_results};
use super::domain::ascii_domain;

/// How a configured list names Microsoft's headers, which carry no
/// authserv-id. Parentheses start a comment in a header, so no real
/// authserv-id can be spelt this way.
pub const MICROSOFT_STYLE: &str = "(microsoft)";

/// One entry of `trusted_authserv_ids`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthservId {
    /// This authserv-id exactly (any case).
    Exact(String),
    /// `*.yahoo.com`: any authserv-id under this domain (providers whose
    /// every server names itself: `atlas216.free.mail.bf1.yahoo.com`).
    Under(String),
    /// A header with no authserv-id, as Microsoft writes them: only the
    /// topmost such header counts.
    MicrosoftStyle,
}

/// Why a `trusted_authserv_ids` entry cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an authserv-id: give the first word of your server's Authentication-Results header \
     (e.g. \"mx.google.com\"), \"*.domain\" for any server under a domain, or \"(microsoft)\""
)]
pub struct BadAuthservId(pub String);

impl AuthservId {
    /// Reads one config entry.
    pub fn parse(entry: &str) -> Result<AuthservId, BadAuthservId> {
        let e = entry.trim().to_ascii_lowercase();
        if e == MICROSOFT_STYLE {
            return Ok(AuthservId::MicrosoftStyle);
        }
        let (under, name) = match e.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, e.as_str()),
        };
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':'))
            && !name.starts_with('.');
        match (valid, under) {
            (false, _) => Err(BadAuthservId(entry.to_owned())),
            (true, true) if !name.contains('.') => Err(BadAuthservId(entry.to_owned())),
            (true, true) => Ok(AuthservId::Under(name.to_owned())),
            (true, false) => Ok(AuthservId::Exact(name.to_owned())),
        }
    }

    /// Whether a header written by `header_id` (`None`: no authserv-id) is
    /// this server's.
    pub fn matches(&self, header_id: Option<&str>) -> bool {
        match (self, header_id) {
            (AuthservId::Exact(id), Some(h)) => id.eq_ignore_ascii_case(h),
            (AuthservId::Under(base), Some(h)) => super::domain::is_under(h, base) && !h.eq_ignore_ascii_case(base),
            (AuthservId::MicrosoftStyle, None) => true,
            _ => false,
        }
    }
}

/// Whose `Authentication-Results` a recognition reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// `vigie scan`: the topmost header, whoever wrote it.
    Topmost,
    /// An account: only headers from these servers; an empty list trusts
    /// none.
    Servers(Vec<AuthservId>),
}

impl Trust {
    /// The servers an account trusts: its `trusted_authserv_ids` (entries
    /// that cannot be read are skipped; config validation reports them).
    pub fn servers<'a>(ids: impl IntoIterator<Item = &'a str>) -> Trust {
        Trust::Servers(ids.into_iter().filter_map(|id| AuthservId::parse(id).ok()).collect())
    }
}

/// The `Authentication-Results` a recognition goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selected {
    /// The message has no `Authentication-Results` at all.
    NoHeader,
    /// The account trusts no server yet.
    NoTrustedServer,
    /// Headers, none of them from a trusted server.
    Untrusted,
    /// Results of the header(s) of `by` (an authserv-id, or
    /// [`MICROSOFT_STYLE`]).
    From { by: String, results: Vec<AuthenticationResult> },
}

/// Picks the headers (raw values, topmost first) that `trust` believes.
/// Each header is parsed once.
pub(crate) fn select(headers: &[String], trust: &Trust) -> Selected {
    if let (Trust::Topmost, Some(first)) = (trust, headers.first()) {
        // The usual case: a complete topmost header (several methods) is
        // all that counts; the headers below need not be read.
        // Microsoft's header (no id) counts alone too. Only a one-method
        // header needs those below it, and it is not read twice.
        let top = parse_authentication_results(first);
        if top.authserv_id.is_none() || one_method(&top.results).is_none() {
            let by = top.authserv_id.unwrap_or_else(|| MICROSOFT_STYLE.to_owned());
            return Selected::From { by, results: top.results };
        }
        let below = headers.get(1..).unwrap_or_default().iter().map(|h| parse_authentication_results(h));
        return select_parsed(std::iter::once(top).chain(below).collect(), trust);
    }
    let parsed: Vec<AuthenticationResults> = headers.iter().map(|h| parse_authentication_results(h)).collect();
    select_parsed(parsed, trust)
}

fn select_parsed(mut parsed: Vec<AuthenticationResults>, trust: &Trust) -> Selected {
    let by = |id: &Option<String>| id.clone().unwrap_or_else(|| MICROSOFT_STYLE.to_owned());
    let ids = match trust {
        // The topmost header names the server; a server that writes one
        // header per method has all of them read, as for an account.
        Trust::Topmost => match parsed.first() {
            Some(AuthenticationResults { authserv_id: Some(id), .. }) => {
                Cow::Owned(vec![AuthservId::Exact(id.clone())])
            }
            Some(_) => {
                let h = parsed.swap_remove(0);
                return Selected::From { by: by(&h.authserv_id), results: h.results };
            }
            None => return Selected::NoHeader,
        },
        Trust::Servers(ids) if ids.is_empty() => return Selected::NoTrustedServer,
        Trust::Servers(ids) => Cow::Borrowed(ids.as_slice()),
    };
    let trusted = |h: &AuthenticationResults| ids.iter().any(|id| id.matches(h.authserv_id.as_deref()));
    // Microsoft writes one header, on top of any the sender wrote: only
    // the topmost header without an id is its own.
    let first_microsoft = parsed.iter().position(|h| h.authserv_id.is_none());
    let believable = |(i, h): &(usize, &AuthenticationResults)| {
        trusted(h) && (h.authserv_id.is_some() || Some(*i) == first_microsoft)
    };
    let mut rest = parsed.iter().enumerate().skip_while(|ih| !believable(ih));
    let Some((_, top)) = rest.next() else {
        return if parsed.is_empty() { Selected::NoHeader } else { Selected::Untrusted };
    };
    let mut results = top.results.clone();
    if let Some(first) = one_method(&top.results).filter(|_| top.authserv_id.is_some()) {
        // One header per method: the run of trusted headers right below,
        // one new method each.
        let mut seen = vec![first];
        for (_, h) in rest {
            let m = one_method(&h.results);
            if h.authserv_id.is_none() || !trusted(h) || m.is_none_or(|m| seen.contains(&m)) {
                break;
            }
            seen.extend(m);
            results.extend(h.results.iter().cloned());
        }
    }
    Selected::From { by: by(&top.authserv_id), results }
}

/// The method a header reports on (`dkim`, `spf`, …) when it reports on
/// exactly one; an extension of a method counts as that method (OpenDKIM
/// writes `dkim-atps` and `dkim-adsp` beside its `dkim`).
fn one_method(results: &[AuthenticationResult]) -> Option<&str> {
    fn base(r: &AuthenticationResult) -> &str {
        r.method.split('-').next().unwrap_or_default()
    }
    let first = base(results.first()?);
    results.iter().all(|r| base(r) == first).then_some(first)
}

/// What one message of an account says about its receiving server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The authserv-id of the topmost `Authentication-Results` header
    /// ([`MICROSOFT_STYLE`] when it has none), `None` when there is no such
    /// header.
    pub authserv_id: Option<String>,
    /// The From address's domain, reduced to its last two labels (so that
    /// one sender's many subdomains count once), lower case.
    pub sender_domain: Option<String>,
}

/// Reads an [`Observation`] from a message's raw bytes (headers suffice).
pub fn observe(raw: &[u8]) -> Option<Observation> {
    let message = super::text::parser().parse_headers(raw)?;
    let authserv_id = message.headers_raw().find(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results")).map(
        |(_, value)| parse_authentication_results(value).authserv_id.unwrap_or_else(|| MICROSOFT_STYLE.to_owned()),
    );
    let sender_domain = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| ascii_domain(d))
        .filter(|d| !d.is_empty())
        .map(|d| registrable(&d));
    Some(Observation { authserv_id, sender_domain })
}

fn registrable(domain: &str) -> String {
    let labels: Vec<&str> = domain.rsplit('.').take(2).collect();
    labels.into_iter().rev().collect::<Vec<_>>().join(".")
}

/// At least this many different sender domains must show the same id.
pub const LEARN_MIN_SENDER_DOMAINS: usize = 5;
/// The id must top at least this share of the observed messages: a
/// receiving server writes its header on every message it takes in.
pub const LEARN_MIN_SHARE_PERCENT: usize = 80;

/// Which authserv-id an account's own mail says to trust, if any: the id on
/// the topmost header of mail from at least [`LEARN_MIN_SENDER_DOMAINS`]
/// different sender domains, on at least [`LEARN_MIN_SHARE_PERCENT`] % of
/// all observed messages, with no competing id (another one seen on mail
/// from two domains or more). A single message teaches nothing; a sender
/// writing its own header teaches nothing either, whatever it sends,
/// unless it controls five domains and most of the user's mail.
pub fn learn_authserv_id<'a>(observations: impl IntoIterator<Item = &'a Observation>) -> Option<String> {
    let mut domains: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut messages: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total = 0usize;
    for o in observations {
        total += 1;
        let Some(id) = o.authserv_id.as_deref() else { continue };
        *messages.entry(id).or_default() += 1;
        if let Some(d) = o.sender_domain.as_deref() {
            domains.entry(id).or_default().insert(d);
        }
    }
    let (best, senders) = domains.iter().max_by_key(|(_, d)| d.len())?;
    let competing = domains.iter().any(|(id, d)| id != best && d.len() >= 2);
    let share = messages.get(best).copied().unwrap_or(0) * 100 / total.max(1);
    (senders.len() >= LEARN_MIN_SENDER_DOMAINS && !competing && share >= LEARN_MIN_SHARE_PERCENT)
        .then(|| best.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(id: Option<&str>, domain: &str) -> Observation {
        Observation { authserv_id: id.map(str::to_owned), sender_domain: Some(domain.to_owned()) }
    }

    #[test]
    fn the_topmost_selection_is_the_one_every_header_read_gives() {
        let h = [
            "mx.example; dkim=pass header.d=ameli.fr; spf=pass",
            "mx.example; dkim=pass header.d=ameli.fr",
            "mx.example; spf=fail smtp.mailfrom=evil.example",
            "MX.Example (c); dmarc=pass header.from=ameli.fr",
            "other.example; dmarc=fail",
            "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example; dkim=none",
            "mx.example; none",
        ];
        let mut lists: Vec<Vec<String>> = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<String>> =
                lists.iter().flat_map(|l| h.iter().map(move |x| [l.clone(), vec![x.to_string()]].concat())).collect();
            lists.extend(longer);
        }
        lists.dedup();
        for headers in lists {
            let every: Vec<AuthenticationResults> = headers.iter().map(|v| parse_authentication_results(v)).collect();
            assert_eq!(select(&headers, &Trust::Topmost), select_parsed(every, &Trust::Topmost), "{headers:?}");
        }
    }

    #[test]
    fn config_entries_are_exact_ids_domains_or_microsoft_style() {
        assert_eq!(AuthservId::parse("MX.Google.com"), Ok(AuthservId::Exact("mx.google.com".into())));
        assert_eq!(AuthservId::parse("*.yahoo.com"), Ok(AuthservId::Under("yahoo.com".into())));
        assert_eq!(AuthservId::parse("(microsoft)"), Ok(AuthservId::MicrosoftStyle));
        for bad in ["", "mx.example; dkim=pass", "two words", "*.com", "(other)", "spf=pass"] {
            assert!(AuthservId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_domain_entry_matches_servers_under_it_only() {
        let yahoo = AuthservId::parse("*.yahoo.com").expect("valid");
        assert!(yahoo.matches(Some("atlas216.free.mail.bf1.yahoo.com")));
        assert!(!yahoo.matches(Some("yahoo.com.evil.example")));
        assert!(!yahoo.matches(None));
        assert!(AuthservId::MicrosoftStyle.matches(None));
        assert!(!AuthservId::MicrosoftStyle.matches(Some("(microsoft)")));
    }

    #[test]
    fn an_observation_is_the_topmost_authserv_id_and_the_sender_domain() {
        let raw = b"Authentication-Results: mx.example.net; dkim=pass header.d=news.shop.example\r\n\
                    Authentication-Results: relay.shop.example; dkim=pass\r\n\
                    From: Shop <hello@news.shop.example>\r\nSubject: x\r\n\r\nbody\r\n";
        assert_eq!(observe(raw), Some(seen(Some("mx.example.net"), "shop.example")));
        let ms = b"Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example; dkim=none\r\n\
                   From: a@a.example\r\n\r\n";
        assert_eq!(observe(ms).and_then(|o| o.authserv_id), Some(MICROSOFT_STYLE.to_owned()));
        assert_eq!(observe(b"From: a@a.example\r\n\r\n").and_then(|o| o.authserv_id), None);
    }

    #[test]
    fn the_same_id_on_mail_from_five_sender_domains_is_learned() {
        let mail: Vec<_> = ["a.example", "b.example", "c.example", "d.example", "e.example"]
            .iter()
            .map(|d| seen(Some("mx.self-hosted.example"), d))
            .collect();
        assert_eq!(learn_authserv_id(&mail), Some("mx.self-hosted.example".into()));
        assert_eq!(learn_authserv_id(&mail[..4]), None, "four senders are not enough");
    }

    #[test]
    fn a_single_message_or_a_single_sender_teaches_nothing() {
        assert_eq!(learn_authserv_id(&[seen(Some("forged.example"), "evil.example")]), None);
        let same_sender: Vec<_> = (0..50).map(|_| seen(Some("forged.example"), "evil.example")).collect();
        assert_eq!(learn_authserv_id(&same_sender), None);
    }

    #[test]
    fn a_competing_id_or_much_mail_without_header_prevents_learning() {
        let mut mail: Vec<_> = ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"]
            .iter()
            .map(|d| seen(Some("mx.self-hosted.example"), d))
            .collect();
        let mut competing = mail.clone();
        competing.push(seen(Some("list.example"), "g.example"));
        competing.push(seen(Some("list.example"), "h.example"));
        assert_eq!(learn_authserv_id(&competing), None);
        // A server that writes no header of its own, and a mailing list's.
        mail.extend((0..4).map(|i| Observation { authserv_id: None, sender_domain: Some(format!("{i}.example")) }));
        assert_eq!(learn_authserv_id(&mail), None);
    }
}
