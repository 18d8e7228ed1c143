//! `vigie scan [--json] FILE…`: reads saved e-mails and says, for each,
//! whether it is a genuine ameli or FranceConnect notice, a fake, or
//! unrelated. `-` reads one message from standard input.
//!
//! Exit status: 1 when a message is suspicious, else 2 when a file could
//! not be scanned, else 0. A bad file never stops the others.
//!
//! `scan` has no account: it reads the topmost `Authentication-Results`,
//! whoever wrote it, and says whose it was. A forward with the original
//! attached gets a second line: the original's own verdict (which counts
//! for the exit status); a forward copied into the text, a line saying its
//! sender cannot be checked. Nothing from a message or a
//! file name reaches the terminal raw ([`terminal_safe`]).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;

use clap::Args;
use rustix::fs::{Mode, OFlags};

use super::{Cli, CliError};
use crate::Exit;
use crate::config::Config;
use crate::messages::{self, Lang};
use crate::notice::{Authenticity, Forwarded, Recognition, Rules, recognise, terminal_safe};
use crate::report::{self, ScanError, ScanRecord};

/// Larger messages are not analysed: notices are a few kilobytes, and this
/// bounds memory whatever is thrown at vigie.
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

/// `--json` output is written to stdout in pieces of about this size.
const JSON_WRITE_BYTES: usize = 32 * 1024;

/// Tell genuine ameli/FranceConnect notices from fakes in saved e-mails
#[derive(Debug, Args)]
pub struct Scan {
    /// One object per file, one per line (stable format for scripts)
    #[arg(long)]
    pub json: bool,
    /// Messages to read (.eml); `-` reads standard input
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
}

/// Why one file got no verdict.
enum Skipped {
    Unreadable(io::Error),
    TooLarge(u64),
    NotAnEmail(crate::notice::NotAnEmail),
}

impl Scan {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let config = Config::load(cli.config.as_deref())?;
        let rules = config.rules()?;
        let stdout = io::stdout();
        let mut out = stdout.lock();
        // JSON lines are gathered here and written a few dozen kilobytes
        // at a time, not one write per line (stdout is line-buffered).
        let mut lines = Vec::new();
        let (mut suspicious, mut failed) = (false, false);
        let (mut buf, mut opener) = (Vec::new(), Opener::default());
        for file in &self.files {
            match scan_one(file, &rules, &mut buf, &mut opener) {
                Ok(seen) => {
                    suspicious |= is_suspicious(&seen)
                        || matches!(&seen.forwarded, Some(Forwarded::Attached(original)) if is_suspicious(original));
                    self.print_verdict(&mut out, &mut lines, file, &seen, cli.lang)?;
                }
                Err(skipped) => {
                    failed = true;
                    self.print_skipped(&mut lines, file, &skipped, cli.lang)?;
                }
            }
            if lines.len() >= JSON_WRITE_BYTES {
                out.write_all(&lines)?;
                lines.clear();
            }
        }
        out.write_all(&lines)?;
        out.flush()?;
        // The process ends here: freeing thousands of automaton states one
        // by one would only cost time.
        std::mem::forget(rules);
        Ok(if suspicious {
            Exit::Attention
        } else if failed {
            Exit::Usage
        } else {
            Exit::Ok
        })
    }

    fn print_verdict(
        &self,
        out: &mut impl Write,
        lines: &mut Vec<u8>,
        file: &str,
        seen: &Recognition,
        lang: Lang,
    ) -> io::Result<()> {
        if !self.json {
            let verdict = messages::scan_verdict(seen, lang);
            writeln!(out, "{}", messages::labelled(&terminal_safe(file), &terminal_safe(&verdict), lang))?;
            if let Some(forwarded) = &seen.forwarded {
                let note = messages::forwarded(forwarded, lang);
                writeln!(out, "{}", messages::labelled(&terminal_safe(file), &terminal_safe(&note), lang))?;
            }
            return Ok(());
        }
        ScanRecord::new(file, seen, lang).push_line(lines);
        Ok(())
    }

    fn print_skipped(&self, lines: &mut Vec<u8>, file: &str, skipped: &Skipped, lang: Lang) -> io::Result<()> {
        let text = match skipped {
            Skipped::Unreadable(e) => messages::unreadable(e, lang),
            Skipped::TooLarge(size) => messages::too_large(*size, MAX_MESSAGE_BYTES, lang),
            Skipped::NotAnEmail(e) => messages::not_an_email(e, lang),
        };
        if self.json {
            report::push_line(lines, &ScanError { file: file.to_owned(), error: text });
            Ok(())
        } else {
            // The verdicts go to stdout; a file without one is reported on
            // stderr too, so that it is seen when stdout is piped.
            eprintln!("{}", messages::labelled(&terminal_safe(file), &terminal_safe(&text), lang));
            Ok(())
        }
    }
}

