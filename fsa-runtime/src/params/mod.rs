//! Parameters: how a request's values become a handler's typed arguments.
//!
//! The route macros read each parameter with the first of these that its
//! type implements (autoref specialization in the generated code, see
//! `params/dispatch.rs`):
//!
//! 1. [`Param`]: scalars ([`Scalar`]: integers, floats, `bool`, `String`,
//!    `Uuid`, dates, `Decimal`), `Option<P>`, `Vec<scalar>`, uploads,
//!    `HashMap<String, V>` (every other parameter), and the special types
//!    (`CurrentUser`, `HttpRequest`, [`Header`], [`Cookie`]...);
//! 2. [`SpecialParam`]: a user type computed from the request (FlaskSimpleAuth's
//!    `special_parameter`);
//! 3. actix's `FromRequest` (`web::Data<T>`, `ConnectionInfo`...), given no
//!    payload (fsa reads the body for parameters);
//! 4. `FromStr` and serde's `Deserialize` (`T`, `Option<T>`, `Vec<T>`):
//!    HTTP text by `FromStr`, JSON values by serde (`serde_json::Value` is
//!    FlaskSimpleAuth's `JsonData`);
//! 5. `FromStr` alone: from the HTTP text, or a JSON string;
//! 6. `Deserialize` alone: from a JSON value, or from an HTTP value holding
//!    JSON text (FlaskSimpleAuth's models).
//!
//! A type that fits none is a compile error on the parameter.

/// Writes the compile error of a type that is not a parameter type on a
/// trait: the one source of its text, for [`Param`] and the parameter
/// dispatch's `ParamType`.
macro_rules! not_a_parameter_type {
    ($item:item) => {
        #[diagnostic::on_unimplemented(
            message = "`{Self}` cannot be an fsa route parameter",
            label = "not a parameter type",
            note = "a parameter type implements `fsa_runtime::params::Param` (integers, floats, `bool`, `String`, `Uuid`, chrono dates and times, `Decimal`, `Option`, `Vec`, `HashMap<String, V>`, `Upload`, `Header`, `Cookie`, `CurrentUser`, `HttpRequest`), `SpecialParam`, actix's `FromRequest`, `FromStr` (with a `Display` error) or serde's `Deserialize`",
            note = "for a type of another crate, use `#[cast(function)]` on the parameter, or a newtype"
        )]
        $item
    };
}
pub(crate) use not_a_parameter_type;

mod collect;
pub(crate) mod dispatch;
mod item;
pub(crate) mod json;
pub(crate) mod path;
mod scalar;
mod special;
mod upload;

pub(crate) use collect::{collect_body, Body, Collected, Entry, RequestParams};
pub(crate) use item::raw_of;
pub use scalar::Scalar;
pub use special::{Cookie, Header, RestValue, SpecialParam};
pub use upload::Upload;

use crate::errors::ErrorResponse;
use actix_web::HttpRequest;
use item::ScalarItem;
use serde_json::Value;
use std::{any::Any, fmt::Debug, ops::Deref};

/// What a parameter type reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamKind {
    /// A request parameter of the same name (path, query, form, file or
    /// JSON).
    Request,
    /// The authenticated user: not allowed on OPEN routes.
    CurrentUser,
    /// Something else of the request, not a request parameter.
    Special,
    /// A request header named like the parameter ([`Header`]).
    Header,
    /// A cookie named like the parameter ([`Cookie`]).
    Cookie,
    /// Every request parameter no other parameter reads
    /// (`HashMap<String, V>`, FlaskSimpleAuth's `**kwargs`): the route
    /// accepts any parameter.
    Rest,
}

/// A request value, before conversion.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Raw<'a> {
    /// Query or form values, in order (repeated parameters give several).
    Http(&'a [String]),
    /// A value of a JSON body.
    Json(&'a Value),
    /// A path segment (several, slashes included, for `<path:p>`).
    Path(&'a str),
    /// Files of a `multipart/form-data` body, in order.
    Files(&'a [Upload]),
}

/// What a parameter type is given to build itself.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    /// The request value of the parameter's name, if any.
    pub raw: Option<Raw<'a>>,
    /// The request.
    pub request: &'a HttpRequest,
    /// The authenticated login, if any.
    pub user: Option<&'a str>,
    /// The parameter's request name (`pass` for `_pass`).
    pub name: &'a str,
    /// The parameters no other parameter of the route reads (only for
    /// [`ParamKind::Rest`] types).
    pub(crate) rest: &'a [(&'a str, Raw<'a>)],
    /// The scheme that authenticated the request, if any.
    pub(crate) scheme: Option<&'a str>,
    /// The OAuth scopes of the request's token.
    pub(crate) scopes: &'a [String],
}

impl<'a> Input<'a> {
    /// An input of `name` with no request value, for `request`.
    pub(crate) fn special(request: &'a HttpRequest, user: Option<&'a str>, name: &'a str) -> Self {
        Input {
            raw: None,
            request,
            user,
            name,
            rest: &[],
            scheme: None,
            scopes: &[],
        }
    }

    /// This input with another request value.
    pub fn with_raw(self, raw: Option<Raw<'a>>) -> Self {
        Input { raw, ..self }
    }

    /// The parameters no other parameter of the route reads, with their
    /// values: given to [`ParamKind::Rest`] types.
    pub fn rest(&self) -> &'a [(&'a str, Raw<'a>)] {
        self.rest
    }

    /// Another special parameter of this request, as a handler would get
    /// it: `input.get::<CurrentUser>()?` in a [`SpecialParam`].
    pub fn get<P: Param>(&self) -> Result<P, ErrorResponse> {
        P::extract(self.with_raw(None)).map_err(|e| e.into_response(self.name))
    }

    /// Another [`SpecialParam`] of this request.
    pub async fn special_param<S: SpecialParam>(&self) -> Result<S, ErrorResponse> {
        S::build(self.with_raw(None)).await
    }
}

/// Why a parameter could not be built.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ParamError {
    /// The request does not give it.
    Missing,
    /// The value does not fit: the text says why (`expected an integer`).
    Invalid(String),
    /// An answer: a 400 joins the request's other parameter problems, any
    /// other status is the answer to the request.
    Response(ErrorResponse),
}

