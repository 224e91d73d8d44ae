//! Step 6: parameters. This is acme, with its data in memory.

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

/// An optional parameter with a default: the stores whose name contains
/// `name` (acme's real route takes an SQL `LIKE` pattern).
#[get("/store", authz = "employee")]
async fn get_store(#[default("")] name: String) -> Json<Vec<Store>> {
    Json(
        STORES
            .into_iter()
            .filter(|s| s.name.contains(&name))
            .collect(),
    )
}

#[get("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn get_store_sid_product(
    sid: i64,
    inventory: Data<Inventory>,
) -> Json<BTreeMap<String, i64>> {
    Json(inventory.of(sid))
}

/// The answer of a POST: the new total.
#[derive(serde::Serialize)]
struct Held {
    sid: i64,
    product: String,
    quantity: i64,
}

/// Mandatory typed parameters, from the query string, a form or a JSON
/// body: missing or ill-typed is a 400, checked before the permission.
#[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn post_store_sid_product(
    sid: i64,
    product: String,
    quantity: i64,
    inventory: Data<Inventory>,
) -> fsa_runtime::Result<HttpResponse> {
    let total = inventory
        .add(sid, product.clone(), quantity)
        .ok_or_else(|| err("quantity: the total would overflow", 400))?;
    Ok(HttpResponse::Created().json(Held {
        sid,
        product,
        quantity: total,
    }))
}

pub fn app() -> Result<Fsa, ConfigError> {
    Fsa::from_toml_str("acme", CONFIG)?
        .get_user_pass(data::get_user_pass)
        .group_check("employee", data::user_is_employee)
        .object_perms("store", data::store_perms)
        .routes(routes![
            hello,
            hello_me,
            login,
            get_store,
            get_store_sid_product,
            post_store_sid_product
        ])
        .build()
}
