//! What `vigie login`, `open`, `answer`, `log`, `status`, `test-alert`
//! and `demo` print.

use std::fmt::Write;

use super::{Lang, paris_time, service_name};
use crate::journal::{AccountHealth, NewOwnLogin, StoredFinding, StoredNotice};
use crate::matching::{Answer, AnswerRefused, FindingKind, LoginService, LoginSource, OwnLogin, Resolution, Via};
use crate::notice::{Authenticity, Kind, Service};

fn login_service(service: LoginService, lang: Lang) -> &'static str {
    match (service, lang) {
        (LoginService::Ameli, _) => "ameli",
        (LoginService::FranceConnect, _) => "FranceConnect",
        (LoginService::Any, Lang::Fr) => "ameli ou FranceConnect",
        (LoginService::Any, Lang::En) => "ameli or FranceConnect",
    }
}

fn via(via: Via, lang: Lang) -> &'static str {
    match (via, lang) {
        (Via::Web, Lang::Fr) => "sur le site",
        (Via::Web, Lang::En) => "on the website",
        (Via::App, Lang::Fr) => "avec l'application",
        (Via::App, Lang::En) => "with the app",
        (Via::AppFingerprint, Lang::Fr) => "avec l'application et l'empreinte (pas d'e-mail envoyé)",
        (Via::AppFingerprint, Lang::En) => "with the app and fingerprint (no e-mail sent)",
    }
}

fn source(source: LoginSource, lang: Lang) -> &'static str {
    match (source, lang) {
        (LoginSource::Cli, Lang::Fr) => "noté à la main",
        (LoginSource::Cli, Lang::En) => "recorded by hand",
        (LoginSource::Launcher, Lang::Fr) => "ouvert par vigie",
        (LoginSource::Launcher, Lang::En) => "opened through vigie",
        (LoginSource::AcknowledgedAlert, Lang::Fr) => "« C'était moi » sur une alerte",
        (LoginSource::AcknowledgedAlert, Lang::En) => "\"It was me\" on an alert",
        (LoginSource::Import, Lang::Fr) => "importé",
        (LoginSource::Import, Lang::En) => "imported",
        (LoginSource::Browser, Lang::Fr) => "vu dans l'historique du navigateur",
        (LoginSource::Browser, Lang::En) => "seen in the browser history",
    }
}

/// The short name of a finding, e.g. "connexion inconnue à ameli" (no
/// brackets: it is often shown inside some).
pub fn finding_label(kind: FindingKind, service: Option<Service>, lang: Lang) -> String {
    let name = service.map(service_name).unwrap_or("ameli");
    match (kind, lang) {
        (FindingKind::UnrecognisedLogin, Lang::Fr) => format!("connexion inconnue à {name}"),
        (FindingKind::UnrecognisedLogin, Lang::En) => format!("unknown login to {name}"),
        (FindingKind::LoginAttempt, Lang::Fr) => format!("tentative de connexion à {name}"),
        (FindingKind::LoginAttempt, Lang::En) => format!("login attempt to {name}"),
        (FindingKind::AccessChange, Lang::Fr) => "accès FranceConnect modifiés".into(),
        (FindingKind::AccessChange, Lang::En) => "FranceConnect accesses changed".into(),
        (FindingKind::PaymentCheck, Lang::Fr) => "remboursements à vérifier".into(),
        (FindingKind::PaymentCheck, Lang::En) => "reimbursements to check".into(),
        (FindingKind::MissingNotice, Lang::Fr) => "e-mail de connexion ameli manquant".into(),
        (FindingKind::MissingNotice, Lang::En) => "missing ameli login e-mail".into(),
        (FindingKind::Impersonation, Lang::Fr) => format!("faux message {name}"),
        (FindingKind::Impersonation, Lang::En) => format!("fake {name} message"),
        (FindingKind::Blind, Lang::Fr) => "boîte mail illisible".into(),
        (FindingKind::Blind, Lang::En) => "mailbox cannot be read".into(),
    }
}

