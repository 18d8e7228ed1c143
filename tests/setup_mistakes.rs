//! `vigie setup` for a server no table knows and for a user who makes
//! mistakes, driven through the binary with answers on standard input,
//! against a real Dovecot (self-signed certificate) and a real keyring on a
//! private D-Bus session.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Dovecot, Session};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs vigie as a user whose HOME (and keyring) is `home`, on `session`,
/// with `stdin` as its standard input (not a terminal: one answer a line).
fn vigie(session: &Session, home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = session
        .command(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("VIGIE_CONFIG")
        .env_remove("VIGIE_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("vigie finishes")
}

fn said(out: &Output) -> String {
    format!("{}\n{}", text(&out.stdout), text(&out.stderr))
}

fn config_path(home: &Path) -> PathBuf {
    home.join(".config/vigie/config.toml")
}

/// The certificate's SHA-256 fingerprint as openssl prints it
/// (`AB:CD:…`).
fn openssl_fingerprint(cert: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(cert)
        .output()
        .expect("openssl");
    let line = text(&out.stdout);
    line.trim().rsplit('=').next().expect("fingerprint").to_owned()
}

/// Grouped as setup shows it: four hex digits, a space.
fn grouped(fingerprint: &str) -> String {
    let hex: String = fingerprint.chars().filter(|c| *c != ':').collect();
    hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[test]
fn a_self_signed_certificate_is_shown_by_fingerprint_and_trusted_once_accepted() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let fingerprint = openssl_fingerprint(&dovecot.cert_path());
    // Address, name, server with its port, login, password, trust: yes.
    let answers = format!("alice@example.org\nMamie\n127.0.0.1:{}\nalice\nsecret\no\n", dovecot.port());
    let out = vigie(&session, &home, &["setup"], &answers);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains(&grouped(&fingerprint)), "the fingerprint is shown, grouped:\n{all}");
    assert!(all.contains("aucune autorité connue"), "{all}");
    assert!(all.contains("✔ Connecté"), "{all}");
    assert!(all.contains(&format!("Test de la connexion à 127.0.0.1:{}…", dovecot.port())), "{all}");
    let written = std::fs::read_to_string(config_path(&home)).expect("config");
    assert!(written.contains(&format!("tls_cert_sha256 = \"{fingerprint}\"")), "{written}");
    assert!(written.contains(&format!("imap_port = {}", dovecot.port())), "{written}");

    // The watch trusts exactly that certificate…
    let check = vigie(&session, &home, &["check"], "");
    assert_eq!(check.status.code(), Some(0), "{}", said(&check));

    // …and no other: a new certificate on the same server is refused.
    dovecot.stop();
    std::fs::remove_file(dovecot.cert_path()).expect("remove cert");
    dovecot.restart();
    assert_ne!(openssl_fingerprint(&dovecot.cert_path()), fingerprint, "a new certificate");
    let check = vigie(&session, &home, &["check"], "");
    assert_eq!(check.status.code(), Some(3), "{}", said(&check));

    // Setup again shows both fingerprints and may trust the new one.
    let renewed = openssl_fingerprint(&dovecot.cert_path());
    let out = vigie(&session, &home, &["setup", "--email", "alice@example.org", "--name", "Mamie"], "secret\no\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("ne présente plus le certificat"), "{all}");
    assert!(all.contains(&grouped(&fingerprint)) && all.contains(&grouped(&renewed)), "{all}");
    let written = std::fs::read_to_string(config_path(&home)).expect("config");
    assert!(written.contains(&format!("tls_cert_sha256 = \"{renewed}\"")), "{written}");
    let check = vigie(&session, &home, &["check"], "");
    assert_eq!(check.status.code(), Some(0), "{}", said(&check));
}

#[test]
fn a_refused_certificate_saves_nothing_but_keeps_the_answers() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let answers = format!("alice@example.org\nMamie\n127.0.0.1:{}\nalice\nsecret\nn\n", dovecot.port());
    let out = vigie(&session, &home, &["setup"], &answers);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(text(&out.stdout).contains("Rien n'a été enregistré"), "{}", said(&out));
    assert!(!config_path(&home).exists());

    // Next time every answer is offered again: Enter keeps it; the
    // certificate is asked about again (it was not trusted).
    let out = vigie(&session, &home, &["setup"], "\n\n\n\nsecret\no\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("[alice@example.org]") && all.contains("[Mamie]"), "{all}");
    assert!(all.contains(&format!("[127.0.0.1:{}]", dovecot.port())), "{all}");
    let written = std::fs::read_to_string(config_path(&home)).expect("config");
    assert!(written.contains("username = \"alice\""), "{written}");
    assert!(!home.join(".config/vigie/setup-draft.toml").exists(), "the draft goes once saved");
}

#[test]
fn an_unknown_server_is_asked_its_port_and_a_bad_address_is_asked_again() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let cert = dovecot.cert_path().display().to_string();
    // A typo in the address, then the address; the server without a port,
    // a port that is not one, then the port.
    let answers =
        format!("alice.example.org\nalice@example.org\nMamie\n127.0.0.1\nimaps\n{}\nalice\nsecret\n", dovecot.port());
    let out = vigie(&session, &home, &["setup", "--tls-ca-file", &cert], &answers);
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("« alice.example.org » n'est pas une adresse e-mail complète"), "{all}");
    assert!(all.contains("Port du serveur IMAP") && all.contains("[993]"), "{all}");
    assert!(all.contains("« imaps » n'est pas un numéro de port"), "{all}");
    let written = std::fs::read_to_string(config_path(&home)).expect("config");
    assert!(written.contains(&format!("imap_port = {}", dovecot.port())), "{written}");
}

