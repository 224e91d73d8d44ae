//! Tokens (`FSA_TOKEN_*`): creation, checking (cached), and the carrier
//! they travel in. Two formats: FlaskSimpleAuth's own (`tokens/fsa.rs`) and JWT
//! (`tokens/jwt.rs`).

pub(crate) mod fsa;
#[cfg(any(feature = "jwt", feature = "jwt-rust-crypto"))]
mod jwt;
#[cfg(not(any(feature = "jwt", feature = "jwt-rust-crypto")))]
#[path = "jwt_disabled.rs"]
mod jwt;

pub(crate) use fsa::simplify_realm;

use crate::{
    cache::{Cache, Cached, Kind, Lookup, Ticket, TokenInfo},
    config::{Config, TokenCarrier, TokenType},
    errors::ErrorResponse,
};
use actix_web::{http::header::AUTHORIZATION, HttpRequest};
use std::{
    borrow::Cow,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

/// How a token is made, besides the login: see [`Fsa::create_token_with`](crate::Fsa::create_token_with).
#[derive(Clone, Debug, Default)]
pub struct TokenOptions {
    /// The realm (JWT audience); default: the application's.
    pub realm: Option<String>,
    /// Validity in minutes; default `FSA_TOKEN_DELAY` (0 also means the default).
    pub delay: Option<f64>,
    /// The issuer; default `FSA_TOKEN_ISSUER`.
    pub issuer: Option<String>,
    /// Another signing secret, for tokens checked by another service: the
    /// fsa signature secret, or the HMAC key of an HS256 JWT; default
    /// `FSA_TOKEN_SECRET` (`FSA_TOKEN_SIGN` for public-key JWTs). This
    /// application checks tokens with its own secret only.
    pub secret: Option<String>,
    /// OAuth scopes (JWT only).
    pub scopes: Vec<String>,
}

enum Format {
    Fsa { algo: fsa::Algo, length: usize },
    Jwt(jwt::Jwt),
}

/// The token manager of an application.
pub(crate) struct Tokens {
    format: Format,
    secret: String,
    pub(crate) carrier: TokenCarrier,
    /// The carrier's name: `Bearer`, cookie `auth`, header `Auth`, param `AUTH`.
    pub(crate) name: String,
    delay: f64,
    grace: f64,
    pub(crate) renewal: f64,
    issuer: Option<String>,
    /// The default token realm: simplified for fsa tokens, verbatim for JWT.
    pub(crate) realm: String,
}

/// Whether a refusal is of a token past its expiry: checked after its
/// signature, so rightly made. Every such message starts with "expired "
/// ("expired auth token", "expired fsa auth token", "expired jwt auth
/// token").
pub(crate) fn is_expiry(refused: &ErrorResponse) -> bool {
    refused.message().starts_with("expired ")
}

pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

impl Tokens {
    /// The token manager, `None` when `FSA_TOKEN_TYPE = "none"`.
    pub(crate) fn new(config: &Config, realm: &str) -> Result<Option<Self>, String> {
        let Some(kind) = config.token_type else {
            return Ok(None);
        };
        let secret = match &config.token_secret {
            Some(secret) => {
                if secret.len() < 32 {
                    tracing::warn!("fsa: FSA_TOKEN_SECRET is shorter than 32 bytes: build() refuses it in prod mode");
                }
                secret.clone()
            }
            None => {
                tracing::warn!(
                    "fsa: no FSA_TOKEN_SECRET: a random secret is used, only ok for one process"
                );
                random_secret()?
            }
        };
        let format = match kind {
            TokenType::Fsa => {
                let name = config.token_algo.as_deref().unwrap_or("blake2s");
                let algo = fsa::Algo::from_name(name).ok_or_else(|| {
                    format!("FSA_TOKEN_ALGO: unexpected fsa token hash \"{name}\": expected blake2s, blake2b, sha224, sha256, sha384 or sha512")
                })?;
                if config.token_length == 0 {
                    return Err("FSA_TOKEN_LENGTH must be positive".into());
                }
                Format::Fsa {
                    algo,
                    length: config.token_length,
                }
            }
            TokenType::Jwt => {
                let algo = config.token_algo.as_deref().unwrap_or("HS256");
                Format::Jwt(jwt::Jwt::new(algo, &secret, config.token_sign.as_deref())?)
            }
        };
        let name = config.token_name.clone().unwrap_or_else(|| {
            match config.token_carrier {
                TokenCarrier::Bearer => "Bearer",
                TokenCarrier::Cookie => "auth",
                TokenCarrier::Header => "Auth",
                TokenCarrier::Param => "AUTH",
            }
            .to_string()
        });
        let realm = match kind {
            TokenType::Fsa => simplify_realm(realm),
            TokenType::Jwt => realm.to_string(),
        };
        Ok(Some(Self {
            format,
            secret,
            carrier: config.token_carrier,
            name,
            delay: config.token_delay,
            grace: config.token_grace,
            renewal: config.token_renewal,
            issuer: config.token_issuer.clone(),
            realm,
        }))
    }

    /// The delay of new tokens, in minutes.
    pub(crate) fn delay(&self) -> f64 {
        self.delay
    }

    /// A new token for `login`.
    pub(crate) fn create(
        &self,
        login: &str,
        options: &TokenOptions,
    ) -> Result<String, ErrorResponse> {
        if login.is_empty() {
            return Err(ErrorResponse::internal(
                "cannot create a token for an empty login",
            ));
        }
        let realm = options.realm.as_deref().unwrap_or(&self.realm);
        let delay = options.delay.filter(|d| *d != 0.0).unwrap_or(self.delay);
        let expires = (now() + delay * 60.0) as i64;
        let issuer = options.issuer.as_deref().or(self.issuer.as_deref());
        match &self.format {
            Format::Fsa { algo, length } => {
                if login.contains(':') || realm.contains(':') {
                    return Err(ErrorResponse::bad_request(
                        "a login or realm of an fsa token cannot contain ':'",
                    ));
                }
                let field = match issuer {
                    Some(issuer) => format!("{realm}/{issuer}"),
                    None => realm.to_string(),
                };
                let secret = options.secret.as_deref().unwrap_or(&self.secret);
                Ok(fsa::create(&field, login, expires, *algo, *length, secret))
            }
            Format::Jwt(jwt) => match &options.secret {
                Some(secret) => {
                    let algo = "HS256";
                    jwt::Jwt::new(algo, secret, None)
                        .map_err(ErrorResponse::internal)?
                        .create(login, realm, issuer, expires, &options.scopes)
                }
                None => jwt.create(login, realm, issuer, expires, &options.scopes),
            },
        }
    }

    /// Checks a token for a realm, through the cache: a cached token is
    /// still refused once expired.
    pub(crate) async fn check(
        &self,
        cache: &Cache,
        token: &str,
        realm: &str,
    ) -> Result<Arc<TokenInfo>, ErrorResponse> {
        let grace = self.grace * 60.0;
        // The cache knows a token by its digest: never the token itself.
        let digest = TokenDigest::of(token);
        let ticket = match cache.lookup(Kind::Token, &[realm, digest.as_str()]).await {
            Lookup::Hit(Cached::Token(info)) => {
                if now() - grace > info.expires {
                    return Err(ErrorResponse::unauthorized("expired auth token"));
                }
                return Ok(info);
            }
            Lookup::Hit(_) => Ticket::Off,
            Lookup::Miss(ticket) => ticket,
        };
        let info = Arc::new(self.verify(token, realm)?);
        cache
            .store(
                &ticket,
                Kind::Token,
                &[realm, digest.as_str()],
                Cached::Token(info.clone()),
            )
            .await;
        cache
            .store(
                &ticket,
                Kind::UserToken,
                &[&info.login, realm],
                Cached::LastToken(Arc::from(digest.as_str())),
            )
            .await;
        Ok(info)
    }

    /// Checks a token's signature, realm, issuer and expiry, uncached.
    pub(crate) fn verify(&self, token: &str, realm: &str) -> Result<TokenInfo, ErrorResponse> {
        let grace = self.grace * 60.0;
        Ok(match &self.format {
            Format::Fsa { algo, length } => {
                let field = match &self.issuer {
                    Some(issuer) => format!("{realm}/{issuer}"),
                    None => realm.to_string(),
                };
                let (login, expires) =
                    fsa::check(token, &field, *algo, *length, &self.secret, now(), grace)?;
                TokenInfo {
                    login,
                    expires,
                    scopes: Vec::new(),
                }
            }
            Format::Jwt(jwt) => {
                let (login, expires, scopes) =
                    jwt.check(token, realm, self.issuer.as_deref(), grace)?;
                TokenInfo {
                    login,
                    expires,
                    scopes,
                }
            }
        })
    }

    /// The token a request carries, if any (the `param` carrier reads the
    /// gathered parameters).
    pub(crate) fn carried<'a>(
        &self,
        request: &'a HttpRequest,
        param: Option<&'a str>,
    ) -> Option<Cow<'a, str>> {
        match self.carrier {
            TokenCarrier::Bearer => {
                let header = request.headers().get(AUTHORIZATION)?.as_bytes();
                // The scheme name is case-insensitive (RFC 7235 2.1).
                let scheme = header.get(..self.name.len())?;
                let rest = header.get(self.name.len()..)?;
                let token = rest.strip_prefix(b" ")?.trim_ascii_start();
                scheme
                    .eq_ignore_ascii_case(self.name.as_bytes())
                    .then_some(())?;
                Some(Cow::Borrowed(std::str::from_utf8(token).ok()?))
            }
            TokenCarrier::Header => Some(Cow::Borrowed(
                request.headers().get(self.name.as_str())?.to_str().ok()?,
            )),
            TokenCarrier::Cookie => {
                Some(Cow::Owned(request.cookie(&self.name)?.value().to_string()))
            }
            TokenCarrier::Param => param.map(Cow::Borrowed),
        }
        .filter(|t| !t.is_empty())
    }

    /// The `WWW-Authenticate` challenge, for the bearer carrier.
    pub(crate) fn challenge(&self, realm: &str) -> Option<String> {
        (self.carrier == TokenCarrier::Bearer).then(|| format!("{} realm=\"{realm}\"", self.name))
    }
}

