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

use clap::Args;

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
        for file in &self.files {
            match scan_one(file, &rules) {
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

/// Reads and recognises one file (`-`: standard input).
fn scan_one(file: &str, rules: &Rules) -> Result<Recognition, Skipped> {
    let raw = if file == "-" {
        read_capped(io::stdin().lock(), 0)?
    } else {
        let f = File::open(file).map_err(Skipped::Unreadable)?;
        let size = f.metadata().map_err(Skipped::Unreadable)?.len();
        if size > MAX_MESSAGE_BYTES {
            return Err(Skipped::TooLarge(size));
        }
        read_capped(f, size)?
    };
    recognise(&raw, rules).map_err(Skipped::NotAnEmail)
}

/// Reads at most [`MAX_MESSAGE_BYTES`]; more is an error, not a truncation.
/// `size`: the expected length, so that the buffer is allocated once (one
/// byte more, for the read that finds the end).
fn read_capped(reader: impl Read, size: u64) -> Result<Vec<u8>, Skipped> {
    let mut raw = Vec::with_capacity(usize::try_from(size.min(MAX_MESSAGE_BYTES) + 1).unwrap_or(0));
    reader.take(MAX_MESSAGE_BYTES + 1).read_to_end(&mut raw).map_err(Skipped::Unreadable)?;
    if raw.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(Skipped::TooLarge(raw.len() as u64));
    }
    Ok(raw)
}
