//! Record: one raw message → the journal, once.
//!
//! The key of a message is its account and Message-ID, else a hash of its
//! content. A message that is not genuine (suspicious or unverified) is
//! keyed apart: a fake that reuses the Message-ID of a genuine notice (even
//! one yet to come) can never make the journal think it already has the
//! genuine one.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::journal::{Journal, JournalError, Location};
use crate::notice::{Authenticity, NotAnEmail, Reason, Recognition, Rules, Trust, recognise_for};

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
        Some(Authenticity::Unverified) => format!("unverified:{base}"),
        _ => base,
    }
}

/// One message as the mailbox gave it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub account: &'a str,
    pub location: &'a Location,
    pub raw: &'a [u8],
    /// Too big to fetch whole: `raw` is its beginning only.
    pub truncated: bool,
}

impl<'a> Incoming<'a> {
    /// A whole message.
    pub fn whole(account: &'a str, location: &'a Location, raw: &'a [u8]) -> Incoming<'a> {
        Incoming { account, location, raw, truncated: false }
    }
}

/// Recognises one message, judging its Authentication-Results by `trust`
/// (the account's receiving servers), and records it if it claims a
/// service. A message read from its beginning only says so in its reasons.
pub fn record(
    journal: &Journal,
    rules: &Rules,
    trust: &Trust,
    message: Incoming<'_>,
    now: DateTime<Utc>,
) -> Result<Ingested, JournalError> {
    let mut seen = match recognise_for(message.raw, rules, trust) {
        Ok(seen) => seen,
        Err(e) => return Ok(Ingested::Unreadable(e)),
    };
    let Some(notice) = seen.notice.as_mut() else { return Ok(Ingested::Unrelated(seen)) };
    if message.truncated {
        notice.reasons.push(Reason::OnlyBeginningRead);
    }
    let key = message_key(&seen, message.raw);
    Ok(match journal.record_notice(message.account, &key, message.location, &seen, now)? {
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
        let trust = Trust::Topmost;
        let now = Utc::now();
        let loc = Location::default();
        let fake = record(&journal, &rules, &trust, Incoming::whole("Mamie", &loc, FAKE_SAME_ID), now).expect("fake");
        assert!(matches!(fake, Ingested::Recorded { .. }), "{fake:?}");
        let genuine = record(&journal, &rules, &trust, Incoming::whole("Mamie", &loc, GENUINE), now).expect("genuine");
        assert!(matches!(genuine, Ingested::Recorded { .. }), "the genuine notice is recorded: {genuine:?}");
        let again = record(&journal, &rules, &trust, Incoming::whole("Mamie", &loc, GENUINE), now).expect("again");
        assert!(matches!(again, Ingested::AlreadyKnown(_)), "and only once");
    }

    #[test]
    fn an_unverified_spoof_reusing_a_message_id_never_hides_the_genuine_notice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let loc = Location::default();
        // The official From, no Authentication-Results: unverified.
        let spoof: &[u8] = b"From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\nMessage-ID: <n1@ameli>\r\n\r\n\
Connexion le 20 novembre 2026 a 08:40.\r\n";
        let (rules, trust, now) = (Rules::builtin(), Trust::Topmost, Utc::now());
        let got = record(&journal, &rules, &trust, Incoming::whole("Mamie", &loc, spoof), now).expect("spoof");
        let Ingested::Recorded { seen, .. } = got else { panic!("recorded: {got:?}") };
        assert_eq!(seen.notice.map(|n| n.authenticity), Some(Authenticity::Unverified));
        let genuine = record(&journal, &rules, &trust, Incoming::whole("Mamie", &loc, GENUINE), now).expect("genuine");
        assert!(matches!(genuine, Ingested::Recorded { .. }), "the genuine notice is recorded: {genuine:?}");
    }

    #[test]
    fn a_message_read_from_its_beginning_says_so_in_its_reasons() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let loc = Location::default();
        let message = Incoming { account: "Mamie", location: &loc, raw: GENUINE, truncated: true };
        let got = record(&journal, &Rules::builtin(), &Trust::Topmost, message, Utc::now()).expect("record");
        let Ingested::Recorded { seen, .. } = got else { panic!("recorded: {got:?}") };
        let codes: Vec<&str> = seen.notice.iter().flat_map(|n| n.reasons.iter().map(|r| r.code())).collect();
        assert!(codes.contains(&"only_beginning_read"), "{codes:?}");
    }
}
