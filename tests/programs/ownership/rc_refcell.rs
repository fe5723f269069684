// Shared ownership with Rc, interior mutability with RefCell, and reference counts.
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug)]
struct Account {
    owner: String,
    balance: i64,
}

fn main() {
    let shared = Rc::new(RefCell::new(Account { owner: "team".to_string(), balance: 0 }));
    println!("count after creating = {}", Rc::strong_count(&shared));

    let alice = Rc::clone(&shared);
    let bob = Rc::clone(&shared);
    println!("count after two clones = {}", Rc::strong_count(&shared));

    alice.borrow_mut().balance += 100;
    bob.borrow_mut().balance -= 30;
    {
        let reader = shared.borrow();
        println!("{} has {}", reader.owner, reader.balance);
    }

    drop(bob);
    println!("count after dropping bob = {}", Rc::strong_count(&shared));

    let attempt = shared.try_borrow_mut();
    println!("try_borrow_mut succeeded: {}", attempt.is_ok());
    drop(attempt);

    {
        let _guard = shared.borrow();
        println!("while borrowed, try_borrow_mut ok: {}", shared.try_borrow_mut().is_ok());
    }

    let log: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
    let loggers: Vec<Rc<RefCell<Vec<String>>>> = (0..3).map(|_| Rc::clone(&log)).collect();
    for (i, l) in loggers.iter().enumerate() {
        l.borrow_mut().push(format!("entry from logger {}", i));
    }
    println!("log has {} entries, {} owners", log.borrow().len(), Rc::strong_count(&log));
    for line in log.borrow().iter() {
        println!("  {}", line);
    }
    println!("{:?}", alice.borrow());
}
