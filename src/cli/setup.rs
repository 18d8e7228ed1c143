//! `vigie setup`: from an e-mail address and a password to a watched
//! mailbox. Asks only what it cannot guess (the provider's IMAP settings
//! are known for common addresses), stores the password in the OS keyring,
//! tests the connection, shows the notices of the last 30 days, and writes
//! the config (0600) without losing the other accounts.
//!
//! Every question has a flag, so setup also runs without a terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::agent;
use crate::agent_status::{self, AgentView};
use crate::config::{self, AccountConfig, Config};
use crate::journal::{Journal, NewOwnLogin};
use crate::mailbox::Imap;
use crate::matching::{LoginService, LoginSource, Via};
use crate::messages::{self, Lang};
use crate::notice::{Authenticity, Kind, Service};
use crate::providers::{self, Auth, Provider};
use crate::secrets::{self, Credential};

/// How far back setup looks for notices.
const SURVEY_DAYS: i64 = 30;

/// Add or change a watched mailbox (asks what it needs)
#[derive(Debug, Args)]
pub struct Setup {
    /// The e-mail address to watch
    #[arg(long)]
    pub email: Option<String>,
    /// Whose account it is, as alerts will name it ("Mamie", "Moi")
    #[arg(long)]
    pub name: Option<String>,
    /// IMAP server [default: known for common providers]
    #[arg(long)]
    pub imap_host: Option<String>,
    #[arg(long)]
    pub imap_port: Option<u16>,
    /// Login name [default: as the provider expects]
    #[arg(long)]
    pub username: Option<String>,
    /// Extra trusted CA certificate (PEM) for a self-hosted server
    #[arg(long, value_name = "PATH")]
    pub tls_ca_file: Option<PathBuf>,
    /// Read the password from standard input (one line) instead of asking
    #[arg(long)]
    pub password_stdin: bool,
    /// A command that prints the password (then nothing goes to the keyring)
    #[arg(long, value_name = "COMMAND")]
    pub password_command: Option<String>,
    /// A command that prints an OAuth2 access token (Outlook, Hotmail, Live)
    #[arg(long, value_name = "COMMAND")]
    pub oauth2_token_command: Option<String>,
    /// Do not test the connection before saving
    #[arg(long)]
    pub skip_test: bool,
    /// The logins found in the last 30 days were yours: record them
    #[arg(long)]
    pub accept_past: bool,
}

/// Asks on the terminal when there is one; without one, a missing answer
/// is a usage error naming the flag.
struct Asker {
    lang: Lang,
    interactive: bool,
}

impl Asker {
    fn ask(&self, question: &str, flag: &str, default: Option<&str>) -> Result<String, CliError> {
        if !self.interactive {
            return default.map(str::to_owned).ok_or_else(|| CliError::Usage(messages::setup_missing(flag, self.lang)));
        }
        loop {
            match default {
                Some(d) => print!("{question} [{d}] : "),
                None => print!("{question} : "),
            }
            std::io::stdout().flush()?;
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line)? == 0 {
                return Err(CliError::Usage(messages::setup_missing(flag, self.lang)));
            }
            let answer = line.trim();
            if !answer.is_empty() {
                return Ok(answer.to_owned());
            }
            if let Some(d) = default {
                return Ok(d.to_owned());
            }
        }
    }

    fn confirm(&self, question: &str, default_yes: bool) -> Result<bool, CliError> {
        if !self.interactive {
            return Ok(false);
        }
        let hint = messages::yes_no_hint(default_yes, self.lang);
        let answer = self.ask(&format!("{question} {hint}"), "", Some(""))?;
        Ok(match answer.to_lowercase().chars().next() {
            Some('o' | 'y') => true,
            Some('n') => false,
            _ => default_yes,
        })
    }
}

/// Whose `Authentication-Results` the new account trusts: its provider's
/// receiving servers when the provider is known, else what the account
/// already had (set by hand), else none until vigie learns it.
fn trusted_authserv_ids(provider: Option<&Provider>, before: Option<&AccountConfig>) -> Vec<String> {
    match (provider, before) {
        (Some(p), _) => p.authserv_ids.iter().map(|id| (*id).to_owned()).collect(),
        (None, Some(b)) => b.trusted_authserv_ids.clone(),
        (None, None) => Vec::new(),
    }
}

