// Strings and &str: building, slicing by byte ranges, chars vs bytes, splitting, replacing and formatting.
fn first_word(s: &str) -> &str {
    let bytes = s.as_bytes();
    for (i, &item) in bytes.iter().enumerate() {
        if item == b' ' {
            return &s[0..i];
        }
    }
    &s[..]
}

fn main() {
    let pangram: &'static str = "the quick brown fox jumps over the lazy dog";
    println!("Pangram: {}", pangram);

    println!("Words in reverse");
    for word in pangram.split_whitespace().rev() {
        println!("> {}", word);
    }

    let mut chars: Vec<char> = pangram.chars().collect();
    chars.sort();
    chars.dedup();

    let mut string = String::new();
    for c in chars {
        string.push(c);
        string.push_str(", ");
    }
    let chars_to_trim: &[char] = &[' ', ','];
    let trimmed_str: &str = string.trim_matches(chars_to_trim);
    println!("Used characters: {}", trimmed_str);

    let alice = String::from("I like dogs");
    let bob: String = alice.replace("dog", "cat");
    println!("Alice says: {}", alice);
    println!("Bob says: {}", bob);

    let hello = "Здравствуйте";
    println!("{} has {} bytes and {} chars; first 4 bytes: {}", hello, hello.len(), hello.chars().count(), &hello[0..4]);

    let s1 = String::from("tic");
    let s2 = String::from("tac");
    let s3 = String::from("toe");
    let s = s1 + "-" + &s2 + "-" + &s3;
    println!("{}", s);
    println!("{}", format!("{}-{}-{}", s2, s3, s2));

    println!("first word: {:?}", first_word("hello world"));
    println!("first word: {:?}", first_word("single"));

    let csv = "name,age,,city";
    let fields: Vec<&str> = csv.split(',').collect();
    println!("fields: {:?}", fields);
    println!("upper: {}, starts with 'na': {}, find 'age': {:?}", csv.to_uppercase(), csv.starts_with("na"), csv.find("age"));
    println!("{:>8}|{:<8}|{:^8}|", "right", "left", "mid");
}
