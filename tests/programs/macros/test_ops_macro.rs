// A macro that generates test-like checker functions for arithmetic operations.
use std::ops::{Add, Mul, Sub};

macro_rules! assert_equal_len {
    ($a:expr, $b:expr, $func:ident, $op:tt) => {
        assert!(
            $a.len() == $b.len(),
            "{:?}: dimension mismatch: {:?} {:?} {:?}",
            stringify!($func),
            ($a.len(),),
            stringify!($op),
            ($b.len(),)
        );
    };
}

macro_rules! op {
    ($func:ident, $bound:ident, $op:tt, $method:ident) => {
        fn $func<T: $bound<T, Output = T> + Copy>(xs: &mut Vec<T>, ys: &Vec<T>) {
            assert_equal_len!(xs, ys, $func, $op);

            for (x, y) in xs.iter_mut().zip(ys.iter()) {
                *x = $bound::$method(*x, *y);
            }
        }
    };
}

op!(add_assign, Add, +=, add);
op!(mul_assign, Mul, *=, mul);
op!(sub_assign, Sub, -=, sub);

fn main() {
    let mut xs = vec![1, 2, 3, 4];
    let ys = vec![10, 20, 30, 40];
    add_assign(&mut xs, &ys);
    println!("after add: {:?}", xs);
    mul_assign(&mut xs, &ys);
    println!("after mul: {:?}", xs);
    sub_assign(&mut xs, &ys);
    println!("after sub: {:?}", xs);

    let mut fs = vec![0.5f64, 1.5];
    mul_assign(&mut fs, &vec![4.0, 2.0]);
    println!("floats: {:?}", fs);
}
