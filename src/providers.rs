//! IMAP settings of common French and international mail providers, by the
//! domain of the e-mail address, so that `vigie setup` asks a newcomer
//! nothing but the address and the password. Pure data.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    pub domains: &'static [&'static str],
    pub imap_host: &'static str,
    pub imap_port: u16,
    pub login: LoginName,
    pub auth: Auth,
}

pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "Orange",
        domains: &["orange.fr", "wanadoo.fr"],
        imap_host: "imap.orange.fr",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::Password,
    },
    Provider {
        name: "Free",
        domains: &["free.fr"],
        imap_host: "imap.free.fr",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::Password,
    },
    Provider {
        name: "SFR",
        domains: &["sfr.fr", "neuf.fr"],
        imap_host: "imap.sfr.fr",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::Password,
    },
    Provider {
        name: "La Poste",
        domains: &["laposte.net"],
        imap_host: "imap.laposte.net",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::Password,
    },
    Provider {
        name: "Gmail",
        domains: &["gmail.com", "googlemail.com"],
        imap_host: "imap.gmail.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::AppPassword,
    },
    Provider {
        name: "Outlook",
        domains: &["outlook.fr", "outlook.com", "hotmail.fr", "hotmail.com", "live.fr", "live.com", "msn.com"],
        imap_host: "outlook.office365.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::OAuth2Only,
    },
    Provider {
        name: "Yahoo",
        domains: &["yahoo.fr", "yahoo.com", "ymail.com"],
        imap_host: "imap.mail.yahoo.com",
        imap_port: 993,
        login: LoginName::Address,
        auth: Auth::AppPassword,
    },
    Provider {
        name: "iCloud",
        domains: &["icloud.com", "me.com", "mac.com"],
        imap_host: "imap.mail.me.com",
        imap_port: 993,
        login: LoginName::LocalPart,
        auth: Auth::AppPassword,
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
}
