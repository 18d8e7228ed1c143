//! What one IMAP command may cost, enforced on the stream itself: a server
//! that trickles, stalls, or streams an endless line or a huge literal
//! fails the command instead of holding vigie or filling its memory.
//!
//! Two layers share one [`Budget`]: [`Timed`] sits under TLS and gives each
//! socket read only the time left before the command's deadline (a TLS
//! record read one byte at a time cannot outlive it); [`Capped`] sits above
//! TLS, sees the IMAP text, and counts the bytes of the command, the length
//! of the current line and the size each literal (`{N}\r\n`) announces.
//! A literal is refused when it is announced, before any of it is read.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What one command may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time allowed for the whole command, answer included.
    pub time: Duration,
    /// Bytes of answer allowed in all.
    pub bytes: u64,
    /// The largest literal accepted.
    pub literal: u64,
}

/// Which limit a command hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tripped {
    Deadline(Duration),
    Line(u64),
    Literal { announced: u64, limit: u64 },
    Answer(u64),
}

/// The longest line outside literals (a `SEARCH` answer listing a million
/// UIDs fits).
pub const LINE_MAX: u64 = 8 << 20;

#[derive(Debug)]
struct State {
    limits: Limits,
    deadline: Instant,
    used: u64,
    tripped: Option<Tripped>,
}

/// The limits of the command under way, shared by both layers and by the
/// session that starts commands.
#[derive(Debug, Clone)]
pub struct Budget(Arc<Mutex<State>>);

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget(Arc::new(Mutex::new(State { limits, deadline: Instant::now() + limits.time, used: 0, tripped: None })))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of
        // plain numbers: they are still usable.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a command: a fresh deadline and byte count.
    pub fn start(&self, limits: Limits) {
        let mut s = self.lock();
        *s = State { limits, deadline: Instant::now() + limits.time, used: 0, tripped: None };
    }

    /// Moves the deadline to `time` from now (IDLE's own wait).
    pub fn extend(&self, time: Duration) {
        let mut s = self.lock();
        s.deadline = Instant::now() + time;
        s.limits.time = time;
        s.tripped = None;
    }

    /// The limit hit by the last command, if any (and forgets it).
    pub fn take_tripped(&self) -> Option<Tripped> {
        self.lock().tripped.take()
    }

    fn trip(&self, why: Tripped) -> io::Error {
        let mut s = self.lock();
        s.tripped.get_or_insert(why);
        let kind =
            if matches!(why, Tripped::Deadline(_)) { io::ErrorKind::TimedOut } else { io::ErrorKind::InvalidData };
        io::Error::new(kind, format!("{why:?}"))
    }

    fn remaining(&self) -> Result<Duration, io::Error> {
        let (deadline, time) = {
            let s = self.lock();
            (s.deadline, s.limits.time)
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() { Err(self.trip(Tripped::Deadline(time))) } else { Ok(left) }
    }
}

/// The TCP socket under TLS: every read waits at most until the deadline.
#[derive(Debug)]
pub struct Timed {
    tcp: TcpStream,
    budget: Budget,
}

impl Timed {
    pub fn new(tcp: TcpStream, budget: Budget) -> Timed {
        Timed { tcp, budget }
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.remaining()?;
        self.tcp.set_read_timeout(Some(left))?;
        match self.tcp.read(buf) {
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                let time = self.budget.lock().limits.time;
                Err(self.budget.trip(Tripped::Deadline(time)))
            }
            other => other,
        }
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// The IMAP text over TLS: bytes per command, line length, literal size.
#[derive(Debug)]
pub struct Capped<S> {
    inner: S,
    budget: Budget,
    line: u64,
    literal_left: u64,
    /// The end of the current line, to spot a literal's `{N}\r\n`.
    tail: Vec<u8>,
}

impl<S> Capped<S> {
    pub fn new(inner: S, budget: Budget) -> Capped<S> {
        Capped { inner, budget, line: 0, literal_left: 0, tail: Vec::with_capacity(32) }
    }

    fn scan(&mut self, bytes: &[u8], literal_max: u64) -> Result<(), Tripped> {
        let mut i = 0;
        while i < bytes.len() {
            if self.literal_left > 0 {
                let take = self.literal_left.min((bytes.len() - i) as u64);
                self.literal_left -= take;
                i += take as usize;
                continue;
            }
            let b = bytes[i];
            i += 1;
            self.line += 1;
            if self.line > LINE_MAX {
                return Err(Tripped::Line(LINE_MAX));
            }
            if self.tail.len() >= 32 {
                self.tail.drain(..8);
            }
            self.tail.push(b);
            if b == b'\n' {
                if let Some(announced) = literal_announced(&self.tail) {
                    if announced > literal_max {
                        return Err(Tripped::Literal { announced, limit: literal_max });
                    }
                    self.literal_left = announced;
                }
                self.line = 0;
                self.tail.clear();
            }
        }
        Ok(())
    }
}

impl<S: Read> Read for Capped<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (used, limits) = {
            let s = self.budget.lock();
            (s.used, s.limits)
        };
        if used >= limits.bytes {
            return Err(self.budget.trip(Tripped::Answer(limits.bytes)));
        }
        // Never read past the budget: what is over it is never held.
        let room = usize::try_from(limits.bytes - used).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..room])?;
        self.budget.lock().used += n as u64;
        self.scan(&buf[..n], limits.literal).map_err(|why| self.budget.trip(why))?;
        Ok(n)
    }
}

