//! CORS (`FSA_CORS`, `FSA_CORS_OPTS`) through actix-cors: the settings,
//! checked at start-up, and the middleware of `Fsa::app`.

use crate::config::Config;
use toml::Value;

/// The CORS settings of `FSA_CORS_OPTS`, checked at start-up.
#[derive(Clone, Debug, Default)]
#[cfg_attr(not(feature = "cors"), allow(dead_code))]
pub(crate) struct CorsSettings {
    origins: Option<Vec<String>>,
    methods: Option<Vec<String>>,
    headers: Option<Vec<String>>,
    expose_headers: Vec<String>,
    max_age: Option<usize>,
    credentials: bool,
}

impl CorsSettings {
    pub(crate) fn new(config: &Config) -> Result<Option<Self>, String> {
        if !config.cors {
            return Ok(None);
        }
        if !cfg!(feature = "cors") {
            return Err("FSA_CORS = true needs the `cors` feature of fsa-runtime".into());
        }
        let list = |key: &str| -> Result<Option<Vec<String>>, String> {
            match config.cors_opts.get(key) {
                None => Ok(None),
                Some(Value::String(s)) if s == "*" => Ok(None),
                Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => Ok(s.clone()),
                        other => Err(format!(
                            "FSA_CORS_OPTS.{key}: expected strings, got {other}"
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(other) => Err(format!(
                    "FSA_CORS_OPTS.{key}: expected \"*\" or a list of strings, got {other}"
                )),
            }
        };
        let max_age = match config.cors_opts.get("max_age") {
            None => None,
            Some(Value::Integer(n)) if *n >= 0 => Some(*n as usize),
            Some(other) => {
                return Err(format!(
                    "FSA_CORS_OPTS.max_age: expected seconds, got {other}"
                ))
            }
        };
        let credentials = match config.cors_opts.get("supports_credentials") {
            None => false,
            Some(Value::Boolean(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "FSA_CORS_OPTS.supports_credentials: expected true or false, got {other}"
                ))
            }
        };
        let origins = list("origins")?;
        let listed = |origin: &str| origins.iter().flatten().any(|o| o == origin);
        if listed("*") {
            return Err("FSA_CORS_OPTS.origins: \"*\" is every origin alone (origins = \"*\"), not an item of a list".into());
        }
        if credentials && listed("null") {
            return Err("FSA_CORS_OPTS: supports_credentials with origin \"null\": every sandboxed frame and local file sends it, so any site could act as your users; list real origins".into());
        }
        if origins.is_none() && credentials {
            return Err("FSA_CORS_OPTS: supports_credentials with any origin: the CORS standard forbids it, and every site could act as your users (actix-cors would reflect any origin): list the origins, e.g. origins = [\"https://app.example.com\"]".into());
        }
        Ok(Some(Self {
            origins,
            methods: list("methods")?,
            headers: list("headers")?,
            expose_headers: list("expose_headers")?.unwrap_or_default(),
            max_age,
            credentials,
        }))
    }

    /// The actix-cors middleware of these settings.
    #[cfg(feature = "cors")]
    pub(crate) fn middleware(&self) -> actix_cors::Cors {
        let mut cors = actix_cors::Cors::default();
        cors = match &self.origins {
            None => cors.allow_any_origin(),
            Some(origins) => origins.iter().fold(cors, |c, o| c.allowed_origin(o)),
        };
        cors = match &self.methods {
            None => cors.allow_any_method(),
            Some(methods) => cors.allowed_methods(methods.iter().map(String::as_str)),
        };
        cors = match &self.headers {
            None => cors.allow_any_header(),
            Some(headers) => cors.allowed_headers(headers.iter().map(String::as_str)),
        };
        if !self.expose_headers.is_empty() {
            cors = cors.expose_headers(self.expose_headers.iter().map(String::as_str));
        }
        cors = cors.max_age(self.max_age);
        if self.credentials {
            cors = cors.supports_credentials();
        }
        cors
    }
}

/// `Fsa::app`'s CORS layer: actix-cors when `FSA_CORS` is on, else
/// nothing but a match (not actix's `Condition`, whose two-sided body every
/// answer would pay for).
#[cfg(feature = "cors")]
pub struct CorsLayer(pub(crate) Option<actix_cors::Cors>);

#[cfg(feature = "cors")]
mod layer {
    use super::CorsLayer;
    use actix_web::{
        body::{BoxBody, MessageBody},
        dev::{Service, ServiceRequest, ServiceResponse, Transform},
        Error,
    };
    use futures_util::future::{FutureExt, LocalBoxFuture};
    use std::{
        future::Future,
        pin::Pin,
        task::{Context, Poll},
    };

