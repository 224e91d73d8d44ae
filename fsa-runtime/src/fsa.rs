//! The application object: [`FsaBuilder`] collects configuration, hooks and
//! routes; [`FsaBuilder::build`] checks every route against the
//! configuration; [`Fsa`] serves them.

use crate::{
    authn::{
        custom::{AuthenticationHook, CustomFn},
        Scheme,
    },
    cache::Cache,
    config::{Config, Mode},
    errors::{ConfigError, ErrorResponse},
    hooks::{AfterRequestFn, BeforeExecFn, BeforeRequestFn, PathCheckFn},
    hooks::{
        GetUserPassFn, GetUserPassHook, GroupCheckFn, GroupCheckHook, ObjectPermsHook,
        ObjectPermsHookFn, UserInGroupFn, UserInGroupHook,
    },
    params::ParamKind,
    passwords::Passwords,
    route::{AuthzItem, Route, RouteSpec},
    tokens::{TokenOptions, Tokens},
    web::{AddedHeader, CorsSettings},
};
use actix_web::{
    http::{header::HeaderValue, StatusCode},
    web, HttpResponse,
};
use std::{collections::HashMap, fmt::Display, sync::Arc};

/// What a route admits, after the configuration is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, without authentication.
    Open,
    /// Authenticated users passing the route's checks.
    Auth,
    /// Nobody: 403 before authentication.
    Close,
}

/// A route checked against the configuration.
pub(crate) struct CompiledRoute {
    pub(crate) route: &'static dyn Route,
    pub(crate) spec: &'static RouteSpec,
    pub(crate) access: Access,
    pub(crate) schemes: Arc<[Scheme]>,
    /// The realm of this route's tokens (fsa realm field, JWT audience).
    pub(crate) token_realm: Arc<str>,
    /// Whether a scheme reads request parameters.
    pub(crate) auth_reads_params: bool,
    /// Whether the route's groups are OAuth scopes (`authn = "oauth"`).
    pub(crate) oauth: bool,
    /// `WWW-Authenticate` of this route's 401 answers.
    pub(crate) challenge: Option<HeaderValue>,
}

/// The registered hooks.
#[derive(Default, Clone)]
pub(crate) struct Hooks {
    pub(crate) get_user_pass: Option<GetUserPassFn>,
    pub(crate) group_checks: HashMap<String, GroupCheckFn>,
    pub(crate) user_in_group: Option<UserInGroupFn>,
    pub(crate) object_perms: HashMap<String, ObjectPermsHookFn>,
    pub(crate) authentications: HashMap<String, CustomFn>,
    pub(crate) before_request: Vec<BeforeRequestFn>,
    pub(crate) before_exec: Vec<BeforeExecFn>,
    pub(crate) after_request: Vec<AfterRequestFn>,
    pub(crate) added_headers: Vec<AddedHeader>,
    pub(crate) path_check: Option<PathCheckFn>,
    pub(crate) password_quality: Option<crate::hooks::PasswordQualityFn>,
    pub(crate) password_check: Option<crate::hooks::PasswordCheckFn>,
}

/// Everything a request needs, shared by all workers.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) realm: String,
    pub(crate) hooks: Hooks,
    pub(crate) routes: Vec<Arc<CompiledRoute>>,
    pub(crate) cache: Cache,
    pub(crate) passwords: Passwords,
    pub(crate) tokens: Option<Tokens>,
    pub(crate) cors: Option<CorsSettings>,
    /// Request parameter names used by authentication, never "unexpected".
    pub(crate) auth_params: Vec<String>,
    /// Every declared group, for `auth_uncache`.
    pub(crate) declared_groups: Vec<String>,
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

/// Configuration, hooks and routes, before [`build`](Self::build).
///
/// ```no_run
/// use fsa_runtime::prelude::*;
///
/// #[get("/hello", authz = "OPEN")]
/// async fn hello() -> &'static str { "hello" }
///
/// # async fn run() -> std::io::Result<()> {
/// let fsa = Fsa::from_env("HELLO_CONFIG")?
///     .get_user_pass(|login: &str| (login == "calvin").then(|| "$2b$04$...".to_string()))
///     .routes(routes![hello])
///     .build()?;
/// HttpServer::new(move || fsa.app()).bind("127.0.0.1:8080")?.run().await
/// # }
/// ```
pub struct FsaBuilder {
    app_name: String,
    config: Config,
    hooks: Hooks,
    groups: Vec<String>,
    routes: Vec<&'static dyn Route>,
    /// Problems found while registering, reported by `build()`.
    problems: Vec<String>,
}

