//! Does a message claim to be ameli or FranceConnect, and is it authentic?
//!
//! A message claims a service when its sender domain is official or a
//! look-alike, its display name names the brand, its subject is a known
//! notice subject, or its subject names the brand and it carries a lure.
//! It is then `suspicious` on any failed check (sender domain, DKIM/SPF/
//! DMARC failure in the trusted `Authentication-Results`, a lure, a link to
//! a host that is not official, a link that shows one host and goes to
//! another), else `genuine` with aligned DKIM or DMARC pass, else
//! `unverified`.

use std::borrow::Cow;
use std::cell::LazyCell;

use url::Url;

use super::claims::claimed_service;
use super::domain::{DomainVerdict, ascii_domain, classify_domain, is_under};
use super::rewriter::{plain_web_host, unwrap, unwrapped_host};
use super::rules::{Format, LureCategory, Rules, group};
use super::text::{Content, Joined, Link};
use super::trust::Selected;
use super::when::{TimeNote, TimeSource, read_login_time};
use super::{Authenticity, Kind, Notice, Reason};

/// At most this many link reasons are given: one bad link is enough.
const MAX_LINK_REASONS: usize = 3;

/// One `method=result` of an `Authentication-Results` header (RFC 8601).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationResult {
    /// Lower case; the usual methods and results are not copied
    /// (`KNOWN_METHODS`, `KNOWN_RESULTS`).
    pub method: Cow<'static, str>,
    pub result: Cow<'static, str>,
    /// `header.d` for DKIM (else `header.i`'s domain), `header.from` for
    /// DMARC, `smtp.mailfrom` for SPF, when given.
    pub domain: Option<String>,
}

/// One `Authentication-Results` header: who wrote it and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationResults {
    /// The authserv-id, lower case; `None` for a header that starts with a
    /// result, as Microsoft writes them.
    pub authserv_id: Option<String>,
    pub results: Vec<AuthenticationResult>,
}

/// Parses one `Authentication-Results` value into its authserv-id and
/// results. Comments in parentheses are dropped; unknown parts are skipped.
/// A first word with `=` in it is a result, not an authserv-id (a token
/// cannot hold `=`): Microsoft's headers carry no authserv-id.
pub fn parse_authentication_results(value: &str) -> AuthenticationResults {
    let value = strip_comments(value);
    let mut sections = Sections(Some(&value));
    let first = sections.next().unwrap_or_default();
    let first_word = Words(first).next().unwrap_or_default();
    let mut results = Vec::with_capacity(4);
    let authserv_id = if first_word.contains('=') {
        push_result(first, &mut results);
        None
    } else {
        Some(first_word.to_ascii_lowercase())
    };
    for section in sections {
        push_result(section, &mut results);
    }
    AuthenticationResults { authserv_id, results }
}

/// Reads one `method=result key=value…` section into `results`; a section
/// that does not start with `method=result` is skipped. The domain is
/// `header.d`, `header.from` or `smtp.mailfrom` (the last one given), else
/// the first `header.i`'s.
fn push_result(section: &str, results: &mut Vec<AuthenticationResult>) {
    let mut words = Words(section);
    let Some((method, result)) = words.next().and_then(split_at_equals) else { return };
    let mut domain = None;
    for word in words {
        let Some((key, val)) = split_at_equals(word) else { continue };
        let wanted = match key.len() {
            8 => key.eq_ignore_ascii_case("header.d") || (domain.is_none() && key.eq_ignore_ascii_case("header.i")),
            11 => key.eq_ignore_ascii_case("header.from"),
            13 => key.eq_ignore_ascii_case("smtp.mailfrom"),
            _ => false,
        };
        if wanted {
            domain = Some(domain_in(val));
        }
    }
    results.push(AuthenticationResult {
        method: lower_case(method, KNOWN_METHODS),
        result: lower_case(result, KNOWN_RESULTS),
        domain: domain.map(str::to_ascii_lowercase),
    });
}

/// `word.split_once('=')`, for the short words of a header: a plain byte
/// loop costs less than a searcher.
fn split_at_equals(word: &str) -> Option<(&str, &str)> {
    let at = word.bytes().position(|b| b == b'=')?;
    Some((word.get(..at)?, word.get(at + 1..)?))
}

