//! Building a cell without cargo, when cargo would only have run rustc on the cell's crate.
//!
//! evcxr builds every cell with `cargo build`. Between two cells of a session nothing cargo
//! looks at changes but the cell's own `src/lib.rs`, so all cargo does is check the
//! fingerprints of about forty dependencies and run the same rustc command as last time: about
//! 0.07 s of a 0.3 s cell (bench/RESULTS.md). Here the kernel does the same without cargo:
//!
//! 1. **The launch.** evcxr starts cargo through `mold -run cargo ...` when a `mold` is on
//!    `PATH` (its fast-linker option, chosen when `which mold` finds one). The session puts a
//!    link named `mold` to this binary in a private directory at the *end* of `PATH`
//!    ([`install_launcher`]), so a real mold installed on the machine still wins, and this
//!    binary receives evcxr's cargo command ([`intercept_cargo_launch`]).
//! 2. **The recipe.** When cargo runs, the launcher first computes a key of everything that
//!    decides what cargo will do ([`recipe_key`]: the working directory, cargo's arguments,
//!    the variables cargo and the dependencies read (cargo's, rustc's, rustup's and evcxr's,
//!    `PATH`, `HOME`, `LD_LIBRARY_PATH`, and every variable a dependency's dep-info tracks
//!    (`# env-dep:`) or its build script watches (`rerun-if-env-changed`)), `Cargo.toml`,
//!    `Cargo.lock`, cargo's configuration files (in the directory, every directory above it,
//!    and `CARGO_HOME`), and the size and modification time of every source file the
//!    dependencies and their build scripts were built from (as cargo's own dep-info files list
//!    them), of the build scripts' outputs and the files they watch (`rerun-if-changed`), and
//!    of the manifests of path dependencies and their workspaces; a build script of an
//!    editable package that watches no file makes every key new, as cargo would rerun it),
//!    writes it with its own environment to [`LAUNCH_FILE`] and
//!    hands the key to cargo. The rustc wrapper, run by cargo for the cell's crate, writes
//!    down its arguments and environment under that key ([`record_recipe`]).
//! 3. **The replay.** At the next cell, if the key computed now equals the recipe's, the
//!    launcher runs the recorded wrapper command itself: the same rustc invocation cargo would
//!    make, through the same wrapper (so the cell's source rewrites and evcxr's dylib handling
//!    are unchanged), in the environment cargo would give it ([`replay_env`]: what cargo added
//!    or changed as recorded, everything else as it is now, so a standby that took over its
//!    notebook's variables keeps the shortcut), with its diagnostics on stderr where evcxr
//!    reads them. Anything else (another cargo command, a `:dep`, an edited prelude, a changed
//!    variable cargo reads) runs cargo, which records a new recipe; so does the build after a
//!    replay that failed (a dependency's artifact may be gone, which only cargo repairs).
//!
//! Each build appends `cargo` or `direct` to [`BUILD_LOG`] in the crate's `target/`.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The name of evcxr's cell crate.
const CELL_CRATE: &str = "ctx";

/// The name evcxr launches cargo through.
pub const LAUNCHER_NAME: &str = "mold";

/// The variable through which the launcher hands the key to the rustc wrapper.
pub const KEY_ENV: &str = "TORCHBOOK_CELL_RECIPE_KEY";

/// The recipe, in the cell crate's directory.
pub const RECIPE_FILE: &str = "target/torchbook-cell-recipe.json";

/// The launcher's key and environment when it last ran cargo for a build.
pub const LAUNCH_FILE: &str = "target/torchbook-cell-launch.json";

/// One line per cell build: `cargo` or `direct`.
pub const BUILD_LOG: &str = "target/torchbook-cell-builds.log";

/// Variables of cargo's environment that name its jobserver: their descriptors exist only
/// inside that cargo, and rustc warns about them when they are gone.
const JOBSERVER_ENV: &[&str] = &["CARGO_MAKEFLAGS", "MAKEFLAGS", "MFLAGS"];

