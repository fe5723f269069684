// A Counter iterator combined with zip, skip, map, filter and sum, as in the Rust book.
struct Counter {
    count: u32,
}

impl Counter {
    fn new() -> Counter {
        Counter { count: 0 }
    }
}

impl Iterator for Counter {
    type Item = u32;

    fn next(&mut self) -> Option<Self::Item> {
        if self.count < 5 {
            self.count += 1;
            Some(self.count)
        } else {
            None
        }
    }
}

fn main() {
    let mut counter = Counter::new();
    println!("{:?}", counter.next());
    println!("{:?}", counter.next());

    let all: Vec<u32> = Counter::new().collect();
    println!("all: {:?}", all);

    let pairs: Vec<(u32, u32)> = Counter::new().zip(Counter::new().skip(1)).collect();
    println!("pairs: {:?}", pairs);

    let sum: u32 = Counter::new()
        .zip(Counter::new().skip(1))
        .map(|(a, b)| a * b)
        .filter(|x| x % 3 == 0)
        .sum();
    println!("sum: {}", sum);

    let total: u32 = Counter::new().sum();
    let max = Counter::new().max();
    let count = Counter::new().count();
    println!("total {}, max {:?}, count {}", total, max, count);
}
