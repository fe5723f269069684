// A BTreeMap inventory with ordered iteration, range queries, and first/last entries.
use std::collections::BTreeMap;

fn main() {
    let mut stock: BTreeMap<&str, u32> = BTreeMap::new();
    stock.insert("pears", 12);
    stock.insert("apples", 30);
    stock.insert("kiwis", 0);
    stock.insert("bananas", 7);
    stock.insert("cherries", 150);

    println!("Inventory:");
    for (fruit, count) in &stock {
        println!("  {:<9} {:>4}", fruit, count);
    }

    *stock.get_mut("kiwis").unwrap() += 20;
    *stock.entry("dates").or_insert(0) += 3;
    stock.retain(|_, &mut c| c > 5);
    println!("after restock and retain: {:?}", stock);

    let middle: Vec<&&str> = stock.range("b".."d").map(|(k, _)| k).collect();
    println!("fruits from b to d: {:?}", middle);

    println!("first: {:?}", stock.first_key_value());
    println!("last: {:?}", stock.last_key_value());

    let total: u32 = stock.values().sum();
    println!("total items: {}", total);

    let mut by_len: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for name in stock.keys() {
        by_len.entry(name.len()).or_default().push(name);
    }
    for (len, names) in &by_len {
        println!("length {}: {:?}", len, names);
    }
}
