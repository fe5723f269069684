// How `move` changes what a closure owns, and FnOnce closures that consume their captures.
fn consume_with<F: FnOnce() -> String>(f: F) -> String {
    f()
}

fn main() {
    let mut list = vec![1, 2, 3];
    println!("Before defining closure: {:?}", list);

    let only_borrows = || println!("From closure: {:?}", list);
    println!("Before calling closure: {:?}", list);
    only_borrows();
    println!("After calling closure: {:?}", list);

    let mut borrows_mutably = || list.push(7);
    borrows_mutably();
    println!("After calling mutating closure: {:?}", list);

    let owned = move || {
        let total: i32 = list.iter().sum();
        format!("moved list summed to {}", total)
    };
    println!("{}", owned());
    println!("{}", owned());

    let name = String::from("Ferris");
    let greeting = consume_with(move || {
        let mut s = name;
        s.push_str(" says hi");
        s
    });
    println!("{}", greeting);

    let x = 5;
    let copy_captured = move || x * 2;
    println!("x is still usable: {} (closure gives {})", x, copy_captured());
}
