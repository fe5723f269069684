//! In the execution process: what a cell writes to stdout and stderr, made safe for evcxr.
//!
//! evcxr reads its child's stdout as UTF-8 lines and takes some of them for its protocol. Left
//! to that, one invalid byte broke its reader and left the kernel a cell behind for good, and a
//! printed `EVCXR_EXECUTION_COMPLETE` or `EVCXR_BEGIN_CONTENT` was obeyed. So before any cell
//! runs, [`install`] moves evcxr's pipes to private descriptors and gives descriptors 1 and 2 to
//! pipes of its own. A router thread reads them, decodes the bytes as UTF-8 (invalid sequences
//! become U+FFFD, as ipykernel does) and writes stdout as framed text lines
//! ([`torchbook_contract::frame`]), which can never be protocol, and stderr as plain lines.
//!
//! The only other way into evcxr's stdout is the message link ([`torchbook_contract::link`]):
//! the prelude's displays, panics and results, the end of a cell (from [`super::cell_process`]),
//! and the protocol lines of evcxr's generated code (rewritten by [`super::cell_source`] to go
//! through the prelude). Before it handles a message the router forwards everything already in
//! the stdout pipe, so output keeps the order in which the cell produced it.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use torchbook_contract::frame::{self, message_line, text_line};
use torchbook_contract::link::Link;
use torchbook_contract::message::{FromCell, FromPrelude, PanicReport};

/// evcxr's line that ends a cell.
pub const EXECUTION_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";

/// evcxr's line saying its wrapper caught a panic of the cell: the cell failed.
pub const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";

/// Start of evcxr_input's line asking for input (`EVCXR_INPUT_REQUEST:` and its password form).
pub const INPUT_REQUEST: &str = "EVCXR_INPUT_REQUEST";

/// Text without a newline is forwarded once it is this old (a progress bar, a prompt).
const PARTIAL_AFTER_MS: i32 = 50;
/// ... or this long.
const PARTIAL_AFTER_BYTES: usize = 64 * 1024;

/// What the router holds between reads.
struct Router {
    /// evcxr's stdout pipe.
    evcxr_out: File,
    /// The read end of the cell's stdout.
    cell_out: File,
    /// Bytes of stdout not yet forwarded (no newline yet, or an unfinished UTF-8 sequence).
    pending: Vec<u8>,
    /// While open, stdout reaches evcxr unframed (see [`FromCell::Gate`]). Open from the
    /// start of the process until its first cell ends: evcxr's own first cell (which checks
    /// that a value can be shown) and cells built before the prelude are not rewritten
    /// ([`super::cell_source`]) and print evcxr's protocol themselves.
    gate: bool,
    /// The last panic the prelude's hook reported, until it is known whether it ends the cell
    /// (evcxr's wrapper caught it) or the cell's own code caught it (`catch_unwind`, a joined
    /// thread): only the first kind fails the cell; the second is shown on stderr, as Rust's
    /// default hook would.
    held_panic: Option<PanicReport>,
    /// evcxr's stderr pipe, for the panics a cell caught itself.
    evcxr_err: File,
}

/// How Rust's default hook would have shown a panic the cell caught itself.
///
/// ```
/// use torchbook_contract::message::PanicReport;
/// use torchbook_kernel::execution::cell_output::caught_panic_text;
/// let r = PanicReport { message: "no".into(), file: "src/lib.rs".into(), line: 9, column: 5,
///     thread: "main".into() };
/// assert_eq!(caught_panic_text(&r), "thread 'main' panicked: no (caught by the cell)\n");
/// ```
pub fn caught_panic_text(report: &PanicReport) -> String {
    let thread = if report.thread.is_empty() { "<unnamed>" } else { &report.thread };
    // The generated file's lines are not the cell's: a location there would mislead.
    let place = if report.file.is_empty() || report.file.ends_with("src/lib.rs") {
        String::new()
    } else {
        format!(" at {}:{}:{}", report.file, report.line, report.column)
    };
    format!("thread '{thread}' panicked{place}: {} (caught by the cell)\n", report.message)
}

