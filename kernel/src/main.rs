//! `torchbook-kernel`: the Jupyter kernel binary.
//!
//! ```text
//! torchbook-kernel run --connection-file FILE      # what Jupyter starts
//! torchbook-kernel standby [--spawn | --stop]     # a kernel started ahead of time (standby.rs)
//! torchbook-kernel warm [--libtch FILE --torch-lib DIR]   # build the store's template (install.sh)
//! torchbook-kernel install --prefix DIR [--env KEY=VALUE]...   # write the kernelspec
//! ```
//! The store and the prelude are found through `TORCHBOOK_STORE` and `TORCHBOOK_PRELUDE`.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use torchbook_kernel::execution::session::SessionOptions;
use torchbook_kernel::execution::store::Store;
use torchbook_kernel::protocol::connection::ConnectionInfo;
use torchbook_kernel::standby::Pool;

const USAGE: &str = "usage: torchbook-kernel run --connection-file FILE\n       \
torchbook-kernel standby [--spawn | --stop]\n       \
torchbook-kernel warm [--libtch FILE --torch-lib DIR]\n       \
torchbook-kernel install --prefix DIR [--env KEY=VALUE]...\n       \
torchbook-kernel export NOTEBOOK.ipynb --crate DIR [--prelude DIR]";

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

/// Value of `--name VALUE` in `args`.
fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() -> Result<()> {
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => {
            let file = flag(&args, "--connection-file").context("run needs --connection-file FILE")?;
            let connection = ConnectionInfo::from_file(std::path::Path::new(&file))?;
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
            match pool.claim_or_wait(std::path::Path::new(&file), patience) {
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
        Some("standby") => {
            // SAFETY: no other thread exists yet.
            unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
            let options = session_options()?;
            match args.get(1).map(String::as_str) {
                None => torchbook_kernel::standby::serve(options),
                Some("--spawn") => Pool::new(&options)?.replenish(),
                Some("--stop") => {
                    let n = Pool::stop_all(&options.store);
                    println!("stopped {n} standby kernel(s)");
                    Ok(())
                }
                Some(other) => bail!("standby {other}: expected nothing, --spawn or --stop\n{USAGE}"),
            }
        }
        Some("export") => {
            let notebook = args.get(1).filter(|a| !a.starts_with("--")).context(USAGE)?;
            let dir = flag(&args, "--crate").with_context(|| format!("export needs --crate DIR\n{USAGE}"))?;
            let prelude = match flag(&args, "--prelude") {
                Some(p) => PathBuf::from(p),
                None => session_options()?.prelude_dir,
            };
            let manifest = torchbook_kernel::export::write_crate(
                std::path::Path::new(notebook),
                std::path::Path::new(&dir),
                &prelude,
            )?;
            println!("wrote {}", manifest.display());
            Ok(())
        }
        Some("warm") => {
            let native = match (flag(&args, "--libtch"), flag(&args, "--torch-lib")) {
                (Some(libtch), Some(torch_lib)) => Some(torchbook_kernel::warm::NativeLibs {
                    libtch: libtch.into(),
                    torch_lib: torch_lib.into(),
                }),
                (None, None) => None,
                _ => bail!("--libtch and --torch-lib go together"),
            };
            torchbook_kernel::warm::warm(&session_options()?, native.as_ref())
        }
        Some("install") => {
            let prefix = flag(&args, "--prefix").context("install needs --prefix DIR")?;
            let mut env = BTreeMap::new();
            for (i, a) in args.iter().enumerate() {
                if a == "--env" {
                    let kv = args.get(i + 1).context("--env needs KEY=VALUE")?;
                    let (k, v) =
                        kv.split_once('=').with_context(|| format!("--env {kv}: expected KEY=VALUE"))?;
                    env.insert(k.to_owned(), v.to_owned());
                }
            }
            let exe = std::env::current_exe()?.canonicalize()?;
            let dir = torchbook_kernel::install::install(std::path::Path::new(&prefix), &exe, env)?;
            println!("installed kernelspec torchbook in {}", dir.display());
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}
