//! IMAP, read-only: connect over TLS with timeouts, log in, `EXAMINE`,
//! `UID SEARCH`, `UID FETCH … BODY.PEEK`, `IDLE`. vigie never marks, moves
//! or deletes mail: no command here can.
//!
//! The socket is ours (connect and read timeouts, and a clone kept so that
//! another thread can shut it down to interrupt a blocking read: on stop,
//! or after a suspend).

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use chrono::NaiveDate;
use imap::types::UnsolicitedResponse;
use imap_proto::NameAttribute;
use native_tls::{Certificate, TlsConnector, TlsStream};

use crate::config::AccountConfig;
use crate::secrets::Credential;

/// Timeouts for connecting and for each read or write.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
pub const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// At most this many UIDs per FETCH command.
const FETCH_CHUNK: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("cannot reach {host}:{port}: {detail}")]
    Connect { host: String, port: u16, detail: String },
    #[error("the server's certificate is not trusted ({0}); if this is your own server, set tls_ca_file")]
    Untrusted(String),
    #[error("secure connection failed: {0}")]
    Tls(String),
    #[error("cannot read tls_ca_file {path}: {detail}")]
    CaFile { path: String, detail: String },
    #[error("the server refused the login for {user}: {detail}")]
    LoginRejected { user: String, detail: String },
    #[error("the connection was lost: {0}")]
    Lost(String),
    #[error("the server answered something unexpected: {0}")]
    Protocol(String),
    #[error("no folder named {0:?} on the server")]
    NoSuchFolder(String),
}

impl MailboxError {
    /// The credentials were refused: that too can mean the mailbox was
    /// taken over (its password changed).
    pub fn credentials_rejected(&self) -> bool {
        matches!(self, MailboxError::LoginRejected { .. })
    }
}

fn protocol(e: imap::Error) -> MailboxError {
    match e {
        imap::Error::Io(e) => MailboxError::Lost(e.to_string()),
        imap::Error::ConnectionLost => MailboxError::Lost("closed by the server".into()),
        imap::Error::Bye(b) => MailboxError::Lost(format!("server said goodbye: {b:?}")),
        other => MailboxError::Protocol(other.to_string()),
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

struct XOAuth2<'a> {
    user: &'a str,
    token: &'a str,
}

impl imap::Authenticator for XOAuth2<'_> {
    type Response = String;
    fn process(&self, _challenge: &[u8]) -> String {
        format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
    }
}

/// A logged-in, read-only IMAP session.
pub struct Imap {
    session: imap::Session<TlsStream<TcpStream>>,
    socket: TcpStream,
    idle: bool,
    /// Bytes of message data fetched (headers and bodies), for benchmarks.
    pub bytes_fetched: u64,
}

impl Imap {
    /// Connects over TLS (certificate checked, with `tls_ca_file` as an
    /// extra trusted root) and logs in.
    pub fn connect(account: &AccountConfig, credential: &Credential) -> Result<Imap, MailboxError> {
        let (host, port) = (account.imap_host.as_str(), account.imap_port);
        let unreachable = |detail: String| MailboxError::Connect { host: host.into(), port, detail };
        let addrs = (host, port).to_socket_addrs().map_err(|e| unreachable(e.to_string()))?;
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        let tcp = addrs
            .into_iter()
            .find_map(|addr| TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| last = e).ok())
            .ok_or_else(|| unreachable(last.to_string()))?;
        tcp.set_read_timeout(Some(IO_TIMEOUT)).map_err(|e| unreachable(e.to_string()))?;
        tcp.set_write_timeout(Some(IO_TIMEOUT)).map_err(|e| unreachable(e.to_string()))?;
        let socket = tcp.try_clone().map_err(|e| unreachable(e.to_string()))?;

