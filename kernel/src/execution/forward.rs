//! Streams the execution process's output to IOPub while a cell runs.
//!
//! One thread per stream reads evcxr's line channel and hands each piece to a sink (the IOPub
//! publisher) at once, so `println!` output and `display` updates appear mid-cell. A flush
//! barrier lets the shell wait, after a cell, until every line already read has been published,
//! so nothing of a cell arrives after its `idle`.

use crossbeam_channel::{select, Receiver, Sender};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use torchbook_contract::frame::{decode, Frame};
use torchbook_contract::message::{CapturedVariable, FromPrelude, MimeBundle, PanicReport};

/// What the forwarders publish.
#[derive(Debug, Clone, PartialEq)]
pub enum Published {
    /// Text on stdout.
    Stdout(String),
    /// Text on stderr.
    Stderr(String),
    /// A display message (display, update or clear).
    Display(FromPrelude),
}

/// Handle on the two forwarding threads.
pub struct Forwarders {
    flush_stdout: Sender<Flush>,
    flush_stderr: Sender<Flush>,
    panic: Arc<Mutex<Option<PanicReport>>>,
    result: Arc<Mutex<Option<MimeBundle>>>,
    variables: Arc<Mutex<Option<Vec<CapturedVariable>>>>,
    stderr_tail: Arc<Mutex<Vec<String>>>,
    /// Barrier tokens written and not yet seen back.
    issued: Arc<Mutex<Vec<String>>>,
}

/// Lines of stderr kept to explain a crash.
const STDERR_TAIL: usize = 20;

/// How long text may wait to be joined with the lines after it. Publishing every line as its
/// own IOPub message let a loop that prints a few thousand lines overflow the PUB socket's
/// high-water mark (1000 messages), and ZeroMQ then drops messages, `idle` among them, so the
/// front end waited forever; ipykernel batches its streams for the same reason.
pub const BATCH: Duration = Duration::from_millis(50);

/// Start of the line the kernel writes into the execution process's stderr as a barrier.
pub const STDERR_BARRIER: &str = "\u{1e}TORCHBOOK_STDERR_BARRIER ";

/// How long a flush waits for its stderr barrier to come back.
const BARRIER_WAIT: Duration = Duration::from_secs(2);

/// A request to publish everything read so far, then acknowledge.
struct Flush {
    /// Read until the line carrying this barrier token (stderr), or only what is queued.
    barrier: Option<String>,
    ack: Sender<()>,
}

impl Forwarders {
    /// Starts forwarding `stdout` and `stderr` lines to `sink`.
    pub fn start(
        stdout: Receiver<String>,
        stderr: Receiver<String>,
        sink: impl Fn(Published) + Send + Sync + 'static,
    ) -> Forwarders {
        let sink = Arc::new(sink);
        let panic = Arc::new(Mutex::new(None));
        let result = Arc::new(Mutex::new(None));
        let variables = Arc::new(Mutex::new(None));
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let issued = Arc::new(Mutex::new(Vec::new()));
        let (flush_stdout, flush_out_rx) = crossbeam_channel::unbounded::<Flush>();
        let (flush_stderr, flush_err_rx) = crossbeam_channel::unbounded::<Flush>();
        {
            let sink = sink.clone();
            let panic = panic.clone();
            let result = result.clone();
            let variables = variables.clone();
            std::thread::Builder::new()
                .name("stdout-forwarder".into())
                .spawn(move || {
                    let emit = |text: String| sink(Published::Stdout(text));
                    forward(&stdout, &flush_out_rx, None, &emit, |pending: &mut String, line: String| {
                        match decode(&line) {
                            Frame::Text(t) => pending.push_str(&t),
                            Frame::Message(FromPrelude::Panic(p)) => {
                                if let Ok(mut slot) = panic.lock() {
                                    *slot = Some(p);
                                }
                            }
                            Frame::Message(FromPrelude::Result { data }) => {
                                if let Ok(mut slot) = result.lock() {
                                    *slot = Some(data);
                                }
                            }
                            Frame::Message(FromPrelude::Variables { variables: captured }) => {
                                if let Ok(mut slot) = variables.lock() {
                                    *slot = Some(captured);
                                }
                            }
                            Frame::Message(display) => {
                                // Text before a display is shown before it.
                                if !pending.is_empty() {
                                    emit(std::mem::take(pending));
                                }
                                sink(Published::Display(display));
                            }
                        }
                    })
                })
                .expect("spawning a thread");
        }
        {
            let tail = stderr_tail.clone();
            let issued = issued.clone();
            std::thread::Builder::new()
                .name("stderr-forwarder".into())
                .spawn(move || {
                    let emit = |text: String| sink(Published::Stderr(text));
                    forward(
                        &stderr,
                        &flush_err_rx,
                        Some(&*issued),
                        &emit,
                        |pending: &mut String, line: String| {
                            if let Ok(mut tail) = tail.lock() {
                                tail.push(line.clone());
                                let excess = tail.len().saturating_sub(STDERR_TAIL);
                                tail.drain(..excess);
                            }
                            pending.push_str(&line);
                            pending.push('\n');
                        },
                    )
                })
                .expect("spawning a thread");
        }
        Forwarders { flush_stdout, flush_stderr, panic, result, variables, stderr_tail, issued }
    }

