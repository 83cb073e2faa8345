// Selectors need a primary key to select by.
use eyened_orm_derive::Selectors;

#[derive(Selectors)]
pub struct Model {
    pub name: String,
}

fn main() {}
