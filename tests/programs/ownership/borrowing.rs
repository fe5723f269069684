// Borrowing: shared and mutable references, the borrow rules in sequence, and ref patterns.
#[derive(Clone, Copy)]
struct Book {
    author: &'static str,
    title: &'static str,
    year: u32,
}

fn borrow_book(book: &Book) {
    println!("I immutably borrowed {} - {} edition", book.title, book.year);
}

fn new_edition(book: &mut Book) {
    book.year = 2014;
    println!("I mutably borrowed {} - {} edition", book.title, book.year);
}

fn change(some_string: &mut String) {
    some_string.push_str(", world");
}

fn main() {
    let immutabook = Book {
        author: "Douglas Hofstadter",
        title: "Gödel, Escher, Bach",
        year: 1979,
    };
    let mut mutabook = immutabook;
    borrow_book(&immutabook);
    borrow_book(&mutabook);
    new_edition(&mut mutabook);
    println!("{} wrote it; original still from {}", immutabook.author, immutabook.year);

    let mut s = String::from("hello");
    change(&mut s);
    println!("{}", s);

    let r1 = &s;
    let r2 = &s;
    println!("{} and {}", r1, r2);
    let r3 = &mut s;
    r3.push('!');
    println!("{}", r3);

    let mut point = (1, 2);
    {
        let (ref mut first, _) = point;
        *first += 10;
    }
    let (ref a, ref b) = point;
    println!("point is now ({}, {})", a, b);

    let mut counts = [0u32; 4];
    for (i, c) in counts.iter_mut().enumerate() {
        *c = (i * i) as u32;
    }
    let max_ref = counts.iter().max().unwrap();
    println!("counts {:?}, max {}", counts, max_ref);
}
