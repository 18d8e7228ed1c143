//! TLS for the IMAP session, with rustls (pure Rust, `ring` for the
//! cryptography): TLS 1.2 or 1.3 only, the server's certificate checked
//! against the system's roots (plus `tls_ca_file`, if set) and the host
//! name, or, when the user pinned one certificate at setup, exactly that
//! certificate.
//!
//! rustls rather than native-tls (OpenSSL): the idle agent maps neither
//! libssl nor libcrypto, and the .deb no longer depends on libssl.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme, StreamOwned};

use super::MailboxError;
use super::guard::{Budget, Timed, Tripped};
use crate::config::{AccountConfig, Fingerprint};

pub type TlsStream = StreamOwned<ClientConnection, Timed>;

/// How the server's certificate is checked.
pub enum Trust<'a> {
    /// Chain to a system root or to the certificates of `extra` (a PEM
    /// file), and name `host`.
    Roots { extra: Option<&'a std::path::Path> },
    /// Any certificate: the caller compares its fingerprint with the pin
    /// (or only shows it) before sending a byte.
    Fingerprint,
}

impl<'a> Trust<'a> {
    pub fn of(account: &'a AccountConfig) -> Trust<'a> {
        if account.tls_cert_sha256.is_some() {
            Trust::Fingerprint
        } else {
            Trust::Roots { extra: account.tls_ca_file.as_deref() }
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client settings: TLS 1.2 at least, always (rustls has nothing
/// older). With a pinned certificate, the usual checks (chain, name,
/// dates) are off and the pin replaces them: the user trusted that one
/// certificate, and only its private key's owner can present it (the
/// handshake's signature is still checked), so a name check would add
/// nothing — a self-hosted server's certificate often names another host
/// than the one typed.
fn config(trust: &Trust) -> Result<ClientConfig, MailboxError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| MailboxError::Tls(e.to_string()))?;
    let config = match trust {
        Trust::Fingerprint => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider.signature_verification_algorithms)))
            .with_no_client_auth(),
        Trust::Roots { extra } => builder.with_root_certificates(roots(*extra)?).with_no_client_auth(),
    };
    Ok(config)
}

/// The system's roots (those it can read), and the certificates of the
/// `tls_ca_file`, all of which must be readable.
fn roots(extra: Option<&std::path::Path>) -> Result<RootCertStore, MailboxError> {
    let mut store = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(system.certs);
    if let Some(path) = extra {
        let ca_error = |detail: String| MailboxError::CaFile { path: path.display().to_string(), detail };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            store.add(cert.map_err(|e| ca_error(e.to_string()))?).map_err(|e| ca_error(e.to_string()))?;
            found += 1;
        }
        if found == 0 {
            return Err(ca_error("no PEM certificate in the file".into()));
        }
    }
    Ok(store)
}

/// The TLS handshake over `tcp` with `host`, under the budget's deadline.
pub fn handshake(trust: &Trust, host: &str, tcp: TcpStream, budget: &Budget) -> Result<TlsStream, MailboxError> {
    let config = Arc::new(config(trust)?);
    let name = ServerName::try_from(host.to_owned()).map_err(|e| MailboxError::Tls(format!("{host}: {e}")))?;
    let mut connection = ClientConnection::new(config, name).map_err(|e| MailboxError::Tls(e.to_string()))?;
    let mut socket = Timed::new(tcp, budget.clone());
    while connection.is_handshaking() {
        if let Err(e) = connection.complete_io(&mut socket) {
            return Err(handshake_error(e, budget));
        }
    }
    Ok(StreamOwned::new(connection, socket))
}

/// What a failed handshake means.
fn handshake_error(e: io::Error, budget: &Budget) -> MailboxError {
    if let Some(Tripped::Deadline(time)) = budget.take_tripped() {
        return MailboxError::Stalled { seconds: time.as_secs() };
    }
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(why @ rustls::Error::InvalidCertificate(_)) => MailboxError::Untrusted(why.to_string()),
        Some(other) => MailboxError::Tls(other.to_string()),
        None if e.kind() == io::ErrorKind::UnexpectedEof => {
            MailboxError::Tls("the server closed the connection".into())
        }
        None => MailboxError::Lost(e.to_string()),
    }
}

/// The SHA-256 fingerprint of the certificate the server presented.
pub fn leaf_fingerprint(tls: &TlsStream) -> Result<Fingerprint, MailboxError> {
    let leaf = tls
        .conn
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or_else(|| MailboxError::Tls("the server presented no certificate".into()))?;
    Ok(Fingerprint::of_der(leaf))
}

/// Takes any certificate, but still checks that the server holds its
/// private key (the handshake's signature).
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
