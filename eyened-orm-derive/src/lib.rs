//! Proc macros for `eyened-orm`. They only expand; the logic they call lives in `eyened_orm`.

use proc_macro::TokenStream;

mod selectors;
mod table;

/// Declares the table metadata SeaORM's `DeriveEntityModel` cannot express: named indexes,
/// named and composite unique keys, CHECK constraints, the table's engine, collation and comment,
/// and a column's collation, comment and `ON UPDATE CURRENT_TIMESTAMP`.
///
/// ```ignore
/// #[derive(DeriveEntityModel, EyenedTable)]
/// #[sea_orm(table_name = "Tag")]
/// #[eyened(unique(name = "Tag", columns("TagName", "TagType")))]
/// #[eyened(index(name = "fk_Tag_Creator1_idx", columns("CreatorID")))]
/// #[eyened(comment = "labels attached to studies, images, annotations, ...")]
/// pub struct Model {
///     #[eyened(collation = "utf8mb4_bin", comment = "compared byte for byte")]
///     pub tag_name: String,
///     ...
/// }
/// ```
///
/// Left out, the engine is InnoDB, the table collation the database's default and a column's
/// collation its table's: what the server does when nothing is said.
///
/// Every column named in an attribute must be a column of the model: a typo is a compile error.
#[proc_macro_derive(EyenedTable, attributes(eyened))]
pub fn derive_eyened_table(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    table::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Generates the selectors of an entity as inherent associated functions of its `Model`:
/// `by_pk`, `fetch_all`, `by_column`, `by_columns` and `where_` on every entity; `by_id` and
/// `by_ids` with a single-column primary key; `where_including_inactive` with an `Inactive`
/// column (whose rows `where_` then leaves out); `by_name` and `name_to_id` with a name column.
///
/// ```ignore
/// #[derive(DeriveEntityModel, EyenedTable, Selectors)]
/// #[sea_orm(table_name = "Project")]
/// #[eyened(name_column = "ProjectName")]
/// pub struct Model { ... }
/// ```
///
/// Options, all in `#[eyened(...)]`:
/// - `name_column = "Column"`: the SQL name of a `String` column to look rows up by name. A
///   column the model does not have is a compile error.
/// - `base_joins = "path"`: a `fn(Select<Entity>) -> Select<Entity>` that adds the joins `where_`
///   uses, so conditions may name the joined tables' columns.
/// - `type_name = "Name"`: the name `eyened_orm` re-exports the model under, for the generated
///   docs (default: the table name).
///
/// The generated code names `Entity` and `Column` of the enclosing module, as
/// `DeriveEntityModel` generates them, and the `eyened_orm` and `sea_orm` crates.
#[proc_macro_derive(Selectors, attributes(eyened))]
pub fn derive_selectors(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    selectors::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
