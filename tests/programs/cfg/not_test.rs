// Items under #[cfg(test)] vanish from a normal build, while #[cfg(not(test))] twins are kept.
fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_adds() {
        assert_eq!(add(2, 2), 4);
    }
}

#[cfg(test)]
fn mode() -> &'static str {
    "test harness"
}

#[cfg(not(test))]
fn mode() -> &'static str {
    "normal binary"
}

fn main() {
    println!("running as a {}", mode());
    for (a, b) in [(1, 2), (20, 22), (-5, 5)] {
        println!("add({}, {}) = {}", a, b, add(a, b));
    }
    println!("cfg!(test) = {}", cfg!(test));
}
