//! Standby kernels: sessions started before a notebook asks for one.
//!
//! A cold start costs about 8 s on 2 cores, and none of it is the user's code: evcxr's first
//! build and execution process, the prelude's first build and libtorch's loading, and
//! rust-analyzer's first analysis (evcxr asks it for the type of every `let`). A standby is a
//! `torchbook-kernel standby` process that has done all of that and waits on a Unix socket in
//! `<store>/standby/<fingerprint>/`. `torchbook-kernel run` (what Jupyter starts) claims one,
//! hands it the connection file and the working directory, and then only relays its lifetime:
//! it exits when the standby exits, and the standby exits when it is gone, so Jupyter's
//! shutdown, restart and kill work as on any kernel. Each claim starts a replacement.
//!
//! The fingerprint covers the kernel binary, the store's template and the environment the
//! session depends on, so a kernel never gets a standby built for another install.
//! `TORCHBOOK_STANDBY` is how many to keep ready (default 2, `0` turns them off);
//! `TORCHBOOK_STANDBY_IDLE` is how many seconds an unclaimed one waits before it exits
//! (default 1800).

use crate::execution::session::{Session, SessionOptions};
use crate::execution::store::Store;
use crate::private;
use crate::protocol::connection::ConnectionInfo;
use crate::server::{SessionSource, Sockets};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many standbys to keep ready.
pub const POOL_ENV: &str = "TORCHBOOK_STANDBY";
/// Seconds an unclaimed standby waits before it exits.
pub const IDLE_ENV: &str = "TORCHBOOK_STANDBY_IDLE";
const DEFAULT_SIZE: usize = 2;
const DEFAULT_IDLE: Duration = Duration::from_secs(1800);

/// Environment variables a session's behaviour depends on; a standby serves only kernels whose
/// values are the same.
const FINGERPRINT_ENV: &[&str] = &[
    "PATH",
    "LD_LIBRARY_PATH",
    "HOME",
    "TORCHBOOK_STORE",
    "TORCHBOOK_PRELUDE",
    "TORCHBOOK_DATA",
    "LIBTORCH",
    "LIBTORCH_USE_PYTORCH",
    "CUDA_VISIBLE_DEVICES",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "CARGO_HOME",
];

/// The Jupyter client (server) a standby was started for; an unclaimed standby exits when it
/// is gone, as it does when its kernel binary is replaced (nobody could claim it then).
pub const SERVES_CLIENT_ENV: &str = "TORCHBOOK_STANDBY_FOR_PID";

/// Variables a starting kernel's session sets in its own process; a standby must not inherit them.
const SESSION_ENV: &[&str] = &["EVCXR_TMPDIR", "EVCXR_CONFIG_DIR", "EVCXR_IS_RUNTIME", "JPY_PARENT_PID"];

static ORIGINAL_ENV: std::sync::OnceLock<Vec<(std::ffi::OsString, std::ffi::OsString)>> =
    std::sync::OnceLock::new();

/// Records the environment before anything changes it; standbys are started with it.
pub fn remember_environment() {
    let _ = ORIGINAL_ENV.set(std::env::vars_os().collect());
}

/// Evaluated by a standby before it listens: the first `let` makes evcxr load rust-analyzer's
/// view of the prelude and tch (about 2.5 s), and the `drop` leaves no variable behind.
const WARM_UP: [&str; 2] =
    ["let torchbook_standby_warm_up = String::new();", "drop(torchbook_standby_warm_up);"];

/// Asked of rust-analyzer by a standby before it listens (code and cursor offset).
const WARM_UP_COMPLETION: (&str, usize) = ("Tensor::ze", 10);

/// What a launching kernel sends a standby: one JSON line.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Claim {
    /// The connection file Jupyter wrote for this kernel.
    pub connection_file: PathBuf,
    /// The working directory Jupyter started the kernel in (the notebook's folder).
    pub cwd: PathBuf,
    /// The launching kernel's environment: the standby takes it over, so a cell sees the
    /// variables of the kernel it serves (`JPY_SESSION_NAME`, a course's settings), not those
    /// of the kernel that started the standby.
    #[serde(default)]
    pub env: Vec<(OsString, OsString)>,
}

