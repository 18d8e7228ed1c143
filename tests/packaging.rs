//! The files under `packaging/`: each is checked by the tool its platform
//! would read it with (systemd-analyze, desktop-file-validate, Python's
//! plistlib standing in for launchd), and what it asks for is checked against
//! the real command line: every `vigie …` it runs must parse as the intended
//! subcommand.
//!
//! Missing tools follow the policy of `tests/common`: a loud SKIP locally, a
//! failure under `CI=true`.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clap::Parser;
use serde_json::Value;
use vigie::cli::{Cli, Command as Subcommand};

const UNIT: &str = "systemd/vigie.service";
const AUTOSTART: &str = "autostart/vigie.desktop";
const AMELI: &str = "applications/vigie-ameli.desktop";
const FRANCECONNECT: &str = "applications/vigie-franceconnect.desktop";
const PLIST: &str = "macos/fr.vigie.agent.plist";
const DESKTOP_FILES: [&str; 3] = [AUTOSTART, AMELI, FRANCECONNECT];

fn packaging(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging").join(rel)
}

fn read(rel: &str) -> String {
    let path = packaging(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// The entries of a key file (a systemd unit or a .desktop file), in order:
/// (section, key, value). Keys may repeat (systemd allows it), so lookups
/// say whether they expect one value or several.
struct KeyFile {
    name: String,
    entries: Vec<(String, String, String)>,
}

impl KeyFile {
    /// Parses `rel`; `comments` are the characters that start a comment line
    /// ('#' for .desktop files, '#' and ';' for units). Panics on a line that
    /// is neither blank, comment, section header nor key=value, and on line
    /// continuations, which this reader does not follow.
    fn read(rel: &str, comments: &[char]) -> KeyFile {
        let mut entries = Vec::new();
        let mut section = None;
        for (n, line) in read(rel).lines().enumerate() {
            let n = n + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with(comments) {
                continue;
            }
            assert!(!line.ends_with('\\'), "{rel}:{n}: line continuations are not supported here");
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.to_owned());
                continue;
            }
            let section = section.clone().unwrap_or_else(|| panic!("{rel}:{n}: entry before any section"));
            let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("{rel}:{n}: not key=value: {line:?}"));
            entries.push((section, key.trim().to_owned(), value.trim().to_owned()));
        }
        KeyFile { name: rel.to_owned(), entries }
    }

    fn all(&self, section: &str, key: &str) -> Vec<&str> {
        self.entries.iter().filter(|(s, k, _)| s == section && k == key).map(|(_, _, v)| v.as_str()).collect()
    }

    /// The value of `key`, which must be set exactly once.
    fn one(&self, section: &str, key: &str) -> &str {
        match self.all(section, key)[..] {
            [value] => value,
            [] => panic!("{}: [{section}] {key}= is missing", self.name),
            _ => panic!("{}: [{section}] {key}= is set more than once", self.name),
        }
    }

    fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(s, k, _)| (s.as_str(), k.as_str()))
    }
}

/// The words of a plain command line (an Exec= or ExecStart= value), which
/// must use no quoting, escapes or field codes: they would need a real
/// parser, and the installer rewrites these lines with plain text edits.
fn words(command: &str) -> Vec<&str> {
    assert!(!command.contains(['"', '\'', '\\', '%', '$']), "not a plain command line: {command:?}");
    command.split_whitespace().collect()
}

/// `args` (without the program name) parsed by vigie's own command line.
fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("vigie").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("`vigie {}` is not a valid command line: {e}", args.join(" ")))
}

fn assert_runs_agent(args: &[&str], what: &str) {
    assert_eq!(args, ["run"], "{what} must run `vigie run`");
    assert!(matches!(parse(args).command, Subcommand::Run(_)), "{what}: `vigie run` is not the Run subcommand");
}

fn assert_opens(args: &[&str], site: &str, url: &str, what: &str) {
    assert_eq!(args, ["open", site], "{what} must run `vigie open {site}`");
    match parse(args).command {
        Subcommand::Open(open) => assert_eq!(open.site.url(), url, "{what}: `vigie open {site}` goes elsewhere"),
        other => panic!("{what}: `vigie open {site}` parses as {other:?}"),
    }
}

