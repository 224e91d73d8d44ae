//! Helpers shared by fsa's HTTP integration tests.

use fsa_runtime::{Fsa, FsaBuilder};

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
