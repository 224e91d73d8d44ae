//! # fsa: FlaskSimpleAuth's declarative security for actix-web
//!
//! Each route declares who may call it; the configuration says how users
//! are authenticated and how authorizations are checked; fsa enforces it,
//! with safe defaults, and turns request parameters into typed arguments.
//!
//! ```no_run
//! use fsa_runtime::prelude::*;
//!
//! #[get("/store", authz = "employee")]
//! async fn get_store(#[default("%")] pattern: String) -> String {
//!     format!("stores matching {pattern}")
//! }
//!
//! #[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]
//! async fn post_product(sid: i64, product: String, quantity: i64) -> HttpResponse {
//!     HttpResponse::Created().json((sid, product, quantity))
//! }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let fsa = Fsa::from_env("ACME_CONFIG")?        // FSA_* directives
//!         .get_user_pass(|login: &str| -> Option<String> { None })
//!         .group_check("employee", |login: &str| login == "calvin")
//!         .object_perms("store", |login: &str, sid: i64, mode: Option<&str>| Some(sid == 1))
//!         .routes(routes![get_store, post_product])
//!         .build()?;                                 // every route checked here
//!     HttpServer::new(move || fsa.app()).bind("127.0.0.1:8080")?.run().await
//! }
//! ```
//!
//! A route without `authz` does not compile; nor does one naming a
//! variable the function does not take. What depends on the configuration
//! (groups, schemes, permission hooks) is checked by `build()`.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate self as fsa_runtime;

// The modules, bottom to top, and where a new scheme, parameter type or
// directive goes: README.md, "Layout and design".
pub mod actix;
mod answer;
pub mod authn;
mod authz;
mod builder;
mod cache;
mod compile;
pub mod config;
mod context;
mod cors;
pub mod errors;
mod fsa;
mod group;
pub mod hooks;
pub mod listing;
#[cfg(feature = "openapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "openapi")))]
pub mod openapi;
pub mod params;
mod passwords;
mod path_set;
mod pipeline;
#[cfg(test)]
mod properties;
mod proxy;
pub mod route;
mod scheme;
mod spec;
mod state;
mod stream;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod throttle;
pub mod tokens;
mod told;
pub mod web;

/// A `DELETE` route.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[delete("/user/<login>", authz = "admin", realm = "admin")]
/// async fn delete_user(login: String) -> HttpResponse {
///     HttpResponse::NoContent().finish()
/// }
/// # let _ = routes![delete_user];
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::delete;
/// A `GET` route.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[get("/hello", authz = "OPEN")]
/// async fn hello(name: Option<String>) -> String {
///     format!("hello {}", name.as_deref().unwrap_or("world"))
/// }
/// # let _ = routes![hello];
/// ```
///
/// A route without `authz` does not compile:
///
/// ```compile_fail
/// use fsa_runtime::prelude::*;
///
/// #[get("/hello")]
/// async fn hello() -> &'static str {
///     "hello"
/// }
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::get;
/// A `PATCH` route.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[patch("/user/<login>", authz = ("user", "login"))]
/// async fn patch_user(login: String, email: Option<String>) -> HttpResponse {
///     HttpResponse::NoContent().finish()
/// }
/// # let _ = routes![patch_user];
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::patch;
/// A `POST` route.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[post("/store/<int:sid>/product", authz = ("store", "sid", "manager"))]
/// async fn add_product(sid: i64, name: String, #[default(1_u32)] count: u32) -> HttpResponse {
///     HttpResponse::Created().json((sid, name, count))
/// }
///
/// let routes = routes![add_product];
/// assert_eq!(routes[0].info().actix_path(), "/store/{sid:[0-9]+}/product");
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::post;
/// A `PUT` route.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[put("/user/<login>", authz = "admin", authn = "basic")]
/// async fn put_user(login: String, email: String) -> HttpResponse {
///     HttpResponse::NoContent().finish()
/// }
/// # let _ = routes![put_user];
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::put;
/// A route answering the methods its `method` options name.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[route("/store", method = "GET", method = "HEAD", authz = "employee", authn = ["token", "basic"])]
/// async fn stores(user: CurrentUser) -> String {
///     format!("stores seen by {}", user.0)
/// }
///
/// let routes = routes![stores];
/// assert_eq!(routes[0].info().methods(), ["GET", "HEAD"]);
/// ```
#[doc = include_str!("../doc/route-macros.md")]
#[doc(inline)]
pub use fsa_macros::route;

pub use builder::FsaBuilder;
pub use errors::{err, ConfigError, ErrorResponse};
pub use fsa::Fsa;
pub use group::RouteGroup;
pub use route::{Route, RouteInfo};

/// `Result` with fsa's [`ErrorResponse`] as the error.
pub type Result<T, E = ErrorResponse> = std::result::Result<T, E>;

/// What a typical application uses.
pub mod prelude {
    pub use crate::{
        authn::AuthInfo,
        delete, err, get,
        params::{Cookie, CurrentUser, Header, Upload},
        patch, post, put, route, routes,
        web::JsonStream,
        ErrorResponse, Fsa, FsaBuilder, Route,
    };
    pub use actix_web::{web::Data, web::Json, HttpRequest, HttpResponse, HttpServer, Responder};
}

/// What generated code names. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::{checked, RequestCtx};
    pub use crate::errors::ErrorResponse;
    pub use crate::params::dispatch::{perm_value, type_id, type_name};
    pub use crate::params::Param;
    pub use crate::pipeline::register;
    pub use crate::route::generated::{stub_register, RouteCall, RouteHost, Sealed};
    pub use crate::route::Route;

    /// How a parameter's type is read (autoref specialization).
    pub mod dispatch {
        pub use crate::params::dispatch::*;
    }
    pub use crate::spec::{AuthzItem, ParamSpec, PermSpec, RouteSpec, STUB_SPEC};
    pub use actix_web::{HttpResponse, Route as ActixRoute};
    pub use core::result::Result;
}
