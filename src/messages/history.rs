//! What `vigie doctor` and `vigie setup` say about the browser histories
//! read for own logins (`browser_history = true`).

use super::Lang;
use crate::own_logins::{HistoryError, HistoryStatus};

/// (all well, the line) for one history.
pub fn history_line(status: &HistoryStatus, lang: Lang) -> (bool, String) {
    let h = &status.history;
    let what = match lang {
        Lang::Fr => format!("historique {} ({}) : {}", h.browser.name(), h.profile, h.path.display()),
        Lang::En => format!("{} history ({}): {}", h.browser.name(), h.profile, h.path.display()),
    };
    match &status.outcome {
        Ok(_) => (
            true,
            match lang {
                Lang::Fr => format!("{what} — lisible, vos connexions à ameli et FranceConnect y sont reconnues"),
                Lang::En => format!("{what} — readable, your ameli and FranceConnect logins are recognised there"),
            },
        ),
        Err(e) => {
            let consequence = match lang {
                Lang::Fr => "vos connexions faites avec ce navigateur y seront signalées comme inconnues",
                Lang::En => "your logins made with this browser will be reported as unknown",
            };
            (false, format!("{what} — {} → {consequence}", history_problem(e, lang)))
        }
    }
}

/// The line when `browser_history = true` but no history was found.
pub fn no_history_line(lang: Lang) -> (bool, String) {
    match lang {
        Lang::Fr => (
            false,
            "historique des navigateurs demandé (browser_history = true) mais aucun Firefox, Chrome, Chromium, \
             Brave ni Edge trouvé dans votre dossier personnel → notez vos connexions avec « vigie login » ou \
             « vigie open »"
                .into(),
        ),
        Lang::En => (
            false,
            "browser history asked for (browser_history = true) but no Firefox, Chrome, Chromium, Brave or Edge \
             found in your home directory → record your logins with \"vigie login\" or \"vigie open\""
                .into(),
        ),
    }
}

/// `setup`'s question: does this computer's browser log into the account?
pub fn setup_ask_browser_history(name: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Sur cet ordinateur, vous connectez-vous au compte ameli ou FranceConnect de {name} avec le \
             navigateur (Firefox, Chrome…) ? Si oui, vigie lira l'historique du navigateur pour reconnaître \
             vos connexions (seulement les pages de connexion d'ameli et de FranceConnect)."
        ),
        Lang::En => format!(
            "On this computer, do you log into {name}'s ameli or FranceConnect account with the browser \
             (Firefox, Chrome…)? If so, vigie will read the browser history to recognise your logins (only \
             the login pages of ameli and FranceConnect)."
        ),
    }
}

/// Why a history could not be read, in a few words.
pub fn history_problem(e: &HistoryError, lang: Lang) -> String {
    let mib = |bytes: u64| bytes.div_ceil(1 << 20);
    match (e, lang) {
        (HistoryError::Missing, Lang::Fr) => "fichier absent".into(),
        (HistoryError::Missing, Lang::En) => "file missing".into(),
        (HistoryError::Locked, Lang::Fr) => "verrouillé".into(),
        (HistoryError::Locked, Lang::En) => "locked".into(),
        (HistoryError::Damaged(_), Lang::Fr) => "abîmé ou d'un format inconnu".into(),
        (HistoryError::Damaged(_), Lang::En) => "damaged or in an unknown format".into(),
        (HistoryError::TooBig { bytes, cap }, Lang::Fr) => {
            format!("trop gros pour être lu ({} Mo, au plus {} Mo)", mib(*bytes), mib(*cap))
        }
        (HistoryError::TooBig { bytes, cap }, Lang::En) => {
            format!("too big to read ({} MiB, at most {} MiB)", mib(*bytes), mib(*cap))
        }
        (HistoryError::TimedOut, Lang::Fr) => "lecture trop longue, abandonnée".into(),
        (HistoryError::TimedOut, Lang::En) => "reading took too long and was given up".into(),
        (HistoryError::Unreadable(_), Lang::Fr) => "illisible".into(),
        (HistoryError::Unreadable(_), Lang::En) => "unreadable".into(),
    }
}