fn is_suspicious(seen: &Recognition) -> bool {
    seen.notice.as_ref().is_some_and(|n| n.authenticity == Authenticity::Suspicious)
}

/// Reads and recognises one file (`-`: standard input). `buf` is the
/// scan's one read buffer, reused from file to file.
fn scan_one(file: &str, rules: &Rules, buf: &mut Vec<u8>, opener: &mut Opener) -> Result<Recognition, Skipped> {
    let len = if file == "-" {
        // The size of standard input is not known in advance.
        read_capped(io::stdin().lock(), buf, || Ok(0))?
    } else {
        let f = opener.open(file).map_err(Skipped::Unreadable)?;
        read_capped(&f, buf, || f.metadata().map(|m| m.len()))?
    };
    recognise(buf.get(..len).unwrap_or_default(), rules).map_err(Skipped::NotAnEmail)
}

/// Opens the files of a scan. From the second file in a row in the same
/// folder on, a file is opened relative to that folder, kept open
/// (`O_PATH`): the kernel does not walk the folder's path again for each
/// of hundreds of files (and a scan of one file costs no more than
/// before). Same file, same errors as [`File::open`], which takes every
/// other path (no folder, or a name that is not a file's: `.`, `..`, `x/`)
/// and any path whose folder cannot be opened, so that its error is the
/// one users see.
#[derive(Default)]
struct Opener {
    /// The folder of the file before: its path up to the last `/`, included.
    folder: String,
    /// That folder, opened when a second file in it comes.
    fd: Option<OwnedFd>,
}