/// A built application: serves its routes on actix-web.
///
/// Cheap to clone: `HttpServer::new` calls its factory once per worker.
#[derive(Clone)]
pub struct Fsa {
    state: Arc<State>,
}

impl std::fmt::Debug for Fsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fsa")
            .field("realm", &self.state.realm)
            .field("routes", &self.state.routes.len())
            .finish_non_exhaustive()
    }
}

impl crate::Param for Fsa {
    const KIND: ParamKind = ParamKind::Special;
    fn extract(input: crate::Input<'_>) -> Result<Self, crate::ParamError> {
        use actix_web::HttpMessage;
        input
            .request
            .extensions()
            .get::<crate::pipeline::RequestState>()
            .map(|s| s.fsa().clone())
            .ok_or_else(|| {
                crate::ParamError::Response(ErrorResponse::internal("fsa middleware missing"))
            })
    }
}

impl Fsa {
    pub(crate) fn from_state(state: Arc<State>) -> Self {
        Self { state }
    }

    fn tokens(&self) -> Result<&Tokens, ErrorResponse> {
        self.state.tokens.as_ref().ok_or_else(|| {
            ErrorResponse::internal("tokens are disabled (FSA_TOKEN_TYPE = \"none\")")
        })
    }

    /// A new token for `login`, for the application's realm, valid
    /// `FSA_TOKEN_DELAY` minutes. A handler gets the `Fsa` as a parameter:
    ///
    /// ```
    /// use fsa_runtime::prelude::*;
    ///
    /// #[get("/login", authz = "AUTH", authn = "basic")]
    /// async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    ///     Ok(Json(fsa.create_token(&user)?))
    /// }
    /// ```
    pub fn create_token(&self, login: &str) -> Result<String, ErrorResponse> {
        self.tokens()?.create(login, &TokenOptions::default())
    }

    /// A new token with options: realm (MFA stages), delay, issuer, secret,
    /// scopes.
    pub fn create_token_with(
        &self,
        login: &str,
        options: &TokenOptions,
    ) -> Result<String, ErrorResponse> {
        self.tokens()?.create(login, options)
    }

    /// The login of a valid token for `realm` (default: the application's).
    pub fn check_token(&self, token: &str, realm: Option<&str>) -> Result<String, ErrorResponse> {
        let tokens = self.tokens()?;
        let realm = realm.unwrap_or(&tokens.realm);
        Ok(tokens.check(&self.state.cache, token, realm)?.login.clone())
    }

    /// Forgets a cached token check.
    pub fn token_uncache(&self, token: &str, realm: &str) -> bool {
        let cache = &self.state.cache;
        cache.remove(&cache.key(crate::cache::Kind::Token, &[realm, token]))
    }

    /// Forgets the check of the last token seen for `login` in `realm`.
    pub fn user_token_uncache(&self, login: &str, realm: &str) -> bool {
        let cache = &self.state.cache;
        let key = cache.key(crate::cache::Kind::UserToken, &[login, realm]);
        match cache.get(&key) {
            Some(crate::cache::Cached::LastToken(token)) => {
                cache.remove(&key);
                self.token_uncache(&token, realm)
            }
            _ => false,
        }
    }

    /// Forgets a cached object permission answer, given the hook's values
    /// (`&[&sid]`) and mode.
    pub fn object_perms_uncache(
        &self,
        domain: &str,
        login: &str,
        values: &[&dyn crate::PermValue],
        mode: Option<&str>,
    ) -> bool {
        let cache = &self.state.cache;
        let rendered = format!("{values:?}");
        crate::authz::with_perm_key(domain, login, mode, &rendered, |key| {
            cache.remove(&cache.key(crate::cache::Kind::Perm, key))
        })
    }

