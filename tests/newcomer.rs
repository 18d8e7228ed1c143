//! A newcomer's path: `vigie setup` (non-interactive) against a real
//! Dovecot and a real gnome-keyring on a private D-Bus session, `doctor`,
//! `service install --dry-run` into a temporary HOME, man pages and
//! completions.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{Dovecot, Session};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs vigie as a user whose HOME (and keyring) is `home`, on `session`.
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

fn setup_args(port: &str, cert: &str, name: &str, user: &str) -> Vec<String> {
    let email = format!("{user}@example.org");
    ["setup", "--email", &email, "--name", name, "--imap-host", "127.0.0.1", "--imap-port", port]
        .into_iter()
        .chain(["--username", user, "--tls-ca-file", cert, "--password-stdin"])
        .map(str::to_owned)
        .collect()
}

#[test]
fn setup_stores_the_password_in_the_keyring_and_the_watch_uses_it() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    dovecot.deliver("alice", "INBOX", &fixture("ameli-login-date-with-weekday.eml"));
    dovecot.deliver("alice", "Junk", &fixture("fake-ameli-lookalike-ameli-fr-com.eml"));
    let home = session.home().to_path_buf();
    let (port, cert) = (dovecot.port().to_string(), dovecot.cert_path().display().to_string());

    let mut args = setup_args(&port, &cert, "Mamie", "alice");
    args.push("--accept-past".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vigie(&session, &home, &args, "secret\n");
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let said = text(&out.stdout);
    for expected in [
        "✔ Connecté",
        "boîte de réception et courrier indésirable",
        "1 notification de connexion ameli",
        "1 faux message.",
        "trousseau",
        "1 connexion notée comme les vôtres",
        "vigie service install",
    ] {
        assert!(said.contains(expected), "setup does not say {expected:?}:\n{said}");
    }

    // The config: 0600, the account, no password anywhere in it.
    let config = home.join(".config/vigie/config.toml");
    let written = std::fs::read_to_string(&config).expect("config written");
    assert!(written.contains("name = \"Mamie\"") && !written.contains("secret"), "{written}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&config).expect("meta").permissions().mode() & 0o777, 0o600);

    // The password is in the keyring, under vigie's name.
    let lookup = session
        .command("secret-tool")
        .args(["lookup", "service", "vigie", "username", "alice@127.0.0.1"])
        .env("HOME", &home)
        .output()
        .expect("secret-tool");
    assert_eq!(text(&lookup.stdout).trim(), "secret", "{}", text(&lookup.stderr));

    // The watch logs in with it; the past login was accepted as the user's
    // own, so only the fake is raised.
    let check = vigie(&session, &home, &["check", "--json"], "");
    let raised: Vec<String> = text(&check.stdout).lines().map(str::to_owned).collect();
    assert_eq!(raised.len(), 1, "{raised:?}\n{}", text(&check.stderr));
    assert!(raised[0].contains("\"impersonation\""), "{raised:?}");

    // Setup again for a second mailbox keeps the first.
    let args = setup_args(&port, &cert, "Papi", "bob");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vigie(&session, &home, &args, "secret\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&config).expect("config");
    assert!(written.contains("\"Mamie\"") && written.contains("\"Papi\""), "{written}");

    // Doctor: everything but the (not running) agent is green.
    let doctor = vigie(&session, &home, &["doctor"], "");
    let report = text(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "{report}");
    assert!(report.contains("✔ Mamie :") && report.contains("✔ Papi :"), "{report}");
    assert!(report.contains("✔ alertes sur le bureau, avec boutons"), "{report}");
    assert!(report.contains("✘ l'agent vigie ne tourne pas → lancez « vigie service install »"), "{report}");
}

#[test]
fn setup_with_a_wrong_password_saves_nothing() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let (port, cert) = (dovecot.port().to_string(), dovecot.cert_path().display().to_string());
    let args = setup_args(&port, &cert, "Mamie", "alice");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vigie(&session, &home, &args, "wrong\n");
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("le serveur refuse le mot de passe"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Rien n'a été enregistré"));
    assert!(!home.join(".config/vigie/config.toml").exists());
}

#[test]
fn setup_without_a_terminal_names_the_missing_flag() {
    let Some(session) = Session::start() else { return };
    let home = session.home().to_path_buf();
    let out = vigie(&session, &home, &["setup", "--email", "jeanne@orange.fr", "--password-stdin"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--name"), "{}", text(&out.stderr));
}

#[test]
fn service_install_dry_run_says_what_it_would_write_and_writes_nothing() {
    let home = tempfile::tempdir().expect("home");
    for (kind, unit) in
        [("systemd", ".config/systemd/user/vigie.service"), ("autostart", ".config/autostart/vigie.desktop")]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["service", "install", "--dry-run", "--kind", kind])
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .output()
            .expect("vigie runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        let exe = env!("CARGO_BIN_EXE_vigie");
        assert!(said.contains(&home.path().join(unit).display().to_string()), "{said}");
        assert!(said.contains(&format!("{exe} run")), "the unit runs this binary: {said}");
        assert!(said.contains(&format!("Exec={exe} open ameli")), "the launcher opens ameli through vigie: {said}");
        assert!(said.contains(".local/share/applications/vigie-franceconnect.desktop"), "{said}");
        if kind == "systemd" {
            assert!(said.contains("systemctl --user enable --now vigie.service"), "{said}");
        }
    }
    let left: Vec<_> = walk(home.path());
    assert!(left.is_empty(), "dry run wrote {left:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["service", "uninstall", "--dry-run", "--kind", "systemd"])
        .env("HOME", home.path())
        .output()
        .expect("vigie runs");
    assert!(text(&out.stdout).contains("systemctl --user disable --now vigie.service"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn man_pages_and_completions_come_from_the_command_line_definition() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out =
        Command::new(env!("CARGO_BIN_EXE_vigie")).args(["generate", "man"]).arg(dir.path()).output().expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let main = std::fs::read_to_string(dir.path().join("vigie.1")).expect("vigie.1");
    assert!(main.contains(".TH vigie 1") && main.contains("setup"), "{main}");
    let setup = std::fs::read_to_string(dir.path().join("vigie-setup.1")).expect("vigie-setup.1");
    assert!(setup.contains("password\\-stdin"), "{setup}");
    for shell in ["bash", "zsh", "fish"] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_vigie")).args(["generate", "completions", shell]).output().expect("runs");
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("service"), "{shell} completions name the subcommands");
    }
    let help = Command::new(env!("CARGO_BIN_EXE_vigie")).arg("--help").output().expect("runs");
    assert!(!text(&help.stdout).contains("generate"), "generate is for packaging, hidden from help");
}

#[test]
fn the_deb_metadata_installs_files_that_exist_or_that_deb_sh_generates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml")).expect("valid TOML");
    let assets = manifest["package"]["metadata"]["deb"]["assets"].as_array().expect("deb assets");
    let deb_sh = std::fs::read_to_string(root.join("packaging/deb.sh")).expect("deb.sh");
    let mut installed = Vec::new();
    for asset in assets {
        let source = asset[0].as_str().expect("source");
        installed.push(asset[1].as_str().expect("destination").to_owned());
        if source == "target/dist/vigie" {
            continue;
        }
        if let Some(generated) = source.strip_prefix("target/assets/") {
            let dir = generated.split('/').next().unwrap_or_default();
            assert!(deb_sh.contains(&format!("$assets/{dir}")), "deb.sh does not generate {source}");
        } else {
            assert!(root.join(source).exists(), "{source} is missing");
        }
    }
    for needed in ["usr/bin/", "usr/lib/systemd/user/", "usr/share/applications/", "usr/share/man/man1/"] {
        assert!(installed.iter().any(|d| d == needed), "nothing installed into {needed}");
    }
}
