//! Alert texts: what the desktop notification and the terminal say about
//! a finding, with the official steps, the buttons and the command-line
//! answer. Built from domain facts only ([`AlertFacts`]).
//!
//! No text from a mail ever goes into the steps: the steps are fixed
//! sentences with official addresses known in advance. FranceConnect's
//! site and identity provider appear only in the description of what
//! happened, and only when they are short plain names.

use std::sync::LazyLock;

use regex::Regex;

use super::{Lang, paris_time, reason, service_name};
use crate::matching::{AlertFacts, Answer, FindingKind};
use crate::notice::{Service, plain_name};

/// FranceConnect's help site, where "Je signale une usurpation" is (known
/// in advance; never a link taken from an e-mail). Short enough for one
/// line of a notification.
pub const FRANCECONNECT_HELP: &str = "aide.franceconnect.gouv.fr";
/// FranceConnect's dashboard: the user's connections and accesses.
pub const FRANCECONNECT_DASHBOARD: &str = "https://tableaudebord.franceconnect.gouv.fr/";

/// The words of one alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertWords {
    pub summary: String,
    pub body: String,
    /// Buttons: (action key, label).
    pub actions: Vec<(String, String)>,
    /// The `vigie answer N …` line, where there are no buttons.
    pub answer_line: Option<String>,
}

/// The action keys of the buttons (what a click sends back).
pub const ACTION_MINE: &str = "mine";
pub const ACTION_NOT_MINE: &str = "not-mine";
pub const ACTION_HANDLED: &str = "handled";

/// Hosts and addresses in text: `scheme://`, then labels and a TLD, then a
/// path.
static HOST: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:[a-z][a-z0-9+.-]*://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\b(?:/[^\s»«\)\]]*)?")
        .ok()
});
/// Phone numbers: six digits or more, spaced or not.
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\+?\d(?:[\s.\-]?\d){5,}").ok());

/// Official domains, shown as they are.
const OFFICIAL: &[&str] = &["ameli.fr", "assurance-maladie.fr", "monespacesante.fr", "gouv.fr"];

