// Two-dimensional arrays and Vec<Vec<T>>: a matrix transpose, multiplication and pretty printing.
type Matrix = Vec<Vec<i64>>;

fn transpose(m: &Matrix) -> Matrix {
    if m.is_empty() {
        return vec![];
    }
    (0..m[0].len()).map(|c| m.iter().map(|row| row[c]).collect()).collect()
}

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    let bt = transpose(b);
    a.iter()
        .map(|row| bt.iter().map(|col| row.iter().zip(col).map(|(x, y)| x * y).sum()).collect())
        .collect()
}

fn print_matrix(name: &str, m: &Matrix) {
    println!("{}:", name);
    for row in m {
        let cells: Vec<String> = row.iter().map(|x| format!("{:>4}", x)).collect();
        println!("[{}]", cells.join(""));
    }
}

fn main() {
    let board: [[char; 3]; 3] = [['X', 'O', 'X'], [' ', 'X', 'O'], ['O', ' ', 'X']];
    for row in board.iter() {
        let line: String = row.iter().collect();
        println!("|{}|", line);
    }
    let diagonal_x = (0..3).all(|i| board[i][i] == 'X');
    println!("X wins on the diagonal: {}", diagonal_x);

    let a: Matrix = vec![vec![1, 2, 3], vec![4, 5, 6]];
    let b: Matrix = vec![vec![7, 8], vec![9, 10], vec![11, 12]];
    print_matrix("A", &a);
    print_matrix("A transposed", &transpose(&a));
    print_matrix("A x B", &multiply(&a, &b));

    let mut identity = vec![vec![0i64; 3]; 3];
    for (i, row) in identity.iter_mut().enumerate() {
        row[i] = 1;
    }
    print_matrix("I", &identity);
}