/// What follows the last `@` of a value without its quotes
/// (`"a@b.c"` → `b.c`), as `val.trim_matches('"').rsplit('@').next()`.
fn domain_in(val: &str) -> &str {
    let bytes = val.as_bytes();
    let start = bytes.iter().position(|&b| b != b'"').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| b != b'"').map_or(start, |i| i + 1).max(start);
    let unquoted = bytes.get(start..end).unwrap_or_default();
    let from = unquoted.iter().rposition(|&b| b == b'@').map_or(0, |i| i + 1);
    val.get(start + from..end).unwrap_or_default()
}

/// The methods of RFC 8601's registry that mail carries, lower case.
const KNOWN_METHODS: &[&str] = &["dkim", "spf", "dmarc", "arc", "compauth", "dkim-atps", "dkim-adsp", "bimi"];
/// The results of those methods, lower case.
const KNOWN_RESULTS: &[&str] =
    &["pass", "fail", "none", "softfail", "neutral", "temperror", "permerror", "policy", "bestguesspass"];

/// `word` in lower case: one of `known` when it is one (any case), else a
/// copy. Three results a header and a few headers a message: copying
/// each was a good share of reading them.
fn lower_case(word: &str, known: &[&'static str]) -> Cow<'static, str> {
    // Written in lower case, as almost every server does: compared as is.
    if let Some(k) = known.iter().find(|k| **k == word) {
        return Cow::Borrowed(k);
    }
    match known.iter().find(|k| k.eq_ignore_ascii_case(word)) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(word.to_ascii_lowercase()),
    }
}

/// The words of a text, as `split_whitespace` gives them: ASCII white
/// space is found byte by byte, and only a word next to a character
/// beyond ASCII is left to `split_whitespace`.
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.0;
        let bytes = text.as_bytes();
        let start = bytes.iter().position(|&b| !is_ascii_space(b))?;
        // Eight bytes at a time while all are printable ASCII or DEL
        // (0x21..=0x7F: word bytes), then byte by byte.
        let mut end = start;
        while let Some(eight) = bytes.get(end..).and_then(|tail| tail.first_chunk::<8>()) {
            let x = u64::from_le_bytes(*eight);
            if (x.wrapping_sub(0x2121_2121_2121_2121) | x) & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            end += 8;
        }
        end += bytes
            .get(end..)
            .unwrap_or_default()
            .iter()
            .position(|&b| !b.is_ascii() || is_ascii_space(b))
            .unwrap_or(bytes.len() - end);
        if !bytes[start].is_ascii() || bytes.get(end).is_some_and(|b| !b.is_ascii()) {
            // White space beyond ASCII may be here: the standard library
            // decides, from the word's start.
            let rest = text.get(start..).unwrap_or_default();
            let word = rest.split_whitespace().next()?;
            let at = start + rest.find(word).unwrap_or_default();
            self.0 = text.get(at + word.len()..).unwrap_or_default();
            return Some(word);
        }
        self.0 = text.get(end..).unwrap_or_default();
        text.get(start..end)
    }
}

/// `char::is_whitespace` for an ASCII byte (false for any other byte).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// A value's sections, split on `;` outside double quotes (a backslash in
/// quotes escapes the next byte): OpenDKIM writes
/// `reason="2048-bit key; unprotected key"`.
struct Sections<'a>(Option<&'a str>);

impl<'a> Iterator for Sections<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.0?;
        let bytes = rest.as_bytes();
        // Every byte looked at is ASCII: the cuts fall between characters.
        let mut quoted = false;
        let mut at = 0;
        while let Some(i) = bytes.get(at..).and_then(|tail| memchr::memchr3(b';', b'"', b'\\', tail)).map(|n| at + n) {
            at = i + 1;
            match bytes[i] {
                b'\\' if quoted => at = i + 2,
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    self.0 = rest.get(i + 1..);
                    return rest.get(..i);
                }
                _ => {}
            }
        }
        self.0 = None;
        Some(rest)
    }
}

