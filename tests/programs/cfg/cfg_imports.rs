// cfg on `use` declarations and constants, choosing between two implementations of the same name.
#[cfg(target_endian = "little")]
use std::primitive::u32 as Word;
#[cfg(target_endian = "big")]
use std::primitive::u32 as Word;

#[cfg(unix)]
use std::collections::BTreeMap as Table;
#[cfg(not(unix))]
use std::collections::BTreeMap as Table;

#[cfg(target_pointer_width = "64")]
const LIMIT: usize = 4;
#[cfg(not(target_pointer_width = "64"))]
const LIMIT: usize = 2;

#[cfg(unix)]
fn normalize(name: &str) -> String {
    name.to_lowercase()
}

#[cfg(not(unix))]
fn normalize(name: &str) -> String {
    name.to_uppercase()
}

fn main() {
    let w: Word = 0x0102_0304;
    println!("word in hex: {:#010x}, bytes big-endian: {:?}", w, w.to_be_bytes());

    let mut table: Table<String, usize> = Table::new();
    for (i, name) in ["Zeta", "alpha", "Mu", "beta", "Gamma"].iter().enumerate() {
        if table.len() < LIMIT {
            table.insert(normalize(name), i);
        }
    }
    for (k, v) in &table {
        println!("{} -> {}", k, v);
    }
    println!("kept {} entries", table.len());
}