// ---------------------------------------------------------------- systemd

#[test]
fn systemd_unit_runs_the_agent_and_restarts_it() {
    let unit = KeyFile::read(UNIT, &['#', ';']);
    let description = unit.one("Unit", "Description");
    assert!(description.contains("ameli") && description.contains("FranceConnect"), "Description: {description:?}");

    // The installer rewrites exactly this path to the installed binary.
    let exec = words(unit.one("Service", "ExecStart"));
    assert_eq!(exec[0], "/usr/bin/vigie", "ExecStart must start with the path the installer rewrites");
    assert_runs_agent(&exec[1..], UNIT);

    assert_eq!(unit.one("Service", "Type"), "exec");
    assert_eq!(unit.one("Service", "Restart"), "on-failure");
    assert_eq!(unit.one("Service", "RestartSec"), "30");
    assert_eq!(unit.one("Install", "WantedBy"), "default.target");

    // default.target is reached before (and without) the graphical session:
    // ordering on it, or on system targets the user manager cannot see,
    // would only delay or block the start.
    for key in ["After", "Wants", "Requires", "BindsTo", "PartOf", "Requisite"] {
        for value in unit.all("Unit", key) {
            for target in ["graphical-session.target", "network-online.target", "network.target"] {
                assert!(!value.contains(target), "{UNIT}: {key}={value} (a default.target unit must not use {target})");
            }
        }
    }
}

#[test]
fn systemd_unit_keeps_to_hardening_a_user_manager_can_apply() {
    let unit = KeyFile::read(UNIT, &['#', ';']);
    assert_eq!(unit.one("Service", "NoNewPrivileges"), "yes");
    assert_eq!(unit.one("Service", "RestrictSUIDSGID"), "yes");
    assert_eq!(unit.one("Service", "UMask"), "0077");

    // Each of these either needs a user namespace (silently ignored, or the
    // unit fails to start, depending on the system), needs capabilities a
    // user manager lacks, cuts the agent off from the network or the session
    // bus, or is inherited by the user's password_command. The reasons are
    // in the comments of vigie.service.
    let refused = [
        "PrivateUsers",
        "PrivateTmp",
        "ProtectSystem",
        "ProtectHome",
        "ReadWritePaths",
        "ReadOnlyPaths",
        "InaccessiblePaths",
        "TemporaryFileSystem",
        "BindPaths",
        "BindReadOnlyPaths",
        "PrivateDevices",
        "PrivateMounts",
        "PrivateIPC",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "ProtectClock",
        "ProtectHostname",
        "ProtectProc",
        "CapabilityBoundingSet",
        "AmbientCapabilities",
        "SupplementaryGroups",
        "PrivateNetwork",
        "IPAddressDeny",
        "RestrictAddressFamilies",
        "RestrictNamespaces",
        "SystemCallFilter",
        "SystemCallArchitectures",
        "MemoryDenyWriteExecute",
        "User",
        "Group",
        "DynamicUser",
    ];
    for (section, key) in unit.keys() {
        assert!(!refused.contains(&key), "{UNIT}: [{section}] {key}= is not safe in this user unit; see its comments");
    }
    // The session bus is found through $XDG_RUNTIME_DIR/bus; forcing an
    // address would break desktops that import their own.
    for value in unit.all("Service", "Environment") {
        assert!(!value.contains("DBUS_SESSION_BUS_ADDRESS"), "{UNIT}: Environment={value}");
    }
}

