//! Which history rows prove a completed login and which only show the login
//! form: the `[[browser_visit]]` table of `builtin.toml` (and of the
//! config's `[recognition]`), compiled. Pure: rows in, classified visits out.

pub use crate::notice::{Proves, VisitSpec};
use crate::notice::{RulesError, Service};
use regex::Regex;

/// One entry, compiled.
#[derive(Debug, Clone)]
pub struct VisitRule {
    pub service: Service,
    pub proves: Proves,
    /// Lower case.
    pub host: String,
    pub path: Regex,
}

impl VisitRule {
    /// Compiles entries in order (the config's first).
    pub fn compile_all(specs: &[VisitSpec]) -> Result<Vec<VisitRule>, RulesError> {
        specs
            .iter()
            .map(|spec| {
                let path = regex::RegexBuilder::new(&spec.path).size_limit(1 << 20).build().map_err(|e| {
                    RulesError::BadPattern {
                        owner: format!("browser_visit for {:?}", spec.host),
                        pattern: spec.path.clone(),
                        source: Box::new(e),
                    }
                })?;
                Ok(VisitRule {
                    service: spec.service,
                    proves: spec.proves,
                    host: spec.host.trim().to_ascii_lowercase(),
                    path,
                })
            })
            .collect()
    }
}

/// The distinct hosts the rules name, in order: what a history query asks
/// for.
pub fn hosts(rules: &[VisitRule]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for rule in rules {
        if !hosts.contains(&rule.host) {
            hosts.push(rule.host.clone());
        }
    }
    hosts
}

/// The `url` range `[low, high)` of one host's `https` pages: every URL
/// that starts with `https://host/`. (`0` follows `/` in ASCII.) A range
/// lets SQLite use an index on `url` and matches exactly, unlike `LIKE`.
pub fn url_range(host: &str) -> (String, String) {
    (format!("https://{host}/"), format!("https://{host}0"))
}

/// One history row of a listed host, as the readers return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The visit's id in its history.
    pub id: i64,
    /// The visit the browser came from (for a redirect: its source).
    pub from_visit: Option<i64>,
    /// The browser reached this page by a redirect (Firefox `visit_type`
    /// 5 or 6; Chromium `SERVER_REDIRECT`/`CLIENT_REDIRECT`).
    pub redirected: bool,
    /// Microseconds since the Unix epoch.
    pub at_micros: i64,
    pub url: String,
}

/// What a row proves, if anything: the first rule whose host and path fit.
pub fn classify<'r>(rules: &'r [VisitRule], url: &str) -> Option<&'r VisitRule> {
    let rest = url.strip_prefix("https://")?;
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    rules.iter().find(|r| r.host == host && r.path.is_match(path))
}

