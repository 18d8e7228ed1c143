//! Why a mailbox could not be read, when the server itself misbehaved:
//! it stalled, sent more than vigie accepts, or offered no safe enough
//! encryption.

use super::{Lang, detail};
use crate::agent::AgentError;
use crate::mailbox::MailboxError;

/// What an operating-system error text says happened on the network, in
/// plain words; `None` when it is none of the usual ones.
fn network_words(text: &str, host: &str, lang: Lang) -> Option<String> {
    let t = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    Some(if has(&["os error 11)", "timed out", "temporarily unavailable", "would block", "os error 110)"]) {
        match lang {
            Lang::Fr => {
                "le serveur n'a pas répondu à temps (connexion Internet ? serveur en panne ?) ; vigie réessaiera."
                    .into()
            }
            Lang::En => {
                "the server did not answer in time (Internet connection? server down?); vigie will try again.".into()
            }
        }
    } else if has(&["connection refused", "os error 111)"]) {
        match lang {
            Lang::Fr => format!("le serveur {host} refuse la connexion (mauvais port ? mauvaise adresse ?)"),
            Lang::En => format!("the server {host} refuses the connection (wrong port? wrong address?)"),
        }
    } else if has(&["lookup", "name or service not known", "no address", "nodename nor servname", "dns"]) {
        match lang {
            Lang::Fr => format!("le serveur {host} est introuvable (adresse mal tapée ? pas d'Internet ?)"),
            Lang::En => format!("the server {host} cannot be found (address mistyped? no Internet?)"),
        }
    } else if has(&["network is unreachable", "os error 101)", "no route", "os error 113)"]) {
        match lang {
            Lang::Fr => "pas d'accès au réseau (l'ordinateur est-il connecté à Internet ?)".into(),
            Lang::En => "no network access (is the computer connected to the Internet?)".into(),
        }
    } else if has(&["reset by peer", "broken pipe", "os error 104)", "os error 32)"]) {
        match lang {
            Lang::Fr => "la connexion au serveur a été coupée ; vigie réessaiera.".into(),
            Lang::En => "the connection to the server was cut; vigie will try again.".into(),
        }
    } else {
        return None;
    })
}

/// Why an account could not be read, in plain words (no internals: they
/// go through [`detail`]). What `vigie status` keeps for the account.
pub fn mailbox_reason(error: &AgentError, lang: Lang) -> String {
    use crate::secrets::SecretError as S;
    use AgentError as A;
    use MailboxError as M;
    if let A::Secret(e) = error
        && let Some(said) = super::secret_command_problem(e, lang)
    {
        return said;
    }
    // Pinned and untrusted certificates, refused tokens, GNOME Online
    // Accounts: said with what setup can do about them.
    if let Some(said) = super::access_problem(error, lang) {
        return said;
    }
    match (error, lang) {
        (A::Mailbox(M::LoginRejected { .. }), Lang::Fr) => {
            "le serveur refuse le mot de passe. S'il a changé sans vous, quelqu'un a peut-être pris la main \
             sur cette boîte : changez-le au plus vite, puis lancez « vigie setup »."
                .to_owned()
        }
        (A::Mailbox(M::LoginRejected { .. }), Lang::En) => {
            "the server refuses the password. If it changed without you, someone may have taken over this \
             mailbox: change it at once, then run \"vigie setup\"."
                .to_owned()
        }
        (A::Mailbox(M::Connect { host, port, detail }), lang) => {
            let server = format!("{host}:{port}");
            network_words(detail, &server, lang).unwrap_or_else(|| match lang {
                Lang::Fr => {
                    format!("impossible de joindre le serveur {server} (connexion Internet ? adresse du serveur ?)")
                }
                Lang::En => format!("cannot reach the server {server} (Internet connection? server address?)"),
            })
        }
        (A::Mailbox(M::Untrusted(_)), Lang::Fr) => "le certificat du serveur n'est pas reconnu : vigie refuse de s'y \
            connecter (connexion non sûre). S'il s'agit de votre propre serveur, relancez « vigie setup » pour \
            l'accepter, ou indiquez son certificat avec tls_ca_file."
            .to_owned(),
        (A::Mailbox(M::Untrusted(_)), Lang::En) => "the server's certificate is not trusted: vigie refuses to \
            connect (unsafe connection). If this is your own server, run \"vigie setup\" again to accept it, or \
            give its certificate with tls_ca_file."
            .to_owned(),
        (A::Mailbox(M::CertificateChanged { .. } | M::TokenRejected { .. }), _) => {
            super::access_problem(error, lang).unwrap_or_default()
        }
        (A::Mailbox(M::CaFile { path, .. }), Lang::Fr) => {
            format!("le certificat {path} (tls_ca_file) est illisible : vérifiez le chemin dans la configuration.")
        }
        (A::Mailbox(M::CaFile { path, .. }), Lang::En) => {
            format!("the certificate {path} (tls_ca_file) cannot be read: check the path in the configuration.")
        }
        (A::Mailbox(M::Lost(why)), lang) => network_words(why, "", lang).unwrap_or_else(|| match lang {
            Lang::Fr => "la connexion au serveur a été coupée ; vigie réessaiera.".to_owned(),
            Lang::En => "the connection to the server was cut; vigie will try again.".to_owned(),
        }),
        (A::Mailbox(M::Protocol(_)), Lang::Fr) => {
            "le serveur a répondu de façon incompréhensible : la boîte n'a pas pu être lue, vigie réessaiera."
                .to_owned()
        }
        (A::Mailbox(M::Protocol(_)), Lang::En) => {
            "the server answered something vigie cannot understand: the mailbox could not be read; vigie will try \
             again."
                .to_owned()
        }
        (A::Mailbox(m @ (M::Stalled { .. } | M::Oversized { .. } | M::Tls(_))), lang) => {
            server_misbehaved(m, lang).unwrap_or_default()
        }
        (A::Mailbox(M::NoSuchFolder(f)), Lang::Fr) => format!("le dossier « {f} » n'existe pas sur le serveur."),
        (A::Mailbox(M::NoSuchFolder(f)), Lang::En) => format!("the folder \"{f}\" does not exist on the server."),
        (A::Secret(S::NotInKeyring { .. }), Lang::Fr) => {
            "aucun mot de passe enregistré pour cette boîte : lancez « vigie setup ».".to_owned()
        }
        (A::Secret(S::NotInKeyring { .. }), Lang::En) => {
            "no password stored for this mailbox: run \"vigie setup\".".to_owned()
        }
        (A::Secret(_), Lang::Fr) => "le trousseau de mots de passe ne répond pas (est-il déverrouillé ?).".to_owned(),
        (A::Secret(_), Lang::En) => "the password keyring does not answer (is it unlocked?).".to_owned(),
        (A::Journal(e), lang) => super::journal_problem(e, lang),
    }
}

