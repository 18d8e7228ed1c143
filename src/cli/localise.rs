//! The one command-line definition ([`super::Cli`]) dressed in the user's
//! language: every description and option help from
//! [`crate::messages::help_text`], clap's own words (usage heading,
//! "Commands", defaults, possible values, the help and version flags)
//! replaced, and parse errors said by [`crate::messages::usage_error`].

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;
use crate::Exit;
use crate::messages::{self, Lang, help_text, help_words, value_in, value_name};

/// The whole command line in `lang`: what `--help`, the man pages and
/// the completions show.
pub fn command(lang: Lang) -> Command {
    localise(shaped(), "", lang)
}

/// The command line as clap reads it, in the derive's English words: the
/// same commands, arguments and settings as [`command`] (a test proves
/// both read every command line alike). Dressing every text in the user's
/// language takes longer than reading the line, so it is done only when
/// clap has something to say: help, the version or a mistake.
fn shaped() -> Command {
    let help = Arg::new("help").short('h').long("help").action(ArgAction::Help).global(true);
    let version = Arg::new("version").short('V').long("version").action(ArgAction::Version);
    without_help_commands(Cli::command().disable_version_flag(true).arg(help).arg(version))
}

/// `help` is a flag everywhere, never a subcommand: clap's own would speak
/// English.
fn without_help_commands(cmd: Command) -> Command {
    // In place and in order (`mut_subcommand` by name moves each one out
    // and back: a good part of reading a short command line).
    cmd.disable_help_flag(true).disable_help_subcommand(true).mut_subcommands(without_help_commands)
}

fn localise(cmd: Command, path: &str, lang: Lang) -> Command {
    let words = help_words(lang);
    let mut cmd =
        cmd.help_template(words.template).subcommand_help_heading(words.commands).subcommand_value_name(words.command);
    if let Some(about) = help_text(path, lang) {
        let short = about.split("\n\n").next().unwrap_or(about);
        cmd = cmd.about(short).long_about(if short == about { None } else { Some(about) });
    }
    cmd = cmd.mut_args(|arg| localise_arg(arg, path, lang));
    let subcommands: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in subcommands {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path} {name}") };
        cmd = cmd.mut_subcommand(&name, |sub| localise(sub, &sub_path, lang));
    }
    cmd
}

fn localise_arg(arg: Arg, path: &str, lang: Lang) -> Arg {
    let id = arg.get_id().as_str().to_owned();
    let global = arg.is_global_set();
    let key = if global || path.is_empty() { format!(":{id}") } else { format!("{path}:{id}") };
    let words = help_words(lang);
    let mut help = help_text(&key, lang).map(str::to_owned).unwrap_or_else(|| {
        // Missing from the table (a test fails on it): the English doc comment.
        arg.get_help().map(ToString::to_string).unwrap_or_default()
    });
    let defaults: Vec<String> = arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && !help.contains('[') {
        help += &format!(" [{} : {}]", words.default, defaults.join(", "));
    }
    let possible = arg.get_possible_values();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() && arg.get_action().takes_values() {
        let names: Vec<&str> =
            possible.iter().filter(|v| !v.is_hide_set()).map(|v| value_in(v.get_name(), lang)).collect();
        help += &format!(" [{} : {}]", words.possible, names.join(", "));
    }
    if lang == Lang::En {
        help = help.replace(" : ", ": ");
    }
    let names: Option<Vec<&'static str>> =
        arg.get_value_names().and_then(|names| names.iter().map(|n| value_name(n.as_str(), lang)).collect());
    let takes_values = arg.get_action().takes_values();
    let heading = if arg.is_positional() { words.arguments } else { words.options };
    let arg = arg.help(help).help_heading(heading);
    // A command's own options first, then those every command has.
    let arg = if global { arg.display_order(1000) } else { arg };
    let arg = if takes_values { arg.hide_default_value(true).hide_possible_values(true) } else { arg };
    match names {
        Some(names) if !names.is_empty() => arg.value_names(names),
        _ => arg,
    }
}

/// `vigie help answer` is `vigie answer --help` (clap's own `help`
/// subcommand would speak English).
fn help_subcommand_as_flag(mut args: Vec<OsString>) -> Vec<OsString> {
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if ["--lang", "--config", "--data-dir"].contains(&arg.as_ref()) {
            i += 2;
        } else if arg.starts_with('-') {
            i += 1;
        } else {
            if arg == "help" {
                args.remove(i);
                args.push("--help".into());
            }
            break;
        }
    }
    args
}

/// The (sub)command the user typed, as far as it exists: `vigie answer`,
/// `vigie service install` — where to point them for help.
fn command_typed(args: &[OsString]) -> String {
    let mut cmd = Cli::command();
    let mut path = vec!["vigie".to_owned()];
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if ["--lang", "--config", "--data-dir"].contains(&arg.as_ref()) {
            i += 2;
            continue;
        }
        i += 1;
        if arg.starts_with('-') {
            continue;
        }
        match cmd.find_subcommand(arg.as_ref()) {
            Some(sub) => {
                path.push(arg.into_owned());
                cmd = sub.clone();
            }
            None => break,
        }
    }
    path.join(" ")
}

impl Cli {
    /// Parses this process's command line, in the language it asks for
    /// (`--lang`, else the locale). Help, version and mistakes are printed
    /// here; `Err` is the exit code to leave with.
    pub fn parse_localised() -> Result<Cli, Exit> {
        Cli::parse_localised_from(std::env::args_os().collect())
    }

