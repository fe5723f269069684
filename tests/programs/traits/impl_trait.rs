// `impl Trait` in argument and return position, including returning iterators and closures.
use std::fmt::Display;

fn combine_vecs(v: Vec<i32>, u: Vec<i32>) -> impl Iterator<Item = i32> {
    v.into_iter().chain(u.into_iter()).cycle()
}

fn double_positives(numbers: &[i32]) -> impl Iterator<Item = i32> + '_ {
    numbers.iter().filter(|x| x > &&0).map(|x| x * 2)
}

fn make_adder(y: i32) -> impl Fn(i32) -> i32 {
    move |x| x + y
}

fn show_all(items: impl IntoIterator<Item = impl Display>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn parse_csv_document<R: std::io::BufRead>(src: R) -> std::io::Result<Vec<Vec<String>>> {
    src.lines()
        .map(|line| line.map(|line| line.split(',').map(|e| String::from(e.trim())).collect()))
        .collect()
}

fn main() {
    let v1 = vec![1, 2, 3];
    let v2 = vec![4, 5];
    let mut v3 = combine_vecs(v1, v2);
    let first: Vec<i32> = (0..7).map(|_| v3.next().unwrap()).collect();
    println!("cycled: {:?}", first);

    let singles = vec![-3, -2, 2, 3];
    let doubles: Vec<i32> = double_positives(&singles).collect();
    println!("doubles: {:?}", doubles);

    let plus_one = make_adder(1);
    println!("plus_one(41) = {}", plus_one(41));

    println!("{}", show_all(vec![1, 2, 3]));
    println!("{}", show_all(["a", "b"]));

    let data = "a, b ,c\n1,2,3\n";
    let rows = parse_csv_document(std::io::Cursor::new(data)).unwrap();
    println!("{:?}", rows);
}
