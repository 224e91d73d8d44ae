//! Authorization over real HTTP: OPEN / AUTH / CLOSE, groups, object
//! permissions, OAuth scopes, `any`/`all`, hook failures and caches
//! (SPEC 1.7, 2, 3.1, 3.5).

use fsa_runtime::prelude::*;
use fsa_runtime::tokens::TokenOptions;
use fsa_tests::{build, send, send_form, send_json, serve, status, status_body};
use serde_json::json;
use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Arc,
};

/// Groups named by constants: a misspelt group is a compile error.
mod groups {
    pub const ADMIN: &str = "0";
    pub const WRITE: &str = "1";
}

#[get("/admin", authz = 0)]
async fn admin() -> &'static str {
    "admin"
}

#[get("/write", authz = groups::WRITE)]
async fn write() -> &'static str {
    "write"
}

#[get("/read", authz = "READ")]
async fn read() -> &'static str {
    "read"
}

#[get("/both", authz = [groups::WRITE, "READ"])]
async fn both() -> &'static str {
    "both"
}

#[get("/either", authz = any(groups::ADMIN, "READ"))]
async fn either() -> &'static str {
    "either"
}

#[get("/my/<login>", authz = ("users", "login"))]
async fn my(login: String) -> String {
    format!("profile of {login}")
}

#[get("/fun/<i>/<j>", authz = ("fun", "i:j"))]
async fn fun(i: i64, j: i64) -> String {
    format!("{i} == {j}")
}

#[post("/doc", authz = ("doc", "id", "write"))]
async fn doc(id: u32, body: String) -> String {
    format!("doc {id}: {body}")
}

#[get("/owner-or-admin/<login>", authz = any(groups::ADMIN, ("users", "login")))]
async fn owner_or_admin(login: String) -> String {
    format!("ok {login}")
}

#[get("/who", authz = "AUTH")]
async fn who(auth: AuthInfo) -> String {
    format!(
        "{} {}",
        auth.login().unwrap_or("-"),
        auth.scheme().unwrap_or("-")
    )
}

/// dad is ADMIN and WRITE, calvin WRITE and READ, hobbes READ.
fn user_in_group(login: &str, group: &str) -> bool {
    matches!(
        (login, group),
        ("dad", "0") | ("dad", "1") | ("calvin", "1") | ("calvin", "READ") | ("hobbes", "READ")
    )
}

/// Users see their own profile, dad sees all; unknown users do not exist.
fn users_perms(login: &str, user: String, _mode: Option<&str>) -> Option<bool> {
    ["dad", "calvin", "hobbes"]
        .contains(&user.as_str())
        .then(|| login == user || login == "dad")
}

fn app() -> Fsa {
    build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"fake\", \"none\"]\nFSA_MODE = \"dev\"",
        )
        .user_in_group(user_in_group)
        .object_perms("users", users_perms)
        .object_perms("fun", |_: &str, i: i64, j: i64, _: Option<&str>| {
            Some(i == j)
        })
        .object_perms("doc", |login: &str, id: u32, mode: Option<&str>| {
            Some(id == 1 && mode == Some("write") && login == "calvin")
        })
        .routes(routes![
            admin,
            write,
            read,
            both,
            either,
            my,
            fun,
            doc,
            owner_or_admin,
            who
        ]),
    )
}

/// The status of `GET path` as `login` (fake authentication).
async fn status_as(srv: &actix_test::TestServer, path: &str, login: &str) -> u16 {
    let sep = if path.contains('?') { '&' } else { '?' };
    status(srv.get(format!("{path}{sep}LOGIN={login}"))).await
}

#[actix_web::test]
async fn groups_admit_their_members_only() {
    let srv = serve(app());
    let cases = [
        ("/admin", [200, 403, 403]),
        ("/write", [200, 200, 403]),
        ("/read", [403, 200, 200]),
        ("/both", [403, 200, 403]),
        ("/either", [200, 200, 200]),
    ];
    for (path, expected) in cases {
        for (login, code) in ["dad", "calvin", "hobbes"].iter().zip(expected) {
            assert_eq!(
                status_as(&srv, path, login).await,
                code,
                "{path} as {login}"
            );
        }
    }
    assert_eq!(status(srv.get("/admin")).await, 401);
}

