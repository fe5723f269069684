// Macro designators: ident, ty, expr, block, pat, literal and tt.
macro_rules! make_struct {
    ($name:ident { $($field:ident : $ty:ty),* }) => {
        #[derive(Debug, Default)]
        struct $name {
            $($field: $ty),*
        }
    };
}

make_struct!(Config { width: u32, height: u32, title: String });

macro_rules! run_block {
    ($b:block) => {{
        println!("running a block");
        let value = $b;
        println!("block returned {:?}", value);
    }};
}

macro_rules! matches_any {
    ($value:expr, $($p:pat_param)|+) => {
        match $value {
            $($p)|+ => true,
            _ => false,
        }
    };
}

macro_rules! show_literal {
    ($l:literal) => {
        println!("literal: {}", $l);
    };
}

macro_rules! typed_zero {
    ($t:ty) => {
        <$t>::default()
    };
}

fn main() {
    let mut c = Config::default();
    c.width = 640;
    c.height = 480;
    c.title.push_str("window");
    println!("{:?}", c);

    run_block!({
        let a = 3;
        a * 7
    });

    for n in 0..6 {
        println!("{} is small prime: {}", n, matches_any!(n, 2 | 3 | 5));
    }

    show_literal!("hi");
    show_literal!(42);
    show_literal!(2.5);

    let z: f64 = typed_zero!(f64);
    let s: String = typed_zero!(String);
    println!("zero values: {} {:?}", z, s);
}
