//! Is a domain official, a look-alike of an official one, or foreign?
//!
//! Official means equal to an official domain or under it on a label
//! boundary, after lower-casing and IDNA: `info.ameli.fr` is official,
//! `ameli.fr.secure-login.com` and `ameli-fr.com` are not. Look-alikes are
//! caught three ways: the brand as whole words of a foreign domain
//! (`ameli-fr.com`), the same "skeleton" as an official domain once
//! confusable characters are mapped (`arneli.fr`, a Cyrillic `а` in
//! `xn--meli-...`), and a small edit distance (`amelli.fr`). The last one
//! alone is weak — `amelie.fr` is a first name — so it only counts when the
//! message also names the brand.

use std::borrow::Cow;
use std::cell::RefCell;

use unicode_security::skeleton;

use super::{Service, rules::Rules};

/// What a sender's domain is to vigie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainVerdict {
    /// Under an official domain of this service.
    Official(Service),
    /// Made to look like `official`.
    Lookalike {
        service: Service,
        official: String,
        strength: Strength,
    },
    Foreign,
}

/// How sure a look-alike verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Brand words in the domain, or the same skeleton as an official domain.
    Strong,
    /// Only a small edit distance: counts when the message names the brand.
    EditDistance,
}

/// `host` is `base` or a subdomain of it, on a label boundary.
pub fn is_under(host: &str, base: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case(base)
        || (host.len() > base.len()
            && host.as_bytes()[host.len() - base.len() - 1] == b'.'
            && host[host.len() - base.len()..].eq_ignore_ascii_case(base))
}

/// The ASCII (punycode) form of a domain, lower case.
pub(crate) fn ascii_domain(domain: &str) -> String {
    let domain = domain.trim().trim_end_matches('.');
    // ASCII without a punycode label, as nearly every sender domain is:
    // IDNA (UTS 46, no ASCII deny list) lower-cases it or rejects it, and
    // a rejected one is lower-cased below.
    if is_plain_ascii(domain) {
        return domain.to_ascii_lowercase();
    }
    match idna::domain_to_ascii(domain) {
        Ok(ascii) => ascii,
        Err(_) => domain.to_ascii_lowercase(),
    }
}

/// ASCII, and no `xn--` anywhere (any case): nothing for IDNA to decode
/// or map but upper case.
fn is_plain_ascii(domain: &str) -> bool {
    // Without `--` there is no `xn--`: most domains are ruled in by the
    // first test.
    let bytes = domain.as_bytes();
    domain.is_ascii()
        && (!bytes.windows(2).any(|w| w == b"--") || !bytes.windows(4).any(|w| w.eq_ignore_ascii_case(b"xn--")))
}

/// The Unicode form of an ASCII domain: itself, not copied, when there is
/// no punycode label to decode.
fn unicode_domain(ascii: &str) -> Cow<'_, str> {
    if is_plain_ascii(ascii) && !ascii.bytes().any(|b| b.is_ascii_uppercase()) {
        return Cow::Borrowed(ascii);
    }
    Cow::Owned(idna::domain_to_unicode(ascii).0)
}

/// Classifies a sender domain against the official domains in `rules`.
pub fn classify_domain(domain: &str, rules: &Rules) -> DomainVerdict {
    let ascii = ascii_domain(domain);
    if let Some(service) = rules.official_service(&ascii) {
        return DomainVerdict::Official(service);
    }
    let unicode = unicode_domain(&ascii);
    let tokens: Vec<&str> = ascii.split(['.', '-']).filter(|t| !t.is_empty()).collect();
    // Skeletons of the domain as decoded and as written: "ameIi.fr" is
    // "ameii.fr" to DNS but reads as "ameli.fr" to a person.
    // (Computed once when both are the same, as they mostly are.)
    let written = domain.trim();
    let mut skeletons: Vec<String> = vec![skeleton_of(&unicode)];
    if written != unicode.as_ref() {
        skeletons.push(skeleton_of(written));
    }
    let mut near = None;
    for (service, official) in rules.official_domains() {
        let strong = |official: &str| DomainVerdict::Lookalike {
            service,
            official: official.to_owned(),
            strength: Strength::Strong,
        };
        let labels = official.bytes().filter(|&b| b == b'.').count() + 1;
        if skeletons.iter().any(|s| is_official_skeleton(last_labels(s, labels), official)) {
            return strong(official);
        }
        if let Some(brand) = rules.brand_tokens(service).iter().find(|brand| contains_run(&tokens, brand)) {
            return strong(&imitated(rules, service, brand));
        }
        let ascii_suffix = last_labels(&ascii, labels);
        let first_label = official.split_once('.').map_or(official, |(first, _)| first);
        let allowed = if first_label.len() < 8 { 1 } else { 2 };
        if near.is_none()
            && may_be_within(ascii_suffix, official, allowed)
            && strsim::damerau_levenshtein(ascii_suffix, official) <= allowed
        {
            near = Some(DomainVerdict::Lookalike {
                service,
                official: official.to_owned(),
                strength: Strength::EditDistance,
            });
        }
    }
    near.unwrap_or(DomainVerdict::Foreign)
}

