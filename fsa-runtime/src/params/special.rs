//! Parameters that are not request parameters of their own name: headers,
//! cookies, user-computed values, and the catch-all map.

use super::{item, scalar::quoted, Input, Param, ParamError, ParamKind, Raw, Scalar};
use crate::errors::ErrorResponse;
use serde_json::Value;
use std::{collections::HashMap, future::Future, ops::Deref};

/// A request header named like the parameter: `user_agent: Header` reads
/// `User-Agent` (`_` matches `-`, any case). Missing: a 400, unless the
/// parameter is an `Option<Header<T>>`.
///
/// ```
/// use fsa_runtime::prelude::*;
///
/// #[get("/agent", authz = "OPEN")]
/// async fn agent(user_agent: Header, x_count: Option<Header<u32>>) -> String {
///     format!("{} {:?}", *user_agent, x_count.map(|c| c.0))
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header<T = String>(pub T);

/// A cookie named like the parameter (exactly). Missing: a 400, unless the
/// parameter is an `Option<Cookie<T>>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cookie<T = String>(pub T);

macro_rules! newtype {
    ($($name:ident),*) => {$(
        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T> $name<T> {
            /// The value.
            pub fn into_inner(self) -> T {
                self.0
            }
        }
    )*};
}
newtype!(Header, Cookie);

impl<T: Scalar + 'static> Param for Header<T> {
    const KIND: ParamKind = ParamKind::Header;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        let name = input.name.replace('_', "-");
        let Some(value) = input.request.headers().get(name.as_str()) else {
            return Err(ParamError::Missing);
        };
        let text = value
            .to_str()
            .map_err(|_| ParamError::Invalid(format!("header \"{name}\" is not visible ASCII")))?;
        T::from_http(text)
            .map(Header)
            .map_err(|e| ParamError::Invalid(format!("header \"{name}\": {e}")))
    }
}

impl<T: Scalar + 'static> Param for Cookie<T> {
    const KIND: ParamKind = ParamKind::Cookie;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        let Some(cookie) = input.request.cookie(input.name) else {
            return Err(ParamError::Missing);
        };
        T::from_http(cookie.value())
            .map(Cookie)
            .map_err(|e| ParamError::Invalid(format!("cookie \"{}\": {e}", input.name)))
    }
}

/// A value computed for each request, possibly waiting (a database
/// look-up): FlaskSimpleAuth's `special_parameter`. It may use the request
/// and other special parameters (`input.get::<CurrentUser>()?`). An error
/// with status 400 joins the request's other parameter problems; another
/// status is the answer.
///
/// ```
/// use fsa_runtime::{
///     params::{Input, SpecialParam},
///     prelude::*,
/// };
///
/// struct User {
///     login: String,
///     admin: bool,
/// }
///
/// impl SpecialParam for User {
///     async fn build(input: Input<'_>) -> Result<Self, ErrorResponse> {
///         let login = input.get::<CurrentUser>()?;
///         // a database query would go here
///         Ok(User { admin: &*login == "calvin", login: login.0 })
///     }
/// }
///
/// #[get("/me", authz = "AUTH")]
/// async fn me(user: User) -> String {
///     format!("{} {}", user.login, user.admin)
/// }
/// ```
pub trait SpecialParam: Sized + 'static {
    /// Builds the value for a request.
    fn build(input: Input<'_>) -> impl Future<Output = Result<Self, ErrorResponse>>;
}

/// A value of a `HashMap<String, V>` that collects the other parameters:
/// any [`Param`] (`String`, `i64`, `Vec<String>`, `Upload`...) or
/// `serde_json::Value` (an HTTP value as a JSON string, a JSON value as
/// it is).
pub trait RestValue: Sized {
    /// Converts one collected parameter.
    fn from_rest(input: Input<'_>) -> Result<Self, ParamError>;
}

impl<P: Param> RestValue for P {
    fn from_rest(input: Input<'_>) -> Result<Self, ParamError> {
        P::extract(input)
    }
}

impl RestValue for Value {
    fn from_rest(input: Input<'_>) -> Result<Self, ParamError> {
        match input.raw {
            None => Err(ParamError::Missing),
            Some(Raw::Json(value)) => Ok(value.clone()),
            Some(Raw::Http(values)) => values
                .first()
                .map(|v| Value::String(v.clone()))
                .ok_or(ParamError::Missing),
            Some(Raw::Path(text)) => Ok(Value::String(text.to_string())),
            Some(Raw::Files(_)) => Err(item::not_a_file()),
        }
    }
}

/// Every request parameter that no other parameter of the route reads
/// (FlaskSimpleAuth's `**kwargs`), authentication parameters excepted; the
/// route then accepts any parameter.
impl<V: RestValue + 'static> Param for HashMap<String, V> {
    const KIND: ParamKind = ParamKind::Rest;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        let mut map = HashMap::new();
        let mut problems = Vec::new();
        for &(name, raw) in input.rest() {
            let one = Input {
                raw: Some(raw),
                name,
                rest: &[],
                ..input
            };
            match V::from_rest(one) {
                Ok(value) => {
                    map.insert(name.to_string(), value);
                }
                Err(ParamError::Invalid(why)) => problems.push(format!("{}: {why}", quoted(name))),
                Err(ParamError::Missing) => {}
                Err(error) => return Err(error),
            }
        }
        if problems.is_empty() {
            return Ok(map);
        }
        super::cap_problems(&mut problems);
        Err(ParamError::Invalid(problems.join("; ")))
    }
}