/// The SHA-256 of a token, in hexadecimal, on the stack: what the cache
/// keys a token check on, so that no cache (nor a shared one) holds a
/// usable token.
pub(crate) struct TokenDigest([u8; 64]);

impl TokenDigest {
    pub(crate) fn of(token: &str) -> Self {
        use sha2::Digest;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hash = sha2::Sha256::digest(token.as_bytes());
        let mut hex = [0u8; 64];
        for (i, byte) in hash.iter().enumerate() {
            hex[2 * i] = HEX[usize::from(byte >> 4)];
            hex[2 * i + 1] = HEX[usize::from(byte & 15)];
        }
        Self(hex)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Hexadecimal digits only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// 40 characters from the 94 printable ASCII ones (~262 bits).
fn random_secret() -> Result<String, String> {
    let mut bytes = [0u8; 40];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot draw a random token secret: {e}"))?;
    Ok(bytes.iter().map(|b| char::from(b'!' + b % 94)).collect())
}

#[cfg(test)]
mod should {
    use super::*;

    #[cfg(not(any(feature = "jwt", feature = "jwt-rust-crypto")))]
    #[test]
    fn refuse_jwt_without_a_backend_feature() {
        let config = Config::from_toml_str("FSA_TOKEN_TYPE = \"jwt\"").unwrap();
        let error = Tokens::new(&config, "app").err().unwrap();
        assert!(error.contains("needs the `jwt` feature"), "{error}");
    }

    #[test]
    fn draw_printable_random_secrets() {
        let a = random_secret().unwrap();
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|b| (b'!'..=b'~').contains(&b)));
        assert_ne!(a, random_secret().unwrap());
    }
}
