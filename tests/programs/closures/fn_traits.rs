// Passing closures to functions bounded by Fn, FnMut and FnOnce.
fn apply<F>(f: F)
where
    F: FnOnce(),
{
    f();
}

fn apply_to_3<F>(f: F) -> i32
where
    F: Fn(i32) -> i32,
{
    f(3)
}

fn call_twice<F: FnMut()>(mut f: F) {
    f();
    f();
}

fn call_me<F: Fn()>(f: F) {
    f();
}

fn function() {
    println!("I'm a function!");
}

fn main() {
    let greeting = "hello";
    let mut farewell = "goodbye".to_owned();

    let diary = || {
        println!("I said {}.", greeting);
        farewell.push_str("!!!");
        println!("Then I screamed {}.", farewell);
        println!("Now I can sleep. zzzzz");
        std::mem::drop(farewell);
    };
    apply(diary);

    let double = |x| 2 * x;
    println!("3 doubled: {}", apply_to_3(double));

    let mut total = 0;
    call_twice(|| {
        total += 10;
        println!("total is now {}", total);
    });
    println!("final total {}", total);

    let closure = || println!("I'm a closure!");
    call_me(closure);
    call_me(function);
}
