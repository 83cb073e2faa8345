//! Every schema change as a value, each knowing its reverse.

use crate::schema::Table;

/// One change to a schema. Changes carry enough of the old state to be reversed exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    AddTable(Table),
    /// Drops the table; holds its definition so that the reverse can re-create it.
    DropTable(Table),
}

impl Change {
    /// The change that undoes this one.
    pub fn reverse(&self) -> Change {
        match self {
            Change::AddTable(t) => Change::DropTable(t.clone()),
            Change::DropTable(t) => Change::AddTable(t.clone()),
        }
    }

    /// The table this change is about.
    pub fn table(&self) -> &str {
        match self {
            Change::AddTable(t) | Change::DropTable(t) => &t.name,
        }
    }
}

/// The changes that undo `changes`: each reversed, in the opposite order.
pub fn reverse(changes: &[Change]) -> Vec<Change> {
    changes.iter().rev().map(Change::reverse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, SqlType};

    #[test]
    fn reverse_twice_is_identity() {
        let a = Table::new("A")
            .column(Column::new("AID", SqlType::INT))
            .primary_key(["AID"]);
        let b = Table::new("B")
            .column(Column::new("BID", SqlType::INT))
            .primary_key(["BID"]);
        let changes = vec![Change::AddTable(a.clone()), Change::AddTable(b.clone())];
        let down = reverse(&changes);
        assert_eq!(down, vec![Change::DropTable(b), Change::DropTable(a)]);
        assert_eq!(reverse(&down), changes);
    }
}
