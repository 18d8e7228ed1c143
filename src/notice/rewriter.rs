//! Links rewritten by the recipient's own mail system (Outlook Safe Links,
//! Proofpoint URL Defense, Mimecast…) are judged by the URL they wrap
//! (DESIGN "Rules"): in a mailbox behind such a rewriter, every link of a
//! genuine notice goes to the rewriter's host first.
//!
//! Which hosts rewrite links, and where they keep the wrapped URL, is data
//! (`[[link_rewriter]]` in `builtin.toml`). A link whose wrapped URL cannot
//! be read stays a link to the rewriter's host, which is not official.

use serde::Deserialize;
use url::Url;

use super::domain::is_under;

/// Rewriters wrapping rewriters are unwrapped this many times at most.
const MAX_DEPTH: usize = 3;

/// How a rewriter keeps the URL it wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// A query parameter holding the percent-encoded URL (Safe Links
    /// `url=`, Proofpoint v1 `u=`).
    Url,
    /// Proofpoint v2 `u=`: `-XX` for `%XX`, `_` for `/`.
    ProofpointV2,
    /// Proofpoint v3: the URL itself in the path, `/v3/__<url>__;…`.
    ProofpointV3,
    /// A query parameter naming only the wrapped host (Mimecast
    /// `domain=`).
    Host,
}

/// One `[[link_rewriter]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewriterSpec {
    /// What the rewriter is called (for whoever reads the rules).
    pub name: String,
    /// Hosts it rewrites to; their subdomains too.
    pub hosts: Vec<String>,
    /// Only links whose path starts with this.
    #[serde(default)]
    pub path: Option<String>,
    /// The query parameter holding the wrapped URL or host.
    #[serde(default)]
    pub parameter: Option<String>,
    pub encoding: Encoding,
}

/// A link, unwrapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unwrapped {
    /// The URL the link really leads to (or `https://<host>/` when the
    /// rewriter names only the host).
    pub target: String,
    /// Whether a rewriter wrapped it.
    pub rewritten: bool,
    /// `target` parsed, when it was (to be parsed once).
    pub url: Option<Url>,
}

/// The host a link leads to, lower case, read without parsing the URL when
/// it is a plain web link that no known rewriter wraps (most links are):
/// `None` when the link needs [`unwrap`]. When `Some`, it is what
/// [`unwrap`] gives (not rewritten, its URL's host) — see [`plain_web_host`].
pub(crate) fn unwrapped_host(target: &str, rewriters: &[RewriterSpec]) -> Option<String> {
    let host = plain_web_host(target)?;
    let wrapped = rewriters.iter().any(|r| r.hosts.iter().any(|h| is_under(&host, h)));
    (!wrapped).then_some(host)
}

/// The host of `target` (trimmed) when it is `http://` or `https://`
/// followed by a plain domain name and then `/`, `?`, `#` or nothing:
/// labels of ASCII letters, digits and hyphens, none empty, none an
/// IDNA `xn--` label, the last one starting with a letter (not an IPv4
/// number). Such a host is what `url::Url::parse` reads, in lower case;
/// anything else (a port, user info, percent signs, IP addresses, Unicode,
/// a trailing dot, another scheme) gives `None`: the URL must be parsed.
pub(crate) fn plain_web_host(target: &str) -> Option<String> {
    let target = target.trim();
    let rest = target.strip_prefix("https://").or_else(|| target.strip_prefix("http://"))?;
    // One pass over the host, label by label.
    let bytes = rest.as_bytes();
    let plain_label =
        |label: &[u8]| !label.is_empty() && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"));
    let (mut start, mut end) = (0, bytes.len());
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                end = at;
                break;
            }
            b'.' if plain_label(bytes.get(start..at)?) => start = at + 1,
            b'-' => {}
            b if b.is_ascii_alphanumeric() => {}
            _ => return None,
        }
    }
    let last = bytes.get(start..end)?;
    if !(plain_label(last) && last.first().is_some_and(u8::is_ascii_alphabetic)) {
        return None;
    }
    Some(rest.get(..end)?.to_ascii_lowercase())
}

