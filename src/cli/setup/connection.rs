//! The connection test of `vigie setup`, and what it does about the
//! failures a user can fix on the spot: a certificate to trust, a mistyped
//! password.

use chrono::Utc;

use super::ask::Asker;
use super::{CliError, PASSWORD_TRIES, SURVEY_DAYS, Setup};
use crate::agent;
use crate::config::AccountConfig;
use crate::mailbox::{self, Imap, MailboxError};
use crate::messages;
use crate::notice::Notice;
use crate::secrets::Credential;

impl Setup {
    /// Logs in and surveys the last month, until it works or the user
    /// gives up: a certificate the usual checks refuse may be trusted (its
    /// fingerprint pinned in `account`), a refused password typed again
    /// (three tries in all). The outer `Err` is an input/output failure; the
    /// inner one, why the mailbox could not be read.
    pub(super) fn test(
        &self,
        asker: &Asker,
        account: &mut AccountConfig,
        typed_password: &mut Option<String>,
        rules: &crate::notice::Rules,
    ) -> Result<Result<Vec<Notice>, MailboxError>, CliError> {
        let lang = asker.lang;
        let mut attempt = 1;
        loop {
            println!("{}", messages::setup_testing(account, lang));
            let connected = match typed_password {
                Some(p) => Imap::connect(account, &Credential::Password(p.clone())),
                // From a command or online account: fetched as the watch will.
                None => match agent::connect(account) {
                    Ok(imap) => Ok(imap),
                    Err(agent::AgentError::Mailbox(e)) => Err(e),
                    Err(e) => return Err(CliError::Keyring(messages::mailbox_problem(&account.name, &e, lang))),
                },
            };
            let error = match connected.and_then(|imap| survey(imap, account, rules)) {
                Ok((folders, notices)) => {
                    println!("{}", messages::setup_connected(&folders, &notices, lang));
                    return Ok(Ok(notices));
                }
                Err(e) => e,
            };
            let host = account.imap_host.clone();
            match &error {
                MailboxError::Untrusted(_) if account.tls_cert_sha256.is_none() => {
                    let Ok(found) = mailbox::server_certificate(&host, account.imap_port) else {
                        return Ok(Err(error));
                    };
                    eprintln!("{}", messages::setup_certificate_unknown(&host, &found, lang));
                    if !asker.confirm(messages::setup_trust_certificate(lang), false)? {
                        return Ok(Err(error));
                    }
                    account.tls_cert_sha256 = Some(found);
                    println!("{}", messages::setup_certificate_trusted(lang));
                }
                MailboxError::CertificateChanged { pinned, found } => {
                    eprintln!("{}", messages::setup_certificate_changed(&host, pinned, found, lang));
                    if !asker.confirm(messages::setup_trust_certificate(lang), false)? {
                        return Ok(Err(error));
                    }
                    account.tls_cert_sha256 = Some(*found);
                    println!("{}", messages::setup_certificate_trusted(lang));
                }
                // A password refused at setup is most likely mistyped.
                MailboxError::LoginRejected { .. } if typed_password.is_some() && attempt < PASSWORD_TRIES => {
                    attempt += 1;
                    eprintln!("{}", messages::setup_password_refused(attempt, PASSWORD_TRIES, lang));
                    match asker.password()? {
                        Some(p) => *typed_password = Some(p),
                        None => {
                            eprintln!("{}", messages::setup_password_still_refused(lang));
                            return Ok(Err(error));
                        }
                    }
                }
                MailboxError::LoginRejected { .. } => {
                    eprintln!("{}", messages::setup_password_still_refused(lang));
                    return Ok(Err(error));
                }
                _ => return Ok(Err(error)),
            }
        }
    }
}

/// Lists the folders of `account` and reads the notices of the last
/// [`SURVEY_DAYS`] days.
fn survey(
    mut imap: Imap,
    account: &AccountConfig,
    rules: &crate::notice::Rules,
) -> Result<(Vec<String>, Vec<Notice>), MailboxError> {
    let folders = imap.folders(account.folders.as_deref())?;
    let found = agent::survey(&mut imap, account, rules, SURVEY_DAYS, Utc::now());
    imap.logout();
    Ok((folders, found?))
}
