//! The request pipeline, top to bottom. Every fsa route runs [`handle`]:
//!
//! ```text
//! middleware: before_request   FSA_SECURE check, plain routes refused
//!                              (`destination`), header size,
//!                              before_request hooks (may answer), fsa's
//!                              404 for a path no route takes
//! handle, with the steps chosen at registration (`Preparation`: an OPEN
//! route that does not ask who is there is `Anonymous`, the others are
//! `Authenticating`):
//!   0. a path with control characters or bad UTF-8  -> 400
//!   1. CLOSE route                                   -> 403, no authentication
//!   2. authenticate (not on OPEN routes)             -> 401 + WWW-Authenticate
//!   3. groups (scopes on oauth routes)               -> 403
//!   4. gather parameters (query, form, JSON, multipart) -> 400 / 413
//!   5. convert them (generated code), all problems   -> 400
//!   6. object permissions on the converted values    -> 404 / 403
//!   7. before_exec hooks (may answer), the handler   -> its answer
//!   route_answer: errors formatted, challenge, token cookie, caching
//!      headers, the middleware told (`told::Waiting`)
//!   a panic anywhere                                 -> 500, this request only
//! middleware: after_request    authorization guard, actix errors formatted,
//!                              401 redirect, added headers, after_request
//!                              hooks, content type, FSA-* dev headers
//! ```

use crate::{
    authn, authz,
    compile::{Access, CompiledRoute},
    config::Mode,
    context::RequestCtx,
    errors::ErrorResponse,
    route::generated::{RouteCall, RouteHost},
    state::State,
    told::{Answer, Waiting},
};
use actix_web::{
    body::BoxBody,
    dev::{Payload, ServiceResponse},
    http::{
        header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE},
        StatusCode,
    },
    HttpMessage, HttpRequest, HttpResponse,
};
use futures_util::FutureExt;
use std::{borrow::Cow, panic::AssertUnwindSafe, time::Instant};