    /// Forgets everything cached about `login`: password, last token,
    /// groups; the number of entries removed.
    pub fn auth_uncache(&self, login: &str) -> usize {
        let mut removed = usize::from(self.password_uncache(login));
        if let Some(tokens) = &self.state.tokens {
            removed += usize::from(self.user_token_uncache(login, &tokens.realm));
        }
        for group in &self.state.declared_groups {
            removed += usize::from(self.group_uncache(login, group));
        }
        removed
    }
}

impl Fsa {
    /// A builder with the configuration of the TOML file named by
    /// environment variable `var`, overridden by `FSA_*` environment
    /// variables. The application's name (the default realm) is the
    /// variable's prefix, lower-cased: `ACME_CONFIG` gives `acme`.
    pub fn from_env(var: &str) -> Result<FsaBuilder, ConfigError> {
        let name = var
            .strip_suffix("_CONFIG")
            .or_else(|| var.strip_suffix("_CONF"))
            .unwrap_or(var)
            .to_ascii_lowercase();
        Ok(FsaBuilder::new(name, Config::from_env(var)?))
    }

    /// A builder for application `app_name` with the directives of a TOML
    /// text (no environment override): handy in tests.
    pub fn from_toml_str(app_name: &str, text: &str) -> Result<FsaBuilder, ConfigError> {
        Ok(FsaBuilder::new(app_name, Config::from_toml_str(text)?))
    }

    /// A builder for application `app_name` with a configuration.
    pub fn builder(app_name: &str, config: Config) -> FsaBuilder {
        FsaBuilder::new(app_name, config)
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// The default realm: `FSA_REALM`, or the application's name.
    pub fn realm(&self) -> &str {
        &self.state.realm
    }

    /// Registers the routes on an actix `App` or scope:
    /// `App::new().wrap(fsa.middleware()).configure(fsa.configure())`.
    pub fn configure(&self) -> impl Fn(&mut web::ServiceConfig) + Clone + 'static {
        let state = self.state.clone();
        move |cfg: &mut web::ServiceConfig| crate::actix::configure(&state, cfg)
    }

    /// The middleware every App serving fsa routes must wear: HTTPS check,
    /// authorization guard, dev headers.
    pub fn middleware(&self) -> crate::actix::FsaMiddleware {
        crate::actix::FsaMiddleware::new(self.state.clone())
    }

    /// An actix `App` with the middleware and the routes: add your
    /// `app_data` and more services to it.
    pub fn app(
        &self,
    ) -> actix_web::App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        let cors = self.state.cors.as_ref().map(CorsSettings::middleware);
        actix_web::App::new()
            .wrap(self.middleware())
            .wrap(actix_web::middleware::Condition::new(
                cors.is_some(),
                cors.unwrap_or_default(),
            ))
            .configure(self.configure())
    }

    /// Hashes a password with the configured scheme, off the worker
    /// threads, after the quality checks (`FSA_PASSWORD_LENGTH`,
    /// `FSA_PASSWORD_RE`, `password_quality`): a poor password is a 400.
    pub async fn hash_password(&self, password: &str) -> Result<String, ErrorResponse> {
        crate::passwords::hash_password(&self.state, password).await
    }

    /// Whether `password` matches a stored hash.
    pub async fn check_password(&self, password: &str, reference: &str) -> bool {
        self.state
            .passwords
            .verify(password, reference)
            .await
            .unwrap_or(false)
    }

    /// Forgets every cached hook answer and token check.
    pub fn clear_caches(&self) {
        self.state.cache.clear();
    }

    /// Forgets the cached `get_user_pass` answer of `login`.
    pub fn password_uncache(&self, login: &str) -> bool {
        let key = self.state.cache.key(crate::cache::Kind::UserPass, &[login]);
        self.state.cache.remove(&key)
    }

    /// Forgets the cached group answers of `login` for `group`.
    pub fn group_uncache(&self, login: &str, group: &str) -> bool {
        let cache = &self.state.cache;
        let a = cache.remove(&cache.key(crate::cache::Kind::GroupCheck, &[group, login]));
        let b = cache.remove(&cache.key(crate::cache::Kind::UserInGroup, &[group, login]));
        a || b
    }

    /// Checks a user's password as the password schemes do (stored hash,
    /// then `password_check`), e.g. on a "change my password" route: the
    /// login, or the 401 that a login would get.
    pub async fn check_user_password(
        &self,
        login: &str,
        password: &str,
    ) -> Result<String, ErrorResponse> {
        crate::passwords::check_user_password(&self.state, login, password).await
    }
}

