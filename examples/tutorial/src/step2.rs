//! Step 2: basic authentication.

use crate::data;
use fsa_runtime::{prelude::*, ConfigError};

/// Basic authentication; `none` still lets OPEN routes be called.
pub const CONFIG: &str = r#"
FSA_MODE = "dev"
FSA_AUTH = ["basic", "none"]
"#;

#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello!"
}

/// Any authenticated user; the handler gets the login.
#[get("/hello-me", authz = "AUTH")]
async fn hello_me(user: CurrentUser) -> String {
    format!("hello {user}!")
}

pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .get_user_pass(data::get_user_pass) // login -> bcrypt hash
        .routes(routes![hello, hello_me])
        .build()
}
