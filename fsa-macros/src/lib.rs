//! Attribute macros of [fsa](https://docs.rs/fsa-runtime): declare, on each
//! actix-web handler, who may call it.
//!
//! Users depend on `fsa-runtime`, which re-exports these macros; see its
//! documentation for the whole picture.
//!
//! The syntax, the options and examples are on the macros as fsa-runtime
//! re-exports them: `fsa_runtime::get` and the others.

mod diag;
mod exports;
mod params;
mod paths;
mod route;

use proc_macro::TokenStream;

macro_rules! method_macro {
    ($(#[$doc:meta])* $name:ident, $method:literal) => {
        $(#[$doc])*
        #[proc_macro_attribute]
        pub fn $name(attr: TokenStream, item: TokenStream) -> TokenStream {
            route::expand(Some($method), attr.into(), item.into()).into()
        }
    };
}

method_macro!(
    /// A `GET` route: `#[get("/store", authz = "employee")]`.
    get, "GET"
);
method_macro!(
    /// A `POST` route: `#[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]`.
    post, "POST"
);
method_macro!(
    /// A `PUT` route: `#[put("/user/<login>", authz = "admin")]`.
    put, "PUT"
);
method_macro!(
    /// A `PATCH` route: `#[patch("/user/<login>", authz = ("user", "login"))]`.
    patch, "PATCH"
);
method_macro!(
    /// A `DELETE` route: `#[delete("/user/<login>", authz = "admin")]`.
    delete, "DELETE"
);

/// A route answering several methods:
/// `#[route("/store", method = "GET", method = "HEAD", authz = "employee")]`.
#[proc_macro_attribute]
pub fn route(attr: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(None, attr.into(), item.into()).into()
}
