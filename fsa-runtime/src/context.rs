//! The context of one request through an fsa route: the application, the
//! request and its body, who made it, its parameters as gathered, and the
//! problems found converting them. The pipeline makes it; the schemes and
//! the generated code read and fill it.

use crate::{
    authz,
    compile::CompiledRoute,
    errors::ErrorResponse,
    params::{
        collect_body, dispatch::Extract, raw_of, Body, Collected, Entry, Input, ParamError,
        ParamKind, PermValue, Raw, RequestParams,
    },
    state::State,
};
use actix_web::{dev::Payload, http::StatusCode, HttpRequest, HttpResponse, Responder};
use std::{borrow::Cow, sync::Arc};

/// The state of one request through an fsa route; generated code calls its
/// hidden methods.
pub struct RequestCtx {
    pub(crate) state: Arc<State>,
    route: usize,
    pub(crate) request: HttpRequest,
    /// The request's body, until it is read (or never, when unread).
    pub(crate) payload: Option<Payload>,
    params: RequestParams,
    gathered: bool,
    /// `login (scheme)` once authenticated.
    pub(crate) user: Option<(String, Cow<'static, str>)>,
    pub(crate) scopes: Vec<String>,
    problems: Vec<String>,
    /// A parameter's answer that is not a 400 (rare: boxed, so that the
    /// request's future stays small).
    fatal: Option<Box<ErrorResponse>>,
}

impl RequestCtx {
    /// The context of a request to route `route` of the application.
    pub(crate) fn new(
        state: Arc<State>,
        route: usize,
        request: HttpRequest,
        payload: Payload,
    ) -> Self {
        RequestCtx {
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
        }
    }

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

    pub(crate) fn login(&self) -> &str {
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
                                // Flask would not route it: its 404.
                                ParamError::Response(ErrorResponse::with_status(
                                    crate::errors::framework_message(StatusCode::NOT_FOUND),
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
    #[inline]
    pub fn params_done(&mut self) -> Result<(), ErrorResponse> {
        if self.fatal.is_none() && self.params.is_empty() && self.problems.is_empty() {
            return Ok(());
        }
        self.params_problems()
    }

    /// [`params_done`](Self::params_done) past its usual case.
    fn params_problems(&mut self) -> Result<(), ErrorResponse> {
        if let Some(fatal) = self.fatal.take() {
            return Err(*fatal);
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
    #[inline]
    pub fn before_exec(&self) -> Option<HttpResponse> {
        if self.state.hooks.before_exec.is_empty() {
            return None;
        }
        self.run_before_exec()
    }

    /// [`before_exec`](Self::before_exec)'s hooks.
    fn run_before_exec(&self) -> Option<HttpResponse> {
        let hooks = &self.state.hooks.before_exec;
        let route = &self.state.routes[self.route];
        let schemes: Vec<&str> = route.schemes.iter().map(|s| s.name()).collect();
        hooks
            .iter()
            .find_map(|hook| hook(&self.request, self.user(), &schemes))
    }

    /// Generated code: the handler's answer as a response.
    #[doc(hidden)]
    #[inline]
    pub fn respond<R: Responder>(&mut self, output: R) -> Result<HttpResponse, ErrorResponse> {
        Ok(output.respond_to(&self.request).map_into_boxed_body())
    }
}

/// Generated code: a parameter known to be converted.
#[doc(hidden)]
pub fn checked<T>(value: Option<T>) -> T {
    value.expect("fsa: parameters are checked before use")
}
