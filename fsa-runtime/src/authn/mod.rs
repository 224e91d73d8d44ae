//! Authentication: the route's schemes are tried in order; the first that
//! names a user wins; otherwise the answer is the error of the last scheme
//! whose credentials were sent and refused, else of the last scheme.
//!
//! A new scheme is a file here, a variant of [`Scheme`] and a line in
//! [`Scheme::authenticate`].

mod basic;
pub(crate) mod custom;
mod fake;
mod httpd;
mod param;
mod token;

use crate::{
    errors::ErrorResponse,
    params::{Input, Param, ParamError, ParamKind},
    pipeline::RequestCtx,
};
use actix_web::http::header::AUTHORIZATION;
#[cfg(test)]
pub(crate) use basic::credentials as basic_credentials;
use custom::CustomFn;
use std::{borrow::Cow, collections::HashMap, sync::Arc};

/// A configured authentication scheme.
#[derive(Clone)]
pub(crate) enum Scheme {
    /// Never authenticates; needed for OPEN routes.
    None,
    /// `Authorization: Basic ...` (RFC 7617).
    Basic,
    /// `USER` and `PASS` request parameters.
    Param,
    /// A token from the configured carrier.
    Token,
    /// A JWT with scopes, from the configured carrier.
    Oauth,
    /// The `LOGIN` parameter, from loopback peers only.
    Fake,
    /// A trusted header set by a fronting web server.
    Httpd,
    /// An application hook.
    Custom(Arc<str>, CustomFn),
}

impl PartialEq for Scheme {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Scheme {
    /// The scheme of a name in `FSA_AUTH`, built-in or custom.
    pub(crate) fn from_name(name: &str, custom: &HashMap<String, CustomFn>) -> Option<Self> {
        Some(match name {
            "none" => Self::None,
            "basic" => Self::Basic,
            "param" => Self::Param,
            "token" => Self::Token,
            "oauth" => Self::Oauth,
            "fake" => Self::Fake,
            "httpd" => Self::Httpd,
            other => Self::Custom(Arc::from(other), custom.get(other)?.clone()),
        })
    }

    /// The name, as in `FSA_AUTH` and the `FSA-User` header.
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Custom(name, _) => name,
            builtin => builtin.builtin_name().unwrap_or_default(),
        }
    }

    /// The name, without allocating for the built-in schemes.
    pub(crate) fn static_name(&self) -> Cow<'static, str> {
        match self.builtin_name() {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(self.name().to_string()),
        }
    }

    /// The name of a built-in scheme, `None` for a custom one.
    fn builtin_name(&self) -> Option<&'static str> {
        Some(match self {
            Self::None => "none",
            Self::Basic => "basic",
            Self::Param => "param",
            Self::Token => "token",
            Self::Oauth => "oauth",
            Self::Fake => "fake",
            Self::Httpd => "httpd",
            Self::Custom(..) => return None,
        })
    }

    /// Whether the scheme reads request parameters (so they are gathered
    /// before authentication).
    pub(crate) fn reads_params(&self, token_param: bool) -> bool {
        match self {
            Self::Param | Self::Fake => true,
            Self::Token | Self::Oauth => token_param,
            _ => false,
        }
    }

    /// `Ok(Some(login))`: authenticated; `Ok(None)`: this scheme does not
    /// apply; `Err`: it applies and fails.
    ///
    /// The password and hook schemes' futures are boxed: they are large
    /// (and slow anyway), and would make every request's future larger.
    async fn authenticate(&self, ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
        match self {
            Self::None => Ok(None),
            Self::Basic => Box::pin(basic::authenticate(ctx)).await,
            Self::Param => Box::pin(param::authenticate(ctx)).await,
            Self::Token | Self::Oauth => token::authenticate(ctx),
            Self::Fake => fake::authenticate(ctx),
            Self::Httpd => httpd::authenticate(ctx),
            Self::Custom(_, hook) => {
                let future = hook(ctx.request());
                Box::pin(crate::passwords::guard_hook("authentication hook", future))
                    .await
                    .map_err(Failure::Refused)
            }
        }
    }
}

