//! Every sentence vigie shows a user, in French (the default) and English.
//!
//! Keep user-facing text here and nowhere else, so that both languages stay
//! complete and a reviewer can read them in one place. Words are chosen for
//! people who are not technical: say what happened and what to do.
//! `alerts` holds the alert texts, `views` what `log`, `status`, `login`
//! and the demo print.

mod alerts;
mod config;
mod errors;
mod files;
mod help;
mod history;
mod mailbox;
mod service;
mod setup;
mod usage;
mod views;

pub use alerts::*;
pub use config::*;
pub use errors::*;
pub use files::*;
pub use help::*;
pub use history::*;
pub use mailbox::*;
pub use service::*;
pub use setup::*;
pub use usage::*;
pub use views::*;

use std::ffi::OsString;
use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

use crate::notice::{Authenticity, Forwarded, Kind, LureCategory, NotAnEmail, Notice, Reason, Recognition, Service};

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The language before the command line is parsed (help and usage
    /// errors need it): `--lang` if given, else an English locale
    /// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`) means English; French
    /// otherwise.
    pub fn detect(args: &[OsString]) -> Lang {
        Lang::from_args(args).unwrap_or_else(|| Lang::from_locale(|name| std::env::var(name).ok()))
    }

    /// `--lang xx` or `--lang=xx` before a `--`.
    fn from_args(args: &[OsString]) -> Option<Lang> {
        let args: Vec<&str> =
            args.iter().skip(1).map(|a| a.to_str().unwrap_or("")).take_while(|a| *a != "--").collect();
        args.iter().enumerate().rev().find_map(|(i, arg)| {
            let value = match arg.strip_prefix("--lang") {
                Some("") => args.get(i + 1).copied(),
                Some(rest) => rest.strip_prefix('='),
                None => None,
            }?;
            match value {
                "fr" => Some(Lang::Fr),
                "en" => Some(Lang::En),
                _ => None,
            }
        })
    }

    /// The locale's language: the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// that is set decides, as for any program.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(|name| var(name).filter(|v| !v.is_empty()));
        match locale {
            Some(l) if l.starts_with("en") => Lang::En,
            _ => Lang::Fr,
        }
    }

    /// How clap and `--help` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `--verbose`: technical details are shown to the user, not only logged.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// The one place a technical detail (an operating-system error, a TLS
/// library's words, a parser's message) goes through on its way to the
/// user: always logged, shown — as « (détail : …) » — only with
/// `--verbose`. Empty otherwise.
pub fn detail(what: &dyn Display, lang: Lang) -> String {
    let what = what.to_string();
    if what.is_empty() {
        return String::new();
    }
    tracing::debug!(detail = %what, "technical detail");
    match (verbose(), lang) {
        (false, _) => String::new(),
        (true, Lang::Fr) => format!(" (détail : {what})"),
        (true, Lang::En) => format!(" (detail: {what})"),
    }
}

/// Text quoted the way the language does: « … » or "…".
pub fn quoted(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {text} »"),
        Lang::En => format!("\"{text}\""),
    }
}

/// `label : text` in French, `label: text` in English.
pub fn labelled(label: &str, text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{label} : {text}"),
        Lang::En => format!("{label}: {text}"),
    }
}

/// An error as the command prints it: « vigie : … ».
pub fn error_line(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("vigie : {text}"),
        Lang::En => format!("vigie: {text}"),
    }
}

/// A technical term after plain words — « (DKIM) » — shown only with
/// `--verbose`.
fn term(name: &str) -> String {
    if verbose() { format!(" ({name})") } else { String::new() }
}