impl ParamError {
    /// The error as an answer, for parameter `name`.
    pub(crate) fn into_response(self, name: &str) -> ErrorResponse {
        match self {
            ParamError::Missing => {
                ErrorResponse::bad_request(format!("parameter \"{name}\" is missing"))
            }
            ParamError::Invalid(why) => {
                ErrorResponse::bad_request(format!("parameter \"{name}\": {why}"))
            }
            ParamError::Response(response) => response,
        }
    }
}

impl PartialEq for ParamError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ParamError::Missing, ParamError::Missing) => true,
            (ParamError::Invalid(a), ParamError::Invalid(b)) => a == b,
            (ParamError::Response(a), ParamError::Response(b)) => {
                a.status() == b.status() && a.message() == b.message()
            }
            _ => false,
        }
    }
}

impl From<ErrorResponse> for ParamError {
    fn from(error: ErrorResponse) -> Self {
        ParamError::Response(error)
    }
}

not_a_parameter_type! {
/// A type that a handler parameter may have, read without waiting.
///
/// Implemented by every [`Scalar`] `T`, `Vec<T>` of them, `Option<P>` of
/// any `Param`, [`Upload`] (and `Vec<Upload>`), `HashMap<String, V>`,
/// [`CurrentUser`], [`HttpRequest`], [`Header`], [`Cookie`], `Fsa`,
/// `AuthInfo`. Handlers also take [`SpecialParam`], `FromRequest`,
/// `FromStr` and `Deserialize` types (see the module documentation).
///
/// A special parameter computed from the request:
///
/// ```
/// use fsa_runtime::params::{Input, Param, ParamError, ParamKind};
///
/// struct Lang(String);
///
/// impl Param for Lang {
///     const KIND: ParamKind = ParamKind::Special;
///     fn extract(input: Input<'_>) -> Result<Self, ParamError> {
///         let accept = input.request.headers().get("accept-language");
///         let lang = accept.and_then(|v| v.to_str().ok()).unwrap_or("en");
///         Ok(Lang(lang.chars().take(2).collect()))
///     }
/// }
/// ```
pub trait Param: Sized + 'static {
    /// What the parameter reads.
    const KIND: ParamKind = ParamKind::Request;

    /// Builds the value.
    fn extract(input: Input<'_>) -> Result<Self, ParamError>;
}
}

impl<T: Scalar + 'static> Param for T {
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        item::one(&ScalarItem, input.raw)
    }
}

/// `Option<P>`: `None` when missing, or when the value is JSON `null` or
/// the HTTP string `null` (FlaskSimpleAuth 36.0); `Option<CurrentUser>`:
/// `None` when nobody is authenticated (on an OPEN route).
impl<P: Param> Param for Option<P> {
    const KIND: ParamKind = P::KIND;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        if item::is_null(input.raw) {
            return Ok(None);
        }
        // `Option<CurrentUser>` on an OPEN route: nobody authenticated.
        if P::KIND == ParamKind::CurrentUser && input.user.is_none() {
            return Ok(None);
        }
        match P::extract(input) {
            Ok(value) => Ok(Some(value)),
            Err(ParamError::Missing) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// `Vec<T>`: every value of a repeated HTTP parameter, or a JSON array.
impl<T: Scalar + 'static> Param for Vec<T> {
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        item::many(&ScalarItem, input.raw)
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
            .ok_or_else(|| {
                ParamError::Response(ErrorResponse::internal(
                    "no authenticated user on this route",
                ))
            })
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

/// The most problems listed in one 400 answer.
const MAX_PROBLEMS: usize = 20;

/// Whether a text holds a NUL: a byte search, which the compiler keeps
/// inline (`str::contains(char)` goes through the generic pattern
/// searcher, 80 instructions a call on the request path).
pub(crate) fn has_nul_byte(text: &str) -> bool {
    text.as_bytes().contains(&0)
}

/// The answer to more parameters than `FSA_MAX_PARAMS`.
pub(crate) fn too_many_params(max: usize) -> ErrorResponse {
    ErrorResponse::with_status(
        format!("too many request parameters: at most {max}"),
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
    )
}

/// Keeps the first [`MAX_PROBLEMS`] problems, then says how many more: an
/// answer stays small whatever a client sends.
pub(crate) fn cap_problems(problems: &mut Vec<String>) {
    let more = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    if more > 0 {
        problems.push(format!("... and {more} more"));
    }
}

/// A name a client sent, for a message: itself, or its first 64
/// characters and `...`.
pub(crate) fn shortened(name: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 64;
    match name.char_indices().nth(MAX) {
        None => std::borrow::Cow::Borrowed(name),
        Some((at, _)) => std::borrow::Cow::Owned(format!("{}...", &name[..at])),
    }
}
