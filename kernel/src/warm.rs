//! `torchbook-kernel warm`: builds the store's template once, so kernels start without building.

use crate::execution::session::{Session, SessionOptions};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where libtorch and the prebuilt C++ wrapper of torch-sys live.
#[derive(Debug, Clone)]
pub struct NativeLibs {
    /// `libtch.a` built by torch-sys's build script for the workspace (given to `warm`), or
    /// the shared library made from it in the store (what kernels link).
    pub libtch: PathBuf,
    /// libtorch's `lib` directory (inside the `torch` Python package).
    pub torch_lib: PathBuf,
}

/// `rustc -vV`'s host triple.
pub fn host_triple() -> Result<String> {
    let out = std::process::Command::new("rustc").arg("-vV").output().context("running rustc -vV")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .context("rustc -vV printed no host line")
}

/// File name of the shared torch-sys wrapper in the store's `native/` directory.
pub const SHARED_WRAPPER: &str = "libtch_capi.so";

/// Links torch-sys's static C++ wrapper (`libtch.a`) into one shared library in `dir`.
///
/// In evcxr's layout every dependency and every cell is its own shared object. Linked
/// statically, the wrapper was copied into each one that calls it (`libtch-*.so`,
/// `libtorchbook-*.so`, and every cell that instantiates a generic tch function), each copy with
/// its own thread-local `torch_last_err`: a cell's copy of `atg_empty` recorded libtorch's
/// "can't allocate memory" in the cell's copy, tch's `read_and_clean_error` (in `libtch-*.so`)
/// read its own, found nothing, and returned `Ok` with an invalid tensor. With one shared copy
/// every error reaches tch. The library's SONAME is its absolute path, so the objects that
/// link it find it at run time without `LD_LIBRARY_PATH` or an rpath. Rebuilt only when
/// `libtch.a` is newer; written beside and renamed, so running kernels keep their copy.
///
/// The wrapper calls back into Rust for streams (`tch_write_stream_write`, ...: `save_to_stream`,
/// `load_from_stream`), functions torch-sys defines. Once the template has built torch-sys as a
/// dylib, `warm` links the wrapper again with that library as `callbacks`, so every symbol the
/// wrapper needs resolves through its own NEEDED libraries: cells are loaded `RTLD_LOCAL`, and
/// a symbol only the global scope could have given was a "symbol lookup error" that killed the
/// execution process.
pub fn shared_wrapper(
    libtch: &Path,
    torch_lib: &Path,
    dir: &Path,
    callbacks: Option<&Path>,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let out = dir.join(SHARED_WRAPPER);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    // Which torch-sys dylib the existing wrapper needs, if any: a wrapper that needs one cannot
    // serve the template's build, which may make a new one.
    let marker = dir.join(format!("{SHARED_WRAPPER}.callbacks"));
    let linked_with = std::fs::read_to_string(&marker).ok().map(PathBuf::from);
    if let (Some(built), Some(source)) = (modified(&out), modified(libtch)) {
        if built >= source && linked_with.as_deref() == callbacks {
            return Ok(out);
        }
    }
    let partial = dir.join(format!("{SHARED_WRAPPER}.{}", std::process::id()));
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned());
    let mut command = std::process::Command::new(&cxx);
    command
        .arg("-shared")
        .arg("-o")
        .arg(&partial)
        .arg(format!("-Wl,-soname,{}", out.display()))
        .arg("-Wl,--whole-archive")
        .arg(libtch)
        .arg("-Wl,--no-whole-archive")
        .arg(format!("-L{}", torch_lib.display()))
        .arg(format!("-Wl,-rpath,{}", torch_lib.display()));
    if torch_lib.join("libtorch_cuda.so").exists() {
        command.arg("-ltorch_cuda");
    }
    command.args(["-ltorch_cpu", "-ltorch", "-lc10"]);
    if let Some(callbacks) = callbacks {
        // NEEDED is the dylib's SONAME; the run path finds it in the template, the file every
        // kernel directory hard-links (the loader knows a loaded library again by its inode).
        if let Some(deps) = callbacks.parent() {
            command.arg(format!("-Wl,-rpath,{}", deps.display()));
        }
        command.arg(callbacks);
    }
    let output = command.output().with_context(|| format!("running {cxx} to link {}", out.display()))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "linking {} from {} failed: {}",
            out.display(),
            libtch.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    std::fs::rename(&partial, &out)?;
    match callbacks {
        Some(path) => std::fs::write(&marker, path.as_os_str().as_encoded_bytes())?,
        None => {
            let _ = std::fs::remove_file(&marker);
        }
    }
    Ok(out)
}

/// The shared cargo configuration of every kernel directory.
///
/// Dependencies build with optimisations while cells build at opt-level 0 (cells are small and
/// call into libtorch, so compile time matters more there). With `native`, torch-sys's build
/// script is replaced by a `links` override pointing at the prebuilt wrapper (see
/// [`shared_wrapper`]), so the C++ wrapper is compiled once per install and loaded once per
/// execution process.
pub fn cargo_config(triple: &str, native: Option<&NativeLibs>) -> String {
    let mut text = String::from(
        "# Written by `torchbook-kernel warm`; shared by every kernel directory below.\n\
         [profile.dev.package.\"*\"]\nopt-level = 2\n",
    );
    if let Some(n) = native {
        let dir = n.libtch.parent().unwrap_or(Path::new("."));
        let mut libs = vec!["\"dylib=tch_capi\"".to_owned()];
        for lib in ["torch_cuda", "torch_cpu", "torch", "c10"] {
            if lib != "torch_cuda" || n.torch_lib.join("libtorch_cuda.so").exists() {
                libs.push(format!("\"{lib}\""));
            }
        }
        libs.push("\"gomp\"".to_owned());
        text.push_str(&format!(
            "\n[target.{triple}.tch]\nrustc-link-search = [\"native={}\", \"native={}\"]\nrustc-link-lib = [{}]\nlibtorch_lib = \"{}\"\n",
            dir.display(),
            n.torch_lib.display(),
            libs.join(", "),
            n.torch_lib.display()
        ));
    }
    text
}

