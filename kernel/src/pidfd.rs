//! A process held by a pidfd: a signal reaches that process or nothing, never a process that
//! was later given the same pid.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A pidfd on a process.
pub struct Pidfd(OwnedFd);

impl Pidfd {
    /// Holds process `pid`; `None` if it does not exist (or pidfds are not supported).
    ///
    /// ```
    /// let me = torchbook_kernel::pidfd::Pidfd::open(std::process::id() as i32);
    /// assert!(me.is_some());
    /// ```
    pub fn open(pid: i32) -> Option<Pidfd> {
        // SAFETY: pidfd_open returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
        // SAFETY: `fd` is a fresh descriptor owned by nobody else.
        (fd >= 0).then(|| Pidfd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Whether the held process has exited (a pidfd becomes readable then).
    ///
    /// ```
    /// let me = torchbook_kernel::pidfd::Pidfd::open(std::process::id() as i32).unwrap();
    /// assert!(!me.exited());
    /// ```
    pub fn exited(&self) -> bool {
        let mut pfd = libc::pollfd { fd: self.0.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: poll on one valid pollfd, without waiting.
        unsafe { libc::poll(&mut pfd, 1, 0) > 0 }
    }

    /// Sends `signal` to the held process (nothing if it has exited).
    pub fn signal(&self, signal: i32) -> bool {
        // SAFETY: pidfd_send_signal on a pidfd this process holds.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.0.as_raw_fd(),
                signal,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        rc == 0
    }
}