        let mut builder = TlsConnector::builder();
        if let Some(path) = &account.tls_ca_file {
            let ca_error = |detail: String| MailboxError::CaFile { path: path.display().to_string(), detail };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            builder.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?);
        }
        let connector = builder.build().map_err(|e| MailboxError::Tls(e.to_string()))?;
        let tls = connector.connect(host, tcp).map_err(|e| {
            let text = e.to_string();
            if text.contains("certificate") || text.contains("verify") {
                MailboxError::Untrusted(text)
            } else {
                MailboxError::Tls(text)
            }
        })?;

        let mut client = imap::Client::new(tls);
        client.read_greeting().map_err(protocol)?;
        let user = account.username.as_str();
        let session = match credential {
            Credential::Password(password) => client.login(user, password),
            Credential::OAuth2Token(token) => client.authenticate("XOAUTH2", &XOAuth2 { user, token }),
        };
        let mut session = session.map_err(|(e, _)| match e {
            imap::Error::No(no) => MailboxError::LoginRejected { user: user.into(), detail: no.information },
            imap::Error::Bad(bad) => MailboxError::LoginRejected { user: user.into(), detail: bad.information },
            other => protocol(other),
        })?;
        let idle = session.capabilities().map_err(protocol)?.has_str("IDLE");
        Ok(Imap { session, socket, idle, bytes_fetched: 0 })
    }

    /// A handle on the socket that another thread may shut down to
    /// interrupt this session.
    pub fn interrupter(&self) -> io::Result<TcpStream> {
        self.socket.try_clone()
    }

    pub fn has_idle(&self) -> bool {
        self.idle
    }

    /// The folders to watch: the configured ones (checked to exist), else
    /// INBOX and every folder the server marks `\Junk` (RFC 6154).
    pub fn folders(&mut self, configured: Option<&[String]>) -> Result<Vec<String>, MailboxError> {
        let names = self.session.list(Some(""), Some("*")).map_err(protocol)?;
        if let Some(wanted) = configured {
            for folder in wanted {
                let exists = folder.eq_ignore_ascii_case("INBOX") || names.iter().any(|n| n.name() == folder);
                if !exists {
                    return Err(MailboxError::NoSuchFolder(folder.clone()));
                }
            }
            return Ok(wanted.to_vec());
        }
        let mut folders = vec!["INBOX".to_owned()];
        folders.extend(
            names.iter().filter(|n| n.attributes().contains(&NameAttribute::Junk)).map(|n| n.name().to_owned()),
        );
        Ok(folders)
    }

    /// Opens `folder` read-only.
    pub fn examine(&mut self, folder: &str) -> Result<FolderState, MailboxError> {
        let mailbox = self.session.examine(folder).map_err(protocol)?;
        Ok(FolderState {
            uidvalidity: mailbox.uid_validity.unwrap_or(0),
            uidnext: mailbox.uid_next.unwrap_or(0),
            exists: mailbox.exists,
        })
    }

    /// UIDs of messages since `since` that may concern ameli or
    /// FranceConnect, narrowed on the server with ASCII terms on the sender
    /// and the subject.
    pub fn search_candidates(&mut self, since: NaiveDate, terms: &[&str]) -> Result<Vec<u32>, MailboxError> {
        let query = format!("SINCE {} {}", since.format("%d-%b-%Y"), or_chain(terms));
        let mut uids: Vec<u32> = self.session.uid_search(query).map_err(protocol)?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// UIDs above `last` (the server answers `n:*` with the last message
    /// even when its UID is lower, so filter).
    pub fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, MailboxError> {
        let query = format!("UID {}:*", last.saturating_add(1));
        let mut uids: Vec<u32> =
            self.session.uid_search(query).map_err(protocol)?.into_iter().filter(|&u| u > last).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The header block of each message, without marking anything read.
    pub fn headers(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, MailboxError> {
        self.fetch(uids, "(UID BODY.PEEK[HEADER])", |f| f.header())
    }

    /// Whole messages, without marking anything read.
    pub fn bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, MailboxError> {
        self.fetch(uids, "(UID BODY.PEEK[])", |f| f.body())
    }

    fn fetch(
        &mut self,
        uids: &[u32],
        query: &str,
        part: impl for<'f> Fn(&'f imap::types::Fetch<'_>) -> Option<&'f [u8]>,
    ) -> Result<Vec<(u32, Vec<u8>)>, MailboxError> {
        let mut out = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(FETCH_CHUNK) {
            let fetches = self.session.uid_fetch(uid_set(chunk), query).map_err(protocol)?;
            for fetch in fetches.iter() {
                if let (Some(uid), Some(bytes)) = (fetch.uid, part(fetch)) {
                    self.bytes_fetched += bytes.len() as u64;
                    out.push((uid, bytes.to_vec()));
                }
            }
        }
        Ok(out)
    }

    /// Waits in IDLE on the examined folder until the server pushes a new
    /// message or `timeout` passes; then leaves IDLE.
    pub fn idle(&mut self, timeout: Duration) -> Result<IdleOutcome, MailboxError> {
        let outcome = {
            let mut handle = self.session.idle();
            handle.timeout(timeout).keepalive(false);
            handle.wait_while(|response| !matches!(response, UnsolicitedResponse::Exists(_)))
        };
        // The crate clears the read timeout when it leaves IDLE: put ours back.
        let _ = self.socket.set_read_timeout(Some(IO_TIMEOUT));
        match outcome.map_err(protocol)? {
            imap::extensions::idle::WaitOutcome::MailboxChanged => Ok(IdleOutcome::Changed),
            imap::extensions::idle::WaitOutcome::TimedOut => Ok(IdleOutcome::TimedOut),
        }
    }

    /// A cheap round trip: is the connection alive?
    pub fn noop(&mut self) -> Result<(), MailboxError> {
        self.session.noop().map_err(protocol)
    }

    pub fn logout(mut self) {
        let _ = self.session.logout();
    }
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
}
