//! Why a mailbox could not be read, when the server itself misbehaved:
//! it stalled, sent more than vigie accepts, or offered no safe enough
//! encryption.

use super::Lang;
use crate::mailbox::MailboxError;

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
