// Function pointers (fn types) versus closures, passing both to the same generic function.
fn add_one(x: i32) -> i32 {
    x + 1
}

fn do_twice(f: fn(i32) -> i32, arg: i32) -> i32 {
    f(arg) + f(arg)
}

fn apply<F: Fn(i32) -> i32>(f: F, arg: i32) -> i32 {
    f(arg)
}

#[allow(dead_code)]
#[derive(Debug)]
enum Status {
    Value(u32),
}

fn main() {
    let answer = do_twice(add_one, 5);
    println!("The answer is: {}", answer);
    println!("do_twice with a non-capturing closure: {}", do_twice(|x| x * 10, 2));

    let offset = 100;
    println!("apply with capturing closure: {}", apply(|x| x + offset, 1));
    println!("apply with fn item: {}", apply(add_one, 1));

    let list_of_numbers = vec![1, 2, 3];
    let list_of_strings: Vec<String> = list_of_numbers.iter().map(ToString::to_string).collect();
    println!("{:?}", list_of_strings);

    let list_of_statuses: Vec<Status> = (0u32..4).map(Status::Value).collect();
    println!("{:?}", list_of_statuses);

    let table: [(&str, fn(f64) -> f64); 3] = [("sqrt", f64::sqrt), ("abs", f64::abs), ("floor", f64::floor)];
    for (name, f) in table.iter() {
        println!("{}(6.25) = {}, {}(-2.5) = {}", name, f(6.25), name, f(-2.5));
    }
}
