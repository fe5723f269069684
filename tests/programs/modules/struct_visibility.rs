// Struct field visibility: public tuple structs, private fields, and constructors.
mod my {
    pub struct OpenBox<T> {
        pub contents: T,
    }

    pub struct ClosedBox<T> {
        contents: T,
    }

    impl<T: std::fmt::Debug> ClosedBox<T> {
        pub fn new(contents: T) -> ClosedBox<T> {
            ClosedBox { contents }
        }

        pub fn peek(&self) -> String {
            format!("{:?}", self.contents)
        }
    }

    pub struct Meters(pub f64);

    pub struct Secret(u32);

    impl Secret {
        pub fn new(x: u32) -> Secret {
            Secret(x * 7)
        }
        pub fn hint(&self) -> u32 {
            self.0 % 10
        }
    }
}

fn main() {
    let open_box = my::OpenBox { contents: "public information" };
    println!("The open box contains: {}", open_box.contents);

    let closed_box = my::ClosedBox::new("classified information");
    println!("The closed box contains: {}", closed_box.peek());

    let m = my::Meters(12.5);
    println!("{} meters", m.0);

    let s = my::Secret::new(6);
    println!("secret hint: {}", s.hint());
}
