//! Set-up of the execution process: CUDA, the allocator, panics and interrupts.
//!
//! The kernel calls [`init`] in every execution process it starts (at kernel start and after
//! a crash or a forced interrupt), before the first user cell runs.

use std::sync::OnceLock;
use torchbook_contract::link;
use torchbook_contract::message::{FromCell, FromPrelude, PanicReport};

/// What happened when the prelude tried to load libtorch's CUDA library.
///
/// ```
/// use torchbook::runtime::{cuda_load, CudaLoad};
/// match cuda_load() {
///     CudaLoad::Loaded => assert!(tch::Cuda::is_available() || tch::Cuda::device_count() == 0),
///     CudaLoad::NoDriver => assert!(!tch::Cuda::is_available()),
///     CudaLoad::Failed(why) => println!("libtorch_cuda.so did not load: {why}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CudaLoad {
    /// No NVIDIA driver on this machine, so the library was not loaded.
    NoDriver,
    /// `libtorch_cuda.so` is loaded; CUDA devices are visible to tch.
    Loaded,
    /// Loading failed, with the loader's message.
    Failed(String),
}

static CUDA_LOAD: OnceLock<CudaLoad> = OnceLock::new();

/// Prepares the process for notebook use; safe to call more than once.
///
/// - loads `libtorch_cuda.so` when an NVIDIA driver is present, because tch only sees CUDA when
///   that library is in the process (tch-rs #980) and cells are linked without it;
/// - reports panics to the kernel as one structured line (message and location);
/// - turns SIGINT into the flag read by [`check_interrupt`](crate::interrupt::check_interrupt);
/// - keeps freed tensor memory in the process for the next training step
///   ([`allocator::keep_freed_memory`](crate::allocator::keep_freed_memory)).
///
/// ```
/// torchbook::runtime::init();
/// torchbook::runtime::init();
/// ```
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        cuda_load();
        crate::allocator::keep_freed_memory();
        if std::env::var_os(crate::display::KERNEL_ENV).is_some() {
            install_panic_hook();
            crate::interrupt::install_sigint_handler();
            crate::widgets::link::connect();
        }
    });
}

/// The outcome of loading libtorch's CUDA library (loading it first if [`init`] has not run).
///
/// ```
/// // The first call loads (or not) libtorch_cuda.so; later calls return the same outcome.
/// let first = torchbook::runtime::cuda_load();
/// assert_eq!(first, torchbook::runtime::cuda_load());
/// ```
pub fn cuda_load() -> &'static CudaLoad {
    CUDA_LOAD.get_or_init(load_torch_cuda)
}

fn nvidia_driver_present() -> bool {
    std::path::Path::new("/proc/driver/nvidia/version").exists()
        || std::path::Path::new("/dev/nvidiactl").exists()
}

fn load_torch_cuda() -> CudaLoad {
    if !nvidia_driver_present() && std::env::var_os("TORCHBOOK_FORCE_CUDA").is_none() {
        return CudaLoad::NoDriver;
    }
    let name = c"libtorch_cuda.so";
    // SAFETY: dlopen with a valid NUL-terminated name; the handle is kept for the process's life.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if handle.is_null() {
        // SAFETY: dlerror returns a thread-local NUL-terminated string or null.
        let message = unsafe {
            let err = libc::dlerror();
            if err.is_null() {
                "unknown dlopen error".to_owned()
            } else {
                std::ffi::CStr::from_ptr(err).to_string_lossy().into_owned()
            }
        };
        CudaLoad::Failed(message)
    } else {
        CudaLoad::Loaded
    }
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "Box<dyn Any>".to_owned()
        };
        let (file, line, column) =
            info.location().map(|l| (l.file().to_owned(), l.line(), l.column())).unwrap_or_default();
        if crate::widgets::in_callback() {
            // A widget callback's panic: said where it happened; the cells go on.
            eprintln!("a widget callback panicked at {file}:{line}:{column}: {message}");
            return;
        }
        let report = PanicReport {
            message,
            file,
            line,
            column,
            thread: std::thread::current().name().unwrap_or("<unnamed>").to_owned(),
        };
        if let Err(e) = link::send(&FromCell::Kernel(FromPrelude::Panic(report.clone()))) {
            eprintln!(
                "panicked at {}:{}:{}: {} ({e})",
                report.file, report.line, report.column, report.message
            );
        }
    }));
}
