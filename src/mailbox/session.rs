//! The real IMAP session: TLS (see `tls`), login, and each command run
//! under [`Limits`] through the guarded stream.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use chrono::NaiveDate;
use imap::types::UnsolicitedResponse;
use imap_proto::NameAttribute;

use super::guard::{Budget, Capped, Limits, Tripped};
use super::tls::{self, TlsStream, Trust};
use super::{
    BODY_PREFIX, COMMAND_TIME, CONNECT_TIMEOUT, Candidate, Fetched, Folder, FolderState, HEADER_PREFIX, IdleOutcome,
    Mailbox, MailboxError, WHOLE_MAX, or_chain, uid_set,
};
use crate::config::{AccountConfig, Fingerprint};
use crate::secrets::Credential;

type Stream = Capped<TlsStream>;

/// At most this many UIDs per header FETCH.
const HEADER_CHUNK: usize = 100;
/// The slowest transfer rate tolerated: a command's deadline grows with
/// the bytes it may bring.
const MIN_RATE: u64 = 64 << 10;
/// Bytes of protocol around each message in a FETCH answer, and slack for
/// an `RFC822.SIZE` a little off.
const PER_MESSAGE_SLACK: u64 = 64 << 10;

/// Limits of a command whose answer holds no message data.
const SMALL: Limits = Limits { time: COMMAND_TIME, bytes: 16 << 20, literal: 64 << 10 };

/// A typical header block, for the time a header FETCH may take (its
/// byte budget allows up to [`HEADER_PREFIX`] each).
const TYPICAL_HEADER: u64 = 16 << 10;

/// Limits of a FETCH expected to bring `expected` bytes, allowed `bytes`.
fn limits_for(expected: u64, bytes: u64, literal: u64) -> Limits {
    Limits { time: COMMAND_TIME + Duration::from_secs(expected / MIN_RATE), bytes, literal }
}

struct XOAuth2<'a> {
    user: &'a str,
    token: &'a str,
}

impl imap::Authenticator for XOAuth2<'_> {
    type Response = String;
    /// The token, in answer to the server's empty challenge. A challenge
    /// with data is the server's error report (a JSON status, RFC 7628 §3.2.2
    /// for the same exchange in OAUTHBEARER): the client answers it with an
    /// empty line, and the server then ends with a tagged NO.
    fn process(&self, challenge: &[u8]) -> String {
        if challenge.is_empty() {
            format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token)
        } else {
            String::new()
        }
    }
}

/// A logged-in, read-only IMAP session.
pub struct Imap {
    session: imap::Session<Stream>,
    socket: TcpStream,
    budget: Budget,
    idle: bool,
    /// A command failed in a way that leaves the stream unusable.
    broken: bool,
    /// Bytes of message data fetched (headers and bodies), for benchmarks.
    pub bytes_fetched: u64,
}

/// What a failed command means, given the limit it hit (if any).
fn failure(e: imap::Error, tripped: Option<Tripped>) -> MailboxError {
    match tripped {
        Some(Tripped::Deadline(time)) => return MailboxError::Stalled { seconds: time.as_secs() },
        Some(Tripped::Line(limit)) => return MailboxError::Oversized { what: "line", limit },
        Some(Tripped::Literal { limit, .. }) => return MailboxError::Oversized { what: "literal", limit },
        Some(Tripped::Answer(limit)) => return MailboxError::Oversized { what: "answer", limit },
        None => {}
    }
    match e {
        imap::Error::Io(e) => MailboxError::Lost(e.to_string()),
        imap::Error::ConnectionLost => MailboxError::Lost("closed by the server".into()),
        imap::Error::Bye(b) => MailboxError::Lost(format!("server said goodbye: {b:?}")),
        other => MailboxError::Protocol(other.to_string()),
    }
}