impl<S: Write> Write for Capped<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// IDLE sets its wait as a read timeout: here it becomes the deadline, so
/// that keepalives (`* OK Still here`) do not extend the wait. Clearing it
/// (after the wait) gives the `DONE` exchange a fresh command deadline.
impl<S: Read + Write> imap::extensions::idle::SetReadTimeout for Capped<S> {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::error::Result<()> {
        self.budget.extend(timeout.unwrap_or(super::COMMAND_TIME));
        Ok(())
    }
}

/// `N` when a line ends with a literal's announcement `{N}\r\n` (or the
/// `~{N}` of a binary literal). Too many digits count as too large.
fn literal_announced(line_end: &[u8]) -> Option<u64> {
    let rest = line_end.strip_suffix(b"}\r\n")?;
    let open = rest.iter().rposition(|&b| b == b'{')?;
    let digits = &rest[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Limits = Limits { time: Duration::from_secs(60), bytes: 1 << 30, literal: 1 << 20 };

    fn read_all(data: &[u8], limits: Limits) -> Result<Vec<u8>, Tripped> {
        let budget = Budget::new(limits);
        let mut capped = Capped::new(data, budget.clone());
        let mut out = Vec::new();
        match capped.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(budget.take_tripped().expect("a limit was hit")),
        }
    }

    #[test]
    fn a_literal_over_the_cap_is_refused_when_announced() {
        let data = b"* 1 FETCH (UID 5 BODY[] {1073741824}\r\nxxxx";
        assert_eq!(read_all(data, ROOMY), Err(Tripped::Literal { announced: 1 << 30, limit: 1 << 20 }));
    }

    #[test]
    fn a_literal_may_hold_long_lines_but_text_may_not() {
        let mut ok = b"* 1 FETCH (BODY[] {20}\r\n".to_vec();
        ok.extend([b'x'; 20]);
        ok.extend(b")\r\n");
        let limits = Limits { literal: 20, ..ROOMY };
        assert!(read_all(&ok, limits).is_ok());
        let endless = vec![b'x'; (LINE_MAX + 10) as usize];
        assert_eq!(read_all(&endless, ROOMY), Err(Tripped::Line(LINE_MAX)));
    }

    #[test]
    fn an_answer_over_the_budget_stops_at_the_budget() {
        let data = b"* SEARCH 1 2 3\r\n".repeat(100);
        assert_eq!(read_all(&data, Limits { bytes: 160, ..ROOMY }), Err(Tripped::Answer(160)));
    }

    #[test]
    fn announcements_are_read_from_the_line_end() {
        assert_eq!(literal_announced(b"BODY[] {123}\r\n"), Some(123));
        assert_eq!(literal_announced(b"BINARY[] ~{7}\r\n"), Some(7));
        assert_eq!(literal_announced(b"{99999999999999999999999}\r\n"), Some(u64::MAX));
        assert_eq!(literal_announced(b"* OK done\r\n"), None);
        assert_eq!(literal_announced(b"{}\r\n"), None);
    }
}

#[cfg(test)]
mod deadline_tests {
    use std::io::BufRead;
    use std::net::TcpListener;
    use std::thread;

    use super::*;

    /// A server on 127.0.0.1 that sends `line` every `every`, for ever.
    fn talking_server(line: &'static [u8], every: Duration) -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        thread::spawn(move || {
            let (mut peer, _) = listener.accept().expect("accept");
            while peer.write_all(line).is_ok() {
                thread::sleep(every);
            }
        });
        TcpStream::connect(addr).expect("connect")
    }

    #[test]
    fn keepalives_do_not_extend_an_idle_wait() {
        let tcp = talking_server(b"* OK Still here\r\n", Duration::from_millis(50));
        let budget = Budget::new(Limits { time: Duration::from_secs(60), bytes: 1 << 20, literal: 1024 });
        let mut reader = io::BufReader::new(Capped::new(Timed::new(tcp, budget.clone()), budget.clone()));
        let started = Instant::now();
        imap::extensions::idle::SetReadTimeout::set_read_timeout(reader.get_mut(), Some(Duration::from_millis(400)))
            .expect("set");
        let mut lines = 0;
        let mut line = Vec::new();
        let error = loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(_) => lines += 1,
                Err(e) => break e,
            }
        };
        let waited = started.elapsed();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(lines >= 4, "the keepalives were read ({lines})");
        assert!(waited >= Duration::from_millis(400) && waited < Duration::from_millis(900), "{waited:?}");
    }

    #[test]
    fn a_trickle_cannot_outlive_the_deadline() {
        let tcp = talking_server(b"*", Duration::from_millis(20));
        let budget = Budget::new(Limits { time: Duration::from_millis(300), bytes: 1 << 20, literal: 1024 });
        let mut reader = io::BufReader::new(Capped::new(Timed::new(tcp, budget.clone()), budget.clone()));
        let started = Instant::now();
        let error = reader.read_until(b'\n', &mut Vec::new()).expect_err("never a whole line");
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_millis(800), "{:?}", started.elapsed());
        assert_eq!(budget.take_tripped(), Some(Tripped::Deadline(Duration::from_millis(300))));
    }
}
