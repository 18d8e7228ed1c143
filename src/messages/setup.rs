//! What `vigie setup` says and asks.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Lang, paris_time, service_name};
use crate::config::AccountConfig;
use crate::notice::{Authenticity, Kind, Notice, Service};
use crate::providers::Provider;

pub fn setup_missing(flag: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("il manque une réponse : sans terminal, passez {flag}"),
        Lang::En => format!("an answer is missing: without a terminal, pass {flag}"),
    }
}

pub fn yes_no_hint(default_yes: bool, lang: Lang) -> &'static str {
    match (default_yes, lang) {
        (true, Lang::Fr) => "(O/n)",
        (false, Lang::Fr) => "(o/N)",
        (true, Lang::En) => "(Y/n)",
        (false, Lang::En) => "(y/N)",
    }
}

pub fn no_config_dir(lang: Lang) -> String {
    match lang {
        Lang::Fr => "impossible de trouver où ranger la configuration : passez --config".into(),
        Lang::En => "cannot tell where to keep the configuration: pass --config".into(),
    }
}

pub fn setup_welcome(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "Bienvenue dans vigie. Quelques questions pour surveiller une boîte mail.\n\
             vigie lit seulement les messages d'ameli et de FranceConnect ; il ne modifie rien et n'envoie rien.\n"
        }
        Lang::En => {
            "Welcome to vigie. A few questions to watch a mailbox.\n\
             vigie only reads the messages of ameli and FranceConnect; it changes nothing and sends nothing.\n"
        }
    }
}

pub fn setup_ask_email(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Adresse e-mail à surveiller",
        Lang::En => "E-mail address to watch",
    }
}

pub fn setup_bad_email(email: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {email} » n'est pas une adresse e-mail (il manque le @)"),
        Lang::En => format!("\"{email}\" is not an e-mail address (no @)"),
    }
}

pub fn setup_ask_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "À qui est ce compte ? Ce nom apparaîtra dans les alertes (par exemple « Mamie » ou « Moi »)",
        Lang::En => "Whose account is it? Alerts will use this name (for example \"Grandma\" or \"Me\")",
    }
}

pub fn setup_provider(p: &Provider, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("→ Messagerie reconnue : {} (serveur {}).", p.name, p.imap_host),
        Lang::En => format!("→ Known provider: {} (server {}).", p.name, p.imap_host),
    }
}

pub fn setup_ask_host(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Serveur IMAP de votre messagerie (par exemple imap.exemple.fr)",
        Lang::En => "Your provider's IMAP server (for example imap.example.com)",
    }
}

pub fn setup_ask_username(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Identifiant de connexion",
        Lang::En => "Login name",
    }
}

pub fn setup_oauth2_explained(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "Les boîtes Outlook, Hotmail et Live n'acceptent plus les mots de passe pour ce type d'accès : \
             elles exigent un jeton OAuth2. Il faut un petit programme qui fournit ce jeton (par exemple \
             « oama » ou « mutt_oauth2.py ») ; indiquez la commande qui l'affiche."
        }
        Lang::En => {
            "Outlook, Hotmail and Live mailboxes no longer accept passwords for this kind of access: they \
             require an OAuth2 token. You need a small program that provides it (for example \"oama\" or \
             \"mutt_oauth2.py\"); give the command that prints it."
        }
    }
}

pub fn setup_ask_oauth2(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Commande qui affiche le jeton OAuth2",
        Lang::En => "Command that prints the OAuth2 token",
    }
}

pub fn setup_app_password_explained(provider: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "{provider} demande un « mot de passe d'application » : créez-en un dans les réglages de sécurité \
             de votre compte {provider} (il faut souvent avoir activé la validation en deux étapes), \
             puis collez-le ici. Votre mot de passe habituel ne fonctionnera pas."
        ),
        Lang::En => format!(
            "{provider} wants an \"app password\": make one in your {provider} account's security settings \
             (two-step verification must often be on), then paste it here. Your usual password will not work."
        ),
    }
}

pub fn setup_ask_password(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Mot de passe de la boîte mail (il ne s'affiche pas quand vous tapez) : ",
        Lang::En => "Mailbox password (it does not show as you type): ",
    }
}

