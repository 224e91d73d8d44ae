//! The user check of the password schemes (`basic`, `param`), as
//! FlaskSimpleAuth does it: the stored hash from `get_user_pass` (cached),
//! verified, then the `password_check` hook when the hash is missing or
//! does not match.

use crate::{
    cache::{Cached, Kind, Lookup},
    errors::ErrorResponse,
    hooks::guard_hook,
    passwords::INVALID,
    state::State,
    throttle::{Client, Subject},
};
use actix_web::http::StatusCode;
use futures_util::FutureExt;
use std::{panic::AssertUnwindSafe, sync::Arc};

/// Checks a login and password as the password schemes do (as FlaskSimpleAuth does):
/// the stored hash from `get_user_pass` (cached), verification, then the
/// `password_check` hook if the hash is missing or does not match. An
/// unknown user or a malformed stored hash costs the same work and gets
/// the same answer as a wrong password.
///
/// With `FSA_PASSWORD_SCHEME = "none"` no hash can be verified: the
/// `password_check` hook alone decides (e.g. LDAP), and without one every
/// login is the same 401 as a wrong password, never a server error that a
/// client could cause.
pub(crate) async fn check_user_password(
    state: &State,
    login: &str,
    password: &str,
    client: Client,
) -> Result<String, ErrorResponse> {
    let Some(throttle) = &state.throttle else {
        return verify_user_password(state, login, password).await;
    };
    // A login longer than any user's is counted by its address only.
    let login_counted = (login.len() <= state.config.max_login).then_some(login);
    let subject = Subject {
        login: login_counted,
        client,
    };
    // Counted first; past the budget: 429, before any look-up or hash.
    let attempt = throttle.attempt(&state.cache, subject).await?;
    let checked = verify_user_password(state, login, password).await;
    // Only a wrong password stays counted (not a success, nor a hook's
    // failure).
    if !matches!(&checked, Err(e) if e.status() == StatusCode::UNAUTHORIZED) {
        throttle.succeeded(&state.cache, attempt).await;
    }
    checked
}

/// [`check_user_password`], unthrottled.
async fn verify_user_password(
    state: &State,
    login: &str,
    password: &str,
) -> Result<String, ErrorResponse> {
    // No user has a longer login: refused as a wrong password, before any
    // look-up, so that no cache keeps it.
    if login.len() > state.config.max_login {
        return Err(ErrorResponse::unauthorized(INVALID));
    }
    let passwords = &state.passwords;
    if passwords.scheme.is_none() {
        return if alternate_check(state, login, password).await? {
            Ok(login.to_string())
        } else {
            Err(ErrorResponse::unauthorized(INVALID))
        };
    }
    let reference = match &state.hooks.get_user_pass {
        None => None,
        Some(hook) => {
            let cached = match state.cache.lookup(Kind::UserPass, &[login]).await {
                Lookup::Hit(cached) => cached,
                Lookup::Miss(ticket) => {
                    let answer = guard_hook("get_user_pass", hook(login)).await?;
                    let answer = Cached::Pass(answer.filter(|r| !r.is_empty()).map(Arc::from));
                    state
                        .cache
                        .store(&ticket, Kind::UserPass, &[login], answer.clone())
                        .await;
                    answer
                }
            };
            match cached {
                Cached::Pass(reference) => reference,
                _ => None,
            }
        }
    };
    let verified = match reference {
        Some(reference) => passwords.verify(password, &reference).await?,
        None => {
            passwords.decoy(password).await?;
            false
        }
    };
    if verified || alternate_check(state, login, password).await? {
        Ok(login.to_string())
    } else {
        Err(ErrorResponse::unauthorized(INVALID))
    }
}

/// The `password_check` hook's answer: a panic counts as false, an `Err`
/// is the answer sent (as FSA's `ErrorResponse`).
async fn alternate_check(
    state: &State,
    login: &str,
    password: &str,
) -> Result<bool, ErrorResponse> {
    let Some(hook) = &state.hooks.password_check else {
        return Ok(false);
    };
    let answer = match std::panic::catch_unwind(AssertUnwindSafe(|| hook(login, password))) {
        Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
        Err(panic) => Err(panic),
    };
    answer.unwrap_or_else(|_| {
        tracing::error!(
            hook = "password_check",
            "fsa: hook panicked, counted as false"
        );
        Ok(false)
    })
}
