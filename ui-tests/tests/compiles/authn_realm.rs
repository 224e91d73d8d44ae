// authn as a string and as a list, realm, and their combinations.
use fsa_runtime::prelude::*;

#[get("/basic", authz = "AUTH", authn = "basic")]
async fn basic() -> &'static str {
    "basic"
}

#[get("/token-or-basic", authz = "employee", authn = ["token", "basic"])]
async fn token_or_basic() -> &'static str {
    "token or basic"
}

#[get("/realm", authz = "AUTH", realm = "acme-mfa")]
async fn realm() -> &'static str {
    "realm"
}

#[post("/all", authn = ["basic"], realm = "acme", authz = ("store", "sid"),)]
async fn everything(sid: i64) -> String {
    format!("store {sid}")
}

#[get("/scoped", authz = ["read:store", "write:store"], authn = "oauth")]
async fn scoped() -> &'static str {
    "scoped"
}

#[test]
fn run() {
    let routes = routes![basic, token_or_basic, realm, everything, scoped];
    assert_eq!(routes.len(), 5);
}