fn notice_label(n: &StoredNotice, lang: Lang) -> String {
    let name = service_name(n.facts.service);
    let kind = match (n.facts.kind, lang) {
        (Kind::Login, Lang::Fr) => format!("connexion {name}"),
        (Kind::Login, Lang::En) => format!("{name} login"),
        (Kind::Payment, Lang::Fr) => format!("paiement {name}"),
        (Kind::Payment, Lang::En) => format!("{name} payment"),
        (Kind::Settings, Lang::Fr) => format!("accès {name} modifiés"),
        (Kind::Settings, Lang::En) => format!("{name} access changed"),
        (Kind::SecurityCode, Lang::Fr) => format!("code de sécurité {name}"),
        (Kind::SecurityCode, Lang::En) => format!("{name} security code"),
        (Kind::Other, Lang::Fr) => format!("message {name}"),
        (Kind::Other, Lang::En) => format!("{name} message"),
    };
    let authenticity = match (n.facts.authenticity, lang) {
        (Authenticity::Genuine, Lang::Fr) => "authentique",
        (Authenticity::Genuine, Lang::En) => "genuine",
        (Authenticity::Unverified, Lang::Fr) => "non vérifié",
        (Authenticity::Unverified, Lang::En) => "unverified",
        (Authenticity::Suspicious, Lang::Fr) => "FAUX probable",
        (Authenticity::Suspicious, Lang::En) => "probably FAKE",
    };
    format!("{kind}, {authenticity}")
}

pub fn login_recorded(login: &NewOwnLogin, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Connexion notée : {} {}, le {} (heure de Paris) — compte : {}.",
            login_service(login.service, lang),
            via(login.via, lang),
            paris_time(login.at, lang),
            login.account
        ),
        Lang::En => format!(
            "Login recorded: {} {}, on {} (Paris time) — account: {}.",
            login_service(login.service, lang),
            via(login.via, lang),
            paris_time(login.at, lang),
            login.account
        ),
    }
}

pub fn browser_failed(url: &str, error: &str, lang: Lang) -> String {
    let detail = super::detail(&error, lang);
    match lang {
        Lang::Fr => format!("Le navigateur n'a pas pu s'ouvrir. Ouvrez vous-même l'adresse : {url}{detail}"),
        Lang::En => format!("The browser could not be opened. Open this address yourself: {url}{detail}"),
    }
}

pub fn no_such_finding(id: i64, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("aucune alerte n° {id} dans le journal (voir « vigie status »)"),
        Lang::En => format!("no alert number {id} in the journal (see \"vigie status\")"),
    }
}

pub fn answer_recorded(finding: &StoredFinding, answer: Answer, lang: Lang) -> String {
    let label = finding_label(finding.finding.kind, finding.finding.service, lang);
    let id = finding.id;
    match (answer, lang) {
        (Answer::Mine, Lang::Fr) => format!("Noté : c'était vous. L'alerte n° {id} — {label} — est close."),
        (Answer::Mine, Lang::En) => format!("Recorded: it was you. Alert {id} — {label} — is closed."),
        (Answer::NotMine, Lang::Fr) => format!(
            "Noté : ce n'était pas vous. L'alerte n° {id} — {label} — reste ouverte jusqu'à ce que vous ayez \
             suivi les étapes indiquées ; dites-le alors avec « vigie answer {id} fait ».{}",
            in_doubt(finding.finding.service, lang)
        ),
        (Answer::NotMine, Lang::En) => format!(
            "Recorded: it was not you. Alert {id} — {label} — stays open until you have followed the steps shown; \
             then say so with \"vigie answer {id} handled\".{}",
            in_doubt(finding.finding.service, lang)
        ),
        (Answer::Handled, Lang::Fr) => format!("Noté : c'est fait. L'alerte n° {id} — {label} — est close."),
        (Answer::Handled, Lang::En) => format!("Recorded: done. Alert {id} — {label} — is closed."),
    }
}

/// Whom to call in doubt: the caisse's 3646 is ameli's number, not
/// FranceConnect's.
fn in_doubt(service: Option<Service>, lang: Lang) -> String {
    match (service, lang) {
        (Some(Service::FranceConnect), Lang::Fr) => {
            format!(" En cas de doute, voyez l'aide de FranceConnect : {}.", super::alerts::FRANCECONNECT_HELP)
        }
        (Some(Service::FranceConnect), Lang::En) => {
            format!(" If in doubt, see FranceConnect's help: {}.", super::alerts::FRANCECONNECT_HELP)
        }
        (_, Lang::Fr) => " En cas de doute, appelez le 3646.".into(),
        (_, Lang::En) => " If in doubt, call 3646.".into(),
    }
}

