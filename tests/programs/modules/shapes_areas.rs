// A `shapes` module with structs, constructors and private fields accessed through methods.
mod shapes {
    pub struct Rectangle {
        width: f64,
        height: f64,
    }

    pub struct Circle {
        pub radius: f64,
    }

    impl Rectangle {
        pub fn new(width: f64, height: f64) -> Rectangle {
            Rectangle { width, height }
        }

        pub fn square(side: f64) -> Rectangle {
            Rectangle::new(side, side)
        }

        pub fn area(&self) -> f64 {
            self.width * self.height
        }

        pub fn is_square(&self) -> bool {
            self.width == self.height
        }
    }

    impl Circle {
        pub fn area(&self) -> f64 {
            std::f64::consts::PI * self.radius * self.radius
        }
    }

    pub fn describe(r: &Rectangle) -> String {
        format!("{} x {} rectangle", r.width, r.height)
    }
}

fn main() {
    let r = shapes::Rectangle::new(3.0, 4.5);
    let s = shapes::Rectangle::square(2.0);
    let c = shapes::Circle { radius: 1.5 };

    println!("{} has area {}", shapes::describe(&r), r.area());
    println!("{} has area {} (square: {})", shapes::describe(&s), s.area(), s.is_square());
    println!("circle of radius {} has area {:.3}", c.radius, c.area());
    println!("r is square: {}", r.is_square());
}