impl Setup {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let lang = cli.lang;
        let path = match cli.config.clone().or_else(|| std::env::var_os("VIGIE_CONFIG").map(PathBuf::from)) {
            Some(p) => p,
            None => config::default_config_path().ok_or_else(|| CliError::Usage(messages::no_config_dir(lang)))?,
        };
        // A config that does not parse is not touched: say so first.
        let existing = Config::load(Some(&path)).or_else(|e| match e {
            config::ConfigError::Read { ref source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(Config::default())
            }
            config::ConfigError::NotPrivate(e) => Err(CliError::Usage(messages::private_fs_problem(&e, lang))),
            e => Err(e.into()),
        })?;
        let asker = Asker { lang, interactive: std::io::stdin().is_terminal() && !self.password_stdin };
        if asker.interactive {
            println!("{}", messages::setup_welcome(lang));
        }

        let email = match &self.email {
            Some(e) => e.clone(),
            None => asker.ask(messages::setup_ask_email(lang), "--email", None)?,
        };
        if !email.contains('@') {
            return Err(CliError::Usage(messages::setup_bad_email(&email, lang)));
        }
        let default_name = existing.accounts.iter().find(|a| a.username == email).map(|a| a.name.clone());
        let name = match &self.name {
            Some(n) => n.clone(),
            None => asker.ask(messages::setup_ask_name(lang), "--name", default_name.as_deref())?,
        };

        let provider = providers::for_address(&email);
        if let Some(p) = provider {
            println!("{}", messages::setup_provider(p, lang));
        }
        let imap_host = match (&self.imap_host, provider) {
            (Some(h), _) => h.clone(),
            (None, Some(p)) => p.imap_host.to_owned(),
            (None, None) => asker.ask(messages::setup_ask_host(lang), "--imap-host", None)?,
        };
        let imap_port = self.imap_port.or(provider.map(|p| p.imap_port)).unwrap_or(993);
        let username = match (&self.username, provider) {
            (Some(u), _) => u.clone(),
            (None, Some(p)) => p.username(&email),
            (None, None) => asker.ask(messages::setup_ask_username(lang), "--username", Some(&email))?,
        };

        let mut oauth2 = self.oauth2_token_command.clone();
        match provider.map(|p| p.auth) {
            Some(Auth::OAuth2Only) if oauth2.is_none() => {
                println!("{}", messages::setup_oauth2_explained(lang));
                oauth2 = Some(asker.ask(messages::setup_ask_oauth2(lang), "--oauth2-token-command", None)?);
            }
            Some(Auth::AppPassword) if self.password_command.is_none() => {
                println!("{}", messages::setup_app_password_explained(provider.map_or("", |p| p.name), lang));
            }
            _ => {}
        }

