//! Does a message present itself as ameli or FranceConnect?
//!
//! An official sender domain always does, and so does a known notice
//! subject (a fake "Information de connexion" still claims ameli) or a
//! display name that is the service's own ("Votre Assurance Maladie").
//! Businesses and people are called Ameli or Amélie, so a brand word in
//! the sender's domain or name, or in the subject, counts only together
//! with a claim in the message: a claim phrase (`claims` in the rules:
//! the Assurance Maladie, the ameli account, a carte Vitale to order, a
//! reimbursement of care, a login), a known subject, or a lure only an
//! impersonator of the service would use.

use std::cell::LazyCell;

use super::Service;
use super::domain::{DomainVerdict, Strength};
use super::rules::{Format, LureCategory, Rules};
use super::text::{Content, Joined};

/// The service `content` presents itself as, if any.
pub(crate) fn claimed_service(
    content: &Content,
    rules: &Rules,
    verdict: Option<&DomainVerdict>,
    format: Option<&Format>,
    lures: &LazyCell<Vec<LureCategory>, impl FnOnce() -> Vec<LureCategory>>,
) -> Option<Service> {
    if let Some(DomainVerdict::Official(s)) = verdict {
        return Some(*s);
    }
    if let Some(f) = format.filter(|f| f.subject_claims) {
        return Some(f.service);
    }
    // "Ameli" alone may be a first name: it counts as a brand word below.
    let single_word = !content.sender_name_folded.trim().contains([' ', '-', '\'']);
    // A single word is never taken for an official display name: its
    // patterns are not even tried.
    if !single_word && let Some(s) = rules.display_name_of(&content.sender_name_folded) {
        return Some(s);
    }
    let text = LazyCell::new(|| Joined::new(&[&content.subject_folded, &content.body_folded], " \n "));
    let known_subject = |s: Service| format.is_some_and(|f| f.service == s);
    let impersonating_lure = |s: Service| s == Service::Ameli && lures.iter().any(|l| l.impersonates_ameli());
    let claimed_in_message = |s: Service| known_subject(s) || rules.claim_phrase_in(s, &text) || impersonating_lure(s);
    // "Ameli Couture", "Ameli Weber", amis-ameli.org: the brand word is
    // part of another name. Such a sender claims the service only with a
    // known subject, a lure only an impersonator uses, or a claim phrase
    // together with a lure.
    let strongly_claimed = |s: Service| {
        known_subject(s)
            || impersonating_lure(s)
            || (rules.claim_phrase_in(s, &text) && lures.iter().any(|l| l.is_serious()))
    };
    let domain = content.envelope.sender.address.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| d);
    let brand_in_sender = match verdict {
        Some(DomainVerdict::Lookalike { service, strength: Strength::Strong, .. }) => {
            let tokens = domain.map(domain_tokens).unwrap_or_default();
            // ameli.com, ameli-fr.com, franceconnect-gouv.fr: the brand
            // itself under another name, no one's shop. A claim by itself.
            let tld = domain.and_then(|d| d.rsplit('.').next()).unwrap_or_default();
            if is_the_brand_itself(rules, *service, &tokens) && (tokens.len() > 1 || GENERIC_TLDS.contains(&tld)) {
                return Some(*service);
            }
            Some(*service).filter(|&s| only_service_words(rules, s, &tokens) || strongly_claimed(s))
        }
        _ => None,
    };
    let brand_in_name = || {
        rules.brand_named_in(&content.sender_name_folded).filter(|&s| {
            let tokens: Vec<&str> = content
                .sender_name_folded
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
                .collect();
            only_service_words(rules, s, &tokens) || strongly_claimed(s)
        })
    };
    // A subject naming the brand (a forward of a notice does) claims
    // only with a lure.
    let brand_in_subject =
        || rules.brand_named_in(&content.subject_folded).filter(|_| lures.iter().any(|l| l.is_serious()));
    // A near miss of an official domain (amelli.fr) is a claim only when
    // the message names that same brand and makes a claim.
    let near_miss = || match verdict {
        Some(DomainVerdict::Lookalike { service, strength: Strength::EditDistance, .. }) => {
            rules.brand_named_in(&text).filter(|s| s == service)
        }
        _ => None,
    };
    // A generic sender ("Service remboursement" at some domain) whose
    // text presents itself as the service and lures.
    let brand_in_body = || rules.brand_named_in(&content.body_folded).filter(|_| lures.iter().any(|l| l.is_serious()));
    // In order, each looked for only while no earlier one is claimed.
    let candidates: [&dyn Fn() -> Option<Service>; 5] =
        [&|| brand_in_sender, &brand_in_name, &brand_in_subject, &near_miss, &brand_in_body];
    candidates.into_iter().filter_map(|candidate| candidate()).find(|&s| claimed_in_message(s))
}

