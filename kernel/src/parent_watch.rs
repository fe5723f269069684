//! A kernel whose client is gone exits: ipykernel watches the process that started it, and so
//! does Torchbook.
//!
//! Jupyter's kernel managers put their own pid in `JPY_PARENT_PID`; without it the parent
//! process is watched. The watch holds a pidfd, which becomes readable when that process
//! exits, so a pid reused by another process is never mistaken for it. The execution process
//! dies with the kernel through `PR_SET_PDEATHSIG` (set in `execution::cell_process`).

/// The Jupyter client's pid (`JPY_PARENT_PID`) or this process's parent.
pub fn client_pid() -> Option<i32> {
    let from_env = std::env::var("JPY_PARENT_PID").ok().and_then(|v| v.trim().parse::<i32>().ok());
    // SAFETY: getppid cannot fail.
    let parent = unsafe { libc::getppid() };
    from_env.filter(|&p| p > 1).or((parent > 1).then_some(parent))
}

/// Runs `on_exit` on a thread of its own once process `pid` has exited (at once if it already
/// has); returns false if the process cannot be watched.
pub fn watch(pid: i32, on_exit: impl FnOnce() + Send + 'static) -> bool {
    // SAFETY: pidfd_open returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
    if fd < 0 {
        let gone = std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            on_exit();
        }
        return gone;
    }
    std::thread::Builder::new()
        .name("client-watch".into())
        .spawn(move || {
            let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
            // SAFETY: poll on the pidfd this thread owns; readable means the process exited.
            while unsafe { libc::poll(&mut pfd, 1, -1) } <= 0 {}
            on_exit();
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_watch_fires_when_the_process_exits_and_not_before() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        assert!(watch(child.id() as i32, move || tx.send(()).unwrap()));
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err(), "fired while alive");
        child.kill().unwrap();
        child.wait().unwrap();
        rx.recv_timeout(Duration::from_secs(10)).expect("the exit was seen");
    }
}
