//! The command line: one clap-derived struct per subcommand, each in its own
//! file with its behaviour. [`Cli`] is the single definition that help, the
//! man page and the shell completions come from.

pub mod scan;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::Exit;
use crate::config::ConfigError;
use crate::messages::Lang;
use crate::notice::RulesError;

pub use scan::Scan;

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
    Scan(Scan),
}

/// What can stop a subcommand; `main` prints it and exits with
/// [`CliError::exit`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Config(_) | CliError::Rules(_) => Exit::Usage,
            CliError::Output(_) => Exit::Usage,
        }
    }
}

impl Cli {
    pub fn run(self) -> Result<Exit, CliError> {
        match &self.command {
            Command::Scan(scan) => scan.execute(&self),
        }
    }
}