/// Words a sender's name or domain uses to present itself as the service
/// besides the brand (`ameli-remboursement.com`, "Service clients Ameli").
/// Any other word makes the brand part of another name: a shop, a person.
const SERVICE_WORDS: &[&str] = &[
    "fr",
    "france",
    "gouv",
    "www",
    "mail",
    "mails",
    "email",
    "info",
    "infos",
    "information",
    "informations",
    "service",
    "services",
    "serv",
    "svc",
    "client",
    "clients",
    "contact",
    "support",
    "aide",
    "assistance",
    "assure",
    "assures",
    "assuree",
    "compte",
    "comptes",
    "moncompte",
    "mon",
    "votre",
    "espace",
    "portail",
    "securite",
    "secure",
    "securise",
    "security",
    "verification",
    "verif",
    "verify",
    "validation",
    "connexion",
    "connect",
    "login",
    "auth",
    "identite",
    "remboursement",
    "remboursements",
    "rembourse",
    "remb",
    "rbt",
    "paiement",
    "paiements",
    "versement",
    "dossier",
    "dossiers",
    "carte",
    "cartes",
    "vitale",
    "sante",
    "maladie",
    "assurance",
    "sociale",
    "secu",
    "securitesociale",
    "notification",
    "notifications",
    "notif",
    "alerte",
    "alertes",
    "update",
    "maj",
    "online",
    "en",
    "ligne",
    "app",
    "web",
    "net",
    "mobile",
    "noreply",
    "no",
    "reply",
    "ne",
    "pas",
    "repondre",
    "team",
    "equipe",
    "de",
    "du",
    "la",
    "l",
    "le",
    "d",
    "des",
    "et",
    "votre",
    "officiel",
    "official",
    "centre",
    "center",
    "direction",
    "caisse",
    "primaire",
    "cpam",
    "ameli",
    "agent",
    "conseiller",
    "gestion",
    "nouvelle",
    "nouveau",
    "renouvellement",
    "commande",
    "suivi",
];

/// Top-level domains that say nothing of a country: `ameli.com` is the
/// brand under another name, `ameli.de` may be someone called Ameli.
const GENERIC_TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "online", "site", "website", "xyz", "top", "live", "app", "help", "support",
    "services", "shop", "store", "club", "icu", "vip", "pro", "fr", "eu",
];

fn domain_tokens(domain: &str) -> Vec<&str> {
    let mut labels: Vec<&str> = domain.split('.').collect();
    labels.pop(); // the top-level domain says nothing
    labels.into_iter().flat_map(|l| l.split('-')).filter(|t| !t.is_empty()).collect()
}

/// The tokens spell a brand of `service`, with at most `fr`, `gouv` or
/// `france` besides.
fn is_the_brand_itself(rules: &Rules, service: Service, tokens: &[&str]) -> bool {
    let brand_words: Vec<&str> = rules.brand_tokens(service).iter().flatten().map(String::as_str).collect();
    !tokens.is_empty()
        && tokens.iter().any(|t| brand_words.contains(t))
        && tokens.iter().all(|t| brand_words.contains(t) || matches!(*t, "fr" | "gouv" | "france"))
}

/// Every token is a brand word of `service` or a service word.
fn only_service_words(rules: &Rules, service: Service, tokens: &[&str]) -> bool {
    let brand_words = rules.brand_tokens(service).iter().flatten().map(String::as_str);
    tokens.iter().all(|t| {
        t.bytes().all(|b| b.is_ascii_digit())
            // Both word lists are lower case (brand words are folded):
            // comparing without case is comparing with `t` lower-cased.
            || SERVICE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(t))
            || brand_words.clone().any(|w| w.eq_ignore_ascii_case(t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: each token lower-cased, then looked up.
    fn only_service_words_by_copy(rules: &Rules, service: Service, tokens: &[&str]) -> bool {
        let brand_words: Vec<&str> = rules.brand_tokens(service).iter().flatten().map(String::as_str).collect();
        tokens.iter().all(|t| {
            let t = t.to_ascii_lowercase();
            brand_words.contains(&t.as_str())
                || SERVICE_WORDS.contains(&t.as_str())
                || t.chars().all(|c| c.is_ascii_digit())
        })
    }

    /// `only_service_words` compares without case because both its word
    /// lists are lower case.
    #[test]
    fn service_and_brand_words_are_lower_case() {
        let rules = Rules::builtin();
        let brand = [Service::Ameli, Service::FranceConnect].map(|s| rules.brand_tokens(s).concat()).concat();
        assert!(brand.len() > 3);
        for word in SERVICE_WORDS.iter().copied().chain(brand.iter().map(String::as_str)) {
            assert_eq!(word, word.to_ascii_lowercase());
        }
    }

    proptest::proptest! {
        /// Names and domains made of brand words, service words, digits,
        /// other words, in any case: read as the definition reads them.
        #[test]
        fn a_sender_of_only_service_words_is_told_as_by_lower_casing(
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "ameli", "AMELI", "Ameli", "cpam", "service", "SERVICE", "Info", "mon", "espace", "sante", "123",
                "0", "", "couture", "weber", "franceconnect", "France", "connect", "é", "amelí", "serv1ce", "fr",
            ]), 0..6),
        ) {
            let rules = Rules::builtin();
            for service in [Service::Ameli, Service::FranceConnect] {
                proptest::prop_assert_eq!(
                    only_service_words(&rules, service, &tokens),
                    only_service_words_by_copy(&rules, service, &tokens),
                    "{:?}", tokens
                );
            }
        }
    }
}