/// In dev mode only: when the request started, and `login (scheme)` once
/// authenticated, for the `FSA-*` headers and the log line.
struct DevInfo {
    started: Instant,
    user: Option<(String, Cow<'static, str>)>,
}

/// The prefix of the names of fsa's actix resources: an application does
/// not name a resource with a NUL by accident.
pub(crate) const FSA_RESOURCE: &str = "\0fsa ";

/// Where the router will send a request.
pub(crate) enum Destination {
    /// One of fsa's routes.
    Fsa,
    /// A resource that is not fsa's: a plain actix route, a service.
    Plain,
    /// No resource: actix's `default_service`, or its 404.
    Nowhere,
}

/// Where the router will send `request`: matched on the path the router
/// matches (percent-decoded but for `%25`, `%2B` and `%2F`), not the raw
/// one, so that `/pl%61in` is `/plain` here as there. When fsa's resources
/// come first in the App (`routes_first`), a path equal to one of fsa's
/// plain paths (no variable, no trailing `*`: `State::static_paths`) goes
/// to fsa (actix takes the first resource that matches), found without
/// looking through the others.
pub(crate) fn destination(state: &State, request: &HttpRequest, routes_first: bool) -> Destination {
    let path = request.match_info().as_str();
    if routes_first && state.static_paths.contains(path) {
        return Destination::Fsa;
    }
    let map = request.resource_map();
    match map.match_name(path) {
        Some(name) if name.starts_with(FSA_RESOURCE) => Destination::Fsa,
        Some(_) => Destination::Plain,
        None if map.has_resource(path) => Destination::Plain,
        None => Destination::Nowhere,
    }
}

thread_local! {
    /// The applications whose middleware this worker thread built: actix
    /// builds an App's middleware and routes in the worker that serves it.
    static GUARDED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The last application found in `GUARDED` (ids start at 1): a worker
    /// usually serves one.
    static LAST_GUARDED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records that this worker built the middleware of application `id`.
pub(crate) fn guard(id: u64) {
    GUARDED.with(|guarded| guarded.borrow_mut().push(id));
}

/// Whether this worker built the middleware of application `id`: fsa's
/// routes refuse to serve without it (it guards every answer).
#[inline]
fn guarded(id: u64) -> bool {
    LAST_GUARDED.get() == id || guarded_here(id)
}

/// [`guarded`] for an application other than the worker's last one.
fn guarded_here(id: u64) -> bool {
    let found = GUARDED.with(|guarded| guarded.borrow().contains(&id));
    if found {
        LAST_GUARDED.set(id);
    }
    found
}

/// Generated code: `route` served by the pipeline with `call`'s code
/// inline (monomorphized per route; the pipeline's own steps are not).
#[doc(hidden)]
pub fn register<R: RouteCall>(
    call: &'static R,
    route: actix_web::Route,
    host: RouteHost,
) -> actix_web::Route {
    let compiled = &host.state.routes[host.index];
    if compiled.access == Access::Open && !compiled.optional_user {
        serve::<R, Anonymous>(call, route, host)
    } else {
        serve::<R, Authenticating>(call, route, host)
    }
}

/// `route` served by [`handle`] with `call` and `P`'s first steps.
fn serve<R: RouteCall, P: Preparation>(
    call: &'static R,
    route: actix_web::Route,
    host: RouteHost,
) -> actix_web::Route {
    route.service(actix_web::dev::fn_service(
        move |request: actix_web::dev::ServiceRequest| {
            let (request, payload) = request.into_parts();
            handle::<R, P>(call, host.clone(), request, payload)
        },
    ))
}

/// Runs an fsa route on a request: the pipeline's steps, `call` (the
/// route's generated code) inline.
pub(crate) fn handle<R: RouteCall, P: Preparation>(
    call: &'static R,
    host: RouteHost,
    request: HttpRequest,
    payload: Payload,
) -> impl std::future::Future<Output = Result<ServiceResponse, actix_web::Error>> {
    let RouteHost {
        state,
        index: route,
    } = host;
    let guarded = guarded(state.id);
    // The request's context, made before the future: the future holds it,
    // not the arguments it is made of too.
    let mut ctx = RequestCtx::new(state, route, request, payload);
    async move {
        if !guarded {
            tracing::error!("fsa: the App is not wrapped with fsa.middleware(): use fsa.app(), or App::new().wrap(fsa.middleware()).configure(fsa.configure())");
            let response = ctx
                .state
                .render(&ErrorResponse::internal("fsa middleware missing"));
            return Ok(ServiceResponse::new(ctx.request, response));
        }
        let steps = async {
            if !P::prepare_now(&mut ctx)? {
                P::prepare(&mut ctx).await?;
            }
            // 5-7. Generated: conversions, object permissions, the handler.
            call.call(&mut ctx).await
        };
        let outcome = AssertUnwindSafe(steps).catch_unwind().await;
        route_answer(outcome, ctx)
    }
}

/// The route's answer to its request, as the pipeline finishes it: errors
/// rendered, a panic's 500, the challenge of a 401, the token cookie,
/// caching headers, an unread body let go, the middleware told. Inlined
/// into each route's future: taking the outcome and the context by value
/// otherwise copies them (about 90 instructions a request, measured).
#[inline(always)]
fn route_answer(
    outcome: std::thread::Result<Result<HttpResponse, ErrorResponse>>,
    mut ctx: RequestCtx,
) -> Result<ServiceResponse, actix_web::Error> {
    let (state, request) = (&ctx.state, &ctx.request);
    let compiled = ctx.route();
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
                if response.status().as_u16() < 400 {
                    response
                } else {
                    handler_error(state, response)
                }
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
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED {
        if let Some(challenge) = &compiled.challenge {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, challenge.clone());
        }
    }
    // Only a successful answer of a route that takes tokens hands out a
    // token cookie: a password-only route (an MFA first stage) does not.
    let success = status.is_success();
    let mut cookie = false;
    if let (Some((login, _)), true) = (&ctx.user, compiled.takes_tokens && success) {
        cookie = renew_cookie(state, compiled, request, login, &mut response);
    }
    // An authenticated route's answer is one user's (a token, a cookie,
    // their data): no shared cache may keep it (RFC 6749 5.1 for tokens),
    // unless the handler says how (its own Cache-Control is kept), and
    // never one that sets a token cookie.
    let personal = compiled.access == Access::Auth || ctx.user.is_some();
    if cookie || (personal && !response.headers().contains_key(CACHE_CONTROL)) {
        let no_store = HeaderValue::from_static("no-store");
        response.headers_mut().insert(CACHE_CONTROL, no_store);
    }
    // An OPEN route that asks who is there answers by the credentials: a
    // cache must not give its anonymous answer to someone else.
    if compiled.optional_user {
        let vary = HeaderValue::from_static("Authorization, Cookie");
        response
            .headers_mut()
            .append(actix_web::http::header::VARY, vary);
    }
    if let Some(payload) = ctx.payload.take() {
        close_unread(request, &mut response, payload);
    }
    let answer = if authorized {
        Answer::AUTHORIZED
    } else {
        Answer::REFUSED
    };
    Waiting::tell(request, answer);
    if let Some(user) = ctx.user.take().filter(|_| state.config.mode >= Mode::Dev) {
        if let Some(dev) = request.extensions_mut().get_mut::<DevInfo>() {
            dev.user = Some(user);
        }
    }
    let RequestCtx { request, .. } = ctx;
    Ok(ServiceResponse::new(request, response))
}

/// A handler's error answer (400 and above) that fsa did not make, through the error
/// format: an actix error (`Err(actix_web::Error)`, with its message), or
/// an empty error answer (`HttpResponse::NotFound().finish()`, an
/// `Option` handler's `None`). An error answer with a body is the
/// handler's own, sent as is.
fn handler_error(state: &State, response: HttpResponse) -> HttpResponse {
    let status = response.status();
    let message = match response.error() {
        Some(error) => error.to_string(),
        None if matches!(
            actix_web::body::MessageBody::size(response.body()),
            actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
        ) =>
        {
            crate::errors::framework_message(status)
        }
        None => return response,
    };
    let mut error = ErrorResponse::with_status(message, status);
    for (name, value) in response.headers() {
        // The answer's own headers stay (Allow, WWW-Authenticate...),
        // not its body's description.
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH {
            error = error.header(name.as_str(), value.to_str().unwrap_or_default());
        }
    }
    state.render(&error)
}

/// The cookie carrier: after a successful authenticated answer of a route
/// that takes tokens, a new token cookie when there is none, or when the current one expires within
/// `FSA_TOKEN_RENEWAL` of its life (always when the renewal is 0). Whether
/// it set one.
fn renew_cookie(
    state: &State,
    route: &CompiledRoute,
    request: &HttpRequest,
    login: &str,
    response: &mut HttpResponse,
) -> bool {
    let Some(tokens) = state
        .tokens
        .as_ref()
        .filter(|t| t.carrier == crate::config::TokenCarrier::Cookie)
    else {
        return false;
    };
    let lifetime = tokens.delay() * 60.0;
    let renew = tokens.renewal <= 0.0
        || match request.cookie(&tokens.name) {
            None => true,
            // Its signature checked again (the cache is for authentication).
            Some(cookie) => match tokens.verify(cookie.value(), &route.token_realm) {
                Ok(info) => info.expires - crate::tokens::now() < tokens.renewal * lifetime,
                Err(_) => true,
            },
        };
    if !renew {
        return false;
    }
    let options = crate::tokens::TokenOptions {
        realm: Some(route.token_realm.to_string()),
        ..Default::default()
    };
    let Ok(token) = tokens.create(login, &options) else {
        return false;
    };
    {
        let cookie = actix_web::cookie::Cookie::build(tokens.name.clone(), token)
            .path("/")
            .max_age(actix_web::cookie::time::Duration::seconds(lifetime as i64))
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .secure(crate::proxy::is_https(request, &state.config))
            .finish();
        response.add_cookie(&cookie).is_ok()
    }
}

/// Steps 0 to 4, what comes before the route's generated code, as much
/// of them as a route needs: chosen when the route is registered (see
/// [`register`]), so that an OPEN route's future does not carry the
/// schemes' larger ones (copied into actix's box, and past the
/// allocator's small sizes).
#[allow(async_fn_in_trait)]
pub(crate) trait Preparation: 'static {
    /// The steps that wait for nothing: `Ok(true)` when they are all there
    /// is, and [`prepare`](Self::prepare) need not run.
    fn prepare_now(ctx: &mut RequestCtx) -> Result<bool, ErrorResponse>;

