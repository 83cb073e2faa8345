//! SQL text we build ourselves: identifiers, string literals, qualified names, and the orphan
//! predicate of a foreign key. One home for quoting, used by every module that writes SQL.
//!
//! Values from rows never go through here: they are bound as parameters (or, for `LOAD DATA`,
//! written in the loader's own escaped format). These helpers are for names and for constants
//! the tools themselves put into statements.

use crate::schema::ForeignKey;

/// A MySQL identifier in backticks, inner backticks doubled: `` a`b `` → `` `a``b` ``.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Identifiers, each quoted, joined with `, `.
pub fn ident_list<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| ident(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `database`.`table` ``.
pub fn qualified(database: &str, table: &str) -> String {
    format!("{}.{}", ident(database), ident(table))
}

/// A MySQL string literal, valid whatever `NO_BACKSLASH_ESCAPES` says about backslashes being
/// escapes: quotes doubled, backslashes and NULs escaped. `it's` → `'it''s'`.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `FROM <child> AS c WHERE <every key column set> AND NOT EXISTS (<the parent row>)`: the rows
/// of the key's table whose key refers to no row of the referenced table. `child` and `parent`
/// are the tables as they are to be named (plain or [`qualified`]). `SELECT COUNT(*) ` before it
/// counts them; other select lists show them (`c.` prefixes the child's columns).
pub fn orphans_from(child: &str, parent: &str, key: &ForeignKey) -> String {
    let set = key
        .columns
        .iter()
        .map(|c| format!("c.{} IS NOT NULL", ident(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let join = key
        .columns
        .iter()
        .zip(&key.referenced_columns)
        .map(|(c, p)| format!("p.{} = c.{}", ident(p), ident(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    format!(
        "FROM {child} AS c WHERE {set} AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {join})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(ident_list(&["a", "b c"]), "`a`, `b c`");
        assert_eq!(qualified("d", "t"), "`d`.`t`");
        assert_eq!(literal("it's a \\ test\0"), "'it''s a \\\\ test\\0'");
    }

    #[test]
    fn orphans_of_a_composite_key() {
        let key = ForeignKey::new("fk", ["A", "B"], "P", ["X", "Y"]);
        assert_eq!(
            orphans_from("`C`", "`P`", &key),
            "FROM `C` AS c WHERE c.`A` IS NOT NULL AND c.`B` IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM `P` AS p WHERE p.`X` = c.`A` AND p.`Y` = c.`B`)"
        );
    }
}