#[actix_web::test]
async fn object_permissions_check_the_named_parameters() {
    let srv = serve(app());
    assert_eq!(status_as(&srv, "/my/calvin", "calvin").await, 200);
    assert_eq!(status_as(&srv, "/my/calvin", "hobbes").await, 403);
    assert_eq!(status_as(&srv, "/my/calvin", "dad").await, 200);
    assert_eq!(status_as(&srv, "/my/moe", "dad").await, 404);
    assert_eq!(status_as(&srv, "/fun/4/4", "hobbes").await, 200);
    assert_eq!(status_as(&srv, "/fun/3/4", "hobbes").await, 403);
}

#[actix_web::test]
async fn permission_variables_come_from_query_form_or_json() {
    let srv = serve(app());
    assert_eq!(
        status(srv.post("/doc?LOGIN=calvin&id=1&body=hi")).await,
        200
    );
    let form = [("LOGIN", "calvin"), ("id", "1"), ("body", "hi")];
    assert_eq!(send_form(srv.post("/doc"), &form).await.status, 200);
    let calvin = json!({"LOGIN": "calvin", "id": 1, "body": "hi"});
    let answer = send_json(srv.post("/doc"), &calvin).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "doc 1: hi");
    let other_doc = json!({"LOGIN": "calvin", "id": 2, "body": "hi"});
    assert_eq!(send_json(srv.post("/doc"), &other_doc).await.status, 403);
    let hobbes = json!({"LOGIN": "hobbes", "id": 1, "body": "hi"});
    assert_eq!(send_json(srv.post("/doc"), &hobbes).await.status, 403);
}

#[actix_web::test]
async fn any_mixes_groups_and_permissions() {
    let srv = serve(app());
    let path = "/owner-or-admin/hobbes";
    assert_eq!(status_as(&srv, path, "hobbes").await, 200);
    assert_eq!(status_as(&srv, path, "dad").await, 200);
    assert_eq!(status_as(&srv, path, "calvin").await, 403);
    // Not found for a non-admin: every alternative failed, not all as "not found".
    assert_eq!(status_as(&srv, "/owner-or-admin/moe", "calvin").await, 403);
}

#[actix_web::test]
async fn handlers_see_the_login_and_scheme() {
    let srv = serve(app());
    assert_eq!(send(srv.get("/who?LOGIN=susie")).await.body, "susie fake");
}

#[actix_web::test]
async fn auth_with_only_none_is_closed() {
    #[get("/auth", authz = "AUTH")]
    async fn auth() -> &'static str {
        "never"
    }
    let srv = serve(build(
        fsa_tests::from_toml("acme", "FSA_AUTH = \"none\"").routes(routes![auth]),
    ));
    assert_eq!(status(srv.get("/auth")).await, 403);
}

#[actix_web::test]
async fn hook_errors_keep_their_status_and_failures_are_server_errors() {
    #[get("/teapot", authz = "tea")]
    async fn teapot() -> &'static str {
        "never"
    }
    #[get("/broken/<id>", authz = ("broken", "id"))]
    async fn broken(id: i64) -> String {
        id.to_string()
    }
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"fake\"]\nFSA_SERVER_ERROR = 518\nFSA_MODE = \"dev\"",
        )
        .group_check("tea", |_: &str| -> Result<bool, ErrorResponse> {
            Err(err("I'm a teapot", 418))
        })
        .object_perms(
            "broken",
            |_: &str, id: i64, _: Option<&str>| -> Option<bool> {
                if id == 1 {
                    panic!("permission hook bug")
                }
                Some(true)
            },
        )
        .routes(routes![teapot, broken]),
    );
    let srv = serve(fsa);
    assert_eq!(status_as(&srv, "/teapot", "calvin").await, 418);
    assert_eq!(status_as(&srv, "/broken/1", "calvin").await, 518);
    assert_eq!(status_as(&srv, "/broken/2", "calvin").await, 200);
}

