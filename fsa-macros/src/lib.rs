//! Attribute macros of [fsa](https://docs.rs/fsa-runtime): declare, on each
//! actix-web handler, who may call it.
//!
//! Users depend on `fsa-runtime`, which re-exports these macros; see its
//! documentation for the whole picture.
//!
//! # Syntax
//!
//! ```text
//! #[get("/path/<int:id>", authz = AUTHZ [, authn = AUTHN] [, realm = "REALM"])]
//! #[route("/path", method = "GET", method = "POST", authz = AUTHZ, ...)]
//! ```
//!
//! # Attributes
//!
//! - `authz` (mandatory): `"OPEN"`, `"AUTH"`, `"CLOSE"` (or their aliases
//!   `"NOAUTH"`, `"AUTHENTICATED"`, `"NOBODY"`), a group name `"employee"`,
//!   an integer group `0`, an object permission `("domain")`,
//!   `("domain", "var")`, `("domain", "var", "mode")`,
//!   `("domain", "a:b", "mode")`, `any(...)`, `all(...)`, or a list `[...]`
//!   of these, all of which must pass.
//! - `authn`: a scheme name or a list of them, replacing the configured list
//!   for this route.
//! - `realm`: the realm of this route's basic challenge and tokens.
//!
//! Each mistake is a compile error pointing at the tokens to change.

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
