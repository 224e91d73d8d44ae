//! The request pipeline, top to bottom. Every fsa route runs [`handle`]:
//!
//! ```text
//! middleware: before_request   FSA_SECURE check, header size, request state,
//!                              before_request hooks (may answer)
//! handle -> run:
//!   1. CLOSE route                                   -> 403, no authentication
//!   2. authenticate (not on OPEN routes)             -> 401 + WWW-Authenticate
//!   3. groups (scopes on oauth routes)               -> 403
//!   4. gather parameters (query, form, JSON, multipart) -> 400 / 413
//!   5. convert them (generated code), all problems   -> 400
//!   6. object permissions on the converted values    -> 404 / 403
//!   7. before_exec hooks (may answer), the handler   -> its answer
//!   a panic anywhere                                 -> 500, this request only
//! middleware: after_request    authorization guard, actix errors formatted,
//!                              401 redirect, added headers, after_request
//!                              hooks, content type, FSA-* dev headers
//! ```

use crate::{
    actix::Destination,
    authn, authz,
    compile::{Access, CompiledRoute},
    config::Mode,
    errors::ErrorResponse,
    fsa::State,
    params::Entry,
    params::{
        collect_body, dispatch::Extract, raw_of, Body, Collected, Input, ParamError, ParamKind,
        PermValue, Raw, RequestParams,
    },
    route::{RouteCall, RouteHost},
};
use actix_web::{
    body::BoxBody,
    dev::{Payload, ServiceResponse},
    http::{
        header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE},
        StatusCode,
    },
    HttpMessage, HttpRequest, HttpResponse, Responder,
};
use futures_util::FutureExt;
use std::{borrow::Cow, panic::AssertUnwindSafe, sync::Arc, time::Instant};

/// What the pipeline records in a request's extensions, for the
/// middleware. The marks are zero-sized: setting one allocates nothing.
///
/// An fsa route answered, authorized: a success may pass.
struct AuthorizedAnswer;
/// An fsa route answered an error (already formatted), or a redirect.
struct RefusedAnswer;

/// What the middleware knows of an answer.
#[derive(Clone, Copy)]
pub(crate) struct Answer {
    /// It passed an fsa authorization: it may be a success.
    pub(crate) authorized: bool,
    /// fsa made it, already formatted.
    pub(crate) fsa_made: bool,
}

