//! IMAP, read-only: connect over TLS, log in, `EXAMINE`, `UID SEARCH`,
//! `UID FETCH … BODY.PEEK`, `IDLE`. vigie never marks, moves or deletes
//! mail: no command here can.
//!
//! The watch talks to a [`Mailbox`] (a logged-in session) and to the
//! [`Folder`] it examined, so that the loop can be driven by a scripted
//! mailbox in tests; [`Imap`] is the real one.
//!
//! Bounded against a hostile or broken server (see `guard`): each command
//! has an absolute deadline, lines and literals have caps, `RFC822.SIZE`
//! comes with the headers, bodies come a few at a time, and a body over
//! [`WHOLE_MAX`] is never fetched whole: its first [`BODY_PREFIX`] bytes
//! are, and the message is marked [`Fetched::truncated`].
//!
//! The socket is ours, and a clone is kept so that another thread can shut
//! it down to interrupt a blocking read: on stop, or after a suspend.

mod guard;
mod session;
mod tls;

use std::net::TcpStream;
use std::time::Duration;

use chrono::NaiveDate;

pub use session::{Imap, Selected, server_certificate};

/// Time allowed to open the TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Time allowed for one command that brings no message data (a FETCH gets
/// more, growing with the bytes it may bring).
pub const COMMAND_TIME: Duration = Duration::from_secs(60);
/// Bodies up to this size are fetched whole.
pub const WHOLE_MAX: u64 = 10 << 20;
/// Of a larger body, this much is fetched: a notice is recognised from
/// its beginning.
pub const BODY_PREFIX: u64 = 1 << 20;
/// Of each header block, at most this much is fetched.
pub const HEADER_PREFIX: u64 = 128 << 10;
/// Bodies per FETCH, at most; and at most this many bytes expected.
pub const BATCH_MESSAGES: usize = 10;
pub const BATCH_BYTES: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("cannot reach {host}:{port}: {detail}")]
    Connect { host: String, port: u16, detail: String },
    #[error("the server's certificate is not trusted ({0}); vigie setup shows its fingerprint and can trust it")]
    Untrusted(String),
    #[error("the server's certificate is no longer the one trusted at setup (pinned {pinned}, found {found})")]
    CertificateChanged { pinned: crate::config::Fingerprint, found: crate::config::Fingerprint },
    #[error("secure connection failed: {0}")]
    Tls(String),
    #[error("cannot read tls_ca_file {path}: {detail}")]
    CaFile { path: String, detail: String },
    #[error("the server refused the login for {user}: {detail}")]
    LoginRejected { user: String, detail: String },
    /// An OAuth2 access token was refused: expired, revoked, or issued
    /// for another account.
    #[error("the server refused the OAuth2 token for {user}: {detail}")]
    TokenRejected { user: String, detail: String },
    #[error("the connection was lost: {0}")]
    Lost(String),
    #[error("the server answered something unexpected: {0}")]
    Protocol(String),
    #[error("no folder named {0:?} on the server")]
    NoSuchFolder(String),
    #[error("the server did not finish answering within {seconds} s")]
    Stalled { seconds: u64 },
    #[error("the server sent a {what} over the {limit}-byte limit")]
    Oversized { what: &'static str, limit: u64 },
}

impl MailboxError {
    /// The credentials were refused: that too can mean the mailbox was
    /// taken over (its password changed).
    pub fn credentials_rejected(&self) -> bool {
        matches!(self, MailboxError::LoginRejected { .. } | MailboxError::TokenRejected { .. })
    }
}

/// A folder's state as EXAMINE reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uidvalidity: u32,
    /// The next UID the server will give (so every message has a lower one).
    pub uidnext: u32,
    pub exists: u32,
}

/// Why an IDLE wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server pushed a change (new mail).
    Changed,
    /// Nothing happened before the timeout.
    TimedOut,
}

/// A message whose headers say it may matter, with the size the server
/// gives (`RFC822.SIZE`; `None` if it gave none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub uid: u32,
    pub size: Option<u32>,
}

impl Candidate {
    /// Too big to fetch whole.
    pub fn is_big(&self) -> bool {
        self.size.is_some_and(|s| u64::from(s) > WHOLE_MAX)
    }

    /// The bytes its body FETCH should bring (an unknown size counts as
    /// the largest whole one).
    pub fn expected(&self) -> u64 {
        if self.is_big() { BODY_PREFIX } else { self.size.map_or(WHOLE_MAX, u64::from) }
    }
}

