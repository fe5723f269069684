//! Fixes to evcxr's rustc wrapper (dylib mode) for current toolchains.
//!
//! evcxr runs this binary as `RUSTC_WRAPPER` when dependencies are built as dylibs. Two things
//! it does break with Rust 1.9x, and are corrected here before evcxr's wrapper runs:
//!
//! 1. Crates that run inside the compiler or at build time (proc macros, build scripts) need
//!    the static std; they gain nothing from dylib mode, so they are compiled untouched.
//! 2. In dylib mode evcxr's rustc wrapper passes `--extern core=<sysroot>/libstd-*.so` to every
//!    crate so that all of them share the one dynamic standard library. Since Rust 1.9x the std
//!    dylib holds only a metadata stub, and rustc refuses it ("only metadata stub found for
//!    `dylib` dependency `core`"); it needs the `.rmeta` beside it as well (with the `.rmeta`
//!    alone, `no_std` crates built as dylibs fail with "crate `std` required to be available in
//!    rlib format"). evcxr takes one value, so the `.rmeta` goes through its variable and the
//!    `.so` is added to the arguments by running the wrapper again.

/// The variable through which evcxr hands the `core` extern to its rustc wrapper.
pub const CORE_EXTERN_ENV: &str = "EVCXR_CORE_EXTERN";

/// Rewrites `core=/path/libstd-HASH.so` to `core=/path/libstd-HASH.rmeta` when that file exists.
///
/// ```
/// use torchbook_kernel::execution::rustc_wrapper::rmeta_extern;
/// let exists = |p: &std::path::Path| p.extension().is_some_and(|e| e == "rmeta");
/// assert_eq!(rmeta_extern("core=/s/libstd-1.so", exists), Some("core=/s/libstd-1.rmeta".into()));
/// assert_eq!(rmeta_extern("core=/s/libstd-1.rlib", exists), None);
/// ```
pub fn rmeta_extern(value: &str, exists: impl Fn(&std::path::Path) -> bool) -> Option<String> {
    let (name, path) = value.split_once('=')?;
    let path = std::path::Path::new(path);
    if path.extension()? != "so" {
        return None;
    }
    let rmeta = path.with_extension("rmeta");
    exists(&rmeta).then(|| format!("{name}={}", rmeta.display()))
}

/// evcxr's marker that this process is its rustc wrapper.
pub const WRAPPER_ENV: &str = "EVCXR_RUSTC_WRAPPER";

/// Whether the rustc arguments build something that runs at compile time: a proc macro, a
/// build script, or a library they use (cargo builds those for the host, without `--target`).
///
/// ```
/// use torchbook_kernel::execution::rustc_wrapper::is_build_time_crate;
/// let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
/// assert!(is_build_time_crate(&args("--crate-name serde_derive --crate-type proc-macro")));
/// assert!(is_build_time_crate(&args("--crate-name libc --crate-type lib")));
/// assert!(!is_build_time_crate(&args("--crate-name tch --crate-type lib --target x86_64-unknown-linux-gnu")));
/// ```
pub fn is_build_time_crate(args: &[String]) -> bool {
    !args.iter().any(|a| a == "--target" || a.starts_with("--target="))
        || args.windows(2).any(|w| {
            (w[0] == "--crate-type" && (w[1] == "proc-macro" || w[1] == "bin"))
                || (w[0] == "--crate-name" && w[1].starts_with("build_script_"))
        })
}

/// Runs first in `main`: when this process is evcxr's rustc wrapper, either compiles a
/// build-time crate directly (and exits) or fixes the environment for evcxr's wrapper.
pub fn intercept() {
    if std::env::var_os(WRAPPER_ENV).is_none() {
        return;
    }
    let mut args = std::env::args().skip(1);
    let Some(rustc) = args.next() else { return };
    let rest: Vec<String> = args.collect();
    if is_build_time_crate(&rest) {
        let status = std::process::Command::new(rustc).args(&rest).status();
        std::process::exit(status.ok().and_then(|s| s.code()).unwrap_or(101));
    }
    if std::env::var_os(REEXEC_ENV).is_some() {
        return;
    }
    if cell_source_file(&rest).is_some() {
        super::cell_build::record_recipe(&rustc, &rest);
    }
    rewrite_cell_source(&rest);
    let mut rest = with_cell_edition(rest);
    // The cell links through `cell_linker` when its session made the link (a kernel directory)
    // and evcxr builds every dependency as a dylib (not under `:allow_static_linking 1`, where
    // a dependency's own code linked into the cell might call libtorch).
    let dylibs = std::env::var_os("EVCXR_FORCE_DYLIB").is_some();
    let linker = std::env::current_dir()
        .map(|d| d.join(super::session::LAUNCHER_DIR).join(super::cell_linker::LINKER_NAME))
        .ok()
        .filter(|l| l.exists());
    if let Some(linker) = linker.filter(|_| dylibs && cell_source_file(&rest).is_some()) {
        let (args, real) = super::cell_linker::linker_args(rest, &linker.to_string_lossy());
        rest = args;
        // SAFETY: the wrapper is single-threaded; rustc inherits the variable.
        unsafe { std::env::set_var(super::cell_linker::REAL_LINKER_ENV, real) };
    }
    let Some(so_extern) = std::env::var_os(CORE_EXTERN_ENV) else {
        return;
    };
    fix_environment();
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(exe)
        .arg(rustc)
        .args(&rest)
        .arg("--extern")
        .arg(so_extern)
        .env(REEXEC_ENV, "1")
        .exec();
    eprintln!("torchbook: could not re-run the rustc wrapper: {error}");
    std::process::exit(101);
}

