//! Request parameters gathered from the query string and the body, with
//! FlaskSimpleAuth's precedence:
//!
//! - a JSON body (`application/json`, `application/*+json`) is overlaid on
//!   the query string: the body wins;
//! - otherwise query, then form (urlencoded, or the text fields of a
//!   multipart body), then files: the first source holding a name wins,
//!   and a scalar takes the first of repeated values.

use super::json::{JsonError, MAX_JSON_VALUES};
use super::upload::{Parts, Upload};
use super::{has_nul_byte, too_many_params};
use crate::errors::ErrorResponse;
use actix_web::{
    dev::Payload,
    http::{header::CONTENT_TYPE, StatusCode},
    web::{Bytes, BytesMut},
    HttpMessage, HttpRequest,
};
use futures_util::StreamExt;
use serde_json::Value;
use smallvec::{smallvec, SmallVec};
use std::collections::HashMap;

/// A request body read for its parameters.
pub(crate) enum Collected {
    /// `application/x-www-form-urlencoded`.
    Form(Bytes),
    /// `application/json` or `application/*+json`.
    Json(Bytes),
    /// `multipart/form-data`: text fields and files.
    #[cfg_attr(not(feature = "multipart"), allow(dead_code))]
    Multipart(Parts),
}

/// Reads a form, JSON or multipart body, up to `max` bytes and, for a
/// multipart body, `max_parts` parts (413 beyond); other bodies are left
/// alone, unread in `payload`.
pub(crate) async fn collect_body(
    request: &HttpRequest,
    payload: &mut Payload,
    max: usize,
    max_parts: usize,
) -> Result<Option<Collected>, ErrorResponse> {
    let json = is_json(request);
    let has_type = request.headers().get(CONTENT_TYPE).is_some();
    let form = has_type
        && request
            .content_type()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded");
    let multipart = has_type
        && request
            .content_type()
            .eq_ignore_ascii_case("multipart/form-data");
    if !json && !form && !multipart {
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
    #[cfg(feature = "multipart")]
    if multipart {
        let parts =
            super::upload::read_multipart(request, payload.take(), max, max_parts, too_large)
                .await?;
        return Ok(Some(Collected::Multipart(parts)));
    }
    #[cfg(not(feature = "multipart"))]
    if multipart {
        let _ = max_parts;
        return Err(ErrorResponse::with_status(
            "multipart/form-data bodies are not accepted",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ));
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
    let body = body.freeze();
    Ok(Some(if json {
        Collected::Json(body)
    } else {
        Collected::Form(body)
    }))
}

/// Whether a request carries a JSON body.
pub(crate) fn is_json(request: &HttpRequest) -> bool {
    let Some(value) = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The values of one parameter name.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// Query or form values, in order (the usual single value inline).
    Http(SmallVec<[String; 1]>),
    /// A member of a JSON body.
    Json(Value),
    /// The files of a multipart body, in order.
    Files(Vec<Upload>),
}

/// A request body fsa reads parameters from.
pub(crate) enum Body<'a> {
    /// `application/x-www-form-urlencoded`.
    Form(&'a [u8]),
    /// `application/json` or `application/*+json`.
    Json(&'a [u8]),
    /// `multipart/form-data`: text fields (as a form), then files.
    Multipart(&'a Parts),
}

/// Every parameter of a request, in order of first appearance.
///
/// A name is found by a linear search among a few entries, and through an
/// index beyond: collecting `n` parameters takes linear time, whatever a
/// client sends. At most `max` values are read (`FSA_MAX_PARAMS`).
#[derive(Debug, Default)]
pub(crate) struct RequestParams {
    entries: Vec<(String, Entry)>,
    /// The position of each name, once there are more than [`INDEXED_FROM`]
    /// (boxed: most requests have none, and their future stays small).
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<String, usize>>>,
    /// Values read so far: query and form pairs, multipart parts, JSON
    /// members.
    count: usize,
}

/// Below this many names, a linear search is faster than an index.
const INDEXED_FROM: usize = 16;

impl RequestParams {
    /// Gathers the parameters of a query string and an optional body, at
    /// most `max` values (413 beyond).
    pub(crate) fn gather(
        query: &str,
        body: Option<Body<'_>>,
        max: usize,
    ) -> Result<Self, ErrorResponse> {
        let mut params = Self::default();
        params.add_http(query, "query string", max)?;
        match body {
            None => {}
            Some(Body::Form(bytes)) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| ErrorResponse::bad_request("form body is not valid UTF-8"))?;
                params.add_http(text, "form body", max)?;
            }
            Some(Body::Multipart((fields, files))) => {
                for (name, value) in fields {
                    params.counted(max)?;
                    params.add_value(name.clone(), value.clone());
                }
                for file in files {
                    params.counted(max)?;
                    match params.position(&file.name) {
                        Some(at) => {
                            if let Entry::Files(files) = &mut params.entries[at].1 {
                                files.push(file.clone());
                            }
                        }
                        None => params.push(file.name.clone(), Entry::Files(vec![file.clone()])),
                    }
                }
            }
            Some(Body::Json(bytes)) => {
                let value = super::json::parse(bytes).map_err(|e| match e {
                    JsonError::TooMany => ErrorResponse::with_status(
                        format!("too many JSON values: at most {MAX_JSON_VALUES}"),
                        StatusCode::PAYLOAD_TOO_LARGE,
                    ),
                    JsonError::Invalid(e) => {
                        ErrorResponse::bad_request(format!("invalid JSON body: {e}"))
                    }
                })?;
                let Value::Object(members) = value else {
                    return Err(ErrorResponse::bad_request(
                        "the JSON body must be an object of parameters",
                    ));
                };
                if members.len() > max.saturating_sub(params.count) {
                    return Err(too_many_params(max));
                }
                if members.iter().any(|(k, v)| has_nul_byte(k) || has_nul(v)) {
                    return Err(ErrorResponse::bad_request("NUL character in JSON body"));
                }
                for (name, value) in members {
                    params.count += 1;
                    match params.position(&name) {
                        Some(at) => params.entries[at].1 = Entry::Json(value),
                        None => params.push(name, Entry::Json(value)),
                    }
                }
            }
        }
        Ok(params)
    }

    /// Counts one more value, refusing it beyond `max`.
    fn counted(&mut self, max: usize) -> Result<(), ErrorResponse> {
        self.count += 1;
        if self.count > max {
            return Err(too_many_params(max));
        }
        Ok(())
    }

    fn add_http(&mut self, text: &str, source: &str, max: usize) -> Result<(), ErrorResponse> {
        for pair in parse_urlencoded(text, source) {
            self.counted(max)?;
            let (name, value) = pair?;
            if has_nul_byte(&name) || has_nul_byte(&value) {
                return Err(ErrorResponse::bad_request(format!(
                    "NUL character in {source}"
                )));
            }
            self.add_value(name, value);
        }
        Ok(())
    }

    /// Adds a query or form value: after the values of the same name.
    fn add_value(&mut self, name: String, value: String) {
        match self.position(&name) {
            Some(at) => {
                if let Entry::Http(values) = &mut self.entries[at].1 {
                    values.push(value);
                }
            }
            None => self.push(name, Entry::Http(smallvec![value])),
        }
    }

    /// Where `name` is among the entries.
    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.entries.iter().position(|(n, _)| n == name),
        }
    }

    /// Adds an entry of a new name.
    fn push(&mut self, name: String, entry: Entry) {
        if let Some(index) = &mut self.index {
            index.insert(name.clone(), self.entries.len());
        }
        self.entries.push((name, entry));
        if self.index.is_none() && self.entries.len() > INDEXED_FROM {
            let positions = self.entries.iter().enumerate();
            self.index = Some(Box::new(
                positions.map(|(i, (n, _))| (n.clone(), i)).collect(),
            ));
        }
    }

    /// Whether the request gives no parameter.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The values of `name`, if the request gives it.
    pub(crate) fn get(&self, name: &str) -> Option<&Entry> {
        self.position(name).map(|at| &self.entries[at].1)
    }

    /// Every name, with its entry.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(n, e)| (n.as_str(), e))
    }
}

