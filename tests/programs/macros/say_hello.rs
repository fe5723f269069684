// The simplest macro_rules! macro, defined at top level and invoked inside main.
macro_rules! say_hello {
    () => {
        println!("Hello!")
    };
}

macro_rules! say_twice {
    ($msg:expr) => {
        println!("{}", $msg);
        println!("{}", $msg);
    };
}

fn main() {
    say_hello!();
    say_twice!("twice");
    say_hello!();
    say_twice!(format!("{}-{}", 1, 2));
}
