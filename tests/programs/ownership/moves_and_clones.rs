// Ownership and moves: Copy types, moving heap data into functions, cloning, and returning ownership.
fn destroy_box(c: Box<i32>) {
    println!("Destroying a box that contains {}", c);
}

fn takes_and_gives_back(s: String) -> String {
    println!("borrowed for a moment: {}", s);
    s
}

fn calculate_length(s: String) -> (String, usize) {
    let length = s.len();
    (s, length)
}

fn main() {
    let x = 5u32;
    let y = x;
    println!("x is {}, and y is {}", x, y);

    let a = Box::new(5i32);
    println!("a contains: {}", a);
    let b = a;
    destroy_box(b);

    let s1 = String::from("hello");
    let s2 = s1.clone();
    println!("s1 = {}, s2 = {}", s1, s2);

    let s3 = takes_and_gives_back(s1);
    let (s4, len) = calculate_length(s3);
    println!("The length of '{}' is {}.", s4, len);

    let immutable_box = Box::new(5u32);
    println!("immutable_box contains {}", immutable_box);
    let mut mutable_box = immutable_box;
    println!("mutable_box contains {}", mutable_box);
    *mutable_box = 4;
    println!("mutable_box now contains {}", mutable_box);

    #[derive(Debug)]
    struct Person {
        name: String,
        age: Box<u8>,
    }
    let person = Person { name: String::from("Alice"), age: Box::new(20) };
    let Person { name, ref age } = person;
    println!("The person's age is {}", age);
    println!("The person's name is {}", name);
    println!("The person's age from person struct is {}", person.age);
}