impl Imap {
    /// Connects over TLS (1.2 at least; certificate checked, with
    /// `tls_ca_file` as an extra trusted root, or exactly the pinned
    /// `tls_cert_sha256`) and logs in, each step under a deadline.
    pub fn connect(account: &AccountConfig, credential: &Credential) -> Result<Imap, MailboxError> {
        let (tcp, socket) = open_tcp(&account.imap_host, account.imap_port)?;
        let budget = Budget::new(SMALL);
        let tls = tls::handshake(&Trust::of(account), &account.imap_host, tcp, &budget)?;
        if let Some(pinned) = account.tls_cert_sha256 {
            // Checked before a single byte of the login is sent.
            let found = tls::leaf_fingerprint(&tls)?;
            if found != pinned {
                return Err(MailboxError::CertificateChanged { pinned, found });
            }
        }

        let mut client = imap::Client::new(Capped::new(tls, budget.clone()));
        budget.start(SMALL);
        client.read_greeting().map_err(|e| failure(e, budget.take_tripped()))?;
        let user = account.username.as_str();
        budget.start(SMALL);
        let session = match credential {
            Credential::Password(password) => client.login(user, password),
            Credential::OAuth2Token(token) => client.authenticate("XOAUTH2", &XOAuth2 { user, token }),
        };
        let rejected = |detail: String| match credential {
            Credential::Password(_) => MailboxError::LoginRejected { user: user.into(), detail },
            Credential::OAuth2Token(_) => MailboxError::TokenRejected { user: user.into(), detail },
        };
        let session = session.map_err(|(e, _)| match (e, budget.take_tripped()) {
            (imap::Error::No(no), None) => rejected(no.information),
            (imap::Error::Bad(bad), None) => rejected(bad.information),
            (other, tripped) => failure(other, tripped),
        })?;
        let mut imap = Imap { session, socket, budget, idle: false, broken: false, bytes_fetched: 0 };
        imap.idle = imap.command(SMALL, |s| s.capabilities().map(|c| c.has_str("IDLE")))?;
        Ok(imap)
    }

    /// Runs one command under `limits`. After a failure that may leave
    /// the stream mid-answer, the session refuses further commands.
    fn command<T>(
        &mut self,
        limits: Limits,
        run: impl FnOnce(&mut imap::Session<Stream>) -> imap::error::Result<T>,
    ) -> Result<T, MailboxError> {
        if self.broken {
            return Err(MailboxError::Lost("the session failed earlier".into()));
        }
        self.budget.start(limits);
        let result = run(&mut self.session);
        // Unsolicited answers pile up in the session otherwise.
        self.session.take_all_unsolicited().for_each(drop);
        result.map_err(|e| {
            let tripped = self.budget.take_tripped();
            if tripped.is_some() || matches!(e, imap::Error::Io(_) | imap::Error::ConnectionLost | imap::Error::Bye(_))
            {
                self.broken = true;
            }
            failure(e, tripped)
        })
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
        let names = self.command(SMALL, |s| s.list(Some(""), Some("*")))?;
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

    /// Logs out, briefly; a session that already failed is just dropped.
    pub fn logout(mut self) {
        if !self.broken {
            let _ = self.command(Limits { time: Duration::from_secs(5), ..SMALL }, |s| s.logout());
        }
    }

    fn search(&mut self, query: String) -> Result<Vec<u32>, MailboxError> {
        let mut uids: Vec<u32> = self.command(SMALL, |s| s.uid_search(query))?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// One FETCH; `each` gets every message's UID, size and data.
    fn fetch(
        &mut self,
        uids: &[u32],
        query: &str,
        limits: Limits,
        mut each: impl FnMut(u32, Option<u32>, &[u8]),
    ) -> Result<(), MailboxError> {
        let fetches = self.command(limits, |s| s.uid_fetch(uid_set(uids), query))?;
        for fetch in fetches.iter() {
            let data = fetch.header().or_else(|| fetch.body());
            if let (Some(uid), Some(bytes)) = (fetch.uid, data) {
                self.bytes_fetched += bytes.len() as u64;
                each(uid, fetch.size, bytes);
            }
        }
        Ok(())
    }
}

/// A TCP connection to `host:port` (the first address that answers within
/// [`CONNECT_TIMEOUT`]), and a clone of it.
fn open_tcp(host: &str, port: u16) -> Result<(TcpStream, TcpStream), MailboxError> {
    let unreachable = |detail: String| MailboxError::Connect { host: host.into(), port, detail };
    let addrs = (host, port).to_socket_addrs().map_err(|e| unreachable(e.to_string()))?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    let tcp = addrs
        .into_iter()
        .find_map(|addr| TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| last = e).ok())
        .ok_or_else(|| unreachable(last.to_string()))?;
    tcp.set_write_timeout(Some(COMMAND_TIME)).map_err(|e| unreachable(e.to_string()))?;
    let socket = tcp.try_clone().map_err(|e| unreachable(e.to_string()))?;
    Ok((tcp, socket))
}

/// The fingerprint of the certificate `host:port` presents, without
/// trusting it and without logging in: what `setup` shows the user before
/// asking whether to trust a certificate the usual checks refused.
pub fn server_certificate(host: &str, port: u16) -> Result<Fingerprint, MailboxError> {
    let (tcp, _socket) = open_tcp(host, port)?;
    let budget = Budget::new(SMALL);
    budget.start(SMALL);
    let tls = tls::handshake(&Trust::Fingerprint, host, tcp, &budget)?;
    tls::leaf_fingerprint(&tls)
}

/// The examined folder of an [`Imap`] session.
pub struct Selected<'a> {
    imap: &'a mut Imap,
    state: FolderState,
}