/// The first label of a domain.
fn first_label(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

/// The official domain a brand word imitates: the one of its service
/// whose name is closest to the word (`assurance-maladie` imitates
/// `assurance-maladie.fr`, `cpam` imitates `ameli.fr`).
fn imitated(rules: &Rules, service: super::Service, brand: &[String]) -> String {
    let word = brand.concat();
    let officials = || rules.official_domains().filter(|(s, _)| *s == service);
    // The word spelling a domain's name (`ameli`, `assurance maladie`):
    // the first at distance 0 is the nearest, with nothing to measure.
    let spelt = |official: &str| first_label(official).bytes().filter(|&b| b != b'-').eq(word.bytes());
    if let Some((_, official)) = officials().find(|(_, official)| spelt(official)) {
        return official.to_owned();
    }
    let name = |official: &str| first_label(official).replace('-', "");
    officials()
        .min_by_key(|(_, official)| strsim::levenshtein(&word, &name(official)))
        .map(|(_, official)| official.to_owned())
        .unwrap_or_default()
}

/// A cheap necessary condition for an edit distance of at most `k`
/// between two ASCII strings, so that most domains are not even measured:
/// each edit adds or removes at most one character of each side's multiset
/// of bytes (a transposition none), so the distance is at least the larger
/// of the two multiset differences (and so at least the difference in
/// length). Other strings are always measured.
fn may_be_within(a: &str, b: &str, k: usize) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return true;
    }
    // The larger difference is at least the difference in length.
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    let mut counts = [0i32; 128];
    for &x in a.as_bytes() {
        counts[usize::from(x)] += 1;
    }
    for &x in b.as_bytes() {
        counts[usize::from(x)] -= 1;
    }
    // Each byte value that occurs is summed once (its count then zeroed),
    // rather than summing all 128.
    let (mut more, mut fewer) = (0usize, 0usize);
    for &x in a.as_bytes().iter().chain(b.as_bytes()) {
        let count = std::mem::take(&mut counts[usize::from(x)]);
        if count > 0 {
            more += count.unsigned_abs() as usize;
        } else {
            fewer += count.unsigned_abs() as usize;
        }
    }
    more.max(fewer) <= k
}

/// Whether `candidate` is the skeleton of `official`. The skeletons of
/// official domains are computed once per thread (a few dozen at most: the
/// cache is emptied when it grows beyond that).
fn is_official_skeleton(candidate: &str, official: &str) -> bool {
    const MAX_CACHED: usize = 64;
    thread_local! {
        static SKELETONS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    }
    SKELETONS.with_borrow_mut(|cache| {
        if let Some((_, known)) = cache.iter().find(|(o, _)| o == official) {
            return known == candidate;
        }
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        let computed: String = skeleton(official).collect();
        let same = computed == candidate;
        cache.push((official.to_owned(), computed));
        same
    })
}

/// An ASCII character's skeleton when it is ASCII (all but `%`'s), from
/// the confusables table of UTS 39 (a unit test compares each with the
/// library's): the few ASCII characters it maps, every other one itself.
fn ascii_skeleton(b: u8, out: &mut String) -> bool {
    match b {
        b'"' => out.push_str("''"),
        b'0' => out.push('O'),
        b'1' | b'I' | b'|' => out.push('l'),
        b'`' => out.push('\''),
        b'm' => out.push_str("rn"),
        b'%' => return false,
        _ => out.push(char::from(b)),
    }
    true
}

/// The UTS 39 skeleton of `s`. For ASCII text, character by character
/// from [`ascii_skeleton`]: the skeleton maps character by character, and
/// when each piece is ASCII the final normalisation has nothing to change.
/// Sender domains are mostly ASCII, and the library normalises and looks
/// up every character each time.
fn skeleton_of(s: &str) -> String {
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len() + 4);
        if s.bytes().all(|b| ascii_skeleton(b, &mut out)) {
            return out;
        }
    }
    skeleton(s).collect()
}

