//! Every sentence vigie shows a user, in French (the default) and English.
//!
//! Keep user-facing text here and nowhere else, so that both languages stay
//! complete and a reviewer can read them in one place. Words are chosen for
//! people who are not technical: say what happened and what to do.
//! `alerts` holds the alert texts, `views` what `log`, `status`, `login`
//! and the demo print.

mod alerts;
mod errors;
mod files;
mod history;
mod mailbox;
mod service;
mod setup;
mod views;

pub use alerts::*;
pub use errors::*;
pub use files::*;
pub use history::*;
pub use mailbox::*;
pub use service::*;
pub use setup::*;
pub use views::*;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

use crate::notice::{Authenticity, Kind, LureCategory, NotAnEmail, Notice, Reason, Recognition, Service};

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

/// A UTC time shown as Paris wall-clock time, e.g. `20/11/2026 à 10:14`.
pub fn paris_time(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&Paris);
    match lang {
        Lang::Fr => local.format("%d/%m/%Y à %H:%M").to_string(),
        Lang::En => local.format("%d/%m/%Y at %H:%M").to_string(),
    }
}

pub(crate) fn service_name(service: Service) -> &'static str {
    match service {
        Service::Ameli => "ameli",
        Service::FranceConnect => "FranceConnect",
    }
}

/// One reason, in words a user can read.
pub fn reason(reason: &Reason, lang: Lang) -> String {
    use Lang::{En, Fr};
    match (reason, lang) {
        (Reason::DkimPass { domain }, Fr) => format!("signature électronique valide de {domain} (DKIM)"),
        (Reason::DkimPass { domain }, En) => format!("valid electronic signature from {domain} (DKIM)"),
        (Reason::DmarcPass, Fr) => "l'expéditeur est confirmé par votre messagerie (DMARC)".into(),
        (Reason::DmarcPass, En) => "the sender is confirmed by your mail provider (DMARC)".into(),
        (Reason::NoAuthenticationResults, Fr) => {
            "l'expéditeur n'a pas pu être vérifié : votre messagerie n'indique pas s'il l'a été".into()
        }
        (Reason::NoAuthenticationResults, En) => {
            "the sender could not be checked: your mail provider does not say whether it checked it".into()
        }
        (Reason::NoTrustedServer, Fr) => {
            "l'expéditeur n'a pas pu être vérifié : vigie ne sait pas encore quel serveur \
                                          de votre messagerie vérifie les expéditeurs"
                .into()
        }
        (Reason::NoTrustedServer, En) => {
            "the sender could not be checked: vigie does not know yet which server of your mail provider checks senders"
                .into()
        }
        (Reason::NoPassingAuthentication, Fr) => "aucune vérification de l'expéditeur n'a réussi".into(),
        (Reason::NoPassingAuthentication, En) => "no check of the sender succeeded".into(),
        (Reason::UntrustedAuthenticationResults, Fr) => "l'expéditeur n'a pas pu être vérifié : les vérifications \
                                                         présentes ne viennent pas de votre messagerie (n'importe qui \
                                                         peut en écrire)"
            .into(),
        (Reason::UntrustedAuthenticationResults, En) => "the sender could not be checked: the checks present do not \
                                                         come from your mail provider (anyone can write them)"
            .into(),
        (Reason::DkimFail { .. }, Fr) => "la signature électronique de l'expéditeur est invalide (DKIM)".into(),
        (Reason::DkimFail { .. }, En) => "the sender's electronic signature is invalid (DKIM)".into(),
        (Reason::SpfFail, Fr) => "le message ne vient pas d'un serveur autorisé par l'expéditeur (SPF)".into(),
        (Reason::SpfFail, En) => "the message does not come from a server the sender allows (SPF)".into(),
        (Reason::DmarcFail, Fr) => "votre messagerie a rejeté l'identité de l'expéditeur (DMARC)".into(),
        (Reason::DmarcFail, En) => "your mail provider rejected the sender's identity (DMARC)".into(),
        (Reason::NoSender, Fr) => "le message n'a pas d'expéditeur lisible".into(),
        (Reason::NoSender, En) => "the message has no readable sender".into(),
        (Reason::SenderNotOfficial { domain }, Fr) => {
            format!("l'adresse de l'expéditeur ({domain}) n'est pas une adresse officielle")
        }
        (Reason::SenderNotOfficial { domain }, En) => {
            format!("the sender's address ({domain}) is not an official address")
        }
        (Reason::LookalikeDomain { domain, official }, Fr) => format!("{domain} imite l'adresse officielle {official}"),
        (Reason::LookalikeDomain { domain, official }, En) => format!("{domain} imitates the official {official}"),
        (Reason::ReplyToNotOfficial { domain }, Fr) => {
            format!("les réponses partiraient vers une adresse non officielle ({domain})")
        }
        (Reason::ReplyToNotOfficial { domain }, En) => format!("replies would go to an unofficial address ({domain})"),
        (Reason::Lure { category }, lang) => lure(*category, lang).into(),
        (Reason::LinkNotOfficial { host }, Fr) => format!("un lien mène vers un site non officiel ({host})"),
        (Reason::LinkNotOfficial { host }, En) => format!("a link leads to an unofficial site ({host})"),
        (Reason::LinkTextMismatch { shown, target }, Fr) => {
            format!("un lien affiche {shown} mais mène en réalité vers {target}")
        }
        (Reason::LinkTextMismatch { shown, target }, En) => {
            format!("a link shows {shown} but really leads to {target}")
        }
        (Reason::TimeInDstGap, Fr) => {
            "l'heure indiquée n'existe pas (changement d'heure de printemps) : lue à l'heure d'hiver".into()
        }
        (Reason::TimeInDstGap, En) => {
            "the stated time does not exist (spring clock change): read as winter time".into()
        }
        (Reason::TimeAmbiguous, Fr) => "l'heure indiquée existe deux fois (changement d'heure d'automne)".into(),
        (Reason::TimeAmbiguous, En) => "the stated time happens twice (autumn clock change)".into(),
        (Reason::OnlyBeginningRead, Fr) => {
            "message très volumineux : vigie n'en a lu que le début (le premier mégaoctet)".into()
        }
        (Reason::OnlyBeginningRead, En) => {
            "very large message: vigie read its beginning only (the first megabyte)".into()
        }
        (Reason::TimeFromDateHeader, Fr) => "le message ne donne pas l'heure : heure d'envoi du message".into(),
        (Reason::TimeFromDateHeader, En) => "the message states no time: the time it was sent".into(),
    }
}

