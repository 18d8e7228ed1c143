//! What `vigie setup` says and asks.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Lang, paris_time, service_name};
use crate::config::{AccountConfig, Fingerprint};
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
        Lang::Fr => format!(
            "« {email} » n'est pas une adresse e-mail complète : elle s'écrit comme jeanne.dupont@orange.fr, \
             avec un @ et un point après lui, sans espace. Retapez-la."
        ),
        Lang::En => format!(
            "\"{email}\" is not a complete e-mail address: it reads like jane.doe@example.com, with an @, \
             a dot after it, and no space. Type it again."
        ),
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
        Lang::Fr => "Serveur IMAP de votre messagerie (par exemple imap.exemple.fr, ou imap.exemple.fr:993)",
        Lang::En => "Your provider's IMAP server (for example imap.example.com, or imap.example.com:993)",
    }
}

pub fn setup_ask_port(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Port du serveur IMAP (993 pour presque toutes les messageries)",
        Lang::En => "IMAP server port (993 for almost every provider)",
    }
}

pub fn setup_bad_port(answer: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {answer} » n'est pas un numéro de port : un nombre entre 1 et 65535, souvent 993."),
        Lang::En => format!("\"{answer}\" is not a port number: a number from 1 to 65535, often 993."),
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
             elles demandent un jeton de connexion (OAuth2).\n\
             Sur un bureau GNOME, un compte de Paramètres → Comptes en ligne qui donne accès au courrier est \
             proposé ici de lui-même ; aucun n'a été trouvé pour cette adresse.\n\
             Il faut donc un petit programme qui fournit ce jeton (par exemple « oama ») ; indiquez la \
             commande qui l'affiche."
        }
        Lang::En => {
            "Outlook, Hotmail and Live mailboxes no longer accept passwords for this kind of access: they want \
             a login token (OAuth2).\n\
             On a GNOME desktop, an account from Settings → Online Accounts that gives access to mail is \
             offered here by itself; none was found for this address.\n\
             So you need a small program that provides the token (for example \"oama\"); give the command \
             that prints it."
        }
    }
}

pub fn setup_online_account_found(provider: &str, email: &str, lang: Lang) -> String {
    let provider = if provider.is_empty() { "?" } else { provider };
    match lang {
        Lang::Fr => format!(
            "→ Ce compte est déjà dans les Comptes en ligne de GNOME ({provider}, {email}) : vigie peut s'en servir \
             pour lire la boîte, sans mot de passe à taper ni programme à installer."
        ),
        Lang::En => format!(
            "→ This account is already in GNOME Online Accounts ({provider}, {email}): vigie can use it to read \
             the mailbox, with no password to type and nothing to install."
        ),
    }
}

pub fn setup_online_account_sign_in(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "  Il demande d'abord à être reconnecté : ouvrez Paramètres → Comptes en ligne et suivez ce qu'il indique."
        }
        Lang::En => "  It first wants you to sign in again: open Settings → Online Accounts and follow what it says.",
    }
}

pub fn setup_use_online_account(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Utiliser ce compte en ligne ?",
        Lang::En => "Use this online account?",
    }
}

pub fn setup_no_online_account(email: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "aucun compte pour {email} dans les Comptes en ligne de GNOME : ajoutez-le dans Paramètres → Comptes \
             en ligne, puis relancez « vigie setup »"
        ),
        Lang::En => format!(
            "no account for {email} in GNOME Online Accounts: add it in Settings → Online Accounts, then run \
             \"vigie setup\" again"
        ),
    }
}

