// Repetition in macros: building vectors and maps, and a variadic sum with $(...),*.
use std::collections::BTreeMap;

macro_rules! my_vec {
    ($($x:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut v = Vec::new();
        $(v.push($x);)*
        v
    }};
}

macro_rules! btree {
    ($($key:expr => $value:expr),* $(,)?) => {{
        let mut map = BTreeMap::new();
        $(map.insert($key, $value);)*
        map
    }};
}

macro_rules! sum {
    ($($x:expr),*) => {
        0 $(+ $x)*
    };
}

fn main() {
    let v: Vec<i32> = my_vec![1, 2, 3, 4];
    println!("{:?}", v);
    let empty: Vec<u8> = my_vec![];
    println!("{:?} (len {})", empty, empty.len());
    let words = my_vec!["a", "b", "c",];
    println!("{:?}", words);

    let map = btree! {
        "three" => 3,
        "one" => 1,
        "two" => 2,
    };
    for (k, v) in &map {
        println!("{} -> {}", k, v);
    }

    println!("sum!() = {}", sum!());
    println!("sum!(1, 2, 3) = {}", sum!(1, 2, 3));
    println!("sum!(10, 20, 30, 40) = {}", sum!(10, 20, 30, 40));
}
