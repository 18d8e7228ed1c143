//! The real binary refuses a config or a data directory that someone else
//! could change (the config can run a `password_command`), with exit 2 and
//! a message naming the path and the fix, and never follows a link planted
//! where its journal goes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn vigie(config: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
        .stdin(Stdio::null())
        .output()
        .expect("vigie runs")
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A private config (no accounts) and where the data dir goes.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "poll_interval_secs = 60\n").expect("config");
    chmod(&config, 0o600);
    let data = dir.path().join("data");
    (dir, config, data)
}

#[test]
fn a_config_others_can_change_is_refused_with_exit_2_and_the_fix() {
    let (_dir, config, data) = setup();
    assert_eq!(vigie(&config, &data, &["status"]).status.code(), Some(0));
    chmod(&config, 0o666);
    let out = vigie(&config, &data, &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains(&format!("chmod go-w {}", config.display())), "{text}");
    assert!(text.contains("peut être modifié par d'autres utilisateurs"), "{text}");
    let out = vigie(&config, &data, &["--lang", "en", "status"]);
    assert!(stderr(&out).contains("can be changed by other users"), "{}", stderr(&out));
}

#[test]
fn a_config_in_a_directory_others_can_write_is_refused() {
    let (dir, config, data) = setup();
    chmod(dir.path(), 0o777);
    let out = vigie(&config, &data, &["status"]);
    chmod(dir.path(), 0o700);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("chmod go-w {}", dir.path().display())), "{}", stderr(&out));
}

#[test]
fn a_data_dir_others_can_write_is_refused_with_exit_2() {
    let (_dir, config, data) = setup();
    std::fs::create_dir(&data).expect("mkdir");
    chmod(&data, 0o777);
    let out = vigie(&config, &data, &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("chmod go-w {}", data.display())), "{}", stderr(&out));
    assert!(!data.join("journal.sqlite3").exists(), "nothing written in a refused data dir");
}

#[test]
fn a_symlinked_data_dir_is_refused() {
    let (dir, config, data) = setup();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).expect("mkdir");
    chmod(&real, 0o700);
    std::os::unix::fs::symlink(&real, &data).expect("symlink");
    let out = vigie(&config, &data, &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("lien symbolique"), "{}", stderr(&out));
    assert!(!real.join("journal.sqlite3").exists());
}

#[test]
fn a_dangling_symlink_at_the_journal_path_is_never_followed() {
    let (dir, config, data) = setup();
    std::fs::create_dir(&data).expect("mkdir");
    chmod(&data, 0o700);
    let target = dir.path().join("elsewhere.sqlite3");
    std::os::unix::fs::symlink(&target, data.join("journal.sqlite3")).expect("symlink");
    let out = vigie(&config, &data, &["status"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!target.exists(), "vigie created the link's target");
}

#[test]
fn a_new_data_dir_and_journal_are_private() {
    let (_dir, config, data) = setup();
    let out = vigie(&config, &data, &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("journal.sqlite3")), 0o600);
}
