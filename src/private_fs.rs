//! Files only the user can change: the config (it may run a
//! `password_command` through `sh -c`), the data directory and what vigie
//! writes there (the journal, the agent's status).
//!
//! The rules:
//! - **The data directory** must be a real directory (not a symbolic link),
//!   owned by the user and not writable by group or others. A symlinked
//!   data directory is refused rather than resolved: a check made through a
//!   link says nothing about where the link points at the next open, every
//!   file vigie creates there would follow it, and the fix is one flag
//!   (`--data-dir` with the real path).
//! - **The config file** is only read, and symlinking it from a dotfiles
//!   repository is common, so a link is followed: the file reached, the
//!   directory of the link and the directory of the file it reaches must
//!   each belong to the user (or root) and not be writable by group or
//!   others. A directory writable by everyone but sticky (`/tmp`) is
//!   accepted for the config, since others cannot replace a file there.
//! - **Files vigie writes** are opened without following a symbolic link
//!   (`O_NOFOLLOW`): a link planted at the journal's path, dangling or not,
//!   is refused and its target never created. New files are 0600, new
//!   directories 0700, whatever the umask.
//!
//! Checks read the opened file's own metadata (`fstat`) where they can, so
//! that what is checked is what is read. Unix only, like the rest of vigie.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Group- and other-write bits.
const WRITABLE_BY_OTHERS: u32 = 0o022;
/// The sticky bit: in such a directory only a file's owner may rename or
/// delete it.
const STICKY: u32 = 0o1000;

/// Why a path is not private enough (the English text; `messages` has the
/// French and English sentences with the fix).
#[derive(Debug, thiserror::Error)]
pub enum PrivateFsError {
    #[error("{path} belongs to another user (uid {owner}): vigie only uses files that are yours")]
    NotOwned { path: PathBuf, owner: u32 },
    #[error("{path} can be changed by other users (mode {mode:o}): run chmod go-w {path}")]
    WritableByOthers { path: PathBuf, mode: u32 },
    #[error("{path} is a symbolic link: give the real path instead")]
    Symlink { path: PathBuf },
    #[error("{path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl PrivateFsError {
    /// The path the problem is about.
    pub fn path(&self) -> &Path {
        match self {
            PrivateFsError::NotOwned { path, .. }
            | PrivateFsError::WritableByOthers { path, .. }
            | PrivateFsError::Symlink { path }
            | PrivateFsError::NotADirectory { path }
            | PrivateFsError::NotAFile { path }
            | PrivateFsError::Io { path, .. } => path,
        }
    }

    /// The file or directory does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, PrivateFsError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    fn io(path: &Path, source: std::io::Error) -> PrivateFsError {
        // ELOOP from O_NOFOLLOW: the last component is a symbolic link.
        if source.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            return PrivateFsError::Symlink { path: path.to_path_buf() };
        }
        PrivateFsError::Io { path: path.to_path_buf(), source }
    }
}

/// Who may own what vigie uses.
#[derive(Clone, Copy)]
enum Owners {
    /// The user only (what vigie writes).
    User,
    /// The user or root (what vigie only reads: `/etc/…` is fine).
    UserOrRoot,
}

fn check_owner_and_mode(path: &Path, meta: &Metadata, owners: Owners, sticky_ok: bool) -> Result<(), PrivateFsError> {
    let me = rustix::process::geteuid().as_raw();
    let owner_ok = meta.uid() == me || (matches!(owners, Owners::UserOrRoot) && meta.uid() == 0);
    if !owner_ok {
        return Err(PrivateFsError::NotOwned { path: path.to_path_buf(), owner: meta.uid() });
    }
    let mode = meta.permissions().mode();
    let sticky_dir = sticky_ok && meta.is_dir() && mode & STICKY != 0;
    if mode & WRITABLE_BY_OTHERS != 0 && !sticky_dir {
        return Err(PrivateFsError::WritableByOthers { path: path.to_path_buf(), mode: mode & 0o7777 });
    }
    Ok(())
}

