//! One evcxr session with the Torchbook prelude loaded: start, run cells, analyse code.

use super::debug_style::{shown_by_reference, DebugStyle};
use super::store::Store;
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use torchbook_contract::frame::{decode, Frame};
use torchbook_contract::message::{FromPrelude, MimeBundle};

/// Environment variable that tells the prelude it runs inside the kernel.
pub const KERNEL_ENV: &str = torchbook_contract::env::KERNEL;

/// Lock file of the template, kept beside the cloned one: evcxr's first build (before the
/// prelude is added) prunes `Cargo.lock`, and restoring it keeps every dependency at the version
/// the template was built with.
pub const TEMPLATE_LOCK: &str = "torchbook-template.lock";

/// The kernel directory's folder holding the cargo launcher (`super::cell_build`).
pub const LAUNCHER_DIR: &str = ".torchbook-bin";

/// Options of an evcxr session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The store with the template and shared configuration.
    pub store: Store,
    /// Source directory of the prelude crate (`prelude/` of the repository).
    pub prelude_dir: PathBuf,
}

/// How long each step of a start took, for the log and the benchmarks.
#[derive(Debug, Clone, Default)]
pub struct StartTimings {
    /// Cloning the template.
    pub clone: Duration,
    /// evcxr's own start (its first build and child process).
    pub evcxr: Duration,
    /// Adding the prelude and running its `init`.
    pub prelude: Duration,
}

/// An evcxr `CommandContext` in a private directory, with the prelude loaded.
pub struct Session {
    ctx: evcxr::CommandContext,
    dir: PathBuf,
    prelude_dir: PathBuf,
    remove_dir_on_drop: bool,
    /// Held while the kernel lives: its directory is not stale (`Store::remove_stale_kernel_dirs`).
    _dir_lock: Option<std::fs::File>,
    process: Arc<Mutex<Child>>,
    last_pid: u32,
    /// `:fmt` / `:types` as last passed to the prelude.
    debug_style: DebugStyle,
    /// Lines the execution process writes to stdout (evcxr keeps their order with the cell end).
    pub stdout: crossbeam_channel::Receiver<String>,
    /// Lines the execution process writes to stderr.
    pub stderr: crossbeam_channel::Receiver<String>,
    /// Time spent starting.
    pub timings: StartTimings,
    /// The socket the execution process's widgets connect to (the kernel's comm link).
    comm_listener: Arc<crate::server::comms::CommListener>,
}

/// File in the store holding how long the last session start took, in seconds.
const LAST_START: &str = "last-session-start";

/// The cell that makes the prelude visible to every later cell.
pub fn preload_code(prelude_dir: &Path) -> String {
    format!(
        ":dep torchbook = {{ path = {path:?} }}\nuse torchbook::prelude::*;\ntorchbook::runtime::init();",
        path = prelude_dir.display().to_string()
    )
}

/// The cell that prepares a fresh execution process after a crash or a forced interrupt.
pub const REINIT_CODE: &str = "torchbook::runtime::init();";

/// Closes every widget of the execution process (after `:clear`).
const CLOSE_WIDGETS: &str = "torchbook::widgets::close_all();";

fn pid_of(process: &Arc<Mutex<Child>>) -> u32 {
    process.lock().map(|c| c.id()).unwrap_or(0)
}

impl Session {
    /// Starts a session in a new kernel directory cloned from the store's template.
    pub fn start(options: &SessionOptions) -> Result<Session> {
        let t = Instant::now();
        options.store.remove_stale_kernel_dirs();
        if !options.store.template_ready() {
            eprintln!(
                "torchbook: no prebuilt template in {}; this kernel builds the prelude and tch itself \
                 (minutes). Run ./install.sh to prebuild it once for every kernel.",
                options.store.template_dir().display()
            );
        }
        let (dir, lock) = options.store.new_kernel_dir()?;
        let clone = t.elapsed();
        let mut session = Session::start_in(options, dir, true)?;
        session._dir_lock = Some(lock);
        session.timings.clone = clone;
        // What the next cold start tells its user to expect.
        let _ = std::fs::write(
            options.store.root().join(LAST_START),
            format!("{:.1}\n", t.elapsed().as_secs_f64()),
        );
        Ok(session)
    }

    /// How long the last session start in `store` took, if one was recorded.
    pub fn last_start(store: &Store) -> Option<Duration> {
        let text = std::fs::read_to_string(store.root().join(LAST_START)).ok()?;
        text.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
    }

