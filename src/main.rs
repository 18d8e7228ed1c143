//! The `vigie` binary: parses the command line, runs the subcommand, maps
//! the outcome to an exit code. All behaviour lives in the library.

use std::process::ExitCode;

use clap::Parser;
use vigie::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    match cli.run() {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("vigie: {}", error.render(lang));
            error.exit().into()
        }
    }
}
