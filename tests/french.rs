//! French first: help, usage errors and problems are French by default,
//! English with `--lang en` or an English locale, with no internals unless
//! `--verbose`; launchers name their account and never fail silently.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Session;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The binary with a private home (config and data under it), the C
/// locale unless `env` says otherwise, and no desktop.
fn vigie_in(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("VIGIE_CONFIG")
        .env_remove("VIGIE_DATA_DIR")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("vigie runs")
}

fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("home");
    std::fs::set_permissions(home.path(), std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    home
}

/// Writes a config watching `names` (on a closed local port).
fn config(home: &Path, names: &[&str]) {
    let dir = home.join(".config/vigie");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let mut text = String::new();
    for name in names {
        text += &format!(
            "[[account]]\nname = \"{name}\"\nimap_host = \"127.0.0.1\"\nimap_port = 9\nusername = \"u\"\npassword_command = \"echo x\"\n"
        );
    }
    std::fs::write(dir.join("config.toml"), text).expect("config");
    std::fs::set_permissions(dir.join("config.toml"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
}

#[test]
fn help_is_french_by_default_and_english_with_lang_en_or_an_english_locale() {
    let home = home();
    let fr = text(&vigie_in(home.path(), &["--help"], &[]).stdout);
    assert!(fr.contains("Utilisation : vigie") && fr.contains("Commandes :"), "{fr}");
    assert!(fr.contains("Afficher l'aide") && !fr.contains("Print help"), "{fr}");
    let sub = text(&vigie_in(home.path(), &["answer", "--help"], &[]).stdout);
    assert!(sub.contains("<RÉPONSE>") && sub.contains("moi, pas-moi, fait"), "{sub}");
    for en in [
        vigie_in(home.path(), &["--lang", "en", "--help"], &[]),
        vigie_in(home.path(), &["--help"], &[("LANG", "en_GB.UTF-8")]),
        vigie_in(home.path(), &["--help"], &[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "fr_FR.UTF-8")]),
    ] {
        let en = text(&en.stdout);
        assert!(en.contains("Usage: vigie") && en.contains("Print") == en.contains("Print"), "{en}");
        assert!(en.contains("Show help") && !en.contains("Utilisation"), "{en}");
    }
}

#[test]
fn a_mistyped_answer_is_refused_in_french_with_the_french_words() {
    let home = home();
    let out = vigie_in(home.path(), &["answer", "3", "oui"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.contains("« oui » n'est pas une valeur possible"), "{said}");
    assert!(said.contains("moi, pas-moi, fait"), "{said}");
    assert!(!said.contains("error:") && !said.contains("possible values"), "{said}");
    let out = vigie_in(home.path(), &["answer", "trois", "moi"], &[]);
    let said = text(&out.stderr);
    assert!(said.contains("numéro d'une alerte est un nombre") && !said.contains("invalid digit"), "{said}");
    let out = vigie_in(home.path(), &["statuss"], &[("LANG", "en_US.UTF-8")]);
    assert!(text(&out.stderr).contains("unknown command: statuss — did you mean \"status\"?"), "{}", text(&out.stderr));
}

#[test]
fn login_accepts_the_time_vigie_prints_as_paris_time() {
    let home = home();
    let out = vigie_in(home.path(), &["login", "--at", "26/11/2026 10:30"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("26/11/2026 à 10:30"), "{}", text(&out.stdout));
    let log = text(&vigie_in(home.path(), &["log", "--json"], &[]).stdout);
    assert!(log.contains("2026-11-26T09:30:00Z"), "10:30 in Paris is 09:30 UTC in November: {log}");
    let out = vigie_in(home.path(), &["login", "--at", "hier"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("écrivez la date et l'heure de Paris"), "{}", text(&out.stderr));
}

#[test]
fn test_alert_refuses_an_account_that_is_not_watched() {
    let home = home();
    config(home.path(), &["Mamie", "Papi"]);
    let out = vigie_in(home.path(), &["test-alert", "--account", "Tata"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("aucune boîte ne s'appelle « Tata »"), "{}", text(&out.stderr));
}

#[test]
fn a_config_typo_names_the_key_and_verbose_adds_the_detail() {
    let home = home();
    config(home.path(), &[]);
    let path = home.path().join(".config/vigie/config.toml");
    std::fs::write(&path, "[[account]]\nname = \"Mamie\"\nimap_hots = \"h\"\nusername = \"u\"\n").expect("write");
    let out = vigie_in(home.path(), &["status"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.contains("clé inconnue imap_hots — vouliez-vous dire imap_host ?"), "{said}");
    assert!(!said.contains("TOML parse error") && !said.contains("unknown field"), "{said}");
    let said = text(&vigie_in(home.path(), &["--verbose", "status"], &[]).stderr);
    assert!(said.contains("(détail : TOML parse error"), "{said}");
}

#[test]
fn status_does_not_say_all_clear_above_an_unreadable_mailbox() {
    let home = home();
    config(home.path(), &["Mamie"]);
    let check = vigie_in(home.path(), &["check"], &[]);
    assert_eq!(check.status.code(), Some(3), "{}", text(&check.stderr));
    assert!(!text(&check.stderr).contains("os error"), "{}", text(&check.stderr));
    let out = vigie_in(home.path(), &["status"], &[]);
    let said = text(&out.stdout);
    assert!(said.contains("✘ Mamie") && !said.contains("Rien à signaler"), "{said}");
    assert!(!said.contains("os error") && !said.contains("Connection refused"), "{said}");
}

fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn service_installs_one_launcher_per_account_and_uninstall_stops_the_agent() {
    let home = home();
    config(home.path(), &["Mamie", "Papi"]);
    let out = vigie_in(home.path(), &["service", "install", "--kind", "autostart"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let apps = home.path().join(".local/share/applications");
    let launchers: Vec<String> = std::fs::read_dir(&apps)
        .expect("applications")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("launcher"))
        .collect();
    for (name, exec) in [
        ("Mon compte ameli — Mamie", "open ameli --account Mamie"),
        ("FranceConnect — Papi", "open franceconnect --account Papi"),
    ] {
        assert!(
            launchers.iter().any(|l| l.contains(&format!("Name={name}\n")) && l.contains(exec)),
            "{name}: {launchers:?}"
        );
    }
    // Whatever happens below, the agent does not outlive the test.
    struct Uninstall<'a>(&'a Path);
    impl Drop for Uninstall<'_> {
        fn drop(&mut self) {
            let _ = vigie_in(self.0, &["service", "uninstall", "--kind", "autostart"], &[]);
        }
    }
    let _guard = Uninstall(home.path());
    let status = home.path().join(".local/share/vigie/agent.json");
    wait_until("the agent starts", Duration::from_secs(20), || status.exists());

    let out = vigie_in(home.path(), &["service", "uninstall", "--kind", "autostart"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("l'agent vigie est arrêté"), "{}", text(&out.stdout));
    let left: Vec<_> = std::fs::read_dir(&apps).expect("applications").collect();
    assert!(left.is_empty(), "launchers left: {left:?}");
    let out = vigie_in(home.path(), &["service", "status"], &[]);
    assert!(text(&out.stdout).contains("l'agent vigie ne tourne pas"), "{}", text(&out.stdout));
}

#[test]
fn a_launcher_that_cannot_record_the_visit_says_so_on_the_desktop() {
    let Some(session) = Session::start() else { return };
    let home = home();
    config(home.path(), &["Mamie", "Papi"]);
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let fake = bin.join("xdg-open");
    std::fs::write(&fake, "#!/bin/sh\nexit 0\n").expect("fake xdg-open");
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let path = bin.display().to_string();
    let out = vigie_in(
        home.path(),
        &["open", "ameli"],
        &[("DBUS_SESSION_BUS_ADDRESS", session.bus_address()), ("PATH", &path)],
    );
    assert_eq!(out.status.code(), Some(2), "which account: {}", text(&out.stderr));
    let shown = session
        .wait_for(|n| n["summary"] == "vigie n'a pas pu noter votre visite sur ameli", Duration::from_secs(5))
        .expect("a notification says the launcher failed");
    let body = shown["body"].as_str().unwrap_or_default();
    assert!(body.contains("--account") && body.contains("était moi »"), "{body}");
}
