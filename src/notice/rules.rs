//! The data recognition runs on: official domains, brand words, notice
//! formats and lures, from `builtin.toml` plus what the config adds.

use std::sync::Arc;

use regex::Regex;
use regex::bytes::Regex as AsciiRegex;
use serde::Deserialize;

mod automata;
mod beginnings;
mod capture;
mod literals;
mod lures;
mod nfa;
mod pattern;

pub(crate) use automata::Syntax;
pub(crate) use capture::{CapturePattern, group};
use lures::Lures;
pub(crate) use pattern::Pattern;

use super::rewriter::RewriterSpec;
use super::{Kind, Service, domain::is_under, text::normalise};

/// `builtin.toml` as JSON, generated from it by the test
/// `the_precompiled_rules_are_builtin_toml`: every process reads the
/// built-in rules at start, and serde_json reads them in a fraction of
/// what the TOML parser takes (about 1 M instructions).
const BUILTIN: &str = include_str!("builtin.json");

/// The built-in rules. Unit tests read `builtin.toml` itself, so that the
/// automata regenerated from a changed file are those of the change, and
/// prove the JSON the program reads is the same data.
fn builtin_spec() -> RulesExtension {
    // Part of the program, not input: the tests prove both read.
    #[cfg(test)]
    return toml::from_str(include_str!("builtin.toml")).expect("builtin.toml is valid");
    #[cfg(not(test))]
    serde_json::from_str(BUILTIN).expect("builtin.json is valid")
}

/// A category of phishing lure; each has its own explanation for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LureCategory {
    BankDetails,
    Password,
    Ssn,
    Payment,
    CarteVitale,
    Refund,
    Deadline,
    SecureAccount,
    FileReference,
    ServiceClient,
    QrCode,
    Documents,
    ReplyRequest,
}

impl LureCategory {
    /// Every category, for what must cover them all (the language tests).
    pub const ALL: [LureCategory; 13] = [
        LureCategory::BankDetails,
        LureCategory::Password,
        LureCategory::Ssn,
        LureCategory::Payment,
        LureCategory::CarteVitale,
        LureCategory::Refund,
        LureCategory::Deadline,
        LureCategory::SecureAccount,
        LureCategory::FileReference,
        LureCategory::ServiceClient,
        LureCategory::QrCode,
        LureCategory::Documents,
        LureCategory::ReplyRequest,
    ];

    /// A lure only an impersonator of the Assurance Maladie uses: it
    /// makes a message that names the brand claim the service.
    pub(crate) fn impersonates_ameli(self) -> bool {
        matches!(self, LureCategory::CarteVitale | LureCategory::Refund | LureCategory::Ssn)
    }

    /// A lure that asks for something that hurts: not a mere tone
    /// (deadline, "service client") that shops use too.
    pub(crate) fn is_serious(self) -> bool {
        !matches!(self, LureCategory::Deadline | LureCategory::ServiceClient | LureCategory::FileReference)
            && !self.needs_context()
    }

    /// Asking for documents or a reply: genuine caisse agents do. A lure
    /// only from an unofficial sender or with replies going elsewhere.
    pub(crate) fn needs_context(self) -> bool {
        matches!(self, LureCategory::Documents | LureCategory::ReplyRequest)
    }

    pub fn code(self) -> &'static str {
        match self {
            LureCategory::BankDetails => "lure_bank_details",
            LureCategory::Password => "lure_password",
            LureCategory::Ssn => "lure_ssn",
            LureCategory::Payment => "lure_payment",
            LureCategory::CarteVitale => "lure_carte_vitale",
            LureCategory::Refund => "lure_refund",
            LureCategory::Deadline => "lure_deadline",
            LureCategory::SecureAccount => "lure_secure_account",
            LureCategory::FileReference => "lure_file_reference",
            LureCategory::ServiceClient => "lure_service_client",
            LureCategory::QrCode => "lure_qr_code",
            LureCategory::Documents => "lure_documents",
            LureCategory::ReplyRequest => "lure_reply_request",
        }
    }
}

