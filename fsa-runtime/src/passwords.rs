//! Passwords: hashing and verification (`FSA_PASSWORD_SCHEME`), always off
//! the async worker threads, and the user check of the password schemes.

use crate::{
    cache::{Cached, Kind},
    config::Config,
    errors::ErrorResponse,
    fsa::State,
};
use std::sync::{Arc, OnceLock};

/// bcrypt reads at most 72 bytes: longer passwords are refused, never cut.
const BCRYPT_MAX: usize = 72;

/// A configured password scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Bcrypt { cost: u32 },
    Plaintext,
}

/// The password manager of an application.
pub(crate) struct Passwords {
    scheme: Option<Scheme>,
    /// A hash of the configured cost, verified for unknown users so that
    /// they cost the same work as known ones.
    decoy: OnceLock<String>,
}

/// The one answer to a failed password check, whatever failed.
pub(crate) const INVALID: &str = "invalid login or password";

impl Passwords {
    pub(crate) fn new(config: &Config) -> Result<Self, String> {
        let scheme = match config.password_scheme.as_deref() {
            None => None,
            Some("bcrypt") => {
                let cost = match config.password_opts.get("rounds") {
                    None => 4,
                    Some(toml::Value::Integer(c)) if (4..=31).contains(c) => *c as u32,
                    Some(other) => {
                        return Err(format!(
                            "FSA_PASSWORD_OPTS: bcrypt rounds must be 4 to 31, got {other}"
                        ))
                    }
                };
                Some(Scheme::Bcrypt { cost })
            }
            Some("plaintext") => {
                tracing::warn!("fsa: FSA_PASSWORD_SCHEME = \"plaintext\" stores clear passwords: for tests only");
                Some(Scheme::Plaintext)
            }
            Some(other) => {
                return Err(format!(
                    "FSA_PASSWORD_SCHEME \"{other}\" is not supported by this version of fsa"
                ))
            }
        };
        Ok(Self {
            scheme,
            decoy: OnceLock::new(),
        })
    }

    fn scheme(&self) -> Result<Scheme, ErrorResponse> {
        self.scheme
            .ok_or_else(|| ErrorResponse::internal("password manager is disabled"))
    }

    /// Hashes a password, off the worker threads.
    pub(crate) async fn hash(&self, password: &str) -> Result<String, ErrorResponse> {
        let scheme = self.scheme()?;
        let password = password.to_string();
        if matches!(scheme, Scheme::Bcrypt { .. }) && password.len() > BCRYPT_MAX {
            return Err(ErrorResponse::bad_request(format!(
                "password too long: bcrypt takes at most {BCRYPT_MAX} bytes"
            )));
        }
        blocking(move || hash_now(scheme, &password)).await
    }

    /// Whether `password` matches `reference`, off the worker threads; a
    /// malformed reference or a too long password does not match.
    pub(crate) async fn verify(
        &self,
        password: &str,
        reference: &str,
    ) -> Result<bool, ErrorResponse> {
        let scheme = self.scheme()?;
        let (password, reference) = (password.to_string(), reference.to_string());
        blocking(move || Ok(verify_now(scheme, &password, &reference))).await
    }

    /// Spends the work of a verification, for an unknown user.
    async fn decoy(&self, password: &str) -> Result<(), ErrorResponse> {
        let scheme = self.scheme()?;
        let decoy = match self.decoy.get() {
            Some(decoy) => decoy.clone(),
            None => {
                let made = blocking(move || hash_now(scheme, "fsa decoy password")).await?;
                self.decoy.get_or_init(|| made).clone()
            }
        };
        self.verify(password, &decoy).await.map(|_| ())
    }
}

fn hash_now(scheme: Scheme, password: &str) -> Result<String, ErrorResponse> {
    match scheme {
        Scheme::Bcrypt { cost } => bcrypt::non_truncating_hash(password, cost)
            .map_err(|e| ErrorResponse::bad_request(format!("cannot hash password: {e}"))),
        Scheme::Plaintext => Ok(password.to_string()),
    }
}

fn verify_now(scheme: Scheme, password: &str, reference: &str) -> bool {
    match scheme {
        Scheme::Bcrypt { .. } => {
            bcrypt::non_truncating_verify(password, reference).unwrap_or(false)
        }
        Scheme::Plaintext => constant_time_eq(password.as_bytes(), reference.as_bytes()),
    }
}

/// Compares in time independent of where the inputs differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ErrorResponse> + Send + 'static,
) -> Result<T, ErrorResponse> {
    actix_web::web::block(work)
        .await
        .map_err(|_| ErrorResponse::internal("internal error in password check"))?
}

/// Checks a login and password as the password schemes do (SPEC 5.3):
/// the stored hash from `get_user_pass` (cached), then verification. An
/// unknown user costs the same work and gets the same answer as a wrong
/// password.
pub(crate) async fn check_user_password(
    state: &State,
    login: &str,
    password: &str,
) -> Result<String, ErrorResponse> {
    let passwords = &state.passwords;
    let reference = match &state.hooks.get_user_pass {
        None => None,
        Some(hook) => {
            let key = state.cache.key(Kind::UserPass, &[login]);
            let cached = state
                .cache
                .get_or_compute(key, async {
                    let answer = guard_hook("get_user_pass", hook(login)).await?;
                    Ok(Cached::Pass(
                        answer.filter(|r| !r.is_empty()).map(Arc::from),
                    ))
                })
                .await?;
            match cached {
                Cached::Pass(reference) => reference,
                _ => None,
            }
        }
    };
    match reference {
        Some(reference) if passwords.verify(password, &reference).await? => Ok(login.to_string()),
        Some(_) => Err(ErrorResponse::unauthorized(INVALID)),
        None => {
            passwords.decoy(password).await?;
            Err(ErrorResponse::unauthorized(INVALID))
        }
    }
}

/// Runs a hook future, turning a non-`ErrorResponse` failure into the
/// configured server error with a fixed message.
pub(crate) async fn guard_hook<T>(
    name: &str,
    future: crate::hooks::HookFuture<T>,
) -> Result<T, ErrorResponse> {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(_) => {
            tracing::error!(hook = name, "fsa: hook panicked");
            Err(ErrorResponse::internal(format!("internal error in {name}")))
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[test]
    fn refuse_to_cut_long_passwords() {
        let long = "x".repeat(73);
        assert!(bcrypt::non_truncating_hash(&long, 4).is_err());
        assert!(!verify_now(
            Scheme::Bcrypt { cost: 4 },
            &long,
            "$2b$04$ebPDSYR5Ze.ChSXUgiTP1Occ3k6TgB977/AmRZZ8U5qdD6fa3AuMC"
        ));
    }

    #[test]
    fn compare_in_constant_time_and_correctly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
