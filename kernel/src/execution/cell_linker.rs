//! The cell's link without libtorch's own libraries.
//!
//! rustc links every cell's shared object against the native libraries of all its upstream
//! crates, torch-sys's included: `-ltorch_cpu -ltorch_cuda -ltorch -lc10`, about 900 MB
//! of shared objects whose symbol tables the linker reads at every cell (27 ms of a 100 ms
//! rustc run, bench/RESULTS.md §7). A cell never refers to them itself: its calls into libtorch
//! go through tch's C wrapper (`libtch_capi.so`, kept; it needs libtorch itself), and with
//! `--as-needed` the linker leaves them out of the result anyway. No other crate declares
//! functions of libtorch's C++ libraries; `-lgomp`, small and a C library other crates' code
//! could call, is kept. So for the cell crate only, the rustc wrapper names
//! as the linker a link to this binary called [`LINKER_NAME`] in the kernel directory's
//! launcher folder ([`linker_args`]), and this binary, called by that name, drops those
//! libraries and runs the real linker with everything else unchanged ([`intercept`]).

/// Set in rustc's environment: the linker to run after the libraries are dropped.
pub const REAL_LINKER_ENV: &str = "TORCHBOOK_CELL_LINKER";

/// The name of the link to this binary that rustc runs as the cell's linker.
pub const LINKER_NAME: &str = "torchbook-cell-linker";

/// Whether `-l NAME` (or `-lNAME`) names one of libtorch's libraries.
///
/// ```
/// use torchbook_kernel::execution::cell_linker::is_libtorch;
/// assert!(is_libtorch("-ltorch_cpu") && is_libtorch("-lc10") && is_libtorch("-lc10_cuda"));
/// assert!(!is_libtorch("-ltch_capi") && !is_libtorch("-lm") && !is_libtorch("-ltorchbook"));
/// // OpenMP is small, and other crates' C code may call it directly: kept.
/// assert!(!is_libtorch("-lgomp"));
/// ```
pub fn is_libtorch(arg: &str) -> bool {
    let Some(name) = arg.strip_prefix("-l") else { return false };
    matches!(name, "torch" | "torch_cpu" | "torch_cuda" | "torch_global_deps" | "c10" | "c10_cuda")
}

/// The cell crate's rustc arguments with this binary as the linker, and the linker it
/// replaces (rustc's default `cc`, or the one the arguments named).
///
/// ```
/// use torchbook_kernel::execution::cell_linker::linker_args;
/// let args = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
/// let (out, real) = linker_args(args("--crate-name ctx src/lib.rs"), "/k");
/// assert_eq!(out, args("--crate-name ctx src/lib.rs -C linker=/k"));
/// assert_eq!(real, "cc");
/// let (out, real) = linker_args(args("--crate-name ctx -C linker=clang src/lib.rs"), "/k");
/// assert_eq!(out, args("--crate-name ctx src/lib.rs -C linker=/k"));
/// assert_eq!(real, "clang");
/// let (out, real) = linker_args(args("--codegen linker=gcc src/lib.rs"), "/k");
/// assert_eq!((out, real.as_str()), (args("src/lib.rs -C linker=/k"), "gcc"));
/// ```
pub fn linker_args(args: Vec<String>, exe: &str) -> (Vec<String>, String) {
    let mut real = "cc".to_owned();
    let mut out = Vec::with_capacity(args.len() + 2);
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "-C" || a == "--codegen" {
            match it.next() {
                Some(v) if v.starts_with("linker=") => real = v["linker=".len()..].to_owned(),
                Some(v) => {
                    out.push(a);
                    out.push(v);
                }
                None => out.push(a),
            }
        } else if let Some(v) = a.strip_prefix("-Clinker=").or(a.strip_prefix("--codegen=linker=")) {
            real = v.to_owned();
        } else {
            out.push(a);
        }
    }
    out.push("-C".to_owned());
    out.push(format!("linker={exe}"));
    (out, real)
}

/// Runs first in `main`: when rustc runs this binary as the cell's linker, drops libtorch's
/// libraries and runs the real linker (never returns). Returns otherwise.
pub fn intercept() {
    let called_as = std::env::args_os().next();
    if called_as
        .as_deref()
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .is_none_or(|n| n != LINKER_NAME)
    {
        return;
    }
    let real = std::env::var_os(REAL_LINKER_ENV).unwrap_or_else(|| "cc".into());
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    // A response file (`@path`, for very long command lines) is passed on as it is.
    let filter = !args.iter().any(|a| a.to_string_lossy().starts_with('@'));
    let kept = args.into_iter().filter(|a| !(filter && a.to_str().is_some_and(is_libtorch)));
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(&real).args(kept).exec();
    eprintln!("torchbook: could not run the linker {}: {error}", std::path::Path::new(&real).display());
    std::process::exit(1);
}
