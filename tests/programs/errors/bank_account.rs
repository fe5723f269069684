// A bank account whose operations return a custom error type through a Result alias.
use std::fmt;

#[derive(Debug, PartialEq)]
enum MyError {
    InsufficientFunds { needed: u64, available: u64 },
    AccountFrozen,
    ZeroAmount,
}

type Result<T> = std::result::Result<T, MyError>;

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MyError::InsufficientFunds { needed, available } => {
                write!(f, "insufficient funds: needed {} but only {} available", needed, available)
            }
            MyError::AccountFrozen => write!(f, "account is frozen"),
            MyError::ZeroAmount => write!(f, "amount must be nonzero"),
        }
    }
}

struct Account {
    owner: String,
    balance: u64,
    frozen: bool,
}

impl Account {
    fn new(owner: &str, balance: u64) -> Account {
        Account { owner: owner.to_string(), balance, frozen: false }
    }

    fn check(&self, amount: u64) -> Result<()> {
        if self.frozen {
            return Err(MyError::AccountFrozen);
        }
        if amount == 0 {
            return Err(MyError::ZeroAmount);
        }
        Ok(())
    }

    fn withdraw(&mut self, amount: u64) -> Result<u64> {
        self.check(amount)?;
        if amount > self.balance {
            return Err(MyError::InsufficientFunds { needed: amount, available: self.balance });
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    fn deposit(&mut self, amount: u64) -> Result<u64> {
        self.check(amount)?;
        self.balance += amount;
        Ok(self.balance)
    }
}

fn transfer(from: &mut Account, to: &mut Account, amount: u64) -> Result<()> {
    from.withdraw(amount)?;
    to.deposit(amount)?;
    Ok(())
}

fn main() {
    let mut alice = Account::new("alice", 100);
    let mut bob = Account::new("bob", 20);

    println!("{:?}", transfer(&mut alice, &mut bob, 30));
    println!("{} has {}, {} has {}", alice.owner, alice.balance, bob.owner, bob.balance);

    match transfer(&mut bob, &mut alice, 500) {
        Ok(()) => println!("transfer ok"),
        Err(e) => println!("transfer failed: {}", e),
    }

    match alice.deposit(0) {
        Ok(b) => println!("balance {}", b),
        Err(e) => println!("deposit failed: {}", e),
    }

    bob.frozen = true;
    let result = bob.withdraw(5);
    assert_eq!(result, Err(MyError::AccountFrozen));
    println!("bob withdraw: {}", result.unwrap_err());
    println!("final: {} {}", alice.balance, bob.balance);
}