/// evcxr's configuration: dependencies as dylibs (one copy of each crate's statics in the
/// execution process, and cells link in milliseconds), cells at opt-level 0.
pub const EVCXR_TOML: &str = "[evcxr]\nallow_static_linking = false\nopt_level = \"0\"\n";

/// Writes the configuration and builds the template; prints timings.
pub fn warm(options: &SessionOptions, native: Option<&NativeLibs>) -> Result<()> {
    let store = &options.store;
    if let Some(n) = native {
        if !n.libtch.exists() {
            bail!("--libtch {} does not exist (build the workspace first)", n.libtch.display());
        }
        if !n.torch_lib.join("libtorch_cpu.so").exists() {
            bail!("--torch-lib {} has no libtorch_cpu.so", n.torch_lib.display());
        }
    }
    let native_copy = native
        .map(|n| -> Result<NativeLibs> {
            let libtch = shared_wrapper(&n.libtch, &n.torch_lib, &store.root().join("native"), None)?;
            Ok(NativeLibs { libtch, torch_lib: n.torch_lib.clone() })
        })
        .transpose()?;
    // The store holds what every kernel of this user runs: nobody else may write it.
    crate::private::create_dir(store.root())?;
    let cargo_dir = store.kernels_dir().join(".cargo");
    crate::private::create_dir(&cargo_dir)?;
    std::fs::write(cargo_dir.join("config.toml"), cargo_config(&host_triple()?, native_copy.as_ref()))?;
    crate::private::create_dir(&store.evcxr_config_dir())?;
    std::fs::write(store.evcxr_config_dir().join("evcxr.toml"), EVCXR_TOML)?;

    let template = store.template_dir();
    let _ = std::fs::remove_file(store.template_ready_marker());
    crate::private::create_dir(&template)?;
    // Start from the workspace's lock file, so notebooks build against the same dependency
    // versions as the workspace's own build and tests.
    let workspace_lock = options.prelude_dir.join("../Cargo.lock");
    if workspace_lock.exists() {
        std::fs::copy(&workspace_lock, template.join(crate::execution::session::TEMPLATE_LOCK))
            .with_context(|| format!("copying {}", workspace_lock.display()))?;
    }
    let started = Instant::now();
    let mut session = Session::start_in(options, template.clone(), false)?;
    let built = started.elapsed();
    let probe = "let warm_up = Tensor::ones([2, 2], (Kind::Float, Device::Cpu));\nwarm_up.sum(Kind::Float)";
    let shown =
        session.execute_unattended(probe).map_err(|e| anyhow::anyhow!("the warm-up cell failed: {e}"))?;
    let text = shown.and_then(|data| data.get("text/plain").cloned()).unwrap_or_default();
    if !text.contains('4') {
        bail!("the warm-up cell should sum four ones, but showed: {text}");
    }
    session.save_template_lock()?;
    if let Some(n) = native {
        let torch_sys = torch_sys_dylib(&template)
            .context("the template has no libtorch_sys-*.so to link the wrapper's callbacks from")?;
        shared_wrapper(&n.libtch, &n.torch_lib, &store.root().join("native"), Some(&torch_sys))?;
    }
    std::fs::write(store.template_ready_marker(), format!("built in {:.1}s\n", built.as_secs_f64()))?;
    eprintln!(
        "torchbook: template ready in {} (prelude build {:.1}s, total {:.1}s)",
        template.display(),
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// torch-sys built as a dylib in the template (`target/<triple>/debug/deps/libtorch_sys-*.so`).
fn torch_sys_dylib(template: &Path) -> Option<PathBuf> {
    let target = template.join("target");
    std::fs::read_dir(&target).ok()?.flatten().find_map(|triple| {
        std::fs::read_dir(triple.path().join("debug/deps")).ok()?.flatten().map(|e| e.path()).find(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with("libtorch_sys-") && name.ends_with(".so")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_config_overrides_torch_sys_only_when_given_the_library() {
        let plain = cargo_config("x86_64-unknown-linux-gnu", None);
        assert!(plain.contains("[profile.dev.package.\"*\"]\nopt-level = 2"));
        assert!(!plain.contains(".tch]"));
        let native =
            NativeLibs { libtch: "/s/native/libtch_capi.so".into(), torch_lib: "/nonexistent/lib".into() };
        let text = cargo_config("x86_64-unknown-linux-gnu", Some(&native));
        assert!(text.contains("[target.x86_64-unknown-linux-gnu.tch]"));
        assert!(text.contains("\"native=/s/native\""));
        assert!(text
            .contains("rustc-link-lib = [\"dylib=tch_capi\", \"torch_cpu\", \"torch\", \"c10\", \"gomp\"]"));
        let parsed: toml::Table = text.parse().expect("cargo_config writes valid TOML");
        assert_eq!(
            parsed["target"]["x86_64-unknown-linux-gnu"]["tch"]["libtorch_lib"].as_str(),
            Some("/nonexistent/lib")
        );
    }
}