/// A fetched message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
    /// The whole message's size, as the server gave it.
    pub size: Option<u32>,
    /// Only the first [`BODY_PREFIX`] bytes were fetched: recognition saw
    /// the beginning of the message, not all of it.
    pub truncated: bool,
}

/// A logged-in session on a mailbox.
pub trait Mailbox {
    type Folder<'a>: Folder
    where
        Self: 'a;

    /// Whether the server offers IDLE.
    fn has_idle(&self) -> bool;
    /// The folders to watch: the configured ones (checked to exist), else
    /// INBOX and every folder the server marks `\Junk`.
    fn folders(&mut self, configured: Option<&[String]>) -> Result<Vec<String>, MailboxError>;
    /// Opens `folder` read-only.
    fn examine(&mut self, folder: &str) -> Result<Self::Folder<'_>, MailboxError>;
    /// Bytes of message data fetched so far.
    fn bytes_fetched(&self) -> u64;
    /// A clone of the socket that another thread may shut down.
    fn interrupter(&self) -> Option<TcpStream> {
        None
    }
    fn logout(self);
}

/// The folder a [`Mailbox`] examined.
pub trait Folder {
    fn state(&self) -> FolderState;
    /// UIDs of messages since `since` matching any of the search `terms`
    /// (ASCII IMAP search keys), sorted.
    fn search_candidates(&mut self, since: NaiveDate, terms: &[&str]) -> Result<Vec<u32>, MailboxError>;
    /// UIDs above `last`, sorted.
    fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, MailboxError>;
    /// Fetches the headers (and sizes) of `uids` and keeps those for which
    /// `keep(header)` holds; headers are never all held at once.
    fn candidates(&mut self, uids: &[u32], keep: &mut dyn FnMut(&[u8]) -> bool)
    -> Result<Vec<Candidate>, MailboxError>;
    /// The bodies of one batch (see [`body_batches`]), without marking
    /// anything read.
    fn bodies(&mut self, batch: &[Candidate]) -> Result<Vec<Fetched>, MailboxError>;
    /// Waits in IDLE until the server pushes a new message or `timeout`
    /// passes, counted from the call (keepalives do not extend it). The
    /// watch also copes with a wait that ends early.
    fn idle(&mut self, timeout: Duration) -> Result<IdleOutcome, MailboxError>;
}

/// Candidates in batches of at most [`BATCH_MESSAGES`] and about
/// [`BATCH_BYTES`] expected: a batch is held in memory whole.
pub fn body_batches(candidates: &[Candidate]) -> Vec<&[Candidate]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, c) in candidates.iter().enumerate() {
        let full = i - start == BATCH_MESSAGES || (i > start && bytes + c.expected() > BATCH_BYTES);
        if full {
            batches.push(&candidates[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += c.expected();
    }
    if start < candidates.len() {
        batches.push(&candidates[start..]);
    }
    batches
}

/// `OR a (OR b c)`… as IMAP search keys: `OR FROM "x" OR FROM "y" SUBJECT "z"`.
fn or_chain(terms: &[&str]) -> String {
    match terms {
        [] => "ALL".into(),
        [one] => (*one).to_owned(),
        [first, rest @ ..] => format!("OR {first} {}", or_chain(rest)),
    }
}

/// `1:3,7,9:10` from sorted UIDs.
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compressed() {
        assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
    }

    #[test]
    fn search_keys_chain_with_or() {
        assert_eq!(
            or_chain(&["FROM \"a\"", "FROM \"b\"", "SUBJECT \"c\""]),
            "OR FROM \"a\" OR FROM \"b\" SUBJECT \"c\""
        );
    }

    #[test]
    fn bodies_come_in_small_batches() {
        let small: Vec<Candidate> = (1..=25).map(|uid| Candidate { uid, size: Some(2000) }).collect();
        let sizes: Vec<usize> = body_batches(&small).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, vec![10, 10, 5]);
        let nine_mb: Vec<Candidate> = (1..=4).map(|uid| Candidate { uid, size: Some(9_000_000) }).collect();
        assert!(body_batches(&nine_mb).iter().all(|b| b.len() == 1));
        let unknown = [Candidate { uid: 1, size: None }, Candidate { uid: 2, size: None }];
        assert_eq!(body_batches(&unknown).len(), 2, "an unknown size counts as the largest whole body");
        assert!(body_batches(&[]).is_empty());
    }

    #[test]
    fn a_body_over_ten_mib_is_only_a_prefix() {
        let big = Candidate { uid: 1, size: Some(11 << 20) };
        assert!(big.is_big());
        assert_eq!(big.expected(), BODY_PREFIX);
        assert!(!Candidate { uid: 2, size: Some(10 << 20) }.is_big());
    }
}
