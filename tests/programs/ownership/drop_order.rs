// Drop order: values are dropped in reverse order of declaration, at scope end, or early with drop().
struct Noisy {
    name: String,
}

impl Noisy {
    fn new(name: &str) -> Noisy {
        println!("  create {}", name);
        Noisy { name: name.to_string() }
    }
}

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("  drop {}", self.name);
    }
}

struct Pair {
    _first: Noisy,
    _second: Noisy,
}

fn make_and_return() -> Noisy {
    let _temp = Noisy::new("temp");
    Noisy::new("returned")
}

fn main() {
    println!("scope begins");
    {
        let _a = Noisy::new("a");
        let _b = Noisy::new("b");
        let _c = Noisy::new("c");
        println!("end of inner scope");
    }

    println!("early drop");
    let d = Noisy::new("d");
    let e = Noisy::new("e");
    drop(d);
    println!("after drop(d)");

    println!("struct fields drop in declaration order");
    {
        let _pair = Pair { _first: Noisy::new("first"), _second: Noisy::new("second") };
    }

    println!("vector elements drop front to back");
    {
        let _v = vec![Noisy::new("v0"), Noisy::new("v1"), Noisy::new("v2")];
    }

    println!("moved out of a function");
    let r = make_and_return();
    println!("got {}", r.name);

    println!("shadowing does not drop");
    let s = Noisy::new("shadowed");
    let s = Noisy { name: format!("{} again", s.name) };
    println!("end of main with {}", s.name);
    let _keep = e;
}