/// `value` without its comments (in parentheses, nested, `\` escaping
/// inside them); a stray `)` is dropped too. Text between comments is
/// copied whole.
fn strip_comments(value: &str) -> Cow<'_, str> {
    if memchr::memchr2(b'(', b')', value.as_bytes()).is_none() {
        return Cow::Borrowed(value);
    }
    // Every byte looked at is ASCII: the cuts fall between characters.
    // Outside comments only parentheses matter, inside a backslash too.
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut run, mut at) = (0usize, 0usize, 0usize);
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        let found =
            if depth == 0 { memchr::memchr2(b'(', b')', rest) } else { memchr::memchr3(b'(', b')', b'\\', rest) };
        let Some(i) = found.map(|n| at + n) else { break };
        at = i + 1;
        match bytes[i] {
            // Inside a comment: the next byte is taken as it is.
            b'\\' => at = i + 2,
            b @ (b'(' | b')') if depth == 0 => {
                out.push_str(value.get(run..i).unwrap_or_default());
                depth = usize::from(b == b'(');
                run = i + 1;
            }
            b'(' => depth += 1,
            _ => {
                depth -= 1;
                run = i + 1;
            }
        }
    }
    if depth == 0 {
        out.push_str(value.get(run..).unwrap_or_default());
    }
    Cow::Owned(out)
}

/// The whole judgement: `None` when the message does not claim a service.
pub(crate) fn judge(content: &Content, rules: &Rules, selected: &Selected) -> Option<Notice> {
    let from_domain = content
        .envelope
        .sender
        .address
        .as_deref()
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| ascii_domain(d))
        .filter(|d| !d.is_empty());
    let verdict = from_domain.as_deref().map(|d| classify_domain(d, rules));
    let format = matching_format(content, rules);
    // Found when first asked for: mail that cannot claim a service (no
    // brand named, no known format, a foreign sender) needs none.
    let lures = LazyCell::new(|| lures_in(content, rules));
    let service = claimed_service(content, rules, verdict.as_ref(), format, &lures)?;

    let format = format.filter(|f| f.service == service);
    let kind = format.map_or(Kind::Other, |f| f.kind);

    let mut warnings = Vec::new();
    match (&from_domain, &verdict) {
        (None, _) | (_, None) => warnings.push(Reason::NoSender),
        (Some(_), Some(DomainVerdict::Official(s))) if *s == service => {}
        (Some(domain), Some(v)) => {
            warnings.push(Reason::SenderNotOfficial { domain: domain.clone() });
            if let DomainVerdict::Lookalike { official, .. } = v {
                warnings.push(Reason::LookalikeDomain { domain: domain.clone(), official: official.clone() });
            }
        }
    }
    if let Some(reply_to) = content.reply_to.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| ascii_domain(d))
        && rules.official_service(&reply_to).is_none()
        && Some(&reply_to) != from_domain.as_ref()
    {
        warnings.push(Reason::ReplyToNotOfficial { domain: reply_to });
    }
    let evidence = authentication(selected, rules, from_domain.as_deref(), &mut warnings);
    // Asking for documents or a reply is a lure from an unofficial sender,
    // or with replies going elsewhere; a real caisse agent asks too.
    let context = !warnings.is_empty();
    warnings.extend(lures.iter().filter(|l| context || !l.needs_context()).map(|&category| Reason::Lure { category }));
    let link_notes = link_warnings(&content.links, rules, &mut warnings);

    let authenticity = if !warnings.is_empty() {
        Authenticity::Suspicious
    } else if evidence.iter().any(|r| matches!(r, Reason::DkimPass { .. } | Reason::DmarcPass)) {
        Authenticity::Genuine
    } else {
        Authenticity::Unverified
    };

    let mut reasons = warnings;
    reasons.extend(evidence);
    reasons.extend(link_notes);
    let login_at = if matches!(kind, Kind::Login | Kind::Settings) {
        read_login_time(&content.body_folded, content.envelope.date)
    } else {
        None
    };
    if let Some(t) = &login_at {
        match (t.source, t.note) {
            (TimeSource::DateHeader, Some(TimeNote::Unreadable)) => reasons.push(Reason::TimeUnreadable),
            (TimeSource::DateHeader, _) => reasons.push(Reason::TimeFromDateHeader),
            (_, Some(TimeNote::DstGap)) => reasons.push(Reason::TimeInDstGap),
            (_, Some(TimeNote::Ambiguous)) => reasons.push(Reason::TimeAmbiguous),
            _ => {}
        }
    }
    let Extracted { site, identity_provider, addressee } = format.map(|f| extract(f, content)).unwrap_or_default();
    Some(Notice {
        service,
        kind,
        authenticity,
        reasons,
        login_at,
        site,
        identity_provider,
        addressee,
        format: format.map(|f| f.name.clone()),
    })
}

