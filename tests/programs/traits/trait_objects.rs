// Trait objects in a Vec<Box<dyn Shape>>, dynamic dispatch, and a function returning Box<dyn Trait>.
trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        String::from("shape")
    }
}

struct Point {
    x: f64,
    y: f64,
}

struct Circle {
    center: Point,
    radius: f64,
}

struct Square {
    corner: Point,
    side: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.14 * self.radius * self.radius
    }
    fn name(&self) -> String {
        format!("circle at ({}, {})", self.center.x, self.center.y)
    }
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.side * self.side
    }
    fn name(&self) -> String {
        format!("square at ({}, {})", self.corner.x, self.corner.y)
    }
}

struct Blob;

impl Shape for Blob {
    fn area(&self) -> f64 {
        0.0
    }
}

fn make_shape(kind: u8) -> Box<dyn Shape> {
    match kind {
        0 => Box::new(Circle { center: Point { x: 0.0, y: 0.0 }, radius: 1.0 }),
        1 => Box::new(Square { corner: Point { x: 1.0, y: 2.0 }, side: 3.0 }),
        _ => Box::new(Blob),
    }
}

fn total_area(shapes: &[Box<dyn Shape>]) -> f64 {
    shapes.iter().map(|s| s.area()).sum()
}

fn main() {
    let shapes: Vec<Box<dyn Shape>> = (0..4).map(make_shape).collect();
    for s in shapes.iter() {
        println!("{} has area {:.2}", s.name(), s.area());
    }
    println!("total area: {:.2}", total_area(&shapes));

    let r: &dyn Shape = &Square { corner: Point { x: -1.0, y: -1.0 }, side: 0.5 };
    println!("by reference: {} {}", r.name(), r.area());
}