fn lure(category: LureCategory, lang: Lang) -> &'static str {
    use LureCategory::*;
    match (category, lang) {
        (BankDetails, Lang::Fr) => "il demande vos coordonnées bancaires",
        (BankDetails, Lang::En) => "it asks for your bank details",
        (Password, Lang::Fr) => "il demande votre mot de passe",
        (Password, Lang::En) => "it asks for your password",
        (Ssn, Lang::Fr) => "il demande votre numéro de sécurité sociale",
        (Ssn, Lang::En) => "it asks for your social security number",
        (Payment, Lang::Fr) => "il demande un paiement",
        (Payment, Lang::En) => "it asks for a payment",
        (CarteVitale, Lang::Fr) => {
            "il parle d'une carte Vitale à commander, renouveler ou payer (une carte Vitale n'expire pas et sa mise à jour est gratuite)"
        }
        (CarteVitale, Lang::En) => {
            "it speaks of a carte Vitale to order, renew or pay for (a carte Vitale does not expire and updating it is free)"
        }
        (Refund, Lang::Fr) => "il propose un remboursement à valider (l'Assurance Maladie ne le demande jamais)",
        (Refund, Lang::En) => "it offers a refund to validate (the Assurance Maladie never asks this)",
        (Deadline, Lang::Fr) => "il vous presse avec un délai ou une menace",
        (Deadline, Lang::En) => "it rushes you with a deadline or a threat",
        (SecureAccount, Lang::Fr) => "il vous pousse à cliquer pour « sécuriser » ou « vérifier » votre compte",
        (SecureAccount, Lang::En) => "it pushes you to click to \"secure\" or \"verify\" your account",
        (FileReference, Lang::Fr) => "il cite un faux numéro de dossier",
        (FileReference, Lang::En) => "it quotes a made-up file number",
        (ServiceClient, Lang::Fr) => {
            "il se présente comme un « service client » (l'Assurance Maladie ne se nomme jamais ainsi)"
        }
        (ServiceClient, Lang::En) => "it calls itself \"customer service\" (the Assurance Maladie never does)",
    }
}

/// Why a file could not be read, in the user's language.
pub fn unreadable(error: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind::*;
    let what = match (error.kind(), lang) {
        (NotFound, Lang::Fr) => "fichier introuvable".to_owned(),
        (NotFound, Lang::En) => "file not found".to_owned(),
        (PermissionDenied, Lang::Fr) => "accès refusé".to_owned(),
        (PermissionDenied, Lang::En) => "permission denied".to_owned(),
        (IsADirectory, Lang::Fr) => "c'est un dossier, pas un fichier".to_owned(),
        (IsADirectory, Lang::En) => "this is a folder, not a file".to_owned(),
        (_, _) => error.to_string(),
    };
    match lang {
        Lang::Fr => format!("illisible : {what}"),
        Lang::En => format!("unreadable: {what}"),
    }
}