/// The rustc wrapper command cargo ran for the cell crate, and the key it was run under.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Recipe {
    /// [`recipe_key`] when cargo ran it.
    pub key: String,
    /// The program cargo ran (this binary, as `RUSTC_WRAPPER`).
    pub program: PathBuf,
    /// Its arguments: the rustc path, then rustc's arguments.
    pub args: Vec<OsString>,
    /// Its whole environment, less the jobserver's variables and [`KEY_ENV`].
    pub env: Vec<(OsString, OsString)>,
    /// The environment the launcher handed cargo (what cargo changed is the difference).
    pub launch_env: Vec<(OsString, OsString)>,
}

/// The launcher's side of a recipe, written before it runs cargo.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Launch {
    key: String,
    env: Vec<(OsString, OsString)>,
}

/// Creates `dir` (private) holding links [`LAUNCHER_NAME`] and the cell's linker to this
/// binary, and returns `PATH`
/// with `dir` appended, for the session to set before evcxr starts.
pub fn install_launcher(dir: &Path) -> anyhow::Result<OsString> {
    crate::private::create_dir(dir)?;
    let exe = std::env::current_exe()?;
    // The cell's linker (`super::cell_linker`) is the same binary under another name.
    for name in [LAUNCHER_NAME, super::cell_linker::LINKER_NAME] {
        let link = dir.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&exe, &link)?;
    }
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    if !path.is_empty() {
        path.push(":");
    }
    path.push(dir);
    Ok(path)
}

/// The key of everything that decides what `cargo ARGS` does in `cwd` with `env`.
///
/// ```
/// use torchbook_kernel::execution::cell_build::recipe_key;
/// let dir = std::env::temp_dir().join(format!("tb-key-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ctx\"\n").unwrap();
/// let args = vec!["build".into()];
/// let env = vec![("RUSTFLAGS".into(), "-Cprefer-dynamic".into())];
/// let key = recipe_key(&dir, &args, &env);
/// assert_eq!(key, recipe_key(&dir, &args, &env));
/// std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ctx\"\n[dependencies]\nrand = \"0.8\"\n").unwrap();
/// assert_ne!(key, recipe_key(&dir, &args, &env), "a :dep changes the key");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn recipe_key(cwd: &Path, cargo_args: &[OsString], env: &[(OsString, OsString)]) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(cwd.as_os_str().as_bytes());
    for a in cargo_args {
        field(a.as_bytes());
    }
    let env: BTreeMap<&OsString, &OsString> = env.iter().map(|(k, v)| (k, v)).collect();
    let var =
        |name: &str| env.iter().find(|(k, _)| k.as_bytes() == name.as_bytes()).map(|(_, v)| PathBuf::from(v));
    let cargo_home = var("CARGO_HOME").or_else(|| var("HOME").map(|h| h.join(".cargo")));
    let watched = watched(&cwd.join("target"), cargo_home.as_deref());
    if watched.unbounded {
        // A build script cargo reruns when any file of its (editable) package changes: cargo
        // decides at every cell.
        field(uuid::Uuid::new_v4().as_bytes());
    }
    for (k, v) in &env {
        if k.as_bytes() != KEY_ENV.as_bytes() && (cargo_reads(k.as_bytes()) || watched.env.contains(*k)) {
            field(k.as_bytes());
            field(v.as_bytes());
        }
    }
    for name in ["Cargo.toml", "Cargo.lock"] {
        field(name.as_bytes());
        field(&std::fs::read(cwd.join(name)).unwrap_or_default());
    }
    // Cargo's configuration: in the directory and every one above it (the store's kernels/
    // holds the shared one), and in CARGO_HOME.
    let config_dirs = cwd.ancestors().map(|d| d.join(".cargo")).chain(cargo_home.clone());
    for dir in config_dirs {
        for name in ["config", "config.toml"] {
            let file = dir.join(name);
            field(file.as_os_str().as_bytes());
            field(&std::fs::read(&file).unwrap_or_default());
        }
    }
    // The compiler itself (a toolchain updated in place).
    if let Some(rustc) = var("RUSTC") {
        stamp(&mut field, &rustc);
    }
    for file in &watched.files {
        stamp(&mut field, file);
    }
    hex::encode(h.finalize())
}

/// Variables cargo itself, rustc, rustup, the linker search and evcxr's wrapper read.
fn cargo_reads(name: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 7] =
        [b"CARGO", b"__CARGO", b"RUSTC", b"RUSTFLAGS", b"RUSTDOC", b"RUSTUP", b"EVCXR_"];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || [&b"PATH"[..], b"HOME", b"LD_LIBRARY_PATH"].contains(&name)
}