/// Why an answer was not taken; nothing was changed.
pub fn answer_refused(id: i64, refused: AnswerRefused, lang: Lang) -> String {
    match (refused, lang) {
        (AnswerRefused::NoSuchFinding, _) => no_such_finding(id, lang),
        (AnswerRefused::Closed(resolution), Lang::Fr) => {
            format!("l'alerte n° {id} est déjà close ({}) : rien n'a été changé", resolution_text(resolution, lang))
        }
        (AnswerRefused::Closed(resolution), Lang::En) => {
            format!("alert {id} is already closed ({}): nothing was changed", resolution_text(resolution, lang))
        }
        (AnswerRefused::NotAnswerable(kind), Lang::Fr) => format!(
            "l'alerte n° {id} — {} — ne concerne pas une connexion : « moi » et « pas-moi » n'ont pas de sens ici. \
             Quand c'est réglé : « vigie answer {id} fait ». Rien n'a été changé.",
            finding_label(kind, None, lang)
        ),
        (AnswerRefused::NotAnswerable(kind), Lang::En) => format!(
            "alert {id} — {} — is not about a login: \"mine\" and \"not-mine\" mean nothing here. \
             When it is dealt with: \"vigie answer {id} handled\". Nothing was changed.",
            finding_label(kind, None, lang)
        ),
        (AnswerRefused::NotMineIsFinal, Lang::Fr) => format!(
            "vous avez déjà répondu « ce n'était pas moi » à l'alerte n° {id} : cette réponse est définitive. \
             Quand vous avez suivi les étapes : « vigie answer {id} fait ». Rien n'a été changé."
        ),
        (AnswerRefused::NotMineIsFinal, Lang::En) => format!(
            "you already answered \"it was not me\" to alert {id}: that answer is final. \
             When you have followed the steps: \"vigie answer {id} handled\". Nothing was changed."
        ),
    }
}

fn resolution_text(resolution: Resolution, lang: Lang) -> &'static str {
    match (resolution, lang) {
        (Resolution::Mine, Lang::Fr) => "c'était vous",
        (Resolution::Mine, Lang::En) => "it was you",
        (Resolution::Handled, Lang::Fr) => "vous avez fait le nécessaire",
        (Resolution::Handled, Lang::En) => "you dealt with it",
        (Resolution::Explained, Lang::Fr) => "expliquée par une de vos connexions",
        (Resolution::Explained, Lang::En) => "explained by one of your logins",
        (Resolution::ReadableAgain, Lang::Fr) => "la boîte est de nouveau lisible",
        (Resolution::ReadableAgain, Lang::En) => "the mailbox can be read again",
    }
}

/// The state of a finding in one phrase.
fn finding_state(f: &StoredFinding, lang: Lang) -> String {
    match (f.resolution, f.answer, lang) {
        (None, Some(Answer::NotMine), Lang::Fr) => "ce n'était pas vous — reste à faire le nécessaire".into(),
        (None, Some(Answer::NotMine), Lang::En) => "not you — still to handle".into(),
        (None, _, Lang::Fr) => "sans réponse".into(),
        (None, _, Lang::En) => "unanswered".into(),
        (Some(r), _, Lang::Fr) => format!("close : {}", resolution_text(r, lang)),
        (Some(r), _, Lang::En) => format!("closed: {}", resolution_text(r, lang)),
    }
}

fn at(t: Option<chrono::DateTime<chrono::Utc>>, lang: Lang) -> String {
    t.map_or_else(|| "?".into(), |t| paris_time(t, lang))
}

