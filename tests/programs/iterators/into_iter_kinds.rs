// iter, iter_mut and into_iter, and implementing IntoIterator for a custom collection.
struct Stack {
    items: Vec<i32>,
}

impl IntoIterator for Stack {
    type Item = i32;
    type IntoIter = std::iter::Rev<std::vec::IntoIter<i32>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().rev()
    }
}

impl<'a> IntoIterator for &'a Stack {
    type Item = &'a i32;
    type IntoIter = std::iter::Rev<std::slice::Iter<'a, i32>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().rev()
    }
}

fn main() {
    let names = vec!["Bob", "Frank", "Ferris"];
    for name in names.iter() {
        match name {
            &"Ferris" => println!("There is a rustacean among us!"),
            _ => println!("Hello {}", name),
        }
    }
    println!("names: {:?}", names);

    let mut scores = vec![10, 20, 30];
    for s in scores.iter_mut() {
        *s += 5;
    }
    println!("scores: {:?}", scores);

    let owned = vec![String::from("x"), String::from("y")];
    for s in owned.into_iter() {
        println!("took ownership of {}", s);
    }

    let stack = Stack { items: vec![1, 2, 3] };
    for x in &stack {
        println!("peek {}", x);
    }
    let popped: Vec<i32> = stack.into_iter().collect();
    println!("popped order: {:?}", popped);
}