/// The rows that prove something, with what they prove. A page the server
/// bounced to the login form (a logged-out visit to a return-from-login
/// URL, an expired code) proves no login: a row whose visit is the source
/// of a redirect to a login form counts for nothing. Visits *reached* by a
/// redirect keep their meaning: a return from login always is one (the
/// form's answer is a redirect to the callback URL), and so is the login
/// form when the server sends a logged-out visitor there.
pub fn proving<'r>(rules: &'r [VisitRule], rows: &[Row]) -> Vec<(&'r VisitRule, i64)> {
    let classified: Vec<(&Row, Option<&VisitRule>)> = rows.iter().map(|r| (r, classify(rules, &r.url))).collect();
    // The visits the browser was sent on from, to a login form.
    let bounced: std::collections::HashSet<i64> = classified
        .iter()
        .filter(|(row, rule)| row.redirected && rule.is_some_and(|r| r.proves == Proves::Attempt))
        .filter_map(|(row, _)| row.from_visit)
        .collect();
    let bounced_to_form = |id: i64| bounced.contains(&id);
    classified
        .iter()
        .filter_map(|(row, rule)| {
            let rule = (*rule)?;
            if rule.proves == Proves::Login && bounced_to_form(row.id) {
                return None;
            }
            Some((rule, row.at_micros))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(rules: &Rules) -> Vec<VisitRule> {
        VisitRule::compile_all(rules.browser_visits()).expect("the rules checked them")
    }
    use crate::notice::Rules;

    fn row(id: i64, from: Option<i64>, redirected: bool, url: &str) -> Row {
        Row { id, from_visit: from, redirected, at_micros: id, url: url.into() }
    }

    #[test]
    fn builtin_browser_visits_load_and_name_their_hosts() {
        let rules = Rules::builtin();
        let hosts = hosts(&compiled(&rules));
        for host in ["assure.ameli.fr", "ameliconnect.ameli.fr", "oidc.franceconnect.gouv.fr"] {
            assert!(hosts.iter().any(|h| h == host), "{host} in {hosts:?}");
        }
    }

    #[test]
    fn the_return_from_login_proves_a_login_and_the_form_an_attempt() {
        let rules = Rules::builtin();
        let rules = compiled(&rules);
        let rules = rules.as_slice();
        let proves = |url: &str| classify(rules, url).map(|r| (r.service, r.proves));
        assert_eq!(
            proves(
                "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page&cb=true"
            ),
            Some((Service::Ameli, Proves::Login))
        );
        assert_eq!(
            proves("https://assure.ameli.fr/compte/redirect_uri?code=abc&state=x"),
            Some((Service::Ameli, Proves::Login))
        );
        assert_eq!(
            proves("https://ameliconnect.ameli.fr/oauth2/authorize?client_id=x&response_type=code"),
            Some((Service::Ameli, Proves::Attempt))
        );
        assert_eq!(
            proves("https://oidc.franceconnect.gouv.fr/api/v2/oidc-callback?code=xyz&state=s"),
            Some((Service::FranceConnect, Proves::Login))
        );
        assert_eq!(
            proves("https://auth.franceconnect.gouv.fr/api/v2/oidc-callback?code=xyz"),
            Some((Service::FranceConnect, Proves::Login))
        );
        assert_eq!(
            proves("https://oidc.franceconnect.gouv.fr/api/v2/authorize?scope=openid"),
            Some((Service::FranceConnect, Proves::Attempt))
        );
    }

    #[test]
    fn logged_in_and_home_pages_prove_nothing() {
        let rules = Rules::builtin();
        let rules = compiled(&rules);
        let rules = rules.as_slice();
        for url in [
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_accueil_page",
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_paiements_page",
            "https://assure.ameli.fr/compte/mes-informations",
            "https://assure.ameli.fr/compte/redirect_uri?error=access_denied",
            "https://www.ameli.fr/",
            "https://franceconnect.gouv.fr/",
            "https://oidc.franceconnect.gouv.fr/api/v2/oidc-callback?error=x",
            "https://evil.example/compte/redirect_uri?code=abc",
            "http://assure.ameli.fr/compte/redirect_uri?code=abc",
        ] {
            assert!(classify(rules, url).is_none(), "{url}");
        }
    }

    #[test]
    fn a_return_url_bounced_to_the_login_form_proves_no_login() {
        let rules = Rules::builtin();
        let rules = compiled(&rules);
        let rules = rules.as_slice();
        let back =
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page&cb=true";
        let form = "https://ameliconnect.ameli.fr/oauth2/authorize?client_id=x";
        // A stale bookmark of the return page, while logged out: the server
        // sends the browser to the form.
        let rows = [row(1, None, false, back), row(2, Some(1), true, form)];
        let found: Vec<Proves> = proving(rules, &rows).iter().map(|(r, _)| r.proves).collect();
        assert_eq!(found, vec![Proves::Attempt]);
        // A real login: the form, then the callback reached by a redirect.
        let callback = "https://assure.ameli.fr/compte/redirect_uri?code=abc";
        let rows = [row(1, None, true, form), row(2, Some(1), true, callback), row(3, Some(2), true, back)];
        let found: Vec<Proves> = proving(rules, &rows).iter().map(|(r, _)| r.proves).collect();
        assert_eq!(found, vec![Proves::Attempt, Proves::Login, Proves::Login]);
    }

    #[test]
    fn the_config_adds_browser_visits_before_the_builtin_ones() {
        let extra: crate::notice::RulesExtension = toml::from_str(
            r#"
            [[browser_visit]]
            service = "ameli"
            proves = "login"
            host = "Assure.Ameli.fr"
            path = '^/nouveau/retour\?code='
            "#,
        )
        .expect("toml");
        let rules = Rules::with_extension(&extra).expect("rules");
        let compiled = compiled(&rules);
        let rule = classify(&compiled, "https://assure.ameli.fr/nouveau/retour?code=1").expect("added");
        assert_eq!(rule.proves, Proves::Login);
        let bad: crate::notice::RulesExtension =
            toml::from_str("[[browser_visit]]\nservice = \"ameli\"\nproves = \"login\"\nhost = \"x\"\npath = '(('\n")
                .expect("toml");
        let err = Rules::with_extension(&bad).expect_err("bad pattern");
        assert!(err.to_string().contains("browser_visit"), "{err}");
    }
}