impl Mailbox for Imap {
    type Folder<'a> = Selected<'a>;

    fn has_idle(&self) -> bool {
        self.idle
    }

    fn folders(&mut self, configured: Option<&[String]>) -> Result<Vec<String>, MailboxError> {
        Imap::folders(self, configured)
    }

    fn examine(&mut self, folder: &str) -> Result<Selected<'_>, MailboxError> {
        let mailbox = self.command(SMALL, |s| s.examine(folder))?;
        let state = FolderState {
            uidvalidity: mailbox.uid_validity.unwrap_or(0),
            uidnext: mailbox.uid_next.unwrap_or(0),
            exists: mailbox.exists,
        };
        Ok(Selected { imap: self, state })
    }

    fn bytes_fetched(&self) -> u64 {
        self.bytes_fetched
    }

    fn interrupter(&self) -> Option<TcpStream> {
        Imap::interrupter(self).ok()
    }

    fn logout(self) {
        Imap::logout(self);
    }
}

impl Folder for Selected<'_> {
    fn state(&self) -> FolderState {
        self.state
    }

    fn search_candidates(&mut self, since: NaiveDate, terms: &[&str]) -> Result<Vec<u32>, MailboxError> {
        self.imap.search(format!("SINCE {} {}", since.format("%d-%b-%Y"), or_chain(terms)))
    }

    fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, MailboxError> {
        // The server answers `n:*` with the last message even when its UID
        // is lower: filter.
        let mut uids = self.imap.search(format!("UID {}:*", last.saturating_add(1)))?;
        uids.retain(|&u| u > last);
        Ok(uids)
    }

    fn candidates(
        &mut self,
        uids: &[u32],
        keep: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<Vec<Candidate>, MailboxError> {
        let query = format!("(UID RFC822.SIZE BODY.PEEK[HEADER]<0.{HEADER_PREFIX}>)");
        let mut out = Vec::new();
        for chunk in uids.chunks(HEADER_CHUNK) {
            let n = chunk.len() as u64;
            let limits = limits_for(n * TYPICAL_HEADER, n * (HEADER_PREFIX + PER_MESSAGE_SLACK), HEADER_PREFIX);
            self.imap.fetch(chunk, &query, limits, |uid, size, header| {
                if keep(header) {
                    out.push(Candidate { uid, size });
                }
            })?;
        }
        out.sort_unstable_by_key(|c| c.uid);
        Ok(out)
    }

    fn bodies(&mut self, batch: &[Candidate]) -> Result<Vec<Fetched>, MailboxError> {
        let mut out = Vec::with_capacity(batch.len());
        let (whole, big): (Vec<&Candidate>, Vec<&Candidate>) = batch.iter().partition(|c| !c.is_big());
        for (part, query, truncated) in
            [(whole, "(UID BODY.PEEK[])".to_owned(), false), (big, format!("(UID BODY.PEEK[]<0.{BODY_PREFIX}>)"), true)]
        {
            if part.is_empty() {
                continue;
            }
            let uids: Vec<u32> = part.iter().map(|c| c.uid).collect();
            let expected: u64 = part.iter().map(|c| c.expected()).sum();
            let bytes = expected + (1 << 20) + part.len() as u64 * PER_MESSAGE_SLACK;
            let literal = if truncated { BODY_PREFIX } else { WHOLE_MAX } + PER_MESSAGE_SLACK;
            self.imap.fetch(&uids, &query, limits_for(bytes, bytes, literal), |uid, _, raw| {
                let size = part.iter().find(|c| c.uid == uid).and_then(|c| c.size);
                out.push(Fetched { uid, raw: raw.to_vec(), size, truncated });
            })?;
        }
        out.sort_unstable_by_key(|f| f.uid);
        Ok(out)
    }

    fn idle(&mut self, timeout: Duration) -> Result<IdleOutcome, MailboxError> {
        // The wait itself is an absolute deadline (see guard): keepalives
        // do not extend it.
        let imap = &mut *self.imap;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            imap.command(Limits { bytes: 1 << 20, ..SMALL }, |s| {
                let mut handle = s.idle();
                handle.timeout(timeout).keepalive(false);
                handle.wait_while(|response| !matches!(response, UnsolicitedResponse::Exists(_)))
            })
        }))
        .unwrap_or_else(|_| {
            // The crate panics when a server answers IDLE with a tagged OK
            // instead of a continuation: a broken server, not a crash.
            imap.broken = true;
            Err(MailboxError::Protocol("the server answered IDLE without waiting".into()))
        });
        match outcome? {
            imap::extensions::idle::WaitOutcome::MailboxChanged => Ok(IdleOutcome::Changed),
            imap::extensions::idle::WaitOutcome::TimedOut => Ok(IdleOutcome::TimedOut),
        }
    }
}