/// `vigie log`: the journal, section by section.
pub fn log_text(
    logins: &[(OwnLogin, Option<String>)],
    notices: &[StoredNotice],
    findings: &[StoredFinding],
    lang: Lang,
) -> String {
    let (h_logins, h_notices, h_findings, paris) = match lang {
        Lang::Fr => ("Vos connexions", "Messages ameli et FranceConnect reçus", "Alertes", "heure de Paris"),
        Lang::En => ("Your logins", "ameli and FranceConnect messages received", "Alerts", "Paris time"),
    };
    // An empty section is one sentence, not a heading over « (aucune) ».
    let (no_logins, no_notices, no_findings) = match lang {
        Lang::Fr => ("Aucune connexion notée.", "Aucun message ameli ou FranceConnect reçu.", "Aucune alerte."),
        Lang::En => ("No login recorded.", "No ameli or FranceConnect message received.", "No alert."),
    };
    let mut out = String::new();
    if logins.is_empty() {
        let _ = writeln!(out, "{no_logins}");
    } else {
        let _ = writeln!(out, "{h_logins} ({paris})");
    }
    for (l, note) in logins {
        let _ = writeln!(
            out,
            "  {}  {}  {} {} — {}{}",
            paris_time(l.at, lang),
            l.account,
            login_service(l.service, lang),
            via(l.via, lang),
            source(l.source, lang),
            note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()
        );
    }
    if notices.is_empty() {
        let _ = writeln!(out, "\n{no_notices}");
    } else {
        let _ = writeln!(out, "\n{h_notices}");
    }
    for n in notices {
        let _ = writeln!(
            out,
            "  {}  {}  {}{} — {}",
            at(n.facts.login_at, lang),
            n.facts.account,
            notice_label(n, lang),
            n.folder.as_deref().map(|f| format!(" — {}", super::folder_name(f, lang))).unwrap_or_default(),
            super::quoted(&n.subject, lang)
        );
    }
    if findings.is_empty() {
        let _ = writeln!(out, "\n{no_findings}");
    } else {
        let _ = writeln!(out, "\n{h_findings}");
    }
    for f in findings {
        let _ = writeln!(
            out,
            "  n° {}  {}  {}  {} — {}",
            f.id,
            at(f.finding.at, lang),
            f.finding.account,
            finding_label(f.finding.kind, f.finding.service, lang),
            finding_state(f, lang)
        );
    }
    out.trim_end().to_owned()
}

