//! The SHA-256 fingerprint of a server certificate, as an account pins
//! it (`tls_cert_sha256`) and as `setup` shows it to the user.

use serde::Deserialize;

/// A certificate's SHA-256 fingerprint. Written as 32 upper-case hex
/// bytes joined by colons (as `openssl x509 -fingerprint -sha256` prints
/// it); read with or without colons, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of_der(der: &[u8]) -> Fingerprint {
        use sha2::Digest;
        Fingerprint(sha2::Sha256::digest(der).into())
    }

    pub fn parse(text: &str) -> Option<Fingerprint> {
        let hex: String = text.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect();
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(out))
    }

    /// In groups of four hex digits, easier to read aloud and compare
    /// (`AB12 CD34 …`).
    pub fn grouped(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02X}")).collect();
        hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&parts.join(":"))
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Fingerprint::parse(&text).ok_or_else(|| {
            serde::de::Error::custom("must be a SHA-256 fingerprint: 64 hexadecimal digits, colons allowed")
        })
    }
}
