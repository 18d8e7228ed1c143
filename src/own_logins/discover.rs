//! Where the user's browsers keep their history, found from a home
//! directory: Firefox profiles listed in `profiles.ini`, and Chromium-family
//! profile directories (`Default`, `Profile N`) that hold a `Preferences`
//! and a `History` file. Native, Snap and Flatpak installs. Reads only
//! small files (`profiles.ini`, `Local State`) and directory listings.

use std::path::{Path, PathBuf};

/// A browser whose history vigie reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Browser {
    Firefox,
    Chrome,
    Chromium,
    Brave,
    Edge,
}

impl Browser {
    /// Its name as users know it.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Firefox => "Firefox",
            Browser::Chrome => "Chrome",
            Browser::Chromium => "Chromium",
            Browser::Brave => "Brave",
            Browser::Edge => "Edge",
        }
    }

    /// The database layout its history uses.
    pub fn is_firefox(self) -> bool {
        self == Browser::Firefox
    }
}

/// One history database found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub browser: Browser,
    /// The profile's name (Firefox `Name=`, Chromium's name in `Local
    /// State`, else the directory's name).
    pub profile: String,
    /// `places.sqlite` or `History`; it may be missing (a profile listed in
    /// `profiles.ini` whose directory is gone).
    pub path: PathBuf,
}

/// Firefox roots holding `profiles.ini`, relative to the home directory.
const FIREFOX_ROOTS: &[&str] = &[
    ".mozilla/firefox",
    ".config/mozilla/firefox",
    "snap/firefox/common/.mozilla/firefox",
    ".var/app/org.mozilla.firefox/.mozilla/firefox",
    ".var/app/org.mozilla.firefox/config/mozilla/firefox",
];

