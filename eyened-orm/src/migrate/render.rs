//! Rendering changes into a Rust migration file, through a syntax tree (quote + prettyplease).

use std::io::Write;
use std::process::{Command, Stdio};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::schema::Change;
use crate::schema::{Check, Column, ColumnDefault, FkAction, ForeignKey, Index, SqlType, Table};

/// What a migration file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A schema change, applied to every database: `apply`.
    Change,
    /// Takes a database the migrations did not build to the baseline: `reconcile`, which leaves
    /// databases they built as they are.
    Reconciliation,
}

/// The source of a migration file named `name` (`m20251125_120000_add_x`) carrying out `changes`.
/// `doc` becomes the module comment.
pub fn migration_file(name: &str, doc: &str, changes: &[Change]) -> String {
    render_file(name, doc, changes, Purpose::Change)
}

/// [`migration_file`] for a file of the given purpose.
pub fn render_file(name: &str, doc: &str, changes: &[Change], purpose: Purpose) -> String {
    let run = match purpose {
        Purpose::Change => quote! { apply },
        Purpose::Reconciliation => quote! { reconcile },
    };
    let mut table_fns = Vec::new();
    let mut used_fn_names = Vec::<String>::new();
    let changes: Vec<TokenStream> = changes
        .iter()
        .map(|c| change(c, &mut table_fns, &mut used_fn_names))
        .collect();
    let tokens = quote! {
        use eyened_orm::migrate::prelude::*;
        use sea_orm_migration::{DbErr, MigrationName, MigrationTrait, SchemaManager, async_trait};

        pub struct Migration;

        impl MigrationName for Migration {
            fn name(&self) -> &str {
                #name
            }
        }

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                #run(manager.get_connection(), &changes()).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                #run(manager.get_connection(), &reverse(&changes())).await
            }
        }

        /// The schema changes of this migration; `down` applies their reverse.
        pub fn changes() -> Vec<Change> {
            vec![#(#changes),*]
        }

        #(#table_fns)*
    };
    let file: syn::File = syn::parse2(tokens).expect("rendered migration is valid Rust");
    let header: String = doc
        .lines()
        .map(|l| format!("//! {l}\n").replace("//! \n", "//!\n"))
        .collect();
    // prettyplease puts no blank line between items; print them one by one to separate them.
    let mut body = String::new();
    let mut previous_was_use = false;
    for item in file.items {
        let is_use = matches!(item, syn::Item::Use(_));
        let continues_use_group = is_use && previous_was_use;
        if !body.is_empty() && !continues_use_group {
            body.push('\n');
        }
        body.push_str(&prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: vec![item],
        }));
        previous_was_use = is_use;
    }
    let source = format!("{header}\n{body}");
    rustfmt(&source).unwrap_or(source)
}