/// Whether a variable of a claimant's environment is taken over by the standby. Not: the
/// fingerprinted ones (equal by construction), the ones a session sets for itself, evcxr's
/// and the message link's in the execution process, and the standby's own marker.
fn taken_over(name: &OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !(FINGERPRINT_ENV.iter().chain(SESSION_ENV).any(|n| n.as_bytes() == bytes)
        || bytes.starts_with(b"EVCXR_")
        || bytes == torchbook_contract::env::MESSAGE_FD.as_bytes()
        || bytes == SERVES_CLIENT_ENV.as_bytes())
}

/// What must change in `current` to give it `wanted`'s variables: `(name, Some(value))` to
/// set, `(name, None)` to remove, in name order.
///
/// ```
/// use std::ffi::OsString;
/// use torchbook_kernel::standby::environment_changes;
/// let env = |pairs: &[(&str, &str)]| -> Vec<(OsString, OsString)> {
///     pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
/// };
/// let now = env(&[("A", "1"), ("GONE", "x"), ("EVCXR_TMPDIR", "/t"), ("PATH", "/bin")]);
/// let want = env(&[("A", "2"), ("NEW", "y"), ("PATH", "/usr/bin")]);
/// assert_eq!(
///     environment_changes(&now, &want),
///     vec![("A".into(), Some("2".into())), ("GONE".into(), None), ("NEW".into(), Some("y".into()))]
/// );
/// ```
pub fn environment_changes(
    current: &[(OsString, OsString)],
    wanted: &[(OsString, OsString)],
) -> Vec<(OsString, Option<OsString>)> {
    use std::collections::BTreeMap;
    let now: BTreeMap<_, _> = current.iter().filter(|(k, _)| taken_over(k)).cloned().collect();
    let want: BTreeMap<_, _> = wanted.iter().filter(|(k, _)| taken_over(k)).cloned().collect();
    let mut changes: Vec<_> = want
        .iter()
        .filter(|(k, v)| now.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .chain(now.keys().filter(|k| !want.contains_key(*k)).map(|k| (k.clone(), None)))
        .collect();
    changes.sort();
    changes
}

/// A Rust literal for `value`: a string literal when it is UTF-8, else its bytes.
fn os_literal(value: &OsStr) -> String {
    match value.to_str() {
        Some(text) => format!("{text:?}"),
        None => format!(
            "<::std::ffi::OsStr as ::std::os::unix::ffi::OsStrExt>::from_bytes(&{:?})",
            value.as_encoded_bytes()
        ),
    }
}

/// The cell that moves the execution process to `cwd` and applies `changes`. No line starts
/// with `:` (evcxr would take it for a command).
///
/// ```
/// use torchbook_kernel::standby::adoption_cell;
/// let cell = adoption_cell(None, &[("A".into(), Some("1".into())), ("B".into(), None)]);
/// assert!(cell.contains(r#"std::env::set_var("A", "1");"#));
/// assert!(cell.contains(r#"std::env::remove_var("B");"#));
/// assert_eq!(adoption_cell(None, &[]), "");
/// ```
pub fn adoption_cell(cwd: Option<&Path>, changes: &[(OsString, Option<OsString>)]) -> String {
    let mut cell = String::new();
    if let Some(cwd) = cwd {
        cell += &format!("std::env::set_current_dir({}).ok();\n", os_literal(cwd.as_os_str()));
    }
    if !changes.is_empty() {
        // `unsafe` in edition 2024, a warning nobody sees in 2021: the cell compiles in both
        // (an `#[allow]` on the block would not: evcxr makes the statement an expression).
        cell += "unsafe {\n";
        for (name, value) in changes {
            match value {
                Some(v) => {
                    cell += &format!("    std::env::set_var({}, {});\n", os_literal(name), os_literal(v))
                }
                None => cell += &format!("    std::env::remove_var({});\n", os_literal(name)),
            }
        }
        cell += "}\n";
    }
    cell
}

/// The standbys that can serve kernels started with this binary, store and environment.
#[derive(Debug, Clone)]
pub struct Pool {
    dir: PathBuf,
    size: usize,
}

/// A standby this process has claimed; it serves the kernel until it exits.
#[derive(Debug)]
pub struct Claimed {
    stream: UnixStream,
    /// Process id of the standby now serving the kernel.
    pub pid: u32,
    _lock: File,
}

fn pid_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// `TORCHBOOK_STANDBY` as a count; a bad value is an error that names it.
pub fn size_from_env() -> Result<usize> {
    match std::env::var(POOL_ENV) {
        Err(_) => Ok(DEFAULT_SIZE),
        Ok(v) => {
            v.trim().parse().with_context(|| format!("{POOL_ENV}={v:?} is not a count of standby kernels"))
        }
    }
}

fn idle_from_env() -> Result<Duration> {
    match std::env::var(IDLE_ENV) {
        Err(_) => Ok(DEFAULT_IDLE),
        Ok(v) => v
            .trim()
            .parse()
            .map(Duration::from_secs)
            .with_context(|| format!("{IDLE_ENV}={v:?} is not a number of seconds")),
    }
}

/// Size and modification time of the running kernel binary (a rebuild changes them).
fn binary_identity() -> Option<(u64, i64, i64)> {
    let m = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some((m.len(), m.mtime(), m.mtime_nsec()))
}

/// Identity of this install as far as a session is concerned.
pub fn fingerprint(options: &SessionOptions) -> String {
    let mut h = DefaultHasher::new();
    if let Ok(exe) = std::env::current_exe() {
        exe.hash(&mut h);
        if let Ok(m) = std::fs::metadata(&exe) {
            (m.len(), m.mtime(), m.mtime_nsec()).hash(&mut h);
        }
    }
    if let Ok(m) = std::fs::metadata(options.store.template_ready_marker()) {
        (m.mtime(), m.mtime_nsec()).hash(&mut h);
    }
    options.prelude_dir.hash(&mut h);
    for name in FINGERPRINT_ENV {
        (name, std::env::var_os(name)).hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

fn lock_blocking(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this process owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
}

/// Process ids named by files `<pid>.<ext>` in `dir`.
fn pids_with(dir: &Path, ext: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == ext).then_some(())?;
            path.file_stem()?.to_str()?.parse().ok()
        })
        .collect();
    pids.sort_unstable();
    pids
}

