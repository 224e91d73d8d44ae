//! [`FsaBuilder`]: configuration, hooks and routes, then [`build`](FsaBuilder::build),
//! which checks everything before the server listens.

use crate::{
    cache::Cache,
    compile::compile_route,
    config::{Config, Mode},
    cors::CorsSettings,
    errors::{ConfigError, ErrorResponse},
    fsa::Fsa,
    hooks::{AddedHeader, AuthenticationHook, Hooks},
    hooks::{GetUserPassHook, GroupCheckHook, ObjectPermsHook, UserInGroupHook},
    passwords::Passwords,
    route::Route,
    scheme::Scheme,
    state::State,
    throttle::Throttle,
    tokens::Tokens,
};
use actix_web::{http::header::HeaderValue, HttpResponse};
use std::{fmt::Display, sync::Arc};

/// `ACME_CONFIG` -> `acme`: the application's name of its configuration
/// variable.
fn app_name_of_var(var: &str) -> String {
    var.strip_suffix("_CONFIG")
        .or_else(|| var.strip_suffix("_CONF"))
        .unwrap_or(var)
        .to_ascii_lowercase()
}

/// The builders of an application: its configuration read from a file,
/// the environment or a text.
impl Fsa {
    /// A builder with the configuration of the TOML file named by
    /// environment variable `var` (none when unset), overridden by `FSA_*`
    /// environment variables. The application's name (the default realm)
    /// is the variable's prefix, lower-cased: `ACME_CONFIG` gives `acme`.
    pub fn from_env(var: &str) -> Result<FsaBuilder, ConfigError> {
        Ok(FsaBuilder::new(
            app_name_of_var(var),
            Config::from_env(var)?,
        ))
    }

    /// As [`from_env`](Self::from_env), reading file `default` when `var`
    /// is unset: no `std::env::set_var` needed to give a default.
    ///
    /// ```no_run
    /// # fn main() -> std::io::Result<()> {
    /// let builder = fsa_runtime::Fsa::from_env_or("ACME_CONFIG", "acme.toml")?;
    /// # Ok(()) }
    /// ```
    pub fn from_env_or(
        var: &str,
        default: impl AsRef<std::path::Path>,
    ) -> Result<FsaBuilder, ConfigError> {
        let config = Config::from_env_or(var, default)?;
        Ok(FsaBuilder::new(app_name_of_var(var), config))
    }

