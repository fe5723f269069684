// A macro that generates trait implementations for many types at once.
trait Describe {
    fn describe(&self) -> String;
}

macro_rules! impl_describe {
    ($($t:ty => $label:expr),* $(,)?) => {
        $(
            impl Describe for $t {
                fn describe(&self) -> String {
                    format!("{} ({})", self, $label)
                }
            }
        )*
    };
}

impl_describe! {
    i32 => "a signed integer",
    u8 => "a byte",
    f64 => "a float",
    bool => "a boolean",
    &str => "a string slice",
}

macro_rules! describe_all {
    ($($e:expr),*) => {
        $(println!("{}", Describe::describe(&$e));)*
    };
}

fn main() {
    describe_all!(-5i32, 200u8, 3.25f64, true, "text");
    let v: Vec<Box<dyn Describe>> = vec![Box::new(1i32), Box::new(false)];
    for d in &v {
        println!("boxed: {}", d.describe());
    }
}