/// The environment the replayed wrapper runs in: `now` (the launcher's environment at this
/// cell), with every variable cargo added or changed at the recording (`recorded` against
/// `launch`) as it was then, and those cargo removed left out.
///
/// ```
/// use std::ffi::OsString;
/// use torchbook_kernel::execution::cell_build::replay_env;
/// let v = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect::<Vec<_>>();
/// let launch = v(&[("JPY_SESSION_NAME", "a.ipynb"), ("LD_LIBRARY_PATH", "/torch")]);
/// let recorded = v(&[("JPY_SESSION_NAME", "a.ipynb"), ("LD_LIBRARY_PATH", "/deps:/torch"), ("CARGO_PKG_NAME", "ctx")]);
/// let now = v(&[("JPY_SESSION_NAME", "b.ipynb"), ("LD_LIBRARY_PATH", "/torch")]);
/// assert_eq!(replay_env(&recorded, &launch, &now),
///            v(&[("CARGO_PKG_NAME", "ctx"), ("JPY_SESSION_NAME", "b.ipynb"), ("LD_LIBRARY_PATH", "/deps:/torch")]));
/// ```
pub fn replay_env(
    recorded: &[(OsString, OsString)],
    launch: &[(OsString, OsString)],
    now: &[(OsString, OsString)],
) -> Vec<(OsString, OsString)> {
    let then: BTreeMap<&OsString, &OsString> = launch.iter().map(|(k, v)| (k, v)).collect();
    let recorded_map: BTreeMap<&OsString, &OsString> = recorded.iter().map(|(k, v)| (k, v)).collect();
    let mut out: BTreeMap<OsString, OsString> = now.iter().cloned().collect();
    for (k, v) in recorded {
        if then.get(k) != Some(&v) {
            out.insert(k.clone(), v.clone());
        }
    }
    for k in then.keys() {
        if !recorded_map.contains_key(*k) {
            out.remove(*k);
        }
    }
    out.into_iter().collect()
}

/// Feeds a file's path, size and modification time (or its absence) to `field`.
fn stamp(field: &mut impl FnMut(&[u8]), path: &Path) {
    field(path.as_os_str().as_bytes());
    match std::fs::metadata(path) {
        Ok(m) => {
            field(&m.len().to_le_bytes());
            field(&m.mtime().to_le_bytes());
            field(&m.mtime_nsec().to_le_bytes());
        }
        Err(_) => field(b"missing"),
    }
}

/// What cargo compares against the dependencies' artifacts.
#[derive(Debug, Default)]
struct Watched {
    /// Their dep-info files and every source file those list, the build scripts' outputs and
    /// the files those name (`rerun-if-changed`), and the manifests of the packages that are
    /// not in cargo's registry or git checkouts (path dependencies, their workspaces), sorted
    /// (the cell crate's own left out).
    files: Vec<PathBuf>,
    /// Variables their dep-info tracks (`# env-dep:NAME`) and their build scripts watch
    /// (`rerun-if-env-changed=NAME`).
    env: std::collections::BTreeSet<OsString>,
    /// A build script of an editable package named no file to watch: cargo reruns it when any
    /// file of the package changes, which is not worth listing at every cell.
    unbounded: bool,
}

/// A dep-info file's listed files and `# env-dep:` variables.
fn read_dep_info(text: &str) -> (Vec<PathBuf>, Vec<OsString>) {
    let mut files = Vec::new();
    let mut env = Vec::new();
    for line in text.lines() {
        if let Some(var) = line.strip_prefix("# env-dep:") {
            env.push(OsString::from(var.split('=').next().unwrap_or(var)));
            continue;
        }
        // `target: dep dep ...`; escaped spaces in paths are kept joined.
        let Some((_, deps)) = line.split_once(": ") else { continue };
        let mut current = String::new();
        for part in deps.split(' ') {
            if let Some(stripped) = part.strip_suffix('\\') {
                current.push_str(stripped);
                current.push(' ');
                continue;
            }
            current.push_str(part);
            if !current.is_empty() {
                files.push(PathBuf::from(std::mem::take(&mut current)));
            }
        }
    }
    (files, env)
}

