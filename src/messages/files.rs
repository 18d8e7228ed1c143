//! Sentences about vigie's own files and commands: a config or data
//! directory others could change, a `password_command` that fails, and
//! what the running agent watches (for `doctor` and the end of `setup`).

use chrono::{DateTime, Utc};

use super::{Lang, paris_time};
use crate::agent_status::{AgentStatus, AgentView, WatchedAccount};
use crate::private_fs::PrivateFsError;
use crate::secrets::SecretError;

/// Why vigie refuses a file or directory, and the fix.
pub fn private_fs_problem(error: &PrivateFsError, lang: Lang) -> String {
    use PrivateFsError as P;
    let path = error.path().display();
    match (error, lang) {
        (P::NotOwned { .. }, Lang::Fr) => format!(
            "{path} appartient à un autre utilisateur : vigie n'utilise que vos propres fichiers \
             (la configuration peut lancer une commande). Mettez-le de côté et refaites « vigie setup », \
             ou indiquez un autre chemin."
        ),
        (P::NotOwned { .. }, Lang::En) => format!(
            "{path} belongs to another user: vigie only uses files that are yours (the configuration can run \
             a command). Move it aside and run \"vigie setup\" again, or give another path."
        ),
        (P::WritableByOthers { .. }, Lang::Fr) => format!(
            "{path} peut être modifié par d'autres utilisateurs : vigie refuse de s'en servir \
             (on pourrait lui faire lancer une commande). Corrigez avec : chmod go-w {path}"
        ),
        (P::WritableByOthers { .. }, Lang::En) => format!(
            "{path} can be changed by other users: vigie refuses to use it (it could be made to run a \
             command). Fix it with: chmod go-w {path}"
        ),
        (P::Symlink { .. }, Lang::Fr) => format!(
            "{path} est un lien symbolique : vigie ne suit pas de lien pour ses données. \
             Indiquez le vrai dossier (--data-dir ou VIGIE_DATA_DIR), ou supprimez le lien."
        ),
        (P::Symlink { .. }, Lang::En) => format!(
            "{path} is a symbolic link: vigie follows no link for its data. Give the real folder \
             (--data-dir or VIGIE_DATA_DIR), or remove the link."
        ),
        (P::NotADirectory { .. }, Lang::Fr) => format!("{path} n'est pas un dossier."),
        (P::NotADirectory { .. }, Lang::En) => format!("{path} is not a folder."),
        (P::NotAFile { .. }, Lang::Fr) => format!("{path} n'est pas un fichier ordinaire."),
        (P::NotAFile { .. }, Lang::En) => format!("{path} is not a regular file."),
        (P::Io { source, .. }, lang) => {
            let why = match (source.kind(), lang) {
                (std::io::ErrorKind::NotFound, Lang::Fr) => "introuvable".to_owned(),
                (std::io::ErrorKind::NotFound, Lang::En) => "not found".to_owned(),
                (std::io::ErrorKind::PermissionDenied, Lang::Fr) => "accès refusé".to_owned(),
                (std::io::ErrorKind::PermissionDenied, Lang::En) => "permission denied".to_owned(),
                (_, Lang::Fr) => format!("le système refuse{}", super::detail(source, lang)),
                (_, Lang::En) => format!("the system refuses{}", super::detail(source, lang)),
            };
            match lang {
                Lang::Fr => format!("impossible d'utiliser {path} : {why}."),
                Lang::En => format!("cannot use {path}: {why}."),
            }
        }
    }
}

/// A `password_command` or `oauth2_token_command` that did not give a
/// secret; `None` for keyring problems (said elsewhere).
pub fn secret_command_problem(error: &SecretError, lang: Lang) -> Option<String> {
    use SecretError as S;
    Some(match (error, lang) {
        (S::CommandFailed { which, detail: d }, Lang::Fr) => format!(
            "la commande {which} a échoué : lancez-la dans un terminal pour voir pourquoi.{}",
            super::detail(d, lang)
        ),
        (S::CommandFailed { which, detail: d }, Lang::En) => {
            format!("the command {which} failed: run it in a terminal to see why.{}", super::detail(d, lang))
        }
        (S::CommandEmpty { which }, Lang::Fr) => format!("la commande {which} n'a rien affiché."),
        (S::CommandEmpty { which }, Lang::En) => format!("the command {which} printed nothing."),
        (S::CommandTimedOut { which }, Lang::Fr) => {
            format!("la commande {which} n'a pas fini à temps : elle a été arrêtée (attend-elle une saisie ?).")
        }
        (S::CommandTimedOut { which }, Lang::En) => {
            format!("the command {which} did not finish in time: it was stopped (is it waiting for input?).")
        }
        (S::CommandTooLong { which }, Lang::Fr) => {
            format!("la commande {which} affiche trop de texte : elle ne doit afficher que le mot de passe.")
        }
        (S::CommandTooLong { which }, Lang::En) => {
            format!("the command {which} prints too much: it must print the password only.")
        }
        _ => return None,
    })
}

fn watched(accounts: &[WatchedAccount], lang: Lang) -> String {
    if accounts.is_empty() {
        return match lang {
            Lang::Fr => "aucune boîte".into(),
            Lang::En => "no mailbox".into(),
        };
    }
    let folders = |a: &WatchedAccount| match (&a.folders, lang) {
        (Some(f), _) => super::folder_names(f, lang),
        (None, Lang::Fr) => "boîte de réception et courrier indésirable".into(),
        (None, Lang::En) => "inbox and spam folder".into(),
    };
    accounts.iter().map(|a| format!("{} ({})", a.name, folders(a))).collect::<Vec<_>>().join(", ")
}

