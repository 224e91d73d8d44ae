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

mod actix;
mod authn;
mod authz;
mod builder;
mod cache;
mod compile;
mod config;
mod errors;
mod fsa;
mod hooks;
mod params;
mod passwords;
mod pipeline;
#[cfg(test)]
mod properties;
mod route;
mod tokens;
mod web;

#[doc(inline)]
pub use fsa_macros::{delete, get, patch, post, put, route};

pub use actix::{FsaFuture, FsaMiddleware, FsaService};
pub use authn::{custom::AuthenticationHook, AuthInfo};
pub use builder::FsaBuilder;
pub use config::{Config, Mode, TokenCarrier, TokenType};
pub use errors::{err, ConfigError, ErrorFormat, ErrorFormatter, ErrorResponse};
pub use fsa::Fsa;
pub use hooks::{
    GetUserPassHook, GroupCheckHook, HookOutput, ObjectPermsHook, PasswordCheckHook,
    PasswordQualityHook, QualityOutput, UserInGroupHook,
};
pub use params::{
    Cookie, CurrentUser, Header, Input, Param, ParamError, ParamKind, PermValue, Raw, RestValue,
    Scalar, SpecialParam, Upload,
};
pub use route::{AuthzItem, ParamSpec, PermSpec, Route, RouteSpec};
pub use tokens::TokenOptions;
pub use web::{check_path, JsonStream};

/// `Result` with fsa's [`ErrorResponse`] as the error.
pub type Result<T, E = ErrorResponse> = std::result::Result<T, E>;

/// What a typical application uses.
pub mod prelude {
    pub use crate::{
        delete, err, get, patch, post, put, route, routes, Cookie, CurrentUser, ErrorResponse, Fsa,
        FsaBuilder, Header, Route, Upload,
    };
    pub use actix_web::{web::Data, web::Json, HttpRequest, HttpResponse, HttpServer, Responder};
}

/// What generated code names. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::errors::ErrorResponse;
    pub use crate::params::{dispatch, perm_value, type_id, type_name, Param};
    pub use crate::pipeline::{checked, RequestCtx};
    pub use crate::route::{
        register, stub_register, AuthzItem, ParamSpec, PermSpec, Route, RouteCall, RouteHost,
        RouteSpec, Sealed, STUB_SPEC,
    };
    pub use actix_web::{HttpResponse, Route as ActixRoute};
    pub use core::result::Result;
}
