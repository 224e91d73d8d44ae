//! Wiring into actix-web: the routes' resources and the middleware.

use crate::{
    pipeline,
    route::Route,
    state::State,
    told::{request_address, Answer, Waiting},
};
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform},
    guard, web, Error,
};
use futures_util::future::{ready, Ready};
use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

/// Registers every route: one actix resource per path, one route per
/// method, so that a wrong method is a 405.
pub(crate) fn configure(
    state: &Arc<State>,
    routes: &[&'static dyn Route],
    cfg: &mut web::ServiceConfig,
) {
    let mut paths: Vec<&'static str> = Vec::new();
    for route in &state.routes {
        if !paths.contains(&route.spec.actix_path) {
            paths.push(route.spec.actix_path);
        }
    }
    for path in paths {
        // Named, so that the middleware tells fsa's resources from plain ones.
        let mut resource = web::resource(path).name(&format!("{}{path}", pipeline::FSA_RESOURCE));
        for (index, route) in state.routes.iter().enumerate() {
            if route.spec.actix_path != path {
                continue;
            }
            // A GET route answers HEAD too, as Flask's do (actix sends no
            // body to a HEAD).
            let head = route.spec.methods.contains(&"GET")
                && !state.routes.iter().any(|other| {
                    other.spec.actix_path == path && other.spec.methods.contains(&"HEAD")
                });
            let implied: &[&str] = if head { &["HEAD"] } else { &[] };
            for method in route.spec.methods.iter().chain(implied) {
                let method = actix_web::http::Method::from_bytes(method.as_bytes())
                    .expect("methods are checked by the macros");
                // The request and its body, straight to the pipeline: no
                // extractor, and no box but actix's own.
                let host = crate::route::generated::RouteHost {
                    state: state.clone(),
                    index,
                };
                let actix_route = web::route().guard(guard::Method(method));
                resource = resource.route(routes[index].register(actix_route, host));
            }
        }
        cfg.service(resource);
    }
}

/// fsa's middleware: see [`Fsa::middleware`](crate::Fsa::middleware).
pub struct FsaMiddleware {
    state: Arc<State>,
    routes_first: bool,
}

impl FsaMiddleware {
    pub(crate) fn new(state: Arc<State>) -> Self {
        Self {
            state,
            routes_first: false,
        }
    }

    /// The middleware of an App whose first resources are fsa's
    /// (`Fsa::app`): actix routes a request that one of them matches to
    /// it, whatever comes after.
    pub(crate) fn routes_first(self) -> Self {
        Self {
            routes_first: true,
            ..self
        }
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
        pipeline::guard(self.state.id);
        ready(Ok(FsaService {
            service,
            state: self.state.clone(),
            routes_first: self.routes_first,
        }))
    }
}

/// The service of [`FsaMiddleware`].
pub struct FsaService<S> {
    service: S,
    state: Arc<State>,
    routes_first: bool,
}

impl<S, B> Service<ServiceRequest> for FsaService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = FsaFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if let Some(mut response) =
            pipeline::before_request(&self.state, request.request(), self.routes_first)
        {
            // Answered before routing: a body is not read, nor waited for.
            let (request, payload) = request.into_parts();
            pipeline::close_unread(&request, &mut response, payload);
            let response = ServiceResponse::new(request, response);
            let early = Answer::AUTHORIZED;
            let answer = pipeline::after_request(&self.state, response, early);
            return FsaFuture {
                step: Step::Answered {
                    answer: Some(Box::new(answer)),
                },
                state: self.state.clone(),
            };
        }
        let address = request_address(request.request());
        FsaFuture {
            step: Step::Routed {
                inner: self.service.call(request),
                address,
                told: Answer::NOTHING,
            },
            state: self.state.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`FsaService`]: the routed request's, then the
    /// after-request steps (no allocation for a routed request; an early
    /// answer is boxed).
    pub struct FsaFuture<F> {
        #[pin]
        step: Step<F>,
        state: Arc<State>,
    }
}

pin_project_lite::pin_project! {
    /// Where a request is: answered before routing, or routed.
    #[project = StepProjection]
    enum Step<F> {
        // Boxed: the usual, routed future stays small (moved as it is).
        Answered { answer: Option<Box<ServiceResponse<BoxBody>>> },
        Routed {
            #[pin]
            inner: F,
            // The request's address (`told::request_address`).
            address: usize,
            // What fsa's route said of the answer, once told.
            told: Answer,
        },
    }
}

impl<F, B> Future for FsaFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody + 'static,
{
    type Output = Result<ServiceResponse<BoxBody>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.step.project() {
            StepProjection::Answered { answer } => match answer.take() {
                Some(answer) => Poll::Ready(Ok(*answer)),
                None => panic!("FsaFuture polled after completion"),
            },
            StepProjection::Routed {
                inner,
                address,
                told,
            } => {
                // `told` is kept: an inner middleware may hold the answer
                // for a later poll.
                let polled = Waiting::window(*address, told, || inner.poll(cx));
                let response = match std::task::ready!(polled) {
                    Ok(response) => response.map_into_boxed_body(),
                    Err(error) => return Poll::Ready(Err(unanswered(error))),
                };
                Poll::Ready(Ok(pipeline::after_request(this.state, response, *told)))
            }
        }
    }
}

/// An error a service inside fsa's middleware gave instead of an answer
/// (fsa's routes always answer). actix sends the error's `error_response()`,
/// whatever its `status_code()` says, so that answer is made here, once:
/// one below 400 would be a success that passed no fsa authorization, and
/// becomes a 500; any other is sent exactly as checked.
#[cold]
fn unanswered(error: Error) -> Error {
    let response = error.error_response();
    if response.status().as_u16() < 400 {
        tracing::error!("fsa: a service answered without any authorization check");
        return actix_web::error::ErrorInternalServerError("missing authorization check");
    }
    actix_web::error::InternalError::from_response(error, response).into()
}
