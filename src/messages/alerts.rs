//! Alert texts: what the desktop notification and the terminal say about
//! a finding, with the official steps.

use super::{Lang, paris_time, service_name};
use crate::alert::{Alert, AlertText};
use crate::matching::FindingKind;
use crate::notice::Service;

/// The official page to report a FranceConnect usurpation (known in
/// advance; never a link taken from an e-mail).
pub const FRANCECONNECT_REPORT: &str = "https://aide.franceconnect.gouv.fr/erreurs/signalement/etape-1/";

fn when(alert: &Alert, lang: Lang) -> String {
    match (alert.finding.at, lang) {
        (Some(at), Lang::Fr) => format!("le {} (heure de Paris)", paris_time(at, lang)),
        (Some(at), Lang::En) => format!("on {} (Paris time)", paris_time(at, lang)),
        (None, Lang::Fr) => "à une heure inconnue".into(),
        (None, Lang::En) => "at an unknown time".into(),
    }
}

/// What to do, step by step, for a finding.
fn steps(alert: &Alert, lang: Lang) -> String {
    let f = &alert.finding;
    match (f.kind, f.service, lang) {
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::Fr) => {
            let idp = alert.identity_provider.as_deref().unwrap_or("utilisé pour vous connecter");
            let site = alert.site.as_deref().unwrap_or("le site indiqué dans l'e-mail");
            format!(
                "Si ce n'était pas vous :\n\
                 1. Changez tout de suite le mot de passe de votre compte {idp}.\n\
                 2. Signalez-le à FranceConnect : {FRANCECONNECT_REPORT}\n\
                 3. Vérifiez ce qui a été fait sur {site}."
            )
        }
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::En) => {
            let idp = alert.identity_provider.as_deref().unwrap_or("used to log in");
            let site = alert.site.as_deref().unwrap_or("the site named in the e-mail");
            format!(
                "If it was not you:\n\
                 1. Change the password of your {idp} account at once.\n\
                 2. Report it to FranceConnect: {FRANCECONNECT_REPORT}\n\
                 3. Check what was done on {site}."
            )
        }
        (FindingKind::UnrecognisedLogin, _, Lang::Fr) => "Si ce n'était pas vous :\n\
             1. Changez tout de suite le mot de passe ameli (tapez vous-même l'adresse ameli.fr).\n\
             2. Vérifiez vos informations personnelles sur le compte : numéro de téléphone, \
             adresse e-mail, coordonnées bancaires.\n\
             3. Appelez votre caisse au 3646 pour le signaler."
            .into(),
        (FindingKind::UnrecognisedLogin, _, Lang::En) => "If it was not you:\n\
             1. Change the ameli password at once (type the address ameli.fr yourself).\n\
             2. Check the personal details on the account: phone number, e-mail address, bank details.\n\
             3. Call your caisse on 3646 to report it."
            .into(),
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

