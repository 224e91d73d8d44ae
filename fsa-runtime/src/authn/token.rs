//! `token` and `oauth`: a token from the configured carrier (bearer,
//! header, cookie or parameter), checked for the route's realm.

use super::Failure;
use crate::{
    context::RequestCtx,
    errors::ErrorResponse,
    throttle::{Client, Subject},
};

pub(super) async fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    let info = {
        let state = ctx.state();
        let Some(tokens) = &state.tokens else {
            return Ok(None);
        };
        let param = match tokens.carrier {
            crate::config::TokenCarrier::Param => ctx.param_text(&tokens.name),
            crate::config::TokenCarrier::Header => {
                super::single_header(ctx.request(), &tokens.name)?;
                None
            }
            _ => None,
        };
        // Borrowed from the request's header (bearer and header carriers).
        let Some(token) = tokens.carried(ctx.request(), param.as_deref()) else {
            return Err(Failure::Absent(ErrorResponse::unauthorized(
                "missing token",
            )));
        };
        match tokens
            .check(&state.cache, &token, &ctx.route().token_realm)
            .await
        {
            Ok(info) => info,
            Err(refused) => return Err(Failure::Refused(throttled(ctx, refused).await)),
        }
    };
    if !info.scopes.is_empty() {
        ctx.set_scopes(info.scopes.clone());
    }
    Ok(Some(info.login.clone()))
}

/// An invalid token is a failed authentication of its address: counted,
/// and a 429 past the address's budget, else the 401. An expired one
/// (rightly signed: a browser tab still polling) is not counted.
async fn throttled(ctx: &RequestCtx, refused: ErrorResponse) -> ErrorResponse {
    let state = ctx.state();
    let Some(throttle) = &state.throttle else {
        return refused;
    };
    if crate::tokens::is_expiry(&refused) {
        return refused;
    }
    let subject = Subject {
        login: None,
        client: Client::of_request(ctx.request(), &state.config),
    };
    match throttle.failed(&state.cache, subject).await {
        Err(too_many) => too_many,
        Ok(()) => refused,
    }
}