impl Pool {
    /// The pool for this binary, store and environment, sized from `TORCHBOOK_STANDBY`.
    pub fn new(options: &SessionOptions) -> Result<Pool> {
        Ok(Pool::with_size(options, size_from_env()?))
    }

    /// The pool with an explicit size.
    pub fn with_size(options: &SessionOptions, size: usize) -> Pool {
        Pool { dir: options.store.root().join("standby").join(fingerprint(options)), size }
    }

    /// The directory holding this pool's sockets, locks and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, pid: u32, ext: &str) -> PathBuf {
        self.dir.join(format!("{pid}.{ext}"))
    }

    /// Standbys ready to be claimed now.
    pub fn ready(&self) -> Vec<u32> {
        pids_with(&self.dir, "sock").into_iter().filter(|p| pid_alive(*p)).collect()
    }

    /// Standbys alive, ready or still warming.
    pub fn alive(&self) -> Vec<u32> {
        pids_with(&self.dir, "standby").into_iter().filter(|p| pid_alive(*p)).collect()
    }

    /// Removes the files of standbys whose process is gone.
    fn remove_stale(&self) {
        // Logs stay: a kernel's log is where its failures are explained.
        for ext in ["standby", "sock", "claim"] {
            for pid in pids_with(&self.dir, ext) {
                if !pid_alive(pid) {
                    let _ = std::fs::remove_file(self.file(pid, ext));
                }
            }
        }
    }

    /// Claims a ready standby and hands it the kernel's connection file; `None` if none answered.
    pub fn claim(&self, connection_file: &Path) -> Option<Claimed> {
        if self.size == 0 {
            return None;
        }
        let claim = Claim {
            connection_file: std::path::absolute(connection_file).ok()?,
            cwd: std::env::current_dir().ok()?,
            env: ORIGINAL_ENV.get().cloned().unwrap_or_else(|| std::env::vars_os().collect()),
        };
        for pid in self.ready() {
            let Ok(lock) = private::open_lock(&self.file(pid, "claim")) else {
                continue;
            };
            if !private::try_lock(&lock) {
                continue; // another kernel is claiming it
            }
            match self.hand_over(pid, &claim) {
                Ok(stream) => return Some(Claimed { stream, pid, _lock: lock }),
                Err(e) => eprintln!("torchbook: standby {pid} did not take the kernel: {e:#}"),
            }
        }
        None
    }

    /// Standbys alive but not yet listening: still starting their session.
    pub fn warming(&self) -> Vec<u32> {
        let ready = self.ready();
        self.alive().into_iter().filter(|p| !ready.contains(p)).collect()
    }

    /// Claims a ready standby, or, when every live one is still warming, the first of them to
    /// be ready within `patience`; `None` when the pool has nothing alive or patience runs out.
    ///
    /// A warming standby started its session before this kernel did, so it is ready sooner
    /// than a session this kernel would start now, which would also take the processors from
    /// it: the third of three notebooks opened in a row on two cores waited 12.4 s for a cold
    /// session while both standbys warmed (bench/lean.py). [`patience`] bounds the wait.
    pub fn claim_or_wait(&self, connection_file: &Path, patience: Duration) -> Option<Claimed> {
        let t = Instant::now();
        let mut hurried = Vec::new();
        loop {
            if let Some(claimed) = self.claim(connection_file) {
                if t.elapsed() > Duration::from_millis(100) {
                    eprintln!(
                        "torchbook: waited {:.1}s for standby {} to finish warming",
                        t.elapsed().as_secs_f64(),
                        claimed.pid
                    );
                }
                return Some(claimed);
            }
            let warming = self.warming();
            if self.size == 0 || warming.is_empty() || t.elapsed() >= patience {
                return None;
            }
            // A standby yields while it warms (`priority`); one that a kernel waits for must not.
            for pid in warming {
                if !hurried.contains(&pid) {
                    crate::priority::hurry(pid);
                    hurried.push(pid);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn hand_over(&self, pid: u32, claim: &Claim) -> Result<UnixStream> {
        let mut stream = UnixStream::connect(self.file(pid, "sock"))?;
        stream.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut line = serde_json::to_string(claim)?;
        line.push('\n');
        stream.write_all(line.as_bytes())?;
        let mut answer = String::new();
        BufReader::new(&stream).read_line(&mut answer)?;
        if answer.trim() != "ok" {
            bail!("it answered {:?}", answer.trim());
        }
        stream.set_read_timeout(None)?;
        Ok(stream)
    }

    /// Starts standbys in the background until `size` are alive or warming.
    pub fn replenish(&self) -> Result<()> {
        if self.size == 0 {
            return Ok(());
        }
        self.make_private_dir()?;
        let lock =
            private::open_lock(&self.dir.join("spawn.lock")).context("opening the standby spawn lock")?;
        lock_blocking(&lock);
        self.remove_stale();
        // Measured now, with this kernel's own session up: on a hub with a memory limit,
        // standbys that do not fit would make the cgroup's OOM killer take the user's kernel.
        let (fit, why) = crate::resources::standby_plan(self.size, &crate::resources::Resources::read());
        if fit < self.size {
            eprintln!("torchbook: {why}");
        }
        for _ in self.alive().len()..fit {
            let pid = self.spawn()?;
            // Counted at once, so a concurrent replenish does not start one more.
            private::create_file(&self.file(pid, "standby"))?;
        }
        Ok(())
    }

    /// Creates the pool's directory (0700) after checking that the store is this user's alone.
    fn make_private_dir(&self) -> Result<()> {
        if let Some(store) = self.dir.parent().and_then(Path::parent) {
            private::create_dir(store)
                .or_else(|_| private::check_dir(store, true))
                .context("the Torchbook store cannot be trusted")?;
        }
        private::create_dir(&self.dir).context("the standby pool directory cannot be trusted")?;
        Ok(())
    }

    fn spawn(&self) -> Result<u32> {
        let exe = std::env::current_exe().context("locating the kernel binary")?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("standby")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        // The environment this process started with, not the one evcxr has since changed.
        if let Some(original) = ORIGINAL_ENV.get() {
            cmd.env_clear().envs(original.iter().cloned());
        }
        for name in SESSION_ENV {
            cmd.env_remove(name);
        }
        if let Some(client) = crate::parent_watch::client_pid() {
            cmd.env(SERVES_CLIENT_ENV, client.to_string());
        }
        // SAFETY: setsid, sigemptyset and sigprocmask are async-signal-safe. setsid detaches the
        // standby from the group of the kernel that starts it, so stopping that kernel does not
        // stop the standby; the signal mask of the spawning thread must not be inherited.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                let mut none: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut none);
                libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
                Ok(())
            });
        }
        let mut child = cmd.spawn().context("starting a standby kernel")?;
        let pid = child.id();
        // Reaped by this thread if this process outlives it; else by init.
        std::thread::spawn(move || child.wait());
        Ok(pid)
    }

    /// Stops every standby of every pool in `store` (install.sh does this after a rebuild).
    ///
    /// A standby holds an `flock` on its `<pid>.standby` file for as long as it runs, so a file
    /// whose lock can be taken names no standby: its pid may belong to anyone now, and is not
    /// signalled. A live one is held by a pidfd before it is signalled.
    pub fn stop_all(store: &Store) -> usize {
        let root = store.root().join("standby");
        let mut stopped = 0;
        for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            // A standby that serves a notebook removed its `.standby` file when claimed, so
            // only warming and waiting ones are stopped.
            for pid in pids_with(&dir.path(), "standby") {
                let marker = dir.path().join(format!("{pid}.standby"));
                let Ok(file) = private::open_lock(&marker) else { continue };
                if !private::try_lock(&file) {
                    let held = crate::pidfd::Pidfd::open(pid as i32);
                    // Still locked once held: the process is the standby that locked it.
                    if let Some(held) = held.filter(|_| !private::try_lock(&file)) {
                        if held.signal(libc::SIGTERM) {
                            stopped += 1;
                        }
                    }
                    continue;
                }
                for ext in ["sock", "standby"] {
                    let _ = std::fs::remove_file(dir.path().join(format!("{pid}.{ext}")));
                }
            }
        }
        stopped
    }
}

