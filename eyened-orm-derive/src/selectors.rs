use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Result, Type};

/// One field of the `Model`, as `DeriveEntityModel` sees it.
struct Field {
    ident: Ident,
    ty: Type,
    /// SQL column name (`column_name = "..."`, else the field name).
    column: String,
    /// The `Column` enum variant `DeriveEntityModel` generates for it.
    variant: Ident,
    primary_key: bool,
}

/// Options of `#[eyened(...)]` that concern the selectors.
#[derive(Default)]
struct SelectorAttrs {
    name_column: Option<LitStr>,
    base_joins: Option<syn::Path>,
    type_name: Option<LitStr>,
}

/// The entity the selectors are generated for, parsed and checked: the state every generated
/// group reads.
struct EntityInfo<'a> {
    /// The SQL table name.
    table: String,
    doc: Doc,
    /// Every field of the `Model`, in declaration order (never empty).
    fields: &'a [Field],
    /// The primary-key fields (never empty).
    pks: Vec<&'a Field>,
    /// The `Inactive` column, whose rows `where_` leaves out.
    inactive: Option<&'a Field>,
    /// `base_joins = "path"`: the joins `where_` adds to the base query.
    base_joins: Option<&'a syn::Path>,
}

impl EntityInfo<'_> {
    /// `eyened_orm::patient::Column::PatientId`: the first column, named in the examples.
    fn example_column(&self) -> String {
        format!(
            "{}::Column::{}",
            self.doc.module_path, self.fields[0].variant
        )
    }
}

pub fn expand(input: DeriveInput) -> Result<TokenStream> {
    let model = &input.ident;
    let fields = fields(&input)?;
    let attrs = parse_attrs(&input)?;
    let table = table_name(&input)?.unwrap_or_else(|| model.to_string());

    let name_field = name_field(model, &fields, attrs.name_column.as_ref())?;
    let pks: Vec<&Field> = fields.iter().filter(|f| f.primary_key).collect();
    if pks.is_empty() {
        return Err(syn::Error::new_spanned(
            model,
            "Selectors needs a primary key: mark a field `#[sea_orm(primary_key)]`",
        ));
    }
    let entity = EntityInfo {
        doc: Doc::new(&table, attrs.type_name.as_ref()),
        table,
        fields: &fields,
        pks,
        inactive: fields.iter().find(|f| f.column == "Inactive"),
        base_joins: attrs.base_joins.as_ref(),
    };

    let mut items = vec![by_pk(&entity)];
    if let [pk] = entity.pks.as_slice() {
        items.push(by_id(&entity, pk));
    }
    items.push(fetch_all_and_by_column(&entity));
    items.push(where_selectors(&entity));
    if let Some(name) = name_field {
        items.push(name_lookups(&entity, name));
    }

    Ok(quote! {
        #[automatically_derived]
        impl #model {
            #(#items)*
        }
    })
}

/// The field of `name_column = "..."`, checked: a column of `model`, of type `String`.
fn name_field<'a>(
    model: &Ident,
    fields: &'a [Field],
    name_column: Option<&LitStr>,
) -> Result<Option<&'a Field>> {
    let Some(lit) = name_column else {
        return Ok(None);
    };
    let wanted = lit.value();
    let Some(field) = fields.iter().find(|f| f.column == wanted) else {
        let known: Vec<&str> = fields.iter().map(|f| f.column.as_str()).collect();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`name_column = \"{wanted}\"`: `{model}` has no column `{wanted}`; its columns are: {}",
                known.join(", ")
            ),
        ));
    };
    if !is_string(&field.ty) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`name_column = \"{wanted}\"`: the name column must be a `String` field, and `{}` is not",
                field.ident
            ),
        ));
    }
    Ok(Some(field))
}

