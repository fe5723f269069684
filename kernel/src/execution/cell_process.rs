//! The execution process's main loop: evcxr's line protocol, answered by the kernel binary.
//!
//! evcxr starts its child with `EVCXR_IS_RUNTIME=1` and writes one line per cell,
//! `LOAD_AND_RUN <library> <function>`; the child loads the library, calls the function with
//! the variable store and answers `EVCXR_EXECUTION_COMPLETE` on stdout. The kernel answers that
//! protocol itself instead of calling `evcxr::runtime_hook`, because the end of a cell must
//! reach evcxr on a path printed text cannot take ([`super::cell_output`]): a cell that printed
//! `EVCXR_EXECUTION_COMPLETE` used to end early and leave the kernel a cell behind.

use super::cell_output;
use std::ffi::{c_void, CStr, CString};
use std::io::BufRead;

/// Set by evcxr in the environment of its execution process.
pub const RUNTIME_ENV: &str = "EVCXR_IS_RUNTIME";

/// One command from evcxr.
#[derive(Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// Load the library and call the function.
    LoadAndRun {
        /// The cell's shared library.
        library: &'a str,
        /// Its entry point.
        function: &'a str,
    },
    /// Anything else: a line answered to an `input()` after it stopped waiting. Ignored.
    Stray(&'a str),
}

/// Reads one line of evcxr's protocol.
///
/// ```
/// use torchbook_kernel::execution::cell_process::{parse, Command};
/// assert_eq!(
///     parse("LOAD_AND_RUN /k/libcode_3.so run_user_code_3"),
///     Command::LoadAndRun { library: "/k/libcode_3.so", function: "run_user_code_3" }
/// );
/// assert_eq!(parse("an answer typed too late"), Command::Stray("an answer typed too late"));
/// ```
pub fn parse(line: &str) -> Command<'_> {
    let mut words = line.strip_prefix("LOAD_AND_RUN ").unwrap_or("").split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some(library), Some(function), None) if !library.is_empty() && !function.is_empty() => {
            Command::LoadAndRun { library, function }
        }
        _ => Command::Stray(line),
    }
}

fn dl_error() -> String {
    // SAFETY: dlerror returns a thread-local NUL-terminated string or null.
    unsafe {
        let err = libc::dlerror();
        if err.is_null() {
            "unknown error".to_owned()
        } else {
            CStr::from_ptr(err).to_string_lossy().into_owned()
        }
    }
}

type CellFn = extern "C" fn(*mut c_void) -> *mut c_void;

/// Loads `library` (kept loaded for good: later cells use its items) and calls `function`.
fn load_and_run(library: &str, function: &str, store: *mut c_void) -> Result<*mut c_void, String> {
    let path = CString::new(library).map_err(|_| format!("library path {library:?} holds a NUL"))?;
    let name = CString::new(function).map_err(|_| format!("function name {function:?} holds a NUL"))?;
    // SAFETY: dlopen/dlsym with valid C strings; the symbol is evcxr's generated entry point,
    // whose signature is `extern "C" fn(*mut VariableStore) -> *mut VariableStore`.
    unsafe {
        let handle = libc::dlopen(path.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL);
        if handle.is_null() {
            return Err(format!("loading {library}: {}", dl_error()));
        }
        let symbol = libc::dlsym(handle, name.as_ptr());
        if symbol.is_null() {
            return Err(format!("finding {function} in {library}: {}", dl_error()));
        }
        let cell: CellFn = std::mem::transmute::<*mut c_void, CellFn>(symbol);
        Ok(cell(store))
    }
}

/// `oom_score_adj` of the execution process: any process may raise its own, and 1000 makes it
/// the OOM killer's first choice in its cgroup, whatever the kernel process holds.
pub const OOM_SCORE_ADJ: &str = "1000";

fn prefer_as_oom_victim() {
    if let Err(e) = std::fs::write("/proc/self/oom_score_adj", OOM_SCORE_ADJ) {
        eprintln!("torchbook: could not set this process's oom_score_adj: {e}");
    }
}

/// When this process is evcxr's execution process, serves it and never returns.
pub fn serve_if_execution_process() {
    if std::env::var_os(RUNTIME_ENV).is_none() {
        return;
    }
    // The execution process never outlives the kernel that runs it (killed, crashed, or gone
    // with its client): it holds the user's memory. evcxr starts it from a thread that lives as
    // long as the kernel (the death signal follows the creating thread).
    // SAFETY: prctl with PR_SET_PDEATHSIG and a signal number; getppid cannot fail.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if libc::getppid() == 1 {
            std::process::exit(0);
        }
    }
    // When memory runs out, the OOM killer takes this process (the cell's data, restarted with
    // a named error), not the kernel process, which is larger (rust-analyzer's analysis) and
    // whose death the front end shows only as "Kernel died".
    prefer_as_oom_victim();
    let routing = match cell_output::install() {
        Ok(routing) => routing,
        Err(e) => {
            eprintln!("torchbook: could not set up the cell's output pipes: {e}");
            std::process::exit(98);
        }
    };
    let mut store: *mut c_void = std::ptr::null_mut();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match parse(&line) {
            Command::LoadAndRun { library, function } => match load_and_run(library, function, store) {
                Ok(next) => {
                    store = next;
                    if let Err(e) = routing.complete() {
                        eprintln!("torchbook: could not end the cell: {e}");
                        std::process::exit(97);
                    }
                }
                Err(why) => {
                    eprintln!("torchbook: {why}");
                    cell_output::flush_all();
                    std::process::exit(99);
                }
            },
            Command::Stray(_) => {}
        }
    }
    cell_output::flush_all();
    std::process::exit(0);
}
