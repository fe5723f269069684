// Wrapping errors with an enum that implements Error::source.
use std::error;
use std::fmt;
use std::num::ParseIntError;

type Result<T> = std::result::Result<T, DoubleError>;

#[derive(Debug)]
enum DoubleError {
    EmptyVec,
    Parse(ParseIntError),
}

impl fmt::Display for DoubleError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            DoubleError::EmptyVec => write!(f, "please use a vector with at least one element"),
            DoubleError::Parse(..) => write!(f, "the provided string could not be parsed as int"),
        }
    }
}

impl error::Error for DoubleError {
    fn source(&self) -> Option<&(dyn error::Error + 'static)> {
        match *self {
            DoubleError::EmptyVec => None,
            DoubleError::Parse(ref e) => Some(e),
        }
    }
}

impl From<ParseIntError> for DoubleError {
    fn from(err: ParseIntError) -> DoubleError {
        DoubleError::Parse(err)
    }
}

fn double_last(vec: Vec<&str>) -> Result<i32> {
    let last = vec.last().ok_or(DoubleError::EmptyVec)?;
    let parsed = last.parse::<i32>()?;
    Ok(2 * parsed)
}

fn print(result: Result<i32>) {
    match result {
        Ok(n) => println!("The last doubled is {}", n),
        Err(e) => {
            println!("Error: {}", e);
            if let Some(source) = error::Error::source(&e) {
                println!("  Caused by: {}", source);
            }
        }
    }
}

fn main() {
    print(double_last(vec!["4", "8", "15"]));
    print(double_last(vec![]));
    print(double_last(vec!["16", "23", "forty-two"]));
}