/// The lures in the sender's name, the subject and the body, and those
/// the message's make-up shows (form fields, a QR code image).
fn lures_in(content: &Content, rules: &Rules) -> Vec<LureCategory> {
    let folded = [content.sender_name_folded.as_str(), &content.subject_folded, &content.body_folded];
    let mut lures = rules.lures_in(&Joined::new(&folded, " "));
    let extra = content.fields.iter().copied().chain(content.qr_image.then_some(LureCategory::QrCode));
    for category in extra {
        if !lures.contains(&category) {
            lures.push(category);
        }
    }
    lures
}

/// From the header block alone: might this message claim a service? A
/// cheap filter before fetching bodies; it errs on the side of yes.
pub(crate) fn may_concern(content: &Content, rules: &Rules) -> bool {
    let domain =
        content.envelope.sender.address.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| ascii_domain(d));
    domain.is_some_and(|d| classify_domain(&d, rules) != DomainVerdict::Foreign)
        || rules.brand_named_in(&content.sender_name_folded).is_some()
        || rules.brand_named_in(&content.subject_folded).is_some()
        || matching_format(content, rules).is_some()
}

fn matching_format<'r>(content: &Content, rules: &'r Rules) -> Option<&'r Format> {
    rules.formats.iter().find(|f| {
        f.subject.as_ref().is_none_or(|re| re.is_match(content.subject_folded.as_bytes()))
            && f.body.as_ref().is_none_or(|re| re.is_match(content.body_folded.as_bytes()))
    })
}

/// Reads the trusted `Authentication-Results`: failures go to `warnings`,
/// the evidence for the message is returned.
fn authentication(selected: &Selected, rules: &Rules, from: Option<&str>, warnings: &mut Vec<Reason>) -> Vec<Reason> {
    let results = match selected {
        Selected::NoHeader => return vec![Reason::NoAuthenticationResults],
        Selected::NoTrustedServer => return vec![Reason::NoTrustedServer],
        Selected::Untrusted => return vec![Reason::UntrustedAuthenticationResults],
        Selected::From { results, .. } => results,
    };
    let from_org = from.and_then(|d| rules.official_domains().find(|(_, o)| is_under(d, o)).map(|(_, o)| o));
    let aligned = |d: &str| from_org.is_some_and(|org| is_under(d, org));
    // A server says `dkim=none` when the message carries no signature, and
    // `dmarc=none`/`fail` once per message: a pass next to either, under
    // the same authserv-id, was written by someone else (a sender can
    // forge any id) and is not evidence.
    let said =
        |method: &str, results_: &[&str]| results.iter().any(|r| r.method == method && results_.contains(&&*r.result));
    let (unsigned, dmarc_denied) = (said("dkim", &["none"]), said("dmarc", &["none", "fail"]));
    let mut evidence = Vec::new();
    let mut other_signers: Vec<&str> = Vec::new();
    let mut dmarc_unofficial = false;
    for r in results {
        let domain = r.domain.as_deref();
        match (&*r.method, &*r.result) {
            ("dkim", "pass") if !unsigned => match domain {
                Some(d) if aligned(d) => evidence.push(Reason::DkimPass { domain: d.to_owned() }),
                Some(d) if !other_signers.contains(&d) => other_signers.push(d),
                _ => {}
            },
            ("dkim", "fail" | "permerror") if domain.is_none_or(|d| aligned(d) || Some(d) == from) => {
                warnings.push(Reason::DkimFail { domain: domain.map(str::to_owned) });
            }
            ("spf", "fail" | "softfail") => warnings.push(Reason::SpfFail),
            // DMARC vouches for the From domain: worth something only
            // when that domain is official.
            ("dmarc", "pass") if from_org.is_some() && !dmarc_denied => evidence.push(Reason::DmarcPass),
            ("dmarc", "pass") if !dmarc_denied => dmarc_unofficial = true,
            ("dmarc", "fail") => warnings.push(Reason::DmarcFail),
            _ => {}
        }
    }
    warnings.dedup();
    evidence.dedup();
    if evidence.is_empty() {
        // Checks that passed for another domain than an official one are
        // named for what they prove: who really sent it.
        let own = |d: &&&str| from.is_some_and(|f| is_under(f, d) || is_under(d, f));
        match (from_org, other_signers.iter().find(own), other_signers.first()) {
            (None, Some(d), _) => warnings.push(Reason::SignedByUnofficialSender { domain: (*d).to_owned() }),
            (None, None, _) if dmarc_unofficial && from.is_some() => {
                warnings.push(Reason::SignedByUnofficialSender { domain: from.unwrap_or_default().to_owned() })
            }
            (_, _, Some(d)) => evidence.push(Reason::SignedByThirdParty { domain: (*d).to_owned() }),
            _ => evidence.push(Reason::NoPassingAuthentication),
        }
    }
    evidence
}