impl Claimed {
    /// Waits until the standby serving the kernel exits (its end of the socket closes).
    pub fn wait(mut self) {
        let why = wait_for_close(&mut self.stream);
        eprintln!("torchbook: standby kernel {} ended ({why})", self.pid);
    }
}

/// The file in the store holding how long the last standby took from start to ready (s).
const LAST_WARM_UP: &str = "last-standby-warm-up";

/// How long a kernel waits for a warming standby before it starts a session of its own: one
/// and a half times the longer of the last cold start and the last standby warm-up (a
/// standby also runs the warm-up cells and completion), 15 s when neither was recorded, at
/// most 30 s.
pub fn patience(store: &crate::execution::store::Store) -> Duration {
    let read = |name: &str| {
        let text = std::fs::read_to_string(store.root().join(name)).ok()?;
        text.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
    };
    let longest = [read(LAST_WARM_UP), crate::execution::session::Session::last_start(store)]
        .into_iter()
        .flatten()
        .max();
    longest.map_or(Duration::from_secs(15), |d| d.mul_f64(1.5)).min(Duration::from_secs(30))
}

/// Blocks until the other end of `stream` closes; says how it ended. Interrupted reads (a
/// signal arrived) are retried: only the peer's exit may end a kernel.
fn wait_for_close(stream: &mut UnixStream) -> String {
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return "the other end closed".to_owned(),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return format!("read error: {e}"),
        }
    }
}