/// Formats with the toolchain's rustfmt so generated files read like hand-written ones; when
/// rustfmt is not installed the prettyplease output (valid, less idiomatic) is kept.
fn rustfmt(source: &str) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(source.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

/// A change as an expression. Whole table definitions go into functions of their own (pushed to
/// `table_fns`), one per table, so the change list stays a short readable index.
fn change(
    change: &Change,
    table_fns: &mut Vec<TokenStream>,
    used: &mut Vec<String>,
) -> TokenStream {
    let mut table_fn = |t: &Table| {
        let base = fn_name_of(&t.name);
        let mut name = format!("{base}_table");
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}_table_{n}");
            n += 1;
        }
        used.push(name.clone());
        let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
        let body = table(t);
        table_fns.push(quote! {
            fn #ident() -> Table {
                #body
            }
        });
        ident
    };
    let text = |v: &String| quote! { #v.into() };
    let maybe = |v: &Option<String>| match v {
        Some(v) => quote! { Some(#v.into()) },
        None => quote! { None },
    };
    let names = |v: &Vec<String>| quote! { vec![#(#v.into()),*] };
    let after = |a: &Option<String>| match a {
        Some(a) => quote! { Some(#a.into()) },
        None => quote! { None },
    };
    match change {
        Change::AddTable(t) => {
            let f = table_fn(t);
            quote! { Change::AddTable(#f()) }
        }
        Change::DropTable(t) => {
            let f = table_fn(t);
            quote! { Change::DropTable(#f()) }
        }
        Change::RenameTable { from, to } => {
            let (from, to) = (text(from), text(to));
            quote! { Change::RenameTable { from: #from, to: #to } }
        }
        Change::AddColumn {
            table,
            column: c,
            after: a,
        } => {
            let (t, c, a) = (text(table), column(c), after(a));
            quote! { Change::AddColumn { table: #t, column: #c, after: #a } }
        }
        Change::DropColumn {
            table,
            column: c,
            after: a,
        } => {
            let (t, c, a) = (text(table), column(c), after(a));
            quote! { Change::DropColumn { table: #t, column: #c, after: #a } }
        }
        Change::RenameColumn { table, from, to } => {
            let (t, from, to) = (text(table), text(from), text(to));
            quote! { Change::RenameColumn { table: #t, from: #from, to: #to } }
        }
        Change::ModifyColumn { table, from, to } => {
            let (t, from, to) = (text(table), column(from), column(to));
            quote! { Change::ModifyColumn { table: #t, from: #from, to: #to } }
        }
        Change::SetEngine { table, from, to } => {
            let (t, from, to) = (text(table), maybe(from), maybe(to));
            quote! { Change::SetEngine { table: #t, from: #from, to: #to } }
        }
        Change::SetTableComment { table, from, to } => {
            let (t, from, to) = (text(table), maybe(from), maybe(to));
            quote! { Change::SetTableComment { table: #t, from: #from, to: #to } }
        }
        Change::ConvertTable {
            table,
            from,
            to,
            columns_before,
            columns_after,
        } => {
            let (t, from, to) = (text(table), maybe(from), maybe(to));
            let before = columns_before.iter().map(column);
            let after = columns_after.iter().map(column);
            quote! {
                Change::ConvertTable {
                    table: #t,
                    from: #from,
                    to: #to,
                    columns_before: vec![#(#before),*],
                    columns_after: vec![#(#after),*],
                }
            }
        }
        Change::SetPrimaryKey { table, from, to } => {
            let (t, from, to) = (text(table), names(from), names(to));
            quote! { Change::SetPrimaryKey { table: #t, from: #from, to: #to } }
        }
        Change::AddIndex { table, index: i } => {
            let (t, i) = (text(table), index(i));
            quote! { Change::AddIndex { table: #t, index: #i } }
        }
        Change::DropIndex { table, index: i } => {
            let (t, i) = (text(table), index(i));
            quote! { Change::DropIndex { table: #t, index: #i } }
        }
        Change::RenameIndex {
            table,
            index: i,
            to,
        } => {
            let (t, i, to) = (text(table), index(i), text(to));
            quote! { Change::RenameIndex { table: #t, index: #i, to: #to } }
        }
        Change::AddForeignKey { table, foreign_key } => {
            let (t, k) = (text(table), foreign_key_expr(foreign_key));
            quote! { Change::AddForeignKey { table: #t, foreign_key: #k } }
        }
        Change::DropForeignKey { table, foreign_key } => {
            let (t, k) = (text(table), foreign_key_expr(foreign_key));
            quote! { Change::DropForeignKey { table: #t, foreign_key: #k } }
        }
        Change::AddCheck { table, check: c } => {
            let (t, c) = (text(table), check(c));
            quote! { Change::AddCheck { table: #t, check: #c } }
        }
        Change::DropCheck { table, check: c } => {
            let (t, c) = (text(table), check(c));
            quote! { Change::DropCheck { table: #t, check: #c } }
        }
    }
}

fn index(i: &Index) -> TokenStream {
    let (n, cols) = (&i.name, &i.columns);
    if i.unique {
        quote! { Index::unique(#n, [#(#cols),*]) }
    } else {
        quote! { Index::new(#n, [#(#cols),*]) }
    }
}

fn foreign_key_expr(fk: &ForeignKey) -> TokenStream {
    let (n, cols, rt, rcols) = (
        &fk.name,
        &fk.columns,
        &fk.referenced_table,
        &fk.referenced_columns,
    );
    let on_delete = (fk.on_delete != FkAction::Restrict).then(|| {
        let a = action(fk.on_delete);
        quote! { .on_delete(#a) }
    });
    let on_update = (fk.on_update != FkAction::Restrict).then(|| {
        let a = action(fk.on_update);
        quote! { .on_update(#a) }
    });
    quote! { ForeignKey::new(#n, [#(#cols),*], #rt, [#(#rcols),*]) #on_delete #on_update }
}

fn check(c: &Check) -> TokenStream {
    let (n, e) = (&c.name, &c.expr);
    quote! { Check::new(#n, #e) }
}

/// The Rust name of the function holding a table's definition: the snake case of the table
/// name with each run of characters that may not appear in a snake-case identifier made one `_`,
/// and `t_` before a leading digit (`tmp-export` → `tmp_export`, `2024_backup` → `t_2024_backup`,
/// `über` → `ber`); `unnamed` when nothing is left. The `_table` suffix the caller adds keeps it
/// from being a keyword; the table name itself stays string data.
fn fn_name_of(table: &str) -> String {
    let replaced: String = snake_case(table)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let name = replaced
        .split('_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    match name.chars().next() {
        None => "unnamed".to_string(),
        Some(c) if c.is_ascii_digit() => format!("t_{name}"),
        Some(_) => name,
    }
}

/// `ImageInstance` → `image_instance`, `SOPInstanceUid` → `sop_instance_uid`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn table(table: &Table) -> TokenStream {
    let name = &table.name;
    let columns = table.columns.iter().map(column);
    let pk = &table.primary_key;
    let indexes = table.indexes.iter().map(index);
    let fks = table.foreign_keys.iter().map(foreign_key_expr);
    let checks = table.checks.iter().map(check);
    let engine = table.engine.as_ref().map(|e| quote! { .engine(#e) });
    let collation = table.collation.as_ref().map(|c| quote! { .collate(#c) });
    let comment = table.comment.as_ref().map(|c| quote! { .comment(#c) });
    quote! {
        Table::new(#name)
            #(.column(#columns))*
            .primary_key([#(#pk),*])
            #(.index(#indexes))*
            #(.foreign_key(#fks))*
            #(.check(#checks))*
            #engine
            #collation
            #comment
    }
}

fn column(column: &Column) -> TokenStream {
    let name = &column.name;
    let ty = sql_type(&column.sql_type);
    let null = column.nullable.then(|| quote! { .null() });
    let auto = column.auto_increment.then(|| quote! { .auto_increment() });
    let default = column.default.as_ref().map(|d| {
        let d = match d {
            ColumnDefault::CurrentTimestamp => quote! { ColumnDefault::CurrentTimestamp },
            ColumnDefault::Literal(v) => quote! { ColumnDefault::Literal(#v.into()) },
            ColumnDefault::Expr(e) => quote! { ColumnDefault::Expr(#e.into()) },
        };
        quote! { .default(#d) }
    });
    let on_update = column
        .on_update_current_timestamp
        .then(|| quote! { .on_update_current_timestamp() });
    let collation = column.collation.as_ref().map(|c| quote! { .collate(#c) });
    let comment = column.comment.as_ref().map(|c| quote! { .comment(#c) });
    quote! { Column::new(#name, #ty) #null #auto #default #on_update #collation #comment }
}

fn sql_type(ty: &SqlType) -> TokenStream {
    let int = |variant: TokenStream, unsigned: bool| {
        if unsigned {
            quote! { SqlType::#variant { unsigned: true } }
        } else {
            quote! { SqlType::#variant { unsigned: false } }
        }
    };
    match ty {
        SqlType::Int { unsigned: false } => quote! { SqlType::INT },
        SqlType::TinyInt { unsigned } => int(quote!(TinyInt), *unsigned),
        SqlType::SmallInt { unsigned } => int(quote!(SmallInt), *unsigned),
        SqlType::MediumInt { unsigned } => int(quote!(MediumInt), *unsigned),
        SqlType::Int { unsigned } => int(quote!(Int), *unsigned),
        SqlType::BigInt { unsigned } => int(quote!(BigInt), *unsigned),
        SqlType::Bool => quote! { SqlType::Bool },
        SqlType::Float => quote! { SqlType::Float },
        SqlType::Double => quote! { SqlType::Double },
        SqlType::Decimal { precision, scale } => {
            let (precision, scale) = (
                Literal::u32_unsuffixed(*precision),
                Literal::u32_unsuffixed(*scale),
            );
            quote! { SqlType::Decimal { precision: #precision, scale: #scale } }
        }
        SqlType::Char(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote! { SqlType::Char(#n) }
        }
        SqlType::Varchar(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote! { SqlType::Varchar(#n) }
        }
        SqlType::TinyText => quote! { SqlType::TinyText },
        SqlType::Text => quote! { SqlType::Text },
        SqlType::MediumText => quote! { SqlType::MediumText },
        SqlType::LongText => quote! { SqlType::LongText },
        SqlType::Binary(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote! { SqlType::Binary(#n) }
        }
        SqlType::VarBinary(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote! { SqlType::VarBinary(#n) }
        }
        SqlType::TinyBlob => quote! { SqlType::TinyBlob },
        SqlType::Blob => quote! { SqlType::Blob },
        SqlType::MediumBlob => quote! { SqlType::MediumBlob },
        SqlType::LongBlob => quote! { SqlType::LongBlob },
        SqlType::Date => quote! { SqlType::Date },
        SqlType::DateTime => quote! { SqlType::DateTime },
        SqlType::Timestamp => quote! { SqlType::Timestamp },
        SqlType::Time => quote! { SqlType::Time },
        SqlType::Year => quote! { SqlType::Year },
        SqlType::Json => quote! { SqlType::Json },
        SqlType::Enum(values) => quote! { SqlType::enumeration([#(#values),*]) },
        SqlType::Other(s) => quote! { SqlType::Other(#s.into()) },
    }
}

fn action(action: FkAction) -> TokenStream {
    match action {
        FkAction::Restrict => quote! { FkAction::Restrict },
        FkAction::Cascade => quote! { FkAction::Cascade },
        FkAction::SetNull => quote! { FkAction::SetNull },
        FkAction::SetDefault => quote! { FkAction::SetDefault },
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn any_table_name_gives_a_function_name() {
        use super::fn_name_of;
        assert_eq!(fn_name_of("tmp-export"), "tmp_export");
        assert_eq!(fn_name_of("2024_backup"), "t_2024_backup");
        assert_eq!(fn_name_of("type"), "type");
        assert_eq!(fn_name_of("über"), "ber");
        assert_eq!(fn_name_of("a b`c"), "a_b_c");
        assert_eq!(fn_name_of("__x--y__"), "x_y");
        assert_eq!(fn_name_of(""), "unnamed");
        assert_eq!(fn_name_of("ü"), "unnamed");
        for name in [
            "tmp-export",
            "2024_backup",
            "type",
            "über",
            "a b`c",
            "",
            "Self",
            "_",
        ] {
            let ident = format!("{}_table", fn_name_of(name));
            assert!(
                syn::parse_str::<syn::Ident>(&ident).is_ok(),
                "{name:?} gave {ident:?}"
            );
        }
    }

    #[test]
    fn snake_case_handles_acronyms() {
        assert_eq!(snake_case("ImageInstance"), "image_instance");
        assert_eq!(snake_case("SOPInstanceUid"), "sop_instance_uid");
        assert_eq!(snake_case("Rows_y"), "rows_y");
        assert_eq!(snake_case("ImageInstanceID"), "image_instance_id");
        assert_eq!(snake_case("CFROI"), "cfroi");
    }
}