fn is_official(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    OFFICIAL.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// Text from a mail made harmless for an alert: an address that is not
/// official loses its link form (`evil[.]example`, so that no notification
/// server makes it clickable), and a phone number is masked (a fake's
/// number must never reach an alert that tells the user what to do).
pub fn defang(text: &str) -> String {
    let text = match HOST.as_ref() {
        Some(host) => host
            .replace_all(text, |c: &regex::Captures| {
                let found = &c[0];
                let bare = found.split_once("://").map_or(found, |(_, rest)| rest);
                let name = bare.split('/').next().unwrap_or(bare);
                if is_official(name) && !found.contains("://") { found.to_owned() } else { bare.replace('.', "[.]") }
            })
            .into_owned(),
        None => text.to_owned(),
    };
    match PHONE.as_ref() {
        Some(phone) => phone.replace_all(&text, "…").into_owned(),
        None => text,
    }
}

fn when(facts: &AlertFacts, lang: Lang) -> String {
    match (facts.finding.at, lang) {
        (Some(at), Lang::Fr) => format!("le {} (heure de Paris)", paris_time(at, lang)),
        (Some(at), Lang::En) => format!("on {} (Paris time)", paris_time(at, lang)),
        (None, Lang::Fr) => "à une heure inconnue".into(),
        (None, Lang::En) => "at an unknown time".into(),
    }
}

/// What to do, step by step, for a finding. Fixed text only.
fn steps(kind: FindingKind, service: Option<Service>, lang: Lang) -> String {
    match (kind, service, lang) {
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::Fr) => format!(
            "1. Changez tout de suite le mot de passe du compte utilisé pour vous connecter \
             (impots.gouv.fr, Ameli.fr, L'Identité Numérique La Poste…).\n\
             2. Signalez-le à FranceConnect sur {FRANCECONNECT_HELP} (« Je signale une usurpation »).\n\
             3. Vérifiez ce qui a été fait sur le site atteint."
        ),
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::En) => format!(
            "1. Change the password of the account used to log in at once \
             (impots.gouv.fr, Ameli.fr, L'Identité Numérique La Poste…).\n\
             2. Report it to FranceConnect at {FRANCECONNECT_HELP} (\"Je signale une usurpation\").\n\
             3. Check what was done on the site reached."
        ),
        (FindingKind::UnrecognisedLogin, _, Lang::Fr) => {
            "1. Changez tout de suite le mot de passe ameli (tapez vous-même l'adresse ameli.fr).\n\
             2. Vérifiez vos informations personnelles sur le compte : numéro de téléphone, \
             adresse e-mail, coordonnées bancaires.\n\
             3. Appelez votre caisse au 3646 pour le signaler."
                .into()
        }
        (FindingKind::UnrecognisedLogin, _, Lang::En) => {
            "1. Change the ameli password at once (type the address ameli.fr yourself).\n\
             2. Check the personal details on the account: phone number, e-mail address, bank details.\n\
             3. Call your caisse on 3646 to report it."
                .into()
        }
        (FindingKind::LoginAttempt, _, Lang::Fr) => {
            "1. Ne donnez ce code à personne, même pas à quelqu'un qui dit appeler de l'Assurance Maladie : \
             elle ne le demande jamais.\n\
             2. Si ce n'est pas vous qui essayez de vous connecter, changez tout de suite le mot de passe ameli \
             (tapez vous-même l'adresse ameli.fr).\n\
             3. Si vous avez déjà donné ce code, appelez votre caisse au 3646."
                .into()
        }
        (FindingKind::LoginAttempt, _, Lang::En) => {
            "1. Never give this code to anyone, not even to someone who says they are calling from the \
             Assurance Maladie: it never asks for it.\n\
             2. If it is not you trying to log in, change the ameli password at once (type the address \
             ameli.fr yourself).\n\
             3. If you have already given the code, call your caisse on 3646."
                .into()
        }
        (FindingKind::AccessChange, _, Lang::Fr) => format!(
            "1. Vérifiez vos accès sur le tableau de bord FranceConnect (tapez l'adresse vous-même) : \
             {FRANCECONNECT_DASHBOARD}\n\
             2. Si vous n'avez pas fait ce changement, signalez-le à FranceConnect sur {FRANCECONNECT_HELP} \
             et changez le mot de passe des comptes que vous utilisez avec FranceConnect."
        ),
        (FindingKind::AccessChange, _, Lang::En) => format!(
            "1. Check your accesses on the FranceConnect dashboard (type the address yourself): \
             {FRANCECONNECT_DASHBOARD}\n\
             2. If you did not make this change, report it to FranceConnect at {FRANCECONNECT_HELP} \
             and change the password of the accounts you use with FranceConnect."
        ),
        (FindingKind::PaymentCheck, _, Lang::Fr) => {
            "1. Connectez-vous à votre compte ameli par vos propres moyens (tapez vous-même l'adresse \
             ameli.fr), pas par le lien de l'e-mail.\n\
             2. Regardez les derniers paiements.\n\
             3. Un soin que vous n'avez jamais reçu ? Signalez-le depuis votre compte \
             (« signaler un remboursement suspect »)."
                .into()
        }
        (FindingKind::PaymentCheck, _, Lang::En) => {
            "1. Log in to your ameli account by your own means (type the address ameli.fr yourself), \
             not through the link in the e-mail.\n\
             2. Look at the latest payments.\n\
             3. A care you never received? Report it from your account (\"signaler un remboursement \
             suspect\")."
                .into()
        }
        (FindingKind::Impersonation, _, Lang::Fr) => {
            "Ne cliquez sur aucun lien, ne répondez pas, supprimez ce message.\n\
             Vous pouvez le signaler sur signal-spam.fr ou internet-signalement.gouv.fr."
                .into()
        }
        (FindingKind::Impersonation, _, Lang::En) => "Do not click any link, do not reply, delete the message.\n\
             You can report it at signal-spam.fr or internet-signalement.gouv.fr."
            .into(),
        (FindingKind::MissingNotice, _, Lang::Fr) => "Si vous vous êtes bien connecté, vérifiez que l'adresse e-mail \
             de votre compte ameli est toujours la vôtre. Sinon, rien à faire."
            .into(),
        (FindingKind::MissingNotice, _, Lang::En) => "If you did log in, check that the e-mail address on your ameli \
             account is still yours. If not, nothing to do."
            .into(),
        (FindingKind::Blind, _, Lang::Fr) => "Vérifiez que la boîte mail s'ouvre normalement et que son mot de passe \
             n'a pas changé. Puis lancez « vigie doctor »."
            .into(),
        (FindingKind::Blind, _, Lang::En) => "Check that the mailbox opens normally and that its password has not \
             changed. Then run \"vigie doctor\"."
            .into(),
    }
}

