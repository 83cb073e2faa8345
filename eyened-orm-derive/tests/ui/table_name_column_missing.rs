// `EyenedTable` also rejects an index on a column the model does not have.
use eyened_orm_derive::EyenedTable;

#[derive(EyenedTable)]
#[eyened(index(name = "by_title", columns("title")))]
pub struct Model {
    pub id: i32,
    pub name: String,
}

fn main() {}
