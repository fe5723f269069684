// Counting words with a HashMap and the entry API, printing results in sorted order.
use std::collections::HashMap;

fn main() {
    let text = "the quick brown fox jumps over the lazy dog the fox";

    let mut map: HashMap<&str, u32> = HashMap::new();
    for word in text.split_whitespace() {
        let count = map.entry(word).or_insert(0);
        *count += 1;
    }

    let mut entries: Vec<(&&str, &u32)> = map.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (word, count) in &entries {
        println!("{:>6}: {}", word, count);
    }

    println!("distinct words: {}", map.len());
    println!("count of 'fox': {:?}", map.get("fox"));
    println!("count of 'cat': {:?}", map.get("cat"));

    let mut scores = HashMap::new();
    scores.insert(String::from("Blue"), 10);
    scores.insert(String::from("Yellow"), 50);
    scores.insert(String::from("Blue"), 25);
    scores.entry(String::from("Red")).or_insert(5);
    scores.entry(String::from("Yellow")).or_insert(100);
    if let Some(score) = scores.get_mut("Red") {
        *score *= 2;
    }
    scores.remove("Nobody");

    let mut teams: Vec<_> = scores.keys().cloned().collect();
    teams.sort();
    for team in teams {
        println!("{} => {}", team, scores[&team]);
    }
}