/// What happened, in one or two sentences.
fn what_happened(facts: &AlertFacts, lang: Lang) -> (String, String) {
    let f = &facts.finding;
    let who = &f.account;
    let when = when(facts, lang);
    let site = facts.site.as_deref().and_then(plain_name).map(defang);
    let idp = facts.identity_provider.as_deref().and_then(plain_name).map(defang);
    let name = service_name(f.service.unwrap_or(Service::Ameli));
    // FranceConnect's greeting: whose identity was used (a mailbox shared
    // by two people receives both people's notices).
    let person = facts.addressee.as_deref().and_then(plain_name).map(defang);
    let on_behalf = |lang: Lang| match (&person, lang) {
        (Some(p), Lang::Fr) => format!(" au nom de {p}"),
        (Some(p), Lang::En) => format!(" in the name of {p}"),
        (None, _) => String::new(),
    };
    match (f.kind, f.service, lang) {
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::Fr) => (
            format!("{who} — connexion FranceConnect inconnue{}", on_behalf(lang)),
            format!(
                "Une connexion FranceConnect{} a eu lieu {when}{}{}, et vigie ne trouve aucune connexion \
                 de votre part à ce moment-là.",
                on_behalf(lang),
                site.map(|s| format!(" sur le site « {s} »")).unwrap_or_default(),
                idp.map(|s| format!(" avec le compte « {s} »")).unwrap_or_default(),
            ),
        ),
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::En) => (
            format!("{who} — unknown FranceConnect login{}", on_behalf(lang)),
            format!(
                "A FranceConnect login{} took place {when}{}{}, and vigie finds no login of yours at that time.",
                on_behalf(lang),
                site.map(|s| format!(" on the site \"{s}\"")).unwrap_or_default(),
                idp.map(|s| format!(" with the \"{s}\" account")).unwrap_or_default(),
            ),
        ),
        (FindingKind::LoginAttempt, _, lang) => {
            // A code mail seen long after it was sent is history, not "now".
            let now = facts.noticed_at.zip(f.at).is_none_or(|(seen, sent)| seen - sent < chrono::Duration::hours(1));
            match (lang, now) {
                (Lang::Fr, true) => (
                    format!("{who} — quelqu'un essaie d'entrer dans le compte {name}"),
                    format!(
                        "Un code de sécurité {name} vient d'être envoyé par e-mail, {when} : quelqu'un a tapé \
                         les identifiants du compte {name} de {who} et essaie d'y entrer en ce moment. vigie ne \
                         trouve aucune tentative de connexion de votre part."
                    ),
                ),
                (Lang::Fr, false) => (
                    format!("{who} — quelqu'un a essayé d'entrer dans le compte {name}"),
                    format!(
                        "Un code de sécurité {name} a été envoyé par e-mail {when} : quelqu'un a tapé les \
                         identifiants du compte {name} de {who}. vigie ne trouve aucune tentative de connexion de \
                         votre part à ce moment-là."
                    ),
                ),
                (Lang::En, true) => (
                    format!("{who} — someone is trying to get into the {name} account"),
                    format!(
                        "A security code for {name} has just been e-mailed, {when}: someone typed the \
                         identifiers of {who}'s {name} account and is trying to get in right now. vigie finds no \
                         login attempt of yours."
                    ),
                ),
                (Lang::En, false) => (
                    format!("{who} — someone tried to get into the {name} account"),
                    format!(
                        "A security code for {name} was e-mailed {when}: someone typed the identifiers of \
                         {who}'s {name} account. vigie finds no login attempt of yours at that time."
                    ),
                ),
            }
        }
        (FindingKind::AccessChange, _, Lang::Fr) => (
            format!("{who} — accès FranceConnect modifiés"),
            format!(
                "Les accès FranceConnect{} ont été modifiés {when} : un compte de connexion a été autorisé ou \
                 bloqué. vigie ne trouve aucune connexion FranceConnect de votre part à ce moment-là.",
                on_behalf(lang)
            ),
        ),
        (FindingKind::AccessChange, _, Lang::En) => (
            format!("{who} — FranceConnect accesses changed"),
            format!(
                "The FranceConnect accesses{} were changed {when}: a login account was allowed or blocked. \
                 vigie finds no FranceConnect login of yours at that time.",
                on_behalf(lang)
            ),
        ),
        (FindingKind::PaymentCheck, _, Lang::Fr) => (
            format!("{who} — pensez à vérifier les remboursements ameli"),
            format!(
                "L'Assurance Maladie a envoyé une information de paiement {when}. C'est le bon moment pour \
                 vérifier les remboursements."
            ),
        ),
        (FindingKind::PaymentCheck, _, Lang::En) => (
            format!("{who} — time to check the ameli reimbursements"),
            format!(
                "The Assurance Maladie sent a payment notice {when}. It is a good time to check the reimbursements."
            ),
        ),
        (FindingKind::UnrecognisedLogin, _, Lang::Fr) => (
            format!("{who} — connexion inconnue à ameli"),
            format!(
                "Quelqu'un s'est connecté au compte ameli de {who} {when}, et vigie ne trouve aucune \
                 connexion de votre part à ce moment-là."
            ),
        ),
        (FindingKind::UnrecognisedLogin, _, Lang::En) => (
            format!("{who} — unknown login to ameli"),
            format!(
                "Someone logged into {who}'s ameli account {when}, and vigie finds no login of yours at that time."
            ),
        ),
        (FindingKind::Impersonation, _, lang) => {
            let why = facts.reasons.iter().map(|r| defang(&reason(r, lang))).collect::<Vec<_>>();
            let subject = facts.subject.as_deref().map(defang);
            match lang {
                Lang::Fr => (
                    format!("{who} — faux message {name} reçu"),
                    format!(
                        "Un message qui se fait passer pour {name} est arrivé{} : c'est très probablement une \
                         arnaque.\nPourquoi : {}.",
                        subject.as_deref().map(|s| format!(" (« {s} »)")).unwrap_or_default(),
                        why.join(" ; ")
                    ),
                ),
                Lang::En => (
                    format!("{who} — fake {name} message received"),
                    format!(
                        "A message pretending to be {name} arrived{}: it is very probably a scam.\nWhy: {}.",
                        subject.as_deref().map(|s| format!(" (\"{s}\")")).unwrap_or_default(),
                        why.join("; ")
                    ),
                ),
            }
        }
        (FindingKind::MissingNotice, _, Lang::Fr) => (
            format!("{who} — pas d'e-mail de connexion ameli"),
            format!("Une connexion à ameli a été notée {when}, et aucun e-mail de connexion n'est arrivé."),
        ),
        (FindingKind::MissingNotice, _, Lang::En) => (
            format!("{who} — no ameli login e-mail"),
            format!("A login to ameli was noted {when}, and no login e-mail arrived."),
        ),
        (FindingKind::Blind, _, Lang::Fr) => (
            format!("{who} — vigie ne peut plus lire cette boîte mail"),
            "vigie ne peut plus lire cette boîte : il ne verrait pas une connexion inconnue.".to_owned(),
        ),
        (FindingKind::Blind, _, Lang::En) => (
            format!("{who} — vigie can no longer read this mailbox"),
            "vigie cannot read this mailbox any more: it would not see an unknown login.".to_owned(),
        ),
    }
}

