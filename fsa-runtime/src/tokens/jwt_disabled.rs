//! JSON Web Tokens when fsa-runtime is built without a JWT backend
//! (features `jwt` and `jwt-rust-crypto` off): `FSA_TOKEN_TYPE = "jwt"`
//! is a start-up error saying which feature to enable.

use crate::errors::ErrorResponse;
use std::convert::Infallible;

/// Never made: [`Jwt::new`] always fails.
pub(crate) struct Jwt(Infallible);

impl Jwt {
    pub(crate) fn new(_algo: &str, _secret: &str, _sign: Option<&str>) -> Result<Self, String> {
        Err("FSA_TOKEN_TYPE = \"jwt\" needs the `jwt` feature of fsa-runtime (on by default), or `jwt-rust-crypto`".into())
    }

    pub(crate) fn create(
        &self,
        _login: &str,
        _audience: &str,
        _issuer: Option<&str>,
        _expires: i64,
        _scopes: &[String],
    ) -> Result<String, ErrorResponse> {
        match self.0 {}
    }

    pub(crate) fn check(
        &self,
        _token: &str,
        _audience: &str,
        _issuer: Option<&str>,
        _grace_seconds: f64,
    ) -> Result<(String, f64, Vec<String>), ErrorResponse> {
        match self.0 {}
    }
}
