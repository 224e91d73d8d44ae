//! Web-oriented directives: CORS (`FSA_CORS`), the 401 redirect
//! (`FSA_401_REDIRECT`), added headers (`FSA_ADD_HEADERS`), the default
//! content type, and streamed JSON answers.

use crate::{config::Config, hooks::HeaderFn};
use actix_web::{
    body::BoxBody,
    http::{
        header::{self, HeaderName, HeaderValue},
        StatusCode,
    },
    web::Bytes,
    HttpRequest, HttpResponse, Responder,
};
use serde::Serialize;
use toml::Value;

/// A header added to every answer: fixed, or computed from the answer.
#[derive(Clone)]
pub(crate) enum AddedHeader {
    Fixed(HeaderName, HeaderValue),
    Computed(HeaderName, HeaderFn),
}

/// Adds the configured headers; a computed `None` adds nothing.
pub(crate) fn add_headers(headers: &[AddedHeader], response: &mut HttpResponse) {
    for added in headers {
        match added {
            AddedHeader::Fixed(name, value) => {
                response.headers_mut().insert(name.clone(), value.clone());
            }
            AddedHeader::Computed(name, compute) => {
                let computed =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compute(response)));
                let value = computed
                    .unwrap_or_else(|_| {
                        tracing::error!(header = %name, "fsa: add_header_with hook panicked");
                        None
                    })
                    .and_then(|v| HeaderValue::try_from(v).ok());
                if let Some(value) = value {
                    response.headers_mut().insert(name.clone(), value);
                }
            }
        }
    }
}

/// `FSA_401_REDIRECT`: a 401 becomes a 307 to the login page; on GET the
/// original URL travels in parameter `FSA_URL_NAME` (`URL`).
pub(crate) fn redirect_401(config: &Config, request: &HttpRequest) -> Option<HttpResponse> {
    let target = config.redirect_401.as_ref()?;
    let mut location = target.clone();
    if request.method() == actix_web::http::Method::GET {
        let info = request.connection_info();
        let url = format!("{}://{}{}", info.scheme(), info.host(), request.uri());
        let name = config.url_name.as_deref().unwrap_or("URL");
        let query = serde_urlencoded::to_string([(name, url)]).unwrap_or_default();
        location.push(if target.contains('?') { '&' } else { '?' });
        location.push_str(&query);
    }
    Some(
        HttpResponse::build(StatusCode::TEMPORARY_REDIRECT)
            .insert_header((header::LOCATION, location))
            .finish(),
    )
}

/// `FSA_DEFAULT_CONTENT_TYPE`: the content type of text answers
/// (`text/plain` for an empty body).
pub(crate) fn default_content_type(config: &Config, response: &mut HttpResponse) {
    let Some(content_type) = &config.default_content_type else {
        return;
    };
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"text/plain; charset=utf-8");
    if !is_text {
        return;
    }
    let empty = matches!(
        actix_web::body::MessageBody::size(response.body()),
        actix_web::body::BodySize::Sized(0)
    );
    let value = if empty {
        "text/plain"
    } else {
        content_type.as_str()
    };
    if let Ok(value) = HeaderValue::try_from(value) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
}

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

/// A JSON array answer from an iterator of serializable items: streamed
/// (`[`, items, `]`) as they are produced when `FSA_JSON_STREAMING` is true
/// (the default), built whole otherwise.
///
/// ```
/// use fsa_runtime::{prelude::*, JsonStream};
///
/// #[get("/squares", authz = "OPEN")]
/// async fn squares(n: u32) -> JsonStream<Vec<u64>> {
///     JsonStream((0..n as u64).map(|i| i * i).collect())
/// }
/// ```
pub struct JsonStream<I>(pub I);

impl<I> Responder for JsonStream<I>
where
    I: IntoIterator + 'static,
    I::Item: Serialize,
    I::IntoIter: 'static,
{
    type Body = BoxBody;

    fn respond_to(self, request: &HttpRequest) -> HttpResponse {
        let streaming = request
            .app_data::<crate::Fsa>()
            .is_none_or(|fsa| fsa.config().json_streaming);
        let mut builder = HttpResponse::Ok();
        builder.insert_header((header::CONTENT_TYPE, "application/json"));
        let items = self.0.into_iter();
        if !streaming {
            let items: Vec<I::Item> = items.collect();
            return match serde_json::to_vec(&items) {
                Ok(body) => builder.body(body),
                Err(e) => {
                    HttpResponse::InternalServerError().body(format!("cannot serialize: {e}"))
                }
            };
        }
        let mut first = true;
        let chunks = items.map(move |item| {
            let mut chunk = if std::mem::take(&mut first) {
                b"[".to_vec()
            } else {
                b",".to_vec()
            };
            serde_json::to_writer(&mut chunk, &item)
                .map_err(actix_web::error::ErrorInternalServerError)?;
            Ok::<_, actix_web::Error>(Bytes::from(chunk))
        });
        let end = futures_util::stream::once(async {
            Ok::<_, actix_web::Error>(Bytes::from_static(b"]\n"))
        });
        let stream = futures_util::StreamExt::chain(futures_util::stream::iter(chunks), end);
        // An empty iterator still answers `[]`.
        builder.streaming(futures_util::StreamExt::scan(
            stream,
            false,
            |started, chunk| {
                let chunk = match chunk {
                    Ok(bytes) if !*started && bytes.as_ref() == b"]\n" => {
                        Ok(Bytes::from_static(b"[]\n"))
                    }
                    other => other,
                };
                *started = true;
                std::future::ready(Some(chunk))
            },
        ))
    }
}

/// FlaskSimpleAuth's `checkPath`, for [`FsaBuilder::path_check`](crate::FsaBuilder::path_check):
/// `/` alone, or segments that are lower-case words of two characters or
/// more joined by `-` (`store`, `my-store2`), or variables `<sid>`
/// (lower case, digits and `_`, no converter); no segment word may be an
/// HTTP method (`/get-store`). `None` when the path passes.
///
/// ```
/// use fsa_runtime::check_path;
///
/// assert_eq!(check_path("GET", "/store/<sid>/product"), None);
/// assert!(check_path("GET", "/Store").is_some());
/// assert!(check_path("GET", "/get-store").is_some());
/// ```
pub fn check_path(_method: &str, path: &str) -> Option<String> {
    if path == "/" {
        return None;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Some("a path starts with /".into());
    };
    for segment in rest.split('/') {
        if let Some(var) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            let mut chars = var.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && var.len() >= 2
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Some(format!(
                    "invalid path variable <{var}>: lower case, digits and _ only, no converter"
                ));
            }
            continue;
        }
        for word in segment.split('-') {
            let mut chars = word.chars();
            let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && word.len() >= 2
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !ok {
                return Some(format!(
                    "invalid path segment \"{segment}\": lower-case words joined by -"
                ));
            }
            if ["get", "post", "put", "patch", "delete"].contains(&word) {
                return Some(format!(
                    "path segment \"{segment}\" names a method: the method says it"
                ));
            }
        }
    }
    None
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
