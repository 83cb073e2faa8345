//! Proc macros for `eyened-orm`. They only expand; the logic they call lives in `eyened_orm`.

use proc_macro::TokenStream;

mod table;

/// Declares the table metadata SeaORM's `DeriveEntityModel` cannot express: named indexes,
/// named and composite unique keys and CHECK constraints.
///
/// ```ignore
/// #[derive(DeriveEntityModel, EyenedTable)]
/// #[sea_orm(table_name = "Tag")]
/// #[eyened(unique(name = "Tag", columns("TagName", "TagType")))]
/// #[eyened(index(name = "fk_Tag_Creator1_idx", columns("CreatorID")))]
/// pub struct Model { ... }
/// ```
///
/// Every column named in an attribute must be a column of the model: a typo is a compile error.
#[proc_macro_derive(EyenedTable, attributes(eyened))]
pub fn derive_eyened_table(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    table::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
