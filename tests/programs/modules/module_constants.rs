// Modules holding constants, statics and a nested `units` module, glob-imported with `use`.
mod physics {
    pub const GRAVITY: f64 = 9.81;
    pub static NAME: &str = "classical mechanics";

    pub mod units {
        pub const CM_PER_M: f64 = 100.0;

        pub fn to_cm(m: f64) -> f64 {
            m * CM_PER_M
        }
    }

    pub fn fall_distance(seconds: f64) -> f64 {
        0.5 * GRAVITY * seconds * seconds
    }

    pub(crate) fn fall_time(meters: f64) -> f64 {
        (2.0 * meters / GRAVITY).sqrt()
    }
}

mod checked {
    use super::physics::GRAVITY;

    pub fn fall_distance(seconds: f64) -> Option<f64> {
        if seconds < 0.0 {
            None
        } else {
            Some(0.5 * GRAVITY * seconds * seconds)
        }
    }
}

use physics::units::*;

fn main() {
    println!("Physics: {}", physics::NAME);
    println!("g = {}", physics::GRAVITY);
    for t in [0.0, 1.0, 2.0, 3.0] {
        let d = physics::fall_distance(t);
        println!("after {}s: {:.2} m = {:.1} cm", t, d, to_cm(d));
    }
    println!("time to fall 20 m: {:.3} s", physics::fall_time(20.0));
    println!("cm per m: {}", CM_PER_M);
    println!("checked(-1) = {:?}", checked::fall_distance(-1.0));
    println!("checked(1) = {:?}", checked::fall_distance(1.0));
}