/// `systemd-analyze verify` on the unit as the installer writes it: with
/// ExecStart pointing at the binary just built (verify insists that it
/// exists). Warnings make verify print but still exit 0, so any output
/// fails the test.
#[test]
fn systemd_analyze_verifies_the_unit() {
    let Some(analyze) = common::need("systemd-analyze", "verifies the systemd user unit; package systemd") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_vigie");
    assert!(!bin.contains(['"', '\\']), "unexpected binary path {bin:?}");
    let unit = read(UNIT);
    assert_eq!(unit.matches("ExecStart=/usr/bin/vigie ").count(), 1, "{UNIT}: one ExecStart=/usr/bin/vigie expected");
    // Quoted for spaces; '%' starts a specifier in unit files.
    let unit = unit.replace("ExecStart=/usr/bin/vigie ", &format!("ExecStart=\"{}\" ", bin.replace('%', "%%")));

    // A private runtime directory and home: verify --user needs
    // XDG_RUNTIME_DIR (a container has none), and must not pick up the
    // developer's own user units.
    let dir = tempfile::tempdir().expect("temp dir");
    let (units, runtime, home) = (dir.path().join("units"), dir.path().join("runtime"), dir.path().join("home"));
    for d in [&units, &runtime, &home] {
        fs::create_dir(d).expect("mkdir");
    }
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).expect("chmod");
    let path = units.join("vigie.service");
    fs::write(&path, unit).expect("write unit");

    let out = run(Command::new(analyze)
        .args(["verify", "--user", "--man=no"])
        .arg(&path)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("SYSTEMD_UNIT_PATH"));
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && output.trim().is_empty(),
        "systemd-analyze verify --user {UNIT}: {}\n{output}",
        out.status
    );
}

// ----------------------------------------------------------- .desktop files

/// desktop-file-validate exits non-zero on errors only; warnings fail the
/// test too. Hints (advice) are shown but allowed.
#[test]
fn desktop_files_pass_desktop_file_validate() {
    let Some(validate) = common::need("desktop-file-validate", "validates .desktop files; package desktop-file-utils")
    else {
        return;
    };
    for rel in DESKTOP_FILES {
        let out = run(Command::new(&validate).arg(packaging(rel)));
        let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let problems: Vec<&str> = output.lines().filter(|l| !l.contains(": hint: ")).collect();
        if !output.is_empty() {
            eprintln!("desktop-file-validate {rel}:\n{output}");
        }
        assert!(out.status.success() && problems.is_empty(), "desktop-file-validate {rel}: {}\n{output}", out.status);
    }
}

#[test]
fn autostart_entry_runs_the_agent_hidden_and_defers_to_the_unit() {
    let entry = KeyFile::read(AUTOSTART, &['#']);
    let d = "Desktop Entry";
    assert_eq!(entry.one(d, "Type"), "Application");
    let exec = words(entry.one(d, "Exec"));
    assert_eq!(exec[0], "vigie", "{AUTOSTART}");
    assert_runs_agent(&exec[1..], AUTOSTART);
    assert_eq!(entry.one(d, "NoDisplay"), "true");
    assert_eq!(entry.one(d, "Terminal"), "false");
    assert_eq!(entry.one(d, "X-GNOME-Autostart-enabled"), "true");
    // Where systemd runs the session's autostart, vigie.service starts the
    // agent; these keep the session from starting a second one.
    assert_eq!(entry.one(d, "X-GNOME-HiddenUnderSystemd"), "true");
    assert_eq!(entry.one(d, "X-systemd-skip"), "true");
    assert!(entry.all(d, "Hidden").iter().all(|v| *v != "true"), "Hidden=true would disable the entry everywhere");
}

#[test]
fn launchers_open_ameli_and_franceconnect_and_say_why() {
    let d = "Desktop Entry";
    let cases = [
        (AMELI, "ameli", "https://assure.ameli.fr/", "Mon compte ameli", Some("My ameli account")),
        (FRANCECONNECT, "franceconnect", "https://franceconnect.gouv.fr/", "FranceConnect", None),
    ];
    for (rel, site, url, name, name_en) in cases {
        let entry = KeyFile::read(rel, &['#']);
        assert_eq!(entry.one(d, "Type"), "Application", "{rel}");
        assert_eq!(entry.one(d, "Name"), name, "{rel}");
        if let Some(name_en) = name_en {
            assert_eq!(entry.one(d, "Name[en]"), name_en, "{rel}");
        }
        let exec = words(entry.one(d, "Exec"));
        assert_eq!(exec[0], "vigie", "{rel}");
        assert_opens(&exec[1..], site, url, rel);
        assert_eq!(entry.one(d, "Terminal"), "false", "{rel}");
        assert!(entry.all(d, "NoDisplay").iter().all(|v| *v != "true"), "{rel}: a launcher must show in the menu");
        assert!(!entry.one(d, "Icon").is_empty(), "{rel}: Icon");
        let categories: Vec<&str> = entry.one(d, "Categories").split(';').collect();
        assert!(categories.contains(&"Network"), "{rel}: Categories must include Network");
        // The French comment says why to go through the launcher.
        let comment = entry.one(d, "Comment");
        assert!(comment.contains("vigie") && comment.contains("vôtre"), "{rel}: Comment {comment:?}");
        assert!(entry.one(d, "Comment[en]").contains("yours"), "{rel}: Comment[en]");
    }
}