/// Chromium-family user data directories, relative to the home directory.
const CHROMIUM_ROOTS: &[(Browser, &str)] = &[
    (Browser::Chrome, ".config/google-chrome"),
    (Browser::Chrome, ".var/app/com.google.Chrome/config/google-chrome"),
    (Browser::Chromium, ".config/chromium"),
    (Browser::Chromium, "snap/chromium/common/chromium"),
    (Browser::Chromium, ".var/app/org.chromium.Chromium/config/chromium"),
    (Browser::Brave, ".config/BraveSoftware/Brave-Browser"),
    (Browser::Brave, ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser"),
    (Browser::Edge, ".config/microsoft-edge"),
    (Browser::Edge, ".var/app/com.microsoft.Edge/config/microsoft-edge"),
];

/// Small files only: a `profiles.ini` or `Local State` bigger than this is
/// not read.
const MAX_SMALL_FILE: u64 = 4 << 20;

/// Every history under `home`, Firefox first, in a stable order.
pub fn histories(home: &Path) -> Vec<History> {
    let mut found = Vec::new();
    for root in FIREFOX_ROOTS {
        found.extend(firefox_profiles(&home.join(root)));
    }
    for (browser, root) in CHROMIUM_ROOTS {
        found.extend(chromium_profiles(*browser, &home.join(root)));
    }
    found
}

fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SMALL_FILE {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The profiles a `profiles.ini` lists: `[ProfileN]` sections with `Path=`
/// relative to `root` (`IsRelative=1`, the default) or absolute.
pub fn firefox_profiles(root: &Path) -> Vec<History> {
    let Some(ini) = read_small(&root.join("profiles.ini")) else { return Vec::new() };
    let mut found = Vec::new();
    let mut section = Section::default();
    for line in ini.lines().map(str::trim).chain(std::iter::once("[end]")) {
        if line.starts_with('[') {
            if let Some(history) = section.history(root) {
                found.push(history);
            }
            section = Section { is_profile: line.to_ascii_lowercase().starts_with("[profile"), ..Section::default() };
        } else if let Some((key, value)) = line.split_once('=') {
            let value = value.trim().to_owned();
            match key.trim() {
                "Name" => section.name = Some(value),
                "Path" => section.path = Some(value),
                "IsRelative" => section.relative = value != "0",
                _ => {}
            }
        }
    }
    found
}

/// One `profiles.ini` section being read.
struct Section {
    is_profile: bool,
    name: Option<String>,
    path: Option<String>,
    relative: bool,
}

impl Default for Section {
    fn default() -> Self {
        Section { is_profile: false, name: None, path: None, relative: true }
    }
}

impl Section {
    fn history(&self, root: &Path) -> Option<History> {
        let path = self.path.as_deref().filter(|_| self.is_profile)?;
        let dir = if self.relative { root.join(path) } else { PathBuf::from(path) };
        let profile = self.name.clone().unwrap_or_else(|| dir_name(&dir));
        Some(History { browser: Browser::Firefox, profile, path: dir.join("places.sqlite") })
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `Default` and `Profile N` directories holding `Preferences` and
/// `History`, named as `Local State` names them.
pub fn chromium_profiles(browser: Browser, root: &Path) -> Vec<History> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut dirs: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| is_profile_dir(name))
        .filter(|name| root.join(name).join("Preferences").is_file() && root.join(name).join("History").is_file())
        .collect();
    dirs.sort_by_key(|name| (name != "Default", name.trim_start_matches("Profile ").parse::<u32>().unwrap_or(0)));
    let names =
        read_small(&root.join("Local State")).and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    dirs.into_iter()
        .map(|dir| {
            let profile = names
                .as_ref()
                .and_then(|v| {
                    v.pointer(&format!("/profile/info_cache/{}/name", dir.replace('~', "~0").replace('/', "~1")))
                })
                .and_then(|n| n.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| dir.clone());
            History { browser, profile, path: root.join(&dir).join("History") }
        })
        .collect()
}

fn is_profile_dir(name: &str) -> bool {
    name == "Default"
        || name.strip_prefix("Profile ").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn firefox_profiles_come_from_profiles_ini_relative_or_absolute() {
        let home = tempfile::tempdir().expect("tempdir");
        let elsewhere = home.path().join("elsewhere/abcd.work");
        let root = home.path().join(".mozilla/firefox");
        write(
            &root.join("profiles.ini"),
            &format!(
                "[Install4F96D1932A9F858E]\nDefault=xyz.default-release\nLocked=1\n\n\
                 [Profile1]\nName=work\nIsRelative=0\nPath={}\n\n\
                 [Profile0]\nName=default-release\nIsRelative=1\nPath=xyz.default-release\nDefault=1\n\n\
                 [General]\nStartWithLastProfile=1\nVersion=2\n",
                elsewhere.display()
            ),
        );
        let found = histories(home.path());
        assert_eq!(
            found,
            vec![
                History { browser: Browser::Firefox, profile: "work".into(), path: elsewhere.join("places.sqlite") },
                History {
                    browser: Browser::Firefox,
                    profile: "default-release".into(),
                    path: root.join("xyz.default-release/places.sqlite"),
                },
            ]
        );
    }

    #[test]
    fn snap_and_flatpak_roots_are_searched() {
        let home = tempfile::tempdir().expect("tempdir");
        for root in ["snap/firefox/common/.mozilla/firefox", ".var/app/org.mozilla.firefox/config/mozilla/firefox"] {
            write(&home.path().join(root).join("profiles.ini"), "[Profile0]\nName=snap\nPath=a.default\n");
        }
        for root in ["snap/chromium/common/chromium", ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser"] {
            write(&home.path().join(root).join("Default/Preferences"), "{}");
            write(&home.path().join(root).join("Default/History"), "");
        }
        let found: Vec<(Browser, PathBuf)> = histories(home.path())
            .into_iter()
            .map(|h| (h.browser, h.path.strip_prefix(home.path()).expect("under home").to_path_buf()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Browser::Firefox, "snap/firefox/common/.mozilla/firefox/a.default/places.sqlite".into()),
                (
                    Browser::Firefox,
                    ".var/app/org.mozilla.firefox/config/mozilla/firefox/a.default/places.sqlite".into()
                ),
                (Browser::Chromium, "snap/chromium/common/chromium/Default/History".into()),
                (
                    Browser::Brave,
                    ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser/Default/History".into()
                ),
            ]
        );
    }

    #[test]
    fn a_chromium_profile_needs_preferences_and_history() {
        let home = tempfile::tempdir().expect("tempdir");
        let root = home.path().join(".config/google-chrome");
        for dir in ["Default", "Profile 2", "Profile 10"] {
            write(&root.join(dir).join("Preferences"), "{}");
            write(&root.join(dir).join("History"), "");
        }
        write(&root.join("System Profile/Preferences"), "{}");
        write(&root.join("System Profile/History"), "");
        write(&root.join("Profile 3/History"), "");
        write(&root.join("Guest Profile/Preferences"), "{}");
        write(&root.join("Local State"), r#"{"profile":{"info_cache":{"Profile 2":{"name":"Travail"}}}}"#);
        let found: Vec<String> = histories(home.path()).into_iter().map(|h| h.profile).collect();
        assert_eq!(found, vec!["Default", "Travail", "Profile 10"]);
    }
}
