//! Path variables may name a parameter by its request name: `<type>` for
//! `r#type`, `<pass>` for `_pass`.
use fsa_runtime::prelude::*;

#[get("/k/<type>", authz = "AUTH")]
async fn by_type(r#type: String) -> String {
    r#type
}

#[get("/p/<pass>", authz = "AUTH")]
async fn pass(_pass: String) -> String {
    _pass
}

#[test]
fn run() {
    let routes = routes![by_type, pass];
    assert_eq!(routes[0].info().actix_path(), "/k/{type}");
    assert_eq!(routes[1].info().params().next().unwrap().name(), "pass");
}
