//! The route that serves the document (`FSA_OPENAPI`): declared by the
//! configuration (its path and `authz`), it goes through the pipeline as
//! every route does (authentication, groups, unexpected parameters).

use crate::{
    config::OpenApiOptions,
    context::RequestCtx,
    errors::ErrorResponse,
    route::{
        generated::{RouteCall, RouteHost, Sealed},
        Route,
    },
    spec::{AuthzItem, RouteSpec},
};
use actix_web::{web::Bytes, HttpResponse};
use std::sync::OnceLock;

/// The document's route; made once per `build()` with `FSA_OPENAPI` and
/// kept for the process (routes are `'static`): a few hundred bytes, and
/// the document once served. An application builds once; a test suite
/// that builds hundreds of applications keeps their documents.
pub(crate) struct OpenApiRoute {
    spec: &'static RouteSpec,
    /// The document, written at its first request (shared by every
    /// answer: `Bytes` clones are counted references).
    document: OnceLock<Bytes>,
}

impl Sealed for OpenApiRoute {}

impl Route for OpenApiRoute {
    fn spec(&self) -> &'static RouteSpec {
        self.spec
    }

    fn register(&'static self, route: actix_web::Route, host: RouteHost) -> actix_web::Route {
        crate::pipeline::register(self, route, host)
    }
}

impl RouteCall for OpenApiRoute {
    async fn call(&self, ctx: &mut RequestCtx) -> Result<HttpResponse, ErrorResponse> {
        ctx.params_done()?;
        if let Some(early) = ctx.before_exec() {
            return Ok(early);
        }
        let document = self.document.get_or_init(|| {
            let document = super::document(&ctx.state);
            let json = document.to_json().unwrap_or_else(|e| {
                tracing::error!("fsa: the OpenAPI document cannot be written: {e}");
                String::new()
            });
            Bytes::from(json)
        });
        if document.is_empty() {
            return Err(ErrorResponse::internal(
                "the OpenAPI document cannot be written",
            ));
        }
        Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(document.clone()))
    }
}

/// The route of `options`: `authz` is OPEN, AUTH, CLOSE or a group.
pub(crate) fn declare(options: &OpenApiOptions) -> &'static OpenApiRoute {
    let leak = |text: &str| -> &'static str { Box::leak(text.to_string().into_boxed_str()) };
    let authz: &'static [AuthzItem] = match options.authz.as_str() {
        "OPEN" => &[AuthzItem::Open],
        "AUTH" => &[AuthzItem::Auth],
        "CLOSE" => &[AuthzItem::Close],
        group => Box::leak(Box::new([AuthzItem::Group(leak(group))])),
    };
    let path = leak(&options.path);
    let spec: &'static RouteSpec = Box::leak(Box::new(RouteSpec {
        name: "openapi",
        methods: &["GET", "HEAD"],
        path,
        actix_path: path,
        authz,
        authn: None,
        realm: None,
        params: &[],
        module: "fsa_runtime::openapi",
        returns: Some(
            crate::params::dispatch::type_name::<actix_web::web::Json<serde_json::Value>>,
        ),
    }));
    Box::leak(Box::new(OpenApiRoute {
        spec,
        document: OnceLock::new(),
    }))
}
