//! What `vigie service`, `vigie doctor` and `vigie run` say about the
//! installation.

use std::path::{Path, PathBuf};

use super::Lang;

pub fn service_would_write(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("--- écrirait {} :", path.display()),
        Lang::En => format!("--- would write {}:", path.display()),
    }
}

pub fn service_wrote(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("✔ écrit : {}", path.display()),
        Lang::En => format!("✔ wrote {}", path.display()),
    }
}

pub fn service_would_run(command: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("--- lancerait : {command}"),
        Lang::En => format!("--- would run: {command}"),
    }
}

pub fn service_would_remove(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("--- supprimerait {}", path.display()),
        Lang::En => format!("--- would remove {}", path.display()),
    }
}

pub fn service_removed(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("✔ supprimé : {}", path.display()),
        Lang::En => format!("✔ removed {}", path.display()),
    }
}

/// A command `service` runs (`systemctl --user …`) failed; which one and
/// how only with `--verbose`.
pub fn service_command_failed(command: &str, error: &str, lang: Lang) -> String {
    let detail = super::detail(&error, lang);
    match lang {
        Lang::Fr => format!("✘ la commande « {command} » n'a pas abouti{detail}"),
        Lang::En => format!("✘ the command \"{command}\" did not succeed{detail}"),
    }
}

/// The menu name of a launcher: « Mon compte ameli — Mamie ».
pub fn launcher_name(site: &str, account: Option<&str>, lang: Lang) -> String {
    let base = match (site, lang) {
        ("ameli", Lang::Fr) => "Mon compte ameli",
        ("ameli", Lang::En) => "My ameli account",
        _ => "FranceConnect",
    };
    match account {
        Some(name) => format!("{base} — {name}"),
        None => base.to_owned(),
    }
}

/// `service uninstall` stopped an agent that was still running.
pub fn service_agent_stopped(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "✔ l'agent vigie est arrêté.",
        Lang::En => "✔ the vigie agent is stopped.",
    }
}

pub fn service_agent_still_running(error: &str, lang: Lang) -> String {
    let detail = super::detail(&error, lang);
    match lang {
        Lang::Fr => format!("✘ l'agent vigie tourne encore : fermez votre session pour l'arrêter.{detail}"),
        Lang::En => format!("✘ the vigie agent is still running: log out to stop it.{detail}"),
    }
}

/// A launcher could not do its job: the desktop notification that says so
/// (summary, body), since nobody sees a launcher's terminal.
pub fn open_failed(site: &str, problem: &str, lang: Lang) -> (String, String) {
    let site = if site == "ameli" { "ameli" } else { "FranceConnect" };
    match lang {
        Lang::Fr => (
            format!("vigie n'a pas pu noter votre visite sur {site}"),
            format!(
                "{problem}\n\nSi vigie vous alerte d'une connexion à {site} dans les minutes qui viennent, \
                 c'était sans doute vous : répondez « C'était moi »."
            ),
        ),
        Lang::En => (
            format!("vigie could not record your visit to {site}"),
            format!(
                "{problem}\n\nIf vigie alerts you about a {site} login in the next minutes, it was most likely \
                 you: answer \"It was me\"."
            ),
        ),
    }
}

/// The browser did not open from a launcher (summary).
pub fn browser_failed_title(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "vigie n'a pas pu ouvrir le navigateur",
        Lang::En => "vigie could not open the browser",
    }
}

pub fn service_installed(autostart: bool, lang: Lang) -> &'static str {
    match (autostart, lang) {
        (false, Lang::Fr) => {
            "✔ vigie surveille maintenant vos boîtes mail, et redémarrera avec votre session.\n\
             Les raccourcis « Mon compte ameli » et « FranceConnect » de chaque boîte sont dans le menu des \
             applications."
        }
        (false, Lang::En) => {
            "✔ vigie now watches your mailboxes, and will start again with your session.\n\
             Each mailbox's \"Mon compte ameli\" and \"FranceConnect\" launchers are in the applications menu."
        }
        (true, Lang::Fr) => {
            "✔ vigie surveille maintenant vos boîtes mail, et redémarrera à votre prochaine ouverture \
             de session.\nLes raccourcis « Mon compte ameli » et « FranceConnect » de chaque boîte sont dans le menu \
             des applications."
        }
        (true, Lang::En) => {
            "✔ vigie now watches your mailboxes, and will start again at your next login.\n\
             Each mailbox's \"Mon compte ameli\" and \"FranceConnect\" launchers are in the applications menu."
        }
    }
}

