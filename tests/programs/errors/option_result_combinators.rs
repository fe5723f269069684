// Combinators on Option and Result: map, and_then, ok_or, unwrap_or, collect into Result.
use std::num::ParseIntError;

type Result<T> = std::result::Result<T, ParseIntError>;

fn multiply(first: &str, second: &str) -> Result<i32> {
    first.parse::<i32>().and_then(|a| second.parse::<i32>().map(|b| a * b))
}

fn parse_all(items: &[&str]) -> Result<Vec<i32>> {
    items.iter().map(|s| s.parse::<i32>()).collect()
}

fn checked_half(n: i32) -> Option<i32> {
    if n % 2 == 0 { Some(n / 2) } else { None }
}

fn main() {
    match multiply("10", "2") {
        Ok(n) => println!("n is {}", n),
        Err(e) => println!("Error: {}", e),
    }
    match multiply("t", "2") {
        Ok(n) => println!("n is {}", n),
        Err(e) => println!("Error: {}", e),
    }

    println!("{:?}", parse_all(&["1", "2", "3"]));
    println!("{:?}", parse_all(&["1", "two", "3"]).is_err());

    let strings = vec!["7", "tofu", "93", "18", "x"];
    let (numbers, errors): (Vec<_>, Vec<_>) =
        strings.iter().map(|s| s.parse::<i32>()).partition(|r| r.is_ok());
    let numbers: Vec<i32> = numbers.into_iter().map(|r| r.unwrap()).collect();
    println!("Numbers: {:?}", numbers);
    println!("Error count: {}", errors.len());

    for n in [8, 6, 5] {
        let quarter = checked_half(n).and_then(checked_half);
        println!("{} / 4 = {:?}", n, quarter);
        println!("  or default: {}", quarter.unwrap_or(-1));
        let as_result = quarter.ok_or("not divisible by four");
        println!("  as result: {:?}", as_result);
    }

    let summed: Option<i32> = [Some(1), Some(2), Some(3)].into_iter().sum();
    println!("summed = {:?}", summed);
}