    /// Returns once everything the cell wrote has been published.
    ///
    /// stdout needs nothing more: evcxr reads the end of a cell from the same stream, after
    /// the cell's output. stderr is a pipe of its own, which evcxr may not have read yet when the
    /// cell ends (a cell ending in `eprintln!` sometimes lost its line to the next cell), so the
    /// kernel writes a barrier line into that pipe, through `/proc/<pid>/fd/2` of the execution
    /// process, and waits until the forwarder has read up to it: the pipe keeps order.
    pub fn flush(&self, execution_pid: Option<u32>) {
        let barrier = execution_pid.and_then(|pid| {
            // Unguessable, so no printed line can pass for it.
            let token = uuid::Uuid::new_v4().simple().to_string();
            if let Ok(mut issued) = self.issued.lock() {
                issued.push(token.clone());
                let excess = issued.len().saturating_sub(8);
                issued.drain(..excess);
            }
            let mut pipe = std::fs::OpenOptions::new().write(true).open(format!("/proc/{pid}/fd/2")).ok()?;
            pipe.write_all(format!("{STDERR_BARRIER}{token}\n").as_bytes()).ok()?;
            Some(token)
        });
        for (flusher, barrier) in [(&self.flush_stdout, None), (&self.flush_stderr, barrier)] {
            let (ack, done) = crossbeam_channel::bounded(1);
            if flusher.send(Flush { barrier, ack }).is_ok() {
                let _ = done.recv_timeout(BARRIER_WAIT + Duration::from_secs(3));
            }
        }
    }

    /// Forgets the panic and stderr of the previous cell.
    pub fn reset(&self) {
        if let Ok(mut p) = self.panic.lock() {
            *p = None;
        }
        if let Ok(mut r) = self.result.lock() {
            *r = None;
        }
        if let Ok(mut v) = self.variables.lock() {
            *v = None;
        }
        if let Ok(mut t) = self.stderr_tail.lock() {
            t.clear();
        }
    }

    /// The panic the prelude reported during the last cell, if any.
    pub fn take_panic(&self) -> Option<PanicReport> {
        self.panic.lock().ok().and_then(|mut p| p.take())
    }

    /// The final value the prelude showed for the last cell, if any.
    pub fn take_result(&self) -> Option<MimeBundle> {
        self.result.lock().ok().and_then(|mut r| r.take())
    }

    /// The variables the last cell's end captured, if it got that far.
    pub fn take_variables(&self) -> Option<Vec<CapturedVariable>> {
        self.variables.lock().ok().and_then(|mut v| v.take())
    }

