//! `doctor()`: what libtorch the notebook runs on, and how to fix a mismatch.

use crate::display::Displayable;
use crate::runtime::{cuda_load, CudaLoad};

/// The PyTorch version tch is built against (torch-sys's `TORCH_VERSION`): 2.13.0 for the
/// workspace's tch 0.26. The GPU bundle builds these same sources against tch 0.24 and says so
/// with `TORCHBOOK_TORCH_VERSION=2.11.0` at compile time (gpu/.cargo/config.toml).
///
/// ```
/// assert_eq!(torchbook::doctor::EXPECTED_TORCH_VERSION, "2.13.0");
/// ```
pub const EXPECTED_TORCH_VERSION: &str = match option_env!("TORCHBOOK_TORCH_VERSION") {
    Some(version) => version,
    None => "2.13.0",
};

/// What [`doctor`] found.
///
/// ```
/// let report = torchbook::doctor::DoctorReport::collect();
/// assert_eq!(report.cuda_available, tch::Cuda::is_available());
/// if report.problems.is_empty() {
///     // PyPI's wheel says "2.13.0+cu130"; the version before the local part is what counts.
///     assert!(report.loaded_version.unwrap().starts_with("2.13.0"));
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DoctorReport {
    /// Version tch expects.
    pub expected_version: String,
    /// Version of the libtorch in this process, read from the `torch` package beside it.
    pub loaded_version: Option<String>,
    /// Directory of the `libtorch_cpu.so` in this process.
    pub library_dir: Option<String>,
    /// Outcome of loading `libtorch_cuda.so`.
    pub cuda_load: CudaLoad,
    /// `tch::Cuda::is_available()`.
    pub cuda_available: bool,
    /// `tch::Cuda::device_count()`.
    pub cuda_devices: i64,
    /// `tch::Cuda::cudnn_is_available()`.
    pub cudnn_available: bool,
    /// Intra-op threads libtorch uses (the cgroup's CPU quota when there is one).
    pub threads: i32,
    /// Why that many: the share of the cores among running cells, or the user's choice.
    pub threads_why: String,
    /// CPUs granted by the cgroup's `cpu.max` quota, as the kernel read it; `None` without one.
    pub cpu_quota: Option<String>,
    /// How many standby kernels the kernel keeps, and why (memory of the machine or cgroup).
    pub standby_plan: Option<String>,
    /// Advice for each problem found; empty when all is well.
    pub problems: Vec<String>,
}

fn loaded_torch_library_dir() -> Option<std::path::PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| path.ends_with("/libtorch_cpu.so"))
        .and_then(|path| std::path::Path::new(path).parent().map(|p| p.to_path_buf()))
}

/// Reads `__version__` from `torch/version.py`, two levels above `torch/lib`.
fn torch_version_beside(lib_dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(lib_dir.parent()?.join("version.py")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("__version__ = "))
        .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').to_owned())
}

/// Checks the libtorch in this process and prints a report; the report is also returned.
///
/// ```
/// let report = torchbook::doctor::doctor();
/// assert_eq!(report.expected_version, "2.13.0");
/// assert!(report.threads >= 1);
/// ```
pub fn doctor() -> DoctorReport {
    let report = DoctorReport::collect();
    println!("{}", report.text());
    report
}

impl DoctorReport {
    /// Gathers the facts without printing.
    ///
    /// ```
    /// let report = torchbook::doctor::DoctorReport::collect(); // prints nothing
    /// assert_eq!(report.expected_version, torchbook::doctor::EXPECTED_TORCH_VERSION);
    /// ```
    pub fn collect() -> DoctorReport {
        let cuda_load = cuda_load().clone();
        let library_dir = loaded_torch_library_dir();
        let loaded_version = library_dir.as_deref().and_then(torch_version_beside);
        let cuda_available = tch::Cuda::is_available();
        let mut problems = Vec::new();
        match &loaded_version {
            Some(v) if v.split('+').next() != Some(EXPECTED_TORCH_VERSION) => problems.push(format!(
                "libtorch {v} is loaded but tch expects {EXPECTED_TORCH_VERSION}: run \
                 `.venv/bin/pip install torch=={EXPECTED_TORCH_VERSION}` and re-run ./install.sh"
            )),
            None => problems.push(
                "could not find the torch package beside libtorch_cpu.so; is LD_LIBRARY_PATH \
                 pointing at a libtorch other than the one from .venv?"
                    .to_owned(),
            ),
            _ => {}
        }
        if let CudaLoad::Failed(msg) = &cuda_load {
            problems.push(format!(
                "an NVIDIA driver is present but libtorch_cuda.so failed to load ({msg}); the \
                 torch wheel must be a CUDA build whose CUDA version the driver supports"
            ));
        }
        if cuda_load == CudaLoad::Loaded && !cuda_available {
            problems.push(
                "libtorch_cuda.so is loaded but no CUDA device is usable; check `nvidia-smi` and \
                 CUDA_VISIBLE_DEVICES"
                    .to_owned(),
            );
        }
        DoctorReport {
            expected_version: EXPECTED_TORCH_VERSION.to_owned(),
            loaded_version,
            library_dir: library_dir.map(|d| d.display().to_string()),
            cuda_load,
            cuda_available,
            cuda_devices: if cuda_available { tch::Cuda::device_count() } else { 0 },
            cudnn_available: cuda_available && tch::Cuda::cudnn_is_available(),
            threads: tch::get_num_threads(),
            threads_why: crate::threads::explain(),
            cpu_quota: std::env::var(torchbook_contract::env::CPU_QUOTA).ok(),
            standby_plan: std::env::var(torchbook_contract::env::STANDBY_PLAN).ok(),
            problems,
        }
    }

    fn rows(&self) -> Vec<(&'static str, String)> {
        vec![
            ("tch expects libtorch", self.expected_version.clone()),
            ("loaded libtorch", self.loaded_version.clone().unwrap_or_else(|| "unknown".into())),
            ("library directory", self.library_dir.clone().unwrap_or_else(|| "not found".into())),
            ("libtorch_cuda", format!("{:?}", self.cuda_load)),
            ("CUDA available", self.cuda_available.to_string()),
            ("CUDA devices", self.cuda_devices.to_string()),
            ("cuDNN available", self.cudnn_available.to_string()),
            ("threads", self.threads_why.clone()),
            ("CPU quota", self.cpu_quota.clone().unwrap_or_else(|| "none".into())),
            ("standby kernels", self.standby_plan.clone().unwrap_or_else(|| "not in a kernel".into())),
        ]
    }

    /// The report as plain text.
    ///
    /// ```
    /// let text = torchbook::doctor::DoctorReport::collect().text();
    /// assert!(text.contains("2.13.0"));
    /// ```
    pub fn text(&self) -> String {
        let mut s: String = self.rows().iter().map(|(k, v)| format!("{k:<22}{v}\n")).collect();
        if self.problems.is_empty() {
            s.push_str("all good");
        } else {
            for p in &self.problems {
                s.push_str(&format!("problem: {p}\n"));
            }
        }
        s
    }
}

impl Displayable for DoctorReport {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let rows: String = self
            .rows()
            .iter()
            .map(|(k, v)| {
                format!(
                    "<tr><th style=\"text-align:left\">{k}</th><td style=\"text-align:left\">{v}</td></tr>"
                )
            })
            .collect();
        let problems: String = self.problems.iter().map(|p| format!("<li>{p}</li>")).collect();
        vec![
            ("text/plain".to_owned(), self.text()),
            ("text/html".to_owned(), format!("<table>{rows}</table><ul>{problems}</ul>")),
        ]
    }
}
