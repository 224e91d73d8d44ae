//! Groups of routes (FlaskSimpleAuth's blueprints): a path prefix and
//! shared defaults (`authn`, `realm`) for a set of routes, each keeping
//! its own `authz`.
//!
//! ```
//! use fsa_runtime::prelude::*;
//! use fsa_runtime::RouteGroup;
//!
//! #[get("/words/<word>", authz = "AUTH")]
//! async fn words(word: String) -> String { word }
//!
//! let fsa = Fsa::from_toml_str("app", "FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_SECRET = \"a secret long enough to sign tokens\"")
//!     .unwrap()
//!     .get_user_pass(|_: &str| None::<String>)
//!     .group(RouteGroup::new("/b1").authn(["basic"]).routes(routes![words]))
//!     .build()
//!     .unwrap();
//! let route = fsa.routes().next().unwrap();
//! assert_eq!(route.path(), "/b1/words/<word>");
//! assert_eq!(route.schemes(), Some(vec!["basic"]));
//! ```

use crate::{
    route::{
        generated::{RouteHost, Sealed},
        Route,
    },
    spec::RouteSpec,
};

/// Routes under a path prefix, with defaults for the `authn` and `realm`
/// they do not declare: add it with
/// [`FsaBuilder::group`](crate::FsaBuilder::group).
#[derive(Default)]
#[must_use = "a group does nothing until the builder gets it: .group(group)"]
pub struct RouteGroup {
    pub(crate) prefix: String,
    authn: Option<Vec<String>>,
    realm: Option<String>,
    pub(crate) routes: Vec<&'static dyn Route>,
}

impl std::fmt::Debug for RouteGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteGroup")
            .field("prefix", &self.prefix)
            .field("authn", &self.authn)
            .field("realm", &self.realm)
            .field("routes", &self.routes.len())
            .finish()
    }
}

impl RouteGroup {
    /// Routes under `prefix` (`/b1`: a route's `/words` is `/b1/words`).
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
            ..Self::default()
        }
    }

    /// The schemes of the group's routes that name none.
    pub fn authn<S: Into<String>>(mut self, schemes: impl IntoIterator<Item = S>) -> Self {
        self.authn = Some(schemes.into_iter().map(Into::into).collect());
        self
    }

    /// The realm of the group's routes that name none.
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = Some(realm.to_string());
        self
    }

    /// Adds routes listed with [`routes!`](crate::routes).
    pub fn routes(mut self, routes: impl IntoIterator<Item = &'static dyn Route>) -> Self {
        self.routes.extend(routes);
        self
    }

    /// What to write instead of a prefix (or an empty `authn`) fsa cannot
    /// use.
    pub(crate) fn prefix_problem(&self) -> Option<String> {
        let prefix = &self.prefix;
        let plain = prefix.starts_with('/')
            && prefix.len() > 1
            && !prefix.ends_with('/')
            && !prefix.contains(['<', '>', '{', '}', '?', '#', '*']);
        if !plain {
            return Some(format!("route group prefix {prefix:?}: expected a plain path such as \"/b1\", without a trailing /"));
        }
        match &self.authn {
            Some(schemes) if schemes.is_empty() => Some(format!(
                "route group {prefix:?}: authn is empty: name schemes, such as .authn([\"basic\"]), or leave it out"
            )),
            _ => None,
        }
    }

    /// The group's routes, each with its prefixed path and the defaults:
    /// made once per `build()`, kept for the process (routes are
    /// `'static`).
    pub(crate) fn prefixed(self) -> Vec<&'static dyn Route> {
        let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
        let authn: Option<&'static [&'static str]> = self.authn.map(|schemes| {
            let schemes: Vec<&'static str> = schemes.into_iter().map(leak).collect();
            &*Box::leak(schemes.into_boxed_slice())
        });
        let realm: Option<&'static str> = self.realm.map(leak);
        let prefix = self.prefix;
        self.routes
            .into_iter()
            .map(|inner| {
                let spec = inner.spec();
                let spec: &'static RouteSpec = Box::leak(Box::new(RouteSpec {
                    path: leak(format!("{prefix}{}", spec.path)),
                    actix_path: leak(format!("{prefix}{}", spec.actix_path)),
                    authn: spec.authn.or(authn),
                    realm: spec.realm.or(realm),
                    ..*spec
                }));
                let route: &'static dyn Route = Box::leak(Box::new(Prefixed { inner, spec }));
                route
            })
            .collect()
    }
}

/// A route of a group: its own code, with the group's path and defaults.
struct Prefixed {
    inner: &'static dyn Route,
    spec: &'static RouteSpec,
}

impl Sealed for Prefixed {}

impl Route for Prefixed {
    fn spec(&self) -> &'static RouteSpec {
        self.spec
    }

    fn register(&'static self, route: actix_web::Route, host: RouteHost) -> actix_web::Route {
        // The route's own code reads its spec from the application state
        // (`host`), which holds this one.
        self.inner.register(route, host)
    }
}
