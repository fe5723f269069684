// VecDeque used as a queue and a ring buffer, with a breadth-first search over a small graph.
use std::collections::VecDeque;

fn bfs(adj: &[Vec<usize>], start: usize) -> Vec<Option<u32>> {
    let mut dist = vec![None; adj.len()];
    let mut queue = VecDeque::new();
    dist[start] = Some(0);
    queue.push_back(start);
    while let Some(node) = queue.pop_front() {
        let d = dist[node].unwrap();
        for &next in &adj[node] {
            if dist[next].is_none() {
                dist[next] = Some(d + 1);
                queue.push_back(next);
            }
        }
    }
    dist
}

fn main() {
    let mut q: VecDeque<&str> = VecDeque::new();
    q.push_back("b");
    q.push_back("c");
    q.push_front("a");
    println!("queue: {:?}", q);
    println!("front {:?}, back {:?}", q.front(), q.back());
    println!("pop_front: {:?}", q.pop_front());
    println!("pop_back: {:?}", q.pop_back());
    println!("remaining: {:?}", q);

    let mut ring: VecDeque<u32> = (1..=5).collect();
    ring.rotate_left(2);
    println!("rotated left by 2: {:?}", ring);
    ring.rotate_right(1);
    println!("rotated right by 1: {:?}", ring);

    let mut window = VecDeque::with_capacity(3);
    for x in [4, 8, 15, 16, 23, 42] {
        if window.len() == 3 {
            window.pop_front();
        }
        window.push_back(x);
        let sum: i32 = window.iter().sum();
        println!("window {:?} sum {}", window, sum);
    }

    let adj = vec![vec![1, 2], vec![3], vec![3, 4], vec![5], vec![], vec![]];
    for (node, d) in bfs(&adj, 0).iter().enumerate() {
        println!("distance to {}: {:?}", node, d);
    }
}
