//! IMAP settings of common French and international mail providers, by the
//! domain of the e-mail address, so that `vigie setup` asks a newcomer
//! nothing but the address and the password; and the authserv-id each
//! provider's receiving servers write in `Authentication-Results`, which
//! `setup` copies into the account's `trusted_authserv_ids`. Pure data.
//!
//! Where the authserv-ids come from: real headers of delivered mail seen in
//! public issue threads and test corpora (Gmail `mx.google.com`; Microsoft
//! writes none, `spf=pass (sender IP is …) …; compauth=pass`; Yahoo names
//! each server, `atlas216.free.mail.bf1.yahoo.com`; iCloud writes one
//! header per method, `dkim-verifier.icloud.com`, `spf.icloud.com` …) are
//! marked [`AuthservSource::Confirmed`]. Orange, Free, SFR and La Poste are
//! [`AuthservSource::Guessed`]: no real header was found. A wrong guess
//! only leaves notices `unverified`; vigie then learns the real id from
//! the account's own mail.

/// What the login name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginName {
    /// The whole address.
    Address,
    /// The part before the @.
    LocalPart,
}

/// How the provider lets IMAP clients in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The account's usual password.
    Password,
    /// A separate "app password" made in the account's security settings.
    AppPassword,
    /// OAuth2 only (XOAUTH2): no password works.
    OAuth2Only,
}

/// How sure the provider's authserv-ids are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthservSource {
    /// Seen in real headers of delivered mail.
    Confirmed,
    /// Not seen: the provider's inbound host names, a best guess.
    Guessed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    pub domains: &'static [&'static str],
    pub imap_host: &'static str,
    pub imap_port: u16,
    pub login: LoginName,
    pub auth: Auth,
    /// `trusted_authserv_ids` entries for this provider's receiving
    /// servers (see [`crate::notice::AuthservId`]).
    pub authserv_ids: &'static [&'static str],
    pub authserv_source: AuthservSource,
}

pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "Orange",
        domains: &["orange.fr", "wanadoo.fr"],
        imap_host: "imap.orange.fr",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::Password,
        authserv_ids: &["mx.orange.fr"],
        authserv_source: AuthservSource::Guessed,
    },
    Provider {
        name: "Free",
        domains: &["free.fr"],
        imap_host: "imap.free.fr",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::Password,
        authserv_ids: &["mx1.free.fr", "mx2.free.fr"],
        authserv_source: AuthservSource::Guessed,
    },
    Provider {
        name: "SFR",
        domains: &["sfr.fr", "neuf.fr"],
        imap_host: "imap.sfr.fr",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::Password,
        authserv_ids: &["mx.sfr.fr"],
        authserv_source: AuthservSource::Guessed,
    },
    Provider {
        name: "La Poste",
        domains: &["laposte.net"],
        imap_host: "imap.laposte.net",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::Password,
        authserv_ids: &["mx.laposte.net"],
        authserv_source: AuthservSource::Guessed,
    },
    Provider {
        name: "Gmail",
        domains: &["gmail.com", "googlemail.com"],
        imap_host: "imap.gmail.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::AppPassword,
        authserv_ids: &["mx.google.com"],
        authserv_source: AuthservSource::Confirmed,
    },
    Provider {
        name: "Outlook",
        domains: &["outlook.fr", "outlook.com", "hotmail.fr", "hotmail.com", "live.fr", "live.com", "msn.com"],
        imap_host: "outlook.office365.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::OAuth2Only,
        authserv_ids: &["(microsoft)"],
        authserv_source: AuthservSource::Confirmed,
    },
    Provider {
        name: "Yahoo",
        domains: &["yahoo.fr", "yahoo.com", "ymail.com"],
        imap_host: "imap.mail.yahoo.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::AppPassword,
        authserv_ids: &["*.yahoo.com"],
        authserv_source: AuthservSource::Confirmed,
    },
    Provider {
        name: "iCloud",
        domains: &["icloud.com", "me.com", "mac.com"],
        imap_host: "imap.mail.me.com",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::AppPassword,
        authserv_ids: &["dkim-verifier.icloud.com", "spf.icloud.com", "dmarc.icloud.com", "arc.icloud.com"],
        authserv_source: AuthservSource::Confirmed,
    },
];

/// The provider of an e-mail address, by its domain (any case).
pub fn for_address(email: &str) -> Option<&'static Provider> {
    let domain = email.rsplit_once('@')?.1.trim().to_ascii_lowercase();
    PROVIDERS.iter().find(|p| p.domains.contains(&domain.as_str()))
}

impl Provider {
    /// The IMAP login name for `email`.
    pub fn username(&self, email: &str) -> String {
        match self.login {
            LoginName::Address => email.trim().to_owned(),
            LoginName::LocalPart => email.split('@').next().unwrap_or(email).trim().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_domain() {
        let cases = [
            ("jeanne.dupont@orange.fr", "imap.orange.fr", "jeanne.dupont@orange.fr"),
            ("jeanne@Wanadoo.fr", "imap.orange.fr", "jeanne@Wanadoo.fr"),
            ("jdupont@free.fr", "imap.free.fr", "jdupont"),
            ("j@neuf.fr", "imap.sfr.fr", "j@neuf.fr"),
            ("jeanne@laposte.net", "imap.laposte.net", "jeanne"),
            ("j@gmail.com", "imap.gmail.com", "j@gmail.com"),
            ("j@hotmail.fr", "outlook.office365.com", "j@hotmail.fr"),
            ("j@icloud.com", "imap.mail.me.com", "j"),
        ];
        for (email, host, user) in cases {
            let p = for_address(email).expect(email);
            assert_eq!((p.imap_host, p.username(email).as_str()), (host, user), "{email}");
        }
        assert_eq!(for_address("j@example.org"), None);
        assert_eq!(for_address("not an address"), None);
        assert_eq!(for_address("j@live.fr").map(|p| p.auth), Some(Auth::OAuth2Only));
    }

    #[test]
    fn every_provider_has_valid_authserv_ids() {
        for p in PROVIDERS {
            assert!(!p.authserv_ids.is_empty(), "{}", p.name);
            for id in p.authserv_ids {
                assert!(crate::notice::AuthservId::parse(id).is_ok(), "{}: {id}", p.name);
            }
        }
        assert_eq!(for_address("j@gmail.com").map(|p| p.authserv_ids), Some(&["mx.google.com"][..]));
        assert_eq!(for_address("j@hotmail.fr").map(|p| p.authserv_ids), Some(&[crate::notice::MICROSOFT_STYLE][..]));
    }
}
