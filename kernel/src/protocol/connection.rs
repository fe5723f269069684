//! The connection file Jupyter writes for a kernel: where to bind, and the signing key.

use serde::Deserialize;
use std::path::Path;

/// Contents of a kernel connection file (`kernel-<id>.json`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// `tcp` or `ipc`.
    pub transport: String,
    /// Address to bind, e.g. `127.0.0.1`.
    pub ip: String,
    /// Port of the shell ROUTER socket.
    pub shell_port: u16,
    /// Port of the IOPub PUB socket.
    pub iopub_port: u16,
    /// Port of the stdin ROUTER socket.
    pub stdin_port: u16,
    /// Port of the control ROUTER socket.
    pub control_port: u16,
    /// Port of the heartbeat REP socket.
    pub hb_port: u16,
    /// HMAC key; empty means messages are not signed.
    #[serde(default)]
    pub key: String,
    /// `hmac-sha256` (the only scheme this kernel speaks) or empty.
    #[serde(default)]
    pub signature_scheme: String,
}

/// Why a connection file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// The file could not be read.
    #[error("cannot read connection file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not the JSON Jupyter writes.
    #[error("connection file {path} is not valid: {source}")]
    Parse {
        /// The file.
        path: String,
        /// What serde found.
        source: serde_json::Error,
    },
    /// A signature scheme other than HMAC-SHA256.
    #[error(
        "connection file {path} asks for signature scheme '{scheme}', but only 'hmac-sha256' is supported"
    )]
    Scheme {
        /// The file.
        path: String,
        /// The scheme it names.
        scheme: String,
    },
}

impl ConnectionInfo {
    /// Reads and checks a connection file.
    pub fn from_file(path: &Path) -> Result<Self, ConnectionError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConnectionError::Read { path: shown.clone(), source })?;
        Self::from_json(&text, &shown)
    }

    /// Parses connection-file JSON; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, ConnectionError> {
        let info: ConnectionInfo = serde_json::from_str(text)
            .map_err(|source| ConnectionError::Parse { path: origin.to_owned(), source })?;
        if !info.signature_scheme.is_empty() && info.signature_scheme != "hmac-sha256" {
            return Err(ConnectionError::Scheme { path: origin.to_owned(), scheme: info.signature_scheme });
        }
        Ok(info)
    }

    /// The zmq endpoint for `port`, as the connection file's transport spells it.
    pub fn endpoint(&self, port: u16) -> String {
        if self.transport == "ipc" {
            format!("ipc://{}-{}", self.ip, port)
        } else {
            format!("{}://{}:{}", self.transport, self.ip, port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003,
        "control_port": 5004, "hb_port": 5005, "ip": "127.0.0.1", "key": "abc",
        "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "torchbook"}"#;

    #[test]
    fn parses_what_jupyter_client_writes() {
        let info = ConnectionInfo::from_json(SAMPLE, "sample").unwrap();
        assert_eq!(info.shell_port, 5001);
        assert_eq!(info.endpoint(info.hb_port), "tcp://127.0.0.1:5005");
    }

    #[test]
    fn ipc_endpoints_use_the_ip_as_a_path() {
        let mut info = ConnectionInfo::from_json(SAMPLE, "sample").unwrap();
        info.transport = "ipc".into();
        info.ip = "/tmp/k".into();
        assert_eq!(info.endpoint(7), "ipc:///tmp/k-7");
    }

    #[test]
    fn other_signature_schemes_are_refused_by_name() {
        let text = SAMPLE.replace("hmac-sha256", "hmac-md5");
        let err = ConnectionInfo::from_json(&text, "f.json").unwrap_err();
        assert!(err.to_string().contains("'hmac-md5'"), "{err}");
    }

    #[test]
    fn a_missing_port_is_named() {
        let err = ConnectionInfo::from_json(r#"{"transport":"tcp","ip":"x"}"#, "f.json").unwrap_err();
        assert!(err.to_string().contains("shell_port"), "{err}");
    }
}
