// Slice iterators: windows, chunks, chunks_exact, split, rsplit and iter_mut.
fn moving_average(data: &[f64], n: usize) -> Vec<f64> {
    data.windows(n).map(|w| w.iter().sum::<f64>() / n as f64).collect()
}

fn main() {
    let data = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
    println!("moving averages of 3: {:?}", moving_average(&data, 3));

    let readings = [3, 5, 4, 6, 8, 7, 9];
    let increases = readings.windows(2).filter(|w| w[1] > w[0]).count();
    println!("increases: {}", increases);

    let bytes = [1u8, 2, 3, 4, 5, 6, 7];
    for chunk in bytes.chunks(3) {
        println!("chunk: {:?}", chunk);
    }
    let exact = bytes.chunks_exact(2);
    println!("remainder after chunks_exact(2): {:?}", exact.remainder());
    let sums: Vec<u8> = bytes.chunks_exact(2).map(|c| c[0] + c[1]).collect();
    println!("pair sums: {:?}", sums);

    let values = [10, 0, 20, 30, 0, 40];
    let groups: Vec<&[i32]> = values.split(|&v| v == 0).collect();
    println!("split on zero: {:?}", groups);
    let last_group = values.rsplit(|&v| v == 0).next();
    println!("last group: {:?}", last_group);

    let mut grid = [[0u32; 3]; 3];
    for (r, row) in grid.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = (r * 3 + c) as u32;
        }
    }
    for row in &grid {
        println!("{:?}", row);
    }
}
