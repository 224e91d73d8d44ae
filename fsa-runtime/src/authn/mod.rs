//! Authentication: the route's schemes are tried in order; the first that
//! names a user wins; otherwise the answer is the error of the last scheme
//! whose credentials were sent and refused, else of the last scheme.

// A new built-in scheme is a file here, a variant of `Scheme` (its facts in
// `src/scheme.rs`, in exhaustive matches) and an arm in `authenticate_with`.

mod basic;
mod fake;
mod httpd;
mod param;
pub(crate) mod password;
mod token;

#[cfg(test)]
pub(crate) use basic::credentials as basic_credentials;

use crate::{
    context::RequestCtx,
    errors::ErrorResponse,
    params::{Input, Param, ParamError, ParamKind},
    scheme::Scheme,
};
use actix_web::http::header::AUTHORIZATION;
use futures_util::FutureExt;
use std::borrow::Cow;
use std::panic::AssertUnwindSafe;

/// `Ok(Some(login))`: authenticated; `Ok(None)`: this scheme does not
/// apply; `Err`: it applies and fails.
///
/// The password and hook schemes' futures are boxed: they are large (and
/// slow anyway), and would make every request's future larger.
async fn authenticate_with(
    scheme: &Scheme,
    ctx: &mut RequestCtx,
) -> Result<Option<String>, Failure> {
    match scheme {
        Scheme::None => Ok(None),
        Scheme::Basic => Box::pin(basic::authenticate(ctx)).await,
        Scheme::Param => Box::pin(param::authenticate(ctx)).await,
        Scheme::Token | Scheme::Oauth => token::authenticate(ctx).await,
        Scheme::Fake => fake::authenticate(ctx),
        Scheme::Httpd => httpd::authenticate(ctx),
        Scheme::Custom(name, hook) => {
            // A panicking scheme is skipped, with a log line, as
            // FlaskSimpleAuth skips a scheme raising anything but an
            // ErrorResponse; its own `Err` is a refusal.
            let future = std::panic::catch_unwind(AssertUnwindSafe(|| hook(ctx.request())));
            let Ok(future) = future else {
                tracing::error!(scheme = %name, "fsa: authentication hook panicked: skipped");
                return Ok(None);
            };
            match AssertUnwindSafe(future).catch_unwind().await {
                Ok(answer) => answer.map_err(Failure::Refused),
                Err(_) => {
                    tracing::error!(scheme = %name, "fsa: authentication hook panicked: skipped");
                    Ok(None)
                }
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
        match authenticate_with(&scheme, ctx).await {
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
/// use fsa_runtime::prelude::*;
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
