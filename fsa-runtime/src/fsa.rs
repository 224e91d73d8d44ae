//! The built application: [`Fsa`] serves the routes and holds what every
//! request shares (configuration, hooks, caches, tokens, passwords).

use crate::{
    authn::custom::CustomFn,
    builder::FsaBuilder,
    cache::Cache,
    compile::CompiledRoute,
    config::Config,
    errors::{ConfigError, ErrorResponse},
    hooks::{AfterRequestFn, BeforeExecFn, BeforeRequestFn, PathCheckFn},
    hooks::{GetUserPassFn, GroupCheckFn, ObjectPermsHookFn, UserInGroupFn},
    params::ParamKind,
    passwords::Passwords,
    tokens::{TokenOptions, Tokens},
    web::{AddedHeader, CorsSettings},
};
use actix_web::{http::StatusCode, web, HttpResponse};
use std::{collections::HashMap, sync::Arc};

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
    /// Unique to this application in the process (see `actix::guarded`).
    pub(crate) id: u64,
    pub(crate) config: Config,
    pub(crate) realm: String,
    pub(crate) hooks: Hooks,
    pub(crate) routes: Vec<Arc<CompiledRoute>>,
    pub(crate) cache: Cache,
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
        input.request.app_data::<Fsa>().cloned().ok_or_else(|| {
            crate::ParamError::Response(ErrorResponse::internal("fsa middleware missing"))
        })
    }
}

/// `ACME_CONFIG` -> `acme`: the application's name of its configuration
/// variable.
fn app_name_of_var(var: &str) -> String {
    var.strip_suffix("_CONFIG")
        .or_else(|| var.strip_suffix("_CONF"))
        .unwrap_or(var)
        .to_ascii_lowercase()
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
        let digest = crate::tokens::TokenDigest::of(token);
        self.digest_uncache(digest.as_str(), realm)
    }

    /// Forgets the cached check of the token of this digest.
    fn digest_uncache(&self, digest: &str, realm: &str) -> bool {
        let cache = &self.state.cache;
        cache.remove(&cache.key(crate::cache::Kind::Token, &[realm, digest]))
    }

    /// Forgets the check of the last token seen for `login` in `realm`.
    pub fn user_token_uncache(&self, login: &str, realm: &str) -> bool {
        let cache = &self.state.cache;
        let key = cache.key(crate::cache::Kind::UserToken, &[login, realm]);
        match cache.get(&key) {
            Some(crate::cache::Cached::LastToken(digest)) => {
                cache.remove(&key);
                self.digest_uncache(&digest, realm)
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
        let fsa = self.clone();
        move |cfg: &mut web::ServiceConfig| {
            // The application, for `Fsa` parameters and `JsonStream`.
            cfg.app_data(fsa.clone());
            crate::actix::configure(&fsa.state, cfg)
        }
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
        let app = actix_web::App::new().wrap(self.middleware());
        // CORS outside fsa's middleware: preflights are answered before it.
        #[cfg(feature = "cors")]
        let app = {
            let cors = self.state.cors.as_ref().map(CorsSettings::middleware);
            app.wrap(actix_web::middleware::Condition::new(
                cors.is_some(),
                cors.unwrap_or_default(),
            ))
        };
        app.configure(self.configure())
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
