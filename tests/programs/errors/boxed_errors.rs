// Using Box<dyn Error> as a catch-all error type with a custom error struct.
use std::error::Error;
use std::fmt;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[derive(Debug, Clone)]
struct EmptyVec;

impl fmt::Display for EmptyVec {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "invalid first item to double")
    }
}

impl Error for EmptyVec {}

fn sum_first_two(vec: &[&str]) -> Result<i32> {
    let a = vec.first().ok_or(EmptyVec)?.parse::<i32>()?;
    let b = vec.get(1).ok_or_else(|| Box::new(EmptyVec) as Box<dyn Error>)?.parse::<i32>()?;
    Ok(a + b)
}

fn report(result: Result<i32>) {
    match result {
        Ok(n) => println!("The sum is {}", n),
        Err(e) => println!("Error: {}", e),
    }
}

fn main() {
    report(sum_first_two(&["3", "4", "5"]));
    report(sum_first_two(&[]));
    report(sum_first_two(&["7"]));
    report(sum_first_two(&["seven", "8"]));
    report(sum_first_two(&["10", "x"]));
}
