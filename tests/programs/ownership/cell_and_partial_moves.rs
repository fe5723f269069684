// Cell for Copy interior mutability, partial moves out of structs, and Option::take.
use std::cell::Cell;

struct Counter {
    hits: Cell<u32>,
    label: String,
}

impl Counter {
    fn hit(&self) -> u32 {
        self.hits.set(self.hits.get() + 1);
        self.hits.get()
    }
}

#[derive(Debug)]
struct Message {
    header: String,
    body: Option<String>,
}

fn main() {
    let c = Counter { hits: Cell::new(0), label: String::from("visits") };
    c.hit();
    c.hit();
    println!("{} = {}", c.label, c.hit());
    let old = c.hits.replace(100);
    println!("replaced {} with {}", old, c.hits.get());

    let mut msg = Message { header: String::from("greeting"), body: Some(String::from("hi there")) };
    let body = msg.body.take();
    println!("took body {:?}, message now {:?}", body, msg);
    msg.body = Some(String::from("second body"));

    let Message { header, body } = msg;
    println!("header {} moved out, body {:?} moved out", header, body);

    let pair = (String::from("left"), String::from("right"));
    let (l, _) = pair;
    println!("moved {} out of pair; pair.1 is still {}", l, pair.1);

    let mut slot: Option<Box<i32>> = Some(Box::new(7));
    if let Some(b) = slot.as_mut() {
        **b += 1;
    }
    println!("slot: {:?}", slot);
    let taken = std::mem::replace(&mut slot, None);
    println!("taken {:?}, slot now {:?}", taken, slot);

    let mut v = vec![String::from("a"), String::from("b"), String::from("c")];
    let middle = std::mem::take(&mut v[1]);
    println!("middle {:?}, vector {:?}", middle, v);
    let last = v.swap_remove(0);
    println!("swap_remove gave {:?}, vector {:?}", last, v);
}