/// The alert for a finding: summary, body with the official steps.
pub fn alert_text(alert: &Alert, lang: Lang) -> AlertText {
    let f = &alert.finding;
    let who = &f.account;
    let when = when(alert, lang);
    let unverified = match (f.unverified, lang) {
        (true, Lang::Fr) => {
            "\n(Ce message vient d'une adresse officielle, mais votre messagerie n'a pas pu le vérifier.)"
        }
        (true, Lang::En) => {
            "\n(This message comes from an official address, but your mail provider could not check it.)"
        }
        _ => "",
    };
    let (summary, what, critical, answerable) = match (f.kind, f.service, lang) {
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::Fr) => (
            format!("Connexion FranceConnect inconnue — compte de {who}"),
            format!(
                "Une connexion avec FranceConnect a eu lieu {when}{}{}, et vigie ne trouve aucune connexion \
                 de votre part à ce moment-là.",
                alert.site.as_deref().map(|s| format!(" sur le site {s}")).unwrap_or_default(),
                alert.identity_provider.as_deref().map(|s| format!(" avec le compte {s}")).unwrap_or_default(),
            ),
            true,
            true,
        ),
        (FindingKind::UnrecognisedLogin, Some(Service::FranceConnect), Lang::En) => (
            format!("Unknown FranceConnect login — {who}'s account"),
            format!(
                "Someone logged in with FranceConnect {when}{}{}, and vigie finds no login of yours at that time.",
                alert.site.as_deref().map(|s| format!(" on the site {s}")).unwrap_or_default(),
                alert.identity_provider.as_deref().map(|s| format!(" with the {s} account")).unwrap_or_default(),
            ),
            true,
            true,
        ),
        (FindingKind::UnrecognisedLogin, _, Lang::Fr) => (
            format!("Connexion inconnue au compte ameli de {who}"),
            format!(
                "Quelqu'un s'est connecté au compte ameli de {who} {when}, et vigie ne trouve aucune \
                 connexion de votre part à ce moment-là."
            ),
            true,
            true,
        ),
        (FindingKind::UnrecognisedLogin, _, Lang::En) => (
            format!("Unknown login to {who}'s ameli account"),
            format!(
                "Someone logged into {who}'s ameli account {when}, and vigie finds no login of yours at that time."
            ),
            true,
            true,
        ),
        (FindingKind::Impersonation, service, Lang::Fr) => (
            format!("Faux message {} reçu — boîte de {who}", service_name(service.unwrap_or(Service::Ameli))),
            format!(
                "Un message qui se fait passer pour {} est arrivé{} : c'est très probablement une arnaque.\n\
                 Pourquoi : {}.",
                service_name(service.unwrap_or(Service::Ameli)),
                alert.subject.as_deref().map(|s| format!(" (« {s} »)")).unwrap_or_default(),
                alert.reasons.join(" ; ")
            ),
            false,
            false,
        ),
        (FindingKind::Impersonation, service, Lang::En) => (
            format!("Fake {} message received — {who}'s mailbox", service_name(service.unwrap_or(Service::Ameli))),
            format!(
                "A message pretending to be {} arrived{}: it is very probably a scam.\nWhy: {}.",
                service_name(service.unwrap_or(Service::Ameli)),
                alert.subject.as_deref().map(|s| format!(" (\"{s}\")")).unwrap_or_default(),
                alert.reasons.join("; ")
            ),
            false,
            false,
        ),
        (FindingKind::MissingNotice, _, Lang::Fr) => (
            format!("Pas d'e-mail de connexion ameli — compte de {who}"),
            format!("Vous avez ouvert ameli {when} et aucun e-mail de connexion n'est arrivé."),
            false,
            false,
        ),
        (FindingKind::MissingNotice, _, Lang::En) => (
            format!("No ameli login e-mail — {who}'s account"),
            format!("You opened ameli {when} and no login e-mail arrived."),
            false,
            false,
        ),
        (FindingKind::Blind, _, Lang::Fr) => (
            format!("vigie ne peut plus lire la boîte mail de {who}"),
            "vigie ne peut plus lire cette boîte : il ne verrait pas une connexion inconnue.".to_owned(),
            true,
            false,
        ),
        (FindingKind::Blind, _, Lang::En) => (
            format!("vigie can no longer read {who}'s mailbox"),
            "vigie cannot read this mailbox any more: it would not see an unknown login.".to_owned(),
            true,
            false,
        ),
    };
    AlertText { summary, body: format!("{what}{unverified}\n{}", steps(alert, lang)), critical, answerable }
}

/// The follow-up shown after "Ce n'était pas moi": the steps alone.
pub fn steps_text(alert: &Alert, lang: Lang) -> AlertText {
    let summary = match lang {
        Lang::Fr => format!("Que faire maintenant — compte de {}", alert.finding.account),
        Lang::En => format!("What to do now — {}'s account", alert.finding.account),
    };
    AlertText { summary, body: steps(alert, lang), critical: true, answerable: false }
}

pub fn button_mine(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "C'était moi",
        Lang::En => "It was me",
    }
}

pub fn button_not_mine(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Ce n'était pas moi",
        Lang::En => "It was not me",
    }
}

/// How to answer an alert from the command line.
pub fn answer_hint(finding_id: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => {
            format!("Si c'était vous : vigie answer {finding_id} mine — sinon : vigie answer {finding_id} not-mine")
        }
        Lang::En => {
            format!("If it was you: vigie answer {finding_id} mine — if not: vigie answer {finding_id} not-mine")
        }
    }
}

pub fn timed_out(lang: Lang) -> String {
    match lang {
        Lang::Fr => "le service de notifications ne répond pas".into(),
        Lang::En => "the notification service does not answer".into(),
    }
}