/// The cell crate's source file, when `args` compile evcxr's cell crate against the prelude.
///
/// ```
/// use torchbook_kernel::execution::rustc_wrapper::cell_source_file;
/// let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
/// let cell = args("--crate-name ctx --edition=2024 src/lib.rs --extern torchbook=/t/libtorchbook.so");
/// assert_eq!(cell_source_file(&cell), Some("src/lib.rs"));
/// assert_eq!(cell_source_file(&args("--crate-name ctx src/lib.rs")), None);
/// ```
pub fn cell_source_file(args: &[String]) -> Option<&str> {
    let is_cell = args.windows(2).any(|w| w[0] == "--crate-name" && w[1] == "ctx");
    let sees_prelude = args.iter().any(|a| a.starts_with("torchbook="));
    let source = args.iter().find(|a| a.ends_with(".rs") && !a.starts_with('-'))?;
    (is_cell && sees_prelude).then_some(source.as_str())
}

/// Applies [`super::cell_source::rewrite`] to the cell's `src/lib.rs`, in place.
fn rewrite_cell_source(args: &[String]) {
    let Some(path) = cell_source_file(args) else { return };
    let Ok(source) = std::fs::read_to_string(path) else { return };
    let borrow_final = !std::path::Path::new(super::cell_source::TYPES_FILE).exists();
    let options = super::cell_source::Rewrite {
        borrow_final,
        capture_variables: std::env::var(super::cell_source::CAPTURE_ENV).map_or(true, |v| v != "0"),
    };
    let rewritten = super::cell_source::rewrite_with(&source, &options);
    if rewritten != source {
        if let Err(e) = std::fs::write(path, rewritten) {
            eprintln!("torchbook: could not rewrite {path}: {e}");
        }
    }
}

/// For evcxr's cell crate, the edition chosen with `:edition` (file
/// [`EDITION_FILE`](super::cell_source::EDITION_FILE) in the crate's directory) or
/// [`DEFAULT_EDITION`](super::cell_source::DEFAULT_EDITION), instead of the 2024 evcxr writes.
///
/// ```
/// use torchbook_kernel::execution::rustc_wrapper::edition_args;
/// let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
/// let cell = args("--crate-name ctx --edition=2024 src/lib.rs");
/// assert_eq!(edition_args(cell.clone(), "2021"), args("--crate-name ctx --edition=2021 src/lib.rs"));
/// let dep = args("--crate-name serde --edition=2018 src/lib.rs");
/// assert_eq!(edition_args(dep.clone(), "2021"), dep);
/// ```
pub fn edition_args(args: Vec<String>, edition: &str) -> Vec<String> {
    let is_cell = args.windows(2).any(|w| w[0] == "--crate-name" && w[1] == "ctx");
    if !is_cell {
        return args;
    }
    args.into_iter()
        .map(|a| if a.starts_with("--edition=") { format!("--edition={edition}") } else { a })
        .collect()
}

fn with_cell_edition(args: Vec<String>) -> Vec<String> {
    let chosen = std::fs::read_to_string(super::cell_source::EDITION_FILE).ok();
    let edition = chosen.as_deref().map(str::trim).unwrap_or(super::cell_source::DEFAULT_EDITION).to_owned();
    edition_args(args, &edition)
}

/// Set when the wrapper runs for the second time, with the `.so` extern added.
const REEXEC_ENV: &str = "TORCHBOOK_WRAPPER_REEXEC";

/// Applies [`rmeta_extern`] to this process's environment (called in the wrapper process).
fn fix_environment() {
    if let Some(value) = std::env::var_os(CORE_EXTERN_ENV) {
        if let Some(fixed) = rmeta_extern(&value.to_string_lossy(), |p| p.exists()) {
            // SAFETY: runs first thing in main, before any other thread exists.
            unsafe { std::env::set_var(CORE_EXTERN_ENV, fixed) };
        }
    }
}
