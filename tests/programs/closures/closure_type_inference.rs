// Closure syntax variants, type inference on first use, and closures stored in a Vec of boxes.
fn main() {
    fn add_one_v1(x: u32) -> u32 { x + 1 }
    let add_one_v2 = |x: u32| -> u32 { x + 1 };
    let add_one_v3 = |x| { x + 1 };
    let add_one_v4 = |x| x + 1;

    println!("{} {} {} {}", add_one_v1(1), add_one_v2(2), add_one_v3(3u32), add_one_v4(4u32));

    let example_closure = |x| x;
    let s = example_closure(String::from("hello"));
    println!("{}", s);

    let one = || 1;
    println!("closure returning one: {}", one());

    let outer = 7;
    let pipeline: Vec<Box<dyn Fn(i32) -> i32>> = vec![
        Box::new(|x| x + 1),
        Box::new(|x| x * 2),
        Box::new(move |x| x - outer),
    ];
    let mut value = 10;
    for (i, step) in pipeline.iter().enumerate() {
        value = step(value);
        println!("after step {}: {}", i, value);
    }
    let result = pipeline.iter().fold(0, |acc, f| f(acc));
    println!("folded from 0: {}", result);
}
