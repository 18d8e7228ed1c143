//! `vigie setup`: from an e-mail address and a password to a watched
//! mailbox. Asks only what it cannot guess (the provider's IMAP settings
//! are known for common addresses; an account in GNOME Online Accounts is
//! offered), stores the password in the OS keyring, tests the connection,
//! shows the notices of the last 30 days, and writes the config (0600)
//! without losing the other accounts.
//!
//! Built for people who make mistakes: a bad address or port is asked
//! again, a refused password is taken for a typo (three tries), a
//! certificate no authority signed is shown by its fingerprint and may be
//! trusted, and a setup that fails keeps what was typed for the next one.
//! Setting up an account again keeps its port, certificate and options.
//!
//! Every question has a flag, so setup also runs without a terminal.

mod answers;
mod ask;
mod connection;
mod draft;
mod past;

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::agent;
use crate::agent_status::{self, AgentView};
use crate::config::{self, AccountConfig, Config, Fingerprint, OAuth2Source};
use crate::journal::Journal;
use crate::messages;
use crate::notice::{Authenticity, Kind, Notice};
use crate::providers::{self, Auth, Provider};
use crate::secrets;

/// How far back setup looks for notices.
const SURVEY_DAYS: i64 = 30;

/// How long setup waits for GNOME Online Accounts to list its accounts.
const ONLINE_ACCOUNTS_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Tries of the password at setup before giving up.
const PASSWORD_TRIES: u32 = 3;

use ask::Asker;
use draft::Draft;

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
    /// Trust exactly the server certificate with this SHA-256 fingerprint
    #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub tls_cert_sha256: Option<Fingerprint>,
    /// Read the password from standard input (one line) instead of asking
    #[arg(long)]
    pub password_stdin: bool,
    /// A command that prints the password (then nothing goes to the keyring)
    #[arg(long, value_name = "COMMAND")]
    pub password_command: Option<String>,
    /// A command that prints an OAuth2 access token (Outlook, Hotmail, Live)
    #[arg(long, value_name = "COMMAND")]
    pub oauth2_token_command: Option<String>,
    /// Take OAuth2 tokens from the desktop's online accounts (GNOME Settings)
    #[arg(long, value_name = "SOURCE")]
    pub oauth2_source: Option<OAuth2Source>,
    /// Do not test the connection before saving
    #[arg(long)]
    pub skip_test: bool,
    /// This computer's browsers log into this account: read their history
    #[arg(long)]
    pub browser_history: bool,
    /// The logins found in the last 30 days were yours: record them
    #[arg(long)]
    pub accept_past: bool,
}

fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text).ok_or_else(|| "64 hexadecimal digits (colons allowed)".to_owned())
}