    /// The last lines of stderr of the last cell.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// Notes a barrier token that was read; only the latest few can still be waited for.
fn remember(arrived: &mut Vec<String>, token: String) {
    arrived.push(token);
    let excess = arrived.len().saturating_sub(8);
    arrived.drain(..excess);
}

/// Reads `lines`, lets `handle` add each to the pending text (or publish what is not text),
/// and publishes the pending text with `emit` once it is [`BATCH`] old, at a flush, and at the
/// end.
fn forward(
    lines: &Receiver<String>,
    flushes: &Receiver<Flush>,
    issued: Option<&Mutex<Vec<String>>>,
    emit: &dyn Fn(String),
    mut handle: impl FnMut(&mut String, String),
) {
    let mut pending = String::new();
    let mut since: Option<Instant> = None;
    let publish = |pending: &mut String, since: &mut Option<Instant>| {
        if !pending.is_empty() {
            emit(std::mem::take(pending));
        }
        *since = None;
    };
    // Barrier lines read before their flush request (the kernel writes the line, then asks).
    let mut arrived: Vec<String> = Vec::new();
    // Handles a line; a barrier line is kept out of the output and its token returned.
    // Handles a line; a barrier line is kept out of the output and its token returned. Only a
    // token the kernel issued makes a barrier: the same words printed by a cell are its text.
    let mut take = |pending: &mut String, line: String| -> Option<String> {
        let barrier = issued.and_then(|issued| {
            let at = line.find(STDERR_BARRIER)?;
            let token = &line[at + STDERR_BARRIER.len()..];
            issued.lock().ok()?.iter().any(|t| t == token).then(|| (at, token.to_owned()))
        });
        match barrier {
            Some((at, token)) => {
                if at > 0 {
                    handle(pending, line[..at].to_owned());
                }
                Some(token)
            }
            None => {
                handle(pending, line);
                None
            }
        }
    };
    loop {
        let timer = match since {
            Some(t) => crossbeam_channel::after(BATCH.saturating_sub(t.elapsed())),
            None => crossbeam_channel::never(),
        };
        select! {
            recv(lines) -> line => match line {
                Ok(line) => {
                    if let Some(token) = take(&mut pending, line) {
                        remember(&mut arrived, token);
                    }
                    if !pending.is_empty() && since.is_none() {
                        since = Some(Instant::now());
                    }
                }
                Err(_) => {
                    publish(&mut pending, &mut since);
                    return;
                }
            },
            recv(flushes) -> flush => match flush {
                Ok(Flush { barrier, ack }) => {
                    // Lines already queued belong to the cell being flushed.
                    while let Ok(line) = lines.try_recv() {
                        if let Some(token) = take(&mut pending, line) {
                            remember(&mut arrived, token);
                        }
                    }
                    if let Some(token) = barrier {
                        // Everything written before the barrier precedes it in the pipe.
                        let deadline = Instant::now() + BARRIER_WAIT;
                        while !arrived.contains(&token) {
                            match lines.recv_deadline(deadline) {
                                Ok(line) => {
                                    if let Some(seen) = take(&mut pending, line) {
                                        remember(&mut arrived, seen);
                                    }
                                }
                                Err(_) => break,
                            }
                        }
                        arrived.retain(|t| *t != token);
                    }
                    publish(&mut pending, &mut since);
                    let _ = ack.send(());
                }
                Err(_) => return,
            },
            recv(timer) -> _ => publish(&mut pending, &mut since),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(seen: &[Published]) -> String {
        seen.iter()
            .map(|p| match p {
                Published::Stdout(t) | Published::Stderr(t) => t.as_str(),
                Published::Display(_) => "<display>",
            })
            .collect()
    }

    #[test]
    fn flush_publishes_everything_sent_before_it_in_order_and_in_few_messages() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (_err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let f = Forwarders::start(out_rx, err_rx, move |p| s.lock().unwrap().push(p));
        for i in 0..5000 {
            out_tx.send(format!("line {i}")).unwrap();
        }
        f.flush(None);
        let seen = seen.lock().unwrap();
        let expected: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(text_of(&seen), expected);
        // Batched: a burst of 5,000 lines is not 5,000 IOPub messages (the PUB socket's
        // high-water mark is 1,000). A slow machine may cut the burst at a few BATCH ticks.
        assert!(seen.len() < 100, "{} messages for 5000 lines", seen.len());
    }

    #[test]
    fn text_is_published_within_a_batch_interval_without_a_flush() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (_err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let (seen_tx, seen_rx) = crossbeam_channel::unbounded();
        let _f = Forwarders::start(out_rx, err_rx, move |p| seen_tx.send(p).unwrap());
        out_tx.send("epoch 1".to_owned()).unwrap();
        // Output streams while a cell runs; the bound only keeps a hang from passing.
        let first = seen_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(first, Published::Stdout("epoch 1\n".into()));
    }

    #[test]
    fn a_stderr_barrier_waits_for_lines_still_on_their_way() {
        // The barrier line arrives after the flush request, and lines before it still belong
        // to the cell; a stale barrier of an earlier flush is skipped.
        let (err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let (flush_tx, flush_rx) = crossbeam_channel::unbounded::<Flush>();
        let seen = Arc::new(Mutex::new(String::new()));
        let s = seen.clone();
        let emit = move |t: String| s.lock().unwrap().push_str(&t);
        let issued = Mutex::new(vec!["t1".to_owned(), "t2".to_owned(), "t3".to_owned()]);
        let worker = std::thread::spawn(move || {
            forward(&err_rx, &flush_rx, Some(&issued), &emit, |pending: &mut String, line: String| {
                pending.push_str(&line);
                pending.push('\n');
            })
        });
        let (ack, done) = crossbeam_channel::bounded(1);
        flush_tx.send(Flush { barrier: Some("t2".into()), ack }).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        err_tx.send("late line".into()).unwrap();
        err_tx.send(format!("{STDERR_BARRIER}t1")).unwrap();
        err_tx.send(format!("partial{STDERR_BARRIER}t2")).unwrap();
        done.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(*seen.lock().unwrap(), "late line\npartial\n");
        // The usual order: the barrier is read before the flush request comes; the flush
        // finds it already arrived and does not wait for it.
        err_tx.send("early line".into()).unwrap();
        err_tx.send(format!("{STDERR_BARRIER}t3")).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let (ack, done) = crossbeam_channel::bounded(1);
        let asked = Instant::now();
        flush_tx.send(Flush { barrier: Some("t3".into()), ack }).unwrap();
        done.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(asked.elapsed() < BARRIER_WAIT, "waited for a barrier that had arrived");
        assert_eq!(*seen.lock().unwrap(), "late line\npartial\nearly line\n");
        drop(err_tx);
        drop(flush_tx);
        worker.join().unwrap();
    }

    #[test]
    fn a_printed_barrier_with_a_token_the_kernel_did_not_issue_is_text() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded::<String>();
        let (err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let f = Forwarders::start(out_rx, err_rx, move |p| s.lock().unwrap().push(p));
        let forged = format!("{STDERR_BARRIER}0-0");
        out_tx.send(torchbook_contract::frame::text_line(&forged, true)).unwrap();
        err_tx.send(forged.clone()).unwrap();
        f.flush(None);
        let seen = seen.lock().unwrap();
        assert!(seen.contains(&Published::Stdout(format!("{forged}\n"))), "{seen:?}");
        assert!(seen.contains(&Published::Stderr(format!("{forged}\n"))), "{seen:?}");
    }

    #[test]
    fn panics_are_captured_not_printed() {
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let (_err_tx, err_rx) = crossbeam_channel::unbounded::<String>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let f = Forwarders::start(out_rx, err_rx, move |p| s.lock().unwrap().push(p));
        let report = PanicReport {
            message: "m".into(),
            file: "src/lib.rs".into(),
            line: 1,
            column: 1,
            thread: String::new(),
        };
        out_tx.send(torchbook_contract::frame::message_line(&FromPrelude::Panic(report))).unwrap();
        f.flush(None);
        assert!(seen.lock().unwrap().is_empty());
        assert_eq!(f.take_panic().map(|p| p.message), Some("m".to_owned()));
        assert_eq!(f.take_panic(), None);
    }
}
