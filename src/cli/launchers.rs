//! The menu launchers « Mon compte ameli » and « FranceConnect », one pair
//! per watched account (« Mon compte ameli — Mamie »), each running
//! `vigie open ameli --account Mamie`: with two mailboxes, a launcher
//! without an account could not say whose visit it was. Written from the
//! files in `packaging/applications/` into the user's applications folder
//! by `service install` and `setup`, removed by `service uninstall`.
//!
//! With several accounts, the plain `vigie-ameli.desktop` is written too,
//! hidden (`NoDisplay=true`): it masks the account-less launcher the .deb
//! puts in /usr/share/applications.

use std::path::{Path, PathBuf};

use super::CliError;
use crate::config::Config;
use crate::messages::{self, Lang};

const LAUNCHER_AMELI: &str = include_str!("../../packaging/applications/vigie-ameli.desktop");
const LAUNCHER_FRANCECONNECT: &str = include_str!("../../packaging/applications/vigie-franceconnect.desktop");

/// A file to write.
pub(super) struct File {
    pub path: PathBuf,
    pub contents: String,
}

/// The user's applications folder (`~/.local/share/applications`).
pub fn applications_dir() -> Result<PathBuf, CliError> {
    dirs::data_dir().map(|d| d.join("applications")).ok_or_else(|| CliError::System(messages::no_home(Lang::Fr)))
}

/// One argument of an `Exec=` line, quoted as the Desktop Entry
/// specification asks (and `\` doubled again for the key file).
fn exec_arg(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./+@".contains(c)) {
        return arg.to_owned();
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' => {
                quoted.push_str("\\\\");
                quoted.push(c);
            }
            '\\' => quoted.push_str("\\\\\\\\"),
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A value of a key file: one line, no control characters.
fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// A file-name-safe form of an account name (`Mamie Jeanne` → `mamie-jeanne`),
/// with a short hash so that two names never share a file.
fn slug(name: &str) -> String {
    use sha2::Digest;
    let base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let hash = sha2::Sha256::digest(name.as_bytes());
    format!("{}-{:02x}{:02x}", base.chars().take(30).collect::<String>(), hash[0], hash[1])
}

/// The packaged launcher with its `Exec=` (this binary, the account) and
/// names (the account's) filled in; `None` for the account writes the
/// hidden mask.
fn launcher(template: &str, site: &str, exe: &str, account: Option<&str>) -> String {
    let mut out = Vec::new();
    for line in template.lines() {
        let key = line.split_once('=').map(|(k, _)| k);
        match (key, account) {
            (Some("Exec"), Some(name)) => {
                out.push(format!("Exec={} open {site} --account {}", exec_arg(exe), exec_arg(&one_line(name))));
            }
            (Some("Exec"), None) => out.push(format!("Exec={} open {site}", exec_arg(exe))),
            (Some("Name"), Some(name)) => {
                out.push(format!("Name={}", one_line(&messages::launcher_name(site, Some(name), Lang::Fr))));
            }
            (Some("Name[en]"), Some(name)) => {
                out.push(format!("Name[en]={}", one_line(&messages::launcher_name(site, Some(name), Lang::En))));
            }
            _ => out.push(line.to_owned()),
        }
    }
    if account.is_none() {
        out.push("NoDisplay=true".to_owned());
    }
    out.join("\n") + "\n"
}

/// The launchers for `config`'s accounts, in `apps`: with one account
/// (or none) the two usual files; with several, one pair per account plus
/// the hidden masks.
pub(super) fn launcher_files(config: &Config, exe: &str, apps: &Path) -> Vec<File> {
    let sites = [("ameli", LAUNCHER_AMELI), ("franceconnect", LAUNCHER_FRANCECONNECT)];
    let mut files = Vec::new();
    for (site, template) in sites {
        let plain = apps.join(format!("vigie-{site}.desktop"));
        match config.accounts.as_slice() {
            [] => files.push(File { path: plain, contents: with_exe(template, exe) }),
            [only] => files.push(File { path: plain, contents: launcher(template, site, exe, Some(&only.name)) }),
            several => {
                files.push(File { path: plain, contents: launcher(template, site, exe, None) });
                for account in several {
                    files.push(File {
                        path: apps.join(format!("vigie-{site}-{}.desktop", slug(&account.name))),
                        contents: launcher(template, site, exe, Some(&account.name)),
                    });
                }
            }
        }
    }
    files
}

