//! Every runtime path that generated code names, in one table (Rocket's
//! `exports.rs`). Generated code reaches the runtime only through
//! `::fsa_runtime::__private`.

use proc_macro2::TokenStream;
use quote::quote;

/// `::fsa_runtime::__private`
pub(crate) fn private() -> TokenStream {
    quote!(::fsa_runtime::__private)
}
