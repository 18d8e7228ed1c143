//! The questions of `vigie setup` that need checking or looking up: the
//! address (asked again until it is one), the server and its port, and the
//! GNOME Online Accounts account to take tokens from.

use super::ask::{self, Asker};
use super::draft::Draft;
use super::{CliError, ONLINE_ACCOUNTS_WAIT, Setup};
use crate::config::AccountConfig;
use crate::messages;
use crate::providers::Provider;
use crate::secrets::online_accounts::{self, OnlineAccount};

impl Setup {
    /// The GNOME Online Accounts account to take tokens from, if any: the
    /// one named by `--oauth2-source`, the one the account already used, or
    /// one found for this address and accepted by the user.
    pub(super) fn online_account(
        &self,
        asker: &Asker,
        email: &str,
        before: Option<&AccountConfig>,
    ) -> Result<Option<OnlineAccount>, CliError> {
        let lang = asker.lang;
        let asked = self.oauth2_source.is_some();
        let kept = self.password_command.is_none()
            && self.oauth2_token_command.is_none()
            && before.is_some_and(|b| b.oauth2_source.is_some());
        let other_way = self.password_command.is_some()
            || self.oauth2_token_command.is_some()
            || before.is_some_and(|b| b.password_command.is_some() || b.oauth2_token_command.is_some());
        if !asked && !kept && other_way {
            return Ok(None);
        }
        let found = online_accounts::mail_accounts(ONLINE_ACCOUNTS_WAIT)
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.serves(email) || before.is_some_and(|b| a.serves(&b.username)));
        match found {
            Some(account) if asked || kept => Ok(Some(account)),
            Some(account) => {
                println!("{}", messages::setup_online_account_found(&account.provider_name, &account.email, lang));
                if account.attention_needed {
                    println!("{}", messages::setup_online_account_sign_in(lang));
                }
                let yes = asker.confirm(messages::setup_use_online_account(lang), true)?;
                Ok(yes.then_some(account))
            }
            None if asked => Err(CliError::Usage(messages::setup_no_online_account(email, lang))),
            None => Ok(None),
        }
    }

    /// The address, asked again until it looks like one.
    pub(super) fn email(&self, asker: &Asker, draft: Option<&Draft>) -> Result<String, CliError> {
        if let Some(e) = &self.email {
            let e = e.trim();
            return if ask::plausible_email(e) {
                Ok(e.to_owned())
            } else {
                Err(CliError::Usage(messages::setup_bad_email(e, asker.lang)))
            };
        }
        loop {
            let default = draft.map(|d| d.email.as_str());
            let typed = asker.ask(messages::setup_ask_email(asker.lang), "--email", default)?;
            if ask::plausible_email(&typed) {
                return Ok(typed);
            }
            eprintln!("{}", messages::setup_bad_email(&typed, asker.lang));
        }
    }

    /// The IMAP server and port: from the flags, the account set up before,
    /// the provider table, or asked (`host:port` accepted; the port asked
    /// when not given).
    pub(super) fn server(
        &self,
        asker: &Asker,
        provider: Option<&Provider>,
        before: Option<&AccountConfig>,
        online: Option<&OnlineAccount>,
        draft: Option<&Draft>,
    ) -> Result<(String, u16), CliError> {
        let lang = asker.lang;
        let online_host = online.and_then(|o| o.imap_host.clone());
        let typed = match (&self.imap_host, before, provider) {
            (Some(h), _, _) => h.clone(),
            (None, Some(b), _) => return Ok((b.imap_host.clone(), self.imap_port.unwrap_or(b.imap_port))),
            // The online account knows its server (993 unless it says).
            (None, None, _) if online_host.is_some() => {
                let (host, port) = ask::split_host_port(online_host.as_deref().unwrap_or_default())
                    .map_err(|port| CliError::Usage(messages::setup_bad_port(&port, lang)))?;
                return Ok((host, self.imap_port.or(port).unwrap_or(993)));
            }
            (None, None, Some(p)) => return Ok((p.imap_host.to_owned(), self.imap_port.unwrap_or(p.imap_port))),
            (None, None, None) => loop {
                let default = draft.map(|d| format!("{}:{}", d.imap_host, d.imap_port));
                let typed = asker.ask(messages::setup_ask_host(lang), "--imap-host", default.as_deref())?;
                match ask::split_host_port(&typed) {
                    Ok(_) => break typed,
                    Err(port) => eprintln!("{}", messages::setup_bad_port(&port, lang)),
                }
            },
        };
        let (host, port) =
            ask::split_host_port(&typed).map_err(|port| CliError::Usage(messages::setup_bad_port(&port, lang)))?;
        if let Some(port) = self.imap_port.or(port) {
            return Ok((host, port));
        }
        let known = provider.filter(|p| p.imap_host == host).map(|p| p.imap_port);
        if let Some(port) = known.or(before.filter(|b| b.imap_host == host).map(|b| b.imap_port)) {
            return Ok((host, port));
        }
        let default = draft.filter(|d| d.imap_host == host).map_or(993, |d| d.imap_port).to_string();
        loop {
            let answer = asker.ask(messages::setup_ask_port(lang), "--imap-port", Some(&default))?;
            match ask::parse_port(&answer) {
                Some(port) => return Ok((host, port)),
                None => eprintln!("{}", messages::setup_bad_port(&answer, lang)),
            }
        }
    }
}
