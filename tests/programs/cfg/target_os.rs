// Conditional compilation on target_os with a cfg attribute pair and the cfg! macro.
#[cfg(target_os = "linux")]
fn are_you_on_linux() {
    println!("You are running linux!");
}

#[cfg(not(target_os = "linux"))]
fn are_you_on_linux() {
    println!("You are *not* running linux!");
}

#[cfg(unix)]
fn path_separator() -> char {
    '/'
}

#[cfg(not(unix))]
fn path_separator() -> char {
    '\\'
}

fn main() {
    are_you_on_linux();

    println!("Are you sure?");
    if cfg!(target_os = "linux") {
        println!("Yes. It's definitely linux!");
    } else {
        println!("Yes. It's definitely *not* linux!");
    }

    let parts = ["home", "ferris", "notes.txt"];
    let sep = path_separator().to_string();
    println!("joined path: {}{}", sep, parts.join(&sep));
    println!("family is unix: {}", cfg!(target_family = "unix"));
}
