//! The Jupyter wire format: multipart framing and HMAC-SHA256 signatures.
//!
//! A message on a ROUTER socket is `[identities.., "<IDS|MSG>", signature, header,
//! parent_header, metadata, content, buffers..]`; the signature is the hex HMAC of the four JSON
//! frames (<https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol>).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{HashSet, VecDeque};

/// The delimiter between routing identities and the message proper.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";

/// Largest message accepted, all frames together; a notebook cell is far smaller.
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Signatures remembered to refuse a message that is sent twice.
const REPLAY_MEMORY: usize = 65_536;

/// Why a multipart message was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    /// No `<IDS|MSG>` frame.
    #[error("no <IDS|MSG> delimiter among {0} frames")]
    NoDelimiter(usize),
    /// Fewer than the five frames that follow the delimiter.
    #[error(
        "expected signature, header, parent_header, metadata and content after <IDS|MSG>, got {0} frames"
    )]
    TooFewFrames(usize),
    /// The message is larger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes exceeds the limit of {MAX_MESSAGE_BYTES} bytes")]
    TooLarge(usize),
    /// The signature is missing or does not match the key.
    #[error("bad signature")]
    BadSignature,
    /// The same signed message was already received.
    #[error("replayed message (signature seen before)")]
    Replayed,
}

/// The frames of one message, identities kept for the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// ROUTER identities of the sender.
    pub identities: Vec<Vec<u8>>,
    /// JSON header.
    pub header: Vec<u8>,
    /// JSON header of the request this answers (`{}` for none).
    pub parent_header: Vec<u8>,
    /// JSON metadata.
    pub metadata: Vec<u8>,
    /// JSON content.
    pub content: Vec<u8>,
    /// Extra binary buffers.
    pub buffers: Vec<Vec<u8>>,
}

/// Signatures already accepted, shared by every channel: a request seen on shell is refused
/// when replayed on control or stdin.
#[derive(Default)]
struct Seen {
    set: HashSet<Vec<u8>>,
    order: VecDeque<Vec<u8>>,
}

/// Signs outgoing messages and checks incoming ones with the connection file's key; refuses a
/// signature it (or a clone, on another channel) has accepted before.
#[derive(Clone)]
pub struct Signer {
    key: Option<Hmac<Sha256>>,
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
}

