// Collecting iterators into different containers: Vec, String, BTreeMap, BTreeSet, Result and Option.
use std::collections::{BTreeMap, BTreeSet, VecDeque};

fn main() {
    let words = ["apple", "bob", "cat", "apple", "dog", "bob"];

    let v: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
    println!("Vec: {:?}", v);

    let joined: String = words.iter().map(|w| &w[..1]).collect();
    println!("String: {}", joined);

    let set: BTreeSet<&str> = words.iter().copied().collect();
    println!("BTreeSet: {:?}", set);

    let lengths: BTreeMap<&str, usize> = words.iter().map(|w| (*w, w.len())).collect();
    println!("BTreeMap: {:?}", lengths);

    let deque: VecDeque<usize> = (1..=4).collect();
    println!("VecDeque: {:?}", deque);

    let good: Result<Vec<u8>, _> = ["1", "2", "3"].iter().map(|s| s.parse::<u8>()).collect();
    println!("Result ok: {:?}", good);
    let bad: Result<Vec<u8>, _> = ["1", "300", "3"].iter().map(|s| s.parse::<u8>()).collect();
    println!("Result err: {}", bad.unwrap_err());

    let some: Option<Vec<char>> = ["a", "b"].iter().map(|s| s.chars().next()).collect();
    println!("Option: {:?}", some);
    let none: Option<Vec<char>> = ["a", ""].iter().map(|s| s.chars().next()).collect();
    println!("Option none: {:?}", none);

    let (evens, odds): (Vec<u32>, Vec<u32>) = (1..10).partition(|n| n % 2 == 0);
    println!("evens {:?} odds {:?}", evens, odds);

    let (names, nums): (Vec<&str>, Vec<i32>) = vec![("a", 1), ("b", 2)].into_iter().unzip();
    println!("unzipped {:?} {:?}", names, nums);
}
