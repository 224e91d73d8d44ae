//! What every request of an application shares: the configuration, the
//! hooks, the routes checked against the configuration, the cache, the
//! password and token managers. Built by `build()`, read by everything
//! that serves a request.

use crate::{
    cache::Cache, compile::CompiledRoute, config::Config, cors::CorsSettings,
    errors::ErrorResponse, hooks::Hooks, passwords::Passwords, throttle::Throttle, tokens::Tokens,
};
use actix_web::{http::StatusCode, HttpResponse};
use std::sync::Arc;

/// Everything a request needs, shared by all workers.
pub(crate) struct State {
    /// Unique to this application in the process, from 1 (see
    /// `pipeline::guarded`).
    pub(crate) id: u64,
    pub(crate) config: Config,
    pub(crate) realm: String,
    pub(crate) hooks: Hooks,
    pub(crate) routes: Vec<Arc<CompiledRoute>>,
    pub(crate) cache: Cache,
    /// Failed authentications counted (`FSA_THROTTLE`), `None` when off.
    pub(crate) throttle: Option<Throttle>,
    pub(crate) passwords: Passwords,
    pub(crate) tokens: Option<Tokens>,
    #[cfg_attr(not(feature = "cors"), allow(dead_code))]
    pub(crate) cors: Option<CorsSettings>,
    /// Request parameter names used by authentication, never "unexpected".
    pub(crate) auth_params: Vec<String>,
    /// Every declared group, for `auth_uncache`.
    pub(crate) declared_groups: Vec<String>,
    /// Whether answers need nothing after the authorization guard: no 401
    /// redirect, added header, `after_request` hook, default content type,
    /// nor dev mode.
    pub(crate) plain_after: bool,
    /// The actix paths of fsa's resources that match only the path they
    /// spell (no variable, no trailing `*`): a request to one of them goes
    /// to fsa when fsa's resources come first (see
    /// `pipeline::destination`).
    pub(crate) static_paths: crate::path_set::PathSet,
}

impl State {
    /// An error answer in the configured format.
    pub(crate) fn render(&self, error: &ErrorResponse) -> HttpResponse {
        if error.is_internal() {
            let mut error = error.clone();
            error.set_status(
                StatusCode::from_u16(self.config.server_error)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            return self.config.error_response.render(&error);
        }
        self.config.error_response.render(error)
    }
}
