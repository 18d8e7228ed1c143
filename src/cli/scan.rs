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
        let (mut suspicious, mut failed) = (false, false);
        for file in &self.files {
            match scan_one(file, &rules) {
                Ok(seen) => {
                    suspicious |= is_suspicious(&seen)
                        || matches!(&seen.forwarded, Some(Forwarded::Attached(original)) if is_suspicious(original));
                    self.print_verdict(&mut out, file, &seen, cli.lang)?;
                }
                Err(skipped) => {
                    failed = true;
                    self.print_skipped(&mut out, file, &skipped, cli.lang)?;
                }
            }
        }
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

    fn print_verdict(&self, out: &mut impl Write, file: &str, seen: &Recognition, lang: Lang) -> io::Result<()> {
        if !self.json {
            let verdict = messages::scan_verdict(seen, lang);
            writeln!(out, "{}", messages::labelled(&terminal_safe(file), &terminal_safe(&verdict), lang))?;
            if let Some(forwarded) = &seen.forwarded {
                let note = messages::forwarded(forwarded, lang);
                writeln!(out, "{}", messages::labelled(&terminal_safe(file), &terminal_safe(&note), lang))?;
            }
            return Ok(());
        }
        writeln!(out, "{}", report::line(&ScanRecord::new(file, seen, lang)))
    }

    fn print_skipped(&self, out: &mut impl Write, file: &str, skipped: &Skipped, lang: Lang) -> io::Result<()> {
        let text = match skipped {
            Skipped::Unreadable(e) => messages::unreadable(e, lang),
            Skipped::TooLarge(size) => messages::too_large(*size, MAX_MESSAGE_BYTES, lang),
            Skipped::NotAnEmail(e) => messages::not_an_email(e, lang),
        };
        if self.json {
            writeln!(out, "{}", report::line(&ScanError { file: file.to_owned(), error: text }))
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

/// One JSON object on one line, safe on a terminal: serde_json escapes C0
/// controls but writes C1 controls and bidi controls raw; they can only
/// occur inside strings, where `\uXXXX` means the same character.
fn scan_one(file: &str, rules: &Rules) -> Result<Recognition, Skipped> {
    let raw = if file == "-" {
        read_capped(io::stdin().lock())?
    } else {
        let f = File::open(file).map_err(Skipped::Unreadable)?;
        let size = f.metadata().map_err(Skipped::Unreadable)?.len();
        if size > MAX_MESSAGE_BYTES {
            return Err(Skipped::TooLarge(size));
        }
        read_capped(f)?
    };
    recognise(&raw, rules).map_err(Skipped::NotAnEmail)
}

/// Reads at most [`MAX_MESSAGE_BYTES`]; more is an error, not a truncation.
fn read_capped(reader: impl Read) -> Result<Vec<u8>, Skipped> {
    let mut raw = Vec::new();
    reader.take(MAX_MESSAGE_BYTES + 1).read_to_end(&mut raw).map_err(Skipped::Unreadable)?;
    if raw.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(Skipped::TooLarge(raw.len() as u64));
    }
    Ok(raw)
}
