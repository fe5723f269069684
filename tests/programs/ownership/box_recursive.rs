// Box for recursive types: a cons list and a binary search tree with insertion and in-order traversal.
#[derive(Debug)]
enum List {
    Cons(i32, Box<List>),
    Nil,
}

use List::{Cons, Nil};

impl List {
    fn sum(&self) -> i32 {
        match self {
            Cons(v, rest) => v + rest.sum(),
            Nil => 0,
        }
    }

    fn stringify(&self) -> String {
        match self {
            Cons(head, tail) => format!("{}, {}", head, tail.stringify()),
            Nil => "Nil".to_string(),
        }
    }
}

#[derive(Debug)]
struct Node {
    value: i32,
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

impl Node {
    fn new(value: i32) -> Self {
        Node { value, left: None, right: None }
    }

    fn insert(&mut self, value: i32) {
        let slot = if value < self.value { &mut self.left } else { &mut self.right };
        match slot {
            Some(node) => node.insert(value),
            None => *slot = Some(Box::new(Node::new(value))),
        }
    }

    fn in_order(&self, out: &mut Vec<i32>) {
        if let Some(l) = &self.left {
            l.in_order(out);
        }
        out.push(self.value);
        if let Some(r) = &self.right {
            r.in_order(out);
        }
    }

    fn depth(&self) -> usize {
        let l = self.left.as_ref().map_or(0, |n| n.depth());
        let r = self.right.as_ref().map_or(0, |n| n.depth());
        1 + l.max(r)
    }
}

fn main() {
    let list = Cons(1, Box::new(Cons(2, Box::new(Cons(3, Box::new(Nil))))));
    println!("list: {}", list.stringify());
    println!("sum: {}", list.sum());
    println!("{:?}", list);

    let mut root = Node::new(50);
    for v in [30, 70, 20, 40, 60, 80, 35] {
        root.insert(v);
    }
    let mut sorted = Vec::new();
    root.in_order(&mut sorted);
    println!("in order: {:?}", sorted);
    println!("depth: {}", root.depth());

    let boxed: Box<[i32]> = vec![1, 2, 3].into_boxed_slice();
    println!("boxed slice {:?} of len {}", boxed, boxed.len());
}