pub fn not_an_email(error: &NotAnEmail, lang: Lang) -> String {
    match (error, lang) {
        (NotAnEmail::Empty, Lang::Fr) => "fichier vide, ce n'est pas un e-mail".into(),
        (NotAnEmail::Empty, Lang::En) => "empty file, not an e-mail".into(),
        (NotAnEmail::NoHeaders, Lang::Fr) => "ce n'est pas un e-mail (aucun en-tête trouvé)".into(),
        (NotAnEmail::NoHeaders, Lang::En) => "not an e-mail (no headers found)".into(),
    }
}

pub fn too_large(bytes: u64, limit: u64, lang: Lang) -> String {
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    match lang {
        Lang::Fr => format!(
            "message trop volumineux pour être une notification ({:.1} Mo, limite {:.0} Mo) : non analysé",
            mb(bytes),
            mb(limit)
        ),
        Lang::En => {
            format!("message too large to be a notice ({:.1} MB, limit {:.0} MB): not analysed", mb(bytes), mb(limit))
        }
    }
}

/// The one-line verdict `vigie scan` prints for a message.
pub fn scan_verdict(seen: &Recognition, lang: Lang) -> String {
    let Some(notice) = &seen.notice else {
        return match lang {
            Lang::Fr => "sans rapport avec ameli ou FranceConnect.".into(),
            Lang::En => "nothing to do with ameli or FranceConnect.".into(),
        };
    };
    let name = service_name(notice.service);
    let what = match (notice.kind, lang) {
        (Kind::Login, Lang::Fr) => format!("notification de connexion {name}"),
        (Kind::Login, Lang::En) => format!("{name} login notice"),
        (Kind::Payment, Lang::Fr) => format!("information de paiement {name}"),
        (Kind::Payment, Lang::En) => format!("{name} payment notice"),
        (Kind::Settings, Lang::Fr) => format!("modification des accès {name}"),
        (Kind::Settings, Lang::En) => format!("{name} access settings change"),
        (Kind::Other, Lang::Fr) => format!("message se présentant comme {name}"),
        (Kind::Other, Lang::En) => format!("message presenting itself as {name}"),
    };
    let when = notice.login_at.map(|t| match lang {
        Lang::Fr => format!(" — connexion le {} (heure de Paris)", paris_time(t.at, lang)),
        Lang::En => format!(" — login on {} (Paris time)", paris_time(t.at, lang)),
    });
    let when = when.unwrap_or_default();
    let reasons = |warnings: bool| -> String {
        notice
            .reasons
            .iter()
            .filter(|r| r.is_warning() == warnings)
            .map(|r| reason(r, lang))
            .collect::<Vec<_>>()
            .join(" ; ")
    };
    let by = seen.checked_by.as_deref().map(|id| format!(" [{}]", checked_by(id, lang))).unwrap_or_default();
    let verdict = match (notice.authenticity, lang) {
        (Authenticity::Genuine, Lang::Fr) => format!("{what} authentique{when}. ({})", reasons(false)),
        (Authenticity::Genuine, Lang::En) => format!("genuine {what}{when}. ({})", reasons(false)),
        (Authenticity::Unverified, Lang::Fr) => {
            format!("{what} d'une adresse officielle, non vérifiée{when}. ({})", reasons(false))
        }
        (Authenticity::Unverified, Lang::En) => {
            format!("{what} from an official address, unverified{when}. ({})", reasons(false))
        }
        (Authenticity::Suspicious, Lang::Fr) => format!(
            "⚠ FAUX probable : {what}. Ne cliquez sur aucun lien, ne répondez pas, supprimez-le. Pourquoi : {}.",
            reasons(true)
        ),
        (Authenticity::Suspicious, Lang::En) => {
            format!("⚠ Probably FAKE: {what}. Do not click any link, do not reply, delete it. Why: {}.", reasons(true))
        }
    };
    verdict + &by
}

/// Whose checks a verdict went by (`vigie scan` reads the topmost
/// `Authentication-Results`, whoever wrote it).
pub fn checked_by(authserv_id: &str, lang: Lang) -> String {
    match (authserv_id == crate::notice::MICROSOFT_STYLE, lang) {
        (true, Lang::Fr) => {
            "vérifications lues : en-tête Authentication-Results du dessus, sans nom de serveur (format Microsoft)"
                .into()
        }
        (true, Lang::En) => {
            "checks read from: the topmost Authentication-Results header, naming no server (Microsoft's style)".into()
        }
        (false, Lang::Fr) => {
            format!("vérifications lues : en-tête Authentication-Results du dessus, écrit par « {authserv_id} »")
        }
        (false, Lang::En) => {
            format!("checks read from: the topmost Authentication-Results header, written by \"{authserv_id}\"")
        }
    }
}

/// Reasons of a notice in `lang`, evidence against first.
pub fn reasons(notice: &Notice, lang: Lang) -> Vec<String> {
    notice.reasons.iter().map(|r| reason(r, lang)).collect()
}
