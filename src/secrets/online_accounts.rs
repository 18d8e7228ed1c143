//! OAuth2 access tokens from GNOME Online Accounts: the accounts a user
//! added in Settings → Online Accounts (Microsoft, Google…) hand out
//! tokens over the session bus with GNOME's own registered client, so
//! that an Outlook or Hotmail mailbox can be watched without installing a
//! token program.
//!
//! The service is `org.gnome.OnlineAccounts`: an
//! `org.freedesktop.DBus.ObjectManager` at `/org/gnome/OnlineAccounts`
//! lists one object per account, with the interfaces
//! `org.gnome.OnlineAccounts.Account` (`ProviderType`, `ProviderName`,
//! `PresentationIdentity`, `AttentionNeeded`, `MailDisabled`;
//! `EnsureCredentials`), `org.gnome.OnlineAccounts.Mail` (`EmailAddress`,
//! `ImapSupported`, `ImapHost`, `ImapUserName`; present only while mail is
//! enabled for the account) and `org.gnome.OnlineAccounts.OAuth2Based`
//! (`GetAccessToken() -> (s access_token, i expires_in)`).
//!
//! A token is asked for before each login, never kept: goa-daemon keeps
//! it and refreshes it when it expires. When the server refuses one
//! anyway, [`access_token`] with `renew` asks the daemon to check the
//! account's credentials first (`EnsureCredentials`).

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

use zbus::{Connection, OwnedObjectPath, OwnedVariant};

use super::SecretError;

const SERVICE: &str = "org.gnome.OnlineAccounts";
const ROOT: &str = "/org/gnome/OnlineAccounts";
const ACCOUNT: &str = "org.gnome.OnlineAccounts.Account";
const MAIL: &str = "org.gnome.OnlineAccounts.Mail";
const OAUTH2: &str = "org.gnome.OnlineAccounts.OAuth2Based";

/// One online account that can log in to a mailbox with an OAuth2 token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineAccount {
    /// Its object path on the bus.
    pub path: String,
    /// `ms_graph` (Microsoft 365), `windows_live` (older Microsoft),
    /// `google`…
    pub provider_type: String,
    /// The provider's name as Settings shows it ("Microsoft 365").
    pub provider_name: String,
    pub email: String,
    /// The IMAP server, perhaps with `:port`.
    pub imap_host: Option<String>,
    pub imap_user: Option<String>,
    /// The user must sign in again in Settings.
    pub attention_needed: bool,
}

impl OnlineAccount {
    /// Whether this account logs in to the mailbox whose login name is
    /// `username` (its address or its IMAP login name, any case).
    pub fn serves(&self, username: &str) -> bool {
        self.email.eq_ignore_ascii_case(username)
            || self.imap_user.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(username))
    }
}

type Properties = HashMap<String, HashMap<String, OwnedVariant>>;

/// Runs `call` on the session bus on its own thread, at most `timeout`:
/// a frozen bus is an error, never a hang.
fn on_bus<T: Send + 'static>(
    timeout: Duration,
    call: impl AsyncFnOnce(&Connection) -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = zbus::block_on(async move {
            let builder = zbus::connection::Builder::session();
            let conn = builder.method_timeout(timeout).build().await.map_err(unavailable)?;
            call(&conn).await
        });
        let _ = tx.send(result);
    });
    rx.recv_timeout(timeout).map_err(|_| SecretError::OnlineAccounts("no answer from the session bus".into()))?
}

fn unavailable(e: zbus::Error) -> SecretError {
    SecretError::OnlineAccounts(e.to_string())
}

/// An error of the service itself (`org.gnome.OnlineAccounts.Error.*`,
/// such as `NotAuthorized`) means the user must sign in again in Settings.
fn refused(email: &str, e: zbus::Error) -> SecretError {
    match e {
        zbus::Error::MethodError(name, _, _) if name.as_str().starts_with("org.gnome.OnlineAccounts.Error") => {
            SecretError::OnlineAccountSignIn { user: email.to_owned() }
        }
        other => unavailable(other),
    }
}

/// The accounts in GNOME Online Accounts that give OAuth2 tokens for a
/// mailbox (mail enabled, IMAP supported). An error when the service is
/// not there (not a GNOME desktop, or none of its accounts).
pub fn mail_accounts(timeout: Duration) -> Result<Vec<OnlineAccount>, SecretError> {
    on_bus(timeout, async |conn: &Connection| {
        let reply = conn
            .call_method(Some(SERVICE), ROOT, Some("org.freedesktop.DBus.ObjectManager"), "GetManagedObjects", &())
            .await
            .map_err(unavailable)?;
        let objects: HashMap<OwnedObjectPath, Properties> = reply.body().deserialize().map_err(unavailable)?;
        let mut found: Vec<OnlineAccount> = objects.into_iter().filter_map(|(path, p)| account(&path, &p)).collect();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(found)
    })
}