fn unverified_note(facts: &AlertFacts, lang: Lang) -> &'static str {
    match (facts.finding.unverified, lang) {
        (true, Lang::Fr) => {
            "\n(Ce message vient d'une adresse officielle, mais l'expéditeur n'a pas pu être vérifié : \
             votre messagerie ne l'a pas authentifié.)"
        }
        (true, Lang::En) => {
            "\n(This message comes from an official address, but the sender could not be checked: \
             your mail provider did not authenticate it.)"
        }
        _ => "",
    }
}

fn button(key: &str, lang: Lang) -> (String, String) {
    let label = match (key, lang) {
        (ACTION_MINE, Lang::Fr) => "C'était moi",
        (ACTION_MINE, Lang::En) => "It was me",
        (ACTION_NOT_MINE, Lang::Fr) => "Ce n'était pas moi",
        (ACTION_NOT_MINE, Lang::En) => "It was not me",
        (_, Lang::Fr) => "C'est fait",
        (_, Lang::En) => "Done",
    };
    (key.to_owned(), label.to_owned())
}

/// The alert for a finding, as it stands: unanswered (the question, with
/// "C'était moi" / "Ce n'était pas moi"), or answered "not mine" (the
/// steps, until the user says it is done).
pub fn alert_words(facts: &AlertFacts, lang: Lang) -> AlertWords {
    let f = &facts.finding;
    let id = facts.id;
    let (summary, what) = what_happened(facts, lang);
    let steps = steps(f.kind, f.service, lang);
    if facts.answer == Some(Answer::NotMine) {
        return follow_up(facts, lang);
    }
    // A login attempt's steps start with what holds either way (never give
    // the code), and a missing notice's are a question: both say
    // themselves what to do when.
    let steps_intro = match (matches!(f.kind, FindingKind::UnrecognisedLogin | FindingKind::AccessChange), lang) {
        (true, Lang::Fr) => "Si ce n'était pas vous :\n",
        (true, Lang::En) => "If it was not you:\n",
        (false, _) => "",
    };
    let body = format!("{what}{}\n{steps_intro}{steps}", unverified_note(facts, lang));
    let (actions, answer_line) = if f.kind.answerable() {
        (
            vec![button(ACTION_MINE, lang), button(ACTION_NOT_MINE, lang)],
            Some(match lang {
                Lang::Fr => format!(
                    "Pour répondre : « vigie answer {id} moi » si c'était vous, « vigie answer {id} pas-moi » sinon."
                ),
                Lang::En => {
                    format!(
                        "To answer: \"vigie answer {id} mine\" if it was you, \"vigie answer {id} not-mine\" if not."
                    )
                }
            }),
        )
    } else if f.kind == FindingKind::Blind {
        // Closes by itself once the mailbox can be read again.
        (Vec::new(), None)
    } else {
        (vec![button(ACTION_HANDLED, lang)], Some(done_line(id, lang)))
    };
    AlertWords { summary, body, actions, answer_line }
}