/// Whether a JSON value holds a NUL character in a string or a key.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => has_nul_byte(s),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(members) => members.iter().any(|(k, v)| has_nul_byte(k) || has_nul(v)),
        _ => false,
    }
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a
/// form body): `+` is a space, `%XX` a byte, and the bytes must be UTF-8
/// (a 400 otherwise, rather than replacement characters); a `%` not
/// followed by two hexadecimal digits stays as it is.
fn parse_urlencoded<'a>(
    text: &'a str,
    source: &'a str,
) -> impl Iterator<Item = Result<(String, String), ErrorResponse>> + 'a {
    let decode = move |part: &str| -> Result<String, ErrorResponse> {
        // Most names and values need no decoding: copy them as they are.
        if !part.bytes().any(|b| b == b'%' || b == b'+') {
            return Ok(part.to_string());
        }
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out)
            .map_err(|_| ErrorResponse::bad_request(format!("{source} is not valid UTF-8")))
    };
    split_at_byte(text, b'&')
        .filter(|pair| !pair.is_empty())
        .map(move |pair| {
            let (name, value) = match pair.bytes().position(|b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, ""),
            };
            Ok((decode(name)?, decode(value)?))
        })
}

/// `text.split(separator)` for an ASCII separator, by a byte search that
/// stays inline (`str::split(char)` goes through the generic pattern
/// searcher, about 80 instructions a call on the request path).
fn split_at_byte(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod should {
    use super::*;

    #[cfg(not(feature = "multipart"))]
    #[actix_web::test]
    async fn refuse_multipart_bodies_without_the_feature() {
        let (request, mut payload) = actix_web::test::TestRequest::post()
            .insert_header((CONTENT_TYPE, "multipart/form-data; boundary=x"))
            .set_payload("--x--\r\n")
            .to_http_parts();
        let error = collect_body(&request, &mut payload, 1000, 10)
            .await
            .err()
            .unwrap();
        assert_eq!(error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    fn http(params: &RequestParams, name: &str) -> Vec<String> {
        match params.get(name) {
            Some(Entry::Http(values)) => values.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prefer_the_query_to_the_form_and_keep_repeated_values_in_order() {
        let params = RequestParams::gather(
            "blup=Manitoba&blup=Yukon",
            Some(Body::Form(b"blup=Quebec&x=1")),
            1000,
        )
        .unwrap();
        assert_eq!(http(&params, "blup"), ["Manitoba", "Yukon", "Quebec"]);
        assert_eq!(http(&params, "x"), ["1"]);
    }

    #[test]
    fn find_names_by_index_beyond_a_few_and_keep_their_order() {
        let query: Vec<String> = (0..5000).map(|i| format!("n{i}={i}")).collect();
        let query = query.join("&") + "&n7=again";
        let params = RequestParams::gather(&query, None, 10_000).unwrap();
        assert!(params.index.is_some());
        assert_eq!(http(&params, "n4999"), ["4999"]);
        assert_eq!(http(&params, "n7"), ["7", "again"]);
        let names: Vec<&str> = params.iter().map(|(n, _)| n).take(3).collect();
        assert_eq!(names, ["n0", "n1", "n2"]);
        let json = br#"{"n3": 3, "new": 1}"#;
        let params = RequestParams::gather(&query, Some(Body::Json(json)), 10_000).unwrap();
        assert!(matches!(params.get("n3"), Some(Entry::Json(v)) if v == 3));
        assert!(matches!(params.get("new"), Some(Entry::Json(v)) if v == 1));
    }

    #[test]
    fn refuse_more_values_than_the_maximum_with_413() {
        let at_limit = ["a=1"; 10].join("&");
        assert!(RequestParams::gather(&at_limit, None, 10).is_ok());
        let over = at_limit.clone() + "&b=2";
        let error = RequestParams::gather(&over, None, 10).unwrap_err();
        assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let form = Some(Body::Form(b"c=3"));
        assert!(RequestParams::gather(&at_limit, form, 10).is_err());
        let json = Some(Body::Json(br#"{"c": 3}"#));
        assert!(RequestParams::gather(&at_limit, json, 10).is_err());
        let json = Some(Body::Json(br#"{"c": 3}"#));
        assert!(RequestParams::gather("a=1", json, 2).is_ok());
    }

    #[test]
    fn overlay_a_json_body_on_the_query() {
        let params =
            RequestParams::gather("a=35&b=1", Some(Body::Json(br#"{"b": 7}"#)), 1000).unwrap();
        assert_eq!(http(&params, "a"), ["35"]);
        assert!(matches!(params.get("b"), Some(Entry::Json(v)) if v == 7));
    }

    #[test]
    fn refuse_bodies_that_are_not_parameters() {
        for body in [&b"[1]"[..], b"17", b"{", b"\xff"] {
            let error = RequestParams::gather("", Some(Body::Json(body)), 1000).unwrap_err();
            assert_eq!(error.status().as_u16(), 400);
        }
        assert!(RequestParams::gather("a=%00", None, 1000).is_err());
        assert!(RequestParams::gather("a=%ff", None, 1000).is_err());
        assert!(
            RequestParams::gather("", Some(Body::Json(br#"{"a": ["\u0000"]}"#)), 1000).is_err()
        );
    }

    #[test]
    fn decode_urlencoded_text() {
        let pairs: Vec<(String, String)> =
            parse_urlencoded("a=1+2&b=%C3%A9%2B&c&=x&d=%zz&e=%4", "query")
                .collect::<Result<_, _>>()
                .unwrap();
        let expected = [
            ("a", "1 2"),
            ("b", "é+"),
            ("c", ""),
            ("", "x"),
            ("d", "%zz"),
            ("e", "%4"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, expected);
    }
}