/// Why an account could not be read: its name, the plain words, and the
/// technical detail with `--verbose`.
pub fn mailbox_problem(account: &str, error: &AgentError, lang: Lang) -> String {
    let what = mailbox_reason(error, lang);
    let detail = detail(error, lang);
    match lang {
        Lang::Fr => format!("✘ {account} : {what}{detail}"),
        Lang::En => format!("✘ {account}: {what}{detail}"),
    }
}

/// The user's sentence for a server that stalled, sent too much or failed
/// the secure connection; `None` for the other mailbox errors.
pub fn server_misbehaved(error: &MailboxError, lang: Lang) -> Option<String> {
    let mib = |bytes: &u64| bytes.div_ceil(1 << 20);
    Some(match (error, lang) {
        (MailboxError::Stalled { seconds }, Lang::Fr) => format!(
            "le serveur ne répond plus (réponse inachevée après {seconds} s) : la boîte n'a pas pu être lue, \
             vigie réessaiera."
        ),
        (MailboxError::Stalled { seconds }, Lang::En) => format!(
            "the server stopped answering (no complete answer after {seconds} s): the mailbox could not be read; \
             vigie will try again."
        ),
        (MailboxError::Oversized { limit, .. }, Lang::Fr) => format!(
            "le serveur a envoyé une réponse démesurée (plus de {} Mo) : vigie l'a refusée, la boîte n'a pas pu \
             être lue.",
            mib(limit)
        ),
        (MailboxError::Oversized { limit, .. }, Lang::En) => format!(
            "the server sent an oversized answer (over {} MB): vigie refused it; the mailbox could not be read.",
            mib(limit)
        ),
        (MailboxError::Tls(_), Lang::Fr) => "la connexion sécurisée avec le serveur a échoué (il ne propose \
            peut-être qu'un chiffrement trop ancien, antérieur à TLS 1.2) : vigie ne s'y connecte pas."
            .to_owned(),
        (MailboxError::Tls(_), Lang::En) => "the secure connection with the server failed (it may offer only \
            encryption older than TLS 1.2): vigie does not connect to it."
            .to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stalled_or_flooding_server_is_named_in_both_languages() {
        let stalled = MailboxError::Stalled { seconds: 60 };
        assert!(server_misbehaved(&stalled, Lang::Fr).is_some_and(|s| s.contains("ne répond plus")));
        assert!(server_misbehaved(&stalled, Lang::En).is_some_and(|s| s.contains("stopped answering")));
        let big = MailboxError::Oversized { what: "literal", limit: 10 << 20 };
        assert!(server_misbehaved(&big, Lang::Fr).is_some_and(|s| s.contains("10 Mo")));
        assert!(server_misbehaved(&MailboxError::Lost("x".into()), Lang::Fr).is_none());
    }
}
