// A tokenizer driven by a Peekable<Chars> iterator, grouping digits and words.
use std::iter::Peekable;
use std::str::Chars;

#[derive(Debug, PartialEq)]
enum Token {
    Number(u64),
    Word(String),
    Symbol(char),
}

fn read_number(chars: &mut Peekable<Chars>) -> u64 {
    let mut n = 0;
    while let Some(&c) = chars.peek() {
        match c.to_digit(10) {
            Some(d) => {
                n = n * 10 + d as u64;
                chars.next();
            }
            None => break,
        }
    }
    n
}

fn tokenize(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            tokens.push(Token::Number(read_number(&mut chars)));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(ch) = chars.next_if(|ch| ch.is_alphanumeric()) {
                word.push(ch);
            }
            tokens.push(Token::Word(word));
        } else if c.is_whitespace() {
            chars.next();
        } else {
            tokens.push(Token::Symbol(c));
            chars.next();
        }
    }
    tokens
}

fn main() {
    for line in ["let x1 = 42 + y;", "sum(10, 200)", "   "] {
        let tokens = tokenize(line);
        println!("{:?} -> {} tokens", line, tokens.len());
        for t in &tokens {
            println!("  {:?}", t);
        }
    }

    let mut it = [1, 1, 2, 3, 3, 3, 4].iter().peekable();
    let mut runs = Vec::new();
    while let Some(&x) = it.next() {
        let mut len = 1;
        while it.peek() == Some(&&x) {
            it.next();
            len += 1;
        }
        runs.push((x, len));
    }
    println!("runs: {:?}", runs);
}
