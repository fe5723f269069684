// Converting several error kinds into one enum via From, with main returning a boxed error.
use std::fmt;
use std::num::{ParseFloatError, ParseIntError};

#[derive(Debug)]
enum MyError {
    Int(ParseIntError),
    Float(ParseFloatError),
    OutOfRange(f64),
}

type Result<T> = std::result::Result<T, MyError>;

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MyError::Int(e) => write!(f, "integer error: {}", e),
            MyError::Float(e) => write!(f, "float error: {}", e),
            MyError::OutOfRange(v) => write!(f, "value {} is out of range", v),
        }
    }
}

impl std::error::Error for MyError {}

impl From<ParseIntError> for MyError {
    fn from(e: ParseIntError) -> Self {
        MyError::Int(e)
    }
}

impl From<ParseFloatError> for MyError {
    fn from(e: ParseFloatError) -> Self {
        MyError::Float(e)
    }
}

fn scaled(count: &str, factor: &str) -> Result<f64> {
    let count: u32 = count.parse()?;
    let factor: f64 = factor.parse()?;
    let value = count as f64 * factor;
    if value > 1000.0 {
        return Err(MyError::OutOfRange(value));
    }
    Ok(value)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let inputs = [("3", "1.5"), ("three", "1.5"), ("3", "one"), ("900", "2.0")];
    for (c, f) in inputs {
        match scaled(c, f) {
            Ok(v) => println!("scaled({}, {}) = {}", c, f, v),
            Err(e) => println!("scaled({}, {}) failed: {}", c, f, e),
        }
    }
    let v = scaled("10", "0.25")?;
    println!("final value {}", v);
    Ok(())
}
