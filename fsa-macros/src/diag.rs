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

    /// Records the error of `result`, if any.
    pub(crate) fn record(&mut self, result: syn::Result<()>) {
        if let Err(error) = result {
            self.push(error);
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

/// "`what` given twice: keep one", at the second.
pub(crate) fn given_twice<T: quote::ToTokens, W: Display>(tokens: T, what: W) -> syn::Error {
    syn::Error::new_spanned(tokens, format!("{what} given twice: keep one"))
}

/// An option that may be given once, as serde_derive's `Attr`: the first
/// value is kept, and a second one is an error at its span.
pub(crate) struct Once<T> {
    /// The option's name, as written (`authz`, `default`).
    name: &'static str,
    /// The first value given.
    value: Option<T>,
}

impl<T> Once<T> {
    /// An option not given yet.
    pub(crate) const fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }

    /// Records `value`, written at `tokens`; an error if given before.
    pub(crate) fn set<S: quote::ToTokens>(&mut self, tokens: S, value: T) -> syn::Result<()> {
        if self.value.is_some() {
            return Err(given_twice(tokens, format_args!("`{}`", self.name)));
        }
        self.value = Some(value);
        Ok(())
    }

    /// The value, if given.
    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn keep_the_first_value_and_refuse_the_second() {
        let mut realm = Once::new("realm");
        let key: syn::Ident = syn::parse_quote!(realm);
        assert!(realm.set(&key, 1).is_ok());
        let error = realm.set(&key, 2).unwrap_err();
        assert_eq!(error.to_string(), "`realm` given twice: keep one");
        assert_eq!(realm.get(), Some(1));
    }
}
