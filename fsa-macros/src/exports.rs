//! Every runtime path that generated code names, in one table (Rocket's
//! `exports.rs`). Generated code reaches the runtime only through
//! `::fsa_runtime::__private`.

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// `::fsa_runtime::__private`
pub(crate) fn private() -> TokenStream {
    quote!(::fsa_runtime::__private)
}

/// `::fsa_runtime::__private` at `span`: an error on the call it starts
/// points there.
pub(crate) fn private_at(span: Span) -> TokenStream {
    private()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}
