// Vectors: creation, push/pop, indexing versus get, iteration, sorting, dedup and an enum-valued Vec.
#[derive(Debug)]
enum SpreadsheetCell {
    Int(i32),
    Float(f64),
    Text(String),
}

fn main() {
    let collected_iterator: Vec<i32> = (0..10).collect();
    println!("Collected (0..10) into: {:?}", collected_iterator);

    let mut xs = vec![1i32, 2, 3];
    println!("Initial vector: {:?}", xs);
    println!("Push 4 into the vector");
    xs.push(4);
    println!("Vector: {:?}", xs);
    println!("Vector length: {}", xs.len());
    println!("Second element: {}", xs[1]);
    println!("Pop last element: {:?}", xs.pop());
    println!("get(10): {:?}", xs.get(10));

    for (i, x) in xs.iter().enumerate() {
        println!("In position {} we have value {}", i, x);
    }
    for x in xs.iter_mut() {
        *x *= 3;
    }
    println!("Updated vector: {:?}", xs);

    let mut v = vec![5, 3, 8, 3, 1, 8, 8];
    v.sort();
    v.dedup();
    println!("sorted and deduped: {:?}", v);
    v.insert(1, 2);
    v.remove(0);
    println!("after insert/remove: {:?}", v);
    v.extend_from_slice(&[9, 10]);
    v.truncate(5);
    println!("after extend/truncate: {:?} contains 8? {}", v, v.contains(&8));

    let row = vec![
        SpreadsheetCell::Int(3),
        SpreadsheetCell::Text(String::from("blue")),
        SpreadsheetCell::Float(10.12),
    ];
    for cell in &row {
        match cell {
            SpreadsheetCell::Int(i) => println!("int {}", i),
            SpreadsheetCell::Float(f) => println!("float {}", f),
            SpreadsheetCell::Text(t) => println!("text {}", t),
        }
    }
    println!("{:?}", row);
}
