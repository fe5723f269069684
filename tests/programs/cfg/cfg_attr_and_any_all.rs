// cfg_attr to add derives conditionally, and any()/all()/not() combinations on items and statements.
#[cfg_attr(unix, derive(Debug, Clone, PartialEq))]
#[cfg_attr(not(unix), derive(Debug, Clone, PartialEq))]
struct Settings {
    verbose: bool,
    level: u8,
}

#[cfg(all(unix, target_pointer_width = "64"))]
fn word_size() -> &'static str {
    "64-bit unix"
}

#[cfg(all(unix, not(target_pointer_width = "64")))]
fn word_size() -> &'static str {
    "non-64-bit unix"
}

#[cfg(not(unix))]
fn word_size() -> &'static str {
    "not unix"
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
const KIND: &str = "a well known unix";

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "freebsd")))]
const KIND: &str = "something else";

fn main() {
    let s = Settings { verbose: true, level: 3 };
    let t = s.clone();
    println!("{:?}", s);
    println!("equal after clone: {}", s == t);
    println!("verbose {} level {}", t.verbose, t.level);

    println!("word size: {}", word_size());
    println!("kind: {}", KIND);

    #[cfg(unix)]
    println!("this statement only exists on unix");
    #[cfg(not(unix))]
    println!("this statement only exists elsewhere");

    let mut steps = vec!["start"];
    #[cfg(target_endian = "little")]
    steps.push("little endian");
    #[cfg(target_endian = "big")]
    steps.push("big endian");
    steps.push("done");
    println!("{:?}", steps);
}
