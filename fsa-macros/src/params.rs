//! Handler parameters: their request names and fsa's parameter attributes
//! (`#[default(expr)]`, `#[name("wire-name")]`, `#[cast(function)]`), which leave the function
//! before it is emitted again.

use crate::diag::{Errors, Once};
use crate::paths::Converter;
use proc_macro2::Span;
use syn::{spanned::Spanned, Attribute, Expr, FnArg, Ident, LitStr, Pat, Signature, Type};

const DEFAULT: &str = "default";
const NAME: &str = "name";
const CAST: &str = "cast";

/// One parameter of a handler.
pub(crate) struct Param {
    /// The Rust name, as written (`r#type`, `_pass`).
    pub(crate) ident: Ident,
    /// The request parameter name: `pass` for `_pass`, `type` for `r#type`.
    pub(crate) wire: String,
    /// The declared type.
    pub(crate) ty: Type,
    /// `#[default(expr)]`: used when the request does not give the parameter.
    pub(crate) default: Option<(Attribute, Expr)>,
    /// `#[cast(f)]`: `f(&str) -> Result<T, E: Display>` converts each value.
    pub(crate) cast: Option<Expr>,
    /// Where the value comes from: the request, until validation binds the
    /// parameter to a path variable.
    pub(crate) source: Source,
}

impl Param {
    /// The Rust name without `r#`: `type` for `r#type`.
    pub(crate) fn plain_name(&self) -> String {
        self.ident.to_string().trim_start_matches("r#").to_string()
    }
}

/// Where a parameter's value comes from.
pub(crate) enum Source {
    /// The request, by the parameter's `wire` name: its query, form or JSON
    /// body, or whatever the type reads itself (a header, the user).
    Request,
    /// A path variable.
    Path {
        /// The variable's name in the path: `sid` for `<int:sid>`.
        name: String,
        /// The variable's converter, written or implied by the type.
        converter: Option<Converter>,
    },
}

/// Reads the parameters of `sig`, removing fsa's attributes from it.
pub(crate) fn parse(sig: &mut Signature, errors: &mut Errors) -> Vec<Param> {
    let mut params: Vec<Param> = Vec::new();
    for input in sig.inputs.iter_mut() {
        let pat_type = match input {
            FnArg::Receiver(receiver) => {
                errors.at(&*receiver, "an fsa route is a free function: remove `self`");
                continue;
            }
            FnArg::Typed(pat_type) => pat_type,
        };
        let Taken {
            default,
            name,
            cast,
        } = take_attributes(&mut pat_type.attrs, errors);
        let ident = match &*pat_type.pat {
            Pat::Ident(pat) if pat.subpat.is_none() && pat.by_ref.is_none() => pat.ident.clone(),
            other => {
                errors.at(
                    other,
                    "an fsa route parameter is a plain name, as `sid: i64`: its name is the request parameter's",
                );
                continue;
            }
        };
        let wire = match &name {
            Some(lit) => lit.value(),
            None => wire_name(&ident),
        };
        if let Some(other) = params.iter().find(|p| p.wire == wire) {
            let span = name.as_ref().map_or(ident.span(), LitStr::span);
            errors.span(
                span,
                format!(
                    "parameters `{}` and `{}` both read request parameter \"{wire}\": rename one, or give it `#[name(\"...\")]`",
                    other.ident, ident
                ),
            );
        }
        params.push(Param {
            ident,
            wire,
            ty: (*pat_type.ty).clone(),
            default,
            cast,
            source: Source::Request,
        });
    }
    params
}

/// The request name of a Rust parameter name: `r#type` reads `type`, and one
/// leading `_` is dropped when more follows (`_pass` reads `pass`), as
/// FlaskSimpleAuth does for Python keywords.
pub(crate) fn wire_name(ident: &Ident) -> String {
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    match name.strip_prefix('_') {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => name.to_string(),
    }
}

/// fsa's attributes of one parameter.
struct Taken {
    default: Option<(Attribute, Expr)>,
    name: Option<LitStr>,
    cast: Option<Expr>,
}

/// Removes `#[default(..)]`, `#[name(..)]` and `#[cast(..)]`, keeping the
/// other attributes.
fn take_attributes(attrs: &mut Vec<Attribute>, errors: &mut Errors) -> Taken {
    let mut default = Once::new(DEFAULT);
    let mut name = Once::new(NAME);
    let mut cast = Once::new(CAST);
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        if attr.path().is_ident(DEFAULT) {
            match attr.parse_args::<Expr>() {
                Ok(expr) => errors.record(default.set(&attr, (attr.clone(), expr))),
                Err(_) => errors.at(
                    &attr,
                    "`default` takes one expression of the parameter's type: `#[default(\"%\")]`",
                ),
            }
        } else if attr.path().is_ident(NAME) {
            match attr.parse_args::<LitStr>() {
                Ok(lit) => errors.record(name.set(&attr, lit)),
                Err(_) => errors.at(
                    &attr,
                    "`name` takes the request parameter's name as a string: `#[name(\"x-id\")]`",
                ),
            }
        } else if attr.path().is_ident(CAST) {
            match attr.parse_args::<Expr>() {
                Ok(expr) => errors.record(cast.set(&attr, expr)),
                Err(_) => errors.at(
                    &attr,
                    "`cast` takes a function of the text, `fn(&str) -> Result<T, E>`: `#[cast(parse_date)]`",
                ),
            }
        } else {
            kept.push(attr);
        }
    }
    *attrs = kept;
    Taken {
        default: default.get(),
        name: name.get(),
        cast: cast.get(),
    }
}

/// `Option` or `Vec` and the item type, for `Option<T>` and `Vec<T>`
/// written as such (`std::option::Option<T>` too).
pub(crate) fn container(ty: &Type) -> Option<(&'static str, &Type)> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let kind = match last.ident.to_string().as_str() {
        "Option" => "Option",
        "Vec" => "Vec",
        _ => return None,
    };
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some((kind, inner)),
            _ => None,
        },
        _ => None,
    }
}

/// The last segment of a type path, `i64` for `std::primitive::i64`, looking
/// through references; `None` for other kinds of types.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|s| s.ident.to_string())
        }
        Type::Reference(reference) => type_name(&reference.elem),
        Type::Group(group) => type_name(&group.elem),
        Type::Paren(paren) => type_name(&paren.elem),
        _ => None,
    }
}

/// The span to blame for a parameter's type.
pub(crate) fn type_span(param: &Param) -> Span {
    param.ty.span()
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn drop_one_leading_underscore_and_raw_prefixes() {
        let name = |s: &str| wire_name(&syn::parse_str::<Ident>(s).unwrap());
        assert_eq!(name("_pass"), "pass");
        assert_eq!(name("__x"), "_x");
        assert_eq!(name("r#type"), "type");
        assert_eq!(name("sid"), "sid");
    }

    #[test]
    fn take_fsa_attributes_off_and_keep_the_others() {
        let mut sig: Signature = syn::parse_quote!(fn f(#[default("%")] #[allow(unused)] pattern: String, #[name("x-id")] id: i64, #[cast(parse)] d: Option<Date>));
        let mut errors = Errors::default();
        let params = parse(&mut sig, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(params[0].wire, "pattern");
        assert!(params[0].default.is_some());
        assert_eq!(params[1].wire, "x-id");
        assert!(params[2].cast.is_some());
        assert_eq!(container(&params[2].ty).map(|(k, _)| k), Some("Option"));
        let rendered = quote::quote!(#sig).to_string();
        assert!(!rendered.contains("default"));
        assert!(!rendered.contains("cast"));
        assert!(rendered.contains("allow"));
    }
}
