//! The route attributes: parse, validate, expand (thiserror's pipeline).

mod expand;
mod parse;
mod validate;

use crate::diag::Errors;
use proc_macro2::TokenStream;
use syn::parse::Parser;

/// Expands `#[get(...)]` (`method` given) or `#[route(...)]` (`None`).
pub(crate) fn expand(method: Option<&str>, attr: TokenStream, item: TokenStream) -> TokenStream {
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new_spanned(
                item.clone(),
                "an fsa route attribute goes on a function: `#[get(\"/path\", authz = \"AUTH\")] async fn f() ...`",
            );
            return error.to_compile_error();
        }
    };
    let parser =
        |input: syn::parse::ParseStream| parse::RouteAttr::parse_with(input, method.is_none());
    let attr = match parser.parse2(attr) {
        Ok(attr) => attr,
        Err(error) => return expand::with_stub(&function, error.to_compile_error()),
    };
    let mut errors = Errors::default();
    let route = validate::validate(method, attr, function, &mut errors);
    let output = if errors.is_empty() {
        expand::route(&route)
    } else {
        expand::with_stub(&route.function, errors.into_compile_errors())
    };
    if std::env::var_os("FSA_MACROS_DEBUG").is_some() {
        eprintln!("{output}");
    }
    output
}
