//! `httpd`: the login set by a fronting web server in a trusted header
//! (`FSA_HTTPD_HEADER`, e.g. `X-Remote-User`).
//!
//! Risk: any client reaching the server directly can send that header.
//! Use it only when the server listens where nothing but the fronting
//! web server can reach it, and that server always sets or clears it.

use super::{single_header, Failure};
use crate::context::RequestCtx;

pub(super) fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    let Some(header) = &ctx.state().config.httpd_header else {
        return Ok(None);
    };
    Ok(single_header(ctx.request(), header)?
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(String::from))
}