/// `target/.../build/<package>-<hash>` -> `<package>`.
fn build_dir_package(dir: &Path) -> Option<String> {
    let name = dir.file_name()?.to_str()?;
    Some(name.rsplit_once('-')?.0.to_owned())
}

/// The nearest directory above `file` that holds a `Cargo.toml`.
fn package_root(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).find(|d| d.join("Cargo.toml").is_file()).map(Path::to_path_buf)
}

/// Adds `path` to `files`, and every file below it when it is a directory (cargo checks a
/// `rerun-if-changed` directory's whole tree), at most `LIMIT` entries.
fn add_tree(files: &mut std::collections::BTreeSet<PathBuf>, path: PathBuf) {
    const LIMIT: usize = 10_000;
    let mut stack = vec![path];
    let mut seen = 0;
    while let Some(p) = stack.pop() {
        seen += 1;
        if seen > LIMIT {
            break;
        }
        if let Ok(entries) = std::fs::read_dir(&p) {
            stack.extend(entries.flatten().map(|e| e.path()));
        }
        files.insert(p);
    }
}

fn watched(target: &Path, cargo_home: Option<&Path>) -> Watched {
    // Packages cargo never lets change: the registry's sources and git checkouts.
    let immutable: Vec<PathBuf> =
        cargo_home.map(|h| vec![h.join("registry"), h.join("git")]).unwrap_or_default();
    let editable = |p: &Path| !immutable.iter().any(|i| p.starts_with(i));
    let mut dep_infos = Vec::new();
    // Build scripts' own dep-info (what each was compiled from), in `build/<package>-<hash>/`.
    let mut script_infos = Vec::new();
    let mut outputs = Vec::new();
    for profile_dir in [target.join("debug"), target.join(host_triple_dir(target)).join("debug")] {
        if let Ok(entries) = std::fs::read_dir(profile_dir.join("deps")) {
            // The cell crate's own dep-info names the cell's source, which every cell changes.
            dep_infos.extend(entries.flatten().map(|e| e.path()).filter(|p| {
                p.extension().is_some_and(|x| x == "d")
                    && p.file_stem().is_some_and(|s| s != CELL_CRATE && !s.as_bytes().starts_with(b"ctx-"))
            }));
        }
        for dir in std::fs::read_dir(profile_dir.join("build")).into_iter().flatten().flatten() {
            let dir = dir.path();
            let output = dir.join("output");
            if output.exists() {
                outputs.push(output);
            }
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if e.path().extension().is_some_and(|x| x == "d") {
                    script_infos.push(e.path());
                }
            }
        }
    }
    let mut files = std::collections::BTreeSet::new();
    let mut env = std::collections::BTreeSet::new();
    // Package name -> its root, from its build script's dep-info (the script is listed first).
    let mut roots: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (d, is_script) in dep_infos.iter().map(|d| (d, false)).chain(script_infos.iter().map(|d| (d, true))) {
        if let Ok(text) = std::fs::read_to_string(d) {
            let (listed, vars) = read_dep_info(&text);
            if is_script {
                let root = listed.first().and_then(|f| package_root(f));
                if let (Some(package), Some(root)) = (d.parent().and_then(build_dir_package), root) {
                    roots.insert(package, root);
                }
            }
            files.extend(listed);
            env.extend(vars);
        }
        files.insert(d.clone());
    }
    // The manifests of editable packages and of the workspaces above them.
    let mut visited = std::collections::BTreeSet::new();
    let sources: Vec<PathBuf> = files.iter().filter(|f| editable(f)).cloned().collect();
    for source in sources {
        for dir in source.ancestors().skip(1) {
            if !visited.insert(dir.to_path_buf()) {
                break;
            }
            let manifest = dir.join("Cargo.toml");
            if manifest.is_file() {
                files.insert(manifest);
            }
        }
    }
    let mut unbounded = false;
    for output in &outputs {
        let Ok(text) = std::fs::read_to_string(output) else { continue };
        let root = output.parent().and_then(build_dir_package).and_then(|p| roots.get(&p).cloned());
        let mut named_a_file = false;
        for line in text.lines() {
            let Some(rule) = line.strip_prefix("cargo::").or(line.strip_prefix("cargo:")) else { continue };
            if let Some(var) = rule.strip_prefix("rerun-if-env-changed=") {
                env.insert(OsString::from(var.trim()));
            } else if let Some(path) = rule.strip_prefix("rerun-if-changed=") {
                named_a_file = true;
                let path = Path::new(path.trim());
                match &root {
                    _ if path.is_absolute() => add_tree(&mut files, path.to_path_buf()),
                    Some(root) => add_tree(&mut files, root.join(path)),
                    None => unbounded = true,
                }
            }
        }
        if !named_a_file && root.as_deref().is_none_or(editable) {
            unbounded = true;
        }
    }
    files.extend(outputs);
    Watched { files: files.into_iter().collect(), env, unbounded }
}

