//! Step 5: object permissions.

use crate::data::{self, Inventory, Store, STORES};
use fsa_runtime::{prelude::*, ConfigError};
use std::collections::BTreeMap;

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

#[get("/store", authz = "employee")]
async fn get_store() -> Json<[Store; 3]> {
    Json(STORES)
}

/// Managers of store `sid` only: the `store` hook gets the login, the
/// value of `sid` and the mode `manager`.
#[get("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn get_store_sid_product(
    sid: i64,
    inventory: Data<Inventory>,
) -> Json<BTreeMap<String, i64>> {
    Json(inventory.of(sid))
}

pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .get_user_pass(data::get_user_pass)
        .group_check("employee", data::user_is_employee)
        .object_perms("store", data::store_perms) // None: 404, false: 403
        .routes(routes![
            hello,
            hello_me,
            login,
            get_store,
            get_store_sid_product
        ])
        .build()
}