impl Answer {
    /// An answer fsa made before routing (a refusal, a hook's own).
    pub(crate) const EARLY: Answer = Answer {
        authorized: true,
        fsa_made: true,
    };
}
/// In dev mode only: when the request started, and `login (scheme)` once
/// authenticated, for the `FSA-*` headers and the log line.
struct DevInfo {
    started: Instant,
    user: Option<(String, Cow<'static, str>)>,
}

/// Runs an fsa route on a request: the pipeline's steps, `call` (the
/// route's generated code) inline.
pub(crate) async fn handle<R: RouteCall>(
    call: &'static R,
    host: RouteHost,
    request: HttpRequest,
    payload: Payload,
) -> Result<ServiceResponse, actix_web::Error> {
    let RouteHost {
        state,
        index: route,
    } = host;
    if !crate::actix::guarded(state.id) {
        tracing::error!("fsa: the App is not wrapped with fsa.middleware(): use fsa.app(), or App::new().wrap(fsa.middleware()).configure(fsa.configure())");
        let response = state.render(&ErrorResponse::internal("fsa middleware missing"));
        return Ok(ServiceResponse::new(request, response));
    }
    let mut ctx = RequestCtx {
        state,
        route,
        request,
        payload: Some(payload),
        params: RequestParams::default(),
        gathered: false,
        user: None,
        scopes: Vec::new(),
        problems: Vec::new(),
        fatal: None,
    };
    let steps = async {
        prepare(&mut ctx).await?;
        // 5-7. Generated: conversions, object permissions, the handler.
        call.call(&mut ctx).await
    };
    let outcome = AssertUnwindSafe(steps).catch_unwind().await;
    let (state, request) = (&ctx.state, &ctx.request);
    let compiled = &state.routes[route];
    let mut authorized = false;
    let mut response = match outcome {
        Ok(Ok(response)) => match response.error().and_then(|e| e.as_error::<ErrorResponse>()) {
            Some(error) => {
                // An error answer below 400 (a redirect) is the
                // application's deliberate answer, not a leak.
                authorized = error.status().as_u16() < 400;
                state.render(&error.clone())
            }
            None => {
                authorized = true;
                response
            }
        },
        Ok(Err(error)) => {
            authorized = error.status().as_u16() < 400;
            state.render(&error)
        }
        Err(_) => {
            tracing::error!(
                route = compiled.spec.name,
                "fsa: panic while handling a request"
            );
            state.render(&ErrorResponse::internal(format!(
                "internal error caught at {} on {}",
                compiled.spec.name,
                request.path()
            )))
        }
    };
    if response.status() == StatusCode::UNAUTHORIZED {
        if let Some(challenge) = &compiled.challenge {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, challenge.clone());
        }
    }
    // Only a successful answer of a route that takes tokens hands out a
    // token cookie: a password-only route (an MFA first stage) does not.
    let success = response.status().is_success();
    if let (Some((login, _)), true) = (&ctx.user, compiled.takes_tokens && success) {
        renew_cookie(state, compiled, request, login, &mut response);
    }
    if let Some(payload) = ctx.payload.take() {
        close_unread(request, &mut response, payload);
    }
    let mut extensions = request.extensions_mut();
    if authorized {
        extensions.insert(AuthorizedAnswer);
    } else {
        extensions.insert(RefusedAnswer);
    }
    if let (Some(dev), Some(user)) = (extensions.get_mut::<DevInfo>(), ctx.user.take()) {
        dev.user = Some(user);
    }
    drop(extensions);
    let RequestCtx { request, .. } = ctx;
    Ok(ServiceResponse::new(request, response))
}

/// The cookie carrier: after a successful authenticated answer of a route
/// that takes tokens, a new token cookie when there is none, or when the current one expires within
/// `FSA_TOKEN_RENEWAL` of its life (always when the renewal is 0).
fn renew_cookie(
    state: &State,
    route: &CompiledRoute,
    request: &HttpRequest,
    login: &str,
    response: &mut HttpResponse,
) {
    let Some(tokens) = state
        .tokens
        .as_ref()
        .filter(|t| t.carrier == crate::config::TokenCarrier::Cookie)
    else {
        return;
    };
    let lifetime = tokens.delay() * 60.0;
    let renew = tokens.renewal <= 0.0
        || match request.cookie(&tokens.name) {
            None => true,
            Some(cookie) => match tokens.check(&state.cache, cookie.value(), &route.token_realm) {
                Ok(info) => info.expires - crate::tokens::now() < tokens.renewal * lifetime,
                Err(_) => true,
            },
        };
    if !renew {
        return;
    }
    let options = crate::tokens::TokenOptions {
        realm: Some(route.token_realm.to_string()),
        ..Default::default()
    };
    if let Ok(token) = tokens.create(login, &options) {
        let cookie = actix_web::cookie::Cookie::build(tokens.name.clone(), token)
            .path("/")
            .max_age(actix_web::cookie::time::Duration::seconds(lifetime as i64))
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .secure(request.app_config().secure())
            .finish();
        let _ = response.add_cookie(&cookie);
    }
}

