//! What vigie says about a configuration file it cannot use: which key,
//! on which line, what it expects, and the key the user probably meant.

use super::{Lang, detail};
use crate::config::{ConfigError, Problem, Unit};

/// The names between backticks in a serde message
/// (`unknown field `imap_hots`, expected one of `name`, `imap_host``).
fn quoted(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// The known key closest to `typed`, if it is close enough to be a typo.
pub fn closest_key<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(typed, k), *k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

fn unit(unit: Unit, lang: Lang) -> &'static str {
    match (unit, lang) {
        (Unit::Seconds, Lang::Fr) => "secondes",
        (Unit::Minutes, Lang::Fr) => "minutes",
        (Unit::Hours, Lang::Fr) => "heures",
        (Unit::Days, Lang::Fr) => "jours",
        (Unit::Seconds, Lang::En) => "seconds",
        (Unit::Minutes, Lang::En) => "minutes",
        (Unit::Hours, Lang::En) => "hours",
        (Unit::Days, Lang::En) => "days",
    }
}

/// What a value of the wrong type should have been, from serde's
/// "expected …".
fn expected_type(message: &str, lang: Lang) -> &'static str {
    let expected = message.rsplit("expected").next().unwrap_or_default();
    let has = |w: &str| expected.contains(w);
    match lang {
        Lang::Fr if has("integer") || has("u64") || has("u16") || has("u32") || has("i64") => "un nombre entier",
        Lang::Fr if has("bool") => "true ou false",
        Lang::Fr if has("sequence") => "une liste entre crochets, comme [\"INBOX\"]",
        Lang::Fr if has("string") || has("path") => "du texte entre guillemets",
        Lang::Fr => "une autre sorte de valeur",
        Lang::En if has("integer") || has("u64") || has("u16") || has("u32") || has("i64") => "a whole number",
        Lang::En if has("bool") => "true or false",
        Lang::En if has("sequence") => "a list in brackets, like [\"INBOX\"]",
        Lang::En if has("string") || has("path") => "text in quotes",
        Lang::En => "another kind of value",
    }
}

fn problem(problem: &Problem, lang: Lang) -> String {
    use Problem as P;
    match (problem, lang) {
        (P::AtLeast { min, unit: u }, Lang::Fr) => format!("doit valoir au moins {min} {}", unit(*u, lang)),
        (P::AtLeast { min, unit: u }, Lang::En) => format!("must be at least {min} {}", unit(*u, lang)),
        (P::Between { min, max, unit: u }, Lang::Fr) => {
            format!("doit être compris entre {min} et {max} {}", unit(*u, lang))
        }
        (P::Between { min, max, unit: u }, Lang::En) => format!("must be between {min} and {max} {}", unit(*u, lang)),
        (P::Empty, Lang::Fr) => "ne doit pas être vide".into(),
        (P::Empty, Lang::En) => "must not be empty".into(),
        (P::NameTwice(name), Lang::Fr) => {
            format!("« {name} » est le nom de deux comptes : donnez-leur des noms différents")
        }
        (P::NameTwice(name), Lang::En) => format!("\"{name}\" names two accounts: give them different names"),
        (P::NotAPort, Lang::Fr) => "doit être un numéro de port (993 pour IMAP sécurisé)".into(),
        (P::NotAPort, Lang::En) => "must be a port number (993 for secure IMAP)".into(),
        (P::BothCommands, Lang::Fr) => {
            "mettez une seule façon de se connecter : password_command, oauth2_token_command ou oauth2_source".into()
        }
        (P::BothCommands, Lang::En) => {
            "set only one way to log in: password_command, oauth2_token_command or oauth2_source".into()
        }
        (P::NoFolder, Lang::Fr) => "doit nommer au moins un dossier".into(),
        (P::NoFolder, Lang::En) => "must name at least one folder".into(),
        (P::BadAuthservId(e), Lang::Fr) => format!("nom de serveur incorrect{}", detail(e, lang)),
        (P::BadAuthservId(e), Lang::En) => format!("incorrect server name{}", detail(e, lang)),
        (P::NotAccountTables, Lang::Fr) => "doit être une suite de tables [[account]]".into(),
        (P::NotAccountTables, Lang::En) => "must be a series of [[account]] tables".into(),
        (P::NotToml(e), Lang::Fr) => {
            format!("le fichier n'est pas lisible (guillemet ou crochet oublié ?){}", detail(e, lang))
        }
        (P::NotToml(e), Lang::En) => {
            format!("the file cannot be read (a missing quote or bracket?){}", detail(e, lang))
        }
    }
}

