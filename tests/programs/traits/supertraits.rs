// Supertraits, fully qualified syntax for disambiguation, and blanket implementations.
use std::fmt;

trait Person {
    fn name(&self) -> String;
}

trait Student: Person {
    fn university(&self) -> String;
}

trait Programmer {
    fn fav_language(&self) -> String;
}

trait CompSciStudent: Programmer + Student {
    fn git_username(&self) -> String;
}

fn comp_sci_student_greeting(student: &dyn CompSciStudent) -> String {
    format!(
        "My name is {} and I attend {}. My favorite language is {}. My Git username is {}",
        student.name(),
        student.university(),
        student.fav_language(),
        student.git_username()
    )
}

struct Ferris;

impl Person for Ferris {
    fn name(&self) -> String { "Ferris".into() }
}
impl Student for Ferris {
    fn university(&self) -> String { "Crab College".into() }
}
impl Programmer for Ferris {
    fn fav_language(&self) -> String { "Rust".into() }
}
impl CompSciStudent for Ferris {
    fn git_username(&self) -> String { "ferris-the-crab".into() }
}

trait Pilot {
    fn fly(&self) -> String;
}
trait Wizard {
    fn fly(&self) -> String;
}
struct Human;
impl Pilot for Human {
    fn fly(&self) -> String { "This is your captain speaking.".into() }
}
impl Wizard for Human {
    fn fly(&self) -> String { "Up!".into() }
}
impl Human {
    fn fly(&self) -> String { "*waving arms furiously*".into() }
}

trait OutlinePrint: fmt::Display {
    fn outline_print(&self) {
        let output = self.to_string();
        let len = output.len();
        println!("{}", "*".repeat(len + 4));
        println!("*{}*", " ".repeat(len + 2));
        println!("* {} *", output);
        println!("*{}*", " ".repeat(len + 2));
        println!("{}", "*".repeat(len + 4));
    }
}

impl<T: fmt::Display> OutlinePrint for T {}

fn main() {
    println!("{}", comp_sci_student_greeting(&Ferris));

    let person = Human;
    println!("{}", Pilot::fly(&person));
    println!("{}", Wizard::fly(&person));
    println!("{}", person.fly());
    println!("{}", <Human as Wizard>::fly(&person));

    42.outline_print();
    "(1, 3)".outline_print();
}