impl Opener {
    fn open(&mut self, path: &str) -> io::Result<File> {
        let Some((folder, name)) = path.rfind('/').map(|slash| path.split_at(slash + 1)) else {
            return File::open(path);
        };
        if matches!(name, "" | "." | "..") {
            return File::open(path);
        }
        if folder != self.folder {
            folder.clone_into(&mut self.folder);
            self.fd = None;
            return File::open(path);
        }
        if self.fd.is_none() {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            self.fd = rustix::fs::open(folder, flags, Mode::empty()).ok();
        }
        match &self.fd {
            Some(fd) => Ok(File::from(rustix::fs::openat(fd, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?)),
            None => File::open(path),
        }
    }
}

/// The first read of a message asks for this much: notices are a few
/// kilobytes, so one read and the one that finds the end are all most
/// files need, with no `stat`.
const FIRST_READ_BYTES: usize = 64 * 1024;

/// Reads a whole message into the start of `buf` and returns its length:
/// at most [`MAX_MESSAGE_BYTES`], more is an error, not a truncation.
/// `buf` grows as needed (never beyond one byte more than the cap, for
/// the read that finds the end) and is not cleared: only the bytes read
/// count. `size_of` (the file's size, 0 if unknown) is asked only when a
/// message fills the first read, so that a too-large file is refused
/// without being read.
fn read_capped(
    mut reader: impl Read,
    buf: &mut Vec<u8>,
    size_of: impl FnOnce() -> io::Result<u64>,
) -> Result<usize, Skipped> {
    const CAP: usize = MAX_MESSAGE_BYTES as usize + 1;
    let (mut len, mut end) = (0, FIRST_READ_BYTES.min(CAP));
    let mut size_of = Some(size_of);
    loop {
        if len == end {
            if len == CAP {
                return Err(Skipped::TooLarge(CAP as u64));
            }
            let expected = match size_of.take() {
                Some(size_of) => size_of().map_err(Skipped::Unreadable)?,
                None => 0,
            };
            if expected > MAX_MESSAGE_BYTES {
                return Err(Skipped::TooLarge(expected));
            }
            // All of it (and the read that finds the end) at once if the
            // size is known, else twice the room.
            end = (end * 2).max(expected as usize + 1).min(CAP);
        }
        if buf.is_empty() {
            // Zeroed by the allocator (calloc): fresh pages are touched
            // only as far as reads fill them.
            *buf = vec![0; end];
        } else if buf.len() < end {
            buf.resize(end, 0);
        }
        match reader.read(buf.get_mut(len..end).unwrap_or_default()) {
            Ok(0) => return Ok(len),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Skipped::Unreadable(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Gives its bytes a few at a time, as a pipe may, and is interrupted
    /// once: the reader must go on.
    struct Trickle<'a> {
        bytes: &'a [u8],
        interrupted: bool,
        read: &'a Cell<usize>,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = out.len().min(self.bytes.len()).min(1000);
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            self.read.set(self.read.get() + n);
            Ok(n)
        }
    }

    fn read(bytes: &[u8], size: u64, buf: &mut Vec<u8>) -> (Result<usize, Skipped>, usize, bool) {
        let (read, asked) = (Cell::new(0), Cell::new(false));
        let result = read_capped(Trickle { bytes, interrupted: false, read: &read }, buf, || {
            assert!(!asked.replace(true), "the size is asked once");
            Ok(size)
        });
        (result, read.get(), asked.get())
    }

    #[test]
    fn a_message_is_read_whole_whatever_its_size_and_the_buffer_is_reused() {
        let mut buf = Vec::new();
        let big: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        for (bytes, size) in [(&big[..], 200_000), (&big[..5], 5), (&big[..150_000], 0), (&[][..], 0)] {
            let (result, _, _) = read(bytes, size, &mut buf);
            let len = result.ok().expect("read");
            assert_eq!(&buf[..len], bytes);
        }
        // Grown by doubling when the size is not known: at most twice the
        // largest message.
        assert!(buf.len() <= 2 * 200_000, "{}", buf.len());
    }

    #[test]
    fn the_size_is_asked_only_of_a_message_that_fills_the_first_read() {
        let mut buf = Vec::new();
        let small = vec![b'a'; FIRST_READ_BYTES - 1];
        assert!(!read(&small, 0, &mut buf).2, "a small message needs no stat");
        let large = vec![b'a'; FIRST_READ_BYTES];
        assert!(read(&large, FIRST_READ_BYTES as u64, &mut buf).2);
    }

    #[test]
    fn a_too_large_message_is_an_error_not_a_truncation_and_is_not_read_whole() {
        let mut buf = Vec::new();
        let cap = MAX_MESSAGE_BYTES as usize;
        let huge = vec![b'a'; cap + 5000];
        // Its size known: refused after the first read.
        let (result, read_bytes, _) = read(&huge, huge.len() as u64, &mut buf);
        assert!(matches!(result, Err(Skipped::TooLarge(size)) if size == huge.len() as u64));
        assert_eq!(read_bytes, FIRST_READ_BYTES);
        // Unknown (a pipe) or wrong (a file that grows): refused at the cap.
        for size in [0, 100] {
            let (result, read_bytes, _) = read(&huge, size, &mut buf);
            assert!(matches!(result, Err(Skipped::TooLarge(size)) if size == MAX_MESSAGE_BYTES + 1));
            assert_eq!(read_bytes, cap + 1);
        }
        // Exactly at the cap: read.
        let (result, _, _) = read(&huge[..cap], cap as u64, &mut buf);
        assert_eq!(result.ok(), Some(cap));
    }

    /// Whatever the order of the paths, the opener reads the file
    /// File::open reads and fails as File::open fails.
    #[test]
    fn files_in_one_folder_are_opened_relative_to_it_with_the_same_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_str().expect("utf-8 temp dir").to_owned();
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for (name, text) in [("a.eml", "a"), ("b.eml", "b"), ("sub/c.eml", "c")] {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let paths = [
            "a.eml",
            "b.eml",
            "missing.eml",
            "a.eml",
            "sub/c.eml",
            "sub/",
            "sub/..",
            "sub/.",
            "a.eml/",
            "nodir/a.eml",
            "nodir/b.eml",
            "sub/../b.eml",
            "sub/../a.eml",
            "/",
            "b.eml",
        ];
        let mut opener = Opener::default();
        for round in 0..2 {
            for path in paths {
                let path = if round == 0 { format!("{root}/{path}") } else { format!("{root}//{path}") };
                let read = |file: io::Result<File>| {
                    file.and_then(|mut f| {
                        let mut text = String::new();
                        f.read_to_string(&mut text).map(|_| text)
                    })
                    .map_err(|e| e.raw_os_error())
                };
                assert_eq!(read(opener.open(&path)), read(File::open(&path)), "{path}");
            }
        }
    }
}
