// `name_column` names a column the model does not have.
use eyened_orm_derive::Selectors;

#[derive(Selectors)]
#[eyened(name_column = "ProjectTitle")]
pub struct Model {
    pub project_id: i32,
    pub project_name: String,
}

fn main() {}
