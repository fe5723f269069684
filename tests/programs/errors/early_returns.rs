// Early returns with match before `?` existed, and the same function rewritten with `?`.
use std::num::ParseIntError;

type Result<T> = std::result::Result<T, ParseIntError>;

fn add_verbose(a: &str, b: &str) -> Result<i32> {
    let x = match a.parse::<i32>() {
        Ok(x) => x,
        Err(e) => return Err(e),
    };
    let y = match b.parse::<i32>() {
        Ok(y) => y,
        Err(e) => return Err(e),
    };
    Ok(x + y)
}

fn add_short(a: &str, b: &str) -> Result<i32> {
    Ok(a.parse::<i32>()? + b.parse::<i32>()?)
}

fn print(label: &str, result: Result<i32>) {
    match result {
        Ok(n) => println!("{}: n is {}", label, n),
        Err(e) => println!("{}: Error: {}", label, e),
    }
}

fn main() {
    let pairs = [("1", "2"), ("40", "2"), ("x", "2"), ("", "5"), ("99999999999", "1")];
    for (a, b) in pairs.iter() {
        print("verbose", add_verbose(a, b));
        print("short  ", add_short(a, b));
        assert_eq!(add_verbose(a, b), add_short(a, b));
    }
}
