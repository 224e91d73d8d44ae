//! The built application: [`Fsa`] serves the routes and holds what every
//! request shares (configuration, hooks, caches, tokens, passwords).

use crate::{
    config::Config,
    errors::ErrorResponse,
    params::ParamKind,
    route::{Route, RouteInfo},
    state::State,
    tokens::{TokenOptions, Tokens},
};
use actix_web::web;
use std::sync::Arc;

/// A built application: serves its routes on actix-web.
///
/// Cheap to clone: `HttpServer::new` calls its factory once per worker.
#[derive(Clone)]
pub struct Fsa {
    pub(crate) state: Arc<State>,
    /// The routes, as listed to the builder, in the order of `state.routes`.
    routes: Arc<[&'static dyn Route]>,
}

impl std::fmt::Debug for Fsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fsa")
            .field("realm", &self.state.realm)
            .field("routes", &self.state.routes.len())
            .finish_non_exhaustive()
    }
}

impl crate::params::Param for Fsa {
    const KIND: ParamKind = ParamKind::Special;
    fn extract(input: crate::params::Input<'_>) -> Result<Self, crate::params::ParamError> {
        input.request.app_data::<Fsa>().cloned().ok_or_else(|| {
            crate::params::ParamError::Response(ErrorResponse::internal("fsa middleware missing"))
        })
    }
}

impl Fsa {
    pub(crate) fn new(state: Arc<State>, routes: Arc<[&'static dyn Route]>) -> Self {
        Self { state, routes }
    }

    /// What each route declares, in the order they were given.
    ///
    /// ```
    /// use fsa_runtime::prelude::*;
    ///
    /// #[get("/hello", authz = "OPEN")]
    /// async fn hello() -> &'static str { "hello" }
    ///
    /// let fsa = Fsa::from_toml_str("app", "FSA_AUTH = \"none\"\nFSA_TOKEN_TYPE = \"none\"")
    ///     .unwrap()
    ///     .routes(routes![hello])
    ///     .build()
    ///     .unwrap();
    /// let paths: Vec<&str> = fsa.routes().map(|r| r.path()).collect();
    /// assert_eq!(paths, ["/hello"]);
    /// ```
    pub fn routes(&self) -> impl ExactSizeIterator<Item = RouteInfo> + '_ {
        self.state.routes.iter().map(|r| RouteInfo::of(r.spec))
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
        values: &[&dyn crate::params::PermValue],
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
            crate::actix::configure(&fsa.state, &fsa.routes, cfg)
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
            let cors = self
                .state
                .cors
                .as_ref()
                .map(crate::cors::CorsSettings::middleware);
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
        let passwords = &self.state.passwords;
        passwords.scheme()?;
        let hook = self.state.hooks.password_quality.as_ref();
        passwords.check_quality(password, hook)?;
        passwords.hash(password).await
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
        crate::authn::password::check_user_password(&self.state, login, password).await
    }
}