/// Steps 0 to 4: what comes before the route's generated code.
async fn prepare(ctx: &mut RequestCtx) -> Result<(), ErrorResponse> {
    let compiled = ctx.route();
    let (access, oauth, authz) = (compiled.access, compiled.oauth, compiled.spec.authz);
    // 0. A path Flask would not route: control characters, invalid UTF-8.
    if let Some(error) = crate::params::path::path_problem(ctx.request.uri().path()) {
        return Err(error);
    }
    // 1. A closed route answers before anything else.
    if access == Access::Close {
        return Err(ErrorResponse::forbidden("currently closed route"));
    }
    // 2. Authentication, except on OPEN routes (which never authenticate).
    if access == Access::Auth {
        authn::authenticate(ctx).await?;
        // 3. Groups (scopes on oauth routes), before parameters: a stranger
        //    learns nothing of them.
        let scopes = oauth.then_some(ctx.scopes.as_slice());
        authz::check_groups(&ctx.state, ctx.login(), scopes, authz).await?;
    }
    // 4. Parameters of the query string and body; a request with neither a
    //    query string nor a typed body has none (gathering would read
    //    nothing), so a plain GET skips the work. Boxed: reading a body is
    //    a large future, which would make every request's future larger
    //    (copied as it moves).
    if !ctx.request.query_string().is_empty() || ctx.request.headers().contains_key(CONTENT_TYPE) {
        Box::pin(ctx.gather_params()).await?;
    }
    Ok(())
}

/// Before routing: refuse plain HTTP from a non-loopback peer
/// (`FSA_SECURE`), and start the request's state; `Some` answers early.
pub(crate) fn before_request(state: &State, request: &HttpRequest) -> Option<HttpResponse> {
    if state.config.mode >= Mode::Dev {
        let started = Instant::now();
        request.extensions_mut().insert(DevInfo {
            started,
            user: None,
        });
    }
    let destination = crate::actix::destination(request);
    let answer = refusal(state, request, &destination)
        .or_else(|| {
            state.hooks.before_request.iter().find_map(|hook| {
                let answer = std::panic::catch_unwind(AssertUnwindSafe(|| hook(request)));
                answer.unwrap_or_else(|_| {
                    tracing::error!("fsa: before_request hook panicked");
                    Some(state.render(&ErrorResponse::internal(
                        "internal error in before request hook",
                    )))
                })
            })
        })
        // Nothing to route to: a 404, without running a default service.
        .or_else(|| matches!(destination, Destination::Nowhere).then(|| not_found(state)))?;
    // fsa's or the application's own answer, sent as is (`Answer::EARLY`).
    Some(answer)
}

/// The 404 of a path no route takes, in the error format (actix's own
/// when `FSA_HANDLE_ALL_ERRORS` is off).
fn not_found(state: &State) -> HttpResponse {
    if state.config.handle_all_errors {
        state.render(&ErrorResponse::with_status(
            "not found",
            StatusCode::NOT_FOUND,
        ))
    } else {
        HttpResponse::NotFound().finish()
    }
}

/// Requests refused before routing: plain HTTP from a non-loopback peer
/// (`FSA_SECURE`), a plain actix route, headers over `FSA_MAX_HEADER_SIZE`.
fn refusal(state: &State, request: &HttpRequest, to: &Destination) -> Option<HttpResponse> {
    if state.config.secure && !request.app_config().secure() {
        let loopback = request.peer_addr().is_none_or(|a| a.ip().is_loopback());
        if !loopback {
            return Some(state.render(&ErrorResponse::internal(
                "insecure HTTP request denied: use HTTPS, or set FSA_SECURE = false behind a TLS proxy",
            )));
        }
    }
    // Only fsa's routes run. FlaskSimpleAuth refuses a route declared
    // without authorization: a plain actix route beside fsa's (or a
    // `default_service`) is refused before its handler runs, since its
    // side effects would happen otherwise.
    if matches!(to, Destination::Plain) {
        tracing::debug!(
            path = request.path(),
            "fsa: a route without authorization (a plain actix route) is refused"
        );
        return Some(state.render(&ErrorResponse::forbidden(
            "no authorization declared for this route",
        )));
    }
    let header_size: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_size > state.config.max_header_size {
        return Some(state.render(&ErrorResponse::with_status(
            format!(
                "request headers too large: at most {} bytes",
                state.config.max_header_size
            ),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        )));
    }
    None
}

