// Group names, integer groups, the pseudo-groups and their aliases.
use fsa_runtime::prelude::*;

#[get("/group", authz = "employee")]
async fn group() -> &'static str {
    "group"
}

#[get("/int-group", authz = 0)]
async fn int_group() -> &'static str {
    "int group"
}

#[get("/open", authz = "OPEN")]
async fn open() -> &'static str {
    "open"
}

#[get("/auth", authz = "AUTH")]
async fn auth() -> &'static str {
    "auth"
}

#[get("/close", authz = "CLOSE")]
async fn close() -> &'static str {
    "close"
}

#[get("/noauth", authz = "NOAUTH")]
async fn noauth() -> &'static str {
    "noauth"
}

#[get("/authenticated", authz = "AUTHENTICATED")]
async fn authenticated() -> &'static str {
    "authenticated"
}

#[get("/nobody", authz = "NOBODY")]
async fn nobody() -> &'static str {
    "nobody"
}

#[get("/groups", authz = ["employee", "manager", 42])]
async fn groups() -> &'static str {
    "groups"
}

#[get("/auth-and-group", authz = ["AUTH", "employee"],)]
async fn auth_and_group() -> &'static str {
    "auth and group"
}

#[test]
fn run() {
    let routes = routes![
        group,
        int_group,
        open,
        auth,
        close,
        noauth,
        authenticated,
        nobody,
        groups,
        auth_and_group,
    ];
    assert_eq!(routes.len(), 10);
}