/// The execution process's side of its output routing.
pub struct Routing {
    /// The link of the runtime loop itself (the prelude gets its own through the environment).
    pub runtime_link: Link,
}

fn cvt(rc: libc::c_int) -> std::io::Result<libc::c_int> {
    if rc < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// A copy of `fd` that child processes do not inherit.
fn dup_private(fd: RawFd) -> std::io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC on a descriptor this process has open; the new one is ours.
    let new = cvt(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) })?;
    // SAFETY: `new` was just returned by fcntl and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// A pipe whose read end is private and whose write end becomes descriptor `target`.
fn pipe_onto(target: RawFd) -> std::io::Result<File> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into `fds`.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: dup2 onto a standard descriptor; the old write end is closed after.
    unsafe {
        cvt(libc::dup2(fds[1], target))?;
        libc::close(fds[1]);
        Ok(File::from_raw_fd(fds[0]))
    }
}

fn set_nonblocking(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl flag changes on a descriptor this process owns.
    unsafe {
        let flags = cvt(libc::fcntl(fd, libc::F_GETFL))?;
        cvt(libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
    }
    Ok(())
}

/// Whether a line may reach evcxr unframed while the gate is open: anything but the end of a
/// cell (which only the runtime sends) and what the kernel would read as a frame.
fn passes_gate(line: &str) -> bool {
    line != EXECUTION_COMPLETE && !line.starts_with([frame::TEXT, frame::PARTIAL, frame::MESSAGE])
}

/// How many bytes of `bytes` to decode now: all but an unfinished UTF-8 sequence at the end.
fn complete_prefix(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    }
}

impl Router {
    fn write(&mut self, line: &str) {
        // evcxr gone means the process is ending; nothing to do with the error.
        let _ = self.evcxr_out.write_all(line.as_bytes());
        let _ = self.evcxr_out.write_all(b"\n");
    }

    fn text(&mut self, bytes: &[u8], complete: bool) {
        let text = String::from_utf8_lossy(bytes);
        // evcxr_input's request for a line (the prelude's `input()` and any crate using
        // evcxr_input, evcxr's documented way to read input) is a printed line: it passes.
        let asks_for_input = complete && text.starts_with(INPUT_REQUEST);
        if asks_for_input || (self.gate && complete && passes_gate(&text)) {
            let _ = self.evcxr_out.write_all(text.as_bytes());
            if complete {
                let _ = self.evcxr_out.write_all(b"\n");
            }
        } else {
            let line = text_line(&text, complete);
            self.write(&line);
        }
    }

    /// Forwards every complete line of `pending`.
    fn lines(&mut self) {
        let mut start = 0;
        let pending = std::mem::take(&mut self.pending);
        while let Some(at) = pending[start..].iter().position(|&b| b == b'\n') {
            self.text(&pending[start..start + at], true);
            start += at + 1;
        }
        self.pending = pending[start..].to_vec();
        if self.pending.len() >= PARTIAL_AFTER_BYTES {
            self.partial();
        }
    }

    /// Forwards text that has no newline yet, keeping an unfinished UTF-8 sequence.
    fn partial(&mut self) {
        // Inside the gate a content block is being printed; a framed piece would cut it.
        if self.pending.is_empty() || self.gate {
            return;
        }
        let cut = complete_prefix(&self.pending);
        let rest = self.pending.split_off(cut);
        let text = std::mem::replace(&mut self.pending, rest);
        if !text.is_empty() {
            self.text(&text, false);
        }
    }

