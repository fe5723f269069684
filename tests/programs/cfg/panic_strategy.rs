// Two functions named `ah` under mutually exclusive cfg(panic = ...) conditions.
#[cfg(panic = "unwind")]
fn ah() {
    println!("Spit it out!!!!");
}

#[cfg(not(panic = "unwind"))]
fn ah() {
    println!("This is not your party. Run!!!!");
}

fn drink(beverage: &str) {
    if beverage == "lemonade" {
        ah();
    } else {
        println!("Some refreshing {} is all I need.", beverage);
    }
}

fn main() {
    drink("water");
    drink("lemonade");
    drink("tea");
    if cfg!(panic = "unwind") {
        println!("panics unwind in this build");
    } else {
        println!("panics abort in this build");
    }
}
