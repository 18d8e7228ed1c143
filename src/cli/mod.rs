//! The command line: one clap-derived struct per subcommand, each in its own
//! file with its behaviour. [`Cli`] is the single definition that help, the
//! man page and the shell completions come from.

mod answer;
mod check;
mod demo;
mod doctor;
mod generate;
pub mod launchers;
mod localise;
mod log;
mod login;
mod open;
mod run;
pub mod scan;
mod service;
mod setup;
mod status;
mod test_alert;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::Exit;
use crate::config::{self, Config, ConfigError};
use crate::journal::{Journal, JournalError};
use crate::messages::Lang;
use crate::notice::RulesError;

pub use answer::Answer;
pub use check::Check;
pub use demo::Demo;
pub use doctor::Doctor;
pub use generate::Generate;
pub use launchers::{install_launchers, remove_launchers};
pub use localise::command;
pub use log::Log;
pub use login::Login;
pub use open::Open;
pub use run::Run;
pub use scan::Scan;
pub use service::Service;
pub use setup::Setup;
pub use status::Status;
pub use test_alert::TestAlert;

/// vigie — watches ameli and FranceConnect login e-mails.
///
/// Watches your mailbox for ameli and FranceConnect login notices, tells
/// genuine ones from fakes, and alerts you when a login is not yours.
/// The words users read, in both languages, are in
/// [`crate::messages::help_text`]; [`command`] puts them in.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, about, long_about)]
pub struct Cli {
    /// Configuration file [default: $VIGIE_CONFIG, else the XDG config dir]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Directory holding the journal [default: $VIGIE_DATA_DIR, else the XDG data dir]
    #[arg(long, global = true, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,
    /// Language of messages
    #[arg(long, global = true, value_enum, default_value_t = Lang::from_locale(|name| std::env::var(name).ok()))]
    pub lang: Lang,
    /// Also show the technical detail of errors
    #[arg(long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Setup(Setup),
    Scan(Scan),
    Run(Run),
    Check(Check),
    Login(Login),
    Open(Open),
    Log(Log),
    Status(Status),
    Answer(Answer),
    TestAlert(TestAlert),
    Demo(Demo),
    Service(Service),
    Doctor(Doctor),
    #[command(hide = true)]
    Generate(Generate),
}

/// What can stop a subcommand; `main` prints it and exits with
/// [`CliError::exit`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Usage(String),
    /// The system refused something vigie needs (signals, the home or
    /// data directory): not the user's typing.
    #[error("{0}")]
    System(String),
    /// The password keyring could not give the mailbox's password.
    #[error("{0}")]
    Keyring(String),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// What to tell the user, in their language (technical detail of a
    /// journal problem only in the log).
    pub fn render(&self, lang: Lang) -> String {
        use crate::messages;
        match self {
            CliError::Journal(e) => messages::journal_problem(e, lang) + &messages::detail(e, lang),
            CliError::Config(e) => messages::config_problem(e, lang),
            CliError::Rules(e) => messages::rules_problem(e, lang),
            CliError::Output(e) => messages::output_problem(e, lang),
            CliError::Usage(s) | CliError::System(s) | CliError::Keyring(s) => s.clone(),
        }
    }

    /// The exit code (DESIGN "Command line"): 2 for bad usage or config
    /// and for a journal that cannot be used (the user must act on a
    /// file); 3 when a mailbox cannot be read (its password included); 1
    /// for what is not the user's typing and may pass — a busy journal, a
    /// system refusal, a closed output.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Journal(JournalError::Busy { .. }) | CliError::System(_) | CliError::Output(_) => Exit::Attention,
            CliError::Keyring(_) => Exit::Mailbox,
            CliError::Config(_) | CliError::Rules(_) | CliError::Journal(_) | CliError::Usage(_) => Exit::Usage,
        }
    }
}