    /// Reads whatever the stdout pipe holds now and forwards its complete lines.
    fn drain(&mut self) {
        let mut buf = [0u8; 65536];
        loop {
            match self.cell_out.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    self.pending.extend_from_slice(&buf[..n]);
                    self.lines();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break, // WouldBlock: the pipe is empty
            }
        }
    }

    /// Shows a held panic as stderr text: the cell went on after it.
    fn release_caught_panic(&mut self) {
        if let Some(report) = self.held_panic.take() {
            let _ = self.evcxr_err.write_all(caught_panic_text(&report).as_bytes());
        }
    }

    fn handle(&mut self, message: FromCell) {
        self.drain();
        match message {
            FromCell::Kernel(FromPrelude::Panic(report)) => {
                // A panic before it was caught by the cell itself.
                self.release_caught_panic();
                self.held_panic = Some(report);
            }
            FromCell::Kernel(message) => {
                self.partial();
                let line = message_line(&message);
                self.write(&line);
            }
            FromCell::Evcxr(line) => {
                if line == PANIC_NOTIFICATION {
                    if let Some(report) = self.held_panic.take() {
                        self.partial();
                        self.write(&message_line(&FromPrelude::Panic(report)));
                    }
                }
                if line == EXECUTION_COMPLETE {
                    self.release_caught_panic();
                    // Nothing of the cell may come after its end.
                    self.gate = false;
                    self.partial();
                    let rest = std::mem::take(&mut self.pending);
                    if !rest.is_empty() {
                        self.text(&rest, false);
                    }
                }
                self.write(&line);
            }
            FromCell::Gate(open) => {
                if !open && !self.pending.is_empty() {
                    // A display's last line without its newline still ends the block's line.
                    let rest = std::mem::take(&mut self.pending);
                    self.text(&rest, true);
                }
                self.partial();
                self.gate = open;
            }
        }
    }
}

/// One connection on the message link, with the bytes of a line not yet complete.
struct LinkEnd {
    stream: UnixStream,
    buffer: Vec<u8>,
}

impl LinkEnd {
    /// Reads what is there; returns complete lines, or `None` when the other end closed.
    fn read_lines(&mut self) -> Option<Vec<Vec<u8>>> {
        let mut buf = [0u8; 65536];
        match self.stream.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => self.buffer.extend_from_slice(&buf[..n]),
            Err(_) => return Some(vec![]),
        }
        let mut lines = Vec::new();
        while let Some(at) = self.buffer.iter().position(|&b| b == b'\n') {
            let rest = self.buffer.split_off(at + 1);
            let mut line = std::mem::replace(&mut self.buffer, rest);
            line.pop();
            lines.push(line);
        }
        Some(lines)
    }
}

fn route_stdout(router: Arc<Mutex<Router>>, mut links: Vec<LinkEnd>) {
    let cell_out = router.lock().map(|r| r.cell_out.as_raw_fd()).unwrap_or(-1);
    loop {
        let mut fds: Vec<libc::pollfd> = std::iter::once(cell_out)
            .chain(links.iter().map(|l| l.stream.as_raw_fd()))
            .map(|fd| libc::pollfd { fd, events: libc::POLLIN, revents: 0 })
            .collect();
        let waiting = router.lock().map(|r| !r.pending.is_empty()).unwrap_or(false);
        let timeout = if waiting { PARTIAL_AFTER_MS } else { -1 };
        // SAFETY: `fds` is a valid array of pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        let Ok(mut r) = router.lock() else { return };
        if n == 0 {
            r.partial();
            continue;
        }
        if n < 0 {
            continue; // EINTR
        }
        if fds[0].revents != 0 {
            r.drain();
        }
        let mut closed = Vec::new();
        for (i, link) in links.iter_mut().enumerate() {
            if fds[i + 1].revents == 0 {
                continue;
            }
            let Some(lines) = link.read_lines() else {
                closed.push(i);
                continue;
            };
            for line in lines {
                match serde_json::from_slice::<FromCell>(&line) {
                    Ok(message) => r.handle(message),
                    Err(e) => {
                        let _ = writeln!(std::io::stderr(), "torchbook: bad message on the link: {e}");
                    }
                }
                let _ = link.stream.write_all(b"k");
            }
        }
        for i in closed.into_iter().rev() {
            links.remove(i);
        }
    }
}