impl FsaBuilder {
    fn new(app_name: impl Into<String>, config: Config) -> Self {
        Self {
            app_name: app_name.into(),
            config,
            hooks: Hooks::default(),
            groups: Vec::new(),
            routes: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Sets the application's name, the default realm.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = name.into();
        self
    }

    /// Changes the configuration before the build.
    pub fn configure(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Registers the stored password hash lookup: `login -> Option<hash>`.
    pub fn get_user_pass<M>(mut self, hook: impl GetUserPassHook<M>) -> Self {
        self.hooks.get_user_pass = Some(hook.into_hook());
        self
    }

    /// Registers (and declares) a group with its membership check:
    /// `login -> bool`.
    pub fn group_check<M>(mut self, group: impl Display, hook: impl GroupCheckHook<M>) -> Self {
        self.hooks
            .group_checks
            .insert(group.to_string(), hook.into_hook());
        self
    }

    /// Registers the membership check of groups without their own:
    /// `(login, group) -> bool`.
    pub fn user_in_group<M>(mut self, hook: impl UserInGroupHook<M>) -> Self {
        self.hooks.user_in_group = Some(hook.into_hook());
        self
    }

    /// Registers the permission check of an object domain:
    /// `(login, value, mode) -> Option<bool>`.
    pub fn object_perms<M>(mut self, domain: &str, hook: impl ObjectPermsHook<M>) -> Self {
        self.hooks
            .object_perms
            .insert(domain.to_string(), hook.into_hook());
        self
    }

    /// Runs before routing on every request; an answer (`Some`) is sent as
    /// is, instead of the application's (FlaskSimpleAuth's `before_request`).
    pub fn before_request(
        mut self,
        hook: impl Fn(&actix_web::HttpRequest) -> Option<HttpResponse> + Send + Sync + 'static,
    ) -> Self {
        self.hooks.before_request.push(Arc::new(hook));
        self
    }

    /// Runs after authentication, authorization and parameters, just
    /// before the handler, with the login and the route's schemes; an
    /// answer (`Some`) replaces the handler's.
    pub fn before_exec(
        mut self,
        hook: impl Fn(&actix_web::HttpRequest, Option<&str>, &[&str]) -> Option<HttpResponse>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.hooks.before_exec.push(Arc::new(hook));
        self
    }

    /// Changes every answer (FlaskSimpleAuth's `after_request`).
    pub fn after_request(
        mut self,
        hook: impl Fn(&actix_web::HttpRequest, &mut HttpResponse) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.after_request.push(Arc::new(hook));
        self
    }

    /// Adds a header with a fixed value to every answer.
    pub fn add_header(mut self, name: &str, value: &str) -> Self {
        match (
            actix_web::http::header::HeaderName::try_from(name),
            HeaderValue::try_from(value),
        ) {
            (Ok(name), Ok(value)) => self
                .hooks
                .added_headers
                .push(AddedHeader::Fixed(name, value)),
            _ => self
                .problems
                .push(format!("add_header: invalid header {name}: {value}")),
        }
        self
    }

    /// Adds a header computed from each answer (`None`: no header).
    pub fn add_header_with(
        mut self,
        name: &str,
        value: impl Fn(&HttpResponse) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        match actix_web::http::header::HeaderName::try_from(name) {
            Ok(name) => self
                .hooks
                .added_headers
                .push(AddedHeader::Computed(name, Arc::new(value))),
            Err(_) => self
                .problems
                .push(format!("add_header_with: invalid header name {name}")),
        }
        self
    }

    /// Checks each route's method and path at `build()`: a complaint
    /// (`Some(reason)`) is a start-up error. See [`check_path`](crate::check_path).
    pub fn path_check(
        mut self,
        check: impl Fn(&str, &str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.hooks.path_check = Some(Arc::new(check));
        self
    }

    /// Formats every error answer with an application function.
    pub fn error_response(
        mut self,
        format: impl Fn(&ErrorResponse) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        tracing::warn!("fsa: error responses are formatted by the application");
        self.config.error_response = crate::ErrorFormat::Custom(Arc::new(format));
        self
    }

    /// Registers a custom authentication scheme, to be named in `FSA_AUTH`:
    /// `(request) -> Option<login>`, or a `Result` of it.
    pub fn authentication<M>(mut self, scheme: &str, hook: impl AuthenticationHook<M>) -> Self {
        self.hooks
            .authentications
            .insert(scheme.to_string(), hook.into_hook());
        self
    }

    /// Declares groups: routes may then name only declared groups.
    pub fn add_group(mut self, group: impl Display) -> Self {
        self.groups.push(group.to_string());
        self
    }

    /// Adds one route.
    pub fn route<R: Route>(mut self, route: R) -> Self {
        // Routes are unit structs: leaking one allocates nothing.
        self.routes.push(Box::leak(Box::new(route)));
        self
    }

    /// Adds routes listed with [`routes!`](crate::routes).
    pub fn routes(mut self, routes: impl IntoIterator<Item = &'static dyn Route>) -> Self {
        self.routes.extend(routes);
        self
    }

    /// Checks every route against the configuration and hooks, reporting
    /// every problem at once, before the server listens.
    pub fn build(self) -> Result<Fsa, ConfigError> {
        let mut problems = self.problems;
        let config = self.config;
        let mut hooks = self.hooks;
        for (name, value) in &config.add_headers {
            if let (Ok(name), Ok(value)) = (
                actix_web::http::header::HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(value.as_str()),
            ) {
                hooks
                    .added_headers
                    .insert(0, AddedHeader::Fixed(name, value));
            }
        }
        let cors = CorsSettings::new(&config).unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        if config.auth.is_empty() {
            problems.push(
                "FSA_AUTH is mandatory: e.g. FSA_AUTH = \"basic\" or [\"token\", \"basic\"]"
                    .to_string(),
            );
        }
        let customs = &hooks.authentications;
        for scheme in &config.auth {
            if Scheme::from_name(scheme, customs).is_none() {
                problems.push(format!(
                    "FSA_AUTH: unknown scheme \"{scheme}\": expected none, basic, param, password, token, oauth, httpd, fake, or one registered with .authentication(\"{scheme}\", f)"
                ));
            }
        }
        let uses = |name: &str| config.auth.iter().any(|s| s == name);
        if uses("fake") && config.mode == Mode::Prod {
            problems.push("fake authentication trusts a LOGIN parameter, for local tests only: it needs FSA_MODE = \"dev\" or a debug mode".into());
        }
        if uses("httpd") && config.httpd_header.is_none() {
            problems.push("httpd authentication needs FSA_HTTPD_HEADER, the trusted header set by the fronting web server".into());
        }
        if (uses("token") || uses("oauth")) && config.token_type.is_none() {
            problems.push(
                "token authentication is enabled in FSA_AUTH but FSA_TOKEN_TYPE is none".into(),
            );
        }
        if uses("oauth") && config.token_type != Some(crate::config::TokenType::Jwt) {
            problems.push("oauth authentication requires FSA_TOKEN_TYPE = \"jwt\"".into());
        }
        if uses("oauth") && config.token_issuer.is_none() {
            problems.push("oauth authentication requires FSA_TOKEN_ISSUER".into());
        }
        if config.fake_login != "LOGIN" && !uses("fake") {
            tracing::warn!("fsa: FSA_FAKE_LOGIN is set but fake authentication is not enabled");
        }
        if let Some(default) = &config.auth_default {
            for scheme in default {
                if !config.auth.contains(scheme) {
                    problems.push(format!("FSA_AUTH_DEFAULT: default auth is not enabled: \"{scheme}\" is not in FSA_AUTH"));
                }
            }
        }
        let passwords = Passwords::new(&config).unwrap_or_else(|p| {
            problems.push(p);
            Passwords::new(&Config::default()).expect("default password scheme")
        });
        let realm = config
            .realm
            .clone()
            .unwrap_or_else(|| self.app_name.clone());
        let tokens = Tokens::new(&config, &realm).unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        let mut declared: Vec<String> = config.authz_groups.clone();
        declared.extend(self.groups.iter().cloned());
        declared.extend(hooks.group_checks.keys().cloned());

        let mut routes = Vec::new();
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for route in &self.routes {
            let spec = route.spec();
            if let Some(check) = &hooks.path_check {
                if let Some(complaint) =
                    check(spec.methods.first().copied().unwrap_or("GET"), spec.path)
                {
                    problems.push(format!(
                        "{}: bad path {}: {complaint}",
                        spec.describe(),
                        spec.path
                    ));
                }
            }
            for method in spec.methods {
                if seen.contains(&(method, spec.actix_path)) {
                    problems.push(format!(
                        "{}: {method} {} is declared twice",
                        spec.describe(),
                        spec.path
                    ));
                }
                seen.push((method, spec.actix_path));
            }
            match compile_route(*route, &config, &hooks, &declared, &realm, tokens.as_ref()) {
                Ok(compiled) => routes.push(Arc::new(compiled)),
                Err(mut more) => problems.append(&mut more),
            }
        }
        ConfigError::from_problems(problems)?;

        let mut auth_params = Vec::new();
        if config.auth.iter().any(|s| s == "param") {
            auth_params.push(config.param_user.clone());
            auth_params.push(config.param_pass.clone());
        }
        if config.auth.iter().any(|s| s == "fake") {
            auth_params.push(config.fake_login.clone());
        }
        if let Some(t) = tokens
            .as_ref()
            .filter(|t| t.carrier == crate::config::TokenCarrier::Param)
        {
            auth_params.push(t.name.clone());
        }
        if config.mode >= Mode::Dev {
            tracing::info!(
                app = self.app_name,
                routes = routes.len(),
                "fsa: application built"
            );
        }
        let cache = Cache::new(&config);
        Ok(Fsa {
            state: Arc::new(State {
                realm,
                hooks,
                routes,
                cors,
                cache,
                passwords,
                tokens,
                declared_groups: declared,
                auth_params,
                config,
            }),
        })
    }

    /// Registers the quality check of new passwords, run by
    /// [`Fsa::hash_password`]: `password -> bool` (or `Result<bool, E>`).
    pub fn password_quality<M>(mut self, hook: impl crate::hooks::PasswordQualityHook<M>) -> Self {
        self.hooks.password_quality = Some(hook.into_hook());
        self
    }

    /// Registers an alternate password check (LDAP, one-time codes...),
    /// used when no hash is stored or it does not match:
    /// `(login, password) -> bool`.
    pub fn password_check<M>(mut self, hook: impl crate::hooks::PasswordCheckHook<M>) -> Self {
        self.hooks.password_check = Some(hook.into_hook());
        self
    }
}

/// Checks one route: its schemes are enabled, its groups declared and
/// checkable, its object permissions have hooks of the right types.
fn compile_route(
    route: &'static dyn Route,
    config: &Config,
    hooks: &Hooks,
    declared: &[String],
    realm: &str,
    tokens: Option<&Tokens>,
) -> Result<CompiledRoute, Vec<String>> {
    let spec = route.spec();
    let at = spec.describe();
    let mut problems = Vec::new();
    let names: Vec<String> = match spec.authn {
        Some(authn) => {
            crate::config::expand_password(authn.iter().map(|s| s.to_string()).collect())
        }
        None => config
            .auth_default
            .clone()
            .unwrap_or_else(|| config.auth.clone()),
    };
    for name in &names {
        if !config.auth.contains(name) {
            problems.push(format!(
                "{at}: auth is not enabled: \"{name}\" is not in FSA_AUTH {:?}",
                config.auth
            ));
        }
    }
    let schemes: Vec<Scheme> = names
        .iter()
        .filter_map(|n| Scheme::from_name(n, &hooks.authentications))
        .collect();
    let oauth = schemes.contains(&Scheme::Oauth);
    if oauth && schemes.len() > 1 {
        problems.push(format!(
            "{at}: oauth cannot be mixed with other schemes: its authz items are scopes"
        ));
    }

    let close = spec.authz.iter().any(|i| matches!(i, AuthzItem::Close));
    let open = spec.authz.iter().any(|i| matches!(i, AuthzItem::Open));
    let only_none = !schemes.is_empty() && schemes.iter().all(|s| *s == Scheme::None);
    let access = if close {
        Access::Close
    } else if open && schemes.contains(&Scheme::None) {
        Access::Open
    } else if only_none {
        tracing::warn!("fsa: {at}: only \"none\" authentication: the route is closed");
        Access::Close
    } else {
        if open {
            tracing::warn!("fsa: {at}: OPEN without \"none\" authentication: the route needs authentication (AUTH)");
        }
        Access::Auth
    };

    spec.walk_authz(&mut |item| match item {
        AuthzItem::Group(scope) if oauth => {
            let declared_scopes = &config.authz_scopes;
            if !declared_scopes.is_empty() && !declared_scopes.iter().any(|s| s == scope) {
                problems.push(format!("{at}: unexpected scope \"{scope}\": declared scopes are {:?}", config.authz_scopes));
            }
        }
        AuthzItem::Group(group) => {
            if !declared.is_empty() && !declared.iter().any(|d| d == group) {
                problems.push(format!("{at}: unexpected group \"{group}\": declared groups are {declared:?}"));
            } else if !hooks.group_checks.contains_key(*group) && hooks.user_in_group.is_none() {
                problems.push(format!("{at}: cannot check group \"{group}\" authz: register .group_check(\"{group}\", f) or .user_in_group(f)"));
            }
        }
        AuthzItem::Perm(perm) => match hooks.object_perms.get(perm.domain) {
            None => problems.push(format!("{at}: missing object permission checker for \"{}\": register .object_perms(\"{}\", f)", perm.domain, perm.domain)),
            Some(hook) => {
                if hook.types.len() != perm.params.len() {
                    problems.push(format!(
                        "{at}: the \"{}\" permission hook takes {} value(s), the route gives {} ({})",
                        perm.domain,
                        hook.types.len(),
                        perm.params.len(),
                        perm.vars.join(":")
                    ));
                }
                for ((type_id, type_name), &index) in hook.types.iter().zip(perm.params) {
                    let param = &spec.params[index];
                    if (param.type_id)() != *type_id {
                        problems.push(format!(
                            "{at}: the \"{}\" permission hook takes {type_name}, parameter `{}` is {}",
                            perm.domain,
                            param.rust_name,
                            (param.type_name)()
                        ));
                    }
                }
            }
        },
        _ => {}
    });
    if access == Access::Open {
        if let Some(param) = spec
            .params
            .iter()
            .find(|p| p.kind == ParamKind::CurrentUser)
        {
            problems.push(format!(
                "{at}: cannot get the current user on an open route: parameter `{}`",
                param.rust_name
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let route_realm = spec.realm.unwrap_or(realm);
    let token_realm: Arc<str> = match (spec.realm, tokens) {
        (Some(r), _) => Arc::from(r),
        (None, Some(t)) => Arc::from(t.realm.as_str()),
        (None, None) => Arc::from(realm),
    };
    let token_param = tokens.is_some_and(|t| t.carrier == crate::config::TokenCarrier::Param);
    let auth_reads_params = schemes.iter().any(|s| s.reads_params(token_param));
    let mut challenges: Vec<String> = schemes
        .iter()
        .filter_map(|s| match s {
            Scheme::Basic => Some(format!("Basic realm=\"{route_realm}\"")),
            Scheme::Token | Scheme::Oauth => tokens.and_then(|t| t.challenge(route_realm)),
            _ => None,
        })
        .collect();
    challenges.sort();
    challenges.dedup();
    let challenge = (!challenges.is_empty())
        .then(|| HeaderValue::try_from(challenges.join(", ")).ok())
        .flatten();
    Ok(CompiledRoute {
        route,
        spec,
        access,
        schemes: schemes.into(),
        token_realm,
        auth_reads_params,
        oauth,
        challenge,
    })
}
