//! The `vigie` binary: parses the command line, runs the subcommand, maps
//! the outcome to an exit code. All behaviour lives in the library.

use std::process::ExitCode;

use vigie::cli::Cli;
use vigie::messages;

fn main() -> ExitCode {
    quiet_on_closed_output();
    let cli = match Cli::parse_localised() {
        Ok(cli) => cli,
        Err(exit) => return exit.into(),
    };
    let lang = cli.lang;
    messages::set_verbose(cli.verbose);
    match cli.run() {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("{}", messages::error_line(&error.render(lang), lang));
            error.exit().into()
        }
    }
}

/// `vigie status | head`: the reader went away. Stop quietly, as any Unix
/// tool does, instead of printing a Rust panic (exit 1: nothing says all
/// is well).
fn quiet_on_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to std") && message.contains("os error 32") {
            std::process::exit(1);
        }
        default(info);
    }));
}
