//! Groups named by constants, alone, in lists and in combinators.
use fsa_runtime::prelude::*;

mod groups {
    pub const EMPLOYEE: &str = "employee";
    pub const ADMIN: &str = "admin";
}
use groups::ADMIN;

#[get("/store", authz = groups::EMPLOYEE)]
async fn get_store() -> &'static str {
    "stores"
}

#[get("/admin", authz = [ADMIN, "AUTH"])]
async fn get_admin() -> &'static str {
    "admin"
}

#[get("/either/<sid>", authz = any(crate::group_constants::groups::ADMIN, ("store", "sid")))]
async fn either(sid: i64) -> String {
    sid.to_string()
}

#[test]
fn run() {
    let routes = routes![get_store, get_admin, either];
    assert!(matches!(
        routes[0].info().authz().iter().next(),
        Some(fsa_runtime::route::Authz::Group("employee"))
    ));
}
