//! JSON Web Tokens through `jsonwebtoken`: claims `exp`, `sub`, `aud`
//! (the realm), `iss` (`FSA_TOKEN_ISSUER`) and `scope`.
//!
//! The crypto backend is a feature: `jwt` (AWS-LC, the default) or
//! `jwt-rust-crypto` (RustCrypto, RSA verification only).

use crate::errors::ErrorResponse;
use jsonwebtoken::{
    crypto::CryptoProvider, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header,
    Validation,
};
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
        let provider = provider()?;
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
                    refuse_rsa_signing(provider)?;
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
        // A token is valid from `nbf` (when given) to `exp`, give or take
        // the grace.
        validation.validate_nbf = true;
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

/// jsonwebtoken's crypto backend, a process-wide setting: fsa's (AWS-LC
/// with the `jwt` feature, else RustCrypto) unless the application
/// installed one before `build()` (or jsonwebtoken already chose one).
/// Installing it makes JWTs work even when another crate enables
/// jsonwebtoken's other backend (with both, jsonwebtoken has no default).
/// A backend that cannot even make an HMAC signer (jsonwebtoken's
/// placeholder when it found two backends and none was installed) is a
/// start-up error, not a panic on every request.
fn provider() -> Result<&'static CryptoProvider, String> {
    #[cfg(feature = "jwt")]
    let ours = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "jwt"))]
    let ours = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let provider = match ours.install_default() {
        Ok(()) => ours,
        Err(installed) => installed,
    };
    let key = EncodingKey::from_secret(b"fsa");
    let works = std::panic::catch_unwind(|| (provider.signer_factory)(&Algorithm::HS256, &key));
    match works {
        Ok(Ok(_)) => Ok(provider),
        _ => Err("jsonwebtoken has no usable crypto backend: both of its backends are enabled and the default was fixed before fsa's build(); install one (jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default()) before any JWT is made".into()),
    }
}

/// RSA private keys are refused unless the backend is AWS-LC: RustCrypto's
/// `rsa` crate is open to RUSTSEC-2023-0071 (Marvin: key recovery by
/// timing private-key operations), and every token created would be such
/// an operation. An application's own backend counts as RustCrypto.
fn refuse_rsa_signing(provider: &CryptoProvider) -> Result<(), String> {
    #[cfg(feature = "jwt")]
    if std::ptr::eq(provider, &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER) {
        return Ok(());
    }
    let _ = provider;
    Err("FSA_TOKEN_SIGN: RSA signing needs jsonwebtoken's AWS-LC backend (fsa's `jwt` feature): RustCrypto's rsa crate is open to RUSTSEC-2023-0071; or sign with ES256, ES384 or EdDSA".into())
}

#[cfg(test)]
mod should {
    use super::*;

    /// (algorithm, public key, private key), test-only keys of `tests/data`.
    const KEYS: &[(&str, &str, &str)] = &[
        (
            "RS256",
            include_str!("../../tests/data/rsa-public.pem"),
            include_str!("../../tests/data/rsa-private.pem"),
        ),
        (
            "PS384",
            include_str!("../../tests/data/rsa-public.pem"),
            include_str!("../../tests/data/rsa-private.pem"),
        ),
        (
            "ES256",
            include_str!("../../tests/data/ec256-public.pem"),
            include_str!("../../tests/data/ec256-private.pem"),
        ),
        (
            "ES384",
            include_str!("../../tests/data/ec384-public.pem"),
            include_str!("../../tests/data/ec384-private.pem"),
        ),
        (
            "EdDSA",
            include_str!("../../tests/data/ed25519-public.pem"),
            include_str!("../../tests/data/ed25519-private.pem"),
        ),
    ];

    const FUTURE: i64 = 4_000_000_000;

    fn roundtrip(algo: &str, public: &str, private: &str) {
        let jwt = Jwt::new(algo, public, Some(private)).unwrap();
        let token = jwt
            .create("calvin", "acme", Some("iss"), FUTURE, &["read".into()])
            .unwrap();
        let (login, expires, scopes) = jwt.check(&token, "acme", Some("iss"), 0.0).unwrap();
        assert_eq!((login.as_str(), expires as i64), ("calvin", FUTURE));
        assert_eq!(scopes, ["read"]);
        // checked with the public key alone, refused for another audience
        let verifier = Jwt::new(algo, public, None).unwrap();
        assert!(verifier.check(&token, "acme", Some("iss"), 0.0).is_ok());
        assert!(verifier.check(&token, "other", Some("iss"), 0.0).is_err());
        let error = verifier
            .create("calvin", "acme", None, FUTURE, &[])
            .unwrap_err();
        assert!(error.message().contains("FSA_TOKEN_SIGN"), "{algo}");
        // a changed payload breaks the signature
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        parts[1] = parts[1].replacen('e', "f", 1);
        assert!(verifier
            .check(&parts.join("."), "acme", Some("iss"), 0.0)
            .is_err());
    }

    #[cfg(feature = "jwt")]
    #[test]
    fn sign_and_verify_with_every_public_key_algorithm() {
        for (algo, public, private) in KEYS {
            roundtrip(algo, public, private);
        }
    }

    #[cfg(not(feature = "jwt"))]
    #[test]
    fn refuse_rsa_signing_keys_on_rust_crypto_but_verify_rsa_tokens() {
        for (algo, public, private) in KEYS {
            if algo.starts_with('E') {
                roundtrip(algo, public, private);
                continue;
            }
            let error = Jwt::new(algo, public, Some(private)).err().unwrap();
            assert!(error.contains("RUSTSEC-2023-0071"), "{error}");
            // a token signed elsewhere is verified with the public key
            let claims = serde_json::json!({"sub": "calvin", "aud": "acme", "exp": FUTURE});
            let key = EncodingKey::from_rsa_pem(private.as_bytes()).unwrap();
            let algorithm: Algorithm = algo.parse().unwrap();
            let token = jsonwebtoken::encode(&Header::new(algorithm), &claims, &key).unwrap();
            let verifier = Jwt::new(algo, public, None).unwrap();
            assert_eq!(
                verifier.check(&token, "acme", None, 0.0).unwrap().0,
                "calvin"
            );
        }
    }

    #[test]
    fn refuse_unknown_algorithms_and_bad_keys() {
        assert!(Jwt::new("HS999", "secret", None)
            .err()
            .unwrap()
            .contains("HS999"));
        let error = Jwt::new("ES256", "not a key", None).err().unwrap();
        assert!(error.contains("FSA_TOKEN_SECRET"), "{error}");
    }
}