    impl<S> Transform<S, ServiceRequest> for CorsLayer
    where
        S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error> + 'static,
    {
        type Response = ServiceResponse<BoxBody>;
        type Error = Error;
        type Transform = CorsService<S>;
        type InitError = ();
        type Future = LocalBoxFuture<'static, Result<Self::Transform, Self::InitError>>;

        fn new_transform(&self, service: S) -> Self::Future {
            match &self.0 {
                Some(cors) => {
                    let cors = cors.new_transform(service);
                    async move { Ok(CorsService::On(cors.await?)) }.boxed_local()
                }
                None => async move { Ok(CorsService::Off(service)) }.boxed_local(),
            }
        }
    }

    /// The service of [`CorsLayer`].
    pub enum CorsService<S> {
        On(actix_cors::CorsMiddleware<S>),
        Off(S),
    }

    impl<S> Service<ServiceRequest> for CorsService<S>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error> + 'static,
    {
        type Response = ServiceResponse<BoxBody>;
        type Error = Error;
        type Future = CorsFuture<S::Future>;

        fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
            match self {
                CorsService::On(service) => service.poll_ready(cx),
                CorsService::Off(service) => service.poll_ready(cx),
            }
        }

        fn call(&self, request: ServiceRequest) -> Self::Future {
            match self {
                CorsService::On(service) => CorsFuture::On {
                    inner: service.call(request),
                },
                CorsService::Off(service) => CorsFuture::Off {
                    inner: service.call(request),
                },
            }
        }
    }

    type CorsInner = LocalBoxFuture<
        'static,
        Result<ServiceResponse<actix_web::body::EitherBody<BoxBody>>, Error>,
    >;

    pin_project_lite::pin_project! {
        /// The future of [`CorsService`].
        #[project = CorsProjection]
        pub enum CorsFuture<F> {
            On { inner: CorsInner },
            Off { #[pin] inner: F },
        }
    }

    impl<F> Future for CorsFuture<F>
    where
        F: Future<Output = Result<ServiceResponse<BoxBody>, Error>>,
    {
        type Output = Result<ServiceResponse<BoxBody>, Error>;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.project() {
                CorsProjection::On { inner } => inner
                    .as_mut()
                    .poll(cx)
                    .map_ok(|response| response.map_body(|_, body| body.boxed())),
                CorsProjection::Off { inner } => inner.poll(cx),
            }
        }
    }
}

#[cfg(test)]
mod should {
    use super::*;

    #[cfg(not(feature = "cors"))]
    #[test]
    fn refuse_cors_without_its_feature() {
        let config = Config::from_toml_str("FSA_CORS = true").unwrap();
        let error = CorsSettings::new(&config).unwrap_err();
        assert!(error.contains("the `cors` feature"), "{error}");
    }

    #[cfg(feature = "cors")]
    #[test]
    fn read_cors_options() {
        let config = Config::from_toml_str(
            "FSA_CORS = true\nFSA_CORS_OPTS = { origins = [\"https://a.example\"], max_age = 60 }",
        )
        .unwrap();
        let settings = CorsSettings::new(&config).unwrap().unwrap();
        let origins = Some(vec!["https://a.example".to_string()]);
        assert_eq!(settings.origins, origins);
        assert_eq!(settings.max_age, Some(60));
    }
}
