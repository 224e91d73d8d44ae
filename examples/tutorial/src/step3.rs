//! Step 3: tokens, so that a client sends its password once.

use crate::data;
use fsa_runtime::{prelude::*, ConfigError};

/// A JWT first, else a password; the secret comes from the environment
/// (unset: a random secret per process, with a warning).
pub const CONFIG: &str = r#"
FSA_MODE = "dev"
FSA_AUTH = ["token", "basic", "none"]
FSA_TOKEN_TYPE = "jwt"
FSA_TOKEN_SECRET = { env = "ACME_SECRET" }
"#;

#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello!"
}

#[get("/hello-me", authz = "AUTH")]
async fn hello_me(user: CurrentUser) -> String {
    format!("hello {user}!")
}

/// A token for a password: this route accepts `basic` only.
#[get("/login", authz = "AUTH", authn = "basic")]
async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    Ok(Json(fsa.create_token(&user)?))
}

pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .get_user_pass(data::get_user_pass)
        .routes(routes![hello, hello_me, login])
        .build()
}