    /// The steps after [`prepare_now`](Self::prepare_now)'s.
    async fn prepare(ctx: &mut RequestCtx) -> Result<(), ErrorResponse>;
}

/// An OPEN route whose handler does not ask who is there: nobody is
/// authenticated, so the path and the parameters are all there is.
pub(crate) struct Anonymous;

/// Every other route: CLOSE, AUTH, and OPEN with an optional user.
pub(crate) struct Authenticating;

impl Preparation for Anonymous {
    #[inline]
    fn prepare_now(ctx: &mut RequestCtx) -> Result<bool, ErrorResponse> {
        check_path(ctx)?;
        Ok(!has_params(ctx))
    }

    async fn prepare(ctx: &mut RequestCtx) -> Result<(), ErrorResponse> {
        Box::pin(ctx.gather_params()).await
    }
}

impl Preparation for Authenticating {
    #[inline]
    fn prepare_now(ctx: &mut RequestCtx) -> Result<bool, ErrorResponse> {
        check_path(ctx)?;
        // 1. A closed route answers before anything else.
        if ctx.route().access == Access::Close {
            return Err(ErrorResponse::forbidden("currently closed route"));
        }
        Ok(false)
    }

    async fn prepare(ctx: &mut RequestCtx) -> Result<(), ErrorResponse> {
        let compiled = ctx.route();
        let (access, oauth, authz) = (compiled.access, compiled.oauth, compiled.spec.authz);
        // 2. Authentication, except on OPEN routes (which never
        //    authenticate, unless the handler asks for an optional user:
        //    then credentials sent are checked, and any failure is no user,
        //    never a refusal).
        if access == Access::Open && compiled.optional_user {
            // A body a scheme would read is read first: its problems (413,
            // bad JSON) are the answer, not swallowed with the credentials'.
            if compiled.auth_reads_params {
                Box::pin(ctx.gather_params()).await?;
            }
            let _no_user = authn::authenticate(ctx).await;
        }
        if access == Access::Auth {
            authn::authenticate(ctx).await?;
            // 3. Groups (scopes on oauth routes), before parameters: a
            //    stranger learns nothing of them.
            let scopes = oauth.then_some(ctx.scopes.as_slice());
            authz::check_groups(&ctx.state, ctx.login(), scopes, authz).await?;
        }
        if has_params(ctx) {
            Box::pin(ctx.gather_params()).await?;
        }
        Ok(())
    }
}