impl Signer {
    /// A signer for `key`; an empty key disables signing, as the spec allows.
    pub fn new(key: &str) -> Self {
        let key = if key.is_empty() {
            None
        } else {
            Some(Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length"))
        };
        Signer { key, seen: Default::default() }
    }

    fn mac(&self, parts: [&[u8]; 4]) -> Option<Hmac<Sha256>> {
        self.key.clone().map(|mut mac| {
            for part in parts {
                mac.update(part);
            }
            mac
        })
    }

    /// Hex signature of the four JSON frames; empty when signing is off.
    pub fn sign(&self, parts: [&[u8]; 4]) -> String {
        self.mac(parts).map(|m| hex::encode(m.finalize().into_bytes())).unwrap_or_default()
    }

    /// Checks a signature in constant time and refuses replays.
    pub fn verify(&mut self, signature: &[u8], parts: [&[u8]; 4]) -> Result<(), WireError> {
        let Some(mac) = self.mac(parts) else {
            return Ok(());
        };
        // Only the canonical form (lowercase hex, as Python's hexdigest writes it) is accepted:
        // otherwise the same signature spelled in upper case would be a second valid copy of
        // the message that the replay check below does not recognise.
        let canonical =
            signature.len() == 64 && signature.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !canonical {
            return Err(WireError::BadSignature);
        }
        let expected = hex::decode(signature).map_err(|_| WireError::BadSignature)?;
        mac.verify_slice(&expected).map_err(|_| WireError::BadSignature)?;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.set.insert(expected.clone()) {
            return Err(WireError::Replayed);
        }
        seen.order.push_back(expected);
        if seen.order.len() > REPLAY_MEMORY {
            if let Some(old) = seen.order.pop_front() {
                seen.set.remove(&old);
            }
        }
        Ok(())
    }

    /// Splits, size-checks and verifies a multipart message.
    pub fn decode(&mut self, frames: Vec<Vec<u8>>) -> Result<RawMessage, WireError> {
        let total: usize = frames.iter().map(Vec::len).sum();
        if total > MAX_MESSAGE_BYTES {
            return Err(WireError::TooLarge(total));
        }
        let n = frames.len();
        let delimiter = frames.iter().position(|f| f == DELIMITER).ok_or(WireError::NoDelimiter(n))?;
        let mut rest = frames.into_iter();
        let identities: Vec<Vec<u8>> = rest.by_ref().take(delimiter).collect();
        rest.next();
        let tail: Vec<Vec<u8>> = rest.collect();
        if tail.len() < 5 {
            return Err(WireError::TooFewFrames(tail.len()));
        }
        let mut tail = tail.into_iter();
        let signature = tail.next().unwrap_or_default();
        let header = tail.next().unwrap_or_default();
        let parent_header = tail.next().unwrap_or_default();
        let metadata = tail.next().unwrap_or_default();
        let content = tail.next().unwrap_or_default();
        self.verify(&signature, [&header, &parent_header, &metadata, &content])?;
        Ok(RawMessage { identities, header, parent_header, metadata, content, buffers: tail.collect() })
    }

    /// The frames to send for `message`, signature included.
    pub fn encode(&self, message: &RawMessage) -> Vec<Vec<u8>> {
        let signature =
            self.sign([&message.header, &message.parent_header, &message.metadata, &message.content]);
        let mut frames = message.identities.clone();
        frames.push(DELIMITER.to_vec());
        frames.push(signature.into_bytes());
        frames.push(message.header.clone());
        frames.push(message.parent_header.clone());
        frames.push(message.metadata.clone());
        frames.push(message.content.clone());
        frames.extend(message.buffers.iter().cloned());
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RawMessage {
        RawMessage {
            identities: vec![b"client".to_vec()],
            header: br#"{"msg_id":"1"}"#.to_vec(),
            parent_header: b"{}".to_vec(),
            metadata: b"{}".to_vec(),
            content: br#"{"code":"1"}"#.to_vec(),
            buffers: vec![],
        }
    }

    #[test]
    fn signature_matches_python_hmac() {
        // Expected value from Python:
        // hmac.new(b"key", b'{"msg_id":"1"}{}{}{"code":"1"}', hashlib.sha256).hexdigest()
        let m = sample();
        let sig = Signer::new("key").sign([&m.header, &m.parent_header, &m.metadata, &m.content]);
        assert_eq!(sig, "9681d006d2159c6df66cc9c1d736b90c9d9ab4a7804a0ec24c415359fb05e2f7");
    }

    #[test]
    fn round_trip_keeps_identities_and_frames() {
        let signer = Signer::new("secret");
        let frames = signer.encode(&sample());
        let mut receiver = Signer::new("secret");
        assert_eq!(receiver.decode(frames).unwrap(), sample());
    }

    #[test]
    fn tampered_content_is_refused() {
        let signer = Signer::new("secret");
        let mut frames = signer.encode(&sample());
        let last = frames.len() - 1;
        frames[last] = br#"{"code":"2"}"#.to_vec();
        assert_eq!(Signer::new("secret").decode(frames), Err(WireError::BadSignature));
    }

    #[test]
    fn wrong_key_missing_and_garbage_signatures_are_refused() {
        let frames = Signer::new("other").encode(&sample());
        assert_eq!(Signer::new("secret").decode(frames.clone()), Err(WireError::BadSignature));
        let mut unsigned = frames.clone();
        unsigned[2] = Vec::new();
        assert_eq!(Signer::new("secret").decode(unsigned), Err(WireError::BadSignature));
        let mut garbage = frames;
        garbage[2] = b"zz-not-hex".to_vec();
        assert_eq!(Signer::new("secret").decode(garbage), Err(WireError::BadSignature));
    }

    #[test]
    fn an_upper_case_spelling_of_a_valid_signature_is_refused() {
        let mut frames = Signer::new("secret").encode(&sample());
        frames[2] = frames[2].to_ascii_uppercase();
        assert_eq!(Signer::new("secret").decode(frames), Err(WireError::BadSignature));
    }

    #[test]
    fn a_replayed_message_is_refused() {
        let frames = Signer::new("secret").encode(&sample());
        let mut receiver = Signer::new("secret");
        assert!(receiver.decode(frames.clone()).is_ok());
        assert_eq!(receiver.decode(frames), Err(WireError::Replayed));
    }

    #[test]
    fn framing_errors_name_what_is_missing() {
        let mut s = Signer::new("");
        assert_eq!(s.decode(vec![b"a".to_vec()]), Err(WireError::NoDelimiter(1)));
        assert_eq!(s.decode(vec![DELIMITER.to_vec(), b"sig".to_vec()]), Err(WireError::TooFewFrames(1)));
        let huge = vec![vec![0u8; MAX_MESSAGE_BYTES + 1]];
        assert_eq!(s.decode(huge), Err(WireError::TooLarge(MAX_MESSAGE_BYTES + 1)));
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn frame() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                Just(DELIMITER.to_vec()),
                proptest::collection::vec(any::<u8>(), 0..64),
                "[0-9a-f]{64}".prop_map(String::into_bytes),
                Just(b"{}".to_vec()),
            ]
        }

        proptest! {
            #[test]
            fn arbitrary_frames_never_panic_and_never_verify(frames in proptest::collection::vec(frame(), 0..12)) {
                // Without the key an attacker cannot produce a valid signature.
                prop_assert!(Signer::new("secret").decode(frames).is_err());
            }

            #[test]
            fn any_single_byte_change_to_a_signed_message_is_refused(
                frame_index in 2usize..7,
                byte_index in any::<prop::sample::Index>(),
                flip in 1u8..=255,
            ) {
                let mut frames = Signer::new("secret").encode(&sample());
                let target = &mut frames[frame_index];
                let i = byte_index.index(target.len());
                target[i] ^= flip;
                prop_assert!(Signer::new("secret").decode(frames).is_err());
            }
        }
    }
}
