//! Streams the execution process's output to IOPub while a cell runs.
//!
//! One thread per stream reads evcxr's line channel and hands each piece to a sink (the IOPub
//! publisher) at once, so `println!` output and `display` updates appear mid-cell. A flush
//! barrier lets the shell wait, after a cell, until every line already read has been published,
//! so nothing of a cell arrives after its `idle`.

use super::output::{parse_stdout_line, OutputPiece, PanicReport};
use crossbeam_channel::{select, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// What the forwarders publish.
#[derive(Debug, Clone, PartialEq)]
pub enum Published {
    /// Text on stdout.
    Stdout(String),
    /// Text on stderr.
    Stderr(String),
    /// A display request.
    Display(super::output::DisplayRequest),
}

/// Handle on the two forwarding threads.
pub struct Forwarders {
    flush_stdout: Sender<Sender<()>>,
    flush_stderr: Sender<Sender<()>>,
    panic: Arc<Mutex<Option<PanicReport>>>,
    stderr_tail: Arc<Mutex<Vec<String>>>,
}

/// Lines of stderr kept to explain a crash.
const STDERR_TAIL: usize = 20;

impl Forwarders {
    /// Starts forwarding `stdout` and `stderr` lines to `sink`.
    pub fn start(
        stdout: Receiver<String>,
        stderr: Receiver<String>,
        sink: impl Fn(Published) + Send + Sync + 'static,
    ) -> Forwarders {
        let sink = Arc::new(sink);
        let panic = Arc::new(Mutex::new(None));
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let (flush_stdout, flush_out_rx) = crossbeam_channel::unbounded::<Sender<()>>();
        let (flush_stderr, flush_err_rx) = crossbeam_channel::unbounded::<Sender<()>>();
        {
            let sink = sink.clone();
            let panic = panic.clone();
            std::thread::Builder::new()
                .name("stdout-forwarder".into())
                .spawn(move || {
                    forward(&stdout, &flush_out_rx, |line| {
                        for piece in parse_stdout_line(&line) {
                            match piece {
                                OutputPiece::Text(t) => sink(Published::Stdout(t)),
                                OutputPiece::Display(d) => sink(Published::Display(d)),
                                OutputPiece::Panic(p) => {
                                    if let Ok(mut slot) = panic.lock() {
                                        *slot = Some(p);
                                    }
                                }
                            }
                        }
                    })
                })
                .expect("spawning a thread");
        }
        {
            let tail = stderr_tail.clone();
            std::thread::Builder::new()
                .name("stderr-forwarder".into())
                .spawn(move || {
                    forward(&stderr, &flush_err_rx, |line| {
                        if let Ok(mut tail) = tail.lock() {
                            tail.push(line.clone());
                            let excess = tail.len().saturating_sub(STDERR_TAIL);
                            tail.drain(..excess);
                        }
                        sink(Published::Stderr(format!("{line}\n")));
                    })
                })
                .expect("spawning a thread");
        }
        Forwarders { flush_stdout, flush_stderr, panic, stderr_tail }
    }

    /// Returns once every line read so far has been published.
    pub fn flush(&self) {
        for flusher in [&self.flush_stdout, &self.flush_stderr] {
            let (ack, done) = crossbeam_channel::bounded(1);
            if flusher.send(ack).is_ok() {
                let _ = done.recv_timeout(std::time::Duration::from_secs(5));
            }
        }
    }

    /// Forgets the panic and stderr of the previous cell.
    pub fn reset(&self) {
        if let Ok(mut p) = self.panic.lock() {
            *p = None;
        }
        if let Ok(mut t) = self.stderr_tail.lock() {
            t.clear();
        }
    }

    /// The panic the prelude reported during the last cell, if any.
    pub fn take_panic(&self) -> Option<PanicReport> {
        self.panic.lock().ok().and_then(|mut p| p.take())
    }

    /// The last lines of stderr of the last cell.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

fn forward(lines: &Receiver<String>, flushes: &Receiver<Sender<()>>, mut handle: impl FnMut(String)) {
    loop {
        select! {
            recv(lines) -> line => match line {
                Ok(line) => handle(line),
                Err(_) => return,
            },
            recv(flushes) -> ack => match ack {
                Ok(ack) => {
                    // Lines already queued belong to the cell being flushed.
                    while let Ok(line) = lines.try_recv() {
                        handle(line);
                    }
                    let _ = ack.send(());
                }
                Err(_) => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flush_publishes_everything_sent_before_it_in_order() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (_err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let f = Forwarders::start(out_rx, err_rx, move |p| s.lock().unwrap().push(p));
        for i in 0..100 {
            out_tx.send(format!("line {i}")).unwrap();
        }
        f.flush();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 100);
        assert_eq!(seen[99], Published::Stdout("line 99\n".into()));
    }

    #[test]
    fn panics_are_captured_not_printed() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (_err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let f = Forwarders::start(out_rx, err_rx, move |p| s.lock().unwrap().push(p));
        out_tx
            .send(format!(
                "{}{}",
                super::super::output::PANIC_MARKER,
                r#"{"message":"m","file":"src/lib.rs","line":1,"column":1}"#
            ))
            .unwrap();
        f.flush();
        assert!(seen.lock().unwrap().is_empty());
        assert_eq!(f.take_panic().map(|p| p.message), Some("m".to_owned()));
        assert_eq!(f.take_panic(), None);
    }
}