/// The one directory of `target` named like a target triple (evcxr builds with `--target`).
fn host_triple_dir(target: &Path) -> PathBuf {
    std::fs::read_dir(target)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.is_dir()
                && p.file_name().is_some_and(|n| n.as_bytes().iter().filter(|&&b| b == b'-').count() >= 2)
        })
        .unwrap_or_else(|| target.join("debug-none"))
}

/// In the rustc wrapper, for the cell crate: writes the [`Recipe`] when cargo passed a key.
pub fn record_recipe(rustc: &str, rest: &[String]) {
    let Some(key) = std::env::var_os(KEY_ENV) else { return };
    let Ok(program) = std::env::current_exe() else { return };
    let env = std::env::vars_os()
        .filter(|(k, _)| {
            k.as_bytes() != KEY_ENV.as_bytes() && !JOBSERVER_ENV.iter().any(|j| k.as_bytes() == j.as_bytes())
        })
        .collect();
    let key = key.to_string_lossy().into_owned();
    let Some(launch) = std::fs::read(LAUNCH_FILE)
        .ok()
        .and_then(|b| serde_json::from_slice::<Launch>(&b).ok())
        .filter(|l| l.key == key)
    else {
        return;
    };
    let recipe = Recipe {
        key,
        program,
        args: std::iter::once(rustc.into()).chain(rest.iter().map(OsString::from)).collect(),
        env,
        launch_env: launch.env,
    };
    if let Ok(json) = serde_json::to_vec(&recipe) {
        use std::io::Write;
        let _ = crate::private::create_file(Path::new(RECIPE_FILE)).and_then(|mut f| f.write_all(&json));
    }
}

/// Runs first in `main`: when this process is evcxr's `mold -run CARGO ARGS...`, builds the
/// cell directly or runs cargo, and exits with the build's status. Returns otherwise.
pub fn intercept_cargo_launch() {
    let mut args = std::env::args_os();
    let Some(argv0) = args.next() else { return };
    if Path::new(&argv0).file_name().is_none_or(|n| n != LAUNCHER_NAME) {
        return;
    }
    let rest: Vec<OsString> = args.collect();
    if rest.first().is_none_or(|a| a != "-run") || rest.len() < 2 {
        eprintln!("torchbook: this `mold` only launches evcxr's cargo builds (mold -run cargo ...); no mold is installed");
        std::process::exit(2);
    }
    let cargo = &rest[1];
    let cargo_args = &rest[2..];
    let cwd = std::env::current_dir().unwrap_or_default();
    if cargo_subcommand(cargo_args).is_some_and(|a| a == "metadata") && is_dep_validation(&cwd) {
        std::process::exit(validate_keeping_lock(cargo, cargo_args, &cwd));
    }
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let key = recipe_key(&cwd, cargo_args, &env);
    let is_build = cargo_subcommand(cargo_args).is_some_and(|a| a == "build");
    if is_build {
        if let Some(recipe) = read_recipe(&cwd).filter(|r| r.key == key) {
            log_build(&cwd, "direct");
            let status = std::process::Command::new(&recipe.program)
                .args(&recipe.args)
                .env_clear()
                .envs(replay_env(&recipe.env, &recipe.launch_env, &env))
                .status();
            let code = status.ok().and_then(|s| s.code()).unwrap_or(101);
            if code != 0 {
                // Most often the cell's own error; but if a dependency's artifact went missing
                // (a cleaned target), only cargo can repair it: the next cell runs cargo.
                let _ = std::fs::remove_file(cwd.join(RECIPE_FILE));
            }
            std::process::exit(code);
        }
        log_build(&cwd, "cargo");
    }
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(cargo);
    command.args(cargo_args);
    if is_build {
        // Only a build's rustc command is a recipe (a `cargo check` emits metadata only).
        let launch = Launch { key: key.clone(), env };
        if let Ok(json) = serde_json::to_vec(&launch) {
            use std::io::Write;
            let _ = crate::private::create_file(&cwd.join(LAUNCH_FILE)).and_then(|mut f| f.write_all(&json));
        }
        command.env(KEY_ENV, &key);
    }
    let error = command.exec();
    eprintln!("torchbook: could not run {}: {error}", Path::new(cargo).display());
    std::process::exit(101);
}

