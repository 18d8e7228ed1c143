//! The command line: one clap-derived struct per subcommand, each in its own
//! file with its behaviour. [`Cli`] is the single definition that help, the
//! man page and the shell completions come from.

mod answer;
mod check;
mod demo;
mod doctor;
mod generate;
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
use crate::pipeline::{Pipeline, SystemClock};

pub use answer::Answer;
pub use check::Check;
pub use demo::Demo;
pub use doctor::Doctor;
pub use generate::Generate;
pub use log::Log;
pub use login::Login;
pub use open::Open;
pub use run::Run;
pub use scan::Scan;
pub use service::Service;
pub use setup::Setup;
pub use status::Status;
pub use test_alert::TestAlert;

/// vigie — surveille les notifications de connexion ameli et FranceConnect.
///
/// Watches your mailbox for ameli and FranceConnect login notices, tells
/// genuine ones from fakes, and alerts you when a login is not yours.
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
    #[arg(long, global = true, value_enum, default_value_t = Lang::Fr)]
    pub lang: Lang,
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
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    pub fn exit(&self) -> Exit {
        Exit::Usage
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
    fn account(&self, explicit: Option<&str>) -> Result<String, CliError> {
        if let Some(name) = explicit.or(self.config.default_account()) {
            return Ok(name.to_owned());
        }
        match self.config.accounts.as_slice() {
            [] => Ok(DEFAULT_ACCOUNT.to_owned()),
            several => {
                let names: Vec<&str> = several.iter().map(|a| a.name.as_str()).collect();
                Err(CliError::Usage(crate::messages::which_account(&names, self.lang)))
            }
        }
    }

    /// Brings findings up to date after the journal changed (an own login
    /// recorded or an answer given), without alerting: the watcher does.
    fn settle(&self, journal: &mut Journal) -> Result<(), CliError> {
        let rules = self.config.rules()?;
        let clock = SystemClock;
        let mut pipeline = Pipeline {
            journal,
            rules: &rules,
            match_rules: self.config.match_rules(),
            alerters: Vec::new(),
            clock: &clock,
            lang: self.lang,
        };
        pipeline.evaluate()?;
        Ok(())
    }
}