/// After the response, in FlaskSimpleAuth's order: the authorization
/// guard (a success that passed no fsa authorization, from a plain actix
/// route beside fsa's, becomes a server error), actix's own errors through
/// the error format, the 401 redirect, added headers, `after_request`
/// hooks, the default content type, the dev headers and log line.
pub(crate) fn after_request(
    state: &State,
    response: ServiceResponse<BoxBody>,
    answer: Option<Answer>,
) -> ServiceResponse<BoxBody> {
    let Answer {
        authorized,
        fsa_made: fsa_answer,
    } = answer.unwrap_or_else(|| {
        let extensions = response.request().extensions();
        let authorized = extensions.contains::<AuthorizedAnswer>();
        Answer {
            authorized,
            fsa_made: authorized || extensions.contains::<RefusedAnswer>(),
        }
    });
    let config = &state.config;
    let request = response.request().clone();
    let status = response.status();
    // Every answer below 400 (101 switching to a websocket included) must
    // have passed an fsa authorization.
    let mut response = if status.as_u16() < 400 && !authorized {
        tracing::error!(
            path = request.path(),
            "fsa: a route answered without any authorization check"
        );
        let error = state.render(&ErrorResponse::internal("missing authorization check"));
        response.into_response(error)
    } else if status.as_u16() >= 400 && !fsa_answer && config.handle_all_errors {
        let reason = status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase();
        let mut error = ErrorResponse::with_status(reason, status);
        if let Some(allow) = response.headers().get(actix_web::http::header::ALLOW) {
            error = error.header("allow", allow.to_str().unwrap_or_default());
        }
        let formatted = state.render(&error);
        response.into_response(formatted)
    } else {
        response
    };
    // Most applications have nothing more to do after a request.
    if state.plain_after {
        return response;
    }
    if response.status() == StatusCode::UNAUTHORIZED {
        if let Some(redirect) = crate::web::redirect_401(config, &request) {
            response = response.into_response(redirect);
        }
    }
    crate::web::add_headers(&state.hooks.added_headers, response.response_mut());
    for hook in &state.hooks.after_request {
        let done =
            std::panic::catch_unwind(AssertUnwindSafe(|| hook(&request, response.response_mut())));
        if done.is_err() {
            tracing::error!("fsa: after_request hook panicked");
            let error = state.render(&ErrorResponse::internal(
                "internal error in after request hook",
            ));
            response = response.into_response(error);
        }
    }
    crate::web::default_content_type(config, response.response_mut());
    if config.mode >= Mode::Dev {
        let line = format!("{} {}", request.method(), request.path());
        let (user, started) = match request.extensions().get::<DevInfo>() {
            Some(dev) => (
                dev.user
                    .as_ref()
                    .map(|(login, scheme)| format!("{login} ({scheme})")),
                Some(dev.started),
            ),
            None => (None, None),
        };
        // As FlaskSimpleAuth writes it when nobody is authenticated.
        let user = user.unwrap_or_else(|| "None (none)".to_string());
        let delay = format!(
            "{:.6}",
            started.map_or(0.0, |started| started.elapsed().as_secs_f64())
        );
        if config.logs(tracing::Level::INFO) {
            tracing::info!(target: "fsa", "{line} {} {user} {delay}", response.status().as_u16());
        }
        if config.mode >= Mode::Debug(4) && config.logs(tracing::Level::DEBUG) {
            tracing::debug!(target: "fsa", request = ?redacted(state, request.headers()), response = ?redacted(state, response.headers()), "fsa: headers");
        }
        let headers = response.headers_mut();
        for (name, value) in [
            ("fsa-request", line),
            ("fsa-user", user),
            ("fsa-delay", delay),
        ] {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(
                    actix_web::http::header::HeaderName::from_static(name),
                    value,
                );
            }
        }
    }
    response
}