/// stderr is only text for evcxr; it needs valid UTF-8 lines, nothing more.
struct StderrRouter {
    evcxr_err: File,
    cell_err: File,
    pending: Vec<u8>,
}

impl StderrRouter {
    /// Forwards the complete lines of `pending`.
    fn lines(&mut self) {
        let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') else { return };
        let rest = self.pending.split_off(last + 1);
        let done = std::mem::replace(&mut self.pending, rest);
        let text = String::from_utf8_lossy(&done);
        let _ = self.evcxr_err.write_all(text.as_bytes());
    }

    /// Forwards everything, a last line without newline included (the process is ending).
    fn finish(&mut self) {
        let mut buf = [0u8; 65536];
        while let Ok(n) = self.cell_err.read(&mut buf) {
            if n == 0 {
                break;
            }
            self.pending.extend_from_slice(&buf[..n]);
        }
        if !self.pending.is_empty() && self.pending.last() != Some(&b'\n') {
            self.pending.push(b'\n');
        }
        self.lines();
    }
}

fn route_stderr(stderr: Arc<Mutex<StderrRouter>>) {
    let fd = stderr.lock().map(|s| s.cell_err.as_raw_fd()).unwrap_or(-1);
    let mut buf = [0u8; 65536];
    loop {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, -1) } <= 0 {
            continue;
        }
        let Ok(mut s) = stderr.lock() else { return };
        loop {
            match s.cell_err.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    s.pending.extend_from_slice(&buf[..n]);
                    s.lines();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    }
}

/// Both routers, for the flush at exit.
struct Routers {
    stdout: Arc<Mutex<Router>>,
    stderr: Arc<Mutex<StderrRouter>>,
}

static ROUTING: std::sync::OnceLock<Routers> = std::sync::OnceLock::new();

extern "C" fn flush_at_exit() {
    flush_all();
}

/// Forwards everything still in the pipes (at the end of the process: `exit` in a cell, or
/// the end of evcxr's commands).
pub fn flush_all() {
    let Some(Routers { stdout: router, stderr }) = ROUTING.get() else { return };
    let _ = std::io::stdout().flush();
    // SAFETY: fflush(NULL) flushes every C stdio stream of the process.
    unsafe { libc::fflush(std::ptr::null_mut()) };
    if let Ok(mut r) = router.try_lock() {
        r.drain();
        let rest = std::mem::take(&mut r.pending);
        if !rest.is_empty() {
            r.text(&rest, false);
        }
    }
    if let Ok(mut s) = stderr.try_lock() {
        s.finish();
    }
}

