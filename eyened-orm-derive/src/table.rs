use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, Result, punctuated::Punctuated, token::Comma};

/// The `#[eyened(...)]` options this derive reads on the struct (`Selectors` skips them).
pub const OPTIONS: &[&str] = &["index", "unique", "check", "engine", "collation", "comment"];

struct IndexAttr {
    name: LitStr,
    columns: Vec<LitStr>,
    unique: bool,
}

struct CheckAttr {
    name: LitStr,
    expr: LitStr,
}

#[derive(Default)]
struct TableAttrs {
    indexes: Vec<IndexAttr>,
    checks: Vec<CheckAttr>,
    engine: Option<LitStr>,
    collation: Option<LitStr>,
    comment: Option<LitStr>,
}

/// `#[eyened(collation = "...", comment = "...", on_update_current_timestamp)]` on a field.
#[derive(Default)]
struct ColumnAttrs {
    collation: Option<LitStr>,
    comment: Option<LitStr>,
    on_update_current_timestamp: bool,
}

pub fn expand(input: DeriveInput) -> Result<TokenStream> {
    let columns = column_names(&input)?;
    let attrs = parse_attrs(&input)?;
    let column_attrs = parse_column_attrs(&input)?;

    for index in &attrs.indexes {
        for col in &index.columns {
            if !columns.iter().any(|c| c == &col.value()) {
                return Err(syn::Error::new(
                    col.span(),
                    format!(
                        "index `{}` refers to column `{}`, which this model does not have; its columns are: {}",
                        index.name.value(),
                        col.value(),
                        columns.join(", ")
                    ),
                ));
            }
        }
        if index.columns.is_empty() {
            return Err(syn::Error::new(
                index.name.span(),
                format!(
                    "index `{}` names no columns: add columns(\"...\")",
                    index.name.value()
                ),
            ));
        }
    }

    let indexes = attrs.indexes.iter().map(|i| {
        let name = &i.name;
        let cols = &i.columns;
        if i.unique {
            quote! { ::eyened_orm::schema::Index::unique(#name, [#(#cols),*]) }
        } else {
            quote! { ::eyened_orm::schema::Index::new(#name, [#(#cols),*]) }
        }
    });
    let checks = attrs.checks.iter().map(|c| {
        let name = &c.name;
        let expr = &c.expr;
        quote! { ::eyened_orm::schema::Check::new(#name, #expr) }
    });

    let option = |value: &Option<LitStr>| match value {
        Some(v) => quote! { ::std::option::Option::Some(#v) },
        None => quote! { ::std::option::Option::None },
    };
    let (engine, collation, comment) = (
        option(&attrs.engine),
        option(&attrs.collation),
        option(&attrs.comment),
    );
    let declared_columns = columns
        .iter()
        .zip(&column_attrs)
        .filter(|(_, a)| {
            a.collation.is_some() || a.comment.is_some() || a.on_update_current_timestamp
        })
        .map(|(name, a)| {
            let (collation, comment) = (option(&a.collation), option(&a.comment));
            let on_update = a.on_update_current_timestamp;
            quote! {
                ::eyened_orm::schema::DeclaredColumn {
                    name: #name,
                    collation: #collation,
                    comment: #comment,
                    on_update_current_timestamp: #on_update,
                }
            }
        });

    Ok(quote! {
        impl ::eyened_orm::schema::TableMeta for Entity {
            fn indexes() -> ::std::vec::Vec<::eyened_orm::schema::Index> {
                ::std::vec![#(#indexes),*]
            }
            fn checks() -> ::std::vec::Vec<::eyened_orm::schema::Check> {
                ::std::vec![#(#checks),*]
            }
            fn declared() -> ::eyened_orm::schema::Declared {
                ::eyened_orm::schema::Declared {
                    engine: #engine,
                    collation: #collation,
                    comment: #comment,
                    columns: ::std::vec![#(#declared_columns),*],
                }
            }
        }
    })
}

/// The `#[eyened(...)]` options of each field, in field order.
fn parse_column_attrs(input: &DeriveInput) -> Result<Vec<ColumnAttrs>> {
    let Data::Struct(data) = &input.data else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for field in &data.fields {
        let mut attrs = ColumnAttrs::default();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("eyened")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("collation") {
                    attrs.collation = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("comment") {
                    attrs.comment = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("on_update_current_timestamp") {
                    attrs.on_update_current_timestamp = true;
                } else {
                    return Err(meta.error(
                        "expected `collation = \"...\"`, `comment = \"...\"` or `on_update_current_timestamp`",
                    ));
                }
                Ok(())
            })?;
        }
        out.push(attrs);
    }
    Ok(out)
}

/// The SQL column names of the model, as `DeriveEntityModel` names them.
fn column_names(input: &DeriveInput) -> Result<Vec<String>> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "EyenedTable applies to a `Model` struct",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "EyenedTable needs named fields",
        ));
    };
    let mut names = Vec::new();
    for field in &fields.named {
        let mut name = field
            .ident
            .as_ref()
            .map(|i| i.to_string())
            .unwrap_or_default();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("column_name") {
                    name = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            })?;
        }
        names.push(name);
    }
    Ok(names)
}

fn parse_attrs(input: &DeriveInput) -> Result<TableAttrs> {
    let mut attrs = TableAttrs::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("eyened")) {
        attr.parse_nested_meta(|meta| {
            let kind = if meta.path.is_ident("index") {
                Some(false)
            } else if meta.path.is_ident("unique") {
                Some(true)
            } else {
                None
            };
            if let Some(unique) = kind {
                let mut name = None;
                let mut columns = Vec::new();
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("name") {
                        name = Some(inner.value()?.parse::<LitStr>()?);
                    } else if inner.path.is_ident("columns") {
                        let content;
                        syn::parenthesized!(content in inner.input);
                        let list: Punctuated<LitStr, Comma> =
                            content.parse_terminated(|p| p.parse::<LitStr>(), Comma)?;
                        columns.extend(list);
                    } else {
                        return Err(inner.error("expected `name = \"...\"` or `columns(\"...\")`"));
                    }
                    Ok(())
                })?;
                let name = name.ok_or_else(|| meta.error("an index needs `name = \"...\"`"))?;
                attrs.indexes.push(IndexAttr {
                    name,
                    columns,
                    unique,
                });
            } else if meta.path.is_ident("check") {
                let mut name = None;
                let mut expr = None;
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("name") {
                        name = Some(inner.value()?.parse::<LitStr>()?);
                    } else if inner.path.is_ident("expr") {
                        expr = Some(inner.value()?.parse::<LitStr>()?);
                    } else {
                        return Err(inner.error("expected `name = \"...\"` or `expr = \"...\"`"));
                    }
                    Ok(())
                })?;
                let span = Span::call_site();
                attrs.checks.push(CheckAttr {
                    name: name
                        .ok_or_else(|| syn::Error::new(span, "a check needs `name = \"...\"`"))?,
                    expr: expr
                        .ok_or_else(|| syn::Error::new(span, "a check needs `expr = \"...\"`"))?,
                });
            } else if meta.path.is_ident("engine") {
                attrs.engine = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("collation") {
                attrs.collation = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("comment") {
                attrs.comment = Some(meta.value()?.parse()?);
            } else if super::selectors::OPTIONS
                .iter()
                .any(|o| meta.path.is_ident(o))
            {
                // Read by `Selectors`.
                let _: syn::Expr = meta.value()?.parse()?;
            } else {
                return Err(meta.error(
                    "expected `index(...)`, `unique(...)`, `check(...)`, `engine = \"...\"`, `collation = \"...\"` or `comment = \"...\"`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(attrs)
}