impl Cli {
    pub fn run(self) -> Result<Exit, CliError> {
        match &self.command {
            Command::Setup(c) => c.execute(&self),
            Command::Scan(c) => c.execute(&self),
            Command::Run(c) => c.execute(&self),
            Command::Check(c) => c.execute(&self),
            Command::Login(c) => c.execute(&self),
            Command::Open(c) => c.execute(&self),
            Command::Log(c) => c.execute(&self),
            Command::Status(c) => c.execute(&self),
            Command::Answer(c) => c.execute(&self),
            Command::TestAlert(c) => c.execute(&self),
            Command::Demo(c) => c.execute(&self),
            Command::Service(c) => c.execute(&self),
            Command::Doctor(c) => c.execute(&self),
            Command::Generate(c) => c.execute(&self),
        }
    }

    /// Loads what most subcommands need: the config and where the journal is.
    fn context(&self) -> Result<Context, CliError> {
        let config = self.load_config()?;
        let data_dir = config::data_dir(self.data_dir.as_deref())?;
        Ok(Context { config, data_dir, lang: self.lang })
    }

    /// [`Config::load`], with a config others could change said in the
    /// user's language.
    fn load_config(&self) -> Result<Config, CliError> {
        Config::load(self.config.as_deref()).map_err(|e| match e {
            ConfigError::NotPrivate(e) => CliError::Usage(crate::messages::private_fs_problem(&e, self.lang)),
            e => CliError::Config(e),
        })
    }
}

/// The config, the data directory and the language of one command.
struct Context {
    config: Config,
    data_dir: PathBuf,
    lang: Lang,
}

/// The account own logins go to when none is named and the config does not
/// have exactly one.
pub const DEFAULT_ACCOUNT: &str = "default";

impl Context {
    fn journal(&self) -> Result<Journal, CliError> {
        self.private_data_dir()?;
        Ok(Journal::open_in(&self.data_dir)?)
    }

    /// Creates the data directory (0700) or checks that it is the user's
    /// alone, and creates the journal's file (0600) without following a
    /// link planted at its path; refused otherwise, in the user's language.
    fn private_data_dir(&self) -> Result<(), CliError> {
        let refused = |e| CliError::Usage(crate::messages::private_fs_problem(&e, self.lang));
        crate::private_fs::create_private_dir(&self.data_dir).map_err(refused)?;
        crate::private_fs::open_private_file(&self.data_dir.join(crate::journal::FILE_NAME), true).map_err(refused)?;
        Ok(())
    }

    /// The account a command is about: the one named, else the only
    /// configured one; with several, the user must say which.
    /// A name the config does not have is refused (a typo would file the
    /// login, or the test alert, under nobody), unless no account is
    /// configured at all.
    fn account(&self, explicit: Option<&str>) -> Result<String, CliError> {
        let names: Vec<&str> = self.config.accounts.iter().map(|a| a.name.as_str()).collect();
        if let Some(name) = explicit {
            if names.is_empty() || names.contains(&name) {
                return Ok(name.to_owned());
            }
            return Err(CliError::Usage(crate::messages::unknown_account(name, &names, self.lang)));
        }
        if let Some(name) = self.config.default_account() {
            return Ok(name.to_owned());
        }
        match names.as_slice() {
            [] => Ok(DEFAULT_ACCOUNT.to_owned()),
            several => Err(CliError::Usage(crate::messages::which_account(several, self.lang))),
        }
    }

    /// Brings findings up to date after the journal changed (an own login
    /// recorded), without alerting: the watcher does. An own login recorded
    /// now explains only findings whose alert was never shown.
    fn settle(&self, journal: &mut Journal) -> Result<(), CliError> {
        crate::watch::evaluate::evaluate(
            journal,
            &self.config.match_rules(),
            chrono::Utc::now(),
            &crate::watch::history::hold(&self.config),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_the_design_exit_codes() {
        let busy = JournalError::Busy {
            path: "j".into(),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(5), None),
        };
        assert_eq!(CliError::Journal(busy).exit(), Exit::Attention, "a busy journal is not bad usage");
        assert_eq!(CliError::System("no home".into()).exit(), Exit::Attention);
        assert_eq!(CliError::Keyring("locked".into()).exit(), Exit::Mailbox);
        assert_eq!(CliError::Usage("typo".into()).exit(), Exit::Usage);
        let damaged = JournalError::Damaged { path: "j".into(), detail: "x".into() };
        assert_eq!(CliError::Journal(damaged).exit(), Exit::Usage);
    }
}