/// Whose `Authentication-Results` the account trusts: what it already had
/// (setup or the user set it), else its provider's receiving servers when
/// the provider is known, else none until vigie learns it.
fn trusted_authserv_ids(provider: Option<&Provider>, before: Option<&AccountConfig>) -> Vec<String> {
    match (provider, before) {
        (_, Some(b)) if !b.trusted_authserv_ids.is_empty() => b.trusted_authserv_ids.clone(),
        (Some(p), _) => p.authserv_ids.iter().map(|id| (*id).to_owned()).collect(),
        (None, _) => Vec::new(),
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
        let draft_path = draft::path_for(&path);
        let asker = Asker::new(lang, self.password_stdin);
        if asker.on_terminal() {
            println!("{}", messages::setup_welcome(lang));
        }

        let draft = draft::load(&draft_path);
        let email = self.email(&asker, draft.as_ref())?;
        let draft = draft.filter(|d| d.email == email);
        let provider = providers::for_address(&email);
        let known = |a: &&AccountConfig| {
            a.username.eq_ignore_ascii_case(&email) || provider.is_some_and(|p| a.username == p.username(&email))
        };
        let default_name = existing
            .accounts
            .iter()
            .find(known)
            .map(|a| a.name.clone())
            .or_else(|| draft.as_ref().map(|d| d.name.clone()));
        let name = match &self.name {
            Some(n) => n.clone(),
            None => asker.ask(messages::setup_ask_name(lang), "--name", default_name.as_deref())?,
        };
        // Setting up an account again starts from what it has: its port,
        // certificate and options stay unless changed here.
        let before = existing.accounts.iter().find(|a| a.name == name).cloned();
        if let Some(p) = provider {
            println!("{}", messages::setup_provider(p, lang));
        }
        let online = self.online_account(&asker, &email, before.as_ref())?;
        let (imap_host, imap_port) = self.server(&asker, provider, before.as_ref(), online.as_ref(), draft.as_ref())?;
        let online_user = online.as_ref().and_then(|o| o.imap_user.clone());
        let username = match (&self.username, &before, provider) {
            (Some(u), _, _) => u.clone(),
            (None, Some(b), _) => b.username.clone(),
            (None, None, _) if online_user.is_some() => online_user.unwrap_or_default(),
            (None, None, Some(p)) => p.username(&email),
            (None, None, None) => {
                let default = draft.as_ref().map_or(email.as_str(), |d| d.username.as_str());
                asker.ask(messages::setup_ask_username(lang), "--username", Some(default))?
            }
        };
        let mut account = self.account(name.clone(), imap_host, imap_port, username, before.as_ref(), draft.as_ref());
        if online.is_some() {
            (account.password_command, account.oauth2_token_command, account.oauth2_source) =
                (None, None, Some(OAuth2Source::GnomeOnlineAccounts));
        }
        // What the account trusted is kept while it stays on the same server.
        let same_server = before.as_ref().filter(|b| b.imap_host == account.imap_host);
        account.trusted_authserv_ids = trusted_authserv_ids(provider, same_server);
        self.choose_auth(&asker, provider, &mut account)?;

        // One question, asked only where there is a browser to read: do
        // this computer's browsers log into this account? (In family mode,
        // Mamie's account is usually not logged into from here.)
        let home = dirs::home_dir().unwrap_or_default();
        if self.browser_history {
            account.browser_history = true;
        } else if asker.on_terminal() && !crate::own_logins::discover(&home).is_empty() {
            account.browser_history =
                asker.confirm(&messages::setup_ask_browser_history(&name, lang), account.browser_history)?;
        }
        // The password itself: from a command, stdin, or typed unseen.
        let uses_keyring = account.password_command.is_none()
            && account.oauth2_token_command.is_none()
            && account.oauth2_source.is_none();
        let mut typed_password = if uses_keyring {
            let typed = asker.password()?;
            Some(typed.ok_or_else(|| CliError::Usage(messages::setup_missing("--password-stdin", lang)))?)
        } else {
            None
        };

        let mut found = Vec::new();
        if !self.skip_test {
            let rules = existing.rules()?;
            match self.test(&asker, &mut account, &mut typed_password, &rules)? {
                Ok(notices) => found = notices,
                Err(e) => {
                    if !e.credentials_rejected() {
                        let problem = messages::mailbox_problem(&name, &agent::AgentError::Mailbox(e), lang);
                        eprintln!("{}", crate::notice::terminal_safe_text(&problem));
                    }
                    if !asker.confirm(messages::setup_save_anyway(lang), false)? {
                        draft::save(&draft_path, &Draft::of(&email, &account));
                        println!("{}", messages::setup_not_saved(lang));
                        println!("{}", messages::setup_answers_kept(lang));
                        return Ok(Exit::Mailbox);
                    }
                }
            }
        }

        if let Some(password) = &typed_password {
            secrets::keyring_set(&secrets::keyring_user(&account), password).map_err(|e| {
                draft::save(&draft_path, &Draft::of(&email, &account));
                CliError::Usage(messages::setup_keyring_failed(&e.to_string(), lang))
            })?;
            println!("{}", messages::setup_keyring_saved(lang));
        }
        config::upsert_account(&path, &account)?;
        draft::remove(&draft_path);
        // One « Mon compte ameli — <name> » launcher per watched account.
        match Config::load(Some(&path)) {
            Ok(saved) => {
                if let Err(e) = super::install_launchers(&saved) {
                    tracing::warn!(error = %e, "launchers");
                }
            }
            Err(e) => tracing::warn!(error = %e, "launchers"),
        }
        println!("{}", messages::setup_saved(&path, lang));

        self.past_logins(cli, &asker, &existing, &name, &found)?;
        let data_dir = config::data_dir(cli.data_dir.as_deref())?;
        let view = agent_picks_up(&path, &data_dir);
        println!("{}", messages::setup_agent_watches(&name, &view, lang));
        println!("{}", messages::setup_next_steps(lang));
        Ok(Exit::Ok)
    }

    /// The account to save: the one set up before (its options kept), with
    /// what was answered now.
    fn account(
        &self,
        name: String,
        imap_host: String,
        imap_port: u16,
        username: String,
        before: Option<&AccountConfig>,
        draft: Option<&Draft>,
    ) -> AccountConfig {
        let mut account = before.cloned().unwrap_or_else(|| AccountConfig {
            name: name.clone(),
            imap_host: imap_host.clone(),
            imap_port,
            username: username.clone(),
            password_command: None,
            oauth2_token_command: None,
            oauth2_source: None,
            tls_ca_file: None,
            tls_cert_sha256: draft.filter(|d| d.imap_host == imap_host).and_then(Draft::fingerprint),
            folders: None,
            lookback_days: 30,
            trusted_authserv_ids: Vec::new(),
            browser_history: false,
        });
        // A certificate trusted for another server means nothing here.
        if account.imap_host != imap_host || account.imap_port != imap_port {
            account.tls_cert_sha256 = None;
        }
        (account.name, account.imap_host, account.imap_port, account.username) = (name, imap_host, imap_port, username);
        if let Some(command) = &self.password_command {
            (account.password_command, account.oauth2_token_command, account.oauth2_source) =
                (Some(command.clone()), None, None);
        }
        if let Some(command) = &self.oauth2_token_command {
            (account.password_command, account.oauth2_token_command, account.oauth2_source) =
                (None, Some(command.clone()), None);
        }
        if let Some(ca) = &self.tls_ca_file {
            account.tls_ca_file = Some(ca.clone());
        }
        if let Some(pin) = self.tls_cert_sha256 {
            account.tls_cert_sha256 = Some(pin);
        }
        account
    }

    /// How the account logs in, for providers that want more than the
    /// usual password.
    fn choose_auth(
        &self,
        asker: &Asker,
        provider: Option<&Provider>,
        account: &mut AccountConfig,
    ) -> Result<(), CliError> {
        let lang = asker.lang;
        let chosen = account.password_command.is_some()
            || account.oauth2_token_command.is_some()
            || account.oauth2_source.is_some();
        match provider.map(|p| p.auth) {
            Some(Auth::OAuth2Only) if !chosen => {
                println!("{}", messages::setup_oauth2_explained(lang));
                account.oauth2_token_command =
                    Some(asker.ask(messages::setup_ask_oauth2(lang), "--oauth2-token-command", None)?);
            }
            Some(Auth::AppPassword) if !chosen => {
                println!("{}", messages::setup_app_password_explained(provider.map_or("", |p| p.name), lang));
            }
            _ => {}
        }
        Ok(())
    }

    /// The logins of the last month: says what is already known of each,
    /// and asks about the others whether they were the user's (then the
    /// first watch does not alert on them).
    fn past_logins(
        &self,
        cli: &Cli,
        asker: &Asker,
        config: &Config,
        name: &str,
        found: &[Notice],
    ) -> Result<(), CliError> {
        let lang = asker.lang;
        let past: Vec<_> = found
            .iter()
            .filter(|n| n.kind == Kind::Login && n.authenticity != Authenticity::Suspicious)
            .filter_map(|n| n.login_at.map(|t| (n.service, t.at)))
            .collect();
        if past.is_empty() {
            return Ok(());
        }
        let data_dir = config::data_dir(cli.data_dir.as_deref())?;
        let journal = Journal::open_in(&data_dir)?;
        let known = past::classify(&journal, name, &past, &config.match_rules())?;
        println!("{}", messages::setup_past_logins(&known, lang));
        let new: Vec<_> =
            known.iter().filter(|(_, _, k)| *k == messages::PastAnswer::New).map(|&(s, at, _)| (s, at)).collect();
        if new.is_empty() {
            println!("{}", messages::setup_past_all_answered(lang));
        } else if self.accept_past || asker.confirm(&messages::setup_were_they_yours(new.len(), lang), true)? {
            past::record_as_own(&journal, name, &new, Utc::now())?;
            println!("{}", messages::setup_past_recorded(new.len(), lang));
        } else {
            println!("{}", messages::setup_past_not_recorded(lang));
        }
        Ok(())
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
    fn setup_again_keeps_options_but_not_a_pin_for_another_server() {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            setup: Setup,
        }
        let pin = Fingerprint([7; 32]);
        let before: AccountConfig = toml::from_str(&format!(
            "name = \"Moi\"\nimap_host = \"mail.example.org\"\nimap_port = 10993\nusername = \"moi\"\n\
             folders = [\"INBOX\"]\nlookback_days = 7\npassword_command = \"pass moi\"\ntls_cert_sha256 = \"{pin}\"\n"
        ))
        .expect("account");
        let setup = Wrap::parse_from(["setup"]).setup;
        let same = setup.account("Moi".into(), "mail.example.org".into(), 10993, "moi".into(), Some(&before), None);
        assert_eq!(same, before, "nothing changed, nothing lost");
        let moved = setup.account("Moi".into(), "imap.example.org".into(), 993, "moi".into(), Some(&before), None);
        assert_eq!(moved.tls_cert_sha256, None, "a pin is for one server");
        assert_eq!((moved.folders, moved.lookback_days), (before.folders.clone(), 7));
        let flags = Wrap::parse_from(["setup", "--oauth2-token-command", "oama access moi"]).setup;
        let token = flags.account("Moi".into(), "mail.example.org".into(), 10993, "moi".into(), Some(&before), None);
        assert_eq!((token.password_command, token.oauth2_token_command.as_deref()), (None, Some("oama access moi")));
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
