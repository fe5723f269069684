// Lifetime annotations in functions, structs holding references, and methods with elision.
#[derive(Debug)]
struct ImportantExcerpt<'a> {
    part: &'a str,
}

impl<'a> ImportantExcerpt<'a> {
    fn level(&self) -> i32 {
        3
    }

    fn announce_and_return_part(&self, announcement: &str) -> &str {
        println!("Attention please: {}", announcement);
        self.part
    }
}

fn longest<'a>(x: &'a str, y: &'a str) -> &'a str {
    if x.len() > y.len() { x } else { y }
}

fn print_refs<'a, 'b>(x: &'a i32, y: &'b i32) {
    println!("x is {} and y is {}", x, y);
}

fn first_two<'a>(items: &'a [String]) -> (&'a str, &'a str) {
    (&items[0], &items[1])
}

struct Parser<'s> {
    text: &'s str,
    pos: usize,
}

impl<'s> Parser<'s> {
    fn next_word(&mut self) -> Option<&'s str> {
        let rest = &self.text[self.pos..];
        let rest_trimmed = rest.trim_start();
        if rest_trimmed.is_empty() {
            return None;
        }
        let start = self.pos + (rest.len() - rest_trimmed.len());
        let end = rest_trimmed.find(' ').map(|i| start + i).unwrap_or(self.text.len());
        self.pos = end;
        Some(&self.text[start..end])
    }
}

fn main() {
    let string1 = String::from("long string is long");
    let result;
    {
        let string2 = String::from("xyz");
        result = longest(string1.as_str(), string2.as_str()).to_string();
    }
    println!("The longest string is {}", result);

    let novel = String::from("Call me Ishmael. Some years ago...");
    let first_sentence = novel.split('.').next().expect("Could not find a '.'");
    let i = ImportantExcerpt { part: first_sentence };
    println!("{:?} at level {}", i, i.level());
    println!("returned: {}", i.announce_and_return_part("excerpt"));

    let (four, nine) = (4, 9);
    print_refs(&four, &nine);

    let words = vec![String::from("alpha"), String::from("beta"), String::from("gamma")];
    let (a, b) = first_two(&words);
    println!("first two: {} {}", a, b);

    let mut p = Parser { text: "  parse  these words ", pos: 0 };
    while let Some(w) = p.next_word() {
        println!("word: {:?}", w);
    }

    let s: &'static str = "I have a static lifetime.";
    println!("{}", s);
}
