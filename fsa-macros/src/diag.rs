//! Error accumulation: report every mistake of a route at once.

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Collects `syn::Error`s and folds them into one, as serde_derive's `Ctxt`.
#[derive(Default)]
pub(crate) struct Errors {
    first: Option<syn::Error>,
}

impl Errors {
    /// Records an error at the span of `tokens`.
    pub(crate) fn at<T: quote::ToTokens, M: Display>(&mut self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at a span.
    pub(crate) fn span<M: Display>(&mut self, span: proc_macro2::Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an already built error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    /// Whether nothing went wrong so far.
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// The `compile_error!` invocations of every recorded error.
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.first.map(|e| e.to_compile_error()).unwrap_or_default()
    }
}
