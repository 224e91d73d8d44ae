//! Parameters: how a request's values become a handler's typed arguments.
//!
//! A handler parameter's type implements [`Param`]. Scalars implement
//! [`Scalar`] (FlaskSimpleAuth's conversion rules) and so work as `T`,
//! `Option<T>` and `Vec<T>`; special types (the current user, the request)
//! implement [`Param`] directly and read no request parameter.
//!
//! A new parameter type is an impl here: [`Scalar`] for a value read from
//! one string or JSON value, [`Param`] for anything else.

mod collect;
mod scalar;

pub(crate) use collect::{collect_body, Body, Entry, RequestParams};
pub use scalar::Scalar;

use actix_web::HttpRequest;
use serde_json::Value;
use std::{
    any::{Any, TypeId},
    fmt::Debug,
    ops::Deref,
};

/// What a parameter type reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A request parameter of the same name (path, query, form or JSON).
    Request,
    /// The authenticated user: not allowed on OPEN routes.
    CurrentUser,
    /// Something else of the request, not a request parameter.
    Special,
}

/// A request value, before conversion.
#[derive(Clone, Copy, Debug)]
pub enum Raw<'a> {
    /// Query or form values, in order (repeated parameters give several).
    Http(&'a [String]),
    /// A value of a JSON body.
    Json(&'a Value),
    /// A path segment.
    Path(&'a str),
}

/// What a parameter type is given to build itself.
pub struct Input<'a> {
    /// The request value of the parameter's name, if any.
    pub raw: Option<Raw<'a>>,
    /// The request.
    pub request: &'a HttpRequest,
    /// The authenticated login, if any.
    pub user: Option<&'a str>,
}

/// Why a parameter could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// The request does not give it.
    Missing,
    /// The value does not fit: the text says why (`expected an integer`).
    Invalid(String),
}

/// A type that a handler parameter may have.
///
/// Implemented by every [`Scalar`] `T` and by `Option<T>` and `Vec<T>` of
/// them, by [`CurrentUser`] and by [`HttpRequest`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an fsa route parameter",
    label = "not a parameter type",
    note = "parameter types implement `fsa_runtime::Param`: integers, floats, `bool`, `String`, `Option<T>` and `Vec<T>` of these, `CurrentUser` and `HttpRequest`; implement `Scalar` for a type read from one value"
)]
pub trait Param: Sized + 'static {
    /// What the parameter reads.
    const KIND: ParamKind = ParamKind::Request;

    /// Builds the value.
    fn extract(input: Input<'_>) -> Result<Self, ParamError>;
}

impl<T: Scalar + 'static> Param for T {
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        match input.raw {
            None => Err(ParamError::Missing),
            Some(Raw::Http(values)) => match values.first() {
                Some(first) => T::from_http(first).map_err(ParamError::Invalid),
                None => Err(ParamError::Missing),
            },
            Some(Raw::Path(text)) => T::from_path(text).map_err(ParamError::Invalid),
            Some(Raw::Json(value)) => T::from_json(value).map_err(ParamError::Invalid),
        }
    }
}

/// `Option<T>`: `None` when missing, or when the value is JSON `null` or
/// the HTTP string `null` (FlaskSimpleAuth 36.0).
impl<T: Scalar + 'static> Param for Option<T> {
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        match input.raw {
            None | Some(Raw::Json(Value::Null)) => Ok(None),
            Some(Raw::Http(values)) if values.first().is_some_and(|v| v == "null") => Ok(None),
            _ => T::extract(input).map(Some),
        }
    }
}

/// `Vec<T>`: every value of a repeated HTTP parameter, or a JSON array.
impl<T: Scalar + 'static> Param for Vec<T> {
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        match input.raw {
            None => Err(ParamError::Missing),
            Some(Raw::Http(values)) => values
                .iter()
                .map(|v| T::from_http(v))
                .collect::<Result<_, _>>()
                .map_err(ParamError::Invalid),
            Some(Raw::Path(text)) => T::from_path(text)
                .map(|v| vec![v])
                .map_err(ParamError::Invalid),
            Some(Raw::Json(Value::Array(items))) => items
                .iter()
                .enumerate()
                .map(|(i, v)| T::from_json(v).map_err(|e| format!("item {i}: {e}")))
                .collect::<Result<_, _>>()
                .map_err(ParamError::Invalid),
            Some(Raw::Json(_)) => Err(ParamError::Invalid("expected a JSON array".into())),
        }
    }
}

/// The authenticated user's login, as a handler parameter.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[get("/whoami", authz = "AUTH")]
/// async fn whoami(user: CurrentUser) -> String {
///     format!("hello {user}")
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CurrentUser(pub String);

impl Deref for CurrentUser {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Param for CurrentUser {
    const KIND: ParamKind = ParamKind::CurrentUser;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        input
            .user
            .map(|u| CurrentUser(u.to_string()))
            .ok_or_else(|| ParamError::Invalid("no authenticated user on this route".into()))
    }
}

impl Param for HttpRequest {
    const KIND: ParamKind = ParamKind::Special;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        Ok(input.request.clone())
    }
}

/// A value an object-permission hook receives: any `Debug` type (the debug
/// form keys the permission cache).
pub trait PermValue: Debug {
    /// The value, for the hook's downcast.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + Debug> PermValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Used by generated code: a converted parameter as a permission value.
#[doc(hidden)]
pub fn perm_value<T: Any + Debug>(value: &T) -> &dyn PermValue {
    value
}

/// Used by generated code: the type name of a parameter.
#[doc(hidden)]
pub fn type_name<T: ?Sized>() -> &'static str {
    std::any::type_name::<T>()
}

/// Used by generated code: the type id of a parameter.
#[doc(hidden)]
pub fn type_id<T: ?Sized + 'static>() -> TypeId {
    TypeId::of::<T>()
}