/// Judges every link by where it really leads (a link rewritten by the
/// recipient's mail system by the URL it wraps): warnings for links and
/// forms to hosts that are not official, notes for rewritten links.
fn link_warnings(links: &[Link], rules: &Rules, warnings: &mut Vec<Reason>) -> Vec<Reason> {
    let (mut bad_hosts, mut form_hosts, mut rewritten): (Vec<String>, Vec<String>, Vec<String>) = Default::default();
    // Where each link target leads, by target: a notice links to the
    // same address many times (a logo, a button, a footer), and each is
    // read once.
    let mut leads: Vec<(&str, Option<(String, bool)>)> = Vec::new();
    for link in links {
        let lead = match leads.iter().find(|(target, _)| *target == link.target) {
            Some((_, lead)) => lead.clone(),
            None => {
                // Most links are plain links no rewriter wraps: their host
                // is read without parsing them.
                let lead = match unwrapped_host(&link.target, rules.rewriters()) {
                    Some(host) => Some((host, false)),
                    None => {
                        let unwrapped = unwrap(&link.target, rules.rewriters());
                        unwrapped.url.as_ref().and_then(url_web_host).map(|host| (host, unwrapped.rewritten))
                    }
                };
                leads.push((&link.target, lead.clone()));
                lead
            }
        };
        let Some((target, was_rewritten)) = lead else { continue };
        if was_rewritten && !rewritten.contains(&target) {
            rewritten.push(target.clone());
        }
        let shown = link.shown.as_deref().and_then(shown_host);
        if let Some(shown) = shown.filter(|s| !same_site(s, &target))
            && !(rules.is_trusted_link_host(&shown) && rules.is_trusted_link_host(&target))
        {
            warnings.push(Reason::LinkTextMismatch { shown, target: target.clone() });
        }
        if rules.is_trusted_link_host(&target) {
            continue;
        }
        let hosts = if link.form { &mut form_hosts } else { &mut bad_hosts };
        if !hosts.contains(&target) {
            hosts.push(target);
        }
    }
    warnings.extend(form_hosts.into_iter().take(MAX_LINK_REASONS).map(|host| Reason::FormNotOfficial { host }));
    warnings.extend(bad_hosts.into_iter().take(MAX_LINK_REASONS).map(|host| Reason::LinkNotOfficial { host }));
    rewritten.into_iter().take(MAX_LINK_REASONS).map(|host| Reason::LinkRewritten { host }).collect()
}

/// The host of an http(s) link; other schemes (mailto:, tel:) are not web
/// links.
fn web_host(target: &str) -> Option<String> {
    if let Some(host) = plain_web_host(target) {
        return Some(host);
    }
    url_web_host(&Url::parse(target.trim()).ok()?)
}

fn url_web_host(url: &Url) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

/// The host a link's visible text shows, if it shows one
/// ("https://www.ameli.fr", "www.ameli.fr/assure").
fn shown_host(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches(['.', ',', ';']);
    if text.contains(' ') || !text.contains('.') {
        return None;
    }
    let candidate = if text.contains("://") { text.to_owned() } else { format!("https://{text}") };
    let host = web_host(&candidate)?;
    let tld = host.rsplit('.').next()?;
    (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())).then_some(host)
}