/// The primary-key value type `by_pk` takes: the field's type, a tuple for composite keys.
fn pk_type(pks: &[&Field]) -> TokenStream {
    let pk_types: Vec<&Type> = pks.iter().map(|f| &f.ty).collect();
    if pks.len() == 1 {
        quote!(#(#pk_types)*)
    } else {
        quote!((#(#pk_types),*))
    }
}

/// How `by_pk` reads each of `n` key values from its argument: the value, or the tuple's fields.
fn pk_index(n: usize) -> Vec<TokenStream> {
    if n == 1 {
        vec![quote!()]
    } else {
        (0..n)
            .map(|i| {
                let i = syn::Index::from(i);
                quote!(.#i)
            })
            .collect()
    }
}

/// The primary-key argument of the `by_pk` example for `n` key columns: `1`, or `(1, 1)`.
fn pk_example(n: usize) -> String {
    if n == 1 {
        "1".to_owned()
    } else {
        format!("({})", vec!["1"; n].join(", "))
    }
}

/// The key `by_pk` takes, for its doc: `` `ID` ``, or `` a tuple `(A, B)` ``.
fn pk_description(pk_columns: &[&str]) -> String {
    if pk_columns.len() == 1 {
        format!("`{}`", pk_columns[0])
    } else {
        format!("a tuple `({})`", pk_columns.join(", "))
    }
}

/// `by_pk`: every entity; the primary-key value type, a tuple for composite keys.
fn by_pk(e: &EntityInfo) -> TokenStream {
    let table = &e.table;
    let pk_columns: Vec<&str> = e.pks.iter().map(|f| f.column.as_str()).collect();
    let pk_type = pk_type(&e.pks);
    let pk_index = pk_index(e.pks.len());
    let pk_example = pk_example(e.pks.len());
    let by_pk_doc = e.doc.example(
        &format!(
            "Selects the `{table}` row with this primary key ({}), or `None`.",
            pk_description(&pk_columns)
        ),
        &format!(
            "let row: Option<{t}> = {t}::by_pk(&db, {pk_example}).await?;",
            t = e.doc.type_path
        ),
    );
    quote! {
        #[doc = #by_pk_doc]
        pub async fn by_pk<C>(db: &C, pk: #pk_type) -> ::eyened_orm::select::__private::Result<::std::option::Option<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            static BY_PK: ::eyened_orm::select::__private::CachedByPk = ::eyened_orm::select::__private::CachedByPk::new();
            let values = ::std::vec![#(::sea_orm::Value::from(pk #pk_index)),*];
            ::eyened_orm::select::__private::one_by_pk::<Entity, C>(db, &BY_PK, values, || <Entity as ::sea_orm::EntityTrait>::find_by_id(pk)).await
        }
    }
}

/// `by_id` and `by_ids`: entities with a single-column primary key `pk`.
fn by_id(e: &EntityInfo, pk: &Field) -> TokenStream {
    let table = &e.table;
    let ty = &pk.ty;
    let ident = &pk.ident;
    let variant = &pk.variant;
    let column = &pk.column;
    let by_id_doc = e.doc.example(
        &format!("Selects the `{table}` row with `{column} = id`, or `None`."),
        &format!(
            "let row: Option<{t}> = {t}::by_id(&db, 1).await?;",
            t = e.doc.type_path
        ),
    );
    let by_ids_doc = e.doc.example(
        &format!(
            "Selects the `{table}` rows with these `{column}`s, in the order of `ids`.\n\n\
             A repeated id gives its row once (where it first occurs); an id with no row is \
             left out. An empty slice returns an empty `Vec` without a query."
        ),
        &format!(
            "let rows: Vec<{t}> = {t}::by_ids(&db, &[3, 1, 2]).await?;",
            t = e.doc.type_path
        ),
    );
    quote! {
        #[doc = #by_id_doc]
        pub async fn by_id<C>(db: &C, id: #ty) -> ::eyened_orm::select::__private::Result<::std::option::Option<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            static BY_ID: ::eyened_orm::select::__private::CachedByPk = ::eyened_orm::select::__private::CachedByPk::new();
            ::eyened_orm::select::__private::one_by_pk::<Entity, C>(db, &BY_ID, ::std::vec![::sea_orm::Value::from(id)], || <Entity as ::sea_orm::EntityTrait>::find_by_id(id)).await
        }

        #[doc = #by_ids_doc]
        pub async fn by_ids<C>(db: &C, ids: &[#ty]) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            if ids.is_empty() {
                return ::std::result::Result::Ok(::std::vec::Vec::new());
            }
            ::eyened_orm::select::__private::by_ids::<Entity, C, #ty>(db, Column::#variant, ids, |m| m.#ident).await
        }
    }
}

/// `fetch_all`, `by_column` and `by_columns`: every entity.
fn fetch_all_and_by_column(e: &EntityInfo) -> TokenStream {
    let table = &e.table;
    let fetch_all_doc = e.doc.example(
        &format!(
            "Every `{table}` row, in primary-key order{}.",
            if e.inactive.is_some() {
                ", inactive ones included"
            } else {
                ""
            }
        ),
        &format!(
            "let rows: Vec<{t}> = {t}::fetch_all(&db).await?;",
            t = e.doc.type_path
        ),
    );
    let example_column = e.example_column();
    let by_column_doc = e.doc.example(
        &format!(
            "Selects the one `{table}` row whose `column` equals `value` (`None` matches `IS NULL`).\n\n\
             Returns `None` when no row matches, and [`Error::Ambiguous`](crate::Error::Ambiguous) \
             with the count when several do: use `by_columns` to get them all."
        ),
        &format!(
            "let row: Option<{t}> = {t}::by_column(&db, {example_column}, 1).await?;",
            t = e.doc.type_path
        ),
    );
    let by_columns_doc = e.doc.example(
        &format!(
            "Selects every `{table}` row whose columns equal the given values (`None` matches \
             `IS NULL`), in primary-key order. With no pairs, every row."
        ),
        &format!(
            "let rows: Vec<{t}> = {t}::by_columns(&db, [({example_column}, 1.into())]).await?;",
            t = e.doc.type_path
        ),
    );
    quote! {
        #[doc = #fetch_all_doc]
        pub async fn fetch_all<C>(db: &C) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            ::eyened_orm::select::__private::fetch_all::<Entity, C>(db).await
        }

        #[doc = #by_column_doc]
        pub async fn by_column<C, V>(db: &C, column: Column, value: V) -> ::eyened_orm::select::__private::Result<::std::option::Option<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
            V: ::std::convert::Into<::sea_orm::Value>,
        {
            ::eyened_orm::select::__private::by_column::<Entity, C>(db, column, value.into()).await
        }

        #[doc = #by_columns_doc]
        pub async fn by_columns<C, I>(db: &C, filters: I) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
            I: ::std::iter::IntoIterator<Item = (Column, ::sea_orm::Value)>,
        {
            ::eyened_orm::select::__private::by_columns::<Entity, C, I>(db, filters).await
        }
    }
}

/// The query `where_` filters: `Entity::find()`, passed through `base_joins` when declared.
fn base_query(base_joins: Option<&syn::Path>) -> TokenStream {
    match base_joins {
        Some(path) => quote!(#path(<Entity as ::sea_orm::EntityTrait>::find())),
        None => quote!(<Entity as ::sea_orm::EntityTrait>::find()),
    }
}

/// The sentence the `where_` docs end with when the query joins other tables (else nothing).
fn joins_note(has_joins: bool) -> &'static str {
    if has_joins {
        "\n\nThe query joins the related tables named in this module's `base_joins`, so the \
         condition may use their columns."
    } else {
        ""
    }
}

/// `where_`: the base query (with the joins the entity declares), minus inactive rows; with an
/// `Inactive` column also `where_including_inactive`.
fn where_selectors(e: &EntityInfo) -> TokenStream {
    let joined = base_query(e.base_joins);
    let joins_note = joins_note(e.base_joins.is_some());
    let where_example = format!(
        "let rows: Vec<{t}> = {t}::where_(&db, {}.gt(1)).await?;",
        e.example_column(),
        t = e.doc.type_path
    );
    let where_example = format!("use sea_orm::ColumnTrait;\n{where_example}");
    match e.inactive {
        Some(inactive) => where_skipping_inactive(e, inactive, &joined, joins_note, &where_example),
        None => where_every_row(e, &joined, joins_note, &where_example),
    }
}

/// `where_` that leaves out the rows with `inactive` set, and `where_including_inactive`.
fn where_skipping_inactive(
    e: &EntityInfo,
    inactive: &Field,
    joined: &TokenStream,
    joins_note: &str,
    where_example: &str,
) -> TokenStream {
    let table = &e.table;
    let variant = &inactive.variant;
    let where_doc = e.doc.example(
        &format!(
            "Selects the active `{table}` rows (`Inactive = 0`) that satisfy `condition`, in \
             primary-key order.{joins_note}"
        ),
        where_example,
    );
    let including_doc = e.doc.example(
        &format!(
            "Selects the `{table}` rows that satisfy `condition`, inactive ones included, in \
             primary-key order.{joins_note}"
        ),
        &where_example.replace("where_(", "where_including_inactive("),
    );
    quote! {
        #[doc = #where_doc]
        pub async fn where_<C, F>(db: &C, condition: F) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
            F: ::sea_orm::sea_query::IntoCondition,
        {
            let condition = ::sea_orm::Condition::all()
                .add(::sea_orm::ColumnTrait::eq(&Column::#variant, false))
                .add(condition.into_condition());
            ::eyened_orm::select::__private::filtered::<Entity, C>(db, #joined, condition).await
        }

        #[doc = #including_doc]
        pub async fn where_including_inactive<C, F>(db: &C, condition: F) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
            F: ::sea_orm::sea_query::IntoCondition,
        {
            ::eyened_orm::select::__private::filtered::<Entity, C>(db, #joined, condition.into_condition()).await
        }
    }
}

/// `where_` of an entity without an `Inactive` column: every row that satisfies the condition.
fn where_every_row(
    e: &EntityInfo,
    joined: &TokenStream,
    joins_note: &str,
    where_example: &str,
) -> TokenStream {
    let table = &e.table;
    let where_doc = e.doc.example(
        &format!(
            "Selects the `{table}` rows that satisfy `condition`, in primary-key order.{joins_note}"
        ),
        where_example,
    );
    quote! {
        #[doc = #where_doc]
        pub async fn where_<C, F>(db: &C, condition: F) -> ::eyened_orm::select::__private::Result<::std::vec::Vec<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
            F: ::sea_orm::sea_query::IntoCondition,
        {
            ::eyened_orm::select::__private::filtered::<Entity, C>(db, #joined, condition.into_condition()).await
        }
    }
}

/// The name lookups of an entity with a name column `name`: `by_name`, and `name_to_id` when
/// the primary key is a single column.
fn name_lookups(e: &EntityInfo, name: &Field) -> TokenStream {
    let by_name = by_name(e, name);
    let name_to_id = match e.pks.as_slice() {
        [pk] => Some(name_to_id(e, name, pk)),
        _ => None,
    };
    quote! {
        #by_name
        #name_to_id
    }
}

/// `by_name`: the one row whose name column `name` equals the argument.
fn by_name(e: &EntityInfo, name: &Field) -> TokenStream {
    let table = &e.table;
    let variant = &name.variant;
    let column = &name.column;
    let by_name_doc = e.doc.example(
        &format!(
            "Selects the `{table}` row whose name column `{column}` equals `name` (compared \
             under the column's collation: case-insensitively on the Eyened server).\n\n\
             Returns `None` when no row matches, and \
             [`Error::Ambiguous`](crate::Error::Ambiguous) with the count when several do."
        ),
        &format!(
            "let row: Option<{t}> = {t}::by_name(&db, \"some name\").await?;",
            t = e.doc.type_path
        ),
    );
    quote! {
        #[doc = #by_name_doc]
        pub async fn by_name<C>(db: &C, name: &str) -> ::eyened_orm::select::__private::Result<::std::option::Option<Self>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            ::eyened_orm::select::__private::by_column::<Entity, C>(db, Column::#variant, name.into()).await
        }
    }
}

/// `name_to_id`: every name of the name column `name` mapped to its single-column key `pk`.
fn name_to_id(e: &EntityInfo, name: &Field, pk: &Field) -> TokenStream {
    let table = &e.table;
    let variant = &name.variant;
    let column = &name.column;
    let name_to_id_doc = e.doc.example(
        &format!(
            "Maps every `{table}.{column}` to its `{}`.\n\n\
             A name stored on more than one row gives \
             [`Error::Ambiguous`](crate::Error::Ambiguous): a map cannot say which \
             row it meant.",
            pk.column
        ),
        &format!(
            "let ids: std::collections::BTreeMap<String, i32> = {t}::name_to_id(&db).await?;",
            t = e.doc.type_path
        ),
    );
    let pk_variant = &pk.variant;
    let pk_ty = &pk.ty;
    quote! {
        #[doc = #name_to_id_doc]
        pub async fn name_to_id<C>(db: &C) -> ::eyened_orm::select::__private::Result<::std::collections::BTreeMap<::std::string::String, #pk_ty>>
        where
            C: ::sea_orm::ConnectionTrait,
        {
            ::eyened_orm::select::__private::name_to_id::<Entity, C, #pk_ty>(db, Column::#variant, Column::#pk_variant).await
        }
    }
}

/// Builds the rustdoc of a generated function: a summary and a `no_run` example.
struct Doc {
    /// `eyened_orm::Patient`
    type_path: String,
    /// `eyened_orm::patient`
    module_path: String,
}

impl Doc {
    /// The paths of the entity of `table`, re-exported as `type_name` (default: the table name).
    fn new(table: &str, type_name: Option<&LitStr>) -> Self {
        Doc {
            type_path: format!(
                "eyened_orm::{}",
                type_name
                    .map(LitStr::value)
                    .unwrap_or_else(|| table.to_owned())
            ),
            module_path: format!("eyened_orm::{}", snake_case(table)),
        }
    }

    fn example(&self, summary: &str, body: &str) -> String {
        let body: String = body.lines().map(|l| format!("{l}\n")).collect();
        format!(
            "{summary}\n\n\
             ```no_run\n\
             # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
             let db = sea_orm::Database::connect(std::env::var(\"DATABASE_URL\")?).await?;\n\
             {body}\
             # Ok(()) }}\n\
             ```"
        )
    }
}

fn is_string(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("String"))
}

/// `ImageInstance` → `image_instance`: the entity module is named after its table.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `image_instance_id` → `ImageInstanceId`, as `DeriveEntityModel` names `Column` variants.
fn upper_camel(name: &str) -> String {
    name.trim_start_matches("r#")
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn table_name(input: &DeriveInput) -> Result<Option<String>> {
    let mut name = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table_name") {
                name = Some(meta.value()?.parse::<LitStr>()?.value());
            } else {
                skip(&meta)?;
            }
            Ok(())
        })?;
    }
    Ok(name)
}

fn fields(input: &DeriveInput) -> Result<Vec<Field>> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "Selectors applies to a `Model` struct",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "Selectors needs a struct with named fields",
        ));
    };
    let mut out = Vec::new();
    for field in &named.named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let mut column = ident.to_string().trim_start_matches("r#").to_owned();
        let mut primary_key = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("column_name") {
                    column = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("primary_key") {
                    primary_key = true;
                } else {
                    skip(&meta)?;
                }
                Ok(())
            })?;
        }
        out.push(Field {
            variant: format_ident!("{}", upper_camel(&ident.to_string())),
            ident,
            ty: field.ty.clone(),
            column,
            primary_key,
        });
    }
    if out.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "Selectors needs at least one field",
        ));
    }
    Ok(out)
}