/// 0. A path Flask would not route: control characters, invalid UTF-8.
#[inline]
fn check_path(ctx: &RequestCtx) -> Result<(), ErrorResponse> {
    match crate::params::path::path_problem(ctx.request.uri().path()) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// 4. Whether the request has parameters to gather: one with neither a
///    query string nor a typed body has none (gathering would read
///    nothing), so a plain GET skips the work. Gathering is boxed where
///    awaited: reading a body is a large future, which would make every
///    request's future larger (copied as it moves).
#[inline]
fn has_params(ctx: &RequestCtx) -> bool {
    !ctx.request.query_string().is_empty() || ctx.request.headers().contains_key(CONTENT_TYPE)
}

/// Before routing: refuse plain HTTP from a non-loopback peer
/// (`FSA_SECURE`), and start the request's state; `Some` answers early.
pub(crate) fn before_request(
    state: &State,
    request: &HttpRequest,
    routes_first: bool,
) -> Option<HttpResponse> {
    if state.config.mode >= Mode::Dev {
        let started = Instant::now();
        request.extensions_mut().insert(DevInfo {
            started,
            user: None,
        });
    }
    // Each answer here is fsa's or the application's own, sent as is
    // (`Answer::AUTHORIZED`).
    let destination = destination(state, request, routes_first);
    if let Some(refused) = refusal(state, request, &destination) {
        return Some(refused);
    }
    for hook in &state.hooks.before_request {
        let answer = std::panic::catch_unwind(AssertUnwindSafe(|| hook(request)));
        match answer {
            Ok(None) => {}
            Ok(Some(answer)) => return Some(answer),
            Err(_) => {
                tracing::error!("fsa: before_request hook panicked");
                return Some(state.render(&ErrorResponse::internal(
                    "internal error in before request hook",
                )));
            }
        }
    }
    match destination {
        // Nothing to route to: a 404, without running a default service.
        Destination::Nowhere => Some(not_found(state)),
        Destination::Fsa if request.method() == actix_web::http::Method::OPTIONS => {
            options(state, request)
        }
        _ => None,
    }
}

/// `OPTIONS` on a path of fsa's routes that declare none: 200 with the
/// path's methods in `Allow`, as Flask answers (no authentication: it
/// tells what the path serves, not who may call it). CORS preflights are
/// answered before, by the CORS middleware.
fn options(state: &State, request: &HttpRequest) -> Option<HttpResponse> {
    let name = request
        .resource_map()
        .match_name(request.match_info().as_str())?;
    let path = name.strip_prefix(FSA_RESOURCE)?;
    let mut methods: Vec<&str> = Vec::new();
    for route in state.routes.iter().filter(|r| r.spec.actix_path == path) {
        for method in route.spec.methods {
            if !methods.contains(method) {
                methods.push(method);
            }
        }
    }
    if methods.contains(&"OPTIONS") {
        return None; // the application's own OPTIONS route
    }
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        methods.push("HEAD"); // see `actix::configure`
    }
    methods.push("OPTIONS");
    Some(
        HttpResponse::Ok()
            .insert_header((actix_web::http::header::ALLOW, methods.join(", ")))
            .finish(),
    )
}