fn loaded(at: DateTime<Utc>, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("configuration lue le {}", paris_time(at, lang)),
        Lang::En => format!("configuration read on {}", paris_time(at, lang)),
    }
}

fn names(list: &[String]) -> String {
    list.join(", ")
}

/// What the agent has not picked up yet, and why, in one sentence.
fn behind(status: &AgentStatus, missing: &[String], changed: &[String], removed: &[String], lang: Lang) -> String {
    let mut parts = Vec::new();
    match lang {
        Lang::Fr => {
            if !missing.is_empty() {
                let what = if missing.len() == 1 { "pas encore surveillée" } else { "pas encore surveillées" };
                parts.push(format!("{what} : {}", names(missing)));
            }
            if !changed.is_empty() {
                let what = if changed.len() == 1 { "modifiée depuis" } else { "modifiées depuis" };
                parts.push(format!("{what} : {}", names(changed)));
            }
            if !removed.is_empty() {
                let what = if removed.len() == 1 {
                    "retirée mais encore surveillée"
                } else {
                    "retirées mais encore surveillées"
                };
                parts.push(format!("{what} : {}", names(removed)));
            }
        }
        Lang::En => {
            if !missing.is_empty() {
                parts.push(format!("not watched yet: {}", names(missing)));
            }
            if !changed.is_empty() {
                parts.push(format!("changed since: {}", names(changed)));
            }
            if !removed.is_empty() {
                parts.push(format!("removed but still watched: {}", names(removed)));
            }
        }
    }
    let what = if parts.is_empty() {
        match lang {
            Lang::Fr => "réglages modifiés depuis".to_owned(),
            Lang::En => "settings changed since".to_owned(),
        }
    } else {
        parts.join(match lang {
            Lang::Fr => " ; ",
            Lang::En => "; ",
        })
    };
    let pid = status.pid;
    match (&status.reload_error, lang) {
        (Some(e), Lang::Fr) => format!(
            "l'agent n'a pas pu relire la configuration ({}) et garde la précédente — {what} → corrigez le fichier",
            e.message
        ),
        (Some(e), Lang::En) => format!(
            "the agent could not read the configuration again ({}) and keeps the previous one — {what} → fix the file",
            e.message
        ),
        (None, Lang::Fr) => format!(
            "l'agent n'a pas encore pris en compte la configuration — {what} → il la relit dans quelques secondes ; \
             sinon : kill -HUP {pid}"
        ),
        (None, Lang::En) => format!(
            "the agent has not picked up the configuration yet — {what} → it reads it again within seconds; \
             otherwise: kill -HUP {pid}"
        ),
    }
}

/// The `vigie doctor` line on what the running agent watches: (all well,
/// text); none when no agent runs (the service line says so).
pub fn agent_view_line(view: &AgentView, lang: Lang) -> Option<(bool, String)> {
    Some(match (view, lang) {
        (AgentView::NotRunning, _) => return None,
        (AgentView::Silent, Lang::Fr) => {
            (false, "l'agent ne dit pas ce qu'il surveille (version plus ancienne ?) → redémarrez-le".into())
        }
        (AgentView::Silent, Lang::En) => {
            (false, "the agent does not say what it watches (an older version?) → restart it".into())
        }
        (AgentView::UpToDate(s), Lang::Fr) => {
            (true, format!("l'agent surveille : {} — {}", watched(&s.accounts, lang), loaded(s.loaded_at, lang)))
        }
        (AgentView::UpToDate(s), Lang::En) => {
            (true, format!("the agent watches: {} — {}", watched(&s.accounts, lang), loaded(s.loaded_at, lang)))
        }
        (AgentView::Behind { status, missing, changed, removed }, lang) => {
            (false, behind(status, missing, changed, removed, lang))
        }
    })
}

/// The end of `vigie setup`: whether the running agent watches `account`.
pub fn setup_agent_watches(account: &str, view: &AgentView, lang: Lang) -> String {
    match (view, lang) {
        (AgentView::NotRunning, Lang::Fr) => format!(
            "Aucun agent vigie ne tourne : « {account} » sera surveillée dès qu'il démarrera (vigie service install)."
        ),
        (AgentView::NotRunning, Lang::En) => {
            format!("No vigie agent is running: \"{account}\" will be watched once it starts (vigie service install).")
        }
        (AgentView::UpToDate(s), Lang::Fr) => {
            format!("✔ L'agent vigie surveille maintenant : {}.", watched(&s.accounts, lang))
        }
        (AgentView::UpToDate(s), Lang::En) => format!("✔ The vigie agent now watches: {}.", watched(&s.accounts, lang)),
        (AgentView::Silent, Lang::Fr) => format!(
            "L'agent vigie qui tourne ne dit pas ce qu'il surveille : redémarrez-le pour qu'il surveille « {account} »."
        ),
        (AgentView::Silent, Lang::En) => {
            format!(
                "The running vigie agent does not say what it watches: restart it so that it watches \"{account}\"."
            )
        }
        (AgentView::Behind { status, missing, changed, removed }, lang) => {
            let line = behind(status, missing, changed, removed, lang);
            match lang {
                Lang::Fr => format!("⚠ {line}. Vérifiez dans un moment avec « vigie doctor »."),
                Lang::En => format!("⚠ {line}. Check again in a moment with \"vigie doctor\"."),
            }
        }
    }
}
