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

pub fn service_command_failed(error: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("✘ la commande a échoué : {error}"),
        Lang::En => format!("✘ the command failed: {error}"),
    }
}

pub fn service_installed(autostart: bool, lang: Lang) -> &'static str {
    match (autostart, lang) {
        (false, Lang::Fr) => {
            "✔ vigie surveille maintenant vos boîtes mail, et redémarrera avec votre session.\n\
             Les raccourcis « Mon compte ameli » et « FranceConnect » sont dans le menu des applications."
        }
        (false, Lang::En) => {
            "✔ vigie now watches your mailboxes, and will start again with your session.\n\
             The \"Mon compte ameli\" and \"FranceConnect\" launchers are in the applications menu."
        }
        (true, Lang::Fr) => {
            "✔ vigie surveille maintenant vos boîtes mail, et redémarrera à votre prochaine ouverture \
             de session.\nLes raccourcis « Mon compte ameli » et « FranceConnect » sont dans le menu des applications."
        }
        (true, Lang::En) => {
            "✔ vigie now watches your mailboxes, and will start again at your next login.\n\
             The \"Mon compte ameli\" and \"FranceConnect\" launchers are in the applications menu."
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
        (Config(n), Lang::Fr) => (true, format!("configuration : {n} boîte(s) mail")),
        (Config(n), Lang::En) => (true, format!("configuration: {n} mailbox(es)")),
        (NoAccounts, Lang::Fr) => (false, "aucune boîte mail configurée → lancez « vigie setup »".into()),
        (NoAccounts, Lang::En) => (false, "no mailbox configured → run \"vigie setup\"".into()),
        (ConfigBroken(e), Lang::Fr) => (false, format!("configuration illisible : {e} → corrigez le fichier")),
        (ConfigBroken(e), Lang::En) => (false, format!("configuration unreadable: {e} → fix the file")),
        (Mailbox { account, folders }, Lang::Fr) => (
            true,
            format!("{account} : mot de passe, connexion sécurisée et dossiers ({}) en ordre", folders.join(", ")),
        ),
        (Mailbox { account, folders }, Lang::En) => {
            (true, format!("{account}: password, secure connection and folders ({}) all fine", folders.join(", ")))
        }
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
            format!("pas d'alertes sur le bureau ({e}) → les alertes n'iront que dans le journal et « vigie status »"),
        ),
        (NoNotifications(e), Lang::En) => {
            (false, format!("no desktop alerts ({e}) → alerts will only go to the log and \"vigie status\""))
        }
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
