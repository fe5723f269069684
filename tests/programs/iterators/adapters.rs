// Iterator adapters: map, filter, enumerate, chain, zip, rev, step_by, flat_map, take_while, skip_while.
fn main() {
    let v = vec![3, 1, 4, 1, 5, 9, 2, 6];

    let doubled: Vec<i32> = v.iter().map(|x| x * 2).collect();
    println!("doubled: {:?}", doubled);

    let odds: Vec<&i32> = v.iter().filter(|x| *x % 2 == 1).collect();
    println!("odds: {:?}", odds);

    for (i, x) in v.iter().enumerate().skip(5) {
        println!("v[{}] = {}", i, x);
    }

    let chained: Vec<i32> = (1..3).chain(7..9).collect();
    println!("chained: {:?}", chained);

    let letters = ['a', 'b', 'c'];
    let zipped: Vec<(char, i32)> = letters.iter().cloned().zip(10..).collect();
    println!("zipped: {:?}", zipped);

    let reversed: String = "stressed".chars().rev().collect();
    println!("reversed: {}", reversed);

    let stepped: Vec<u32> = (0..20).step_by(5).collect();
    println!("stepped: {:?}", stepped);

    let flat: Vec<u32> = (1..4).flat_map(|n| (0..n).map(move |k| n * 10 + k)).collect();
    println!("flat_map: {:?}", flat);

    let prefix: Vec<i32> = v.iter().copied().take_while(|&x| x < 5).collect();
    let rest: Vec<i32> = v.iter().copied().skip_while(|&x| x < 5).collect();
    println!("take_while: {:?}, skip_while: {:?}", prefix, rest);

    let nested = vec![vec![1, 2], vec![], vec![3]];
    let flattened: Vec<i32> = nested.into_iter().flatten().collect();
    println!("flattened: {:?}", flattened);

    let (small, big): (Vec<i32>, Vec<i32>) = v.iter().partition(|&&x| x < 4);
    println!("small: {:?}, big: {:?}", small, big);
}