/// The shape of `builtin.toml`, and of the config's `[recognition]` table,
/// which adds to it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesExtension {
    /// Hosts official mails may link to without being official senders.
    #[serde(default)]
    pub trusted_link_domains: Vec<String>,
    /// Which receiving servers' `Authentication-Results` [`super::recognise`]
    /// trusts, by authserv-id; empty means the topmost header. Accounts
    /// have their own list (`trusted_authserv_ids` in `[[account]]`).
    #[serde(default)]
    pub trusted_authserv_ids: Vec<String>,
    #[serde(default)]
    pub service: Vec<ServiceSpec>,
    #[serde(default)]
    pub format: Vec<FormatSpec>,
    #[serde(default)]
    pub lure: Vec<LureSpec>,
    /// Mail systems that rewrite links (Safe Links, Proofpoint…): links
    /// are judged by the URL they wrap.
    #[serde(default)]
    pub link_rewriter: Vec<RewriterSpec>,
    /// Browser history pages that prove an own login or attempt (read by
    /// [`crate::own_logins`]).
    #[serde(default)]
    pub browser_visit: Vec<VisitSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub service: Service,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub brand: Vec<String>,
    /// Phrases (folded-text patterns) by which a message presents itself
    /// as the service: a brand word in the sender's domain or name counts
    /// only together with one of these (or a known subject, or an official
    /// display name).
    #[serde(default)]
    pub claims: Vec<String>,
    /// Display names (folded-text patterns, whole name) the service or
    /// its imitators sign with: "Votre Assurance Maladie".
    #[serde(default)]
    pub display_names: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatSpec {
    pub name: String,
    pub service: Service,
    pub kind: Kind,
    pub subject: Option<String>,
    pub body: Option<String>,
    #[serde(default = "yes")]
    pub subject_claims: bool,
    #[serde(default)]
    pub extract: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LureSpec {
    pub category: LureCategory,
    pub patterns: Vec<String>,
}

/// What a visit to a page shows about the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proves {
    /// The return from a completed login (the identity provider accepted
    /// the user's identifiers).
    Login,
    /// The login form was shown: the user may be about to log in.
    Attempt,
}

impl Proves {
    pub fn as_str(self) -> &'static str {
        match self {
            Proves::Login => "login",
            Proves::Attempt => "attempt",
        }
    }
}

/// One `[[browser_visit]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitSpec {
    pub service: Service,
    pub proves: Proves,
    /// The host, exactly (`https://` only): only rows of the listed hosts
    /// are ever read from a history.
    pub host: String,
    /// A regular expression over the path and query, from the first `/`.
    pub path: String,
}

/// The config's `[[browser_visit]]` entries, each path pattern checked to
/// compile (`crate::own_logins` compiles them where it reads a history;
/// its tests compile the built-in ones).
fn checked_visits(specs: &[VisitSpec]) -> Result<&[VisitSpec], RulesError> {
    for spec in specs {
        regex::RegexBuilder::new(&spec.path).size_limit(1 << 20).build().map_err(|e| RulesError::BadPattern {
            owner: format!("browser_visit for {:?}", spec.host),
            pattern: spec.path.clone(),
            source: Box::new(e),
        })?;
    }
    Ok(specs)
}

/// A rule that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("recognition rules: pattern {pattern:?} of {owner} is not a valid regular expression: {source}")]
    BadPattern {
        owner: String,
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },
    #[error("recognition rules: format {0:?} has neither a subject nor a body pattern")]
    EmptyFormat(String),
    #[error("recognition rules: {0}")]
    Toml(#[from] toml::de::Error),
}

#[derive(Debug)]
pub(crate) struct Format {
    pub name: String,
    pub service: Service,
    pub kind: Kind,
    pub subject: Option<Pattern>,
    pub body: Option<Pattern>,
    pub subject_claims: bool,
    /// Over plain text. The same pattern in two formats (the FranceConnect
    /// greeting, whose Unicode classes take milliseconds to compile) is
    /// one pattern, compiled once.
    pub extract: Vec<Arc<CapturePattern>>,
}

#[derive(Debug)]
struct ServiceRule {
    service: Service,
    domains: Vec<String>,
    /// Brand words split on spaces and dashes, folded.
    brand_tokens: Vec<Vec<String>>,
    claims: Vec<String>,
    display_names: Vec<String>,
    /// Whether the config adds to this service (its patterns are then
    /// compiled at once, to report a bad one).
    from_config: bool,
}

/// Compiled recognition rules. Build once, share everywhere.
#[derive(Debug)]
pub struct Rules {
    services: Vec<ServiceRule>,
    trusted_link_domains: Vec<String>,
    pub(crate) trusted_authserv_ids: Vec<String>,
    pub(crate) formats: Vec<Format>,
    lures: Lures,
    /// Any brand word, as whole words, per service, over folded text.
    brand_words: Vec<(Service, Pattern)>,
    /// Claim phrases and official display names, per service.
    claim_phrases: Vec<(Service, Pattern)>,
    display_names: Vec<(Service, Pattern)>,
    rewriters: Vec<RewriterSpec>,
    browser_visits: Vec<VisitSpec>,
}

