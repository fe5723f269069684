// Doubling the first element of a vector of strings, combining Option and Result errors.
use std::fmt;
use std::num::ParseIntError;

#[derive(Debug)]
enum MyError {
    EmptyVec,
    Parse(ParseIntError),
}

type Result<T> = std::result::Result<T, MyError>;

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            MyError::EmptyVec => write!(f, "please use a vector with at least one element"),
            MyError::Parse(ref e) => write!(f, "the provided string could not be parsed as int: {}", e),
        }
    }
}

impl From<ParseIntError> for MyError {
    fn from(err: ParseIntError) -> Self {
        MyError::Parse(err)
    }
}

fn double_first(vec: Vec<&str>) -> Result<i32> {
    let first = vec.first().ok_or(MyError::EmptyVec)?;
    let parsed = first.parse::<i32>()?;
    Ok(2 * parsed)
}

fn print(result: Result<i32>) {
    match result {
        Ok(n) => println!("The first doubled is {}", n),
        Err(e) => println!("Error: {}", e),
    }
}

fn main() {
    let numbers = vec!["42", "93", "18"];
    let empty = vec![];
    let strings = vec!["tofu", "93", "18"];

    print(double_first(numbers));
    print(double_first(empty));
    print(double_first(strings));
}
