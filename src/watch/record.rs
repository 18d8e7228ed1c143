//! Record: one raw message → the journal, once.
//!
//! The key of a message is its account and Message-ID, else a hash of its
//! content. A suspicious message is keyed apart: a fake that reuses the
//! Message-ID of a genuine notice (even one yet to come) can never make the
//! journal think it already has the genuine one.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::journal::{Journal, JournalError, Location};
use crate::notice::{Authenticity, NotAnEmail, Recognition, Rules, recognise};

/// What became of one message.
#[derive(Debug)]
pub enum Ingested {
    /// Nothing to do with ameli or FranceConnect.
    Unrelated(Recognition),
    /// A message claiming a service, new to the journal.
    Recorded { id: i64, seen: Recognition },
    /// The journal already had it (same account and key).
    AlreadyKnown(Recognition),
    /// Not an e-mail at all.
    Unreadable(NotAnEmail),
}

/// The journal's key for a message.
pub fn message_key(seen: &Recognition, raw: &[u8]) -> String {
    let base = match &seen.envelope.message_id {
        Some(id) if !id.trim().is_empty() => format!("id:{}", id.trim()),
        _ => format!("sha256:{:x}", Sha256::digest(raw)),
    };
    match seen.notice.as_ref().map(|n| n.authenticity) {
        Some(Authenticity::Suspicious) => format!("suspicious:{base}"),
        _ => base,
    }
}

/// Recognises one raw message and records it if it claims a service.
pub fn record(
    journal: &Journal,
    rules: &Rules,
    account: &str,
    location: &Location,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Ingested, JournalError> {
    let seen = match recognise(raw, rules) {
        Ok(seen) => seen,
        Err(e) => return Ok(Ingested::Unreadable(e)),
    };
    if seen.notice.is_none() {
        return Ok(Ingested::Unrelated(seen));
    }
    let key = message_key(&seen, raw);
    Ok(match journal.record_notice(account, &key, location, &seen, now)? {
        Some(id) => Ingested::Recorded { id, seen },
        None => Ingested::AlreadyKnown(seen),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENUINE: &[u8] = b"Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\nMessage-ID: <n1@ameli>\r\n\r\n\
Connexion le 20 novembre 2026 a 10:14.\r\n";

    const FAKE_SAME_ID: &[u8] = b"From: Votre Assurance Maladie <service@ameli-fr.com>\r\n\
Subject: Votre compte ameli - Information de connexion\r\nMessage-ID: <n1@ameli>\r\n\r\n\
Securisez votre compte ici : https://ameli-fr.com/login\r\n";

    #[test]
    fn a_fake_reusing_a_genuine_message_id_never_hides_the_genuine_notice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let rules = Rules::builtin();
        let now = Utc::now();
        let loc = Location::default();
        let fake = record(&journal, &rules, "Mamie", &loc, FAKE_SAME_ID, now).expect("fake");
        assert!(matches!(fake, Ingested::Recorded { .. }), "{fake:?}");
        let genuine = record(&journal, &rules, "Mamie", &loc, GENUINE, now).expect("genuine");
        assert!(matches!(genuine, Ingested::Recorded { .. }), "the genuine notice is recorded: {genuine:?}");
        let again = record(&journal, &rules, "Mamie", &loc, GENUINE, now).expect("again");
        assert!(matches!(again, Ingested::AlreadyKnown(_)), "and only once");
    }
}
