// Consuming adapters: fold, reduce, sum, product, min_by_key, max_by, all, any, count and last.
#[derive(Debug)]
struct Item {
    name: &'static str,
    price: u32,
    qty: u32,
}

fn main() {
    let numbers = [1, 2, 3, 4, 5];

    let sum = numbers.iter().fold(0, |acc, x| acc + x);
    println!("fold sum: {}", sum);

    let sentence = numbers.iter().fold(String::new(), |mut acc, n| {
        if !acc.is_empty() {
            acc.push('-');
        }
        acc.push_str(&n.to_string());
        acc
    });
    println!("fold string: {}", sentence);

    let max = numbers.iter().copied().reduce(|a, b| if a > b { a } else { b });
    println!("reduce max: {:?}", max);
    let empty: [i32; 0] = [];
    println!("reduce on empty: {:?}", empty.iter().copied().reduce(|a, b| a + b));

    let product: u64 = (1..=10).product();
    println!("10! = {}", product);

    let cart = vec![
        Item { name: "pen", price: 150, qty: 4 },
        Item { name: "notebook", price: 499, qty: 2 },
        Item { name: "eraser", price: 75, qty: 1 },
    ];
    let total: u32 = cart.iter().map(|i| i.price * i.qty).sum();
    println!("cart total: {}.{:02}", total / 100, total % 100);
    let cheapest = cart.iter().min_by_key(|i| i.price).unwrap();
    println!("cheapest: {}", cheapest.name);
    let most = cart.iter().max_by(|a, b| a.qty.cmp(&b.qty)).unwrap();
    println!("largest quantity: {:?}", most);

    println!("all positive: {}", numbers.iter().all(|&x| x > 0));
    println!("any > 4: {}", numbers.iter().any(|&x| x > 4));
    println!("count even: {}", numbers.iter().filter(|&&x| x % 2 == 0).count());
    println!("last: {:?}", numbers.iter().last());

    let running: Vec<i32> = numbers
        .iter()
        .scan(0, |state, &x| {
            *state += x;
            Some(*state)
        })
        .collect();
    println!("running totals: {:?}", running);
}
