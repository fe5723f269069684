// Selecting a whole module by cfg: one `platform` module for unix, another for everything else.
#[cfg(unix)]
mod platform {
    pub const NAME: &str = "unix-like";

    pub fn line_ending() -> &'static str {
        "\\n"
    }

    pub fn shell() -> &'static str {
        "sh"
    }
}

#[cfg(not(unix))]
mod platform {
    pub const NAME: &str = "other";

    pub fn line_ending() -> &'static str {
        "\\r\\n"
    }

    pub fn shell() -> &'static str {
        "cmd"
    }
}

fn describe() -> String {
    format!(
        "platform {} uses {} line endings and the {} shell",
        platform::NAME,
        platform::line_ending(),
        platform::shell()
    )
}

fn main() {
    println!("{}", describe());
    for word in ["alpha", "beta"] {
        println!("{} via {}", word, platform::shell());
    }
}