/// Authenticates the request with the route's schemes.
pub(crate) async fn authenticate(ctx: &mut RequestCtx) -> Result<(), ErrorResponse> {
    // Two credentials in one request: which one would be meant? Neither.
    if ctx
        .request()
        .headers()
        .get_all(AUTHORIZATION)
        .nth(1)
        .is_some()
    {
        return Err(ErrorResponse::bad_request(
            "several Authorization headers: send one",
        ));
    }
    if ctx.route().auth_reads_params {
        Box::pin(ctx.gather_params()).await?;
    }
    // A scheme whose credentials were sent and refused explains the 401
    // better than one whose credentials are absent: its error wins.
    let (mut refused, mut absent) = (None, None);
    for index in 0..ctx.route().schemes.len() {
        // A built-in scheme is copied, a custom one's Arc cloned.
        let scheme = ctx.route().schemes[index].clone();
        match scheme.authenticate(ctx).await {
            // No scheme may name the empty login (a JWT with `"sub": ""`).
            Ok(Some(login)) if login.is_empty() => {
                refused = Some(ErrorResponse::unauthorized("empty login"));
            }
            Ok(Some(login)) => {
                ctx.set_user(login, scheme.static_name());
                return Ok(());
            }
            Ok(None) => {}
            Err(Failure::Refused(error)) => refused = Some(error),
            Err(Failure::Absent(error)) => absent = Some(error),
        }
    }
    Err(refused
        .or(absent)
        .unwrap_or_else(|| ErrorResponse::unauthorized("missing authentication")))
}

/// The value of a header that carries a credential, refused when the
/// request sends it several times.
pub(crate) fn single_header<'a>(
    request: &'a actix_web::HttpRequest,
    name: &str,
) -> Result<Option<&'a actix_web::http::header::HeaderValue>, Failure> {
    let mut values = request.headers().get_all(name);
    let first = values.next();
    if values.next().is_some() {
        return Err(Failure::Refused(ErrorResponse::bad_request(format!(
            "several {name} headers: send one"
        ))));
    }
    Ok(first)
}

/// Why a scheme did not authenticate a request.
pub(crate) enum Failure {
    /// Its credentials are not in the request ("missing token").
    Absent(ErrorResponse),
    /// Its credentials are there and wrong ("invalid jwt token"), or its
    /// hook failed.
    Refused(ErrorResponse),
}

/// Who made the request and how, as a handler parameter: the login (none
/// on OPEN routes), the scheme that authenticated it, and the OAuth scopes
/// of its token.
///
/// ```
/// use fsa_runtime::{prelude::*, AuthInfo};
///
/// #[get("/whoami", authz = "AUTH")]
/// async fn whoami(auth: AuthInfo) -> String {
///     format!("{:?} by {:?}, admin scope: {}", auth.login(), auth.scheme(), auth.has_scope("admin"))
/// }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthInfo {
    login: Option<String>,
    scheme: Option<Cow<'static, str>>,
    scopes: Vec<String>,
}

impl AuthInfo {
    /// The authenticated login, if any.
    pub fn login(&self) -> Option<&str> {
        self.login.as_deref()
    }

    /// The scheme that authenticated the request (`basic`, `token`...).
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// Whether the request's token holds an OAuth scope (FlaskSimpleAuth's
    /// `user_scope`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The OAuth scopes of the request's token.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Made only for the handlers that ask for it.
impl Param for AuthInfo {
    const KIND: ParamKind = ParamKind::Special;
    fn extract(input: Input<'_>) -> Result<Self, ParamError> {
        Ok(AuthInfo {
            login: input.user.map(String::from),
            scheme: input.scheme.map(|s| Cow::Owned(s.to_string())),
            scopes: input.scopes.to_vec(),
        })
    }
}