/// `target` with every known rewriter taken off.
pub(crate) fn unwrap(target: &str, rewriters: &[RewriterSpec]) -> Unwrapped {
    let mut current = target.trim().to_owned();
    let mut rewritten = false;
    for _ in 0..MAX_DEPTH {
        let url = match Url::parse(&current) {
            Ok(url) => url,
            Err(_) => return Unwrapped { target: current, rewritten, url: None },
        };
        match unwrap_once(&current, &url, rewriters) {
            Some(inner) => {
                current = inner;
                rewritten = true;
            }
            None => return Unwrapped { target: current, rewritten, url: Some(url) },
        }
    }
    let url = Url::parse(&current).ok();
    Unwrapped { target: current, rewritten, url }
}

fn unwrap_once(target: &str, url: &Url, rewriters: &[RewriterSpec]) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    let spec = rewriters.iter().find(|r| {
        r.hosts.iter().any(|h| is_under(&host, h))
            && r.path.as_deref().is_none_or(|p| url.path().to_ascii_lowercase().starts_with(&p.to_ascii_lowercase()))
    })?;
    let parameter = || {
        let name = spec.parameter.as_deref()?;
        url.query_pairs().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.into_owned())
    };
    let inner = match spec.encoding {
        Encoding::Url => parameter()?,
        Encoding::ProofpointV2 => proofpoint_v2(&parameter()?)?,
        Encoding::ProofpointV3 => proofpoint_v3(target)?,
        Encoding::Host => {
            let host = parameter()?;
            let host = host.trim();
            if host.is_empty() || host.contains(['/', '@', ' ', '\\']) {
                return None;
            }
            format!("https://{host}/")
        }
    };
    let inner = inner.trim();
    // Only a web address counts as unwrapped; anything else stays a link
    // to the rewriter.
    let parsed = Url::parse(inner).ok()?;
    (matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some()).then(|| inner.to_owned())
}

/// `https-3A__assure.ameli.fr_PortailAS` → `https://assure.ameli.fr/PortailAS`.
fn proofpoint_v2(encoded: &str) -> Option<String> {
    let percent: String = encoded
        .chars()
        .map(|c| {
            if c == '_' {
                '/'
            } else if c == '-' {
                '%'
            } else {
                c
            }
        })
        .collect();
    Some(percent_decode(&percent))
}

