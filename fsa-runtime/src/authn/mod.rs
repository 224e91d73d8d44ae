//! Authentication: the route's schemes are tried in order; the first that
//! names a user wins; otherwise the last scheme's error is the answer
//! (SPEC 5.1).
//!
//! A new scheme is a file here, a variant of [`Scheme`] and a line in
//! [`Scheme::authenticate`].

mod basic;

use crate::{errors::ErrorResponse, pipeline::RequestCtx};

/// A configured authentication scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// Never authenticates; needed for OPEN routes.
    None,
    /// `Authorization: Basic ...` (RFC 7617).
    Basic,
}

impl Scheme {
    /// The scheme of a name in `FSA_AUTH`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "none" => Self::None,
            "basic" => Self::Basic,
            _ => return None,
        })
    }

    /// The name, as in `FSA_AUTH` and the `FSA-User` header.
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Basic => "basic",
        }
    }

    /// The `WWW-Authenticate` challenge of this scheme, if it has one.
    pub(crate) fn challenge(&self, realm: &str) -> Option<String> {
        match self {
            Self::Basic => Some(format!("Basic realm=\"{realm}\"")),
            Self::None => None,
        }
    }

    /// `Ok(Some(login))`: authenticated; `Ok(None)`: this scheme does not
    /// apply; `Err`: it applies and fails.
    async fn authenticate(&self, ctx: &mut RequestCtx) -> Result<Option<String>, ErrorResponse> {
        match self {
            Self::None => Ok(None),
            Self::Basic => basic::authenticate(ctx).await,
        }
    }
}

/// Authenticates the request with the route's schemes.
pub(crate) async fn authenticate(ctx: &mut RequestCtx) -> Result<(), ErrorResponse> {
    let schemes = ctx.route().schemes.clone();
    let mut last_error = None;
    for scheme in schemes.iter() {
        match scheme.authenticate(ctx).await {
            Ok(Some(login)) => {
                ctx.set_user(login, scheme.name());
                return Ok(());
            }
            Ok(None) => {}
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| ErrorResponse::unauthorized("missing authentication")))
}
