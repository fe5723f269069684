// Textual order of macro_rules!: a macro is usable after its definition, including in later items.
macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

fn squares_up_to(n: i32) -> Vec<i32> {
    (1..=n).map(|i| square!(i)).collect()
}

macro_rules! cube {
    ($x:expr) => {
        square!($x) * $x
    };
}

fn cubes_up_to(n: i32) -> Vec<i32> {
    (1..=n).map(|i| cube!(i)).collect()
}

fn main() {
    println!("squares: {:?}", squares_up_to(5));
    println!("cubes: {:?}", cubes_up_to(5));
    println!("square!(2 + 1) = {}", square!(2 + 1));
    println!("cube!(3) = {}", cube!(3));

    macro_rules! local_double {
        ($x:expr) => {
            2 * $x
        };
    }
    println!("local_double!(21) = {}", local_double!(21));
}
