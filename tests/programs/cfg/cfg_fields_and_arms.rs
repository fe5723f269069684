// cfg attributes on struct fields, enum variants, match arms, impl blocks and expressions.
struct Build {
    name: &'static str,
    #[cfg(unix)]
    unix_flag: bool,
    #[cfg(not(unix))]
    other_flag: bool,
}

#[derive(Debug)]
enum Backend {
    #[cfg(target_os = "linux")]
    Epoll,
    #[cfg(not(target_os = "linux"))]
    Generic,
    Poll,
}

#[cfg(unix)]
impl Build {
    fn flag(&self) -> bool {
        self.unix_flag
    }
}

#[cfg(not(unix))]
impl Build {
    fn flag(&self) -> bool {
        self.other_flag
    }
}

fn preferred() -> Backend {
    #[cfg(target_os = "linux")]
    {
        Backend::Epoll
    }
    #[cfg(not(target_os = "linux"))]
    {
        Backend::Generic
    }
}

fn describe(b: &Backend) -> &'static str {
    match b {
        #[cfg(target_os = "linux")]
        Backend::Epoll => "edge-triggered readiness",
        #[cfg(not(target_os = "linux"))]
        Backend::Generic => "portable fallback",
        Backend::Poll => "classic poll",
    }
}

fn main() {
    let b = Build {
        name: "release",
        #[cfg(unix)]
        unix_flag: true,
        #[cfg(not(unix))]
        other_flag: true,
    };
    println!("build {} flag {}", b.name, b.flag());

    for backend in [preferred(), Backend::Poll] {
        println!("{:?}: {}", backend, describe(&backend));
    }

    let bits = if cfg!(target_pointer_width = "64") { 64 } else { 32 };
    println!("pointer width: {}", bits);
}