/// The private copy of evcxr's stderr, for the crash handler.
static EVCXR_ERR_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
static CELL_ERR_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// On a fatal signal: what the cell's stderr pipe still holds (libstdc++'s "terminate called
/// after throwing ..." is written just before `abort`) is copied to evcxr raw, with only
/// async-signal-safe calls, then the signal takes its default course.
extern "C" fn on_fatal_signal(signal: libc::c_int) {
    use std::sync::atomic::Ordering;
    let to = EVCXR_ERR_FD.load(Ordering::Relaxed);
    let from = CELL_ERR_FD.load(Ordering::Relaxed);
    let mut buf = [0u8; 4096];
    // SAFETY: read, write, signal and raise are async-signal-safe; the descriptors stay open.
    unsafe {
        loop {
            let n = libc::read(from, buf.as_mut_ptr().cast(), buf.len());
            if n <= 0 {
                break;
            }
            libc::write(to, buf.as_ptr().cast(), n as usize);
        }
        let what: &[u8] = match signal {
            libc::SIGSEGV => b"\nSegmentation fault.\n",
            libc::SIGBUS => b"\nBus error.\n",
            libc::SIGILL => b"\nIllegal instruction.\n",
            libc::SIGFPE => b"\nArithmetic exception.\n",
            _ => b"\nAborted.\n",
        };
        libc::write(to, what.as_ptr().cast(), what.len());
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// Takes descriptors 1 and 2 from evcxr and starts the router threads. Call once, first thing
/// in the execution process, before any other thread exists.
pub fn install() -> std::io::Result<Routing> {
    let evcxr_out = File::from(dup_private(1)?);
    let evcxr_err = File::from(dup_private(2)?);
    let cell_out = pipe_onto(1)?;
    let cell_err = pipe_onto(2)?;
    set_nonblocking(cell_out.as_raw_fd())?;
    set_nonblocking(cell_err.as_raw_fd())?;
    let (runtime_ours, runtime_router) = UnixStream::pair()?;
    let (prelude_ours, prelude_router) = UnixStream::pair()?;
    // The prelude finds its end through the environment; a child process of a cell does not
    // inherit it (UnixStream::pair sets close-on-exec).
    // SAFETY: called before any other thread of this process exists.
    unsafe { std::env::set_var(torchbook_contract::env::MESSAGE_FD, prelude_ours.as_raw_fd().to_string()) };
    std::mem::forget(prelude_ours);
    {
        use std::sync::atomic::Ordering;
        EVCXR_ERR_FD.store(evcxr_err.as_raw_fd(), Ordering::Relaxed);
        CELL_ERR_FD.store(cell_err.as_raw_fd(), Ordering::Relaxed);
    }
    let router = Arc::new(Mutex::new(Router {
        evcxr_out,
        cell_out,
        pending: Vec::new(),
        gate: true,
        held_panic: None,
        evcxr_err: evcxr_err.try_clone()?,
    }));
    let stderr = Arc::new(Mutex::new(StderrRouter { evcxr_err, cell_err, pending: Vec::new() }));
    let links = vec![
        LinkEnd { stream: runtime_router, buffer: Vec::new() },
        LinkEnd { stream: prelude_router, buffer: Vec::new() },
    ];
    {
        let router = router.clone();
        std::thread::Builder::new()
            .name("stdout-router".into())
            .spawn(move || route_stdout(router, links))?;
    }
    {
        let stderr = stderr.clone();
        std::thread::Builder::new().name("stderr-router".into()).spawn(move || route_stderr(stderr))?;
    }
    let _ = ROUTING.set(Routers { stdout: router, stderr });
    // SAFETY: installing handlers that only make async-signal-safe calls; atexit with a plain
    // extern "C" function.
    unsafe {
        for signal in [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE, libc::SIGABRT] {
            libc::signal(signal, on_fatal_signal as *const () as libc::sighandler_t);
        }
        libc::atexit(flush_at_exit);
    }
    Ok(Routing { runtime_link: Link::new(runtime_ours) })
}

impl Routing {
    /// Ends a cell: forwards what it printed, then evcxr's end-of-cell line.
    pub fn complete(&self) -> std::io::Result<()> {
        // SAFETY: fflush(NULL) flushes every C stdio stream of the process.
        unsafe { libc::fflush(std::ptr::null_mut()) };
        self.runtime_link
            .send(&FromCell::Evcxr(EXECUTION_COMPLETE.to_owned()))
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_gate_passes_content_blocks_but_never_a_cell_end_or_a_frame() {
        assert!(passes_gate("EVCXR_BEGIN_CONTENT text/html"));
        assert!(passes_gate("<b>x</b>"));
        assert!(!passes_gate(EXECUTION_COMPLETE));
        assert!(!passes_gate("\u{1e}{\"kind\":\"clear\",\"wait\":true}"));
    }

    #[test]
    fn an_unfinished_utf8_sequence_waits_for_its_end() {
        let e_acute = "é".as_bytes();
        assert_eq!(complete_prefix(&[b'a', e_acute[0]]), 1);
        assert_eq!(complete_prefix(&[b'a', e_acute[0], e_acute[1]]), 3);
        // A byte that can never start a sequence is not waited for.
        assert_eq!(complete_prefix(&[b'a', 0xff]), 2);
    }
}