/// `vigie status`: unresolved findings first, then each account's health.
pub fn status_text(
    findings: &[StoredFinding],
    notices: &[StoredNotice],
    health: &[AccountHealth],
    lang: Lang,
) -> String {
    let open: Vec<&StoredFinding> = findings.iter().filter(|f| f.resolved_at.is_none()).collect();
    let mut out = String::new();
    let unreadable = health.iter().filter(|h| h.last_error.is_some()).count();
    // « Rien à signaler » only when nothing below says otherwise.
    match (open.len(), unreadable, lang) {
        (0, 0, Lang::Fr) => out.push_str("✔ Rien à signaler : aucune alerte en attente.\n"),
        (0, 0, Lang::En) => out.push_str("✔ Nothing to report: no alert waiting.\n"),
        (0, n, Lang::Fr) => {
            let _ = writeln!(
                out,
                "⚠ Aucune alerte en attente, mais {} (voir plus bas).",
                super::count(n, lang, "boîte mail est illisible", "boîtes mail sont illisibles")
            );
        }
        (0, n, Lang::En) => {
            let _ = writeln!(
                out,
                "⚠ No alert waiting, but {} (see below).",
                super::count(n, lang, "mailbox cannot be read", "mailboxes cannot be read")
            );
        }
        (n, _, Lang::Fr) => {
            let _ = writeln!(out, "⚠ {} :", super::count(n, lang, "alerte à traiter", "alertes à traiter"));
        }
        (n, _, Lang::En) => {
            let verb = if n == 1 { "needs" } else { "need" };
            let _ = writeln!(out, "⚠ {} {verb} your attention:", super::count(n, lang, "alert", "alerts"));
        }
    }
    // "Not mine" first: the user has something to do.
    let (to_handle, unanswered): (Vec<&StoredFinding>, Vec<&StoredFinding>) =
        open.iter().partition(|f| f.answer == Some(Answer::NotMine));
    for (group, heading) in [
        (
            &to_handle,
            match lang {
                Lang::Fr => "Ce n'était pas vous — reste à faire le nécessaire (puis « vigie answer N fait ») :",
                Lang::En => "Not you — still to handle (then \"vigie answer N handled\"):",
            },
        ),
        (
            &unanswered,
            match lang {
                Lang::Fr => "Sans réponse (« vigie answer N moi », « pas-moi » ou « fait ») :",
                Lang::En => "Unanswered (\"vigie answer N mine\", \"not-mine\" or \"handled\"):",
            },
        ),
    ] {
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {heading}");
        for f in group.iter() {
            let subject = f
                .finding
                .notice_id
                .filter(|_| f.finding.kind == FindingKind::Impersonation)
                .and_then(|id| notices.iter().find(|n| n.facts.id == id))
                .map(|n| format!(" — {}", super::quoted(&n.subject, lang)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    n° {}  {}  {}  {}{subject}",
                f.id,
                at(f.finding.at, lang),
                f.finding.account,
                finding_label(f.finding.kind, f.finding.service, lang)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        match lang {
            Lang::Fr => "Boîtes mail surveillées :",
            Lang::En => "Watched mailboxes:",
        }
    );
    if health.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            match lang {
                Lang::Fr => "aucune vérification pour l'instant (lancez « vigie check » ou « vigie run »)",
                Lang::En => "no check yet (run \"vigie check\" or \"vigie run\")",
            }
        );
    }
    for h in health {
        let last = at(h.last_ok, lang);
        let line = match (&h.last_error, lang) {
            (None, Lang::Fr) => format!("✔ {} — dernière vérification le {last}", h.account),
            (None, Lang::En) => format!("✔ {} — last checked on {last}", h.account),
            (Some(e), Lang::Fr) => {
                format!(
                    "✘ {} — illisible depuis le {} : {e} (dernière réussite : {last})",
                    h.account,
                    at(h.last_error_at, lang)
                )
            }
            (Some(e), Lang::En) => {
                format!("✘ {} — unreadable since {}: {e} (last success: {last})", h.account, at(h.last_error_at, lang))
            }
        };
        let _ = writeln!(out, "  {line}");
    }
    out.trim_end().to_owned()
}

/// What `vigie test-alert` says after trying the desktop.
pub fn test_alert_result(shown_on_desktop: bool, lang: Lang) -> String {
    match (shown_on_desktop, lang) {
        (true, Lang::Fr) => "✔ Alerte de test affichée sur le bureau. Une vraie alerte aurait en plus les boutons \
             « C'était moi » / « Ce n'était pas moi » (ou la commande « vigie answer » à taper)."
            .into(),
        (true, Lang::En) => "✔ Test alert shown on the desktop. A real alert would also have the \"It was me\" / \
             \"It was not me\" buttons (or the \"vigie answer\" command to type)."
            .into(),
        (false, Lang::Fr) => "✘ Pas d'alerte sur le bureau (le service de notifications ne répond pas). \
             Les alertes iront quand même dans ce terminal, le journal système et « vigie status »."
            .into(),
        (false, Lang::En) => "✘ No desktop alert (the notification service does not answer). \
             Alerts will still go to this terminal, the system log and \"vigie status\"."
            .into(),
    }
}

pub fn demo_intro(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "vigie — démonstration\n\
             Une boîte mail d'exemple (deux personnes : « Moi » et « Mamie »), un journal temporaire : \
             aucun compte, aucun réseau.\n\n\
             Connexions déjà notées dans le journal :"
        }
        Lang::En => {
            "vigie — demonstration\n\
             A sample mailbox (two people: \"Moi\" and \"Mamie\") and a temporary journal: \
             no account, no network.\n\n\
             Logins already in the journal:"
        }
    }
}

pub fn demo_login_line(login: &NewOwnLogin, lang: Lang) -> String {
    format!(
        "  • {} — {} {}, {} ({})",
        login.account,
        login_service(login.service, lang),
        via(login.via, lang),
        paris_time(login.at, lang),
        source(login.source, lang)
    )
}

pub fn demo_messages_header(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\nMessages lus dans la boîte :",
        Lang::En => "\nMessages read from the mailbox:",
    }
}

