//! `param`: login and password in request parameters (`FSA_PARAM_USER`,
//! `FSA_PARAM_PASS`, default `USER` and `PASS`), from the query, a form
//! or a JSON body.

use super::Failure;
use crate::{context::RequestCtx, errors::ErrorResponse, throttle::Client};

pub(super) async fn authenticate(ctx: &mut RequestCtx) -> Result<Option<String>, Failure> {
    let state = ctx.state().clone();
    let (user, pass) = (&state.config.param_user, &state.config.param_pass);
    let Some(login) = ctx.param_text(user).filter(|l| !l.is_empty()) else {
        return Err(Failure::Absent(ErrorResponse::unauthorized(format!(
            "missing param login parameter: {user}"
        ))));
    };
    let Some(password) = ctx.param_text(pass).filter(|p| !p.is_empty()) else {
        return Err(Failure::Refused(ErrorResponse::unauthorized(format!(
            "missing param password parameter: {pass}"
        ))));
    };
    let client = Client::of_request(ctx.request(), &state.config);
    super::password::check_user_password(&state, &login, &password, client)
        .await
        .map(Some)
        .map_err(Failure::Refused)
}
