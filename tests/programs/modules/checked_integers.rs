// A different `checked` module, this one for integer arithmetic with overflow detection.
mod checked {
    pub fn add(a: u8, b: u8) -> Option<u8> {
        a.checked_add(b)
    }

    pub fn mul(a: u8, b: u8) -> Option<u8> {
        a.checked_mul(b)
    }

    pub fn factorial(n: u8) -> Option<u8> {
        (1..=n).try_fold(1u8, |acc, k| mul(acc, k))
    }

    pub mod report {
        pub fn show(label: &str, value: Option<u8>) {
            match value {
                Some(v) => println!("{:>12} = {}", label, v),
                None => println!("{:>12} overflowed", label),
            }
        }
    }
}

use checked::report::show;

fn main() {
    show("200 + 55", checked::add(200, 55));
    show("200 + 56", checked::add(200, 56));
    show("15 * 17", checked::mul(15, 17));
    show("16 * 16", checked::mul(16, 16));
    for n in 0..7 {
        show(&format!("{}!", n), checked::factorial(n));
    }
}