pub fn setup_testing(account: &AccountConfig, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("Test de la connexion à {}…", account.imap_host),
        Lang::En => format!("Testing the connection to {}…", account.imap_host),
    }
}

pub fn setup_connected(folders: &[String], notices: &[Notice], lang: Lang) -> String {
    let count = |service: Service, genuine: bool| {
        notices
            .iter()
            .filter(|n| n.service == service && (n.authenticity != Authenticity::Suspicious) == genuine)
            .filter(|n| !genuine || n.kind == Kind::Login)
            .count()
    };
    let fakes = count(Service::Ameli, false) + count(Service::FranceConnect, false);
    let (ameli, fc) = (count(Service::Ameli, true), count(Service::FranceConnect, true));
    match lang {
        Lang::Fr => format!(
            "✔ Connecté. Dossiers surveillés : {}.\n✔ Ces 30 derniers jours : {ameli} notification(s) de connexion \
             ameli, {fc} FranceConnect, {fakes} faux message(s).",
            folders.join(", ")
        ),
        Lang::En => format!(
            "✔ Connected. Watched folders: {}.\n✔ Last 30 days: {ameli} ameli login notice(s), {fc} FranceConnect, \
             {fakes} fake message(s).",
            folders.join(", ")
        ),
    }
}

pub fn setup_save_anyway(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Enregistrer quand même cette boîte ?",
        Lang::En => "Save this mailbox anyway?",
    }
}

pub fn setup_not_saved(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Rien n'a été enregistré. Vérifiez l'adresse et le mot de passe, puis relancez « vigie setup ».",
        Lang::En => "Nothing was saved. Check the address and the password, then run \"vigie setup\" again.",
    }
}

pub fn setup_keyring_failed(error: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "le mot de passe n'a pas pu être rangé dans le trousseau du système ({error}). \
             Déverrouillez le trousseau, ou utilisez --password-command avec votre gestionnaire de mots de passe."
        ),
        Lang::En => format!(
            "the password could not be stored in the system keyring ({error}). \
             Unlock the keyring, or use --password-command with your password manager."
        ),
    }
}

pub fn setup_keyring_saved(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "✔ Mot de passe rangé dans le trousseau du système (jamais dans un fichier).",
        Lang::En => "✔ Password stored in the system keyring (never in a file).",
    }
}

pub fn setup_saved(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("✔ Configuration enregistrée : {}", path.display()),
        Lang::En => format!("✔ Configuration saved: {}", path.display()),
    }
}

pub fn setup_past_logins(past: &[(Service, DateTime<Utc>)], lang: Lang) -> String {
    let mut out = match lang {
        Lang::Fr => "Connexions trouvées ces 30 derniers jours :".to_owned(),
        Lang::En => "Logins found in the last 30 days:".to_owned(),
    };
    for (service, at) in past {
        out.push_str(&format!("\n  • {} — {}", service_name(*service), paris_time(*at, lang)));
    }
    out
}

pub fn setup_were_they_yours(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Était-ce bien vous à chaque fois ?",
        Lang::En => "Was it you every time?",
    }
}

pub fn setup_past_recorded(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("✔ {n} connexion(s) notée(s) comme les vôtres : pas d'alerte pour elles."),
        Lang::En => format!("✔ {n} login(s) recorded as yours: no alert for them."),
    }
}

pub fn setup_past_not_recorded(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "Ces connexions ne sont pas notées comme les vôtres : vigie vous alertera pour chacune au démarrage."
        }
        Lang::En => "These logins are not recorded as yours: vigie will alert you about each one when it starts.",
    }
}

pub fn setup_next_steps(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "\nProchaines étapes :\n  vigie service install   — surveiller en permanence, dès l'ouverture de session\n  \
             vigie test-alert        — voir à quoi ressemble une alerte\n  \
             vigie doctor            — tout vérifier"
        }
        Lang::En => {
            "\nNext steps:\n  vigie service install   — watch all the time, from login\n  \
             vigie test-alert        — see what an alert looks like\n  \
             vigie doctor            — check everything"
        }
    }
}
