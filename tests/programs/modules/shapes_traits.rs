// Another `shapes` module, this time with a trait, submodules and `use self::` re-exports.
mod shapes {
    pub use self::polygon::Triangle;
    pub use self::round::Disk;

    pub trait Shape {
        fn name(&self) -> String;
        fn perimeter(&self) -> f64;
    }

    pub mod polygon {
        use super::Shape;

        pub struct Triangle(pub f64, pub f64, pub f64);

        impl Shape for Triangle {
            fn name(&self) -> String {
                String::from("triangle")
            }
            fn perimeter(&self) -> f64 {
                self.0 + self.1 + self.2
            }
        }
    }

    pub mod round {
        use super::Shape;

        pub struct Disk {
            pub r: f64,
        }

        impl Shape for Disk {
            fn name(&self) -> String {
                format!("disk(r={})", self.r)
            }
            fn perimeter(&self) -> f64 {
                2.0 * 3.0 * self.r
            }
        }
    }

    pub fn longest(items: &[Box<dyn Shape>]) -> Option<&dyn Shape> {
        let mut best: Option<&dyn Shape> = None;
        for item in items {
            match best {
                Some(b) if b.perimeter() >= item.perimeter() => {}
                _ => best = Some(item.as_ref()),
            }
        }
        best
    }
}

use shapes::Shape;

fn main() {
    let items: Vec<Box<dyn Shape>> = vec![
        Box::new(shapes::Triangle(3.0, 4.0, 5.0)),
        Box::new(shapes::Disk { r: 2.5 }),
        Box::new(shapes::polygon::Triangle(1.0, 1.0, 1.0)),
    ];
    for item in &items {
        println!("{} has perimeter {}", item.name(), item.perimeter());
    }
    if let Some(s) = shapes::longest(&items) {
        println!("longest perimeter: {}", s.name());
    }
}