        let account = AccountConfig {
            name: name.clone(),
            imap_host,
            imap_port,
            username,
            password_command: self.password_command.clone(),
            oauth2_token_command: oauth2.clone(),
            tls_ca_file: self.tls_ca_file.clone(),
            folders: None,
            lookback_days: 30,
            trusted_authserv_ids: trusted_authserv_ids(provider, existing.accounts.iter().find(|a| a.name == name)),
            browser_history: {
                // One question, asked only where there is a browser to read.
                let before = existing.accounts.iter().any(|a| a.name == name && a.browser_history);
                let home = dirs::home_dir().unwrap_or_default();
                if asker.interactive && !crate::own_logins::discover(&home).is_empty() {
                    asker.confirm(&messages::setup_ask_browser_history(&name, lang), before)?
                } else {
                    before
                }
            },
        };
        // The password itself: from a command, stdin, or typed unseen.
        let typed_password = if oauth2.is_some() || self.password_command.is_some() {
            None
        } else if self.password_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            Some(line.trim_end_matches(['\r', '\n']).to_owned())
        } else if asker.interactive {
            Some(rpassword::prompt_password(messages::setup_ask_password(lang))?)
        } else {
            return Err(CliError::Usage(messages::setup_missing("--password-stdin", lang)));
        };
        let credential = match &typed_password {
            Some(p) => Credential::Password(p.clone()),
            None => secrets::credential(&account).map_err(|e| {
                let problem = messages::mailbox_problem(&account.name, &agent::AgentError::Secret(e), lang);
                CliError::Keyring(problem)
            })?,
        };

        let mut found = Vec::new();
        if !self.skip_test {
            println!("{}", messages::setup_testing(&account, lang));
            let rules = existing.rules()?;
            let tested = Imap::connect(&account, &credential).and_then(|mut imap| {
                let folders = imap.folders(None)?;
                let found = agent::survey(&mut imap, &account, &rules, SURVEY_DAYS, Utc::now());
                imap.logout();
                Ok((folders, found?))
            });
            match tested {
                Ok((folders, notices)) => {
                    println!("{}", messages::setup_connected(&folders, &notices, lang));
                    found = notices;
                }
                Err(e) => {
                    eprintln!(
                        "{}",
                        crate::notice::terminal_safe_text(&messages::mailbox_problem(
                            &name,
                            &agent::AgentError::Mailbox(e),
                            lang
                        ))
                    );
                    if !asker.confirm(messages::setup_save_anyway(lang), false)? {
                        println!("{}", messages::setup_not_saved(lang));
                        return Ok(Exit::Mailbox);
                    }
                }
            }
        }

        if let Some(password) = &typed_password {
            secrets::keyring_set(&secrets::keyring_user(&account), password)
                .map_err(|e| CliError::Usage(messages::setup_keyring_failed(&e.to_string(), lang)))?;
            println!("{}", messages::setup_keyring_saved(lang));
        }
        config::upsert_account(&path, &account)?;
        println!("{}", messages::setup_saved(&path, lang));

        // Logins of the last month: the user's own? Then the first watch
        // does not alert on them.
        let past: Vec<_> = found
            .iter()
            .filter(|n| n.kind == Kind::Login && n.authenticity != Authenticity::Suspicious)
            .filter_map(|n| n.login_at.map(|t| (n.service, t.at)))
            .collect();
        if !past.is_empty() {
            println!("{}", messages::setup_past_logins(&past, lang));
            if self.accept_past || asker.confirm(messages::setup_were_they_yours(lang), true)? {
                let data_dir = config::data_dir(cli.data_dir.as_deref())?;
                let journal = Journal::open_in(&data_dir)?;
                for (service, at) in &past {
                    let login = NewOwnLogin {
                        account: name.clone(),
                        service: match service {
                            Service::Ameli => LoginService::Ameli,
                            Service::FranceConnect => LoginService::FranceConnect,
                        },
                        at: *at,
                        via: Via::Web,
                        source: LoginSource::Import,
                        note: Some("vigie setup".into()),
                    };
                    journal.record_own_login(&login, Utc::now())?;
                }
                println!("{}", messages::setup_past_recorded(past.len(), lang));
            } else {
                println!("{}", messages::setup_past_not_recorded(lang));
            }
        }
        let data_dir = config::data_dir(cli.data_dir.as_deref())?;
        let view = agent_picks_up(&path, &data_dir);
        println!("{}", messages::setup_agent_watches(&name, &view, lang));
        println!("{}", messages::setup_next_steps(lang));
        Ok(Exit::Ok)
    }
}

/// How long setup waits for a running agent to pick up the new config: it
/// looks every [`super::run::CONFIG_POLL`], then restarts its watchers.
const PICK_UP_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// What the running agent watches once it has had time to read the config
/// at `path` again (at once if no agent runs).
fn agent_picks_up(path: &std::path::Path, data_dir: &std::path::Path) -> AgentView {
    let saved = Utc::now();
    let deadline = std::time::Instant::now() + PICK_UP_WAIT;
    loop {
        let Ok(config) = Config::load(Some(path)) else { return AgentView::Silent };
        let view = agent_status::view(data_dir, super::service::agent_running(data_dir), &config);
        let settled = match &view {
            // Refused after this save: the agent will not catch up by itself.
            AgentView::Behind { status, .. } => status.reload_error.as_ref().is_some_and(|e| e.at >= saved),
            _ => true,
        };
        if settled || std::time::Instant::now() >= deadline {
            return view;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_fills_trusted_authserv_ids_from_the_provider_table() {
        let gmail = providers::for_address("j@gmail.com");
        assert_eq!(trusted_authserv_ids(gmail, None), ["mx.google.com"]);
        let outlook = providers::for_address("j@outlook.fr");
        assert_eq!(trusted_authserv_ids(outlook, None), [crate::notice::MICROSOFT_STYLE]);
    }

    #[test]
    fn setup_again_keeps_hand_set_ids_for_an_unknown_provider() {
        let before: AccountConfig = toml::from_str(
            "name = \"Moi\"\nimap_host = \"mail.example.org\"\nusername = \"moi\"\n\
             trusted_authserv_ids = [\"mx.example.org\"]\n",
        )
        .expect("account");
        assert_eq!(trusted_authserv_ids(None, Some(&before)), ["mx.example.org"]);
        assert!(trusted_authserv_ids(None, None).is_empty(), "none until learned");
    }
}
