// Macro scoping: #[macro_use] on a module, and a #[macro_export] macro called by path before its definition.
fn early_user() -> String {
    crate::greet!("early function")
}

#[macro_use]
mod helpers {
    macro_rules! shout {
        ($s:expr) => {
            format!("{}!", $s.to_uppercase())
        };
    }

    pub fn use_inside() -> String {
        shout!("inside the module")
    }
}

#[macro_export]
macro_rules! greet {
    ($who:expr) => {
        format!("hello from {}", $who)
    };
}

fn late_user() -> String {
    greet!("late function")
}

fn main() {
    println!("{}", early_user());
    println!("{}", late_user());
    println!("{}", helpers::use_inside());
    println!("{}", shout!("main"));
    println!("{}", crate::greet!("main"));
}