/// The package name evcxr writes into the cell crate's `Cargo.toml` to check a `:dep`.
const VALIDATION_PACKAGE: &str = "evcxr_dummy_validate_dep";

/// Whether `cwd/Cargo.toml` is evcxr's stand-in manifest that checks a `:dep` line.
fn is_dep_validation(cwd: &Path) -> bool {
    std::fs::read_to_string(cwd.join("Cargo.toml")).is_ok_and(|manifest| {
        manifest.lines().any(|l| l.trim() == format!("name = \"{VALIDATION_PACKAGE}\""))
    })
}

/// Runs evcxr's check of a `:dep` (`cargo metadata` on a manifest holding only the new
/// dependency, written over the cell crate's) and puts the crate's `Cargo.lock` back after it.
///
/// cargo rewrote the lock for that one-dependency manifest, dropping every other package; the
/// build that follows then resolved tch's whole tree afresh, to the newest versions the
/// registry offers. On a machine whose registry index was newer than the template's lock every
/// `:dep` rebuilt tch and its dependencies (a minute, and a second copy of tch). With the lock
/// kept, the build adds the new crate and every other package stays at the template's version.
/// Returns cargo's exit code.
pub fn validate_keeping_lock(cargo: &OsString, cargo_args: &[OsString], cwd: &Path) -> i32 {
    let lock = cwd.join("Cargo.lock");
    let saved = cwd.join(format!("Cargo.lock.torchbook-{}", std::process::id()));
    let had_lock = std::fs::copy(&lock, &saved).is_ok();
    let status = std::process::Command::new(cargo).args(cargo_args).current_dir(cwd).status();
    if had_lock {
        if let Err(e) = std::fs::rename(&saved, &lock) {
            eprintln!("torchbook: could not restore {} after checking a :dep: {e}", lock.display());
        }
    }
    match status {
        Ok(status) => status.code().unwrap_or(101),
        Err(e) => {
            eprintln!("torchbook: could not run {}: {e}", Path::new(cargo).display());
            101
        }
    }
}

/// cargo's subcommand: the first argument that is not an option (evcxr puts `--offline` first
/// under `:offline 1`).
///
/// ```
/// use torchbook_kernel::execution::cell_build::cargo_subcommand;
/// let args = |s: &str| s.split(' ').map(std::ffi::OsString::from).collect::<Vec<_>>();
/// assert_eq!(cargo_subcommand(&args("build --target x")).unwrap(), "build");
/// assert_eq!(cargo_subcommand(&args("--offline build --target x")).unwrap(), "build");
/// assert_eq!(cargo_subcommand(&args("--offline check")).unwrap(), "check");
/// ```
pub fn cargo_subcommand(cargo_args: &[OsString]) -> Option<&OsString> {
    cargo_args.iter().find(|a| !a.as_bytes().starts_with(b"-"))
}

fn read_recipe(cwd: &Path) -> Option<Recipe> {
    serde_json::from_slice(&std::fs::read(cwd.join(RECIPE_FILE)).ok()?).ok()
}

