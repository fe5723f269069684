// A `checked` module offering division and square root that return Result instead of panicking.
mod checked {
    #[derive(Debug)]
    pub enum MathError {
        DivisionByZero,
        NonPositiveLogarithm,
        NegativeSquareRoot,
    }

    pub type MathResult = Result<f64, MathError>;

    pub fn div(x: f64, y: f64) -> MathResult {
        if y == 0.0 {
            Err(MathError::DivisionByZero)
        } else {
            Ok(x / y)
        }
    }

    pub fn sqrt(x: f64) -> MathResult {
        if x < 0.0 {
            Err(MathError::NegativeSquareRoot)
        } else {
            Ok(x.sqrt())
        }
    }

    pub fn ln(x: f64) -> MathResult {
        if x <= 0.0 {
            Err(MathError::NonPositiveLogarithm)
        } else {
            Ok(x.ln())
        }
    }
}

fn op(x: f64, y: f64) -> String {
    match checked::div(x, y) {
        Err(why) => format!("{:?}", why),
        Ok(ratio) => match checked::ln(ratio) {
            Err(why) => format!("{:?}", why),
            Ok(ln) => match checked::sqrt(ln) {
                Err(why) => format!("{:?}", why),
                Ok(sqrt) => format!("{:.4}", sqrt),
            },
        },
    }
}

fn main() {
    println!("op(10, 1) = {}", op(10.0, 1.0));
    println!("op(1, 10) = {}", op(1.0, 10.0));
    println!("op(1, 0) = {}", op(1.0, 0.0));
    println!("op(-5, 1) = {}", op(-5.0, 1.0));
    println!("op(1, 1) = {}", op(1.0, 1.0));
}
