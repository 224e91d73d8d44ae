//! Request parameters gathered from the query string and the body, with
//! FlaskSimpleAuth's precedence (SPEC 4.1):
//!
//! - a JSON body (`application/json`, `application/*+json`) is overlaid on
//!   the query string: the body wins;
//! - otherwise query then form: the first source holding a name wins, and
//!   a scalar takes the first of repeated values.

use crate::errors::ErrorResponse;
use actix_web::{
    dev::Payload,
    http::{header::CONTENT_TYPE, StatusCode},
    web::{Bytes, BytesMut},
    HttpMessage, HttpRequest,
};
use futures_util::StreamExt;
use serde_json::Value;

/// Reads a form or JSON body, up to `max` bytes (413 beyond); other bodies
/// are left alone. `Some((is_json, bytes))` when read.
pub(crate) async fn collect_body(
    request: &HttpRequest,
    mut payload: Payload,
    max: usize,
) -> Result<Option<(bool, Bytes)>, ErrorResponse> {
    let json = crate::pipeline::is_json(request);
    let form = request.headers().get(CONTENT_TYPE).is_some_and(|_| {
        request
            .content_type()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !json && !form {
        return Ok(None);
    }
    let too_large = || {
        ErrorResponse::with_status(
            format!("request body too large: at most {max} bytes"),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let announced = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > max) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ErrorResponse::bad_request(format!("cannot read body: {e}")))?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some((json, body.freeze())))
}

/// The values of one parameter name.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// Query or form values, in order.
    Http(Vec<String>),
    /// A member of a JSON body.
    Json(Value),
}

/// A request body fsa reads parameters from.
pub(crate) enum Body<'a> {
    /// `application/x-www-form-urlencoded`.
    Form(&'a [u8]),
    /// `application/json` or `application/*+json`.
    Json(&'a [u8]),
}

/// Every parameter of a request, in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct RequestParams {
    entries: Vec<(String, Entry)>,
}

impl RequestParams {
    /// Gathers the parameters of a query string and an optional body.
    pub(crate) fn gather(query: &str, body: Option<Body<'_>>) -> Result<Self, ErrorResponse> {
        let mut params = Self::default();
        params.add_http(query, "query string")?;
        match body {
            None => {}
            Some(Body::Form(bytes)) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| ErrorResponse::bad_request("form body is not valid UTF-8"))?;
                params.add_http(text, "form body")?;
            }
            Some(Body::Json(bytes)) => {
                let value: Value = serde_json::from_slice(bytes)
                    .map_err(|e| ErrorResponse::bad_request(format!("invalid JSON body: {e}")))?;
                let Value::Object(members) = value else {
                    return Err(ErrorResponse::bad_request(
                        "the JSON body must be an object of parameters",
                    ));
                };
                for (name, value) in members {
                    match params.entries.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, entry)) => *entry = Entry::Json(value),
                        None => params.entries.push((name, Entry::Json(value))),
                    }
                }
            }
        }
        Ok(params)
    }

    fn add_http(&mut self, text: &str, source: &str) -> Result<(), ErrorResponse> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(text)
            .map_err(|_| ErrorResponse::bad_request(format!("malformed {source}")))?;
        for (name, value) in pairs {
            if name.contains('\0') || value.contains('\0') {
                return Err(ErrorResponse::bad_request(format!(
                    "NUL character in {source}"
                )));
            }
            match self.entries.iter_mut().find(|(n, _)| *n == name) {
                Some((_, Entry::Http(values))) => values.push(value),
                Some((_, Entry::Json(_))) => {}
                None => self.entries.push((name, Entry::Http(vec![value]))),
            }
        }
        Ok(())
    }

    /// The values of `name`, if the request gives it.
    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    /// Every name, with its entry.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(n, e)| (n.as_str(), e))
    }
}

#[cfg(test)]
mod should {
    use super::*;

    fn http(params: &RequestParams, name: &str) -> Vec<String> {
        match params.get(name) {
            Some(Entry::Http(values)) => values.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prefer_the_query_to_the_form_and_keep_repeated_values_in_order() {
        let params = RequestParams::gather(
            "blup=Manitoba&blup=Yukon",
            Some(Body::Form(b"blup=Quebec&x=1")),
        )
        .unwrap();
        assert_eq!(http(&params, "blup"), ["Manitoba", "Yukon", "Quebec"]);
        assert_eq!(http(&params, "x"), ["1"]);
    }

    #[test]
    fn overlay_a_json_body_on_the_query() {
        let params = RequestParams::gather("a=35&b=1", Some(Body::Json(br#"{"b": 7}"#))).unwrap();
        assert_eq!(http(&params, "a"), ["35"]);
        assert!(matches!(params.get("b"), Some(Entry::Json(v)) if v == 7));
    }

    #[test]
    fn refuse_bodies_that_are_not_parameters() {
        for body in [&b"[1]"[..], b"17", b"{", b"\xff"] {
            let error = RequestParams::gather("", Some(Body::Json(body))).unwrap_err();
            assert_eq!(error.status().as_u16(), 400);
        }
        assert!(RequestParams::gather("a=%00", None).is_err());
    }
}
