// Returning closures from functions with impl Fn and Box<dyn Fn>, and composing them.
fn create_fn() -> impl Fn() {
    let text = "Fn".to_owned();
    move || println!("This is a: {}", text)
}

fn create_fnmut() -> impl FnMut() {
    let text = "FnMut".to_owned();
    let mut calls = 0;
    move || {
        calls += 1;
        println!("This is a: {} (call {})", text, calls)
    }
}

fn create_fnonce() -> impl FnOnce() {
    let text = "FnOnce".to_owned();
    move || println!("This is a: {}", text)
}

fn make_op(name: &str) -> Box<dyn Fn(i32, i32) -> i32> {
    match name {
        "add" => Box::new(|a, b| a + b),
        "mul" => Box::new(|a, b| a * b),
        _ => Box::new(|a, _| a),
    }
}

fn compose<A, B, C>(f: impl Fn(A) -> B, g: impl Fn(B) -> C) -> impl Fn(A) -> C {
    move |x| g(f(x))
}

fn main() {
    let fn_plain = create_fn();
    let mut fn_mut = create_fnmut();
    let fn_once = create_fnonce();

    fn_plain();
    fn_mut();
    fn_mut();
    fn_once();

    for name in ["add", "mul", "first"] {
        let op = make_op(name);
        println!("{}(6, 7) = {}", name, op(6, 7));
    }

    let add_then_square = compose(|x: i32| x + 1, |y: i32| y * y);
    println!("add_then_square(4) = {}", add_then_square(4));
    let to_label = compose(|x: u32| x * 10, |y: u32| format!("<{}>", y));
    println!("{}", to_label(5));
}
