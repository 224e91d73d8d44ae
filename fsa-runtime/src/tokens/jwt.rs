//! JSON Web Tokens through `jsonwebtoken`: claims `exp`, `sub`, `aud`
//! (the realm), `iss` (`FSA_TOKEN_ISSUER`) and `scope`.

use crate::errors::ErrorResponse;
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims fsa writes.
#[derive(Serialize)]
struct Claims {
    exp: i64,
    sub: String,
    aud: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    scope: Option<String>,
}

/// The claims fsa reads; `aud` and `iss` are checked by `jsonwebtoken`
/// (an audience may be a string or a list, as RFC 7519 allows).
#[derive(Deserialize)]
struct Checked {
    exp: i64,
    sub: String,
    #[serde(default)]
    scope: Option<String>,
}

/// The keys of the configured algorithm.
pub(crate) struct Jwt {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
}

impl Jwt {
    /// `secret` verifies (HMAC key, or public key); `sign` signs for
    /// public-key algorithms (without it, tokens can only be verified).
    pub(crate) fn new(algo: &str, secret: &str, sign: Option<&str>) -> Result<Self, String> {
        let algorithm: Algorithm = algo
            .parse()
            .map_err(|_| format!("FSA_TOKEN_ALGO: unexpected jwt algorithm \"{algo}\": expected HS256, HS384, HS512, RS*, PS*, ES256, ES384 or EdDSA"))?;
        let key_error =
            |what: &str, e: jsonwebtoken::errors::Error| format!("{what}: invalid {algo} key: {e}");
        let (decoding, encoding) = match algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => (
                DecodingKey::from_secret(secret.as_bytes()),
                Some(EncodingKey::from_secret(secret.as_bytes())),
            ),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => (
                DecodingKey::from_rsa_pem(secret.as_bytes())
                    .map_err(|e| key_error("FSA_TOKEN_SECRET", e))?,
                sign.map(|s| {
                    EncodingKey::from_rsa_pem(s.as_bytes())
                        .map_err(|e| key_error("FSA_TOKEN_SIGN", e))
                })
                .transpose()?,
            ),
            Algorithm::ES256 | Algorithm::ES384 => (
                DecodingKey::from_ec_pem(secret.as_bytes())
                    .map_err(|e| key_error("FSA_TOKEN_SECRET", e))?,
                sign.map(|s| {
                    EncodingKey::from_ec_pem(s.as_bytes())
                        .map_err(|e| key_error("FSA_TOKEN_SIGN", e))
                })
                .transpose()?,
            ),
            Algorithm::EdDSA => (
                DecodingKey::from_ed_pem(secret.as_bytes())
                    .map_err(|e| key_error("FSA_TOKEN_SECRET", e))?,
                sign.map(|s| {
                    EncodingKey::from_ed_pem(s.as_bytes())
                        .map_err(|e| key_error("FSA_TOKEN_SIGN", e))
                })
                .transpose()?,
            ),
        };
        Ok(Self {
            algorithm,
            decoding,
            encoding,
        })
    }

    /// A new token.
    pub(crate) fn create(
        &self,
        login: &str,
        audience: &str,
        issuer: Option<&str>,
        expires: i64,
        scopes: &[String],
    ) -> Result<String, ErrorResponse> {
        let key = self.encoding.as_ref().ok_or_else(|| {
            ErrorResponse::internal(
                "cannot create tokens: FSA_TOKEN_SIGN is not set for a public-key algorithm",
            )
        })?;
        let claims = Claims {
            exp: expires,
            sub: login.to_string(),
            aud: audience.to_string(),
            iss: issuer.map(String::from),
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, key)
            .map_err(|e| ErrorResponse::internal(format!("cannot create token: {e}")))
    }

    /// Checks a token: login, expiry and scopes on success.
    pub(crate) fn check(
        &self,
        token: &str,
        audience: &str,
        issuer: Option<&str>,
        grace_seconds: f64,
    ) -> Result<(String, f64, Vec<String>), ErrorResponse> {
        let mut validation = Validation::new(self.algorithm);
        validation.set_audience(&[audience]);
        if let Some(issuer) = issuer {
            // Required too: set_issuer alone lets a token without `iss` pass.
            validation.set_issuer(&[issuer]);
            validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        } else {
            validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        }
        validation.leeway = grace_seconds.max(0.0) as u64;
        let data = jsonwebtoken::decode::<Checked>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ErrorResponse::unauthorized("expired jwt auth token")
                }
                _ => ErrorResponse::unauthorized("invalid jwt token"),
            },
        )?;
        let claims = data.claims;
        let scopes = claims
            .scope
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        Ok((claims.sub, claims.exp as f64, scopes))
    }
}
