//! What fsa does to an answer after the handler, by configuration: the
//! added headers (`FSA_ADD_HEADERS`, `add_header`), the 401 redirect
//! (`FSA_401_REDIRECT`), the default content type.

use crate::{config::Config, hooks::AddedHeader};
use actix_web::{
    http::{
        header::{self, HeaderValue},
        StatusCode,
    },
    HttpRequest, HttpResponse,
};

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
        let (scheme, host) = crate::proxy::origin(request, config);
        // The path and query only: an absolute-form request line names
        // its own host, which is not believed either.
        let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let url = format!("{scheme}://{host}{path}");
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
