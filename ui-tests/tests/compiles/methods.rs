// Every method macro, #[route] with several methods, visibility and paths.
use fsa_runtime::prelude::*;

#[get("/m", authz = "AUTH")]
async fn m_get() -> &'static str {
    "get"
}

#[post("/m", authz = "AUTH")]
async fn m_post() -> &'static str {
    "post"
}

#[put("/m", authz = "AUTH")]
async fn m_put() -> &'static str {
    "put"
}

#[patch("/m", authz = "AUTH")]
async fn m_patch() -> &'static str {
    "patch"
}

#[delete("/m", authz = "AUTH")]
async fn m_delete() -> &'static str {
    "delete"
}

#[route("/r", method = "GET", method = "POST", method = "head", authz = "OPEN")]
async fn several() -> &'static str {
    "several"
}

#[route("/one", method = "OPTIONS", authz = "CLOSE")]
async fn one() -> &'static str {
    "one"
}

#[fsa_runtime::route("/qualified", authz = "AUTH", method = "PUT", method = "PATCH")]
async fn qualified() -> &'static str {
    "qualified"
}

mod api {
    /// A documented, public route in a module.
    #[fsa_runtime::get("/api/list", authz = "employee")]
    pub async fn list() -> &'static str {
        "list"
    }
}

#[test]
fn run() {
    let routes = routes![
        m_get,
        m_post,
        m_put,
        m_patch,
        m_delete,
        several,
        one,
        qualified,
        api::list
    ];
    assert_eq!(routes[5].info().methods(), &["GET", "POST", "HEAD"]);
    assert_eq!(routes[8].info().path(), "/api/list");
}
