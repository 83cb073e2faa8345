// An `eyened` option neither derive knows.
use eyened_orm_derive::Selectors;

#[derive(Selectors)]
#[eyened(name_colum = "name")]
pub struct Model {
    pub id: i32,
    pub name: String,
}

fn main() {}
