//! Clients of a [`TestApp`], their requests and the answers, with
//! assertions that print the request and the answer when they fail.

use super::{route_of, TestApp};
use crate::{config::TokenCarrier, tokens::TokenOptions};
use actix_web::{
    http::{header::HeaderMap, Method, StatusCode},
    web::Bytes,
};
use base64::Engine;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt;

/// The largest answer body a test reads (16 MiB).
const MAX_ANSWER: usize = 16 << 20;

/// Who a client is.
#[derive(Clone, Debug)]
pub(super) enum Who {
    Anonymous,
    /// A user, authenticated as the route allows (see [`TestApp::as_user`]).
    User {
        login: String,
        scopes: Vec<String>,
    },
    Basic(String, String),
    Bearer(String),
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Anonymous => f.write_str("anonymous"),
            Who::User { login, scopes } if scopes.is_empty() => write!(f, "as {login}"),
            Who::User { login, scopes } => write!(f, "as {login} (scopes {scopes:?})"),
            Who::Basic(login, _) => write!(f, "with basic credentials of {login}"),
            Who::Bearer(_) => f.write_str("with a bearer token"),
        }
    }
}

/// Calls a [`TestApp`] as one user (or anonymously): `client.get("/store")`.
#[derive(Clone)]
pub struct Client {
    app: TestApp,
    who: Who,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Client({})", self.who)
    }
}

impl Client {
    pub(super) fn new(app: TestApp, who: Who) -> Self {
        Self { app, who }
    }