/// A configuration that cannot be used: where, what, and what to do.
pub fn config_problem(error: &ConfigError, lang: Lang) -> String {
    match (error, lang) {
        (ConfigError::Read { path, source }, lang) => {
            let why = super::unreadable(source, lang);
            match lang {
                Lang::Fr => format!("fichier de configuration {} {why}", path.display()),
                Lang::En => format!("configuration file {} {why}", path.display()),
            }
        }
        (ConfigError::NoDataDir, Lang::Fr) => {
            "pas de dossier de données : indiquez --data-dir ou la variable VIGIE_DATA_DIR".into()
        }
        (ConfigError::NoDataDir, Lang::En) => "no data folder: give --data-dir or set VIGIE_DATA_DIR".into(),
        (ConfigError::NotPrivate(e), lang) => super::private_fs_problem(e, lang),
        (ConfigError::Invalid { path, key, problem: p }, Lang::Fr) => {
            format!("fichier de configuration {} : {key} {} → corrigez le fichier.", path.display(), problem(p, lang))
        }
        (ConfigError::Invalid { path, key, problem: p }, Lang::En) => {
            format!("configuration file {}: {key} {} → fix the file.", path.display(), problem(p, lang))
        }
        (ConfigError::Parse { path, line, key, source }, lang) => {
            parse_problem(path, *line, key.as_deref(), source, lang)
        }
    }
}

fn parse_problem(
    path: &std::path::Path,
    line: Option<usize>,
    key: Option<&str>,
    source: &toml::de::Error,
    lang: Lang,
) -> String {
    let message = source.message();
    let names = quoted(message);
    let at = match (line, lang) {
        (Some(n), Lang::Fr) => format!(", ligne {n}"),
        (Some(n), Lang::En) => format!(", line {n}"),
        (None, _) => String::new(),
    };
    let what = if message.starts_with("unknown field") {
        let typed = names.first().copied().unwrap_or_default();
        let known = names.get(1..).unwrap_or_default();
        let guess = closest_key(typed, known);
        match (guess, lang) {
            (Some(g), Lang::Fr) => format!("clé inconnue {typed} — vouliez-vous dire {g} ?"),
            (Some(g), Lang::En) => format!("unknown key {typed} — did you mean {g}?"),
            (None, Lang::Fr) => format!("clé inconnue {typed} (clés possibles ici : {})", known.join(", ")),
            (None, Lang::En) => format!("unknown key {typed} (keys allowed here: {})", known.join(", ")),
        }
    } else if message.starts_with("missing field") {
        let missing = names.first().copied().unwrap_or_default();
        match lang {
            Lang::Fr => format!("il manque la clé {missing}"),
            Lang::En => format!("the key {missing} is missing"),
        }
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let key = key.unwrap_or("?");
        match lang {
            Lang::Fr => {
                format!("la valeur de {key} n'est pas de la bonne sorte : il faut {}", expected_type(message, lang))
            }
            Lang::En => {
                format!("the value of {key} is not of the right kind: it must be {}", expected_type(message, lang))
            }
        }
    } else if let Some(variant) =
        message.strip_prefix("unknown variant").map(|_| names.first().copied().unwrap_or_default())
    {
        let allowed = names.get(1..).unwrap_or_default().join(", ");
        match lang {
            Lang::Fr => format!("valeur inconnue « {variant} » (valeurs possibles : {allowed})"),
            Lang::En => format!("unknown value \"{variant}\" (possible values: {allowed})"),
        }
    } else {
        match lang {
            Lang::Fr => "le texte n'est pas lisible (guillemet, crochet ou signe = oublié ?)".into(),
            Lang::En => "the text cannot be read (a missing quote, bracket or = sign?)".into(),
        }
    };
    let detail = detail(source, lang);
    match lang {
        Lang::Fr => format!("fichier de configuration {}{at} : {what} → corrigez le fichier.{detail}", path.display()),
        Lang::En => format!("configuration file {}{at}: {what} → fix the file.{detail}", path.display()),
    }
}

/// Recognition rules added in the config that cannot be used.
pub fn rules_problem(error: &crate::notice::RulesError, lang: Lang) -> String {
    use crate::notice::RulesError as R;
    let what = match (error, lang) {
        (R::BadPattern { owner, pattern, .. }, Lang::Fr) => {
            format!("le motif « {pattern} » de {owner} n'est pas une expression régulière valide")
        }
        (R::BadPattern { owner, pattern, .. }, Lang::En) => {
            format!("the pattern \"{pattern}\" of {owner} is not a valid regular expression")
        }
        (R::EmptyFormat(name), Lang::Fr) => format!("le format « {name} » n'a ni motif de sujet ni motif de texte"),
        (R::EmptyFormat(name), Lang::En) => format!("the format \"{name}\" has neither a subject nor a body pattern"),
        (R::Toml(_), Lang::Fr) => "les règles ne sont pas lisibles".into(),
        (R::Toml(_), Lang::En) => "the rules cannot be read".into(),
    };
    match lang {
        Lang::Fr => format!(
            "règles de reconnaissance de la configuration : {what} → corrigez le fichier.{}",
            detail(error, lang)
        ),
        Lang::En => format!("recognition rules in the configuration: {what} → fix the file.{}", detail(error, lang)),
    }
}

/// vigie could not write what it prints (a full disk, a closed pipe).
pub fn output_problem(error: &std::io::Error, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("impossible d'écrire le résultat (disque plein ? sortie fermée ?){}", detail(error, lang)),
        Lang::En => format!("cannot write the output (disk full? output closed?){}", detail(error, lang)),
    }
}

/// The system gives no home folder (nor the config and data folders in it).
pub fn no_home(lang: Lang) -> String {
    match lang {
        Lang::Fr => "le système n'indique pas votre dossier personnel (la variable HOME est-elle définie ?)".into(),
        Lang::En => "the system gives no home folder (is HOME set?)".into(),
    }
}
