//! The message link: a Unix socket the execution process gives the code it loads.
//!
//! A sender writes one JSON line ([`FromCell`]) and waits for a one-byte acknowledgement. The
//! forwarder on the other end first forwards everything the cell printed before the message,
//! then the message, then acknowledges: so a display comes after the text printed before it and
//! before the text printed after it, and printed text can never be read as a message.

use crate::message::FromCell;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, OnceLock};

/// Why a message could not be sent.
#[derive(Debug)]
pub enum LinkError {
    /// Not running inside the Torchbook kernel's execution process.
    NotInKernel,
    /// The link failed (the forwarder is gone).
    Io(std::io::Error),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::NotInKernel => {
                write!(f, "not inside the Torchbook kernel ({} is not set)", crate::env::MESSAGE_FD)
            }
            LinkError::Io(e) => write!(f, "the kernel's message link failed: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// One connected end of a link.
pub struct Link {
    stream: Mutex<UnixStream>,
}

impl Link {
    /// Wraps a connected stream (the execution process's own end, or a test's).
    pub fn new(stream: UnixStream) -> Link {
        Link { stream: Mutex::new(stream) }
    }

    /// Sends `message` and waits until the forwarder has passed it on.
    ///
    /// ```
    /// use torchbook_contract::link::Link;
    /// use torchbook_contract::message::FromCell;
    /// use std::io::{BufRead, Write};
    /// let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let forwarder = std::thread::spawn(move || {
    ///     let mut line = String::new();
    ///     std::io::BufReader::new(&theirs).read_line(&mut line).unwrap();
    ///     (&theirs).write_all(b"k").unwrap();
    ///     line
    /// });
    /// Link::new(ours).send(&FromCell::Gate(false)).unwrap();
    /// assert_eq!(forwarder.join().unwrap(), "{\"gate\":false}\n");
    /// ```
    pub fn send(&self, message: &FromCell) -> Result<(), LinkError> {
        // Text printed before the message must be in the pipe before the message is read.
        let _ = std::io::stdout().flush();
        let mut line = serde_json::to_vec(message).expect("a FromCell always serialises");
        line.push(b'\n');
        let mut stream = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        stream.write_all(&line).map_err(LinkError::Io)?;
        let mut ack = [0u8; 1];
        stream.read_exact(&mut ack).map_err(LinkError::Io)?;
        Ok(())
    }
}

static PROCESS_LINK: OnceLock<Option<Link>> = OnceLock::new();

/// The link of this process, from [`MESSAGE_FD`](crate::env::MESSAGE_FD); `None` outside the kernel.
pub fn process_link() -> Option<&'static Link> {
    PROCESS_LINK
        .get_or_init(|| {
            let fd: i32 = std::env::var(crate::env::MESSAGE_FD).ok()?.trim().parse().ok()?;
            // SAFETY: the execution process opened this descriptor for exactly this use and
            // never closes it; the stream is kept in a static and never dropped.
            Some(Link::new(unsafe { UnixStream::from_raw_fd(fd) }))
        })
        .as_ref()
}

/// Sends `message` on this process's link.
///
/// ```
/// use torchbook_contract::link::{send, LinkError};
/// use torchbook_contract::message::FromCell;
/// assert!(matches!(send(&FromCell::Gate(true)), Err(LinkError::NotInKernel)));
/// ```
pub fn send(message: &FromCell) -> Result<(), LinkError> {
    process_link().ok_or(LinkError::NotInKernel)?.send(message)
}