/// Sends standard output and error to `log`, so a detached standby keeps its kernel log.
fn redirect_output(log: &Path) -> Result<()> {
    use std::os::fd::AsRawFd;
    let file = private::create_file(log).with_context(|| format!("creating {}", log.display()))?;
    // SAFETY: dup2 onto this process's own standard descriptors.
    unsafe {
        libc::dup2(file.as_raw_fd(), 1);
        libc::dup2(file.as_raw_fd(), 2);
    }
    Ok(())
}

/// `torchbook-kernel standby`: starts a session, waits to be claimed, then serves the kernel.
pub fn serve(options: SessionOptions) -> Result<()> {
    let pool = Pool::new(&options)?;
    let idle = idle_from_env()?;
    let pid = std::process::id();
    pool.make_private_dir()?;
    redirect_output(&pool.file(pid, "log"))?;
    // Held for the process's lifetime: `stop_all` signals only a pid whose file is locked.
    let marker = private::open_lock(&pool.file(pid, "standby"))?;
    if !private::try_lock(&marker) {
        bail!("{} is locked by another process", pool.file(pid, "standby").display());
    }
    std::mem::forget(marker);
    let cleanup = |pool: &Pool| {
        for ext in ["standby", "sock", "claim"] {
            let _ = std::fs::remove_file(pool.file(pid, ext));
        }
    };
    // Warming yields the processors to kernels in use; claimed, it takes back its priority.
    crate::priority::yield_while_warming();
    let t = Instant::now();
    let mut session = Session::start(&options)?;
    for code in WARM_UP {
        session.execute_unattended(code).map_err(|e| anyhow::anyhow!("warm-up cell failed: {e}"))?;
    }
    // rust-analyzer's first completion and first hover in a session each cost about half a
    // second more than later ones: paid here, the notebook's first Tab is as fast as any.
    let (code, at) = WARM_UP_COMPLETION;
    if let Err(e) = session.completions(code, at).and_then(|_| session.hover(code, at)) {
        eprintln!("torchbook: warm-up completion failed: {e:#}");
    }
    eprintln!("torchbook: standby {pid} ready in {:.2}s", t.elapsed().as_secs_f64());
    // How long a kernel that finds only warming standbys may wait for one (`patience`).
    let _ = std::fs::write(
        options.store.root().join(LAST_WARM_UP),
        format!("{:.1}\n", t.elapsed().as_secs_f64()),
    );

    let socket = pool.file(pid, "sock");
    let listener = UnixListener::bind(&socket).context("binding the standby socket")?;
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    let waiting = Instant::now();
    let binary = binary_identity();
    let client = std::env::var(SERVES_CLIENT_ENV)
        .ok()
        .and_then(|p| p.trim().parse::<i32>().ok())
        .and_then(crate::pidfd::Pidfd::open);
    let mut checked = Instant::now();
    let (stream, claim) = loop {
        match listener.accept() {
            // Whoever claims a standby runs code as its owner: only the owner may.
            Ok((stream, _)) => match private::peer_uid(&stream) {
                Ok(uid) if uid == private::my_uid() => match read_claim(&stream) {
                    Ok(claim) => break (stream, claim),
                    Err(e) => eprintln!("torchbook: ignored a bad claim: {e:#}"),
                },
                Ok(uid) => eprintln!(
                    "torchbook: refused a claim from uid {uid} (this standby serves uid {})",
                    private::my_uid()
                ),
                Err(e) => eprintln!("torchbook: refused a claim whose sender is unknown: {e}"),
            },
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e).context("accepting a claim"),
        }
        if checked.elapsed() > Duration::from_secs(1) {
            checked = Instant::now();
            let why = if binary_identity() != binary {
                Some("its kernel binary was replaced")
            } else if client.as_ref().is_some_and(|c| c.exited()) {
                Some("the Jupyter client it was started for is gone")
            } else {
                None
            };
            if let Some(why) = why {
                eprintln!("torchbook: standby {pid} exits: {why}, so nobody can claim it");
                cleanup(&pool);
                return Ok(());
            }
        }
        if waiting.elapsed() > idle || !pool.dir().exists() {
            eprintln!(
                "torchbook: standby {pid} unclaimed for {:.0}s; exiting",
                waiting.elapsed().as_secs_f64()
            );
            cleanup(&pool);
            return Ok(());
        }
    };
    drop(listener);
    cleanup(&pool);
    eprintln!("torchbook: claimed for {} (cwd {})", claim.connection_file.display(), claim.cwd.display());
    let result = adopt(session, stream, &claim);
    if let Err(e) = &result {
        eprintln!("torchbook: {e:#}");
    }
    result
}

