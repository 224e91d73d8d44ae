//! Helpers shared by fsa's HTTP integration tests.

pub mod program;
pub mod raw;
pub mod readme;

/// Every Rust block of the README, compiled (and run unless `no_run`) as a
/// doctest: the README cannot drift from the code.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use fsa_runtime::{Fsa, FsaBuilder};
use serde_json::Value;

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