/// Consumes an attribute entry this derive does not interpret: `key`, `key = value` or `key(...)`.
fn skip(meta: &syn::meta::ParseNestedMeta) -> Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        let _: TokenStream = content.parse()?;
    }
    Ok(())
}

fn parse_attrs(input: &DeriveInput) -> Result<SelectorAttrs> {
    let mut attrs = SelectorAttrs::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("eyened")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name_column") {
                attrs.name_column = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("base_joins") {
                let lit: LitStr = meta.value()?.parse()?;
                attrs.base_joins = Some(lit.parse().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "`base_joins` names a function `fn(Select<Entity>) -> Select<Entity>`, e.g. \"base_joins\"",
                    )
                })?);
            } else if meta.path.is_ident("type_name") {
                attrs.type_name = Some(meta.value()?.parse()?);
            } else if super::table::OPTIONS.iter().any(|o| meta.path.is_ident(o)) {
                // EyenedTable's table metadata.
                skip(&meta)?;
            } else {
                return Err(meta.error(format!(
                    "unknown `eyened` option: expected one of {}",
                    OPTIONS
                        .iter()
                        .chain(super::table::OPTIONS)
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            Ok(())
        })?;
    }
    Ok(attrs)
}

/// The `#[eyened(...)]` options this derive reads (`EyenedTable` skips them).
pub const OPTIONS: &[&str] = &["name_column", "base_joins", "type_name"];

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(input: TokenStream) -> String {
        expand(syn::parse2(input).unwrap()).unwrap().to_string()
    }

    #[test]
    fn composite_keys_are_tuples() {
        assert_eq!(pk_example(1), "1");
        assert_eq!(pk_example(3), "(1, 1, 1)");
        assert_eq!(pk_description(&["ID"]), "`ID`");
        assert_eq!(pk_description(&["A", "B"]), "a tuple `(A, B)`");
        assert_eq!(pk_index(1).len(), 1);
        assert!(pk_index(1)[0].is_empty());
        let index: Vec<String> = pk_index(2).iter().map(ToString::to_string).collect();
        assert_eq!(index, [". 0", ". 1"]);
    }

    #[test]
    fn doc_paths_follow_table_and_type_name() {
        let doc = Doc::new("ImageInstance", None);
        assert_eq!(doc.type_path, "eyened_orm::ImageInstance");
        assert_eq!(doc.module_path, "eyened_orm::image_instance");
        let name = LitStr::new("Image", Span::call_site());
        assert_eq!(
            Doc::new("ImageInstance", Some(&name)).type_path,
            "eyened_orm::Image"
        );
        assert_eq!(upper_camel("r#image_instance_id"), "ImageInstanceId");
        assert_eq!(joins_note(false), "");
        assert!(joins_note(true).contains("base_joins"));
    }

    #[test]
    fn groups_follow_the_model() {
        let single = expand_str(quote! {
            #[sea_orm(table_name = "Thing")]
            #[eyened(name_column = "ThingName")]
            pub struct Model {
                #[sea_orm(primary_key, column_name = "ThingID")]
                pub thing_id: i32,
                #[sea_orm(column_name = "ThingName")]
                pub thing_name: String,
                #[sea_orm(column_name = "Inactive")]
                pub inactive: bool,
            }
        });
        for f in [
            "fn by_pk",
            "fn by_id",
            "fn by_ids",
            "fn fetch_all",
            "fn by_columns",
            "fn where_including_inactive",
            "fn by_name",
            "fn name_to_id",
        ] {
            assert!(single.contains(f), "{f}");
        }
        let composite = expand_str(quote! {
            #[eyened(name_column = "name")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub a: i32,
                #[sea_orm(primary_key)]
                pub b: i32,
                pub name: String,
            }
        });
        for f in ["fn by_id", "fn where_including_inactive", "fn name_to_id"] {
            assert!(!composite.contains(f), "{f}");
        }
        assert!(composite.contains("fn by_name"));
        assert!(composite.contains("fn where_"));
    }
}
