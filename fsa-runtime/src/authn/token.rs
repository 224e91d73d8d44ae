//! `token` and `oauth`: a token from the configured carrier (bearer,
//! header, cookie or parameter), checked for the route's realm.

use super::Failure;
use crate::{context::RequestCtx, errors::ErrorResponse};

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
        tokens
            .check(&state.cache, &token, &ctx.route().token_realm)
            .await
            .map_err(Failure::Refused)?
    };
    if !info.scopes.is_empty() {
        ctx.set_scopes(info.scopes.clone());
    }
    Ok(Some(info.login.clone()))
}