/// Checks that `path` is a directory of the user's, not a symbolic link,
/// not writable by group or others.
pub fn check_private_dir(path: &Path) -> Result<(), PrivateFsError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| PrivateFsError::io(path, e))?;
    if meta.file_type().is_symlink() {
        return Err(PrivateFsError::Symlink { path: path.to_path_buf() });
    }
    if !meta.is_dir() {
        return Err(PrivateFsError::NotADirectory { path: path.to_path_buf() });
    }
    check_owner_and_mode(path, &meta, Owners::User, false)
}

/// Creates `path` (and missing parents) with mode 0700 if it does not
/// exist, then checks it with [`check_private_dir`]. An existing directory
/// is never re-moded: a wrong mode is the user's to fix, and is reported.
pub fn create_private_dir(path: &Path) -> Result<(), PrivateFsError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true).mode(0o700);
    if std::fs::symlink_metadata(path).is_err() {
        builder.create(path).map_err(|e| PrivateFsError::io(path, e))?;
    }
    check_private_dir(path)
}

/// Opens `path` for reading and writing without following a symbolic link
/// (`O_NOFOLLOW`), creating it with mode 0600 when `create` is set. The
/// opened file must be a regular file of the user's, not writable by group
/// or others. A link at `path`, even dangling, is refused
/// ([`PrivateFsError::Symlink`]) and its target never created.
pub fn open_private_file(path: &Path, create: bool) -> Result<File, PrivateFsError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(create).mode(0o600);
    options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    let file = options.open(path).map_err(|e| PrivateFsError::io(path, e))?;
    let meta = file.metadata().map_err(|e| PrivateFsError::io(path, e))?;
    if !meta.is_file() {
        return Err(PrivateFsError::NotAFile { path: path.to_path_buf() });
    }
    check_owner_and_mode(path, &meta, Owners::User, false)?;
    Ok(file)
}

/// Replaces `path` with `contents`, atomically, as a 0600 file in `path`'s
/// directory (a temporary file renamed over it: a link at `path` is
/// replaced, never followed).
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), PrivateFsError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let io = |e| PrivateFsError::io(path, e);
    // tempfile creates with O_EXCL and mode 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(contents).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Reads the config file at `path` after checking that only the user (or
