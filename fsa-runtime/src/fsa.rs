//! The built application: [`Fsa`] serves the routes and holds what every
//! request shares (configuration, hooks, caches, tokens, passwords).

use crate::{
    cache::{Cached, Kind},
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
        // Matched by index when registered (actix.rs).
        debug_assert_eq!(state.routes.len(), routes.len());
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
    pub fn routes(&self) -> impl ExactSizeIterator<Item = RouteInfo<'_>> + '_ {
        self.state.routes.iter().map(|r| RouteInfo::built(r))
    }

    fn tokens(&self) -> Result<&Tokens, ErrorResponse> {
        self.state.tokens.as_ref().ok_or_else(|| {
            ErrorResponse::internal("tokens are disabled (FSA_TOKEN_TYPE = \"none\"): set FSA_TOKEN_TYPE = \"fsa\" or \"jwt\" to create tokens")
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
    pub async fn check_token(
        &self,
        token: &str,
        realm: Option<&str>,
    ) -> Result<String, ErrorResponse> {
        let tokens = self.tokens()?;
        let realm = realm.unwrap_or(&tokens.realm);
        let info = tokens.check(&self.state.cache, token, realm).await?;
        Ok(info.login.clone())
    }

    /// Forgets a cached token check: whether there was one.
    ///
    /// The `*_uncache` functions and [`clear_caches`](Self::clear_caches)
    /// reach every instance when the cache is shared (`FSA_CACHE =
    /// "redis"`): once they return, no instance answers from the
    /// forgotten entries, nor stores an answer its hook gave before. When
    /// Redis cannot be reached they answer a 503 error, and the uncache is
    /// retried until Redis answers.
    pub async fn token_uncache(&self, token: &str, realm: &str) -> Result<bool, ErrorResponse> {
        let digest = crate::tokens::TokenDigest::of(token);
        let cache = &self.state.cache;
        let keys = vec![cache.key(Kind::Token, &[realm, digest.as_str()])];
        Ok(cache.remove(keys).await? > 0)
    }

    /// Forgets the check of the last token seen for `login` in `realm`.
    pub async fn user_token_uncache(
        &self,
        login: &str,
        realm: &str,
    ) -> Result<bool, ErrorResponse> {
        let keys = self.user_token_keys(login, realm).await?;
        Ok(self.state.cache.remove(keys).await? > 0)
    }

    /// The keys of the last token seen for `login` in `realm`, if any: an
    /// error when the shared cache cannot say.
    async fn user_token_keys(
        &self,
        login: &str,
        realm: &str,
    ) -> Result<Vec<String>, ErrorResponse> {
        let cache = &self.state.cache;
        let Some(Cached::LastToken(digest)) = cache
            .lookup_strict(Kind::UserToken, &[login, realm])
            .await?
        else {
            return Ok(Vec::new());
        };
        Ok(vec![
            cache.key(Kind::UserToken, &[login, realm]),
            cache.key(Kind::Token, &[realm, &digest]),
        ])
    }

    /// Forgets a cached object permission answer, given the hook's values
    /// (`&[&sid]`) and mode.
    pub async fn object_perms_uncache(
        &self,
        domain: &str,
        login: &str,
        values: &[&dyn crate::params::PermValue],
        mode: Option<&str>,
    ) -> Result<bool, ErrorResponse> {
        let cache = &self.state.cache;
        let rendered = format!("{values:?}");
        let (parts, count) = crate::authz::perm_key(domain, login, mode, &rendered);
        let keys = vec![cache.key(Kind::Perm, &parts[..count])];
        Ok(cache.remove(keys).await? > 0)
    }

    /// Forgets everything cached about `login`: password, last token,
    /// groups, in one uncache; the number of entries forgotten.
    pub async fn auth_uncache(&self, login: &str) -> Result<usize, ErrorResponse> {
        let cache = &self.state.cache;
        let mut keys = vec![cache.key(Kind::UserPass, &[login])];
        if let Some(tokens) = &self.state.tokens {
            keys.extend(self.user_token_keys(login, &tokens.realm).await?);
        }
        for group in &self.state.declared_groups {
            keys.push(cache.key(Kind::GroupCheck, &[group, login]));
            keys.push(cache.key(Kind::UserInGroup, &[group, login]));
        }
        cache.remove(keys).await
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
    /// `app_data` and more services to it. fsa's routes come first: a
    /// service added after never takes one of their paths, and a request
    /// to one of their paths without variables is known to be fsa's
    /// without looking through the others.
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
        // fsa's resources first: the middleware knows where a request to
        // one of them goes without looking through the others.
        let middleware = crate::actix::FsaMiddleware::new(self.state.clone()).routes_first();
        let app = actix_web::App::new().wrap(middleware);
        // CORS outside fsa's middleware: preflights are answered before it.
        #[cfg(feature = "cors")]
        let app = {
            let cors = self
                .state
                .cors
                .as_ref()
                .map(crate::cors::CorsSettings::middleware);
            app.wrap(crate::cors::CorsLayer(cors))
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

    /// Forgets every cached hook answer and token check (with Redis, the
    /// entries of this application's key prefix).
    pub async fn clear_caches(&self) -> Result<(), ErrorResponse> {
        self.state.cache.clear().await
    }

    /// Forgets the cached `get_user_pass` answer of `login`: call it after
    /// a password change.
    pub async fn password_uncache(&self, login: &str) -> Result<bool, ErrorResponse> {
        let cache = &self.state.cache;
        let keys = vec![cache.key(Kind::UserPass, &[login])];
        Ok(cache.remove(keys).await? > 0)
    }

    /// Forgets the cached group answers of `login` for `group`.
    pub async fn group_uncache(&self, login: &str, group: &str) -> Result<bool, ErrorResponse> {
        let cache = &self.state.cache;
        let keys = vec![
            cache.key(Kind::GroupCheck, &[group, login]),
            cache.key(Kind::UserInGroup, &[group, login]),
        ];
        Ok(cache.remove(keys).await? > 0)
    }

    /// Checks a user's password as the password schemes do (stored hash,
    /// then `password_check`), e.g. on a "change my password" route: the
    /// login, or the 401 that a login would get. Login throttling counts
    /// it against the login only: prefer
    /// [`check_user_password_from`](Self::check_user_password_from) in a
    /// handler, which counts the client's address too.
    pub async fn check_user_password(
        &self,
        login: &str,
        password: &str,
    ) -> Result<String, ErrorResponse> {
        let client = crate::throttle::Client::NotCounted;
        crate::authn::password::check_user_password(&self.state, login, password, client).await
    }

    /// [`check_user_password`](Self::check_user_password) for a request:
    /// login throttling counts the login and the client's address (a
    /// custom login route is throttled as the password schemes are).
    pub async fn check_user_password_from(
        &self,
        request: &actix_web::HttpRequest,
        login: &str,
        password: &str,
    ) -> Result<String, ErrorResponse> {
        let client = crate::throttle::Client::of_request(request, &self.state.config);
        crate::authn::password::check_user_password(&self.state, login, password, client).await
    }
}
