//! `torchbook-kernel`: the Jupyter kernel binary.
//!
//! ```text
//! torchbook-kernel run --connection-file FILE      # what Jupyter starts
//! torchbook-kernel standby [--spawn | --stop]     # a kernel started ahead of time (standby.rs)
//! torchbook-kernel warm [--libtch FILE --torch-lib DIR]   # build the store's template (install.sh)
//! torchbook-kernel install --prefix DIR [--env KEY=VALUE]...   # write the kernelspec
//! torchbook-kernel export NOTEBOOK --crate DIR [--prelude DIR]   # a notebook as a crate
//! ```
//! The command line is parsed by clap: `--help` and `--version` for the binary and every
//! subcommand, usage errors name the argument and exit 2. The store and the prelude are found
//! through `TORCHBOOK_STORE` and `TORCHBOOK_PRELUDE`.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use torchbook_kernel::execution::session::SessionOptions;
use torchbook_kernel::execution::store::Store;
use torchbook_kernel::protocol::connection::ConnectionInfo;
use torchbook_kernel::standby::Pool;

/// Jupyter kernel for Rust, with the Torchbook deep-learning prelude (tch, libtorch) preloaded.
///
/// The store and the prelude are found through TORCHBOOK_STORE and TORCHBOOK_PRELUDE, which
/// the kernelspec that install.sh registers sets.
#[derive(Debug, Parser)]
#[command(name = "torchbook-kernel", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve one Jupyter front end (what Jupyter starts, through the kernelspec).
    Run {
        /// The connection file Jupyter wrote (ports, key, signature scheme).
        #[arg(long, value_name = "FILE")]
        connection_file: PathBuf,
    },
    /// A kernel started ahead of time, which a starting kernel claims (no flag: serve as one).
    Standby {
        /// Start standby kernels until the pool is full, then return.
        #[arg(long, conflicts_with = "stop")]
        spawn: bool,
        /// Stop every standby kernel of this store.
        #[arg(long)]
        stop: bool,
    },
    /// Build the store's template, so kernels start without building tch (install.sh runs it).
    Warm {
        /// torch-sys's static C++ wrapper (libtch.a) from the workspace's build.
        #[arg(long, value_name = "FILE", requires = "torch_lib")]
        libtch: Option<PathBuf>,
        /// libtorch's lib directory (inside the torch Python package).
        #[arg(long, value_name = "DIR", requires = "libtch")]
        torch_lib: Option<PathBuf>,
    },
    /// Write the kernelspec "torchbook" under PREFIX/share/jupyter/kernels.
    Install {
        /// Where Jupyter looks for kernelspecs (a virtual environment, /usr/local, ~/.local).
        #[arg(long, value_name = "DIR")]
        prefix: PathBuf,
        /// A variable the kernel is started with (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE", value_parser = key_value)]
        env: Vec<(String, String)>,
    },
    /// Turn a notebook into a Cargo crate whose `main` runs its cells in order.
    Export {
        /// The notebook to export.
        notebook: PathBuf,
        /// The crate's directory (created).
        #[arg(long = "crate", value_name = "DIR")]
        crate_dir: PathBuf,
        /// The prelude crate to depend on (default: TORCHBOOK_PRELUDE, else the prelude of the
        /// installation this binary belongs to).
        #[arg(long, value_name = "DIR")]
        prelude: Option<PathBuf>,
    },
}

/// `KEY=VALUE` of `install --env`.
fn key_value(text: &str) -> std::result::Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("'{text}' is not KEY=VALUE")),
    }
}

fn session_options() -> Result<SessionOptions> {
    let prelude_dir = match std::env::var_os("TORCHBOOK_PRELUDE") {
        Some(p) => PathBuf::from(p),
        None => bail!("TORCHBOOK_PRELUDE is not set: it must name the prelude/ directory of the Torchbook checkout (install.sh writes it into the kernelspec)"),
    };
    if !prelude_dir.join("Cargo.toml").exists() {
        bail!("TORCHBOOK_PRELUDE={} has no Cargo.toml", prelude_dir.display());
    }
    Ok(SessionOptions { store: Store::from_env(), prelude_dir })
}

/// The prelude `export` depends on: `--prelude`, else `TORCHBOOK_PRELUDE`, else the one the
/// kernelspec beside this binary names (`.venv/bin/torchbook-kernel` and
/// `.venv/share/jupyter/kernels/torchbook/kernel.json`), else the checkout this binary was
/// built from.
fn export_prelude(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = given {
        if !dir.join("Cargo.toml").exists() {
            bail!("--prelude {} has no Cargo.toml (it must name the prelude/ directory of a Torchbook checkout)", dir.display());
        }
        return Ok(dir);
    }
    if std::env::var_os("TORCHBOOK_PRELUDE").is_some() {
        return Ok(session_options()?.prelude_dir);
    }
    let exe = std::env::current_exe()?.canonicalize()?;
    let spec =
        exe.parent().and_then(Path::parent).map(|p| p.join("share/jupyter/kernels/torchbook/kernel.json"));
    let from_spec = spec.as_deref().and_then(|spec| {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(spec).ok()?).ok()?;
        json["env"]["TORCHBOOK_PRELUDE"].as_str().map(PathBuf::from)
    });
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../prelude");
    [from_spec, Some(built_from)]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("Cargo.toml").exists())
        .with_context(|| {
            format!(
                "no prelude found for {}: pass --prelude DIR (the prelude/ directory of the Torchbook checkout) or set TORCHBOOK_PRELUDE",
                exe.display()
            )
        })
}