/// Headers for a debug log, credentials replaced by `***`.
fn redacted(state: &State, headers: &actix_web::http::header::HeaderMap) -> Vec<(String, String)> {
    let secret = |name: &str| {
        let is = |other: Option<&str>| other.is_some_and(|o| o.eq_ignore_ascii_case(name));
        matches!(
            name,
            "authorization" | "cookie" | "set-cookie" | "proxy-authorization"
        ) || is(state.tokens.as_ref().map(|t| t.name.as_str()))
            || is(state.config.httpd_header.as_deref())
    };
    headers
        .iter()
        .map(|(name, value)| {
            let value = if secret(name.as_str()) {
                "***".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.to_string(), value)
        })
        .collect()
}

/// The state of one request through an fsa route; generated code calls its
/// hidden methods.
pub struct RequestCtx {
    state: Arc<State>,
    route: usize,
    request: HttpRequest,
    payload: Option<Payload>,
    params: RequestParams,
    gathered: bool,
    user: Option<(String, Cow<'static, str>)>,
    scopes: Vec<String>,
    problems: Vec<String>,
    /// A parameter's answer that is not a 400 (rare: boxed, so that the
    /// request's future stays small).
    fatal: Option<Box<ErrorResponse>>,
}

impl RequestCtx {
    /// The request.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// The authenticated login, if any.
    pub fn user(&self) -> Option<&str> {
        self.user.as_ref().map(|(login, _)| login.as_str())
    }

    pub(crate) fn state(&self) -> &Arc<State> {
        &self.state
    }

    pub(crate) fn route(&self) -> &Arc<CompiledRoute> {
        &self.state.routes[self.route]
    }

    fn login(&self) -> &str {
        self.user().unwrap_or_default()
    }

    pub(crate) fn set_user(&mut self, login: String, scheme: Cow<'static, str>) {
        self.user = Some((login, scheme));
    }

    /// Records the scopes of the token that authenticated the request.
    pub(crate) fn set_scopes(&mut self, scopes: Vec<String>) {
        self.scopes = scopes;
    }

    /// A request parameter as text (the first HTTP value, or a JSON string).
    pub(crate) fn param_text(&self, name: &str) -> Option<String> {
        match self.params.get(name)? {
            Entry::Http(values) => values.first().cloned(),
            Entry::Json(serde_json::Value::String(s)) => Some(s.clone()),
            Entry::Json(_) | Entry::Files(_) => None,
        }
    }

    /// Reads the query string and a form, multipart or JSON body, once.
    pub(crate) async fn gather_params(&mut self) -> Result<(), ErrorResponse> {
        if std::mem::replace(&mut self.gathered, true) {
            return Ok(());
        }
        let config = &self.state.config;
        let (max, max_params) = (config.max_body, config.max_params);
        let body = match &mut self.payload {
            Some(payload) => {
                // The whole body within FSA_BODY_TIMEOUT: a client sending
                // it a byte at a time does not hold the request forever.
                let timeout = std::time::Duration::from_secs_f64(config.body_timeout);
                let reading = collect_body(&self.request, payload, max, max_params);
                match actix_web::rt::time::timeout(timeout, reading).await {
                    // Read whole: nothing left to wait for.
                    Ok(Ok(Some(body))) => {
                        self.payload = None;
                        Some(body)
                    }
                    Ok(body) => body?,
                    Err(_) => {
                        return Err(ErrorResponse::with_status(
                            format!(
                                "request body not received within {} seconds",
                                config.body_timeout
                            ),
                            StatusCode::REQUEST_TIMEOUT,
                        ))
                    }
                }
            }
            None => None,
        };
        let body = body.as_ref().map(|collected| match collected {
            Collected::Json(bytes) => Body::Json(bytes),
            Collected::Form(bytes) => Body::Form(bytes),
            Collected::Multipart(parts) => Body::Multipart(parts),
        });
        self.params = RequestParams::gather(self.request.query_string(), body, max_params)?;
        Ok(())
    }