/// `https://urldefense.com/v3/__https://assure.ameli.fr/x__;!!…` →
/// `https://assure.ameli.fr/x`. Characters Proofpoint replaced with `*`
/// stay `*`: they never stand in a host it keeps.
fn proofpoint_v3(target: &str) -> Option<String> {
    let start = target.find("/v3/__")? + "/v3/__".len();
    let rest = &target[start..];
    let end = rest.find("__;").unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok())
            && let Ok(b) = u8::from_str_radix(v, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::Rules;

    fn unwrapped(url: &str) -> Unwrapped {
        unwrap(url, Rules::builtin().rewriters())
    }

    #[test]
    fn safe_links_are_judged_by_their_url_parameter() {
        let u = unwrapped(
            "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fassure.ameli.fr%2FPortailAS&data=05%7C01&reserved=0",
        );
        assert_eq!((u.target.as_str(), u.rewritten), ("https://assure.ameli.fr/PortailAS", true));
        assert_eq!(u.url.as_ref().and_then(Url::host_str), Some("assure.ameli.fr"));
    }

    #[test]
    fn proofpoint_v2_and_v3_are_decoded() {
        let v2 = unwrapped(
            "https://urldefense.proofpoint.com/v2/url?u=https-3A__assure.ameli.fr_PortailAS_appmanager-3Fa-3D1&d=DwMFaQ&c=x&e=",
        );
        assert_eq!(v2.target, "https://assure.ameli.fr/PortailAS/appmanager?a=1");
        let v3 = unwrapped("https://urldefense.com/v3/__https://assure.ameli.fr/PortailAS__;!!AbC!dEf$");
        assert_eq!(v3.target, "https://assure.ameli.fr/PortailAS");
    }

    #[test]
    fn mimecast_names_the_host() {
        let u = unwrapped("https://protect-eu.mimecast.com/s/AbCdEfGhIj?domain=assure.ameli.fr");
        assert_eq!(u.target, "https://assure.ameli.fr/");
    }

    /// The definition of [`plain_web_host`], label after label.
    fn plain_web_host_by_labels(target: &str) -> Option<String> {
        let target = target.trim();
        let rest = target.strip_prefix("https://").or_else(|| target.strip_prefix("http://"))?;
        let end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
        let host = rest.get(..end)?;
        let mut labels = host.split('.').peekable();
        while let Some(label) = labels.next() {
            let plain = !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"));
            let last_ok = labels.peek().is_some() || label.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
            if !(plain && last_ok) {
                return None;
            }
        }
        Some(host.to_ascii_lowercase())
    }

    /// What `url` reads as the web host of a link, as link checks use it.
    fn host_by_parsing(target: &str) -> Option<String> {
        let url = Url::parse(target.trim()).ok()?;
        matches!(url.scheme(), "http" | "https").then_some(())?;
        url.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Links made of the parts real and hostile ones have: whenever the
        /// host is read without parsing, it is the one `url` reads.
        #[test]
        fn a_plain_link_host_is_the_host_url_parses(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "http://", "https://", "HTTPS://", "mailto:", " ", "\t", "\u{1}", "assure", "AMELI", "fr", "com",
                "xn--", "xn--bcher-kva", "XN--a", "-", "--", ".", "..", "0x", "0X1f", "1", "09", "255", "127",
                "é", "ℂ", "%2e", "%41", "@", ":", ":443", "/", "//", "\\", "?", "#", "a=b", "_", "~", "[::1]",
            ]), 0..12),
        ) {
            let target: String = parts.concat();
            proptest::prop_assert_eq!(plain_web_host(&target), plain_web_host_by_labels(&target), "{:?}", target);
            if let Some(host) = plain_web_host(&target) {
                proptest::prop_assert_eq!(Some(host), host_by_parsing(&target), "{:?}", target);
            }
        }
    }

    #[test]
    fn a_link_no_rewriter_wraps_is_read_without_parsing() {
        let rules = Rules::builtin();
        let rewriters = rules.rewriters();
        for link in [
            "https://assure.ameli.fr/PortailAS/appmanager?a=1",
            " https://WWW.Ameli.FR ",
            "http://ameli-remboursement.example#x",
            "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fassure.ameli.fr",
            "https://urldefense.com/v3/__https://assure.ameli.fr/PortailAS__;!!AbC!dEf$",
            "https://127.0.0.1/",
            "https://0x7f.1/",
            "https://user@evil.example/",
            "https://ameli.fr:443/",
            "mailto:a@ameli.fr",
        ] {
            let fast = unwrapped_host(link, rewriters);
            let slow = unwrap(link, rewriters);
            let slow_host = slow.url.as_ref().map(|u| u.as_str()).and_then(host_by_parsing);
            if let Some(host) = &fast {
                assert_eq!((Some(host.clone()), false), (slow_host, slow.rewritten), "{link}");
            }
        }
        assert_eq!(unwrapped_host("https://WWW.Ameli.FR/x", rewriters).as_deref(), Some("www.ameli.fr"));
        assert_eq!(unwrapped_host("https://eur01.safelinks.protection.outlook.com/?url=x", rewriters), None);
        assert_eq!(unwrapped_host("https://0x7f.1/", rewriters), None);
    }

    #[test]
    fn nested_and_unreadable_rewrites() {
        let inner = "https%3A%2F%2Furldefense.com%2Fv3%2F__https%3A%2F%2Fevil.example%2Fx__%3B%21%21a";
        let u = unwrapped(&format!("https://nam02.safelinks.protection.outlook.com/?url={inner}"));
        assert_eq!(u.target, "https://evil.example/x");
        let bad = unwrapped("https://eur01.safelinks.protection.outlook.com/?url=javascript%3Aalert(1)");
        assert!(!bad.rewritten);
        let other = unwrapped("https://example.com/?url=https%3A%2F%2Fassure.ameli.fr");
        assert!(!other.rewritten, "only known rewriters are unwrapped");
    }
}
