//! `fake`: the login named by parameter `FSA_FAKE_LOGIN` (default `LOGIN`)
//! is trusted, for local tests only: a request from any peer that is not
//! loopback is skipped, whatever it claims.

use super::Failure;
use crate::{context::RequestCtx, errors::ErrorResponse};

pub(super) fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    // Behind a trusted proxy, the client's address, not the proxy's.
    let loopback = crate::proxy::client_address(ctx.request(), &ctx.state().config)
        .is_some_and(|address| address.is_loopback());
    if !loopback {
        tracing::warn!("fsa: fake authentication refused from a non-loopback peer");
        return Ok(None);
    }
    let name = ctx.state().config.fake_login.clone();
    match ctx.param_text(&name).filter(|l| !l.is_empty()) {
        Some(login) => Ok(Some(login)),
        None => Err(Failure::Absent(ErrorResponse::unauthorized(format!(
            "missing fake login parameter: {name}"
        )))),
    }
}