    /// The same user with OAuth scopes in the tokens minted for them (for
    /// routes with `authn = "oauth"`).
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        if let Who::User { scopes: mine, .. } = &mut self.who {
            *mine = scopes.into_iter().map(Into::into).collect();
        }
        self
    }

    /// A request of `method` to `path` (which may hold a query string).
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest {
            client: self.clone(),
            method,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
        }
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> TestRequest {
        self.request(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(&self, path: &str) -> TestRequest {
        self.request(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: &str) -> TestRequest {
        self.request(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(&self, path: &str) -> TestRequest {
        self.request(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> TestRequest {
        self.request(Method::DELETE, path)
    }
}

/// A request body.
#[derive(Clone, Debug)]
enum Body {
    None,
    /// A content type and the bytes.
    Bytes(String, Vec<u8>),
}

/// A request being written: `.query(..)`, `.form(..)`, `.json(..)`,
/// `.multipart(..)`, `.header(..)`, then `.send().await`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent: .send().await"]
pub struct TestRequest {
    client: Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
}

impl TestRequest {
    /// Adds query parameters (anything `serde_urlencoded` writes: pairs,
    /// a map, a struct).
    ///
    /// # Panics
    /// When `query` is not a sequence of pairs or a flat struct.
    pub fn query(mut self, query: &impl Serialize) -> Self {
        let text = serde_urlencoded::to_string(query)
            .unwrap_or_else(|e| panic!("{}: query parameters: {e}", self.describe()));
        self.query
            .extend(serde_urlencoded::from_str::<Vec<(String, String)>>(&text).unwrap_or_default());
        self
    }

    /// Adds a header (one more value when it is repeated; cookies are
    /// sent together with the token cookie of [`TestApp::as_user`]).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// An `application/x-www-form-urlencoded` body.
    ///
    /// # Panics
    /// When `form` is not a sequence of pairs or a flat struct.
    pub fn form(mut self, form: &impl Serialize) -> Self {
        let text = serde_urlencoded::to_string(form)
            .unwrap_or_else(|e| panic!("{}: form: {e}", self.describe()));
        self.body = Body::Bytes(
            "application/x-www-form-urlencoded".into(),
            text.into_bytes(),
        );
        self
    }

    /// An `application/json` body.
    ///
    /// # Panics
    /// When `json` cannot be written as JSON.
    pub fn json(mut self, json: &impl Serialize) -> Self {
        let bytes = serde_json::to_vec(json)
            .unwrap_or_else(|e| panic!("{}: JSON body: {e}", self.describe()));
        self.body = Body::Bytes("application/json".into(), bytes);
        self
    }

    /// A `multipart/form-data` body.
    pub fn multipart(mut self, form: Multipart) -> Self {
        let (content_type, bytes) = form.finish();
        self.body = Body::Bytes(content_type, bytes);
        self
    }

    /// A body of any type.
    pub fn body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(content_type.to_string(), bytes.into());
        self
    }

    /// `GET /store?x=1 as calvin`: what failure messages name.
    fn describe(&self) -> String {
        format!("{} {} {}", self.method, self.target(), self.client.who)
    }

    /// The path with the query string.
    fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query = serde_urlencoded::to_string(&self.query).unwrap_or_default();
        let separator = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{separator}{query}", self.path)
    }

    /// Adds the credentials of the client for this request's route.
    fn authenticate(&mut self) {
        match self.client.who.clone() {
            Who::Anonymous => {}
            Who::Basic(login, password) => self.headers.push(basic(&login, &password)),
            Who::Bearer(token) => self
                .headers
                .push(("Authorization".into(), format!("Bearer {token}"))),
            Who::User { login, scopes } => self.as_user(&login, scopes),
        }
    }

    /// The credentials of `login` for this request's route: a token, the
    /// fake scheme's parameter, or a known password.
    fn as_user(&mut self, login: &str, scopes: Vec<String>) {
        let app = self.client.app.clone();
        let fsa = app.fsa();
        let path = self.path.split('?').next().unwrap_or_default();
        let Some(route) = route_of(fsa, &self.method, path) else {
            // No fsa route: nothing to authenticate for (a 404, a 405).
            return;
        };
        let schemes = route.schemes().unwrap_or_default();
        if schemes.is_empty() {
            return; // OPEN or CLOSE
        }
        let config = fsa.config();
        if let Some(tokens) = fsa
            .state
            .tokens
            .as_ref()
            .filter(|_| schemes.iter().any(|s| *s == "token" || *s == "oauth"))
        {
            let options = TokenOptions {
                realm: route.token_realm().map(str::to_string),
                scopes,
                ..Default::default()
            };
            let token = tokens
                .create(login, &options)
                .unwrap_or_else(|e| panic!("{}: minting a token: {e}", self.describe()));
            let name = tokens.name.clone();
            match tokens.carrier {
                TokenCarrier::Bearer => self
                    .headers
                    .push(("Authorization".into(), format!("{name} {token}"))),
                TokenCarrier::Header => self.headers.push((name, token)),
                TokenCarrier::Cookie => self
                    .headers
                    .push(("Cookie".into(), format!("{name}={token}"))),
                TokenCarrier::Param => self.query.push((name, token)),
            }
            return;
        }
        if schemes.contains(&"fake") {
            self.query
                .push((config.fake_login.clone(), login.to_string()));
            return;
        }
        let password = app.inner.passwords.borrow().get(login).cloned();
        match password {
            Some(password) if schemes.contains(&"basic") => {
                self.headers.push(basic(login, &password));
            }
            Some(password) if schemes.contains(&"param") => {
                self.query.push((config.param_user.clone(), login.to_string()));
                self.query.push((config.param_pass.clone(), password));
            }
            _ => panic!(
                "{}: route {route} takes no token (its schemes: {}): give {login}'s password with TestApp::password(\"{login}\", ...)",
                self.describe(),
                schemes.join(", ")
            ),
        }
    }

    /// Sends the request and reads the whole answer.
    ///
    /// # Panics
    /// When the server cannot be reached or the answer cannot be read: a
    /// test failure, not an answer.
    pub async fn send(mut self) -> TestAnswer {
        let request = self.describe();
        self.authenticate();
        let app = self.client.app.clone();
        let mut sent = app
            .inner
            .server
            .request(self.method.clone(), app.url(&self.target()));
        // Headers add up (a repeated one is sent repeated); cookies join
        // in one `Cookie` header (the test's and the token's).
        let cookies: Vec<&str> = self
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
            .map(|(_, value)| value.as_str())
            .collect();
        if !cookies.is_empty() {
            sent = sent.insert_header(("Cookie", cookies.join("; ")));
        }
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("cookie") {
                sent = sent.append_header((name.as_str(), value.as_str()));
            }
        }
        let response = match self.body {
            Body::None => sent.send().await,
            Body::Bytes(content_type, bytes) => {
                sent.insert_header(("Content-Type", content_type))
                    .send_body(bytes)
                    .await
            }
        };
        let mut response =
            response.unwrap_or_else(|e| panic!("{request}: the request failed: {e}"));
        let body = response
            .body()
            .limit(MAX_ANSWER)
            .await
            .unwrap_or_else(|e| panic!("{request}: the answer's body cannot be read: {e}"));
        TestAnswer {
            request,
            status: response.status(),
            headers: response.headers().clone(),
            body,
        }
    }
}

/// The `Authorization: Basic` header of a login and password.
fn basic(login: &str, password: &str) -> (String, String) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    ("Authorization".into(), format!("Basic {encoded}"))
}

/// A `multipart/form-data` body: text fields and files.
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

/// A part of a multipart form: a field name, the file name and content
/// type of a file (`None` for a text field), the bytes.
#[derive(Clone, Debug)]
struct Part {
    name: String,
    file: Option<(String, String)>,
    bytes: Vec<u8>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.push(Part {
            name: name.to_string(),
            file: None,
            bytes: value.as_bytes().to_vec(),
        });
        self
    }

    /// Adds a file.
    pub fn file(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        self.parts.push(Part {
            name: name.to_string(),
            file: Some((filename.to_string(), content_type.to_string())),
            bytes: bytes.into(),
        });
        self
    }

    /// The content type and the body.
    fn finish(self) -> (String, Vec<u8>) {
        let boundary = "fsa-testing-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for Part { name, file, bytes } in self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
                Some((filename, content_type)) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                ),
            }
            body.extend_from_slice(&bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// An answer read whole, with the request that it answers (named by the
/// assertions when they fail).
#[derive(Clone)]
pub struct TestAnswer {
    request: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl fmt::Debug for TestAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// `GET /store as calvin -> 200 OK: <body>`, the body cut at 2,000 bytes.
impl fmt::Display for TestAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        let shown: String = text.chars().take(2000).collect();
        let cut = if shown.len() < text.len() { "..." } else { "" };
        write!(f, "{} -> {}: {shown}{cut}", self.request, self.status)
    }
}

impl TestAnswer {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// A header's value, if it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body read as JSON.
    ///
    /// # Panics
    /// When the body is not JSON of type `T`, showing it.
    #[track_caller]
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not the JSON expected ({e}): {self}"))
    }

    /// Checks the status.
    ///
    /// # Panics
    /// When it differs, showing the request and the answer.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        if self.status() != expected {
            panic!("expected status {expected}, got {self}");
        }
        self
    }

    /// Checks a header's value (`None`: absent).
    ///
    /// # Panics
    /// When it differs, showing the request and the answer.
    #[track_caller]
    pub fn assert_header(&self, name: &str, expected: Option<&str>) -> &Self {
        let actual = self.header(name);
        if actual != expected {
            panic!("expected header {name}: {expected:?}, got {actual:?} in {self}");
        }
        self
    }

    /// Checks the body's text.
    ///
    /// # Panics
    /// When it differs, showing the request and the answer.
    #[track_caller]
    pub fn assert_text(&self, expected: &str) -> &Self {
        if self.text() != expected {
            panic!("expected the body {expected:?}, got {self}");
        }
        self
    }

    /// Checks the body as JSON, equal to `expected` as JSON.
    ///
    /// # Panics
    /// When it differs or is not JSON, showing the request and the answer.
    #[track_caller]
    pub fn assert_json(&self, expected: &impl Serialize) -> &Self {
        let expected = serde_json::to_value(expected).expect("an expected value written as JSON");
        let actual: serde_json::Value = self.json();
        if actual != expected {
            panic!("expected the JSON {expected}, got {self}");
        }
        self
    }
}