    /// Reads the `index`-th parameter with `how`.
    async fn extract<T, E: Extract<T>>(&self, index: usize, how: E) -> Result<T, ParamError> {
        let spec = &self.state.routes[self.route].spec;
        let param = &spec.params[index];
        let decoded;
        let raw = match param.kind {
            ParamKind::Request if param.in_path => {
                match self.request.match_info().get(param.name) {
                    Some(value) => {
                        let slashes = self.route().slashed.contains(&index);
                        decoded =
                            crate::params::path::decoded(value, slashes).ok_or_else(|| {
                                ParamError::Response(ErrorResponse::with_status(
                                    "not found",
                                    StatusCode::NOT_FOUND,
                                ))
                            })?;
                        Some(Raw::Path(&decoded))
                    }
                    None => None,
                }
            }
            ParamKind::Request => self.params.get(param.name).map(raw_of),
            _ => None,
        };
        // `HashMap<String, V>`: every parameter no other parameter reads.
        let rest: Vec<(&str, Raw<'_>)> = if param.kind == ParamKind::Rest {
            self.params
                .iter()
                .filter(|(name, _)| {
                    !spec
                        .params
                        .iter()
                        .any(|p| p.name == *name && p.kind != ParamKind::Rest)
                        && !self.state.auth_params.iter().any(|a| a == name)
                })
                .map(|(name, entry)| (name, raw_of(entry)))
                .collect()
        } else {
            Vec::new()
        };
        let input = Input::special(&self.request, self.user(), param.name).with_raw(raw);
        how.extract(Input {
            rest: &rest,
            scheme: self.user.as_ref().map(|(_, scheme)| scheme.as_ref()),
            scopes: &self.scopes,
            ..input
        })
        .await
    }

    fn problem(&mut self, index: usize, error: ParamError) {
        let spec = self.state.routes[self.route].spec;
        let param = &spec.params[index];
        let name = param.name;
        let line = match error {
            ParamError::Missing => match param.kind {
                ParamKind::Header => format!("header \"{}\" is missing", name.replace('_', "-")),
                ParamKind::Cookie => format!("cookie \"{name}\" is missing"),
                _ => format!("parameter \"{name}\" is missing"),
            },
            ParamError::Invalid(why) => format!("parameter \"{name}\": {why}"),
            ParamError::Response(error) if error.status() == StatusCode::BAD_REQUEST => {
                format!("error on parameter \"{name}\": {}", error.message())
            }
            ParamError::Response(error) => {
                // Not a client mistake: this is the answer (the first one).
                self.fatal.get_or_insert(Box::new(error));
                return;
            }
        };
        self.problems.push(line);
    }

    /// Generated code: the `index`-th parameter read with `how` (see
    /// `params::dispatch`), or `None` with the problem recorded.
    #[doc(hidden)]
    pub async fn param_with<T, E: Extract<T>>(&mut self, index: usize, how: E) -> Option<T> {
        match self.extract(index, how).await {
            Ok(value) => Some(value),
            Err(error) => {
                self.problem(index, error);
                None
            }
        }
    }

    /// Generated code: as [`param_with`](Self::param_with), the default
    /// when the request does not give the parameter.
    #[doc(hidden)]
    pub async fn param_or_with<T, E: Extract<T>>(
        &mut self,
        index: usize,
        how: E,
        default: impl FnOnce() -> T,
    ) -> Option<T> {
        match self.extract(index, how).await {
            Ok(value) => Some(value),
            Err(ParamError::Missing) => Some(default()),
            Err(error) => {
                self.problem(index, error);
                None
            }
        }
    }

