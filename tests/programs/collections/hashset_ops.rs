// HashSet and BTreeSet operations: union, intersection, difference, symmetric difference, sorted output.
use std::collections::{BTreeSet, HashSet};

fn sorted<T: Ord + Clone>(set: &HashSet<T>) -> Vec<T> {
    let mut v: Vec<T> = set.iter().cloned().collect();
    v.sort();
    v
}

fn main() {
    let mut a: HashSet<i32> = vec![1i32, 2, 3].into_iter().collect();
    let mut b: HashSet<i32> = vec![2i32, 3, 4].into_iter().collect();

    assert!(a.insert(4));
    assert!(a.contains(&4));
    println!("inserting 4 again returns {}", a.insert(4));
    b.insert(5);

    println!("A: {:?}", sorted(&a));
    println!("B: {:?}", sorted(&b));

    let mut union: Vec<_> = a.union(&b).collect();
    union.sort();
    println!("Union: {:?}", union);

    let mut diff: Vec<_> = a.difference(&b).collect();
    diff.sort();
    println!("Difference: {:?}", diff);

    let mut inter: Vec<_> = a.intersection(&b).collect();
    inter.sort();
    println!("Intersection: {:?}", inter);

    let mut sym: Vec<_> = a.symmetric_difference(&b).collect();
    sym.sort();
    println!("Symmetric Difference: {:?}", sym);

    let letters: BTreeSet<char> = "mississippi".chars().collect();
    println!("distinct letters: {:?}", letters);
    let vowels: BTreeSet<char> = "aeiou".chars().collect();
    let consonants: BTreeSet<&char> = letters.difference(&vowels).collect();
    println!("consonants: {:?}", consonants);
    println!("is {{i, s}} a subset? {}", ['i', 's'].iter().cloned().collect::<BTreeSet<_>>().is_subset(&letters));
}