/// The packaged launcher with this binary's path only.
fn with_exe(template: &str, exe: &str) -> String {
    template
        .lines()
        .map(|line| match line.split_once('=') {
            Some(("Exec", value)) => {
                format!("Exec={} {}", exec_arg(exe), value.split_once(' ').map_or("", |(_, a)| a))
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Every launcher vigie wrote in `apps` (its own file names only).
pub(super) fn existing_launchers(apps: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(apps) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                (n.starts_with("vigie-ameli") || n.starts_with("vigie-franceconnect")) && n.ends_with(".desktop")
            })
        })
        .collect();
    found.sort();
    found
}

/// Writes the launchers of every account in `config` (one pair per
/// account: « Mon compte ameli — Mamie » runs `vigie open ameli --account
/// Mamie`) into the user's applications folder, and removes those of
/// accounts no longer configured. For `setup` after it saved an account,
/// and `service install`. Returns the files written.
pub fn install_launchers(config: &Config) -> Result<Vec<PathBuf>, CliError> {
    let exe = std::env::current_exe()?.display().to_string();
    install_launchers_in(config, &exe, &applications_dir()?)
}

pub(super) fn install_launchers_in(config: &Config, exe: &str, apps: &Path) -> Result<Vec<PathBuf>, CliError> {
    let files = launcher_files(config, exe, apps);
    std::fs::create_dir_all(apps)?;
    for stale in existing_launchers(apps) {
        if !files.iter().any(|f| f.path == stale) {
            std::fs::remove_file(&stale)?;
        }
    }
    for file in &files {
        std::fs::write(&file.path, &file.contents)?;
    }
    Ok(files.into_iter().map(|f| f.path).collect())
}

/// Removes every launcher vigie wrote for this user. Returns the files
/// removed.
pub fn remove_launchers() -> Result<Vec<PathBuf>, CliError> {
    let apps = applications_dir()?;
    let found = existing_launchers(&apps);
    for path in &found {
        std::fs::remove_file(path)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(names: &[&str]) -> Config {
        let mut text = String::new();
        for name in names {
            text += &format!("[[account]]\nname = \"{name}\"\nimap_host = \"h\"\nusername = \"u\"\n");
        }
        Config::parse(&text, Path::new("c.toml")).expect("config")
    }

    #[test]
    fn each_watched_account_gets_its_own_launchers() {
        let apps = Path::new("/apps");
        let files = launcher_files(&config(&["Mamie", "Papi Jean"]), "/usr/bin/vigie", apps);
        let ameli_mamie = files.iter().find(|f| f.contents.contains("--account Mamie")).expect("Mamie's launcher");
        assert!(ameli_mamie.contents.contains("Name=Mon compte ameli — Mamie"), "{}", ameli_mamie.contents);
        assert!(
            files.iter().any(|f| f.contents.contains("Exec=/usr/bin/vigie open franceconnect --account \"Papi Jean\""))
        );
        let plain = files.iter().find(|f| f.path == apps.join("vigie-ameli.desktop")).expect("mask");
        assert!(plain.contents.contains("NoDisplay=true"), "the account-less launcher is hidden");
        assert_eq!(files.len(), 6);
    }

    #[test]
    fn a_single_account_keeps_the_usual_file_names_and_names_the_account() {
        let files = launcher_files(&config(&["Moi"]), "/opt/my vigie", Path::new("/a"));
        assert_eq!(files.len(), 2);
        assert!(files[0].contents.contains("Exec=\"/opt/my vigie\" open ameli --account Moi"), "{}", files[0].contents);
        assert!(!files[0].contents.contains("NoDisplay"));
    }

    #[test]
    fn a_hostile_account_name_stays_one_quoted_argument() {
        let files = launcher_files(&config(&["a\\\"$x`", "b"]), "/v", Path::new("/a"));
        let hostile = files.iter().find(|f| f.contents.contains("$x")).expect("launcher");
        assert!(hostile.contents.contains(r#"--account "a\\"\\$x\\`""#), "{}", hostile.contents);
    }
}