/// One message of the demo: whose, its subject, the verdict, and which own
/// login explains it.
pub fn demo_message_line(
    account: &str,
    subject: &str,
    verdict: &str,
    explained_by: Option<&OwnLogin>,
    unexplained: bool,
    lang: Lang,
) -> String {
    let explained = match (explained_by, unexplained, lang) {
        (Some(l), _, Lang::Fr) => format!("\n      → expliquée par votre connexion du {}", paris_time(l.at, lang)),
        (Some(l), _, Lang::En) => format!("\n      → explained by your login of {}", paris_time(l.at, lang)),
        (None, true, Lang::Fr) => "\n      → aucune de vos connexions à ce moment-là : alerte".into(),
        (None, true, Lang::En) => "\n      → none of your logins at that time: alert".into(),
        (None, false, _) => String::new(),
    };
    format!("  • {account} — {}\n      {verdict}{explained}", super::quoted(subject, lang))
}

pub fn demo_alerts_header(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\nCe que vigie signale :",
        Lang::En => "\nWhat vigie raises:",
    }
}

pub fn demo_summary(alerts: usize, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "\n{}. En vrai, « vigie run » fait cela en continu sur votre boîte mail et affiche \
             ces alertes sur le bureau, avec les boutons « C'était moi » / « Ce n'était pas moi ».\n\
             Pour aller sur ameli sans fausse alerte : « vigie open ameli » (ou le lanceur « Mon compte ameli »).",
            super::count(alerts, lang, "alerte", "alertes")
        ),
        Lang::En => format!(
            "\n{}. For real, \"vigie run\" does this continuously on your mailbox and shows these \
             alerts on the desktop, with \"It was me\" / \"It was not me\" buttons.\n\
             To go to ameli without a false alert: \"vigie open ameli\" (or the \"Mon compte ameli\" launcher).",
            super::count(alerts, lang, "alert", "alerts")
        ),
    }
}

pub fn no_accounts(lang: Lang) -> String {
    match lang {
        Lang::Fr => "aucune boîte mail n'est configurée : lancez « vigie setup » pour en ajouter une".into(),
        Lang::En => "no mailbox is configured: run \"vigie setup\" to add one".into(),
    }
}

pub fn check_summary(accounts: usize, alerted: usize, unreadable: bool, lang: Lang) -> String {
    match (alerted, unreadable, lang) {
        (0, false, Lang::Fr) => format!(
            "✔ {} : rien de nouveau à signaler.",
            super::count(accounts, lang, "boîte vérifiée", "boîtes vérifiées")
        ),
        (0, false, Lang::En) => {
            format!("✔ {} checked: nothing new to report.", super::count(accounts, lang, "mailbox", "mailboxes"))
        }
        (0, true, Lang::Fr) => "Au moins une boîte n'a pas pu être lue (voir ci-dessus).".into(),
        (0, true, Lang::En) => "At least one mailbox could not be read (see above).".into(),
        (n, _, Lang::Fr) => {
            format!("{} ; voir « vigie status ».", super::count(n, lang, "nouvelle alerte", "nouvelles alertes"))
        }
        (n, _, Lang::En) => format!("{}; see \"vigie status\".", super::count(n, lang, "new alert", "new alerts")),
    }
}

/// `--account` names no configured account.
pub fn unknown_account(name: &str, names: &[&str], lang: Lang) -> String {
    let guess = super::closest_key(name, names);
    match (guess, lang) {
        (Some(g), Lang::Fr) => format!("aucune boîte ne s'appelle « {name} » — vouliez-vous dire « {g} » ?"),
        (Some(g), Lang::En) => format!("no mailbox is called \"{name}\" — did you mean \"{g}\"?"),
        (None, Lang::Fr) => format!("aucune boîte ne s'appelle « {name} » (boîtes surveillées : {})", names.join(", ")),
        (None, Lang::En) => format!("no mailbox is called \"{name}\" (watched mailboxes: {})", names.join(", ")),
    }
}

pub fn which_account(names: &[&str], lang: Lang) -> String {
    match lang {
        Lang::Fr => {
            format!("plusieurs boîtes sont surveillées : précisez laquelle avec --account ({})", names.join(", "))
        }
        Lang::En => format!("several mailboxes are watched: say which with --account ({})", names.join(", ")),
    }
}