/// What went wrong with a pinned certificate, GNOME Online Accounts or an
/// OAuth2 token, in the user's words; `None` for other problems. Meant for
/// `mailbox_problem` (`check`, `run`, `doctor`).
pub fn access_problem(error: &crate::agent::AgentError, lang: Lang) -> Option<String> {
    use crate::agent::AgentError as A;
    use crate::mailbox::MailboxError as M;
    use crate::secrets::SecretError as S;
    Some(match (error, lang) {
        (A::Mailbox(M::CertificateChanged { .. }), Lang::Fr) => {
            "le serveur ne présente plus le certificat auquel vous aviez fait confiance : vigie refuse de s'y \
             connecter. Si la personne qui s'occupe du serveur l'a changé, relancez « vigie setup » pour \
             vérifier le nouveau."
                .to_owned()
        }
        (A::Mailbox(M::CertificateChanged { .. }), Lang::En) => {
            "the server no longer shows the certificate you trusted: vigie refuses to connect. If whoever runs \
             the server changed it, run \"vigie setup\" again to check the new one."
                .to_owned()
        }
        (A::Mailbox(M::Untrusted(_)), Lang::Fr) => {
            "le certificat du serveur n'est pas reconnu : vigie refuse de s'y connecter. S'il s'agit de votre \
             propre serveur, relancez « vigie setup » : il affiche l'empreinte du certificat et propose de lui \
             faire confiance."
                .to_owned()
        }
        (A::Mailbox(M::Untrusted(_)), Lang::En) => {
            "the server's certificate is not recognised: vigie refuses to connect. If it is your own server, run \
             \"vigie setup\" again: it shows the certificate's fingerprint and offers to trust it."
                .to_owned()
        }
        (A::Secret(S::OnlineAccounts(_)), Lang::Fr) => {
            "les Comptes en ligne de GNOME ne répondent pas : êtes-vous dans une session GNOME ?".to_owned()
        }
        (A::Secret(S::OnlineAccounts(_)), Lang::En) => {
            "GNOME Online Accounts does not answer: are you in a GNOME session?".to_owned()
        }
        (A::Secret(S::NoOnlineAccount { user }), Lang::Fr) => format!(
            "le compte {user} n'est plus dans les Comptes en ligne de GNOME : ajoutez-le à nouveau dans \
             Paramètres → Comptes en ligne."
        ),
        (A::Secret(S::NoOnlineAccount { user }), Lang::En) => {
            format!(
                "the account {user} is no longer in GNOME Online Accounts: add it again in Settings → Online Accounts."
            )
        }
        (A::Secret(S::OnlineAccountSignIn { .. }) | A::Mailbox(M::TokenRejected { .. }), Lang::Fr) => {
            "l'accès à cette boîte a expiré : ouvrez Paramètres → Comptes en ligne (ou le programme qui fournit \
             le jeton) et reconnectez le compte."
                .to_owned()
        }
        (A::Secret(S::OnlineAccountSignIn { .. }) | A::Mailbox(M::TokenRejected { .. }), Lang::En) => {
            "access to this mailbox has expired: open Settings → Online Accounts (or the program that provides \
             the token) and sign in to the account again."
                .to_owned()
        }
        _ => return None,
    })
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
    let port = if account.imap_port == 993 { String::new() } else { format!(":{}", account.imap_port) };
    match lang {
        Lang::Fr => format!("Test de la connexion à {}{port}…", account.imap_host),
        Lang::En => format!("Testing the connection to {}{port}…", account.imap_host),
    }
}

pub fn setup_password_refused(attempt: u32, of: u32, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "✘ le serveur refuse le mot de passe. C'est le plus souvent une faute de frappe : vérifiez les \
             majuscules (touche Verr. Maj.) et les accents, puis retapez-le (essai {attempt} sur {of})."
        ),
        Lang::En => format!(
            "✘ the server refuses the password. Most often it is a typo: check capitals (Caps Lock) and \
             accents, then type it again (try {attempt} of {of})."
        ),
    }
}

pub fn setup_password_still_refused(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "✘ le serveur refuse le mot de passe. Vérifiez-le en vous connectant à votre messagerie sur son \
             site ; certaines messageries demandent un « mot de passe d'application » distinct pour les \
             logiciels comme vigie (voir les réglages de sécurité du compte)."
        }
        Lang::En => {
            "✘ the server refuses the password. Check it by logging in to your mail on its website; some \
             providers want a separate \"app password\" for programs like vigie (see the account's security \
             settings)."
        }
    }
}

