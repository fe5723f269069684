//! `interact`: a function of some controls' values, re-run and redrawn when they change.
//!
//! A change only marks the result stale; one worker thread re-runs the function after a short
//! pause, so a slider dragged across fifty values costs a few runs, not fifty: one run at a
//! time, and the run that follows a change reads the latest values.

use super::boxes::VBox;
use super::link::mark_callback_thread;
use super::output::Output;
use super::AsWidget;
use crate::display::Displayable;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long after a change the function runs: changes within it are taken together.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

#[derive(Default)]
struct Pending {
    stale: bool,
    stop: bool,
    runs: u64,
}

#[derive(Default)]
struct Worker {
    pending: Mutex<Pending>,
    wake: Condvar,
}

impl Worker {
    fn poke(&self) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.stale = true;
        self.wake.notify_all();
    }
}

/// Controls with the output of a function of their values, redrawn when any of them changes.
/// Dropping it stops the redraws, unless it was shown: then they go on until its panel is
/// closed (`:clear`, a restart).
pub struct Interactive {
    panel: VBox,
    output: Output,
    worker: Arc<Worker>,
    first: Vec<(String, String)>,
}

impl std::fmt::Debug for Interactive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interactive({:?})", self.panel)
    }
}

/// Shows `controls` above the result of `f`, and re-runs `f` (on a thread of its own) each time
/// a control's value changes. `f` reads the controls it needs itself (clones of them move into
/// it); its result is anything displayable: a chart, a tensor, text. A panic in `f` is shown in
/// place of the result and the controls keep working.
///
/// ```
/// use torchbook::prelude::*;
/// let slope = FloatSlider::new(FloatSliderConfig { value: 0.1, max: 0.5, ..Default::default() });
/// let s = slope.clone();
/// let view = interact(&[&slope], move || format!("leaky ReLU(-2) = {:.2}", -2.0 * s.value()));
/// assert_eq!(view.output().text(), "leaky ReLU(-2) = -0.20\n");
/// slope.set_value(0.3);
/// view.wait_for_runs(2, std::time::Duration::from_secs(10));
/// assert_eq!(view.output().text(), "leaky ReLU(-2) = -0.60\n");
/// ```
pub fn interact<R, F>(controls: &[&dyn AsWidget], f: F) -> Interactive
where
    R: Displayable + 'static,
    F: Fn() -> R + Send + Sync + 'static,
{
    let output = Output::new();
    let first = f();
    output.show(&first);
    let first = first.mime_bundle();
    let worker = Arc::new(Worker {
        pending: Mutex::new(Pending { runs: 1, ..Default::default() }),
        ..Default::default()
    });
    for control in controls {
        for key in ["value", "index"] {
            let weak = Arc::downgrade(&worker);
            control.as_widget().observe(Some(key), move |_, _| {
                if let Some(worker) = weak.upgrade() {
                    worker.poke();
                }
            });
        }
    }
    let mut children: Vec<&dyn AsWidget> = controls.to_vec();
    children.push(&output);
    let panel = VBox::new(&children);
    let thread_worker = worker.clone();
    let thread_output = output.clone();
    let thread_panel = panel.as_widget().clone();
    let _ = std::thread::Builder::new().name("torchbook-interact".into()).spawn(move || {
        mark_callback_thread();
        run(&thread_worker, &thread_output, &thread_panel, f)
    });
    Interactive { panel, output, worker, first }
}

fn run<R: Displayable, F: Fn() -> R>(worker: &Worker, output: &Output, panel: &super::Widget, f: F) {
    loop {
        {
            let mut p = worker.pending.lock().unwrap_or_else(|e| e.into_inner());
            while !p.stale && !p.stop {
                p = worker.wake.wait(p).unwrap_or_else(|e| e.into_inner());
            }
            if p.stop || panel.is_closed() {
                return;
            }
        }
        std::thread::sleep(DEBOUNCE);
        worker.pending.lock().unwrap_or_else(|e| e.into_inner()).stale = false;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(&f)) {
            Ok(result) => output.show(&result),
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                output.show(&format!("the interact function panicked: {why}"));
            }
        }
        let mut p = worker.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.runs += 1;
        worker.wake.notify_all();
    }
}

impl Interactive {
    /// The output area the function's result is shown in.
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// Runs the function again, as a change does.
    pub fn refresh(&self) {
        self.worker.poke();
    }

    /// How many times the function has run (the first run included).
    pub fn runs(&self) -> u64 {
        self.worker.pending.lock().unwrap_or_else(|e| e.into_inner()).runs
    }

    /// Waits until the function has run `runs` times in all, or `timeout` passed; true if it has.
    pub fn wait_for_runs(&self, runs: u64, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let mut p = self.worker.pending.lock().unwrap_or_else(|e| e.into_inner());
        while p.runs < runs {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            p = self.worker.wake.wait_timeout(p, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        true
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        if self.panel.as_widget().is_shown() {
            return;
        }
        let mut p = self.worker.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.stop = true;
        self.worker.wake.notify_all();
    }
}

impl AsWidget for Interactive {
    fn as_widget(&self) -> &super::Widget {
        self.panel.as_widget()
    }
}

/// The panel's view, and for clients without widgets (nbconvert, papermill) the first result's
/// own forms: a static export still shows the chart.
impl Displayable for Interactive {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let mut bundle: Vec<(String, String)> =
            self.first.iter().filter(|(m, _)| !m.ends_with("+json")).cloned().collect();
        bundle.extend(self.panel.mime_bundle().into_iter().filter(|(m, _)| m != "text/plain"));
        bundle
    }
}