fn read_claim(stream: &UnixStream) -> Result<Claim> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    serde_json::from_str(&line)
        .with_context(|| format!("claim {line:?} is not JSON with connection_file and cwd"))
}

/// Moves into the notebook's folder, binds the kernel's sockets and serves them.
fn adopt(session: Session, mut stream: UnixStream, claim: &Claim) -> Result<()> {
    let connection = ConnectionInfo::from_file(&claim.connection_file)?;
    let here = std::env::current_dir().ok();
    let moved = here.as_deref() != Some(claim.cwd.as_path());
    if moved {
        std::env::set_current_dir(&claim.cwd).with_context(|| format!("entering {}", claim.cwd.display()))?;
    }
    let started_with = ORIGINAL_ENV.get().cloned().unwrap_or_default();
    let changes = environment_changes(&started_with, &claim.env);
    // This process's own variables reach cargo and rustc (`env!`); the execution process
    // gets them from one cell, with the working directory, compiled only if anything differs.
    // evcxr's threads read the environment only through std, which locks it against this.
    for (name, value) in &changes {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
    // Run while the sockets already answer (kernel_info, a notebook opening): the first
    // execute request waits for it.
    let cell = adoption_cell(moved.then_some(claim.cwd.as_path()), &changes);
    if !changes.is_empty() {
        eprintln!("torchbook: took over {} environment variables of the claimant", changes.len());
    }
    let sockets = Sockets::bind(&connection)?;
    stream.write_all(b"ok\n")?;
    // The claim was read with a timeout; watching the launcher must block for good.
    stream.set_read_timeout(None)?;
    let mut ours = vec![std::process::id()];
    if let Ok(child) = session.process_handle().lock() {
        ours.push(child.id());
    }
    crate::priority::take_back(&ours);
    // The launching process is the one Jupyter watches and signals: when it is gone, so is
    // this kernel, execution process included.
    let process = session.process_handle();
    let dir = session.dir().to_path_buf();
    std::thread::Builder::new().name("launcher-watch".into()).spawn(move || {
        let why = wait_for_close(&mut stream);
        eprintln!("torchbook: the launching process is gone ({why}); exiting");
        if let Ok(mut child) = process.lock() {
            let _ = child.kill();
        }
        let _ = std::fs::remove_dir_all(dir);
        std::process::exit(0);
    })?;
    let source = if cell.is_empty() {
        SessionSource::Ready(Box::new(session))
    } else {
        SessionSource::Adopt(Box::new(session), cell)
    };
    sockets.serve(&connection, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(store: &Path) -> SessionOptions {
        SessionOptions { store: Store::new(store), prelude_dir: PathBuf::from("/nonexistent/prelude") }
    }

    #[test]
    fn claim_round_trips_as_one_json_line() {
        let claim = Claim {
            connection_file: "/tmp/k.json".into(),
            cwd: "/home/u/notebooks".into(),
            env: vec![("COURSE".into(), "ml".into())],
        };
        let line = serde_json::to_string(&claim).unwrap();
        assert!(!line.contains('\n'));
        assert_eq!(serde_json::from_str::<Claim>(&line).unwrap(), claim);
    }

    #[test]
    fn fingerprint_depends_on_the_prelude() {
        let a = SessionOptions { prelude_dir: "/a/prelude".into(), ..options(Path::new("/s")) };
        let b = SessionOptions { prelude_dir: "/b/prelude".into(), ..options(Path::new("/s")) };
        assert_eq!(fingerprint(&a), fingerprint(&a));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn empty_pool_claims_nothing_and_counts_only_live_processes() {
        let store = std::env::temp_dir().join(format!("tb-standby-{}", uuid::Uuid::new_v4().simple()));
        let pool = Pool::with_size(&options(&store), 2);
        assert!(pool.claim(Path::new("/tmp/k.json")).is_none());
        // Nothing alive: no waiting at all.
        let t = Instant::now();
        assert!(pool.claim_or_wait(Path::new("/tmp/k.json"), Duration::from_secs(30)).is_none());
        assert!(t.elapsed() < Duration::from_secs(1));
        std::fs::create_dir_all(pool.dir()).unwrap();
        // A live process (this one) and a pid that cannot exist.
        File::create(pool.file(std::process::id(), "standby")).unwrap();
        File::create(pool.file(u32::MAX - 1, "standby")).unwrap();
        File::create(pool.file(u32::MAX - 1, "sock")).unwrap();
        assert_eq!(pool.alive(), vec![std::process::id()]);
        assert!(pool.ready().is_empty());
        assert_eq!(pool.warming(), vec![std::process::id()]);
        // A warming standby that never becomes ready is waited for only as long as patience.
        let t = Instant::now();
        assert!(pool.claim_or_wait(Path::new("/tmp/k.json"), Duration::from_millis(300)).is_none());
        assert!(t.elapsed() >= Duration::from_millis(300));
        pool.remove_stale();
        assert!(!pool.file(u32::MAX - 1, "sock").exists());
        std::fs::remove_dir_all(&store).unwrap();
    }

    #[test]
    fn disabled_pool_never_claims() {
        let pool = Pool::with_size(&options(Path::new("/nonexistent")), 0);
        assert!(pool.claim(Path::new("/tmp/k.json")).is_none());
        assert!(pool.replenish().is_ok());
    }
}
