// A recursive macro computing the minimum of any number of arguments.
macro_rules! find_min {
    ($x:expr) => ($x);
    ($x:expr, $($y:expr),+) => (
        std::cmp::min($x, find_min!($($y),+))
    )
}

macro_rules! count {
    () => (0usize);
    ($head:tt $($tail:tt)*) => (1usize + count!($($tail)*));
}

fn main() {
    println!("{}", find_min!(1));
    println!("{}", find_min!(1 + 2, 2));
    println!("{}", find_min!(5, 2 * 3, 4));
    println!("{}", find_min!(9, 8, 7, 6, 5, 4, 3, 10));

    println!("count!() = {}", count!());
    println!("count!(a b c) = {}", count!(a b c));
    println!("count!(1 2 3 4 5) = {}", count!(1 2 3 4 5));
}