fn log_build(cwd: &Path, how: &str) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(cwd.join(BUILD_LOG)) {
        let _ = writeln!(f, "{how}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tb-cell-build-{name}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("target/x86_64-unknown-linux-gnu/debug/deps")).unwrap();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ctx\"\n").unwrap();
        dir
    }

    #[test]
    fn checking_a_dep_leaves_the_crates_lock_as_it_was() {
        let dir = crate_dir("validate");
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("\n    [package]\n    name = \"{VALIDATION_PACKAGE}\"\n"),
        )
        .unwrap();
        assert!(is_dep_validation(&dir));
        std::fs::write(dir.join("Cargo.lock"), "the template's versions\n").unwrap();
        // A stand-in for cargo that rewrites the lock as `cargo metadata` did, and fails.
        let fake = dir.join("fake-cargo");
        std::fs::write(&fake, "#!/bin/sh\necho pruned > Cargo.lock\nexit 3\n").unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let code = validate_keeping_lock(&fake.into_os_string(), &[OsString::from("metadata")], &dir);
        assert_eq!(code, 3, "cargo's exit code is passed on");
        assert_eq!(std::fs::read_to_string(dir.join("Cargo.lock")).unwrap(), "the template's versions\n");
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ctx\"\n").unwrap();
        assert!(!is_dep_validation(&dir), "the cell crate's own manifest is not a check");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_key_changes_with_what_cargo_watches_and_only_with_that() {
        let dir = crate_dir("key");
        let dep_src = dir.join("dep.rs");
        std::fs::write(&dep_src, "pub fn f() {}\n").unwrap();
        let dep_info = dir.join("target/x86_64-unknown-linux-gnu/debug/deps/dep-1.d");
        std::fs::write(&dep_info, format!("/x/libdep-1.rlib: {}\n", dep_src.display())).unwrap();
        let args: Vec<OsString> = vec!["build".into(), "--message-format=json".into()];
        let env: Vec<(OsString, OsString)> = vec![("RUSTFLAGS".into(), "-Cprefer-dynamic".into())];
        let key = recipe_key(&dir, &args, &env);

        // The cell's own source is not part of it: a new cell replays.
        std::fs::write(dir.join("src/lib.rs"), "fn cell() {}\n").unwrap();
        assert_eq!(key, recipe_key(&dir, &args, &env));
        // The key variable itself is not part of it.
        let mut with_key = env.clone();
        with_key.push((KEY_ENV.into(), "abc".into()));
        assert_eq!(key, recipe_key(&dir, &args, &with_key));

        // A variable neither cargo nor a dependency reads (a standby took over its notebook's).
        let mut notebook = env.clone();
        notebook.push(("JPY_SESSION_NAME".into(), "b.ipynb".into()));
        assert_eq!(key, recipe_key(&dir, &args, &notebook));
        // One a dependency's build script watches does.
        let output_dir = dir.join("target/x86_64-unknown-linux-gnu/debug/build/torch-sys-1");
        std::fs::create_dir_all(&output_dir).unwrap();
        std::fs::write(output_dir.join("output"), "cargo:rerun-if-env-changed=LIBTORCH\n").unwrap();
        let key = recipe_key(&dir, &args, &env);
        let mut libtorch = env.clone();
        libtorch.push(("LIBTORCH".into(), "/opt/libtorch".into()));
        assert_ne!(key, recipe_key(&dir, &args, &libtorch));

        // A dependency's source edited (an edited prelude): cargo would rebuild it.
        std::fs::write(&dep_src, "pub fn f() { let _ = 1; }\n").unwrap();
        let edited = recipe_key(&dir, &args, &env);
        assert_ne!(key, edited);
        // Another environment, other arguments, another directory (a cloned template).
        assert_ne!(edited, recipe_key(&dir, &args, &[("RUSTFLAGS".into(), "-O".into())]));
        assert_ne!(edited, recipe_key(&dir, &["check".into()], &env));
        let other = crate_dir("other");
        assert_ne!(recipe_key(&other, &args, &env), recipe_key(&dir, &args, &env));
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(&other).unwrap();
    }

    #[test]
    fn build_script_inputs_configs_and_path_manifests_are_in_the_key() {
        // A kernel directory below the store's `kernels/`, whose cargo configuration it shares.
        let base = crate_dir("scripts");
        let dir = base.join("kernels/k");
        std::fs::create_dir_all(dir.join("target/x86_64-unknown-linux-gnu/debug/deps")).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ctx\"\n").unwrap();
        let args: Vec<OsString> = vec!["build".into()];
        let home = dir.join("home");
        let env: Vec<(OsString, OsString)> = vec![("CARGO_HOME".into(), home.clone().into())];
        // A path dependency `mylib` with a build script compiling native.c.
        let lib = dir.join("work/mylib");
        std::fs::create_dir_all(lib.join("src")).unwrap();
        std::fs::write(dir.join("work/Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(lib.join("Cargo.toml"), "[package]\nname = \"mylib\"\n").unwrap();
        for f in ["build.rs", "native.c", "src/lib.rs"] {
            std::fs::write(lib.join(f), "//\n").unwrap();
        }
        let debug = dir.join("target/x86_64-unknown-linux-gnu/debug");
        std::fs::write(
            debug.join("deps/mylib-1.d"),
            format!("/o/libmylib.so: {}\n", lib.join("src/lib.rs").display()),
        )
        .unwrap();
        let script = dir.join("target/debug/build/mylib-2");
        std::fs::create_dir_all(&script).unwrap();
        std::fs::write(
            script.join("build_script_build-2.d"),
            format!("/o/build: {}\n", lib.join("build.rs").display()),
        )
        .unwrap();
        let run = debug.join("build/mylib-3");
        std::fs::create_dir_all(&run).unwrap();
        std::fs::write(run.join("output"), "cargo:rerun-if-changed=native.c\ncargo:rustc-link-lib=mylib\n")
            .unwrap();
        let key = recipe_key(&dir, &args, &env);
        assert_eq!(key, recipe_key(&dir, &args, &env));
        let touch = |f: &Path| {
            let text = std::fs::read(f).unwrap_or_default();
            std::fs::write(f, [text, b"\n".to_vec()].concat()).unwrap();
        };
        // What cargo would rerun the build script for, or rebuild the package for.
        let mut last = key;
        for edited in [
            lib.join("native.c"),
            lib.join("build.rs"),
            lib.join("Cargo.toml"),
            dir.join("work/Cargo.toml"),
            base.join("kernels/.cargo/config.toml"),
            home.join("config.toml"),
        ] {
            std::fs::create_dir_all(edited.parent().unwrap()).unwrap();
            touch(&edited);
            let now = recipe_key(&dir, &args, &env);
            assert_ne!(last, now, "{} edited", edited.display());
            last = now;
        }
        // A build script of an editable package that names no file: cargo decides every time.
        std::fs::write(run.join("output"), "cargo:rustc-link-lib=mylib\n").unwrap();
        assert_ne!(recipe_key(&dir, &args, &env), recipe_key(&dir, &args, &env));
        // The same in a registry package (it never changes): the key holds.
        let registry = home.join("registry/src/index/mylib-1.0.0");
        std::fs::create_dir_all(&registry).unwrap();
        std::fs::write(registry.join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(registry.join("build.rs"), "//\n").unwrap();
        std::fs::write(
            script.join("build_script_build-2.d"),
            format!("/o/build: {}\n", registry.join("build.rs").display()),
        )
        .unwrap();
        assert_eq!(recipe_key(&dir, &args, &env), recipe_key(&dir, &args, &env));
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn dep_info_paths_with_escaped_spaces_are_read_whole() {
        let dir = crate_dir("spaces");
        let info = dir.join("target/x86_64-unknown-linux-gnu/debug/deps/a-1.d");
        std::fs::write(&info, "/o/liba.rlib: /src/my\\ crate/lib.rs /src/b.rs\n\n/src/b.rs:\n\n# env-dep:TORCHBOOK_TORCH_VERSION\n# env-dep:OUT_DIR=/o\n").unwrap();
        let found = watched(&dir.join("target"), None);
        assert!(
            found.env.contains(&OsString::from("TORCHBOOK_TORCH_VERSION"))
                && found.env.contains(&OsString::from("OUT_DIR"))
        );
        let files = found.files;
        assert!(files.contains(&PathBuf::from("/src/my crate/lib.rs")), "{files:?}");
        assert!(files.contains(&PathBuf::from("/src/b.rs")));
        assert!(files.contains(&info));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_recipe_round_trips_through_its_file() {
        let recipe = Recipe {
            key: "k".into(),
            program: "/bin/kernel".into(),
            args: vec!["rustc".into(), "--crate-name".into(), "ctx".into()],
            env: vec![("A".into(), "1".into())],
            launch_env: vec![],
        };
        let back: Recipe = serde_json::from_slice(&serde_json::to_vec(&recipe).unwrap()).unwrap();
        assert_eq!(back, recipe);
    }
}
