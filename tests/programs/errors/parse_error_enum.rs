// A custom error enum wrapping ParseIntError, with a Result alias and `?`.
use std::fmt;
use std::num::ParseIntError;

#[derive(Debug)]
enum MyError {
    Empty,
    Parse(ParseIntError),
    Negative(i64),
}

type Result<T> = std::result::Result<T, MyError>;

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MyError::Empty => write!(f, "the input was empty"),
            MyError::Parse(e) => write!(f, "could not parse: {}", e),
            MyError::Negative(n) => write!(f, "{} is negative", n),
        }
    }
}

impl From<ParseIntError> for MyError {
    fn from(err: ParseIntError) -> MyError {
        MyError::Parse(err)
    }
}

fn parse_positive(s: &str) -> Result<i64> {
    if s.is_empty() {
        return Err(MyError::Empty);
    }
    let n: i64 = s.trim().parse()?;
    if n < 0 {
        Err(MyError::Negative(n))
    } else {
        Ok(n)
    }
}

fn main() {
    for input in ["42", "", "-7", "abc", " 100 "] {
        match parse_positive(input) {
            Ok(n) => println!("{:?} -> ok {}", input, n),
            Err(e) => println!("{:?} -> error: {}", input, e),
        }
    }
}
