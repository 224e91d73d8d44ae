//! The OpenAPI 3.1 document of an application (feature `openapi`), made
//! from the routes' declarations and the configuration:
//! [`Fsa::openapi`](crate::Fsa::openapi), and the route that serves it
//! (`FSA_OPENAPI`).
//!
//! Each operation lists its parameters with their JSON Schemas (read from
//! their Rust types), its security (the route's schemes as alternatives,
//! `[{}]` on OPEN routes), its `authz` in the `x-fsa-authz` extension and
//! the description, and the answers the route can give: its success when
//! the return type tells it (`2XX` otherwise), and 400, 401, 403, 404,
//! 413, 429, 503 where the pipeline can answer them, in the error format.
//!
//! ```
//! use fsa_runtime::prelude::*;
//!
//! #[get("/store/<sid>", authz = ("store", "sid"))]
//! async fn store(sid: i64, #[default(10)] limit: u8) -> Json<Vec<String>> {
//!     Json(vec![format!("{sid} {limit}")])
//! }
//!
//! let fsa = Fsa::from_toml_str("acme", "FSA_AUTH = [\"basic\"]\nFSA_TOKEN_TYPE = \"none\"").unwrap()
//!     .get_user_pass(|_: &str| None::<String>)
//!     .object_perms("store", |_: &str, _: i64, _: Option<&str>| Some(true))
//!     .routes(routes![store])
//!     .build()
//!     .unwrap();
//! let document = serde_json::to_value(fsa.openapi()).unwrap();
//! let get = &document["paths"]["/store/{sid}"]["get"];
//! assert_eq!(get["security"], serde_json::json!([{"basic": []}]));
//! assert_eq!(get["x-fsa-authz"], r#"("store", "sid")"#);
//! assert_eq!(get["parameters"][1]["schema"]["maximum"], 255);
//! assert!(get["responses"]["404"].is_object());
//! ```
//!
//! The document uses utoipa's model types ([`utoipa`], re-exported): an
//! application may add to it before serving it itself.

mod operation;
mod schema;
mod security;
pub(crate) mod served;

pub use utoipa;

use crate::{route::RouteInfo, state::State, Fsa};
use utoipa::openapi::{
    path::HttpMethod, ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths,
};

impl Fsa {
    /// The OpenAPI 3.1 document of the application: every route, its
    /// parameters, security and answers (see [`openapi`](crate::openapi)).
    pub fn openapi(&self) -> OpenApi {
        document(&self.state)
    }
}

/// The document of a built application.
pub(crate) fn document(state: &State) -> OpenApi {
    let config = &state.config;
    let security = security::schemes(config, state.tokens.as_ref());
    let cx = operation::Context {
        state,
        security: &security,
    };
    let mut paths = Paths::new();
    let mut ids: Vec<String> = Vec::new();
    for compiled in &state.routes {
        let route = RouteInfo::built(compiled);
        let methods = route.methods();
        for method in methods {
            if *method == "HEAD" && methods.contains(&"GET") {
                continue; // implied by GET
            }
            let Some(http_method) = http_method(method) else {
                continue;
            };
            let mut id = route.name().to_string();
            let documented = methods
                .iter()
                .filter(|m| !(**m == "HEAD" && methods.contains(&"GET")));
            if documented.count() > 1 {
                id = format!("{id}_{}", method.to_ascii_lowercase());
            }
            while ids.contains(&id) {
                id.push('_');
            }
            ids.push(id.clone());
            let operation = operation::operation(&cx, &route, compiled, method, id);
            paths.add_path_operation(
                openapi_path(route.actix_path()),
                vec![http_method],
                operation,
            );
        }
    }
    let options = config.openapi.clone().unwrap_or_default();
    let title = options.title.unwrap_or_else(|| state.realm.clone());
    let mut components = ComponentsBuilder::new();
    for (name, scheme) in security {
        components = components.security_scheme(name, scheme);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title(title)
                .version(options.version)
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

/// An HTTP method of OpenAPI.
fn http_method(method: &str) -> Option<HttpMethod> {
    Some(match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "HEAD" => HttpMethod::Head,
        "OPTIONS" => HttpMethod::Options,
        "TRACE" => HttpMethod::Trace,
        _ => return None,
    })
}

/// The OpenAPI template of an actix path: `/store/{sid:[0-9]+}` ->
/// `/store/{sid}`.
fn openapi_path(actix_path: &str) -> String {
    path_variables(actix_path).fold(actix_path.to_string(), |path, (name, regex)| match regex {
        Some(regex) => path.replacen(&format!("{{{name}:{regex}}}"), &format!("{{{name}}}"), 1),
        None => path,
    })
}

/// The variables of an actix path, with their regexes (`None`: actix's
/// default, one segment).
pub(crate) fn path_variables(actix_path: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    let mut rest = actix_path;
    std::iter::from_fn(move || {
        let open = rest.find('{')?;
        // A regex may hold braces (`[0-9a-f]{8}`): the variable ends at the
        // brace that closes the first one.
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end?;
        let variable = &rest[open + 1..end];
        rest = &rest[end + 1..];
        Some(match variable.split_once(':') {
            Some((name, regex)) => (name, Some(regex)),
            None => (variable, None),
        })
    })
}

#[cfg(test)]
mod should {
    #[test]
    fn write_paths_as_openapi_templates() {
        let uuid =
            "/u/{id:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}/x";
        assert_eq!(super::openapi_path(uuid), "/u/{id}/x");
        assert_eq!(
            super::openapi_path("/store/{sid:[0-9]+}/p/{name}/{rest:.+}"),
            "/store/{sid}/p/{name}/{rest}"
        );
        let variables: Vec<_> = super::path_variables("/a/{x}/{n:[0-9]+}").collect();
        assert_eq!(variables, [("x", None), ("n", Some("[0-9]+"))]);
    }
}