pub fn setup_certificate_unknown(host: &str, fingerprint: &Fingerprint, lang: Lang) -> String {
    let grouped = fingerprint.grouped();
    match lang {
        Lang::Fr => format!(
            "Le serveur {host} présente un certificat que vigie ne peut pas vérifier : aucune autorité connue \
             ne l'a signé. C'est normal pour un serveur installé chez soi ou par un proche, mais ce pourrait \
             aussi être quelqu'un qui se fait passer pour votre serveur.\n\
             L'empreinte de ce certificat (sa « signature » unique) est :\n    {grouped}\n\
             Comparez-la avec celle du serveur (la personne qui l'a installé la trouve avec \
             « openssl x509 -in cert.pem -noout -fingerprint -sha256 »). Si elles sont identiques, vous pouvez \
             lui faire confiance : vigie retiendra ce certificat pour cette boîte seulement et en refusera tout \
             autre. Dans le doute, répondez non."
        ),
        Lang::En => format!(
            "The server {host} shows a certificate vigie cannot check: no known authority signed it. That is \
             normal for a server set up at home or by a relative, but it could also be someone pretending to \
             be your server.\n\
             This certificate's fingerprint (its unique \"signature\") is:\n    {grouped}\n\
             Compare it with the server's (whoever set it up finds it with \
             \"openssl x509 -in cert.pem -noout -fingerprint -sha256\"). If they are the same, you can trust \
             it: vigie will remember this certificate for this mailbox only and refuse any other. If in doubt, \
             answer no."
        ),
    }
}

pub fn setup_certificate_changed(host: &str, pinned: &Fingerprint, found: &Fingerprint, lang: Lang) -> String {
    let (pinned, found) = (pinned.grouped(), found.grouped());
    match lang {
        Lang::Fr => format!(
            "Attention : le serveur {host} ne présente plus le certificat auquel vous aviez fait confiance.\n\
             Empreinte retenue :   {pinned}\nEmpreinte présentée : {found}\n\
             Si la personne qui s'occupe du serveur vient de le changer, vérifiez avec elle la nouvelle \
             empreinte. Sinon, répondez non : quelqu'un se fait peut-être passer pour votre serveur."
        ),
        Lang::En => format!(
            "Warning: the server {host} no longer shows the certificate you trusted.\n\
             Trusted fingerprint: {pinned}\nPresented:           {found}\n\
             If whoever runs the server just changed it, check the new fingerprint with them. Otherwise, \
             answer no: someone may be pretending to be your server."
        ),
    }
}

pub fn setup_trust_certificate(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Faire confiance à ce certificat pour cette boîte ?",
        Lang::En => "Trust this certificate for this mailbox?",
    }
}

pub fn setup_certificate_trusted(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "✔ Certificat retenu pour cette boîte. Nouvel essai…",
        Lang::En => "✔ Certificate remembered for this mailbox. Trying again…",
    }
}