fn main() {
    // Errors end in one line naming what went wrong (never a backtrace, whatever
    // RUST_BACKTRACE says), exit status 1; usage errors are clap's (exit 2).
    if let Err(e) = real_main() {
        eprintln!("torchbook-kernel: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    // The same binary is evcxr's execution process and its rustc wrapper; this returns at once
    // when it is neither.
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
        // Until the prelude installs its handler, an interrupt must not end the process.
        // SAFETY: setting a signal disposition before any other thread exists.
        unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
    }
    // evcxr's cargo command (through its `mold` launch; cell_build.rs) carries the wrapper's
    // variables too, so it is recognised first.
    torchbook_kernel::execution::cell_linker::intercept();
    torchbook_kernel::execution::cell_build::intercept_cargo_launch();
    torchbook_kernel::execution::rustc_wrapper::intercept();
    torchbook_kernel::execution::cell_process::serve_if_execution_process();
    evcxr::runtime_hook();
    // Past this point this is the kernel process (or a command line tool): one malloc arena
    // for rust-analyzer's analysis instead of one per thread (memory.rs).
    torchbook_kernel::memory::use_one_arena();

    // What the machine and the user's cgroup grant (a hub's memory limit and CPU quota):
    // libtorch's threads follow the quota, and doctor() says how many standbys fit and why.
    let resources = torchbook_kernel::resources::Resources::read();
    // SAFETY: no other thread exists yet.
    unsafe { torchbook_kernel::resources::apply_cpu_quota(&resources) };
    if let Ok(size) = torchbook_kernel::standby::size_from_env() {
        // Before its own session is up: what this kernel will hold is not free for standbys.
        let own = torchbook_kernel::resources::STANDBY_BYTES;
        let (_, why) = torchbook_kernel::resources::standby_plan_after(size, &resources, own);
        std::env::set_var(torchbook_contract::env::STANDBY_PLAN, why);
    }
    torchbook_kernel::standby::remember_environment();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print and exit 0; usage errors name the argument and exit 2,
        // with no backtrace.
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Run { connection_file } => {
            let connection = ConnectionInfo::from_file(&connection_file)?;
            // Jupyter front ends interrupt through control; Ctrl-C in the terminal that started
            // Jupyter must not kill the kernel.
            // SAFETY: no other thread exists yet.
            unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
            let options = session_options()?;
            // A kernel whose client died (kill -9 of jupyter console, a closed terminal) exits,
            // as ipykernel does; a standby serving it sees this process go and exits too.
            if let Some(client) = torchbook_kernel::parent_watch::client_pid() {
                torchbook_kernel::parent_watch::watch(client, move || {
                    eprintln!("torchbook: the Jupyter client (pid {client}) is gone; exiting");
                    std::process::exit(0);
                });
            }
            let pool = Pool::new(&options).unwrap_or_else(|e| {
                eprintln!("torchbook: {e:#}; starting without standby kernels");
                Pool::with_size(&options, 0)
            });
            let spare = pool.clone();
            let replenish = move || {
                if let Err(e) = spare.replenish() {
                    eprintln!("torchbook: could not start standby kernels: {e:#}");
                }
            };
            // Waiting for a standby that is still warming beats starting a session of our own.
            let patience = torchbook_kernel::standby::patience(&options.store);
            match pool.claim_or_wait(&connection_file, patience) {
                Some(standby) => {
                    replenish();
                    eprintln!(
                        "torchbook: served by standby kernel {} (log: {}/{}.log)",
                        standby.pid,
                        pool.dir().display(),
                        standby.pid
                    );
                    standby.wait();
                    Ok(())
                }
                None => torchbook_kernel::server::run(connection, options, replenish),
            }
        }
        Command::Standby { spawn, stop } => {
            // SAFETY: no other thread exists yet.
            unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
            let options = session_options()?;
            if stop {
                let n = Pool::stop_all(&options.store);
                println!("stopped {n} standby kernel(s)");
                Ok(())
            } else if spawn {
                Pool::new(&options)?.replenish()
            } else {
                torchbook_kernel::standby::serve(options)
            }
        }
        Command::Export { notebook, crate_dir, prelude } => {
            let prelude = export_prelude(prelude)?;
            let manifest = torchbook_kernel::export::write_crate(&notebook, &crate_dir, &prelude)?;
            println!("wrote {}", manifest.display());
            Ok(())
        }
        Command::Warm { libtch, torch_lib } => {
            let native = match (libtch, torch_lib) {
                (Some(libtch), Some(torch_lib)) => {
                    Some(torchbook_kernel::warm::NativeLibs { libtch, torch_lib })
                }
                _ => None,
            };
            torchbook_kernel::warm::warm(&session_options()?, native.as_ref())
        }
        Command::Install { prefix, env } => {
            let env: BTreeMap<String, String> = env.into_iter().collect();
            let exe = std::env::current_exe()?.canonicalize()?;
            let dir = torchbook_kernel::install::install(&prefix, &exe, env)?;
            println!("installed kernelspec torchbook in {}", dir.display());
            Ok(())
        }
    }
}