    pub fn parse_localised_from(args: Vec<OsString>) -> Result<Cli, Exit> {
        let args = help_subcommand_as_flag(args);
        let lang = Lang::detect(&args);
        messages::set_verbose(args.iter().take_while(|a| *a != "--").any(|a| a == "--verbose"));
        // The values are moved out of the matches, not cloned with them.
        let read = |cmd: Command| cmd.try_get_matches_from(&args).and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
        // Help, the version and mistakes are said by the localised
        // definition, which reads the line as the shaped one does.
        read(shaped()).or_else(|_| read(command(lang))).map_err(|error| {
            use clap::error::ErrorKind;
            match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = error.print();
                    Exit::Ok
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = error.print();
                    Exit::Usage
                }
                _ => {
                    let said = messages::usage_error(&error, &command_typed(&args), lang);
                    eprintln!("{}", messages::error_line(&said, lang));
                    Exit::Usage
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the command line needs: `path` for each command,
    /// `path:id` for each of its own arguments, `:id` for global ones.
    fn keys(cmd: &Command, path: &str, out: &mut Vec<String>) {
        out.push(path.to_owned());
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_global_set() || path.is_empty() {
                out.push(format!(":{id}"));
            } else {
                out.push(format!("{path}:{id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            keys(sub, &if path.is_empty() { name.to_owned() } else { format!("{path} {name}") }, out);
        }
    }

    #[test]
    fn every_command_and_option_has_help_in_both_languages() {
        let mut needed = Vec::new();
        keys(&Cli::command(), "", &mut needed);
        needed.extend([":help".to_owned(), ":version".to_owned()]);
        let missing: Vec<&String> =
            needed.iter().filter(|k| help_text(k, Lang::Fr).is_none() || help_text(k, Lang::En).is_none()).collect();
        assert!(missing.is_empty(), "add these to messages/help.rs: {missing:?}");
        let unused: Vec<&str> = crate::messages::help_keys().filter(|k| !needed.iter().any(|n| n == k)).collect();
        assert!(unused.is_empty(), "help for nothing: {unused:?}");
    }

    /// Command lines that exercise every (sub)command and argument: each
    /// alone, with a value, without one, with help, and a wrong option.
    fn lines(cmd: &Command, path: &[String], out: &mut Vec<Vec<String>>) {
        let with = |extra: &[&str]| {
            let mut line = vec!["vigie".to_owned()];
            line.extend(path.iter().cloned());
            line.extend(extra.iter().map(|s| (*s).to_owned()));
            line
        };
        out.extend([
            with(&[]),
            with(&["--help"]),
            with(&["-h"]),
            with(&["--no-such-option"]),
            with(&["a", "b"]),
            with(&["help"]),
        ]);
        for arg in cmd.get_arguments() {
            let names: Vec<String> = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .into_iter()
                .chain(arg.get_short().map(|c| format!("-{c}")))
                .collect();
            for name in &names {
                out.extend([with(&[name]), with(&[name, "1"]), with(&[name, "fr"]), with(&[name, "1", name, "2"])]);
                out.push(with(&[&format!("{name}=x")]));
            }
            if arg.is_positional() {
                out.extend([with(&["x.eml"]), with(&["x.eml", "y.eml"]), with(&["-"])]);
            }
        }
        for sub in cmd.get_subcommands() {
            for name in std::iter::once(sub.get_name()).chain(sub.get_all_aliases()) {
                let mut sub_path = path.to_vec();
                sub_path.push(name.to_owned());
                lines(sub, &sub_path, out);
            }
        }
    }

    #[test]
    fn the_shaped_and_localised_definitions_read_every_command_line_alike() {
        let mut all = Vec::new();
        for cmd in [shaped(), command(Lang::Fr), command(Lang::En)] {
            lines(&cmd, &[], &mut all);
        }
        all.push(vec!["vigie".into(), "--version".into()]);
        assert!(all.len() > 200, "{}", all.len());
        let read = |cmd: Command, line: &[String]| match cmd.try_get_matches_from(line) {
            Ok(m) => Cli::from_arg_matches(&m).map(|cli| format!("{cli:?}")).map_err(|e| e.kind()),
            Err(e) => Err(e.kind()),
        };
        let (mut read_ok, mut refused) = (0, 0);
        for line in &all {
            let shaped = read(shaped(), line);
            for lang in [Lang::Fr, Lang::En] {
                assert_eq!(shaped, read(command(lang), line), "{line:?}");
            }
            if shaped.is_ok() { read_ok += 1 } else { refused += 1 }
        }
        // Both kinds of line were tried.
        assert!(read_ok > 20 && refused > 20, "{read_ok} read, {refused} refused");
    }

    #[test]
    fn the_localised_definition_passes_clap_s_own_checks() {
        command(Lang::Fr).debug_assert();
        command(Lang::En).debug_assert();
        shaped().debug_assert();
    }

    #[test]
    fn french_help_has_no_english_headings() {
        let help = command(Lang::Fr).render_long_help().to_string();
        for english in ["Usage:", "Commands:", "Options:", "[default:", "possible values", "Print help"] {
            assert!(!help.contains(english), "{english:?} in:\n{help}");
        }
        assert!(help.contains("Utilisation : vigie"), "{help}");
    }
}
