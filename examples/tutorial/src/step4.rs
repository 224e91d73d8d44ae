//! Step 4: group authorization.

use crate::data::{self, Store, STORES};
use fsa_runtime::{prelude::*, ConfigError};

/// Declared groups: a route naming another group fails at `build()`.
pub const CONFIG: &str = r#"
FSA_MODE = "dev"
FSA_AUTH = ["token", "basic", "none"]
FSA_TOKEN_TYPE = "jwt"
FSA_TOKEN_SECRET = { env = "ACME_SECRET" }
FSA_AUTHZ_GROUPS = ["employee"]
"#;

#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello!"
}

#[get("/hello-me", authz = "AUTH")]
async fn hello_me(user: CurrentUser) -> String {
    format!("hello {user}!")
}

#[get("/login", authz = "AUTH", authn = "basic")]
async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    Ok(Json(fsa.create_token(&user)?))
}

/// Members of group `employee` only.
#[get("/store", authz = "employee")]
async fn get_store() -> Json<[Store; 3]> {
    Json(STORES)
}

pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .get_user_pass(data::get_user_pass)
        .group_check("employee", data::user_is_employee)
        .routes(routes![hello, hello_me, login, get_store])
        .build()
}