pub fn service_status(installed: Option<&Path>, running: bool, lang: Lang) -> String {
    let installed = match (installed, lang) {
        (Some(p), Lang::Fr) => format!("✔ démarrage automatique installé : {}", p.display()),
        (Some(p), Lang::En) => format!("✔ automatic start installed: {}", p.display()),
        (None, Lang::Fr) => "✘ pas de démarrage automatique : lancez « vigie service install »".into(),
        (None, Lang::En) => "✘ no automatic start: run \"vigie service install\"".into(),
    };
    let running = match (running, lang) {
        (true, Lang::Fr) => "✔ l'agent vigie tourne",
        (true, Lang::En) => "✔ the vigie agent is running",
        (false, Lang::Fr) => "✘ l'agent vigie ne tourne pas",
        (false, Lang::En) => "✘ the vigie agent is not running",
    };
    format!("{installed}\n{running}")
}

pub fn already_running(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "vigie surveille déjà vos boîtes mail (un autre « vigie run » tourne) : rien à faire.",
        Lang::En => "vigie is already watching your mailboxes (another \"vigie run\" is running): nothing to do.",
    }
}

/// One line of `vigie doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Config(usize),
    NoAccounts,
    ConfigBroken(String),
    Mailbox { account: String, folders: Vec<String> },
    Password { account: String, problem: String },
    MailboxBroken { account: String, problem: String },
    Notifications { buttons: bool },
    NoNotifications(String),
    Journal(PathBuf),
    JournalBroken(String),
    Service { running: bool },
}

/// (all well, the line) for a check.
pub fn doctor_line(check: &Check, lang: Lang) -> (bool, String) {
    use Check::*;
    match (check, lang) {
        (Config(n), Lang::Fr) => {
            (true, format!("configuration : {}", super::count(*n, lang, "boîte mail", "boîtes mail")))
        }
        (Config(n), Lang::En) => (true, format!("configuration: {}", super::count(*n, lang, "mailbox", "mailboxes"))),
        (NoAccounts, Lang::Fr) => (false, "aucune boîte mail configurée → lancez « vigie setup »".into()),
        (NoAccounts, Lang::En) => (false, "no mailbox configured → run \"vigie setup\"".into()),
        (ConfigBroken(e), _) => (false, e.clone()),
        (Mailbox { account, folders }, Lang::Fr) => (
            true,
            format!(
                "{account} : mot de passe, connexion sécurisée et dossiers ({}) en ordre",
                super::folder_names(folders, lang)
            ),
        ),
        (Mailbox { account, folders }, Lang::En) => (
            true,
            format!(
                "{account}: password, secure connection and folders ({}) all fine",
                super::folder_names(folders, lang)
            ),
        ),
        (Password { problem, .. } | MailboxBroken { problem, .. }, _) => {
            (false, problem.trim_start_matches("✘ ").to_owned())
        }
        (Notifications { buttons: true }, Lang::Fr) => (true, "alertes sur le bureau, avec boutons".into()),
        (Notifications { buttons: true }, Lang::En) => (true, "desktop alerts, with buttons".into()),
        (Notifications { buttons: false }, Lang::Fr) => {
            (true, "alertes sur le bureau (sans boutons : répondez avec « vigie answer »)".into())
        }
        (Notifications { buttons: false }, Lang::En) => {
            (true, "desktop alerts (no buttons: answer with \"vigie answer\")".into())
        }
        (NoNotifications(e), Lang::Fr) => (
            false,
            format!(
                "pas d'alertes sur le bureau (le service de notifications ne répond pas) → les alertes n'iront que \
                 dans le journal et « vigie status »{}",
                super::detail(e, lang)
            ),
        ),
        (NoNotifications(e), Lang::En) => (
            false,
            format!(
                "no desktop alerts (the notification service does not answer) → alerts will only go to the log \
                 and \"vigie status\"{}",
                super::detail(e, lang)
            ),
        ),
        (Journal(p), Lang::Fr) => (true, format!("journal : {}", p.display())),
        (Journal(p), Lang::En) => (true, format!("journal: {}", p.display())),
        (JournalBroken(e), _) => (false, e.clone()),
        (Service { running: true }, Lang::Fr) => (true, "l'agent vigie tourne".into()),
        (Service { running: true }, Lang::En) => (true, "the vigie agent is running".into()),
        (Service { running: false }, Lang::Fr) => {
            (false, "l'agent vigie ne tourne pas → lancez « vigie service install »".into())
        }
        (Service { running: false }, Lang::En) => {
            (false, "the vigie agent is not running → run \"vigie service install\"".into())
        }
    }
}
