//! `basic`: `Authorization: Basic base64(login:password)` (RFC 7617),
//! checked against `get_user_pass`.

use super::Failure;
use crate::{context::RequestCtx, errors::ErrorResponse, throttle::Client};
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;

pub(super) async fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    let Some(header) = ctx.request().headers().get(AUTHORIZATION) else {
        return Err(Failure::Absent(ErrorResponse::unauthorized(
            "missing authorization header",
        )));
    };
    let (login, password) = match credentials(header.as_bytes()) {
        None => {
            return Err(Failure::Absent(ErrorResponse::unauthorized(
                "unexpected Authorization header",
            )))
        }
        Some(Err(())) => {
            return Err(Failure::Refused(ErrorResponse::unauthorized(
                "decoding error on authorization header",
            )))
        }
        Some(Ok(credentials)) => credentials,
    };
    let (state, request) = (ctx.state(), ctx.request());
    let client = Client::of_request(request, &state.config);
    super::password::check_user_password(state, &login, &password, client)
        .await
        .map(Some)
        .map_err(Failure::Refused)
}

/// The login and password of an `Authorization` header value: `None` when
/// it is not `Basic` (in any case, RFC 7617), `Some(Err)` when it does not
/// decode to UTF-8 `login:password`.
pub(crate) fn credentials(header: &[u8]) -> Option<Result<(String, String), ()>> {
    let is_basic = header.len() > 6 && header[..6].eq_ignore_ascii_case(b"basic ");
    let encoded = is_basic.then(|| &header[6..])?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim_ascii());
    let text = decoded.ok().and_then(|bytes| String::from_utf8(bytes).ok());
    Some(match text.as_deref().and_then(|t| t.split_once(':')) {
        Some((login, password)) => Ok((login.to_string(), password.to_string())),
        None => Err(()),
    })
}