fn same_site(a: &str, b: &str) -> bool {
    a.trim_start_matches("www.") == b.trim_start_matches("www.")
}

/// What a format's `extract` patterns read out of a notice.
#[derive(Debug, Default)]
struct Extracted {
    site: Option<String>,
    identity_provider: Option<String>,
    addressee: Option<String>,
}

/// Reads the FranceConnect site, identity provider and greeting from plain
/// text (named groups `site`, `identity_provider`, `addressee`).
fn extract(format: &Format, content: &Content) -> Extracted {
    if format.extract.is_empty() {
        return Extracted::default();
    }
    let text = Joined::new(&[&content.subject_plain, &content.body_plain], "\n");
    let mut out = Extracted::default();
    for pattern in &format.extract {
        // A pattern whose groups are all read already has nothing to add.
        let wanted = |name: &str, have: &Option<String>| have.is_none() && pattern.may_name(name);
        if !(wanted("site", &out.site)
            || wanted("identity_provider", &out.identity_provider)
            || wanted("addressee", &out.addressee))
        {
            continue;
        }
        if let Some(c) = pattern.captures(text.as_bytes()) {
            let clean = |name: &str| {
                let v = std::str::from_utf8(group(&c, text.as_bytes(), name)?).ok()?.trim().trim_matches('"').trim();
                (!v.is_empty()).then(|| v.to_owned())
            };
            out.site = out.site.or_else(|| clean("site"));
            out.identity_provider = out.identity_provider.or_else(|| clean("identity_provider"));
            out.addressee = out.addressee.or_else(|| clean("addressee"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_results_are_parsed_with_comments() {
        let AuthenticationResults { authserv_id, results } = parse_authentication_results(
            "mx.orange.fr (authserv 1.2);\r\n\tdkim=pass (2048-bit key) header.d=info.ameli.fr header.s=s1;\r\n\
             spf=softfail smtp.mailfrom=bounce@evil.example; dmarc=fail header.from=ameli.fr",
        );
        assert_eq!(authserv_id.as_deref(), Some("mx.orange.fr"));
        let got: Vec<_> = results.iter().map(|r| (&*r.method, &*r.result, r.domain.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                ("dkim", "pass", Some("info.ameli.fr")),
                ("spf", "softfail", Some("evil.example")),
                ("dmarc", "fail", Some("ameli.fr")),
            ]
        );
    }

    /// The definition of comment stripping, one character at a time.
    fn strip_comments_by_char(value: &str) -> String {
        let mut out = String::new();
        let (mut depth, mut escaped) = (0usize, false);
        for c in value.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if depth > 0 => escaped = true,
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// The definition of `parse_authentication_results`, as first written:
    /// comments stripped, then split on `;` outside quotes, then on white
    /// space, one step after another.
    fn parse_by_definition(value: &str) -> AuthenticationResults {
        let value = strip_comments(value);
        let mut parts = Vec::new();
        let (mut start, mut quoted, mut escaped) = (0, false, false);
        for (i, &b) in value.as_bytes().iter().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b';' if !quoted => {
                    parts.push(value.get(start..i).unwrap_or_default());
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(value.get(start..).unwrap_or_default());
        let mut sections = parts.into_iter().peekable();
        let first_word = sections.peek().and_then(|s| s.split_whitespace().next()).unwrap_or_default();
        let authserv_id = if first_word.contains('=') {
            None
        } else {
            sections.next();
            Some(first_word.to_ascii_lowercase())
        };
        let mut results = Vec::new();
        for section in sections {
            let mut words = section.split_whitespace();
            let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
                continue;
            };
            let mut domain = None;
            for word in words {
                let Some((key, val)) = word.split_once('=') else { continue };
                let header_i = key.eq_ignore_ascii_case("header.i");
                let wanted = ["header.d", "header.from", "smtp.mailfrom"].iter().any(|k| key.eq_ignore_ascii_case(k));
                if wanted || (header_i && domain.is_none()) {
                    let val = val.trim_matches('"');
                    domain = Some(val.rsplit('@').next().unwrap_or_default().to_ascii_lowercase());
                }
            }
            results.push(AuthenticationResult {
                method: method.trim().to_ascii_lowercase().into(),
                result: result.trim().to_ascii_lowercase().into(),
                domain,
            });
        }
        AuthenticationResults { authserv_id, results }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Headers made of the parts real ones have, hostile ones too
        /// (quotes, escapes, comments, white space beyond ASCII): read as
        /// the definition reads them.
        #[test]
        fn authentication_results_are_read_as_defined(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "mx.example", "MX.Example", ";", " ", "  ", "\t", "\r\n\t", "\u{a0}", "\u{2003}", "\u{b}", "\u{85}",
                "dkim=pass", "DKIM=Pass", "spf=softfail", "dmarc=fail", "arc=none", "=", "==", "x=",
                "header.d=info.ameli.fr", "HEADER.I=@Ameli.fr", "header.i=a@b.c", "header.from=\"ameli.fr\"",
                "smtp.mailfrom=bounce@evil.example", "header.s=s1", "reason=\"a; b\"", "\"", "\\", "\\\"",
                "(comment)", "(nested (c))", "(", ")", "\\)", "é", "ameli.fr", "@", "1",
            ]), 0..24),
        ) {
            let value: String = parts.concat();
            proptest::prop_assert_eq!(parse_authentication_results(&value), parse_by_definition(&value), "{:?}", value);
        }
    }

    proptest::proptest! {
        #[test]
        fn comments_are_stripped_as_defined_on_generated_headers(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "(", ")", "\\", "\\(", "\\)", "a", " ", "é", "dkim=pass", ";", "\"",
            ]), 0..20),
        ) {
            let value: String = parts.concat();
            proptest::prop_assert_eq!(strip_comments(&value), strip_comments_by_char(&value), "{:?}", value);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The tokenizer gives the words `split_whitespace` gives, on text
        /// with every kind of white space and long words.
        #[test]
        fn words_are_the_words_split_whitespace_gives(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                " ", "\t", "\r\n", "\u{b}", "\u{c}", "\u{1}", "\u{7f}", "\u{a0}", "\u{85}", "\u{2003}", "é",
                "a", "header.d=info.ameli.fr", "0123456789abcdef", "!~", "=", "@", "\"",
            ]), 0..24),
        ) {
            let text: String = parts.concat();
            let got: Vec<&str> = Words(&text).collect();
            let want: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(got, want, "{:?}", text);
        }

        /// A value's domain is what follows its last `@`, quotes off.
        #[test]
        fn a_domain_is_read_as_split_and_trim_read_it(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "\"", "@", "a", "ameli.fr", "é", "\"@\"",
            ]), 0..10),
        ) {
            let val: String = parts.concat();
            let want = val.trim_matches('"').rsplit('@').next().unwrap_or_default();
            proptest::prop_assert_eq!(domain_in(&val), want, "{:?}", val);
        }
    }

    #[test]
    fn comments_are_stripped_as_defined() {
        for value in [
            "mx.example; dkim=pass",
            "mx (a (nested) comment) x; spf=pass (sender \\) still) y",
            "a) stray ( unclosed",
            "a (\\(é\\)) b ( \\é ) c é",
            "((()))",
            ")(",
            "mx.example) ; dkim=pass",
        ] {
            assert_eq!(strip_comments(value), strip_comments_by_char(value), "{value:?}");
        }
    }

    #[test]
    fn none_result_and_garbage_are_tolerated() {
        let parsed = parse_authentication_results("mx.example; none");
        assert_eq!(parsed.authserv_id.as_deref(), Some("mx.example"));
        assert!(parsed.results.is_empty());
        assert!(parse_authentication_results(";;;(((").results.is_empty());
    }

    #[test]
    fn shown_hosts() {
        assert_eq!(shown_host("https://www.ameli.fr"), Some("www.ameli.fr".into()));
        assert_eq!(shown_host("www.ameli.fr/assure."), Some("www.ameli.fr".into()));
        assert_eq!(shown_host("Je signale une usurpation"), None);
        assert_eq!(shown_host("v1.2"), None);
    }
}