/// The last `n` labels of `domain` (at least one), the whole of it when
/// it has no more.
fn last_labels(domain: &str, n: usize) -> &str {
    // Dots are ASCII: the cut falls between characters.
    let mut dots = domain.bytes().enumerate().rev().filter(|&(_, b)| b == b'.').skip(n.saturating_sub(1));
    match dots.next() {
        Some((i, _)) => domain.get(i + 1..).unwrap_or_default(),
        None => domain,
    }
}

/// `tokens` holds `run` as consecutive elements.
fn contains_run(tokens: &[&str], run: &[String]) -> bool {
    !run.is_empty() && tokens.windows(run.len()).any(|w| w.iter().zip(run).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_labels_of_a_domain_are_those_after_its_nth_dot_from_the_end() {
        let by_definition = |domain: &str, n: usize| -> String {
            let labels: Vec<&str> = domain.split('.').collect();
            labels[labels.len().saturating_sub(n.max(1))..].join(".")
        };
        for domain in ["ameli.fr", "info.ameli.fr", "a.b.c.d", "fr", "", ".", "a..b", "é.ameli.fr", "x."] {
            for n in 0..5 {
                assert_eq!(last_labels(domain, n), by_definition(domain, n), "{domain:?} {n}");
            }
        }
    }

    fn verdict(domain: &str) -> DomainVerdict {
        classify_domain(domain, &Rules::builtin())
    }

    fn is_lookalike(domain: &str, expected: Strength) -> bool {
        matches!(verdict(domain), DomainVerdict::Lookalike { strength, .. } if strength == expected)
    }

    #[test]
    fn official_domains_and_subdomains_on_a_label_boundary() {
        assert_eq!(verdict("info.ameli.fr"), DomainVerdict::Official(Service::Ameli));
        assert_eq!(verdict("AMELI.FR"), DomainVerdict::Official(Service::Ameli));
        assert_eq!(verdict("app.assurance-maladie.fr"), DomainVerdict::Official(Service::Ameli));
        assert_eq!(verdict("franceconnect.gouv.fr"), DomainVerdict::Official(Service::FranceConnect));
        assert!(!is_under("xameli.fr", "ameli.fr"));
        assert!(is_under("a.b.ameli.fr", "ameli.fr"));
    }

    #[test]
    fn brand_words_in_a_foreign_domain_are_lookalikes() {
        for d in [
            "ameli-fr.com",
            "ameli.com",
            "ameli.fr.secure-login.com",
            "assurance-maladie-remboursement.net",
            "franceconnect-gouv.fr",
            "cpam-paris.info",
        ] {
            assert!(is_lookalike(d, Strength::Strong), "{d}");
        }
    }

    #[test]
    fn a_lookalike_is_said_to_imitate_the_domain_its_brand_word_names() {
        let official = |d: &str| match verdict(d) {
            DomainVerdict::Lookalike { official, .. } => official,
            other => panic!("{d}: {other:?}"),
        };
        assert_eq!(official("assurance-maladie-remboursement.net"), "assurance-maladie.fr");
        assert_eq!(official("ameli-fr.com"), "ameli.fr");
        assert_eq!(official("mon-espace-sante.fr"), "monespacesante.fr");
        assert_eq!(official("cpam-paris.info"), "ameli.fr");
        assert_eq!(official("franceconnect-gouv.fr"), "franceconnect.gouv.fr");
    }

    #[test]
    fn homoglyphs_and_punycode_are_lookalikes() {
        assert!(is_lookalike("arneli.fr", Strength::Strong));
        assert!(is_lookalike("ameIi.fr", Strength::Strong));
        // Cyrillic а (U+0430) in place of the Latin a.
        assert!(is_lookalike("xn--meli-43d.fr", Strength::Strong));
        assert!(is_lookalike("\u{430}meli.fr", Strength::Strong));
    }

    #[test]
    fn small_edits_are_weak_lookalikes() {
        assert!(is_lookalike("amelli.fr", Strength::EditDistance));
        assert!(is_lookalike("amelie.fr", Strength::EditDistance));
        assert!(is_lookalike("franceconect.gouv.fr", Strength::EditDistance));
    }

    #[test]
    fn the_cheap_bound_never_rules_out_a_close_domain() {
        for (a, b) in [("amelli.fr", "ameli.fr"), ("aemli.fr", "ameli.fr"), ("ca", "abc"), ("gmail.com", "ameli.fr")] {
            for k in 0..3 {
                if strsim::damerau_levenshtein(a, b) <= k {
                    assert!(may_be_within(a, b, k), "{a} {b} {k}");
                }
            }
        }
        assert!(!may_be_within("gmail.com", "ameli.fr", 2));
        assert!(!may_be_within("a", "ameli.fr", 2));
        assert!(may_be_within("ameli.fr", "amel.fr", 1));
        assert!(!may_be_within("aaaaa.fr", "bbbbb.fr", 2));
    }

    #[test]
    fn the_ascii_skeleton_table_agrees_with_the_library() {
        let every_ascii: String = (0..128u8).map(char::from).collect();
        for s in
            [every_ascii.as_str(), "ameIi.fr", "arneli.fr", "rn", "0l1I|", "a\u{7f}b", "", "xn--meli-43d.fr", "50%.fr"]
        {
            assert_eq!(skeleton_of(s), skeleton(s).collect::<String>(), "{s:?}");
        }
        for b in 0..128u8 {
            let c = char::from(b).to_string();
            assert_eq!(skeleton_of(&c), skeleton(&c).collect::<String>(), "{b}");
        }
        assert_eq!(skeleton_of("\u{430}meli.fr"), skeleton("\u{430}meli.fr").collect::<String>());
    }

    /// The ASCII form as IDNA gives it, for every domain (before the fast
    /// path for plain ASCII).
    fn ascii_by_idna(domain: &str) -> String {
        let domain = domain.trim().trim_end_matches('.');
        idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_ascii_lowercase())
    }

    /// The official domain a brand word imitates, by measuring them all.
    fn imitated_by_measure(rules: &Rules, service: Service, brand: &[String]) -> String {
        let word = brand.concat();
        let name = |official: &str| official.split('.').next().unwrap_or(official).replace('-', "");
        rules
            .official_domains()
            .filter(|(s, _)| *s == service)
            .min_by_key(|(_, official)| strsim::levenshtein(&word, &name(official)))
            .map(|(_, official)| official.to_owned())
            .unwrap_or_default()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Plain ASCII domains skip IDNA: they come out as IDNA makes them,
        /// and so do punycode, upper case, odd bytes and non-ASCII ones.
        #[test]
        fn plain_ascii_domains_are_what_idna_makes_of_them(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Z", "ameli", "-", "--", ".", "..", "xn--", "XN--", "xN--meli-43d", "xn--meli-43d", "_", " ",
                "%", "é", "\u{430}", "0", "1", "@", "\u{a0}", "ß", "\u{200d}", "xn--a", "-xn", "\t",
            ]), 0..10),
        ) {
            let domain: String = parts.concat();
            let ascii = ascii_domain(&domain);
            proptest::prop_assert_eq!(&ascii, &ascii_by_idna(&domain), "{:?}", domain);
            proptest::prop_assert_eq!(unicode_domain(&ascii), idna::domain_to_unicode(&ascii).0, "{:?}", ascii);
            proptest::prop_assert_eq!(unicode_domain(&domain), idna::domain_to_unicode(&domain).0, "{:?}", domain);
        }

        /// A brand word imitates the official domain nearest to it, found
        /// without measuring when the word spells a domain's name.
        #[test]
        fn a_brand_word_imitates_the_nearest_official_domain(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "ameli", "assurance", "maladie", "cpam", "monespacesante", "mon", "espace", "sante", "france",
                "connect", "franceconnect", "amelie", "", "x",
            ]), 0..4),
        ) {
            let rules = Rules::builtin();
            let brand: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
            for service in [Service::Ameli, Service::FranceConnect] {
                proptest::prop_assert_eq!(
                    imitated(&rules, service, &brand), imitated_by_measure(&rules, service, &brand), "{:?}", brand
                );
            }
        }
    }

    #[test]
    fn every_brand_word_imitates_the_domain_measuring_finds() {
        let rules = Rules::builtin();
        for service in [Service::Ameli, Service::FranceConnect] {
            for brand in rules.brand_tokens(service) {
                assert_eq!(imitated(&rules, service, brand), imitated_by_measure(&rules, service, brand), "{brand:?}");
            }
        }
    }

    #[test]
    fn unrelated_domains_are_foreign() {
        for d in ["orange.fr", "cameliafleurs.fr", "impots.gouv.fr", "doctolib.fr", "mgen.fr", "gmail.com"] {
            assert_eq!(verdict(d), DomainVerdict::Foreign, "{d}");
        }
    }
}