/// The account at `path` if it is a mail account with OAuth2 tokens.
fn account(path: &OwnedObjectPath, properties: &Properties) -> Option<OnlineAccount> {
    let text = |iface: &str, name: &str| {
        properties.get(iface)?.get(name).and_then(|v| String::try_from(v.try_clone().ok()?).ok())
    };
    let flag =
        |iface: &str, name: &str| properties.get(iface).and_then(|p| p.get(name)).and_then(|v| bool::try_from(v).ok());
    properties.get(OAUTH2)?;
    if flag(ACCOUNT, "MailDisabled") == Some(true) || flag(MAIL, "ImapSupported") == Some(false) {
        return None;
    }
    let email = text(MAIL, "EmailAddress").filter(|e| !e.is_empty())?;
    Some(OnlineAccount {
        path: path.as_str().to_owned(),
        provider_type: text(ACCOUNT, "ProviderType").unwrap_or_default(),
        provider_name: text(ACCOUNT, "ProviderName").unwrap_or_default(),
        email,
        imap_host: text(MAIL, "ImapHost").filter(|h| !h.is_empty()),
        imap_user: text(MAIL, "ImapUserName").filter(|u| !u.is_empty()),
        attention_needed: flag(ACCOUNT, "AttentionNeeded").unwrap_or(false),
    })
}

/// A fresh access token for the online account that serves `username`.
/// With `renew` (the server refused the last one), the daemon is first
/// asked to make sure the account's credentials are valid.
pub fn access_token(username: &str, renew: bool, timeout: Duration) -> Result<String, SecretError> {
    let accounts = mail_accounts(timeout)?;
    let Some(account) = accounts.into_iter().find(|a| a.serves(username)) else {
        return Err(SecretError::NoOnlineAccount { user: username.to_owned() });
    };
    let (path, email) = (account.path, account.email);
    let token = on_bus(timeout, async move |conn: &Connection| {
        if renew {
            conn.call_method(Some(SERVICE), path.as_str(), Some(ACCOUNT), "EnsureCredentials", &())
                .await
                .map_err(|e| refused(&email, e))?;
        }
        let reply = conn
            .call_method(Some(SERVICE), path.as_str(), Some(OAUTH2), "GetAccessToken", &())
            .await
            .map_err(|e| refused(&email, e))?;
        let (token, _expires_in): (String, i32) = reply.body().deserialize().map_err(unavailable)?;
        Ok(token)
    })?;
    if token.is_empty() {
        return Err(SecretError::OnlineAccounts("an empty token".into()));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::Variant;

    fn props(entries: &[(&str, &str, Variant<'static>)]) -> Properties {
        let mut out: Properties = HashMap::new();
        for (iface, name, value) in entries {
            let value = OwnedVariant::try_from(value.clone()).expect("owned");
            out.entry((*iface).to_owned()).or_default().insert((*name).to_owned(), value);
        }
        out
    }

    fn hotmail(extra: &[(&str, &str, Variant<'static>)]) -> Properties {
        let mut all = vec![
            (ACCOUNT, "ProviderType", Variant::from("ms_graph")),
            (ACCOUNT, "ProviderName", Variant::from("Microsoft 365")),
            (ACCOUNT, "MailDisabled", Variant::from(false)),
            (OAUTH2, "ClientId", Variant::from("id")),
            (MAIL, "EmailAddress", Variant::from("Mamie@Hotmail.fr")),
            (MAIL, "ImapSupported", Variant::from(true)),
            (MAIL, "ImapHost", Variant::from("outlook.office365.com")),
        ];
        all.extend(extra.iter().cloned());
        props(&all)
    }

    #[test]
    fn a_mail_account_with_oauth2_tokens_serves_its_address() {
        let path = OwnedObjectPath::try_from("/org/gnome/OnlineAccounts/Accounts/account_1").expect("path");
        let found = account(&path, &hotmail(&[])).expect("a mail account");
        assert_eq!(
            (found.provider_name.as_str(), found.imap_host.as_deref()),
            ("Microsoft 365", Some("outlook.office365.com"))
        );
        assert!(found.serves("mamie@hotmail.fr"), "any case");
        assert!(!found.serves("papi@hotmail.fr"));
        let with_login = account(&path, &hotmail(&[(MAIL, "ImapUserName", Variant::from("alice"))])).expect("account");
        assert!(with_login.serves("alice") && with_login.serves("mamie@hotmail.fr"));
    }

    #[test]
    fn accounts_without_mail_or_tokens_are_not_offered() {
        let path = OwnedObjectPath::try_from("/org/gnome/OnlineAccounts/Accounts/account_1").expect("path");
        assert!(account(&path, &hotmail(&[(ACCOUNT, "MailDisabled", Variant::from(true))])).is_none());
        assert!(account(&path, &hotmail(&[(MAIL, "ImapSupported", Variant::from(false))])).is_none());
        let mut files_only = hotmail(&[]);
        files_only.remove(MAIL);
        assert!(account(&path, &files_only).is_none(), "Microsoft 365 as GNOME ships it: files only");
        let mut password = hotmail(&[]);
        password.remove(OAUTH2);
        assert!(account(&path, &password).is_none(), "a password account gives no token");
    }
}
