//! Helpers shared by fsa's HTTP integration tests.

pub mod program;
pub mod raw;
pub mod readme;
pub mod redis;

/// Every Rust block of the README, compiled (and run unless `no_run`) as a
/// doctest: the README cannot drift from the code.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use fsa_runtime::{Fsa, FsaBuilder};
use serde_json::Value;

/// Werkzeug's 404 description, which fsa sends for an unknown path (as
/// FlaskSimpleAuth's `FSA_HANDLE_ALL_ERRORS`).
pub const NOT_FOUND: &str = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";

/// bcrypt hash (cost 4, by FlaskSimpleAuth 36.0) of `hobbes-rules`.
pub const CALVIN_HASH: &str = "$2b$04$XZL3gSu8Z5pLwP/2P3VuVevAujS7Ru0q6q/5mro6a.XaYN.JxZVN.";
/// bcrypt hash (cost 4, by FlaskSimpleAuth 36.0) of `short`.
pub const HOBBES_HASH: &str = "$2b$04$nyipYToAOaGM7VecmIW6fOIZCWjvK91J3Ix7crXWPI13W/Wj4V5r6";

/// The stored hash of the test users: calvin/hobbes-rules, hobbes/short.
pub fn get_user_pass(login: &str) -> Option<String> {
    match login {
        "calvin" => Some(CALVIN_HASH.to_string()),
        "hobbes" => Some(HOBBES_HASH.to_string()),
        _ => None,
    }
}

/// A token secret for tests: prod mode (the default) refuses a random one.
pub const TEST_SECRET: &str = "a test secret of 32 bytes or more, not for use elsewhere";

/// A builder for application `name` with the directives of `text`, and
/// [`TEST_SECRET`] when `text` gives no `FSA_TOKEN_SECRET`: prod mode
/// (the default) refuses a random secret, and most tests are not about it.
pub fn from_toml(name: &str, text: &str) -> FsaBuilder {
    let text = if text.contains("FSA_TOKEN_SECRET") {
        text.to_string()
    } else {
        format!("{text}\nFSA_TOKEN_SECRET = \"{TEST_SECRET}\"")
    };
    match Fsa::from_toml_str(name, &text) {
        Ok(builder) => builder,
        Err(e) => panic!("{e}"),
    }
}

/// Builds an application, panicking with the configuration errors.
pub fn build(builder: FsaBuilder) -> Fsa {
    match builder.build() {
        Ok(fsa) => fsa,
        Err(e) => panic!("{e}"),
    }
}

/// Starts a real HTTP server on 127.0.0.1 serving `fsa`.
pub fn serve(fsa: Fsa) -> actix_test::TestServer {
    actix_test::start(move || fsa.app())
}

/// The body of an answer, as text (up to 1 MiB).
pub async fn body_text<S>(response: &mut awc::ClientResponse<S>) -> String
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let bytes = response
        .body()
        .limit(1 << 20)
        .await
        .expect("a readable body");
    String::from_utf8(bytes.to_vec()).expect("a UTF-8 body")
}

/// An answer read whole: its status, headers and body text.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: actix_web::http::StatusCode,
    /// The headers.
    pub headers: actix_web::http::header::HeaderMap,
    /// The body, as text (up to 1 MiB).
    pub body: String,
}

impl Answer {
    /// A header's value as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("a text header"))
    }

    /// The status and body, as [`status_body`] gives them, for an answer
    /// of [`send_body`], [`send_form`] or [`send_json`].
    pub fn status_body(self) -> (u16, String) {
        (self.status.as_u16(), self.body)
    }

    /// The body parsed as JSON, panicking unless the content type is JSON
    /// (`application/json` or `+json`): the checks of awc's `json()`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        let mime: actix_web::mime::Mime = self
            .header("content-type")
            .expect("a content type")
            .parse()
            .expect("a media type");
        assert!(
            mime.subtype() == actix_web::mime::JSON || mime.suffix() == Some(actix_web::mime::JSON),
            "not JSON: {mime}"
        );
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// Sends a request and reads its answer whole.
///
/// ```ignore
/// let answer = send(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await;
/// assert_eq!((answer.status.as_u16(), answer.body.as_str()), (200, "calvin"));
/// ```
pub async fn send(request: awc::ClientRequest) -> Answer {
    answer(request.send().await.expect("an answer")).await
}

/// Sends a request with a body (`send_body`) and reads its answer whole.
pub async fn send_body(
    request: awc::ClientRequest,
    body: impl actix_web::body::MessageBody + 'static,
) -> Answer {
    answer(request.send_body(body).await.expect("an answer")).await
}

/// Sends a form and reads its answer whole.
pub async fn send_form(request: awc::ClientRequest, form: &impl serde::Serialize) -> Answer {
    answer(request.send_form(form).await.expect("an answer")).await
}

/// Sends a JSON body and reads its answer whole.
pub async fn send_json(request: awc::ClientRequest, json: &impl serde::Serialize) -> Answer {
    answer(request.send_json(json).await.expect("an answer")).await
}

/// Reads an answer whole.
pub async fn answer<S>(mut response: awc::ClientResponse<S>) -> Answer
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let body = body_text(&mut response).await;
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body,
    }
}

/// The status and body text of a request's answer.
pub async fn status_body(request: awc::ClientRequest) -> (u16, String) {
    let answer = send(request).await;
    (answer.status.as_u16(), answer.body)
}

/// The status of a request's answer.
pub async fn status(request: awc::ClientRequest) -> u16 {
    send(request).await.status.as_u16()
}

/// FlaskSimpleAuth 36.0's interoperability vectors: tokens and password
/// hashes made by FlaskSimpleAuth itself (`fsa-runtime/tests/data/README.md`).
pub fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("valid vectors")
}

/// The text of the vectors, compiled in.
const VECTORS: &str = include_str!("../../fsa-runtime/tests/data/flask-simple-auth-36.0.json");

/// An HS256 JWT of `claims`, made as any other library makes them.
///
/// jsonwebtoken's backend is installed first: with both of its backends
/// enabled (`--all-features`), it has no default until fsa's `build()`.
pub fn hs256(claims: &impl serde::Serialize, secret: &str) -> String {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &key).expect("an HS256 JWT")
}