impl Rules {
    /// The built-in rules alone.
    pub fn builtin() -> Rules {
        // builtin.toml is part of the program; a unit test proves it loads.
        Rules::with_extension(&RulesExtension::default()).expect("builtin.toml is valid")
    }

    /// The built-in rules plus `extra` (from the config): extra formats are
    /// tried first, everything else is added.
    pub fn with_extension(extra: &RulesExtension) -> Result<Rules, RulesError> {
        let builtin = builtin_spec();
        let (extra_formats, extra_lures) = (extra.format.len(), extra.lure.len());
        let services = concat(&extra.service, &builtin.service);
        let formats = concat(&extra.format, &builtin.format);
        let lures = concat(&extra.lure, &builtin.lure);

        let mut service_rules: Vec<ServiceRule> = Vec::new();
        for (index, spec) in services.iter().enumerate() {
            let rule = match service_rules.iter_mut().find(|r| r.service == spec.service) {
                Some(rule) => rule,
                None => {
                    service_rules.push(ServiceRule {
                        service: spec.service,
                        domains: vec![],
                        brand_tokens: vec![],
                        claims: vec![],
                        display_names: vec![],
                        from_config: false,
                    });
                    service_rules.last_mut().expect("just pushed")
                }
            };
            rule.from_config |= index < extra.service.len();
            rule.domains.extend(spec.domains.iter().map(|d| d.trim().to_ascii_lowercase()));
            rule.claims.extend(spec.claims.iter().cloned());
            rule.display_names.extend(spec.display_names.iter().cloned());
            rule.brand_tokens.extend(
                spec.brand.iter().map(|b| {
                    normalise(b, true).split([' ', '-']).filter(|t| !t.is_empty()).map(str::to_owned).collect()
                }),
            );
        }

        let mut brand_words = Vec::new();
        let (mut claim_phrases, mut display_names) = (Vec::new(), Vec::new());
        for rule in &service_rules {
            let owner = format!("service {:?}", rule.service.as_str());
            if !rule.claims.is_empty() {
                let pattern = rule.claims.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
                claim_phrases.push((rule.service, Pattern::new(pattern, rule.from_config, &owner)?));
            }
            // One pattern each (a name is official-looking when any matches):
            // those whose automaton fits are precompiled, and the one that
            // does not is compiled only when a name gets that far.
            for name in &rule.display_names {
                display_names.push((rule.service, Pattern::new(format!("^(?:{name})$"), rule.from_config, &owner)?));
            }
            let words: Vec<String> = rule
                .brand_tokens
                .iter()
                .map(|tokens| tokens.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join(r"[\s-]?"))
                .collect();
            let pattern = format!(r"\b({})\b", words.join("|"));
            brand_words.push((rule.service, Pattern::new(pattern, rule.from_config, "brand words")?));
        }

        let mut extracts: Vec<Arc<CapturePattern>> = Vec::new();
        let formats = formats
            .into_iter()
            .enumerate()
            .map(|(index, f)| {
                if f.subject.is_none() && f.body.is_none() {
                    return Err(RulesError::EmptyFormat(f.name));
                }
                let owner = format!("format {:?}", f.name);
                let from_config = index < extra_formats;
                Ok(Format {
                    service: f.service,
                    kind: f.kind,
                    subject: f.subject.map(|p| Pattern::new(p, from_config, &owner)).transpose()?,
                    body: f.body.map(|p| Pattern::new(p, from_config, &owner)).transpose()?,
                    subject_claims: f.subject_claims,
                    extract: f
                        .extract
                        .iter()
                        .map(|p| match extracts.iter().find(|e| e.span().source() == p) {
                            Some(shared) => Ok(shared.clone()),
                            None => {
                                let made =
                                    Arc::new(CapturePattern::new(p.clone(), Syntax::Plain, from_config, &owner)?);
                                extracts.push(made.clone());
                                Ok(made)
                            }
                        })
                        .collect::<Result<_, RulesError>>()?,
                    name: f.name,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut lure_specs = Vec::new();
        for (index, spec) in lures.into_iter().enumerate() {
            lure_specs.extend(spec.patterns.into_iter().map(|p| (spec.category, p, index < extra_lures)));
        }
        let lures = Lures::new(lure_specs)?;

        Ok(Rules {
            services: service_rules,
            trusted_link_domains: concat(&extra.trusted_link_domains, &builtin.trusted_link_domains)
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            trusted_authserv_ids: concat(&extra.trusted_authserv_ids, &builtin.trusted_authserv_ids)
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            formats,
            lures,
            brand_words,
            claim_phrases,
            display_names,
            rewriters: concat(&extra.link_rewriter, &builtin.link_rewriter),
            browser_visits: concat(checked_visits(&extra.browser_visit)?, &builtin.browser_visit),
        })
    }

    /// Whose `Authentication-Results` [`super::recognise`] trusts: the
    /// servers in `[recognition] trusted_authserv_ids`, else the topmost
    /// header.
    pub fn default_trust(&self) -> super::Trust {
        if self.trusted_authserv_ids.is_empty() {
            super::Trust::Topmost
        } else {
            super::Trust::servers(self.trusted_authserv_ids.iter().map(String::as_str))
        }
    }

    /// The browser history pages that prove an own login or attempt.
    pub fn browser_visits(&self) -> &[VisitSpec] {
        &self.browser_visits
    }

    /// The service whose official domain `domain` is under, if any.
    pub fn official_service(&self, domain: &str) -> Option<Service> {
        self.services.iter().find(|s| s.domains.iter().any(|d| is_under(domain, d))).map(|s| s.service)
    }

    /// Every official domain, with its service.
    pub fn official_domains(&self) -> impl Iterator<Item = (Service, &str)> {
        self.services.iter().flat_map(|s| s.domains.iter().map(move |d| (s.service, d.as_str())))
    }

    pub(crate) fn brand_tokens(&self, service: Service) -> &[Vec<String>] {
        self.services.iter().find(|s| s.service == service).map(|s| s.brand_tokens.as_slice()).unwrap_or_default()
    }

    /// A host official mails may link to: official or trusted.
    pub fn is_trusted_link_host(&self, host: &str) -> bool {
        self.official_service(host).is_some() || self.trusted_link_domains.iter().any(|d| is_under(host, d))
    }

    /// IMAP search keys that narrow a mailbox to messages that may concern
    /// a service: each brand word (ASCII) in the sender or the subject.
    pub fn search_terms(&self) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for tokens in self.services.iter().flat_map(|s| &s.brand_tokens) {
            let word = tokens.join(" ");
            if word.is_ascii() && !word.contains('"') && !words.contains(&word) {
                words.push(word);
            }
        }
        let mut terms: Vec<String> = words.iter().map(|w| format!("FROM \"{w}\"")).collect();
        terms.extend(words.iter().map(|w| format!("SUBJECT \"{w}\"")));
        terms
    }

    /// The link rewriters, config's first.
    pub(crate) fn rewriters(&self) -> &[RewriterSpec] {
        &self.rewriters
    }

    /// Whether folded text presents itself as `service` (a claim phrase).
    pub(crate) fn claim_phrase_in(&self, service: Service, folded: &str) -> bool {
        self.claim_phrases.iter().any(|(s, p)| *s == service && p.is_match(folded.as_bytes()))
    }

    /// The service a folded display name is an official-looking name of.
    pub(crate) fn display_name_of(&self, folded_name: &str) -> Option<Service> {
        self.display_names.iter().find(|(_, re)| re.is_match(folded_name.trim().as_bytes())).map(|(s, _)| *s)
    }

    /// The first service whose brand `folded` names, as whole words.
    pub(crate) fn brand_named_in(&self, folded: &str) -> Option<Service> {
        self.brand_words.iter().find(|(_, re)| re.is_match(folded.as_bytes())).map(|(s, _)| *s)
    }

    /// Every pattern over folded text, once each.
    #[cfg(test)]
    pub(crate) fn patterns(&self) -> impl Iterator<Item = &Pattern> {
        let formats = self.formats.iter().flat_map(|f| f.subject.iter().chain(&f.body));
        let extracts = self.formats.iter().flat_map(|f| f.extract.iter().map(|e| e.span()));
        let services =
            self.brand_words.iter().chain(&self.claim_phrases).chain(&self.display_names).map(|(_, pattern)| pattern);
        formats.chain(extracts).chain(services).chain(self.lures.patterns())
    }

    /// Every literal set searched (the patterns' beginnings, the lures'
    /// prefilter), for the table of precompiled automata.
    #[cfg(test)]
    pub(crate) fn literal_sets(&self) -> Vec<&literals::Literals> {
        let login_time = crate::notice::when::patterns().map(|p| -> &Pattern { p });
        let mut sets: Vec<&literals::Literals> =
            self.patterns().chain(login_time).filter_map(Pattern::beginnings).collect();
        sets.extend(self.lures.prefilter());
        sets
    }

    /// Lure categories found in `folded` text, in rule order, once each.
    /// A match closely preceded by a negation ("… jamais …") does
    /// not count.
    pub(crate) fn lures_in(&self, folded: &str) -> Vec<LureCategory> {
        self.lures.found_in(folded)
    }
}

/// The config's entries first, then the built-in ones.
fn concat<T: Clone>(extra: &[T], builtin: &[T]) -> Vec<T> {
    extra.iter().chain(builtin).cloned().collect()
}

/// Patterns over folded text, which is ASCII: compiled without Unicode
/// classes, whose automata are many times larger (memory, and the lazy
/// DFA's speed).
fn compile_ascii(pattern: &str, owner: &str) -> Result<AsciiRegex, RulesError> {
    regex::bytes::RegexBuilder::new(pattern).unicode(false).size_limit(1 << 22).build().map_err(|e| {
        RulesError::BadPattern { owner: owner.to_owned(), pattern: pattern.to_owned(), source: Box::new(e) }
    })
}

fn compile(pattern: &str, owner: &str) -> Result<Regex, RulesError> {
    regex::RegexBuilder::new(pattern).size_limit(1 << 22).build().map_err(|e| RulesError::BadPattern {
        owner: owner.to_owned(),
        pattern: pattern.to_owned(),
        source: Box::new(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precompiled_rules_are_builtin_toml() {
        const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/notice/builtin.json");
        let toml: serde_json::Value = toml::from_str(include_str!("builtin.toml")).expect("builtin.toml parses");
        if std::env::var_os("VIGIE_REGENERATE_AUTOMATA").is_some() {
            let json = serde_json::to_string_pretty(&toml).expect("JSON") + "\n";
            std::fs::write(PATH, json).expect("builtin.json is writable");
            return;
        }
        let json: serde_json::Value = serde_json::from_str(BUILTIN).expect("builtin.json parses");
        serde_json::from_str::<RulesExtension>(BUILTIN).expect("builtin.json has the rules' shape");
        assert!(
            json == toml,
            "src/notice/builtin.json is stale: run `VIGIE_REGENERATE_AUTOMATA=1 cargo test --lib precompiled` \
             and commit it"
        );
    }

    #[test]
    fn builtin_rules_load() {
        let rules = Rules::builtin();
        assert!(rules.formats.len() >= 5);
        assert_eq!(rules.official_service("info.ameli.fr"), Some(Service::Ameli));
        assert_eq!(rules.official_service("ameli.fr.evil.com"), None);
    }

    #[test]
    fn every_lure_category_is_listed_once_in_all() {
        use LureCategory::*;
        // A new category breaks this match until it is added here, and
        // then the assertion below until ALL lists it.
        let listed = |c: LureCategory| match c {
            BankDetails | Password | Ssn | Payment | CarteVitale | Refund | Deadline | SecureAccount
            | FileReference | ServiceClient | QrCode | Documents | ReplyRequest => c,
        };
        let every = [
            BankDetails,
            Password,
            Ssn,
            Payment,
            CarteVitale,
            Refund,
            Deadline,
            SecureAccount,
            FileReference,
            ServiceClient,
            QrCode,
            Documents,
            ReplyRequest,
        ];
        for c in every.map(listed) {
            assert_eq!(LureCategory::ALL.iter().filter(|&&a| a == c).count(), 1, "{c:?}");
        }
    }

    #[test]
    fn every_builtin_pattern_compiles() {
        // Built-in patterns are compiled on first use, and one that did
        // not compile would be skipped: prove that none is.
        let rules = Rules::builtin();
        for pattern in rules.lures.patterns() {
            assert!(pattern.regex().is_some(), "{}", pattern.source());
        }
        let words = rules.brand_words.iter().chain(&rules.claim_phrases).chain(&rules.display_names);
        for (service, pattern) in words {
            assert!(pattern.regex().is_some(), "{service:?}: {}", pattern.source());
        }
        for format in &rules.formats {
            for pattern in &format.extract {
                assert!(pattern.groups().is_some(), "{}: {}", format.name, pattern.span().source());
            }
            for pattern in format.subject.iter().chain(&format.body) {
                assert!(pattern.regex().is_some(), "{}: {}", format.name, pattern.source());
            }
        }
    }

    #[test]
    fn a_scan_compiles_no_builtin_pattern() {
        // Every built-in automaton is read from the table: recognising
        // every fixture compiles none of the rules' patterns (nor their
        // groups), and the login time's groups are in the table too.
        let rules = Rules::builtin();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "eml") {
                let _ = crate::notice::recognise(&std::fs::read(&path).expect("readable"), &rules);
                read += 1;
            }
        }
        assert!(read > 20, "{read}");
        for pattern in rules.patterns() {
            assert!(!pattern.is_compiled(), "{:?} was compiled", pattern.source());
        }
        for format in &rules.formats {
            for extract in &format.extract {
                assert!(extract.is_tabled(), "{}: {:?}", format.name, extract.span().source());
            }
        }
        let dates = capture::builtin_groups();
        assert_eq!(dates.len(), 4);
        for (syntax, source) in dates {
            assert!(automata::nfa(&source, syntax, automata::Purpose::Groups).is_some(), "{source:?}");
        }
    }

    #[test]
    fn brand_words_are_whole_words() {
        let rules = Rules::builtin();
        assert_eq!(rules.brand_named_in("votre compte ameli"), Some(Service::Ameli));
        assert_eq!(rules.brand_named_in("l'assurance maladie vous informe"), Some(Service::Ameli));
        assert_eq!(rules.brand_named_in("avec france connect"), Some(Service::FranceConnect));
        assert_eq!(rules.brand_named_in("chere amelie"), None);
    }

    #[test]
    fn official_display_names_are_recognised_and_names_of_people_or_shops_are_not() {
        let rules = Rules::builtin();
        for name in [
            "votre assurance maladie",
            "l'assurance maladie",
            "assurance-maladie.fr",
            "ameli",
            "ameli.fr",
            "cpam de paris",
            "caisse primaire d'assurance maladie",
            "service clients ameli",
            "ameli - remboursements",
            "ameli sante",
            "franceconnect",
        ] {
            assert!(rules.display_name_of(name).is_some(), "{name}");
        }
        for name in ["ameli weber", "ameli couture", "les amis d'ameli", "amelie durand", "pharmacie ameli"] {
            assert_eq!(rules.display_name_of(name), None, "{name}");
        }
    }

    #[test]
    fn claim_phrases_are_about_the_service_not_a_namesake() {
        let rules = Rules::builtin();
        let claims = |t: &str| rules.claim_phrase_in(Service::Ameli, t);
        assert!(claims("une connexion a votre compte ameli a eu lieu"));
        assert!(claims("l'assurance maladie vous informe"));
        assert!(claims("votre carte vitale 2026 est prete"));
        assert!(!claims("une connexion a votre compte ameli shop a eu lieu"));
        assert!(!claims("pensez a apporter votre carte vitale et votre ordonnance"));
    }

    #[test]
    fn lures_are_found_unless_negated() {
        let rules = Rules::builtin();
        assert_eq!(rules.lures_in("merci de confirmer vos coordonnees bancaires"), vec![LureCategory::BankDetails]);
        assert_eq!(rules.lures_in("ne communiquez jamais votre mot de passe"), vec![]);
        assert_eq!(
            rules.lures_in("vous etes admissible a recevoir un remboursement de 387,95 euros"),
            vec![LureCategory::Refund]
        );
        assert_eq!(rules.lures_in("pensez a apporter votre carte vitale"), vec![]);
    }

    #[test]
    fn config_extension_adds_domains_and_formats() {
        let extra: RulesExtension = toml::from_str(
            r#"
            [[service]]
            service = "ameli"
            domains = ["ameli-nouveau.fr"]

            [[format]]
            name = "ameli-code"
            service = "ameli"
            kind = "other"
            subject = '^votre code de securite$'
            "#,
        )
        .expect("toml");
        let rules = Rules::with_extension(&extra).expect("rules");
        assert_eq!(rules.official_service("mail.ameli-nouveau.fr"), Some(Service::Ameli));
        assert_eq!(rules.formats[0].name, "ameli-code");
    }

    #[test]
    fn a_bad_pattern_is_named_in_the_error() {
        let extra: RulesExtension = toml::from_str(
            r#"
            [[lure]]
            category = "password"
            patterns = ['(unclosed']
            "#,
        )
        .expect("toml");
        let err = Rules::with_extension(&extra).expect_err("bad pattern");
        assert!(err.to_string().contains("(unclosed"), "{err}");
    }
}