    /// A builder with the configuration of the TOML file at `path`,
    /// overridden by `FSA_*` environment variables. The application's name
    /// is the file's stem: `conf/acme.toml` gives `acme` (change it with
    /// [`FsaBuilder::app_name`]).
    ///
    /// ```no_run
    /// # fn main() -> std::io::Result<()> {
    /// let builder = fsa_runtime::Fsa::from_file("acme.toml")?;
    /// # Ok(()) }
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<FsaBuilder, ConfigError> {
        let path = path.as_ref();
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(FsaBuilder::new(name, Config::from_file(path)?))
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

impl FsaBuilder {
    pub(crate) fn new(app_name: impl Into<String>, config: Config) -> Self {
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
        replaced("get_user_pass", self.hooks.get_user_pass.is_some());
        self.hooks.get_user_pass = Some(hook.into_hook());
        self
    }

    /// Registers (and declares) a group with its membership check:
    /// `login -> bool`.
    pub fn group_check<M>(mut self, group: impl Display, hook: impl GroupCheckHook<M>) -> Self {
        let previous = self
            .hooks
            .group_checks
            .insert(group.to_string(), hook.into_hook());
        replaced(&format!("group_check(\"{group}\")"), previous.is_some());
        self
    }

    /// Registers the membership check of groups without their own:
    /// `(login, group) -> bool`.
    pub fn user_in_group<M>(mut self, hook: impl UserInGroupHook<M>) -> Self {
        replaced("user_in_group", self.hooks.user_in_group.is_some());
        self.hooks.user_in_group = Some(hook.into_hook());
        self
    }

    /// Registers the permission check of an object domain:
    /// `(login, value, mode) -> Option<bool>`.
    pub fn object_perms<M>(mut self, domain: &str, hook: impl ObjectPermsHook<M>) -> Self {
        let previous = self
            .hooks
            .object_perms
            .insert(domain.to_string(), hook.into_hook());
        replaced(&format!("object_perms(\"{domain}\")"), previous.is_some());
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
    /// (`Some(reason)`) is a start-up error. See [`check_path`](crate::web::check_path).
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
        self.config.error_response = crate::errors::ErrorFormat::Custom(Arc::new(format));
        self
    }

    /// Registers a custom authentication scheme, to be named in `FSA_AUTH`:
    /// `(request) -> Option<login>`, or a `Result` of it.
    pub fn authentication<M>(mut self, scheme: &str, hook: impl AuthenticationHook<M>) -> Self {
        let previous = self
            .hooks
            .authentications
            .insert(scheme.to_string(), hook.into_hook());
        replaced(&format!("authentication(\"{scheme}\")"), previous.is_some());
        self
    }

    /// Declares an OAuth scope (as `FSA_AUTHZ_SCOPES` does): oauth routes
    /// may then name only declared scopes.
    pub fn add_scope(mut self, scope: impl Display) -> Self {
        let scope = scope.to_string();
        if !self.config.authz_scopes.contains(&scope) {
            self.config.authz_scopes.push(scope);
        }
        self
    }

    /// Declares groups: routes may then name only declared groups.
    pub fn add_group(mut self, group: impl Display) -> Self {
        self.groups.push(group.to_string());
        self
    }

    /// Adds a group of routes (a blueprint): under its prefix, with its
    /// defaults for `authn` and `realm`.
    pub fn group(mut self, group: crate::RouteGroup) -> Self {
        match group.prefix_problem() {
            Some(problem) => self.problems.push(problem),
            None => self.routes.extend(group.prefixed()),
        }
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
    pub fn build(mut self) -> Result<Fsa, ConfigError> {
        let mut problems = std::mem::take(&mut self.problems);
        // The document's route, declared by the configuration.
        if let Some(options) = &self.config.openapi {
            #[cfg(feature = "openapi")]
            self.routes.push(crate::openapi::served::declare(options));
            #[cfg(not(feature = "openapi"))]
            problems.push(format!(
                "FSA_OPENAPI (path {}) needs fsa-runtime's feature \"openapi\": features = [\"openapi\"]",
                options.path
            ));
        }
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
        // Each enabled scheme: known, and what it needs of the configuration.
        let mut enabled: Vec<Scheme> = Vec::new();
        for name in &config.auth {
            match Scheme::from_name(name, &hooks.authentications) {
                // A scheme listed twice is checked once.
                Some(scheme) if enabled.contains(&scheme) => {}
                Some(scheme) => enabled.push(scheme),
                None => problems.push(Scheme::unknown(name)),
            }
        }
        for scheme in &enabled {
            problems.extend(scheme.config_problems(&config));
        }
        let uses = |name: &str| config.auth.iter().any(|s| s == name);
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
            match compile_route(spec, &config, &hooks, &declared, &realm, tokens.as_ref()) {
                Ok(compiled) => routes.push(Arc::new(compiled)),
                Err(mut more) => problems.append(&mut more),
            }
        }
        if config.mode == Mode::Prod {
            if let Some(problem) = unsafe_token_secret(&config) {
                problems.push(problem);
            }
        }
        ConfigError::from_problems(problems)?;

        // The request parameters of the enabled schemes: never "unexpected".
        let mut auth_params: Vec<String> = Vec::new();
        for scheme in &enabled {
            for name in scheme.params_read(&config, tokens.as_ref()) {
                if !auth_params.contains(&name) {
                    auth_params.push(name);
                }
            }
        }
        if config.mode >= Mode::Dev {
            tracing::info!(
                app = self.app_name,
                routes = routes.len(),
                "fsa: application built"
            );
        }
        let cache = Cache::new(&config, &self.app_name).map_err(ConfigError::new)?;
        let plain_after = config.redirect_401.is_none()
            && hooks.added_headers.is_empty()
            && hooks.after_request.is_empty()
            && config.default_content_type.is_none()
            && config.mode == Mode::Prod;
        let static_paths = crate::path_set::PathSet::of_plain_patterns(
            routes.iter().map(|route| route.spec.actix_path),
        );
        static BUILT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let state = Arc::new(State {
            id: BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            realm,
            hooks,
            routes,
            cors,
            cache,
            throttle: Throttle::new(config.throttle.as_ref()),
            passwords,
            tokens,
            declared_groups: declared,
            plain_after,
            static_paths,
            auth_params,
            config,
        });
        Ok(Fsa::new(state, self.routes.into()))
    }

    /// Registers the quality check of new passwords, run by
    /// [`Fsa::hash_password`]: `password -> bool` (or `Result<bool, E>`).
    pub fn password_quality<M>(mut self, hook: impl crate::hooks::PasswordQualityHook<M>) -> Self {
        replaced("password_quality", self.hooks.password_quality.is_some());
        self.hooks.password_quality = Some(hook.into_hook());
        self
    }

    /// Registers an alternate password check (LDAP, one-time codes...),
    /// used when no hash is stored or it does not match:
    /// `(login, password) -> bool`.
    pub fn password_check<M>(mut self, hook: impl crate::hooks::PasswordCheckHook<M>) -> Self {
        replaced("password_check", self.hooks.password_check.is_some());
        self.hooks.password_check = Some(hook.into_hook());
        self
    }
}

/// A hook registered again replaces the first, with a warning (as
/// FlaskSimpleAuth's registration does).
fn replaced(hook: &str, was_there: bool) {
    if was_there {
        tracing::warn!("fsa: {hook} registered again: the new hook replaces the first");
    }
}

/// Shortest HMAC secret accepted in prod mode: 256 bits, so that one token
/// does not let an offline search find it.
const MIN_SECRET: usize = 32;

/// Why the token secret is unsafe for a prod application with tokens
/// (`FSA_TOKEN_TYPE` not `none`): left random (every token dies with the
/// process and differs between instances, whether routes check them or
/// handlers make them), or a short HMAC key.
fn unsafe_token_secret(config: &Config) -> Option<String> {
    let kind = config.token_type?;
    let hmac = match kind {
        crate::config::TokenType::Fsa => true,
        crate::config::TokenType::Jwt => config
            .token_algo
            .as_deref()
            .is_none_or(|algo| algo.starts_with("HS")),
    };
    match &config.token_secret {
        None => Some("FSA_TOKEN_SECRET is required in prod mode: a random secret breaks every token on restart and on other instances; set FSA_TOKEN_SECRET = { env = \"APP_SECRET\" } with 32 random bytes or more (`openssl rand -base64 48`), or FSA_TOKEN_TYPE = \"none\" if the application uses no tokens".into()),
        Some(secret) if hmac && secret.len() < MIN_SECRET => Some(format!(
            "FSA_TOKEN_SECRET is {} bytes: in prod mode an HMAC secret needs {MIN_SECRET} bytes or more, or one token lets an offline search find it; draw one with `openssl rand -base64 48`",
            secret.len()
        )),
        _ => None,
    }
}
