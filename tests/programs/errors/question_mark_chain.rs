// main returning Result<(), Box<dyn Error>>, chaining `?` across several custom error types.
use std::error::Error;
use std::fmt;

#[derive(Debug)]
struct MyError {
    details: String,
}

impl MyError {
    fn new(msg: &str) -> MyError {
        MyError { details: msg.to_string() }
    }
}

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.details)
    }
}

impl Error for MyError {}

type Result<T> = std::result::Result<T, MyError>;

fn validate_name(name: &str) -> Result<&str> {
    if name.chars().all(|c| c.is_ascii_alphabetic()) && !name.is_empty() {
        Ok(name)
    } else {
        Err(MyError::new(&format!("invalid name {:?}", name)))
    }
}

fn parse_record(record: &str) -> std::result::Result<(String, u8), Box<dyn Error>> {
    let mut parts = record.split(',');
    let name = parts.next().ok_or_else(|| MyError::new("no name"))?;
    let age = parts.next().ok_or_else(|| MyError::new("no age"))?;
    let name = validate_name(name.trim())?;
    let age: u8 = age.trim().parse()?;
    Ok((name.to_string(), age))
}

fn main() -> std::result::Result<(), Box<dyn Error>> {
    let records = ["Ferris, 8", "Corro,300", "R2D2, 40", "Alone", "Tux, 31"];
    for record in records.iter() {
        match parse_record(record) {
            Ok((name, age)) => println!("{} is {} years old", name, age),
            Err(e) => println!("skipping {:?}: {}", record, e),
        }
    }
    let (name, age) = parse_record("Ada, 36")?;
    println!("final record: {} {}", name, age);
    Ok(())
}