#[actix_web::test]
async fn a_revoked_right_is_refused_right_after_uncaching() {
    #[get("/vip", authz = "vip")]
    async fn vip() -> &'static str {
        "vip"
    }
    #[get("/box/<id>", authz = ("box", "id"))]
    async fn open_box(id: i64) -> String {
        id.to_string()
    }
    let is_vip = Arc::new(AtomicBool::new(true));
    let owns_box = Arc::new(AtomicBool::new(true));
    let calls = Arc::new(AtomicUsize::new(0));
    let (v, o, c) = (is_vip.clone(), owns_box.clone(), calls.clone());
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"fake\"]\nFSA_MODE = \"dev\"")
            .group_check("vip", move |_: &str| {
                c.fetch_add(1, Ordering::SeqCst);
                v.load(Ordering::SeqCst)
            })
            .object_perms("box", move |_: &str, _: i64, _: Option<&str>| {
                Some(o.load(Ordering::SeqCst))
            })
            .routes(routes![vip, open_box]),
    );
    let srv = serve(fsa.clone());
    for _ in 0..3 {
        assert_eq!(status_as(&srv, "/vip", "calvin").await, 200);
        assert_eq!(status_as(&srv, "/box/7", "calvin").await, 200);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the group answer is cached"
    );
    is_vip.store(false, Ordering::SeqCst);
    owns_box.store(false, Ordering::SeqCst);
    assert_eq!(status_as(&srv, "/vip", "calvin").await, 200, "still cached");
    assert!(fsa.group_uncache("calvin", "vip").await.unwrap());
    assert!(fsa
        .object_perms_uncache("box", "calvin", &[&7i64], None)
        .await
        .unwrap());
    assert_eq!(status_as(&srv, "/vip", "calvin").await, 403);
    assert_eq!(status_as(&srv, "/box/7", "calvin").await, 403);
    // Negative answers are cached too, until uncached.
    is_vip.store(true, Ordering::SeqCst);
    assert_eq!(status_as(&srv, "/vip", "calvin").await, 403);
    assert!(fsa.auth_uncache("calvin").await.unwrap() >= 1);
    assert_eq!(status_as(&srv, "/vip", "calvin").await, 200);
}

#[actix_web::test]
async fn oauth_routes_check_the_token_scopes() {
    #[get("/character", authz = "character", authn = "oauth")]
    async fn character(auth: AuthInfo) -> String {
        format!(
            "{} may read characters: {}",
            auth.login().unwrap_or("-"),
            auth.has_scope("character")
        )
    }
    let config = "FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"god\"\nFSA_TOKEN_SECRET = \"a secret long enough for prod mode\"";
    let fsa = build(fsa_tests::from_toml("acme", config).routes(routes![character]));
    let scoped = |scopes: &[&str]| {
        fsa.create_token_with(
            "calvin",
            &TokenOptions {
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (good, other) = (scoped(&["character", "read"]), scoped(&["sidekick"]));
    let srv = serve(fsa.clone());
    assert_eq!(status(srv.get("/character")).await, 401);
    assert_eq!(
        status_body(srv.get("/character").bearer_auth(&good)).await,
        (200, "calvin may read characters: true".into())
    );
    assert_eq!(
        status_body(srv.get("/character").bearer_auth(&other)).await,
        (403, "missing permission \"character\"".into())
    );
}

#[test]
fn oauth_needs_jwt_and_an_issuer_and_declared_scopes() {
    #[get("/character", authz = "character", authn = "oauth")]
    async fn character() -> &'static str {
        "x"
    }
    let problems = |config: &str| {
        fsa_tests::from_toml("acme", config)
            .routes(routes![character])
            .build()
            .err()
            .map(|e| e.problems().join("\n"))
            .unwrap_or_default()
    };
    assert!(problems("FSA_AUTH = [\"oauth\"]").contains("FSA_TOKEN_TYPE = \"jwt\""));
    assert!(
        problems("FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"").contains("FSA_TOKEN_ISSUER")
    );
    let declared = "FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"god\"\nFSA_AUTHZ_SCOPES = [\"read\"]";
    assert!(problems(declared).contains("unexpected scope \"character\""));
}

#[actix_web::test]
async fn scopes_inside_any_and_all_are_checked_on_oauth_routes() {
    #[get("/either", authz = any("admin", "character"), authn = "oauth")]
    async fn either() -> &'static str {
        "either"
    }
    #[get("/both/<id>", authz = all("character", ("doc", "id")), authn = "oauth")]
    async fn both(id: u32) -> String {
        id.to_string()
    }
    let config = "FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"god\"\nFSA_TOKEN_SECRET = \"a secret long enough for prod mode\"";
    let fsa = build(
        fsa_tests::from_toml("acme", config)
            .object_perms("doc", |_: &str, id: u32, _: Option<&str>| Some(id == 1))
            .routes(routes![either, both]),
    );
    let token = |scopes: &[&str]| {
        fsa.create_token_with(
            "calvin",
            &TokenOptions {
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (character, sidekick) = (token(&["character"]), token(&["sidekick"]));
    let srv = serve(fsa.clone());
    let with = |path: &str, token: &str| status(srv.get(path).bearer_auth(token));
    assert_eq!(with("/either", &character).await, 200);
    assert_eq!(with("/either", &sidekick).await, 403);
    assert_eq!(with("/both/1", &character).await, 200);
    assert_eq!(with("/both/1", &sidekick).await, 403);
    assert_eq!(with("/both/2", &character).await, 403);
}
