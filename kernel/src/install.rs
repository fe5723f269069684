//! Writing the kernelspec (`kernel.json`) that makes Jupyter offer "Rust (Torchbook)".

use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The kernelspec's name (its directory under `share/jupyter/kernels`).
pub const KERNEL_NAME: &str = "torchbook";

/// `kernel.json`.
#[derive(Debug, Serialize, PartialEq)]
pub struct KernelSpec {
    /// Command line; Jupyter fills in `{connection_file}`.
    pub argv: Vec<String>,
    /// Name shown in the launcher.
    pub display_name: String,
    /// Language of the cells.
    pub language: String,
    /// Interrupts arrive as `interrupt_request` on control, not as signals.
    pub interrupt_mode: String,
    /// Environment the kernel runs with.
    pub env: BTreeMap<String, String>,
    /// Extra data.
    pub metadata: BTreeMap<String, serde_json::Value>,
}

/// Builds the spec for the kernel binary `exe` with `env`.
pub fn kernel_spec(exe: &Path, env: BTreeMap<String, String>) -> KernelSpec {
    KernelSpec {
        argv: vec![
            exe.display().to_string(),
            "run".to_owned(),
            "--connection-file".to_owned(),
            "{connection_file}".to_owned(),
        ],
        display_name: "Rust (Torchbook)".to_owned(),
        language: "rust".to_owned(),
        interrupt_mode: "message".to_owned(),
        env,
        metadata: BTreeMap::from([("debugger".to_owned(), serde_json::Value::Bool(true))]),
    }
}

/// The kernelspec's icons, under the names Jupyter looks for (without them the Launcher shows
/// a big "R", which reads as the R language).
pub const LOGOS: [(&str, &[u8]); 3] = [
    ("logo-32x32.png", include_bytes!("../logo/logo-32x32.png")),
    ("logo-64x64.png", include_bytes!("../logo/logo-64x64.png")),
    ("logo-svg.svg", include_bytes!("../logo/logo-svg.svg")),
];

/// Writes `<prefix>/share/jupyter/kernels/torchbook/kernel.json` and the logos; returns the
/// directory.
pub fn install(prefix: &Path, exe: &Path, env: BTreeMap<String, String>) -> Result<PathBuf> {
    let dir = prefix.join("share/jupyter/kernels").join(KERNEL_NAME);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let spec = serde_json::to_string_pretty(&kernel_spec(exe, env))?;
    std::fs::write(dir.join("kernel.json"), spec)
        .with_context(|| format!("writing {}/kernel.json", dir.display()))?;
    for (name, bytes) in LOGOS {
        std::fs::write(dir.join(name), bytes).with_context(|| format!("writing {}/{name}", dir.display()))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_names_the_kernel_and_passes_the_connection_file() {
        let env = BTreeMap::from([("TORCHBOOK_STORE".to_owned(), "/s".to_owned())]);
        let spec = kernel_spec(Path::new("/bin/torchbook-kernel"), env);
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(json["display_name"], "Rust (Torchbook)");
        assert_eq!(json["language"], "rust");
        assert_eq!(json["argv"][3], "{connection_file}");
        assert_eq!(json["env"]["TORCHBOOK_STORE"], "/s");
        assert_eq!(json["interrupt_mode"], "message");
    }
}
