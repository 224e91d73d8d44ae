//! The authentication schemes a configuration names, with what each one
//! needs from the configuration, reads from a request, answers in a 401
//! challenge and implies for token cookies.
//!
//! A new built-in scheme is a variant here, a line in [`BUILT_IN`], its
//! file in `authn/` and its arm in `authn::authenticate_with`: every `match`
//! below is exhaustive, so the compiler lists each fact left to decide.

use crate::{
    config::{Config, Mode, TokenCarrier, TokenType},
    hooks::CustomFn,
    tokens::Tokens,
};
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

/// The built-in schemes, named by [`Scheme::builtin_name`] (`password`,
/// `basic` then `param`, is expanded by the configuration). A variant left
/// out is unknown to `FSA_AUTH`: the test below lists every one.
pub(crate) const BUILT_IN: &[Scheme] = &[
    Scheme::None,
    Scheme::Basic,
    Scheme::Param,
    Scheme::Token,
    Scheme::Oauth,
    Scheme::Httpd,
    Scheme::Fake,
];

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
        match BUILT_IN.iter().find(|s| s.builtin_name() == Some(name)) {
            Some(scheme) => Some(scheme.clone()),
            None => Some(Self::Custom(Arc::from(name), custom.get(name)?.clone())),
        }
    }

    /// Whether `FSA_AUTH` names one of fsa's own schemes (or `password`,
    /// which the configuration expands), not an application's.
    #[cfg(feature = "openapi")]
    pub(crate) fn is_built_in(name: &str) -> bool {
        name == "password" || BUILT_IN.iter().any(|s| s.builtin_name() == Some(name))
    }

    /// What to write instead of an unknown scheme name.
    pub(crate) fn unknown(name: &str) -> String {
        let names: Vec<&str> = BUILT_IN.iter().filter_map(Scheme::builtin_name).collect();
        format!(
            "FSA_AUTH: unknown scheme \"{name}\": expected {}, password, or one registered with .authentication(\"{name}\", f)",
            names.join(", ")
        )
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

    /// What the configuration lacks for this scheme, enabled in `FSA_AUTH`,
    /// each problem saying what to write.
    pub(crate) fn config_problems(&self, config: &Config) -> Vec<String> {
        let mut problems = Vec::new();
        match self {
            Self::None | Self::Basic | Self::Param | Self::Custom(..) => {}
            Self::Token => {
                if config.token_type.is_none() {
                    problems.push(
                        "token authentication is enabled in FSA_AUTH but FSA_TOKEN_TYPE is none"
                            .into(),
                    );
                }
            }
            Self::Oauth => {
                if config.token_type != Some(TokenType::Jwt) {
                    problems.push("oauth authentication requires FSA_TOKEN_TYPE = \"jwt\"".into());
                }
                if config.token_issuer.is_none() {
                    problems.push("oauth authentication requires FSA_TOKEN_ISSUER".into());
                }
            }
            Self::Fake => {
                if config.mode == Mode::Prod {
                    problems.push("fake authentication trusts a LOGIN parameter, for local tests only: it needs FSA_MODE = \"dev\" or a debug mode".into());
                }
            }
            Self::Httpd => {
                if config.httpd_header.is_none() {
                    problems.push("httpd authentication needs FSA_HTTPD_HEADER, the trusted header set by the fronting web server".into());
                }
            }
        }
        problems
    }

    /// The request parameters this scheme reads: never "unexpected", and
    /// gathered before authentication.
    pub(crate) fn params_read(&self, config: &Config, tokens: Option<&Tokens>) -> Vec<String> {
        match self {
            Self::Param => vec![config.param_user.clone(), config.param_pass.clone()],
            Self::Fake => vec![config.fake_login.clone()],
            Self::Token | Self::Oauth => tokens
                .filter(|t| t.carrier == TokenCarrier::Param)
                .map(|t| vec![t.name.clone()])
                .unwrap_or_default(),
            Self::None | Self::Basic | Self::Httpd | Self::Custom(..) => Vec::new(),
        }
    }

    /// Its `WWW-Authenticate` challenge on a route of realm `realm`.
    pub(crate) fn challenge(
        &self,
        realm: &str,
        token_realm: &str,
        tokens: Option<&Tokens>,
    ) -> Option<String> {
        match self {
            Self::Basic => Some(format!("Basic realm=\"{realm}\"")),
            // The realm of the route's tokens, as FlaskSimpleAuth's.
            Self::Token | Self::Oauth => tokens.and_then(|t| t.challenge(token_realm)),
            Self::None | Self::Param | Self::Fake | Self::Httpd | Self::Custom(..) => None,
        }
    }

    /// Whether it takes tokens: only the successes of such a route renew a
    /// token cookie (a password-only route, an MFA first stage, does not).
    pub(crate) fn takes_tokens(&self) -> bool {
        match self {
            Self::Token | Self::Oauth => true,
            Self::None
            | Self::Basic
            | Self::Param
            | Self::Fake
            | Self::Httpd
            | Self::Custom(..) => false,
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;

    /// Every built-in variant: a new one fails to compile here until it is
    /// listed, and then this test checks that `BUILT_IN` has it.
    fn listed(scheme: &Scheme) -> bool {
        match scheme {
            Scheme::None
            | Scheme::Basic
            | Scheme::Param
            | Scheme::Token
            | Scheme::Oauth
            | Scheme::Fake
            | Scheme::Httpd => BUILT_IN.contains(scheme),
            Scheme::Custom(..) => false,
        }
    }

    #[test]
    fn know_every_built_in_scheme_by_its_name() {
        let every = [
            Scheme::None,
            Scheme::Basic,
            Scheme::Param,
            Scheme::Token,
            Scheme::Oauth,
            Scheme::Fake,
            Scheme::Httpd,
        ];
        for scheme in &every {
            assert!(listed(scheme), "{scheme:?} is missing from BUILT_IN");
            let name = scheme.name();
            assert_eq!(
                Scheme::from_name(name, &HashMap::new()).as_ref(),
                Some(scheme)
            );
        }
        assert_eq!(BUILT_IN.len(), every.len());
        assert!(Scheme::from_name("kerberos", &HashMap::new()).is_none());
    }
}
