// With panic = "unwind", a panic inside catch_unwind is caught; a quiet hook keeps stderr clean.
use std::panic;

#[cfg(panic = "unwind")]
fn checked_divide(a: i32, b: i32) -> Option<i32> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(|| {
        if b == 0 {
            panic!("division by zero");
        }
        a / b
    });
    panic::set_hook(previous);
    result.ok()
}

#[cfg(not(panic = "unwind"))]
fn checked_divide(a: i32, b: i32) -> Option<i32> {
    if b == 0 { None } else { Some(a / b) }
}

fn main() {
    for (a, b) in [(10, 2), (7, 0), (-9, 3), (1, 0)] {
        match checked_divide(a, b) {
            Some(q) => println!("{} / {} = {}", a, b, q),
            None => println!("{} / {} failed", a, b),
        }
    }
    println!("program continues normally");
}
