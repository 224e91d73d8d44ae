//! A test kit (feature `testing`): an fsa application served on a real
//! HTTP server on 127.0.0.1, clients that call it as its users, and an
//! authorization matrix that fails on every route it does not cover.
//!
//! ```
//! use fsa_runtime::prelude::*;
//! use fsa_runtime::testing::{AuthzMatrix, TestApp, ANONYMOUS};
//!
//! #[get("/hello", authz = "OPEN")]
//! async fn hello() -> &'static str { "hello" }
//!
//! #[get("/secret", authz = "staff")]
//! async fn secret(user: CurrentUser) -> String { format!("for {user}") }
//!
//! fn app() -> Fsa {
//!     Fsa::from_toml_str("app", r#"
//!         FSA_AUTH = ["token", "basic", "none"]
//!         FSA_TOKEN_SECRET = "a test secret, long enough to sign"
//!     "#)
//!     .unwrap()
//!     .get_user_pass(|_: &str| None::<String>)
//!     .group_check("staff", |login: &str| login == "calvin")
//!     .routes(routes![hello, secret])
//!     .build()
//!     .unwrap()
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = TestApp::start(app());
//! // calvin without his password: a token made with the application's secret
//! app.as_user("calvin").get("/secret").send().await
//!     .assert_status(200)
//!     .assert_text("for calvin");
//! // every route, every user: a new route without its line fails the test
//! AuthzMatrix::new(["calvin", "hobbes", ANONYMOUS])
//!     .check("GET /hello", [200, 200, 200])
//!     .check("GET /secret", [200, 403, 401])
//!     .run(&app)
//!     .await;
//! # });
//! ```
//!
//! [`TestApp::as_user`] needs no password when the route takes tokens (a
//! token minted with the application's own secret and the route's realm)
//! or the `fake` scheme; for a password-only route, give the password once
//! with [`TestApp::password`].

mod client;
mod matrix;

pub use client::{Client, Multipart, TestAnswer, TestRequest};
pub use matrix::{AuthzMatrix, ANONYMOUS};

use crate::{route::RouteInfo, Fsa};
use actix_http::Request;
use actix_service::IntoServiceFactory;
use actix_web::{
    body::MessageBody,
    dev::{AppConfig, ResourceDef, Response, Service, ServiceFactory},
    http::Method,
};
use std::{cell::RefCell, collections::HashMap, fmt, rc::Rc};

/// An application under test: its routes on an actix test server (a real
/// HTTP server on 127.0.0.1, stopped when the `TestApp` is dropped), and
/// clients that call it. Start it inside an actix system
/// (`#[actix_web::test]`).
#[derive(Clone)]
pub struct TestApp {
    inner: Rc<Inner>,
}

struct Inner {
    server: actix_test::TestServer,
    fsa: Fsa,
    /// Passwords given with [`TestApp::password`], by login.
    passwords: RefCell<HashMap<String, String>>,
}

impl fmt::Debug for TestApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestApp")
            .field("url", &self.url("/"))
            .field("fsa", &self.inner.fsa)
            .finish()
    }
}

impl TestApp {
    /// Serves `fsa.app()`, as built by the application's own builder
    /// (configuration overrides for tests: `FsaBuilder::configure`).
    pub fn start(fsa: Fsa) -> Self {
        let app = fsa.clone();
        Self::serve(fsa, move || app.app())
    }

    /// Serves `fsa.app()` with more registrations, such as the
    /// application's `app_data`:
    /// `TestApp::start_with(fsa, move |cfg| { cfg.app_data(db.clone()); })`.
    pub fn start_with(
        fsa: Fsa,
        configure: impl Fn(&mut actix_web::web::ServiceConfig) + Clone + Send + 'static,
    ) -> Self {
        let app = fsa.clone();
        Self::serve(fsa, move || app.app().configure(configure.clone()))
    }

    /// Serves the application's own actix `App` (made by `factory`, which
    /// must serve `fsa`'s routes): for applications that wrap more around
    /// them.
    pub fn serve<F, I, S, B>(fsa: Fsa, factory: F) -> Self
    where
        F: Fn() -> I + Send + Clone + 'static,
        I: IntoServiceFactory<S, Request>,
        S: ServiceFactory<Request, Config = AppConfig> + 'static,
        S::Error: Into<actix_web::Error> + 'static,
        S::InitError: fmt::Debug,
        S::Response: Into<Response<B>> + 'static,
        <S::Service as Service<Request>>::Future: 'static,
        B: MessageBody + 'static,
    {
        let server = actix_test::start(factory);
        Self {
            inner: Rc::new(Inner {
                server,
                fsa,
                passwords: RefCell::default(),
            }),
        }
    }

    /// The application under test.
    pub fn fsa(&self) -> &Fsa {
        &self.inner.fsa
    }

    /// The URL of `path` on the test server.
    pub fn url(&self, path: &str) -> String {
        self.inner.server.url(path)
    }

    /// Gives `login`'s password, for [`as_user`](Self::as_user) on routes
    /// that take no token (a `/login` route with `authn = "basic"`).
    pub fn password(&self, login: &str, password: &str) -> &Self {
        let mut passwords = self.inner.passwords.borrow_mut();
        passwords.insert(login.to_string(), password.to_string());
        self
    }

    /// A client that sends no credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(self.clone(), client::Who::Anonymous)
    }

    /// A client that acts as `login` without a password: on a route that
    /// takes tokens, a token minted with the application's secret for the
    /// route's realm, in the configured carrier; on a `fake` route, the
    /// `LOGIN` parameter; otherwise the password given with
    /// [`password`](Self::password), by `basic` or `param`. A request that
    /// no fsa route serves (a 404 or a 405 to test) goes without
    /// credentials; so does one to routes served under a prefix
    /// ([`serve`](Self::serve) with a scope), which the kit does not know.
    pub fn as_user(&self, login: &str) -> Client {
        Client::new(
            self.clone(),
            client::Who::User {
                login: login.to_string(),
                scopes: Vec::new(),
            },
        )
    }

    /// A client with explicit credentials: `Authorization: Basic`.
    pub fn basic(&self, login: &str, password: &str) -> Client {
        Client::new(
            self.clone(),
            client::Who::Basic(login.to_string(), password.to_string()),
        )
    }

    /// A client that sends `Authorization: Bearer <token>`.
    pub fn bearer(&self, token: &str) -> Client {
        Client::new(self.clone(), client::Who::Bearer(token.to_string()))
    }

    /// The route that serves `method` on `path` (no query string), as the
    /// router finds it: the first route declared whose pattern matches.
    pub fn route_of(&self, method: &Method, path: &str) -> Option<RouteInfo<'_>> {
        route_of(&self.inner.fsa, method, path)
    }
}

/// The route of `fsa` that serves `method` on `path`, as actix finds it:
/// the first path declared that matches (fsa registers one resource per
/// path, in the order paths first appear), then its route of that method
/// (none: a 405).
fn route_of<'a>(fsa: &'a Fsa, method: &Method, path: &str) -> Option<RouteInfo<'a>> {
    let mut paths: Vec<&str> = Vec::new();
    for route in fsa.routes() {
        if !paths.contains(&route.actix_path()) {
            paths.push(route.actix_path());
        }
    }
    let resource = paths
        .into_iter()
        .find(|pattern| ResourceDef::new(*pattern).is_match(path))?;
    fsa.routes()
        .find(|route| route.actix_path() == resource && route.methods().contains(&method.as_str()))
}
