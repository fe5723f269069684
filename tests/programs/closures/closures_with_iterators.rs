// Closures as arguments to iterator methods: any, find, position, sort_by_key, retain.
#[derive(Debug)]
struct Shoe {
    size: u32,
    style: String,
}

fn shoes_in_size(shoes: Vec<Shoe>, shoe_size: u32) -> Vec<Shoe> {
    shoes.into_iter().filter(|s| s.size == shoe_size).collect()
}

fn main() {
    let vec1 = vec![1, 2, 3];
    let vec2 = vec![4, 5, 6];
    println!("2 in vec1: {}", vec1.iter().any(|&x| x == 2));
    println!("2 in vec2: {}", vec2.into_iter().any(|x| x == 2));

    let array1 = [1, 2, 3];
    let mut iter = array1.iter();
    println!("Find 2 in array1: {:?}", iter.find(|&&x| x == 2));

    let vec = vec![1, 9, 3, 3, 13, 2];
    let index_of_first_even = vec.iter().position(|&x| x % 2 == 0);
    println!("first even at {:?}", index_of_first_even);

    let mut words = vec!["banana", "kiwi", "apple", "fig"];
    words.sort_by_key(|w| w.len());
    println!("sorted by length: {:?}", words);
    words.sort_by(|a, b| b.cmp(a));
    println!("reverse alphabetical: {:?}", words);

    let mut nums: Vec<i32> = (1..=10).collect();
    let limit = 6;
    nums.retain(|&n| n < limit || n % 2 == 0);
    println!("retained: {:?}", nums);

    let shoes = vec![
        Shoe { size: 10, style: String::from("sneaker") },
        Shoe { size: 13, style: String::from("sandal") },
        Shoe { size: 10, style: String::from("boot") },
    ];
    let in_my_size = shoes_in_size(shoes, 10);
    println!("{:?}", in_my_size);
    for shoe in &in_my_size {
        println!("{} in size {}", shoe.style, shoe.size);
    }
}
