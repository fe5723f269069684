// Generic functions with trait bounds, where clauses, and a generic struct with a bounded impl.
use std::fmt::{Debug, Display};

fn largest<T: PartialOrd + Copy>(list: &[T]) -> T {
    let mut largest = list[0];
    for &item in list {
        if item > largest {
            largest = item;
        }
    }
    largest
}

fn describe<T, U>(t: &T, u: &U) -> String
where
    T: Display + Clone,
    U: Clone + Debug,
{
    format!("t = {}, u = {:?}", t, u)
}

struct Pair<T> {
    x: T,
    y: T,
}

impl<T> Pair<T> {
    fn new(x: T, y: T) -> Self {
        Self { x, y }
    }
}

impl<T: Display + PartialOrd> Pair<T> {
    fn cmp_display(&self) {
        if self.x >= self.y {
            println!("The largest member is x = {}", self.x);
        } else {
            println!("The largest member is y = {}", self.y);
        }
    }
}

trait HasArea {
    fn area(&self) -> f64;
}

#[derive(Debug)]
struct Rectangle {
    length: f64,
    height: f64,
}

impl HasArea for Rectangle {
    fn area(&self) -> f64 {
        self.length * self.height
    }
}

fn print_debug<T: Debug>(t: &T) {
    println!("{:?}", t);
}

fn area<T: HasArea>(t: &T) -> f64 {
    t.area()
}

fn main() {
    println!("largest i32: {}", largest(&[34, 50, 25, 100, 65]));
    println!("largest char: {}", largest(&['y', 'm', 'a', 'q']));
    println!("largest f64: {}", largest(&[0.5, -2.0, 1.25]));
    println!("{}", describe(&"hello", &vec![1, 2]));

    Pair::new(3, 7).cmp_display();
    Pair::new("zebra", "apple").cmp_display();

    let rectangle = Rectangle { length: 3.0, height: 4.0 };
    print_debug(&rectangle);
    println!("Area: {}", area(&rectangle));
}
