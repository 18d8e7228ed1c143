//! `vigie generate man DIR` / `vigie generate completions SHELL`: the man
//! pages and shell completions, from the one command-line definition
//! ([`Cli`]). Used by packaging; hidden from help.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use clap_complete::Shell;

use super::{Cli, CliError};
use crate::Exit;

#[derive(Debug, Args)]
pub struct Generate {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, Subcommand)]
pub enum What {
    /// Write vigie.1 and one page per subcommand into DIR
    Man { dir: PathBuf },
    /// Print the completion script for SHELL
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

impl Generate {
    pub fn execute(&self, _cli: &Cli) -> Result<Exit, CliError> {
        // Man pages and completions are English: clap_mangen's section
        // titles are, and the package ships one set.
        let command = super::command(crate::messages::Lang::En);
        match &self.what {
            What::Man { dir } => {
                std::fs::create_dir_all(dir)?;
                clap_mangen::generate_to(command, dir)?;
            }
            What::Completions { shell } => {
                let mut command = command;
                clap_complete::generate(*shell, &mut command, "vigie", &mut std::io::stdout());
            }
        }
        Ok(Exit::Ok)
    }
}
