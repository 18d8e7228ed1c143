//! What a failed command says about the journal, in the user's words.

use super::Lang;
use crate::journal::JournalError;

/// A journal problem: what happened and what to do; no SQLite internals.
pub fn journal_problem(error: &JournalError, lang: Lang) -> String {
    use JournalError as J;
    match (error, lang) {
        (J::CreateDir { path, .. }, Lang::Fr) => {
            format!("impossible de créer le dossier de données {} : vérifiez ses droits d'accès.", path.display())
        }
        (J::CreateDir { path, .. }, Lang::En) => {
            format!("cannot create the data folder {}: check its permissions.", path.display())
        }
        (J::Symlink { path }, Lang::Fr) => format!(
            "{} est un lien symbolique : vigie ne suit pas de lien pour son journal. Supprimez le lien, \
             ou indiquez un autre dossier avec --data-dir.",
            path.display()
        ),
        (J::Symlink { path }, Lang::En) => format!(
            "{} is a symbolic link: vigie does not follow links for its journal. Remove the link, or give \
             another folder with --data-dir.",
            path.display()
        ),
        (J::NotPrivate(e), lang) => super::private_fs_problem(e, lang),
        (J::Damaged { path, .. }, Lang::Fr) => format!(
            "le journal {p} est abîmé ou contient une valeur inconnue : vigie n'y a pas touché. Mettez-le de \
             côté (par exemple : mv {p} {p}.abime) pour que vigie en commence un nouveau, ou remettez une \
             copie de sauvegarde.",
            p = path.display()
        ),
        (J::Damaged { path, .. }, Lang::En) => format!(
            "the journal {p} is damaged or holds a value vigie does not know: vigie has left it untouched. \
             Move it aside (for example: mv {p} {p}.damaged) so that vigie starts a new one, or put back a \
             backup copy.",
            p = path.display()
        ),
        (J::TooNew { path, .. }, Lang::Fr) => format!(
            "le journal {} a été écrit par une version plus récente de vigie : mettez vigie à jour.",
            path.display()
        ),
        (J::TooNew { path, .. }, Lang::En) => {
            format!("the journal {} was written by a newer version of vigie: update vigie.", path.display())
        }
        (J::Busy { .. }, Lang::Fr) => {
            "le journal est occupé par un autre programme vigie : réessayez dans un instant.".into()
        }
        (J::Busy { .. }, Lang::En) => "the journal is busy with another vigie: try again in a moment.".into(),
        (J::Sqlite { path, .. }, Lang::Fr) => {
            format!("impossible d'écrire dans le journal {} (disque plein ? droits d'accès ?).", path.display())
        }
        (J::Sqlite { path, .. }, Lang::En) => {
            format!("cannot write to the journal {} (disk full? permissions?).", path.display())
        }
    }
}

/// The agent cannot stop cleanly without its signals.
pub fn cannot_catch_signals(detail: &str, lang: Lang) -> String {
    tracing::debug!(detail, "signals");
    match lang {
        Lang::Fr => {
            "le système refuse à vigie de recevoir ses signaux d'arrêt : relancez-le, ou redémarrez la session.".into()
        }
        Lang::En => {
            "the system does not let vigie receive its stop signals: start it again, or restart the session.".into()
        }
    }
}
