//! What vigie says when the command line is mistyped: clap finds the
//! mistake, these sentences say it in the user's language (clap's own
//! messages are English only).

use clap::error::{ContextKind, ContextValue, Error, ErrorKind};

use super::{Lang, detail, value_in};

fn text(error: &Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(_) | ContextValue::None => None,
        _ => None,
    }
}

fn values(error: &Error, kind: ContextKind, lang: Lang) -> Option<String> {
    match error.get(kind)? {
        ContextValue::Strings(v) => Some(v.iter().map(|s| value_in(s, lang)).collect::<Vec<_>>().join(", ")),
        ContextValue::String(s) => Some(value_in(s, lang).to_owned()),
        _ => None,
    }
}

/// What a value given to `arg` should look like, when vigie knows.
fn expected(arg: &str, lang: Lang) -> Option<&'static str> {
    let arg = arg.split_whitespace().next().unwrap_or(arg);
    Some(match (arg, lang) {
        ("--at", Lang::Fr) => {
            "écrivez la date et l'heure de Paris, par exemple « 26/11/2026 10:30 » ou « 2026-11-26 10:30 »"
        }
        ("--at", Lang::En) => "write the Paris date and time, for example \"26/11/2026 10:30\" or \"2026-11-26 10:30\"",
        ("<NUMÉRO>" | "<FINDING>", Lang::Fr) => {
            "le numéro d'une alerte est un nombre, comme 3 (voir « vigie status »)"
        }
        ("<NUMÉRO>" | "<FINDING>", Lang::En) => "an alert's number is a number, such as 3 (see \"vigie status\")",
        ("--imap-port", Lang::Fr) => "un port est un nombre entre 1 et 65535 (993 le plus souvent)",
        ("--imap-port", Lang::En) => "a port is a number between 1 and 65535 (usually 993)",
        _ => return None,
    })
}

/// The user's sentence for a command-line mistake, with the usage line
/// and where to find help (`command`: what the user typed, e.g. `vigie
/// answer`). Not for `--help` and `--version`, which clap prints itself.
pub fn usage_error(error: &Error, command: &str, lang: Lang) -> String {
    use ErrorKind as K;
    let fr = lang == Lang::Fr;
    let arg = text(error, ContextKind::InvalidArg).unwrap_or_default();
    let value = text(error, ContextKind::InvalidValue).unwrap_or_default();
    let mut out = match error.kind() {
        K::InvalidValue if value.is_empty() && fr => format!("il manque une valeur après {arg}"),
        K::InvalidValue if value.is_empty() => format!("a value is missing after {arg}"),
        K::InvalidValue => {
            let valid = values(error, ContextKind::ValidValue, lang).unwrap_or_default();
            match lang {
                Lang::Fr => {
                    format!("« {value} » n'est pas une valeur possible pour {arg} (valeurs possibles : {valid})")
                }
                Lang::En => format!("\"{value}\" is not a possible value for {arg} (possible values: {valid})"),
            }
        }
        K::ValueValidation => {
            let hint = expected(&arg, lang).map(|h| format!(" : {h}")).unwrap_or_default();
            let source = std::error::Error::source(error).map(ToString::to_string).unwrap_or_default();
            match lang {
                Lang::Fr => format!("« {value} » n'est pas accepté pour {arg}{hint}{}", detail(&source, lang)),
                Lang::En => {
                    let hint = hint.replacen(" : ", ": ", 1);
                    format!("\"{value}\" is not accepted for {arg}{hint}{}", detail(&source, lang))
                }
            }
        }
        K::UnknownArgument if fr => format!("option inconnue : {arg}"),
        K::UnknownArgument => format!("unknown option: {arg}"),
        K::InvalidSubcommand => {
            let what = text(error, ContextKind::InvalidSubcommand).unwrap_or_default();
            match lang {
                Lang::Fr => format!("commande inconnue : {what}"),
                Lang::En => format!("unknown command: {what}"),
            }
        }
        K::NoEquals if fr => format!("{arg} demande une valeur avec « = » (par exemple {arg}=...)"),
        K::NoEquals => format!("{arg} needs a value with \"=\" (for example {arg}=...)"),
        K::TooManyValues if fr => format!("trop de valeurs : « {value} » n'était pas attendu"),
        K::TooManyValues => format!("too many values: \"{value}\" was not expected"),
        K::TooFewValues | K::WrongNumberOfValues if fr => format!("nombre de valeurs incorrect pour {arg}"),
        K::TooFewValues | K::WrongNumberOfValues => format!("wrong number of values for {arg}"),
        K::ArgumentConflict => {
            let prior = text(error, ContextKind::PriorArg).unwrap_or_default();
            match lang {
                Lang::Fr => format!("{arg} ne peut pas être donné avec {prior}"),
                Lang::En => format!("{arg} cannot be given with {prior}"),
            }
        }
        K::MissingRequiredArgument if fr => format!("il manque : {arg}"),
        K::MissingRequiredArgument => format!("missing: {arg}"),
        K::MissingSubcommand if fr => "il manque la commande".to_owned(),
        K::MissingSubcommand => "the command is missing".to_owned(),
        K::InvalidUtf8 if fr => "un argument contient des caractères illisibles (pas de l'UTF-8)".to_owned(),
        K::InvalidUtf8 => "an argument holds unreadable characters (not UTF-8)".to_owned(),
        _ if fr => format!("ligne de commande incorrecte{}", detail(&error.kind(), lang)),
        _ => format!("incorrect command line{}", detail(&error.kind(), lang)),
    };
    let suggestion = [ContextKind::SuggestedValue, ContextKind::SuggestedArg, ContextKind::SuggestedSubcommand]
        .into_iter()
        .find_map(|kind| values(error, kind, lang));
    if let Some(s) = suggestion {
        out += &match lang {
            Lang::Fr => format!(" — vouliez-vous dire « {s} » ?"),
            Lang::En => format!(" — did you mean \"{s}\"?"),
        };
    }
    let usage = text(error, ContextKind::Usage);
    let usage =
        usage.as_deref().map(|u| u.trim().trim_start_matches("Usage:").trim_start_matches("Utilisation :").trim());
    match (usage, lang) {
        (Some(u), Lang::Fr) => out += &format!("\n\nUtilisation : {u}"),
        (Some(u), Lang::En) => out += &format!("\n\nUsage: {u}"),
        (None, _) => {}
    }
    out += &match lang {
        Lang::Fr => format!("\n\nPour en savoir plus : {command} --help"),
        Lang::En => format!("\n\nFor more information: {command} --help"),
    };
    out
}