fn done_line(id: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("Quand c'est fait : « vigie answer {id} fait »."),
        Lang::En => format!("When it is done: \"vigie answer {id} handled\"."),
    }
}

/// After "Ce n'était pas moi": the steps, until the user says it is done.
/// It replaces the alert on screen, and is what reminders show.
pub fn follow_up(facts: &AlertFacts, lang: Lang) -> AlertWords {
    let f = &facts.finding;
    let (_, what) = what_happened(facts, lang);
    let summary = match lang {
        Lang::Fr => format!("{} — à faire maintenant", f.account),
        Lang::En => format!("{} — to do now", f.account),
    };
    let intro = match lang {
        Lang::Fr => "Ce n'était pas vous. Faites ceci dès que possible :",
        Lang::En => "It was not you. Do this as soon as you can:",
    };
    AlertWords {
        summary,
        body: format!("{what}\n{intro}\n{}", steps(f.kind, f.service, lang)),
        actions: vec![button(ACTION_HANDLED, lang)],
        answer_line: Some(done_line(facts.id, lang)),
    }
}

/// One notification for many fakes in one mailbox (a flood).
pub fn impersonation_summary(account: &str, count: usize, lang: Lang) -> AlertWords {
    let steps = steps(FindingKind::Impersonation, None, lang);
    let (summary, body) = match lang {
        Lang::Fr => (
            format!("{account} — {count} faux messages ameli ou FranceConnect reçus"),
            format!("Ces messages se font passer pour ameli ou FranceConnect.\n{steps}\n« vigie status » les liste."),
        ),
        Lang::En => (
            format!("{account} — {count} fake ameli or FranceConnect messages received"),
            format!("These messages pretend to be ameli or FranceConnect.\n{steps}\n\"vigie status\" lists them."),
        ),
    };
    AlertWords { summary, body, actions: Vec::new(), answer_line: None }
}