    /// Generated code: after the conversions, one 400 listing every problem,
    /// unexpected parameters included (unless a `HashMap<String, V>`
    /// parameter takes them); a parameter's answer of another status first.
    #[doc(hidden)]
    pub fn params_done(&mut self) -> Result<(), ErrorResponse> {
        if let Some(fatal) = self.fatal.take() {
            return Err(*fatal);
        }
        if self.params.is_empty() && self.problems.is_empty() {
            return Ok(());
        }
        let spec = self.state.routes[self.route].spec;
        let reject = self.state.config.reject_unexpected_param
            && !spec.params.iter().any(|p| p.kind == ParamKind::Rest);
        for (name, entry) in self.params.iter() {
            let declared = spec
                .params
                .iter()
                .find(|p| p.name == name && p.kind != ParamKind::Rest);
            match declared {
                Some(p) if p.in_path => self
                    .problems
                    .push(format!("parameter \"{name}\" both from path and request")),
                Some(p) if p.kind != ParamKind::Request => self
                    .problems
                    .push(format!("unexpected request parameter \"{name}\"")),
                Some(_) => {}
                None if !reject || self.state.auth_params.iter().any(|a| a == name) => {}
                None => {
                    let source = if matches!(entry, Entry::Json(_)) {
                        "json"
                    } else {
                        "http"
                    };
                    let name = crate::params::shortened(name);
                    self.problems
                        .push(format!("unexpected {source} parameter \"{name}\""));
                }
            }
        }
        if self.problems.is_empty() {
            return Ok(());
        }
        crate::params::cap_problems(&mut self.problems);
        Err(ErrorResponse::bad_request(self.problems.join("\n")))
    }

    /// Generated code: the object permissions of the route, on the
    /// converted values (`values[i]` for its `i`-th permission).
    #[doc(hidden)]
    pub async fn check_perms(&mut self, values: &[&[&dyn PermValue]]) -> Result<(), ErrorResponse> {
        let route = &self.state.routes[self.route];
        let scopes = route.oauth.then_some(self.scopes.as_slice());
        authz::check_perms(&self.state, self.login(), scopes, route.spec.authz, values).await
    }

    /// Generated code: the `before_exec` hooks, with the login and the
    /// route's schemes; the first answer replaces the handler's.
    #[doc(hidden)]
    pub fn before_exec(&self) -> Option<HttpResponse> {
        let hooks = &self.state.hooks.before_exec;
        if hooks.is_empty() {
            return None;
        }
        let route = &self.state.routes[self.route];
        let schemes: Vec<&str> = route.schemes.iter().map(|s| s.name()).collect();
        hooks
            .iter()
            .find_map(|hook| hook(&self.request, self.user(), &schemes))
    }

    /// Generated code: the handler's answer as a response.
    #[doc(hidden)]
    pub fn respond<R: Responder>(&mut self, output: R) -> Result<HttpResponse, ErrorResponse> {
        Ok(output.respond_to(&self.request).map_into_boxed_body())
    }
}

/// A body fsa never read (a 401 before it, a route without parameters, a
/// refused request) is not waited for: the connection closes after the
/// answer, rather than read (drain) a slow client's body at its pace.
/// actix closes a connection whose request body is unread when it sends
/// the answer, and drains it when it was dropped: the answer's body holds
/// it until it is sent.
pub(crate) fn close_unread(request: &HttpRequest, response: &mut HttpResponse, payload: Payload) {
    if matches!(payload, Payload::None) || !announces_body(request) {
        return;
    }
    let placeholder = HttpResponse::new(StatusCode::OK);
    let mut holding = std::mem::replace(response, placeholder)
        .map_body(|_, body| BoxBody::new(HoldingPayload { body, payload }));
    holding
        .head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    *response = holding;
}

/// An answer's body that holds the request's unread body until it is sent.
struct HoldingPayload {
    body: BoxBody,
    payload: Payload,
}

impl actix_web::body::MessageBody for HoldingPayload {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        let _ = &self.payload;
        std::pin::Pin::new(&mut self.body).poll_next(cx)
    }
}

/// Whether a request announces a body: a length, or chunks.
pub(crate) fn announces_body(request: &HttpRequest) -> bool {
    let headers = request.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// Whether a request carries a JSON body.
pub(crate) fn is_json(request: &HttpRequest) -> bool {
    let Some(value) = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Generated code: a parameter known to be converted.
#[doc(hidden)]
pub fn checked<T>(value: Option<T>) -> T {
    value.expect("fsa: parameters are checked before use")
}