#[test]
fn a_refused_password_at_setup_is_a_typo_and_asked_again() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let cert = dovecot.cert_path().display().to_string();
    let server = format!("127.0.0.1:{}", dovecot.port());
    let args = ["setup", "--email", "alice@example.org", "--name", "Mamie", "--imap-host", &server];
    let args = [&args[..], &["--username", "alice", "--tls-ca-file", &cert]].concat();
    let out = vigie(&session, &home, &args, "Secret\nsecret\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("faute de frappe") && all.contains("essai 2 sur 3"), "{all}");
    assert_eq!(all.matches("Mot de passe de la boîte mail").count(), 2, "asked twice: {all}");
    assert!(!all.contains("pris la main"), "a typo is not a takeover: {all}");
    let lookup = session
        .command("secret-tool")
        .args(["lookup", "service", "vigie", "username", "alice@127.0.0.1"])
        .env("HOME", &home)
        .output()
        .expect("secret-tool");
    assert_eq!(text(&lookup.stdout).trim(), "secret", "the password that worked is kept");

    // Three refusals: nothing saved, no takeover warning.
    let home2 = session.dir().join("home2");
    std::fs::create_dir_all(&home2).expect("home2");
    let out = vigie(&session, &home2, &args, "a\nb\nc\nd\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("essai 3 sur 3") && !all.contains("essai 4"), "{all}");
    assert!(all.contains("mot de passe d'application") && !all.contains("pris la main"), "{all}");
    assert!(!config_path(&home2).exists());
}

#[test]
fn setup_again_keeps_the_saved_port_certificate_and_options_and_past_answers() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ameli-login-date-with-weekday.eml");
    dovecot.deliver("alice", "INBOX", &std::fs::read(fixture).expect("fixture"));
    let home = session.home().to_path_buf();
    let fingerprint = openssl_fingerprint(&dovecot.cert_path());
    let server = format!("127.0.0.1:{}", dovecot.port());
    let first = [
        "setup",
        "--email",
        "alice@example.org",
        "--name",
        "Mamie",
        "--imap-host",
        &server,
        "--username",
        "alice",
        "--tls-cert-sha256",
        &fingerprint,
        "--password-stdin",
        "--accept-past",
    ];
    let out = vigie(&session, &home, &first, "secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(text(&out.stdout).contains("1 connexion notée comme les vôtres"), "{}", said(&out));

    // Options set by hand since.
    let path = config_path(&home);
    let mut written = std::fs::read_to_string(&path).expect("config");
    written.push_str("folders = [\"INBOX\"]\nlookback_days = 7\n# Mamie's own note\n");
    std::fs::write(&path, written).expect("edit by hand");

    // Again, naming only the address and whose it is.
    let again = ["setup", "--email", "alice@example.org", "--name", "Mamie", "--password-stdin", "--accept-past"];
    let out = vigie(&session, &home, &again, "secret\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let written = std::fs::read_to_string(&path).expect("config");
    for kept in [
        format!("imap_port = {}", dovecot.port()),
        format!("tls_cert_sha256 = \"{fingerprint}\""),
        "folders = [\"INBOX\"]".to_owned(),
        "lookback_days = 7".to_owned(),
        "# Mamie's own note".to_owned(),
    ] {
        assert!(written.contains(&kept), "{kept} is lost:\n{written}");
    }
    // The login recorded the first time is said to be known, not recorded twice.
    assert!(all.contains("déjà notée comme la vôtre") && all.contains("rien de plus à faire"), "{all}");
    assert!(!all.contains("notée comme les vôtres") && !all.contains("notées comme les vôtres"), "{all}");
    let log = vigie(&session, &home, &["log", "--json"], "");
    let own = text(&log.stdout).lines().filter(|l| l.contains("\"own_login\"")).count();
    assert_eq!(own, 1, "{}", text(&log.stdout));
}
