// Object permissions, lists, and nested any(...) / all(...).
use fsa_runtime::prelude::*;

#[get("/store/<sid>", authz = ("store"))]
async fn domain_only(sid: i64) -> String {
    format!("store {sid}")
}

#[get("/store/<sid>", authz = ("store", "sid"))]
async fn domain_var(sid: i64) -> String {
    format!("store {sid}")
}

#[put("/store/<sid>", authz = ("store", "sid", "manager"))]
async fn domain_var_mode(sid: i64, name: String) -> String {
    format!("store {sid}: {name}")
}

#[get("/pair/<a>/<b>", authz = ("pair", "a:b", "read"))]
async fn two_vars(a: i64, b: String) -> String {
    format!("pair {a} {b}")
}

#[delete("/store/<sid>", authz = ("store", "sid", 2))]
async fn int_mode(sid: i64) -> String {
    format!("store {sid}")
}

#[patch("/store/<sid>", authz = ["employee", ("store", "sid", "manager"), 7])]
async fn list(sid: i64) -> String {
    format!("store {sid}")
}

#[post(
    "/store/<sid>/product",
    authz = any("admin", all("employee", ("store", "sid", "manager")), ("store", "sid", 0))
)]
async fn nested(sid: i64, product: String) -> String {
    format!("store {sid}: {product}")
}

#[get(
    "/store/<sid>/stock",
    authz = [any("admin", 1), all("employee", any(("store", "sid"), ("chain", "sid", "audit")))]
)]
async fn list_of_nested(sid: i64) -> String {
    format!("store {sid}")
}

#[get("/store/<sid>/owner", authz = ["AUTH", ("store", "sid", "owner")])]
async fn auth_and_perm(sid: i64, user: CurrentUser) -> String {
    format!("store {sid} of {user}")
}

#[test]
fn run() {
    let routes = routes![
        domain_only,
        domain_var,
        domain_var_mode,
        two_vars,
        int_mode,
        list,
        nested,
        list_of_nested,
        auth_and_perm,
    ];
    assert_eq!(routes.len(), 9);
}