    /// Starts a session in `dir` (the template itself when warming the store).
    pub fn start_in(options: &SessionOptions, dir: PathBuf, remove_dir_on_drop: bool) -> Result<Session> {
        crate::private::create_dir(&options.store.evcxr_config_dir())?;
        let comm_listener = Arc::new(
            crate::server::comms::CommListener::bind(&dir)
                .with_context(|| format!("listening for widgets' comms in {}", dir.display()))?,
        );
        // SAFETY: called before any thread of this process reads the environment; evcxr reads
        // these variables while creating the context, and the execution process inherits them.
        unsafe {
            std::env::set_var("EVCXR_TMPDIR", &dir);
            std::env::set_var("EVCXR_CONFIG_DIR", options.store.evcxr_config_dir());
            std::env::set_var(KERNEL_ENV, "1");
            std::env::set_var(torchbook_contract::env::COMM_SOCKET, comm_listener.path());
        }
        // evcxr finds the launcher (`which mold`) while creating the context, and runs every
        // cargo command through it: cells that change nothing cargo watches skip cargo.
        let path = super::cell_build::install_launcher(&dir.join(LAUNCHER_DIR))?;
        // SAFETY: as above.
        unsafe { std::env::set_var("PATH", path) };
        let t = Instant::now();
        let (ctx, outputs) = evcxr::CommandContext::new()
            .map_err(|e| anyhow!("evcxr could not start in {}: {e}", dir.display()))?;
        let evcxr_time = t.elapsed();
        let process = ctx.process_handle();
        let last_pid = pid_of(&process);
        let mut session = Session {
            ctx,
            dir,
            prelude_dir: options.prelude_dir.clone(),
            remove_dir_on_drop,
            _dir_lock: None,
            process,
            last_pid,
            debug_style: DebugStyle::default(),
            stdout: outputs.stdout,
            stderr: outputs.stderr,
            timings: StartTimings { evcxr: evcxr_time, ..Default::default() },
            comm_listener,
        };
        let t = Instant::now();
        session.restore_template_lock()?;
        let code = preload_code(&options.prelude_dir);
        session.execute_unattended(&code).map_err(|e| {
            anyhow!("loading the Torchbook prelude from {} failed:\n{e}", options.prelude_dir.display())
        })?;
        session.timings.prelude = t.elapsed();
        Ok(session)
    }

