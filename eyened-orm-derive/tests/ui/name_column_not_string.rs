// `name_column` must be a `String` column.
use eyened_orm_derive::Selectors;

#[derive(Selectors)]
#[eyened(name_column = "version")]
pub struct Model {
    pub model_id: i32,
    pub version: i32,
}

fn main() {}