// ------------------------------------------------------------------ launchd

/// Python's plistlib as the plist reader (there is no launchd here): it
/// rejects malformed XML and anything that is not a property list, and hands
/// back typed values, printed as JSON.
#[test]
fn launchd_agent_runs_the_agent_and_restarts_it() {
    let python = Path::new("/usr/bin/python3");
    if !python.is_file() {
        let _: Option<()> =
            common::missing("/usr/bin/python3", "parses the launchd plist with plistlib; package python3");
        return;
    }
    let script = "import json, plistlib, sys\n\
                  with open(sys.argv[1], 'rb') as f:\n    \
                      json.dump(plistlib.load(f, fmt=plistlib.FMT_XML), sys.stdout)\n";
    let out = run(Command::new(python).arg("-c").arg(script).arg(packaging(PLIST)));
    assert!(out.status.success(), "plistlib rejects {PLIST}: {}", String::from_utf8_lossy(&out.stderr));
    let plist: Value = serde_json::from_slice(&out.stdout).expect("plistlib output is JSON");

    assert_eq!(plist["Label"], "fr.vigie.agent");
    let program: Vec<&str> = plist["ProgramArguments"]
        .as_array()
        .expect("ProgramArguments is an array")
        .iter()
        .map(|a| a.as_str().expect("ProgramArguments holds strings"))
        .collect();
    // The installer rewrites exactly this path to the installed binary.
    assert_eq!(program[0], "/usr/local/bin/vigie");
    assert_runs_agent(&program[1..], PLIST);
    assert_eq!(plist["RunAtLoad"], true);
    assert_eq!(plist["KeepAlive"], serde_json::json!({ "SuccessfulExit": false }));
    // launchd expands no "~" or "$HOME": the log path carries the
    // placeholder the installer replaces.
    let log = plist["StandardErrorPath"].as_str().expect("StandardErrorPath is a string");
    assert_eq!(log, "__HOME__/Library/Logs/vigie.log");
    for (key, value) in plist.as_object().expect("a dict").iter() {
        let text = value.to_string();
        assert!(!text.contains('~') && !text.contains("$HOME"), "{PLIST}: {key} relies on an expansion: {text}");
    }
}

// ------------------------------------------------------------------- README

#[test]
fn readme_names_every_file_and_where_it_goes() {
    let readme = read("README.md");
    let mut files = Vec::new();
    let mut dirs = vec![packaging("")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("read packaging/") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name() != Some("README.md".as_ref()) {
                let rel = path.strip_prefix(packaging("")).expect("under packaging/").to_string_lossy().into_owned();
                files.push(rel);
            }
        }
    }
    assert!(files.len() >= 5, "packaging/ holds {files:?}");
    for rel in &files {
        assert!(readme.contains(&format!("`{rel}`")), "packaging/README.md does not describe {rel}");
    }
    for installed in [
        "/usr/lib/systemd/user/vigie.service",
        "/etc/xdg/autostart/vigie.desktop",
        "/usr/share/applications/vigie-ameli.desktop",
        "/usr/share/applications/vigie-franceconnect.desktop",
    ] {
        assert!(readme.contains(installed), "packaging/README.md does not say the .deb installs {installed}");
    }
}
