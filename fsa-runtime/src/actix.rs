//! Wiring into actix-web: the routes' resources and the middleware.

use crate::{fsa::State, pipeline};
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    guard, web, Error, HttpRequest,
};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use std::sync::Arc;

/// The prefix of the names of fsa's actix resources: an application does
/// not name a resource with a NUL by accident.
pub(crate) const FSA_RESOURCE: &str = "\0fsa ";

/// Where the router will send a request.
pub(crate) enum Destination {
    /// One of fsa's routes.
    Fsa,
    /// A resource that is not fsa's: a plain actix route, a service.
    Plain,
    /// No resource: actix's `default_service`, or its 404.
    Nowhere,
}

/// Where the router will send `request`: matched on the path the router
/// matches (percent-decoded but for `%25`, `%2B` and `%2F`), not the raw
/// one, so that `/pl%61in` is `/plain` here as there.
pub(crate) fn destination(request: &HttpRequest) -> Destination {
    let map = request.resource_map();
    let path = request.match_info().as_str();
    match map.match_name(path) {
        Some(name) if name.starts_with(FSA_RESOURCE) => Destination::Fsa,
        Some(_) => Destination::Plain,
        None if map.has_resource(path) => Destination::Plain,
        None => Destination::Nowhere,
    }
}

/// Registers every route: one actix resource per path, one route per
/// method, so that a wrong method is a 405.
pub(crate) fn configure(state: &Arc<State>, cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&'static str> = Vec::new();
    for route in &state.routes {
        if !paths.contains(&route.spec.actix_path) {
            paths.push(route.spec.actix_path);
        }
    }
    for path in paths {
        // Named, so that the middleware tells fsa's resources from plain ones.
        let mut resource = web::resource(path).name(&format!("{FSA_RESOURCE}{path}"));
        for (index, route) in state.routes.iter().enumerate() {
            if route.spec.actix_path != path {
                continue;
            }
            for method in route.spec.methods {
                let method = actix_web::http::Method::from_bytes(method.as_bytes())
                    .expect("methods are checked by the macros");
                let state = state.clone();
                resource = resource.route(web::route().guard(guard::Method(method)).to(
                    move |request: HttpRequest, payload: web::Payload| {
                        pipeline::handle(state.clone(), index, request, payload.into_inner())
                    },
                ));
            }
        }
        cfg.service(resource);
    }
}

/// fsa's middleware: see [`Fsa::middleware`](crate::Fsa::middleware).
pub struct FsaMiddleware {
    state: Arc<State>,
}

impl FsaMiddleware {
    pub(crate) fn new(state: Arc<State>) -> Self {
        Self { state }
    }
}

impl<S, B> Transform<S, ServiceRequest> for FsaMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Transform = FsaService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(FsaService {
            service,
            state: self.state.clone(),
        }))
    }
}

/// The service of [`FsaMiddleware`].
pub struct FsaService<S> {
    service: S,
    state: Arc<State>,
}

impl<S, B> Service<ServiceRequest> for FsaService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let state = self.state.clone();
        if let Some(response) = pipeline::before_request(&state, request.request()) {
            // Answered before routing: a body is not read, nor waited for.
            let (request, payload) = request.into_parts();
            let response = pipeline::close_unread(&request, response, payload);
            let response = ServiceResponse::new(request, response);
            return Box::pin(ready(Ok(pipeline::after_request(&state, response))));
        }
        let future = self.service.call(request);
        Box::pin(async move {
            let response = future.await?.map_into_boxed_body();
            Ok(pipeline::after_request(&state, response))
        })
    }
}
