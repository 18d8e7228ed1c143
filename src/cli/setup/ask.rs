//! How `vigie setup` gets its answers, and the checks a typed answer must
//! pass before setup goes on (an address, a server with its port).
//!
//! Three ways to answer: on a terminal (prompts, the password typed
//! unseen); from standard input one answer a line, password included, when
//! it is not a terminal (scripts and tests); or only by flags with
//! `--password-stdin` (standard input then holds the password alone, a
//! missing answer is an error naming its flag, and a yes/no question is
//! answered no).

use std::io::{BufRead, IsTerminal, Write};

use super::super::CliError;
use crate::messages::{self, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Terminal,
    Lines,
    FlagsOnly,
}

pub struct Asker {
    pub lang: Lang,
    mode: Mode,
}

impl Asker {
    pub fn new(lang: Lang, password_stdin: bool) -> Asker {
        let mode = match (password_stdin, std::io::stdin().is_terminal()) {
            (true, _) => Mode::FlagsOnly,
            (false, true) => Mode::Terminal,
            (false, false) => Mode::Lines,
        };
        Asker { lang, mode }
    }

    pub fn on_terminal(&self) -> bool {
        self.mode == Mode::Terminal
    }

    /// One line of standard input, without its end; `None` at its end.
    fn line() -> Result<Option<String>, CliError> {
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
    }

    /// The answer to `question` (`flag` is what answers it without
    /// asking); an empty answer takes `default`.
    pub fn ask(&self, question: &str, flag: &str, default: Option<&str>) -> Result<String, CliError> {
        let missing = || CliError::Usage(messages::setup_missing(flag, self.lang));
        if self.mode == Mode::FlagsOnly {
            return default.map(str::to_owned).ok_or_else(missing);
        }
        loop {
            match default.filter(|d| !d.is_empty()) {
                Some(d) => print!("{question} [{d}] : "),
                None => print!("{question} : "),
            }
            std::io::stdout().flush()?;
            let answer = Self::line()?.ok_or_else(missing)?;
            if self.mode == Mode::Lines {
                println!();
            }
            let answer = answer.trim();
            if !answer.is_empty() {
                return Ok(answer.to_owned());
            }
            if let Some(d) = default {
                return Ok(d.to_owned());
            }
        }
    }

    /// A yes/no question; no answer (flags only, end of input) is no.
    pub fn confirm(&self, question: &str, default_yes: bool) -> Result<bool, CliError> {
        if self.mode == Mode::FlagsOnly {
            return Ok(false);
        }
        let hint = messages::yes_no_hint(default_yes, self.lang);
        let Ok(answer) = self.ask(&format!("{question} {hint}"), "", Some("")) else { return Ok(false) };
        Ok(match answer.to_lowercase().chars().next() {
            Some('o' | 'y') => true,
            Some('n') => false,
            _ => default_yes,
        })
    }

    /// The mailbox password: typed unseen on a terminal, else a line of
    /// standard input; `None` when there is none (end of input).
    pub fn password(&self) -> Result<Option<String>, CliError> {
        match self.mode {
            Mode::Terminal => Ok(Some(rpassword::prompt_password(messages::setup_ask_password(self.lang))?)),
            Mode::Lines => {
                print!("{}", messages::setup_ask_password(self.lang));
                std::io::stdout().flush()?;
                let line = Self::line()?;
                println!();
                Ok(line)
            }
            Mode::FlagsOnly => Self::line(),
        }
    }
}

/// Whether `email` looks like an address: one `@`, something before it, a
/// dotted domain after it, no spaces. Not a full RFC 5322 check: it catches
/// the typos a person makes (a missing @, a missing dot, a space).
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// A server as typed: `host`, `host:port` or `[v6]:port`; the port if one
/// was given. `Err` when the port part is not a port.
pub fn split_host_port(typed: &str) -> Result<(String, Option<u16>), String> {
    let typed = typed.trim();
    let (host, port) = if let Some(rest) = typed.strip_prefix('[') {
        match rest.split_once(']') {
            Some((v6, tail)) => (v6, tail.strip_prefix(':')),
            None => (typed, None),
        }
    } else if typed.matches(':').count() == 1 {
        let (host, port) = typed.split_once(':').unwrap_or((typed, ""));
        (host, Some(port))
    } else {
        (typed, None)
    };
    match port {
        None => Ok((host.to_owned(), None)),
        Some(p) => parse_port(p).map(|p| (host.to_owned(), Some(p))).ok_or_else(|| p.to_owned()),
    }
}

/// A port number, 1 to 65535.
pub fn parse_port(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|p| *p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_needs_an_at_and_a_dotted_domain() {
        for good in ["jeanne.dupont@orange.fr", "a@b.c", "moi+vigie@mail.example.org"] {
            assert!(plausible_email(good), "{good}");
        }
        for bad in
            ["jeanne.orange.fr", "jeanne@orangefr", "@orange.fr", "jeanne@orange.fr.", "j d@orange.fr", "a@b@c.d"]
        {
            assert!(!plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_server_may_carry_its_port() {
        assert_eq!(split_host_port("imap.example.org"), Ok(("imap.example.org".into(), None)));
        assert_eq!(split_host_port("127.0.0.1:11993"), Ok(("127.0.0.1".into(), Some(11993))));
        assert_eq!(split_host_port(" [::1]:993 "), Ok(("::1".into(), Some(993))));
        assert_eq!(split_host_port("::1"), Ok(("::1".into(), None)));
        assert_eq!(split_host_port("mail.example.org:imaps"), Err("imaps".into()));
        assert_eq!(split_host_port("mail.example.org:0"), Err("0".into()));
    }
}
