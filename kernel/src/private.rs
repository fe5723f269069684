//! Directories and files only their owner can reach, whatever the umask.
//!
//! A standby kernel runs the code of whoever claims it, and kernel directories hold cell sources
//! and logs. On a shared machine (a lab, a hub node, a container with umask 000) everything the
//! kernel creates is therefore private: directories 0700, files 0600, created without following
//! a symlink; and a store or pool directory that another user owns, or that others may write,
//! is refused with an error that says how to fix it.

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Why a directory cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum Untrusted {
    /// Owned by another user.
    #[error("{path} is owned by uid {owner}, not by this user (uid {me}); set TORCHBOOK_STORE (or TORCHBOOK_CACHE for install.sh) to a directory of your own")]
    Owner {
        /// The directory.
        path: String,
        /// Its owner.
        owner: u32,
        /// This process's user.
        me: u32,
    },
    /// Group or others may write it.
    #[error("{path} can be written by other users (mode {mode:o}); run `chmod go-w {path}` (Torchbook creates it 0700)")]
    Writable {
        /// The directory.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// A symlink where a directory of Torchbook's own belongs.
    #[error("{path} is a symbolic link; Torchbook does not follow links inside its store: remove it")]
    Symlink {
        /// The link.
        path: String,
    },
    /// It could not be examined.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
}

/// This process's effective user id.
pub fn my_uid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Untrusted + '_ {
    move |source| Untrusted::Io { path: path.display().to_string(), source }
}

/// Checks that `path` is a directory of this user that nobody else may write. With
/// `follow_link` false, a symlink is refused (every directory inside the store).
pub fn check_dir(path: &Path, follow_link: bool) -> Result<(), Untrusted> {
    let meta = if follow_link { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }
        .map_err(io(path))?;
    if meta.file_type().is_symlink() {
        return Err(Untrusted::Symlink { path: path.display().to_string() });
    }
    let me = my_uid();
    if meta.uid() != me {
        return Err(Untrusted::Owner { path: path.display().to_string(), owner: meta.uid(), me });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(Untrusted::Writable { path: path.display().to_string(), mode });
    }
    Ok(())
}

/// Creates `path` and any missing parents as 0700 directories; then checks it with [`check_dir`].
///
/// ```
/// let dir = std::env::temp_dir().join(format!("tb-private-doc-{}", std::process::id()));
/// torchbook_kernel::private::create_dir(&dir.join("a/b")).unwrap();
/// use std::os::unix::fs::PermissionsExt;
/// assert_eq!(std::fs::metadata(dir.join("a/b")).unwrap().permissions().mode() & 0o777, 0o700);
/// std::fs::remove_dir_all(dir).unwrap();
/// ```
pub fn create_dir(path: &Path) -> Result<(), Untrusted> {
    DirBuilder::new().recursive(true).mode(0o700).create(path).map_err(io(path))?;
    check_dir(path, false)
}

/// Creates (or truncates) a 0600 file, refusing to follow a symlink at `path`.
pub fn create_file(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    // An existing file keeps its mode through open; make it private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Opens (creating it 0600) a lock file without truncating it or following a symlink.
pub fn open_lock(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Takes an exclusive `flock` on `file` without waiting; false when another holds it.
pub fn try_lock(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this process owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// The user id of the process at the other end of a Unix socket (`SO_PEERCRED`).
pub fn peer_uid(stream: &std::os::unix::net::UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred { pid: 0, uid: 0, gid: 0 };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `cred`.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("tb-private-{name}-{}", uuid::Uuid::new_v4().simple()))
    }

    #[test]
    fn directories_are_private_whatever_the_umask() {
        let dir = scratch("umask");
        // SAFETY: umask only changes this process's file creation mask.
        let old = unsafe { libc::umask(0) };
        let made = create_dir(&dir.join("x"));
        let file = create_file(&dir.join("x/log"));
        unsafe { libc::umask(old) };
        made.unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("x")), 0o700);
        file.unwrap();
        assert_eq!(mode(&dir.join("x/log")), 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn writable_directories_and_symlinks_are_refused_with_the_fix() {
        let dir = scratch("refuse");
        create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_dir(&dir, true).unwrap_err().to_string();
        assert!(err.contains("chmod go-w") && err.contains("777"), "{err}");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = dir.with_extension("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert!(check_dir(&link, true).is_ok());
        assert!(matches!(check_dir(&link, false), Err(Untrusted::Symlink { .. })));
        assert!(create_file(&link).is_err(), "followed a symlink");
        std::fs::remove_file(link).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_socket_peer_is_this_user() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert_eq!(peer_uid(&a).unwrap(), my_uid());
    }
}