/// root) can change it, through any symbolic link: see the module doc.
/// A missing file is an [`PrivateFsError::Io`] with `NotFound`
/// ([`PrivateFsError::is_not_found`]).
pub fn read_private_config(path: &Path) -> Result<String, PrivateFsError> {
    let mut file = File::open(path).map_err(|e| PrivateFsError::io(path, e))?;
    let meta = file.metadata().map_err(|e| PrivateFsError::io(path, e))?;
    if !meta.is_file() {
        return Err(PrivateFsError::NotAFile { path: path.to_path_buf() });
    }
    check_owner_and_mode(path, &meta, Owners::UserOrRoot, false)?;
    check_config_dir(&parent(path))?;
    let real = std::fs::canonicalize(path).map_err(|e| PrivateFsError::io(path, e))?;
    if real != path {
        check_owner_and_mode(&real, &meta, Owners::UserOrRoot, false)?;
        check_config_dir(&parent(&real))?;
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).map_err(|e| PrivateFsError::io(path, e))?;
    Ok(text)
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A directory holding the config: the user's or root's, not writable by
/// others unless sticky. Followed if it is a link (a dotfiles layout).
fn check_config_dir(dir: &Path) -> Result<(), PrivateFsError> {
    let meta = std::fs::metadata(dir).map_err(|e| PrivateFsError::io(dir, e))?;
    if !meta.is_dir() {
        return Err(PrivateFsError::NotADirectory { path: dir.to_path_buf() });
    }
    check_owner_and_mode(dir, &meta, Owners::UserOrRoot, true)
}

/// Creates the config's directory (0700, parents too) if it is missing.
pub fn create_config_dir(dir: &Path) -> Result<(), PrivateFsError> {
    if std::fs::metadata(dir).is_err() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| PrivateFsError::io(dir, e))?;
    }
    check_config_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn a_new_data_dir_is_0700_and_a_new_file_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("a/b/data");
        create_private_dir(&data).expect("created");
        assert_eq!(std::fs::metadata(&data).expect("meta").permissions().mode() & 0o777, 0o700);
        let file = data.join("journal.sqlite3");
        open_private_file(&file, true).expect("created");
        assert_eq!(std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_group_writable_data_dir_is_refused_and_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        chmod(dir.path(), 0o770);
        let err = check_private_dir(dir.path()).expect_err("refused");
        assert!(matches!(err, PrivateFsError::WritableByOthers { .. }), "{err}");
        assert_eq!(err.path(), dir.path());
        assert!(err.to_string().contains("chmod go-w"), "{err}");
    }

    #[test]
    fn a_symlinked_data_dir_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        create_private_dir(&real).expect("real");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert!(matches!(create_private_dir(&link), Err(PrivateFsError::Symlink { .. })));
    }

    #[test]
    fn a_data_dir_or_config_of_another_user_is_refused() {
        // Only root can give a file away; others rely on the mode tests.
        if rustix::process::geteuid().as_raw() != 0 {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        create_private_dir(&data).expect("dir");
        std::os::unix::fs::chown(&data, Some(65534), None).expect("chown");
        assert!(matches!(check_private_dir(&data), Err(PrivateFsError::NotOwned { owner: 65534, .. })));
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "").expect("write");
        std::os::unix::fs::chown(&config, Some(65534), None).expect("chown");
        assert!(matches!(read_private_config(&config), Err(PrivateFsError::NotOwned { .. })));
    }

    #[test]
    fn a_dangling_symlink_at_a_private_file_is_never_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("target");
        let link = dir.path().join("journal.sqlite3");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let err = open_private_file(&link, true).expect_err("refused");
        assert!(matches!(err, PrivateFsError::Symlink { .. }), "{err}");
        assert!(!target.exists(), "the link's target was created");
    }

    #[test]
    fn a_config_writable_by_others_is_refused_and_a_private_one_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "x = 1\n").expect("write");
        chmod(&path, 0o600);
        assert_eq!(read_private_config(&path).expect("private"), "x = 1\n");
        chmod(&path, 0o666);
        assert!(matches!(read_private_config(&path), Err(PrivateFsError::WritableByOthers { .. })));
        chmod(&path, 0o600);
        chmod(dir.path(), 0o777);
        let err = read_private_config(&path).expect_err("dir writable by others");
        assert_eq!(err.path(), dir.path());
        chmod(dir.path(), 0o700);
    }

    #[test]
    fn a_symlinked_config_is_checked_where_it_points() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dotfiles = dir.path().join("dotfiles");
        create_private_dir(&dotfiles).expect("dir");
        let real = dotfiles.join("vigie.toml");
        std::fs::write(&real, "x = 1\n").expect("write");
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert_eq!(read_private_config(&link).expect("followed"), "x = 1\n");
        chmod(&dotfiles, 0o777);
        let err = read_private_config(&link).expect_err("target dir writable by others");
        assert_eq!(err.path(), dotfiles.canonicalize().expect("canonical"));
        chmod(&dotfiles, 0o700);
    }

    #[test]
    fn a_missing_config_says_not_found() {
        let err = read_private_config(Path::new("/nonexistent/vigie.toml")).expect_err("missing");
        assert!(err.is_not_found(), "{err}");
    }

    #[test]
    fn write_private_file_replaces_a_link_without_following_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("target");
        let path = dir.path().join("agent.json");
        std::os::unix::fs::symlink(&target, &path).expect("symlink");
        write_private_file(&path, b"{}").expect("written");
        assert!(!target.exists());
        let meta = std::fs::symlink_metadata(&path).expect("meta");
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}