    /// Runs a cell of the kernel's own (the preload, a warm-up) while nothing forwards the
    /// session's output, and returns the result the prelude sent.
    ///
    /// evcxr returns from a cell only once its stdout channel is empty, and everything the
    /// execution process writes arrives there as frames; with no forwarder reading, this
    /// drains the channel itself. Printed text goes to the kernel's log.
    pub fn execute_unattended(&mut self, code: &str) -> Result<Option<MimeBundle>, evcxr::Error> {
        let done = std::sync::atomic::AtomicBool::new(false);
        let lines = self.stdout.clone();
        let errors = self.stderr.clone();
        let ctx = &mut self.ctx;
        std::thread::scope(|scope| {
            let drain = scope.spawn(|| {
                let mut result = None;
                let mut take = |line: String| match decode(&line) {
                    Frame::Message(FromPrelude::Result { data }) => result = Some(data),
                    // The kernel's own cells leave nothing for the variables panel to show.
                    Frame::Message(FromPrelude::Variables { .. }) => {}
                    Frame::Message(other) => eprintln!("torchbook: (kernel cell) {other:?}"),
                    Frame::Text(text) => eprint!("torchbook: (kernel cell) {text}"),
                };
                let log_errors = || {
                    while let Ok(line) = errors.try_recv() {
                        eprintln!("torchbook: (kernel cell, stderr) {line}");
                    }
                };
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Ok(line) = lines.recv_timeout(Duration::from_millis(5)) {
                        take(line);
                    }
                    log_errors();
                }
                while let Ok(line) = lines.try_recv() {
                    take(line);
                }
                log_errors();
                result
            });
            let outcome = ctx.execute(code);
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            let result = drain.join().unwrap_or(None);
            outcome.map(|_| result)
        })
    }

    fn restore_template_lock(&self) -> Result<()> {
        let saved = self.dir.join(TEMPLATE_LOCK);
        if saved.exists() {
            std::fs::copy(&saved, self.dir.join("Cargo.lock"))
                .with_context(|| format!("restoring {}", saved.display()))?;
        }
        Ok(())
    }

    /// Keeps the current `Cargo.lock` as the one later kernels start from (used by `warm`).
    pub fn save_template_lock(&self) -> Result<()> {
        std::fs::copy(self.dir.join("Cargo.lock"), self.dir.join(TEMPLATE_LOCK))?;
        Ok(())
    }

    /// The session's build directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The socket the execution process's widgets connect to.
    pub fn comm_listener(&self) -> Arc<crate::server::comms::CommListener> {
        self.comm_listener.clone()
    }

    /// Handle on the execution process; stays valid when evcxr restarts it.
    pub fn process_handle(&self) -> Arc<Mutex<Child>> {
        self.process.clone()
    }

    /// Compiles and runs a cell (or evcxr command), answering input requests with
    /// `input(prompt, is_password)`.
    ///
    /// A `:fmt` the prelude cannot follow is refused before anything runs; after a cell that
    /// changed `:fmt` or `:types`, the new style is passed to the prelude
    /// ([`debug_style`](super::debug_style)); a cell ending in a variable's name shows it
    /// through a reference, so that it too is shown on the first compile.
    pub fn execute(
        &mut self,
        code: &str,
        input: &dyn Fn(&str, bool) -> String,
    ) -> Result<evcxr::EvalOutputs, evcxr::Error> {
        let code = &self.take_edition_commands(code).map_err(evcxr::Error::Message)?;
        if code.trim().is_empty() {
            return Ok(evcxr::EvalOutputs::default());
        }
        let terminated = super::cell_syntax::with_last_let_terminated(code);
        let code = terminated.as_deref().unwrap_or(code);
        if let Some(why) = super::cell_syntax::incomplete(code) {
            return Err(evcxr::Error::Message(why));
        }
        let program = super::cell_syntax::as_program(code);
        let code = program.as_deref().unwrap_or(code);
        let style = self.debug_style.after_commands(code).map_err(evcxr::Error::Message)?;
        let types_file = self.dir.join(super::cell_source::TYPES_FILE);
        if style.show_types {
            let _ = std::fs::write(&types_file, "");
        } else {
            let _ = std::fs::remove_file(&types_file);
        }
        let by_reference = if style.show_types { None } else { shown_by_reference(code) };
        let code = by_reference.as_deref().unwrap_or(code);
        // evcxr does not export the request's type, so the closure gets it from the field.
        let mut callbacks =
            evcxr::EvalCallbacks { input_reader: &|request| input(&request.prompt, request.is_password) };
        let outputs = self.ctx.execute_with_callbacks(code, &mut callbacks)?;
        if code.lines().any(|line| line.trim() == ":clear") {
            // evcxr's :clear forgets every `use` and dependency, the prelude's too; the widgets
            // the forgotten variables held are closed (evcxr does not drop its values).
            let code = format!("{}\n{CLOSE_WIDGETS}", preload_code(&self.prelude_dir));
            self.ctx.execute(&code)?;
        }
        if style != self.debug_style {
            self.ctx.execute(&style.sync_code())?;
            self.debug_style = style;
        }
        Ok(outputs)
    }

    /// The execution process's pid, while it runs.
    pub fn execution_pid(&self) -> Option<u32> {
        Some(pid_of(&self.process)).filter(|&pid| pid != 0)
    }

    /// True once after evcxr replaced the execution process (crash, kill, `:restart`).
    pub fn take_restart(&mut self) -> bool {
        let pid = pid_of(&self.process);
        let restarted = pid != self.last_pid;
        self.last_pid = pid;
        restarted
    }

    /// Prepares a replaced execution process: CUDA, panic reports, interrupts.
    pub fn reinit(&mut self) -> Result<()> {
        self.ctx.execute(REINIT_CODE).map_err(|e| anyhow!("re-initialising the prelude failed: {e}"))?;
        if self.debug_style != DebugStyle::default() {
            let code = self.debug_style.sync_code();
            self.ctx.execute(&code).map_err(|e| anyhow!("restoring the :fmt/:types style failed: {e}"))?;
        }
        self.take_restart();
        Ok(())
    }

    /// Applies and removes `:edition YEAR` lines (the edition cells compile with, read by the
    /// rustc wrapper; [`super::cell_source::DEFAULT_EDITION`] until one is chosen).
    fn take_edition_commands(&self, code: &str) -> Result<String, String> {
        let mut kept = Vec::new();
        for line in code.lines() {
            match line.trim().strip_prefix(":edition") {
                Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                    let year = rest.trim();
                    if !["2015", "2018", "2021", "2024"].contains(&year) {
                        return Err(format!(
                            ":edition {year}: expected 2015, 2018, 2021 or 2024 (cells use {} until one is chosen)",
                            super::cell_source::DEFAULT_EDITION
                        ));
                    }
                    std::fs::write(self.dir.join(super::cell_source::EDITION_FILE), year)
                        .map_err(|e| format!(":edition {year}: {e}"))?;
                }
                _ => kept.push(line),
            }
        }
        Ok(kept.join("\n"))
    }

    /// Names of the variables that persist between cells.
    pub fn variable_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.ctx.variables_and_types().map(|(n, _)| n.to_owned()).collect();
        names.sort();
        names
    }

    /// The variables that persist between cells, with the types evcxr gave them.
    pub fn variables_and_types(&self) -> Vec<(String, String)> {
        self.ctx.variables_and_types().map(|(n, t)| (n.to_owned(), t.to_owned())).collect()
    }

    /// The source evcxr compiled last (to locate panics).
    pub fn last_source(&self) -> Option<String> {
        self.ctx.last_source().ok()
    }

    /// rust-analyzer completions at byte offset `pos`.
    pub fn completions(&mut self, code: &str, pos: usize) -> Result<evcxr::Completions> {
        self.ctx.completions(code, pos)
    }

    /// rust-analyzer documentation `(plain, html)` for the expression ending at byte offset `pos`.
    pub fn hover(&mut self, code: &str, pos: usize) -> Result<(String, String)> {
        self.ctx.hover_at(code, pos)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(mut child) = self.process.lock() {
            let _ = child.kill();
        }
        if self.remove_dir_on_drop {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
