//! The `kernel_info_reply` content.

use crate::protocol::messages::{HelpLink, KernelInfoReply, LanguageInfo, ReplyStatus, PROTOCOL_VERSION};
use std::sync::OnceLock;

/// `rustc --version`, asked once.
fn rustc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.split_whitespace().nth(1).map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned())
    })
}

/// What the kernel says about itself.
pub fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: PROTOCOL_VERSION.to_owned(),
        implementation: "torchbook".to_owned(),
        implementation_version: env!("CARGO_PKG_VERSION").to_owned(),
        language_info: LanguageInfo {
            name: "rust".to_owned(),
            version: rustc_version().to_owned(),
            mimetype: "text/rust".to_owned(),
            file_extension: ".rs".to_owned(),
            pygments_lexer: "rust".to_owned(),
            codemirror_mode: "rust".to_owned(),
            // nbconvert has no "rust" exporter; "script" writes the cells to a .rs file.
            nbconvert_exporter: "script".to_owned(),
        },
        banner: format!(
            "Torchbook {} — Rust with tch (libtorch) preloaded. `?name` shows documentation; \
             `doctor()` checks libtorch and CUDA; `:help` lists evcxr's commands.",
            env!("CARGO_PKG_VERSION")
        ),
        help_links: vec![
            HelpLink { text: "tch documentation".to_owned(), url: "https://docs.rs/tch/0.26.0".to_owned() },
            HelpLink {
                text: "evcxr commands".to_owned(),
                url: "https://github.com/evcxr/evcxr/blob/main/COMMON.md".to_owned(),
            },
        ],
        // The variables panel (server::debugger); breakpoints are not supported. Subshells
        // (JEP 91; JupyterLab looks for this exact string) carry widget messages while a cell runs.
        debugger: true,
        supported_features: vec!["debugger".to_owned(), "kernel subshells".to_owned()],
    }
}
