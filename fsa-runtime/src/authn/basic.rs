//! `basic`: `Authorization: Basic base64(login:password)` (RFC 7617),
//! checked against `get_user_pass`.

use super::Failure;
use crate::{errors::ErrorResponse, passwords, pipeline::RequestCtx};
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;

pub(super) async fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    let Some(header) = ctx.request().headers().get(AUTHORIZATION) else {
        return Err(Failure::Absent(ErrorResponse::unauthorized(
            "missing authorization header",
        )));
    };
    // The scheme name is case-insensitive (RFC 7617).
    let bytes = header.as_bytes();
    let is_basic = bytes.len() > 6 && bytes[..6].eq_ignore_ascii_case(b"basic ");
    let Some(encoded) = is_basic.then(|| &bytes[6..]) else {
        return Err(Failure::Absent(ErrorResponse::unauthorized(
            "unexpected Authorization header",
        )));
    };
    let decoding_error = || ErrorResponse::unauthorized("decoding error on authorization header");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| Failure::Refused(decoding_error()))?;
    let text = String::from_utf8(decoded).map_err(|_| Failure::Refused(decoding_error()))?;
    let (login, password) = text
        .split_once(':')
        .ok_or_else(|| Failure::Refused(decoding_error()))?;
    passwords::check_user_password(ctx.state(), login, password)
        .await
        .map(Some)
        .map_err(Failure::Refused)
}
