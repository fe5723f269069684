// Stateful closures: counters and accumulators built from FnMut closures stored in structs.
struct Cacher<T>
where
    T: Fn(u64) -> u64,
{
    calculation: T,
    value: Option<u64>,
}

impl<T> Cacher<T>
where
    T: Fn(u64) -> u64,
{
    fn new(calculation: T) -> Cacher<T> {
        Cacher { calculation, value: None }
    }

    fn value(&mut self, arg: u64) -> u64 {
        match self.value {
            Some(v) => v,
            None => {
                let v = (self.calculation)(arg);
                self.value = Some(v);
                v
            }
        }
    }
}

fn make_counter() -> impl FnMut() -> u32 {
    let mut count = 0;
    move || {
        count += 1;
        count
    }
}

fn main() {
    let mut expensive = Cacher::new(|num| {
        println!("calculating slowly...");
        num * 100
    });
    println!("first call: {}", expensive.value(4));
    println!("second call: {}", expensive.value(9));

    let mut a = make_counter();
    let mut b = make_counter();
    println!("a: {} {} {}", a(), a(), a());
    println!("b: {}", b());
    println!("a again: {}", a());

    let mut history = Vec::new();
    let mut record = |x: i32| history.push(x * x);
    for i in 1..=4 {
        record(i);
    }
    println!("history: {:?}", history);
}