/// `vigie test-alert`: says it is a test, in its summary and its body.
pub fn test_alert(account: &str, lang: Lang) -> AlertWords {
    let (summary, body) = match lang {
        Lang::Fr => (
            format!("TEST vigie — {account} — alerte d'essai"),
            "Ceci est un TEST : personne ne s'est connecté. Voici à quoi ressemble une alerte de vigie : \
             elle nomme le compte concerné, donne l'heure de Paris et les étapes à suivre. \
             Vous pouvez fermer cette notification."
                .to_owned(),
        ),
        Lang::En => (
            format!("TEST vigie — {account} — sample alert"),
            "This is a TEST: nobody logged in. This is what a vigie alert looks like: it names the account, \
             gives the Paris time and the steps to follow. You can close this notification."
                .to_owned(),
        ),
    };
    AlertWords { summary, body, actions: Vec::new(), answer_line: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Finding;

    fn facts(kind: FindingKind, service: Service) -> AlertFacts {
        AlertFacts {
            id: 12,
            finding: Finding {
                kind,
                account: "Papi".into(),
                service: Some(service),
                notice_id: Some(3),
                own_login_id: None,
                at: None,
                unverified: false,
            },
            answer: None,
            site: None,
            identity_provider: None,
            addressee: None,
            noticed_at: None,
            subject: None,
            reasons: Vec::new(),
        }
    }

    #[test]
    fn no_text_from_a_mail_goes_into_the_steps() {
        let mut f = facts(FindingKind::UnrecognisedLogin, Service::FranceConnect);
        f.identity_provider = Some("EVIL-IDP-NAME".into());
        f.site = Some("EVIL-SITE-NAME".into());
        let words = alert_words(&f, Lang::Fr);
        let steps_part = words.body.split("Si ce n'était pas vous").nth(1).unwrap_or_default();
        assert!(!steps_part.contains("EVIL"), "{}", words.body);
        assert!(words.body.contains("EVIL-IDP-NAME"), "a plain name is shown in what happened");
    }

    #[test]
    fn a_site_that_is_not_a_short_plain_name_is_not_shown() {
        let mut f = facts(FindingKind::UnrecognisedLogin, Service::FranceConnect);
        f.site = Some("<a href=\"https://evil.example\">3646</a>".into());
        f.identity_provider = Some("x".repeat(200));
        let words = alert_words(&f, Lang::Fr);
        assert!(!words.body.contains("evil") && !words.body.contains("xxxx"), "{}", words.body);
        assert_eq!(plain_name("L'Identité Numérique La Poste"), Some("L'Identité Numérique La Poste"));
        assert_eq!(plain_name("impots.gouv.fr"), Some("impots.gouv.fr"));
        assert_eq!(plain_name("https://evil/"), None);
    }

    #[test]
    fn no_link_or_phone_number_from_a_mail_is_shown_in_an_alert() {
        let mut f = facts(FindingKind::Impersonation, Service::Ameli);
        f.subject = Some(
            "Votre compte ameli : securisez-le sur https://ameli-securite.example/fr ou www.evil.example \
             ou appelez le 01 23 45 67 89 (+33612345678)"
                .into(),
        );
        f.reasons = vec![crate::notice::Reason::LinkNotOfficial { host: "ameli-remb.example".into() }];
        let body = alert_words(&f, Lang::Fr).body;
        for link in ["https://", "ameli-securite.example", "www.evil.example", "ameli-remb.example"] {
            assert!(!body.contains(link), "{link} in {body}");
        }
        assert!(body.contains("ameli-securite[.]example/fr") && body.contains("ameli-remb[.]example"), "{body}");
        assert!(!body.contains("01 23 45 67 89") && !body.contains("612345678"), "{body}");
        assert_eq!(defang("appelez le 3646"), "appelez le 3646", "the official number stays");
        assert_eq!(defang("Ameli.fr et impots.gouv.fr"), "Ameli.fr et impots.gouv.fr", "official names stay");
    }

    #[test]
    fn alerts_without_buttons_give_the_real_answer_line() {
        let words = alert_words(&facts(FindingKind::UnrecognisedLogin, Service::Ameli), Lang::Fr);
        assert_eq!(words.actions.len(), 2);
        let line = words.answer_line.unwrap_or_default();
        assert!(line.contains("vigie answer 12 moi") && line.contains("vigie answer 12 pas-moi"), "{line}");
        let fake = alert_words(&facts(FindingKind::Impersonation, Service::Ameli), Lang::En);
        assert_eq!(fake.answer_line.as_deref(), Some("When it is done: \"vigie answer 12 handled\"."));
    }

    #[test]
    fn after_not_mine_the_alert_shows_the_steps_until_handled() {
        let mut f = facts(FindingKind::UnrecognisedLogin, Service::Ameli);
        f.answer = Some(Answer::NotMine);
        let words = alert_words(&f, Lang::Fr);
        assert_eq!(words.actions, vec![(ACTION_HANDLED.to_owned(), "C'est fait".to_owned())]);
        assert!(words.body.contains("3646"));
        assert!(words.answer_line.unwrap_or_default().contains("vigie answer 12 fait"));
    }

    #[test]
    fn the_test_alert_says_test_in_its_body_and_has_no_buttons() {
        let words = test_alert("Mamie", Lang::Fr);
        assert!(words.body.contains("TEST") && words.summary.contains("TEST"));
        assert!(words.actions.is_empty());
    }
}