/// A mail folder in plain words: INBOX is the inbox, a spam folder is the
/// spam folder; the server's own name only with `--verbose` (or for a
/// folder the user named).
pub fn folder_name(folder: &str, lang: Lang) -> String {
    let lower = folder.to_lowercase();
    let plain = if folder.eq_ignore_ascii_case("INBOX") {
        match lang {
            Lang::Fr => "boîte de réception",
            Lang::En => "inbox",
        }
    } else if ["junk", "spam", "indésirable", "pourriel", "bulk"].iter().any(|w| lower.contains(w)) {
        match lang {
            Lang::Fr => "courrier indésirable",
            Lang::En => "spam folder",
        }
    } else {
        return match lang {
            Lang::Fr => format!("dossier « {folder} »"),
            Lang::En => format!("folder \"{folder}\""),
        };
    };
    format!("{plain}{}", term(folder))
}

/// Folders in plain words, joined: « boîte de réception et courrier
/// indésirable ».
pub fn folder_names(folders: &[String], lang: Lang) -> String {
    let names: Vec<String> = folders.iter().map(|f| folder_name(f, lang)).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => {
            let and = match lang {
                Lang::Fr => "et",
                Lang::En => "and",
            };
            format!("{} {and} {last}", rest.join(", "))
        }
    }
}