pub fn setup_answers_kept(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => {
            "Vos réponses (sauf le mot de passe) sont gardées : relancez « vigie setup », elles vous seront \
             proposées ; appuyez sur Entrée pour garder chacune."
        }
        Lang::En => {
            "Your answers (but the password) are kept: run \"vigie setup\" again and they are offered; press \
             Enter to keep each one."
        }
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
            "✔ Connecté. Dossiers surveillés : {}.\n✔ Ces 30 derniers jours : {} ameli, {} FranceConnect, {}.",
            super::folder_names(folders, lang),
            super::count(ameli, lang, "notification de connexion", "notifications de connexion"),
            super::count(fc, lang, "notification", "notifications"),
            super::count(fakes, lang, "faux message", "faux messages"),
        ),
        Lang::En => format!(
            "✔ Connected. Watched folders: {}.\n✔ Last 30 days: {} to ameli, {} from FranceConnect, {}.",
            super::folder_names(folders, lang),
            super::count(ameli, lang, "login notice", "login notices"),
            super::count(fc, lang, "notice", "notices"),
            super::count(fakes, lang, "fake message", "fake messages"),
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

/// `error` is shown only with `--verbose`.
pub fn setup_keyring_failed(error: &str, lang: Lang) -> String {
    let error = super::detail(&error, lang);
    match lang {
        Lang::Fr => format!(
            "le mot de passe n'a pas pu être rangé dans le trousseau du système{error}. \
             Déverrouillez le trousseau, ou utilisez --password-command avec votre gestionnaire de mots de passe."
        ),
        Lang::En => format!(
            "the password could not be stored in the system keyring{error}. \
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

/// What is already known of a login found at setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PastAnswer {
    /// Nothing yet: setup asks.
    New,
    /// An own login already explains it (a previous setup, `vigie login`,
    /// "C'était moi").
    Yours,
    /// The user answered "Ce n'était pas moi".
    NotYours,
    /// The user said they had dealt with it.
    Handled,
}

pub fn setup_past_logins(past: &[(Service, DateTime<Utc>, PastAnswer)], lang: Lang) -> String {
    let mut out = match lang {
        Lang::Fr => "Connexions trouvées ces 30 derniers jours :".to_owned(),
        Lang::En => "Logins found in the last 30 days:".to_owned(),
    };
    for (service, at, answer) in past {
        let known = match (answer, lang) {
            (PastAnswer::New, _) => "",
            (PastAnswer::Yours, Lang::Fr) => " — déjà notée comme la vôtre",
            (PastAnswer::Yours, Lang::En) => " — already recorded as yours",
            (PastAnswer::NotYours, Lang::Fr) => " — vous avez déjà répondu « ce n'était pas moi »",
            (PastAnswer::NotYours, Lang::En) => " — you already answered \"it was not me\"",
            (PastAnswer::Handled, Lang::Fr) => " — déjà traitée",
            (PastAnswer::Handled, Lang::En) => " — already dealt with",
        };
        out.push_str(&format!("\n  • {} — {}{known}", service_name(*service), paris_time(*at, lang)));
    }
    out
}

pub fn setup_were_they_yours(new: usize, lang: Lang) -> String {
    match (new, lang) {
        (1, Lang::Fr) => "Cette connexion, sans réponse jusqu'ici, était-ce bien vous ?".into(),
        (1, Lang::En) => "This login, unanswered so far: was it you?".into(),
        (n, Lang::Fr) => format!("Ces {n} connexions sans réponse jusqu'ici, était-ce bien vous à chaque fois ?"),
        (n, Lang::En) => format!("These {n} logins, unanswered so far: was it you every time?"),
    }
}

pub fn setup_past_recorded(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "✔ {} comme les vôtres : pas d'alerte pour elles.",
            super::count(n, lang, "connexion notée", "connexions notées")
        ),
        Lang::En => {
            format!("✔ {} as yours: no alert for them.", super::count(n, lang, "login recorded", "logins recorded"))
        }
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

pub fn setup_past_all_answered(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "✔ Vous aviez déjà répondu pour chacune : rien de plus à faire.",
        Lang::En => "✔ You had already answered for each one: nothing more to do.",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::AgentError;
    use crate::mailbox::MailboxError;
    use crate::secrets::SecretError;

    #[test]
    fn access_problems_are_said_in_each_language_without_internals() {
        let pin = Fingerprint([1; 32]);
        let errors = [
            AgentError::Mailbox(MailboxError::CertificateChanged { pinned: pin, found: Fingerprint([2; 32]) }),
            AgentError::Mailbox(MailboxError::Untrusted("error:0A000086:SSL routines".into())),
            AgentError::Mailbox(MailboxError::TokenRejected { user: "alice".into(), detail: "AUTHENTICATE".into() }),
            AgentError::Secret(SecretError::OnlineAccounts("org.freedesktop.DBus.Error.ServiceUnknown".into())),
            AgentError::Secret(SecretError::NoOnlineAccount { user: "mamie@hotmail.fr".into() }),
            AgentError::Secret(SecretError::OnlineAccountSignIn { user: "mamie@hotmail.fr".into() }),
        ];
        for error in &errors {
            let fr = access_problem(error, Lang::Fr).expect("French");
            let en = access_problem(error, Lang::En).expect("English");
            for said in [&fr, &en] {
                assert!(
                    !said.contains("error:") && !said.contains("org.freedesktop") && !said.contains("01:01"),
                    "{said}"
                );
            }
            assert!(fr.contains("vigie") || fr.contains("Comptes en ligne") || fr.contains("Paramètres"), "{fr}");
            assert_ne!(fr, en);
        }
        assert!(access_problem(&AgentError::Mailbox(MailboxError::Lost("x".into())), Lang::Fr).is_none());
    }
}
