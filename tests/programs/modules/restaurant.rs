// The restaurant example: nested modules, `use` paths, enums and structs with pub fields.
mod front_of_house {
    pub mod hosting {
        pub fn add_to_waitlist(name: &str) -> String {
            format!("{} added to the waitlist", name)
        }

        pub fn seat_at_table(table: u32) -> String {
            format!("seated at table {}", table)
        }
    }

    pub mod serving {
        pub fn take_order(dish: &str) -> String {
            format!("order taken: {}", dish)
        }
    }
}

mod back_of_house {
    #[derive(Debug)]
    pub enum Appetizer {
        Soup,
        Salad,
    }

    pub struct Breakfast {
        pub toast: String,
        seasonal_fruit: String,
    }

    impl Breakfast {
        pub fn summer(toast: &str) -> Breakfast {
            Breakfast {
                toast: String::from(toast),
                seasonal_fruit: String::from("peaches"),
            }
        }

        pub fn fruit(&self) -> &str {
            &self.seasonal_fruit
        }
    }

    pub fn fix_incorrect_order() -> String {
        let dish = cook_order();
        format!("{}; {}", dish, super::deliver_order())
    }

    fn cook_order() -> String {
        String::from("cooked again")
    }
}

fn deliver_order() -> String {
    String::from("delivered")
}

use crate::front_of_house::hosting;
use front_of_house::serving::take_order as order;

pub fn eat_at_restaurant() {
    println!("{}", hosting::add_to_waitlist("Ferris"));
    println!("{}", hosting::seat_at_table(4));

    let mut meal = back_of_house::Breakfast::summer("Rye");
    meal.toast = String::from("Wheat");
    println!("I'd like {} toast please, with {}", meal.toast, meal.fruit());

    let order1 = back_of_house::Appetizer::Soup;
    let order2 = back_of_house::Appetizer::Salad;
    println!("{}", order(&format!("{:?} and {:?}", order1, order2)));
    println!("{}", back_of_house::fix_incorrect_order());
}

fn main() {
    eat_at_restaurant();
}