/// A count with its noun in the singular or the plural: « 1 alerte »,
/// « 2 alertes »; French keeps 0 in the singular, English does not.
pub fn count(n: usize, lang: Lang, singular: &str, plural: &str) -> String {
    let one = match lang {
        Lang::Fr => n < 2,
        Lang::En => n == 1,
    };
    format!("{n} {}", if one { singular } else { plural })
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
        (Reason::DkimPass { domain }, Fr) => format!("signature électronique valide de {domain}{}", term("DKIM")),
        (Reason::DkimPass { domain }, En) => format!("valid electronic signature from {domain}{}", term("DKIM")),
        (Reason::DmarcPass, Fr) => format!("l'expéditeur est confirmé par votre messagerie{}", term("DMARC")),
        (Reason::DmarcPass, En) => format!("the sender is confirmed by your mail provider{}", term("DMARC")),
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
        (Reason::DkimFail { .. }, Fr) => {
            format!("la signature électronique de l'expéditeur est invalide{}", term("DKIM"))
        }
        (Reason::DkimFail { .. }, En) => format!("the sender's electronic signature is invalid{}", term("DKIM")),
        (Reason::SpfFail, Fr) => {
            format!("le message ne vient pas d'un serveur autorisé par l'expéditeur{}", term("SPF"))
        }
        (Reason::SpfFail, En) => format!("the message does not come from a server the sender allows{}", term("SPF")),
        (Reason::DmarcFail, Fr) => format!("votre messagerie a rejeté l'identité de l'expéditeur{}", term("DMARC")),
        (Reason::DmarcFail, En) => format!("your mail provider rejected the sender's identity{}", term("DMARC")),
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
        (Reason::FormNotOfficial { host }, Fr) => {
            format!("un formulaire du message envoie ce que vous y tapez vers un site non officiel ({host})")
        }
        (Reason::FormNotOfficial { host }, En) => {
            format!("a form in the message sends what you type into it to an unofficial site ({host})")
        }
        (Reason::LinkRewritten { host }, Fr) => format!("lien réécrit par votre messagerie vers {host}"),
        (Reason::LinkRewritten { host }, En) => format!("link rewritten by your mail provider, leading to {host}"),
        (Reason::SignedByUnofficialSender { domain }, Fr) => {
            format!("signé par {domain}, qui n'est pas un domaine officiel")
        }
        (Reason::SignedByUnofficialSender { domain }, En) => {
            format!("signed by {domain}, which is not an official domain")
        }
        (Reason::SignedByThirdParty { domain }, Fr) => {
            format!("signé seulement par {domain}, qui n'est pas l'expéditeur : cela ne prouve pas qui l'a envoyé")
        }
        (Reason::SignedByThirdParty { domain }, En) => {
            format!("signed only by {domain}, which is not the sender: that does not prove who sent it")
        }
        (Reason::TimeUnreadable, Fr) => "heure illisible, celle de l'e-mail est utilisée".into(),
        (Reason::TimeUnreadable, En) => "unreadable time: the e-mail's own time is used".into(),
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
        (BankDetails, Lang::Fr) => "il demande vos coordonnées bancaires (RIB, IBAN ou carte bancaire)",
        (BankDetails, Lang::En) => "it asks for your bank details (RIB, IBAN or bank card)",
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
        (QrCode, Lang::Fr) => "il vous demande de scanner un QR code, qui cache l'adresse du site où il mène",
        (QrCode, Lang::En) => "it asks you to scan a QR code, which hides the address of the site it leads to",
        (Documents, Lang::Fr) => "il demande des documents (pièce d'identité, justificatifs)",
        (Documents, Lang::En) => "it asks for documents (identity card, proofs)",
        (ReplyRequest, Lang::Fr) => "il vous demande de répondre par e-mail",
        (ReplyRequest, Lang::En) => "it asks you to reply by e-mail",
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
        (_, Lang::Fr) => format!("le système refuse de le lire{}", detail(error, lang)),
        (_, Lang::En) => format!("the system refuses to read it{}", detail(error, lang)),
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
        (Kind::SecurityCode, Lang::Fr) => format!("code de sécurité {name}"),
        (Kind::SecurityCode, Lang::En) => format!("{name} security code"),
        (Kind::Other, Lang::Fr) => format!("message se présentant comme {name}"),
        (Kind::Other, Lang::En) => format!("message presenting itself as {name}"),
    };
    let when = notice.login_at.map(|t| match lang {
        Lang::Fr => format!(" — connexion le {} (heure de Paris)", paris_time(t.at, lang)),
        Lang::En => format!(" — login on {} (Paris time)", paris_time(t.at, lang)),
    });
    let when = when.unwrap_or_default();
    let reasons = |warnings: bool| -> String {
        notice.reasons.iter().filter(|r| r.is_warning() == warnings).map(|r| reason(r, lang)).collect::<Vec<_>>().join(
            match lang {
                Lang::Fr => " ; ",
                Lang::En => "; ",
            },
        )
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

/// What `vigie scan` adds about a forward: the attached original's own
/// verdict, or why an original copied into the text cannot be checked.
pub fn forwarded(forwarded: &Forwarded, lang: Lang) -> String {
    match (forwarded, lang) {
        (Forwarded::Attached(original), Lang::Fr) => {
            format!("message transféré, l'original est joint — l'original : {}", scan_verdict(original, lang))
        }
        (Forwarded::Attached(original), Lang::En) => {
            format!("forwarded message, the original is attached — the original: {}", scan_verdict(original, lang))
        }
        (Forwarded::Inline(service), Lang::Fr) => format!(
            "message transféré : le message {} d'origine est recopié dans le texte, son expéditeur ne peut pas être \
             vérifié. Pour le faire vérifier, demandez qu'on vous le transfère en pièce jointe.",
            service_name(*service)
        ),
        (Forwarded::Inline(service), Lang::En) => format!(
            "forwarded message: the original {} mail is copied into the text, its sender cannot be checked. To have \
             it checked, ask for it to be forwarded as an attachment.",
            service_name(*service)
        ),
    }
}

/// Whose checks a verdict went by (`vigie scan` reads the topmost
/// `Authentication-Results`, whoever wrote it).
pub fn checked_by(authserv_id: &str, lang: Lang) -> String {
    // The header's name is technical: with --verbose only.
    let header = term("Authentication-Results");
    match (authserv_id == crate::notice::MICROSOFT_STYLE, lang) {
        (true, Lang::Fr) => format!("vérifications lues : celles du serveur de messagerie Microsoft{header}"),
        (true, Lang::En) => format!("checks read from: Microsoft's mail server{header}"),
        (false, Lang::Fr) => format!("vérifications lues : celles du serveur « {authserv_id} »{header}"),
        (false, Lang::En) => format!("checks read from: the server \"{authserv_id}\"{header}"),
    }
}

/// Reasons of a notice in `lang`, evidence against first.
pub fn reasons(notice: &Notice, lang: Lang) -> Vec<String> {
    notice.reasons.iter().map(|r| reason(r, lang)).collect()
}

#[cfg(test)]
mod tests;