/// The 404 of a path no route takes, in the error format (actix's own
/// when `FSA_HANDLE_ALL_ERRORS` is off).
fn not_found(state: &State) -> HttpResponse {
    if state.config.handle_all_errors {
        let message = crate::errors::framework_message(StatusCode::NOT_FOUND);
        state.render(&ErrorResponse::with_status(message, StatusCode::NOT_FOUND))
    } else {
        HttpResponse::NotFound().finish()
    }
}

/// Requests refused before routing: plain HTTP from a non-loopback peer
/// (`FSA_SECURE`), a plain actix route, headers over `FSA_MAX_HEADER_SIZE`.
fn refusal(state: &State, request: &HttpRequest, to: &Destination) -> Option<HttpResponse> {
    if state.config.secure && !crate::proxy::is_secure_enough(request, &state.config) {
        return Some(state.render(&ErrorResponse::internal(
            "insecure HTTP request denied: use HTTPS (behind a TLS proxy: list it in FSA_TRUSTED_PROXIES, and have it send X-Forwarded-Proto)",
        )));
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
/// `answer`: what fsa told of it (added to the request's marks when that
/// is not an authorization).
#[inline]
pub(crate) fn after_request(
    state: &State,
    response: ServiceResponse<BoxBody>,
    answer: Answer,
) -> ServiceResponse<BoxBody> {
    // The route may also have marked the request (polled outside the
    // middleware's window, once more): any authorization counts.
    let answer = if answer.authorized() {
        answer
    } else {
        answer.join(Answer::marked(response.request()))
    };
    let status = response.status().as_u16();
    let passes = if status < 400 {
        answer.authorized()
    } else {
        answer.fsa_made() || !state.config.handle_all_errors
    };
    // Most answers pass the guard, and most applications have nothing
    // more to do after a request: not a step more, nor a move.
    if passes && state.plain_after {
        return response;
    }
    after_request_steps(state, response, passes)
}

/// The steps of [`after_request`] past its usual case; `passes`: the
/// answer passes the guard as it is.
#[inline(never)]
fn after_request_steps(
    state: &State,
    response: ServiceResponse<BoxBody>,
    passes: bool,
) -> ServiceResponse<BoxBody> {
    let config = &state.config;
    let request = response.request().clone();
    let status = response.status();
    let mut response = if passes {
        response
    } else if status.as_u16() < 400 {
        // Every answer below 400 (101 switching to a websocket included)
        // must have passed an fsa authorization.
        tracing::error!(
            path = request.path(),
            "fsa: a route answered without any authorization check"
        );
        let error = state.render(&ErrorResponse::internal("missing authorization check"));
        response.into_response(error)
    } else {
        // An error fsa did not make (actix's 404, 405...): the error format.
        let mut error =
            ErrorResponse::with_status(crate::errors::framework_message(status), status);
        if let Some(allow) = response.headers().get(actix_web::http::header::ALLOW) {
            error = error.header("allow", allow.to_str().unwrap_or_default());
        }
        let formatted = state.render(&error);
        response.into_response(formatted)
    };
    // Most applications have nothing more to do after a request.
    if state.plain_after {
        return response;
    }
    if response.status() == StatusCode::UNAUTHORIZED {
        if let Some(redirect) = crate::answer::redirect_401(config, &request) {
            response = response.into_response(redirect);
        }
    }
    crate::answer::add_headers(&state.hooks.added_headers, response.response_mut());
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
    crate::answer::default_content_type(config, response.response_mut());
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

/// A body fsa never read (a 401 before it, a route without parameters, a
/// refused request) is not waited for: the connection closes after the
/// answer, rather than read (drain) a slow client's body at its pace.
/// actix closes a connection whose request body is unread when it sends
/// the answer, and drains it when it was dropped: the answer's body holds
/// it until it is sent.
#[inline]
pub(crate) fn close_unread(request: &HttpRequest, response: &mut HttpResponse, payload: Payload) {
    if matches!(payload, Payload::None) {
        return;
    }
    close_announced(request, response, payload);
}

/// [`close_unread`] of a request that may have a body.
fn close_announced(request: &HttpRequest, response: &mut HttpResponse, payload: Payload) {
    if !announces_body(request) {
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
