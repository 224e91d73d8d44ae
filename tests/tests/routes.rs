//! What an application can read of its routes: `fsa.routes()` and
//! `Route::info()`, as the route macros declared them.

use fsa_runtime::{
    params::ParamKind,
    prelude::*,
    route::{Authz, RouteInfo},
};

#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello"
}

#[route("/store/<int:sid>", method = "GET", method = "HEAD", authz = ["employee", ("store", "sid", "manager")], authn = ["token", "basic"], realm = "stores")]
async fn store(sid: i64, _user: CurrentUser, #[name("x-note")] note: Option<String>) -> String {
    format!("{sid} {note:?}")
}

#[post("/fun/<i>/<j>", authz = any("admin", all(("fun", "i:j", 2), "kid")))]
async fn fun(i: i64, j: i64) -> String {
    (i + j).to_string()
}

fn app() -> Fsa {
    fsa_tests::build(
        fsa_tests::from_toml("routes", "FSA_AUTH = [\"token\", \"basic\", \"none\"]")
            .get_user_pass(fsa_tests::get_user_pass)
            .user_in_group(|_: &str, _: &str| false)
            .object_perms("store", |_: &str, _: i64, _: Option<&str>| Some(true))
            .object_perms("fun", |_: &str, _: i64, _: i64, _: Option<&str>| Some(true))
            .routes(routes![hello, store, fun]),
    )
}

#[test]
fn an_application_lists_its_routes_in_order_as_declared() {
    let app = app();
    let routes: Vec<RouteInfo<'_>> = app.routes().collect();
    let listed: Vec<String> = routes
        .iter()
        .map(|r| format!("{r}: {}", r.authz()))
        .collect();
    assert_eq!(
        listed,
        [
            "GET /hello (routes::hello): OPEN",
            "GET,HEAD /store/<int:sid> (routes::store): [\"employee\", (\"store\", \"sid\", \"manager\")]",
            "POST /fun/<i>/<j> (routes::fun): any(\"admin\", all((\"fun\", \"i:j\", \"2\"), \"kid\"))",
        ]
    );
    let store = routes[1];
    assert_eq!(store.name(), "store");
    assert_eq!(store.actix_path(), "/store/{sid:[0-9]+}");
    assert_eq!(store.authn(), Some(&["token", "basic"][..]));
    assert_eq!(store.realm(), Some("stores"));
    assert_eq!(routes[0].authn(), None);
    // What the configuration made of them.
    assert_eq!(store.schemes(), Some(vec!["token", "basic"]));
    assert_eq!(store.token_realm(), Some("stores"));
    assert_eq!(routes[0].schemes(), Some(vec![]));
    assert_eq!(routes[2].schemes(), Some(vec!["token", "basic"]));
    assert_eq!(routes[2].token_realm(), Some("routes"));
    let params: Vec<(&str, bool, ParamKind)> = store
        .params()
        .map(|p| (p.name(), p.in_path(), p.kind()))
        .collect();
    assert_eq!(params[0], ("sid", true, ParamKind::Request));
    assert_eq!(params[2].0, "x-note");
    assert!(store.params().next().unwrap().type_name().ends_with("i64"));
    match store.authz().iter().nth(1) {
        Some(Authz::Permission(permission)) => {
            assert_eq!(permission.domain(), "store");
            assert_eq!(permission.variables(), ["sid"]);
            assert_eq!(permission.mode(), Some("manager"));
        }
        other => panic!("a permission, not {other:?}"),
    }
    let Some(Authz::Any(any)) = routes[2].authz().iter().next() else {
        panic!("any(...)");
    };
    assert_eq!(any.iter().len(), 2);
}

#[test]
fn a_route_reads_the_same_before_it_is_built() {
    let routes = routes![hello, store, fun];
    let built: Vec<String> = app().routes().map(|r| format!("{r:?}")).collect();
    let declared: Vec<String> = routes.iter().map(|r| format!("{:?}", r.info())).collect();
    assert_eq!(built, declared);
    assert_eq!(routes[1].info().schemes(), None);
    assert_eq!(routes[1].info().token_realm(), None);
}

#[get("/words/<word>", authz = "AUTH")]
async fn words(word: String, user: CurrentUser) -> String {
    format!("{word} for {user}")
}

#[get("/mine", authz = "AUTH", authn = "token", realm = "own")]
async fn mine(user: CurrentUser) -> String {
    user.0
}

#[actix_web::test]
async fn a_group_prefixes_its_routes_and_gives_them_its_defaults() {
    use fsa_runtime::{testing::TestApp, RouteGroup};
    let fsa = fsa_tests::build(
        fsa_tests::from_toml("routes", "FSA_AUTH = [\"token\", \"basic\", \"none\"]")
            .get_user_pass(fsa_tests::get_user_pass)
            .routes(routes![hello])
            .group(
                RouteGroup::new("/b1")
                    .authn(["basic"])
                    .realm("blue")
                    .routes(routes![words, mine]),
            ),
    );
    let listed: Vec<String> = fsa
        .routes()
        .map(|r| format!("{} {:?} {:?}", r.path(), r.schemes(), r.token_realm()))
        .collect();
    assert_eq!(
        listed,
        [
            "/hello Some([]) Some(\"routes\")",
            "/b1/words/<word> Some([\"basic\"]) Some(\"blue\")",
            // its own authn and realm win
            "/b1/mine Some([\"token\"]) Some(\"own\")",
        ]
    );
    let app = TestApp::start(fsa);
    app.basic("calvin", "hobbes-rules")
        .get("/b1/words/bla")
        .send()
        .await
        .assert_text("bla for calvin");
    app.anonymous()
        .get("/b1/words/bla")
        .send()
        .await
        .assert_status(401)
        .assert_header("www-authenticate", Some("Basic realm=\"blue\""));
    app.anonymous()
        .get("/words/bla")
        .send()
        .await
        .assert_status(404);
    app.as_user("hobbes")
        .get("/b1/mine")
        .send()
        .await
        .assert_text("hobbes");
}

#[test]
fn a_group_prefix_must_be_a_plain_path() {
    use fsa_runtime::RouteGroup;
    for prefix in ["b1", "/b1/", "/", "/b<x>"] {
        let error = fsa_tests::from_toml("routes", "FSA_AUTH = [\"basic\"]")
            .get_user_pass(fsa_tests::get_user_pass)
            .group(RouteGroup::new(prefix).routes(routes![words]))
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("expected a plain path"),
            "{prefix}: {error}"
        );
    }
    let error = fsa_tests::from_toml("routes", "FSA_AUTH = [\"basic\"]")
        .get_user_pass(fsa_tests::get_user_pass)
        .group(
            RouteGroup::new("/b1")
                .authn(Vec::<String>::new())
                .routes(routes![words]),
        )
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("authn is empty"), "{error}");
}

/// actix's router takes at most 16 variables in one path; the macro refuses
/// a 17th at compile time (ui-tests/fail/path-too-many-variables.rs), and
/// 16 serve.
#[allow(clippy::too_many_arguments)]
#[get(
    "/deep/<a>/<b>/<c>/<d>/<e>/<f>/<g>/<h>/<i>/<j>/<k>/<l>/<m>/<n>/<o>/<int:p>",
    authz = "OPEN"
)]
async fn deep(
    a: String,
    b: String,
    c: String,
    d: String,
    e: String,
    f: String,
    g: String,
    h: String,
    i: String,
    j: String,
    k: String,
    l: String,
    m: String,
    n: String,
    o: String,
    p: i64,
) -> String {
    format!("{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}")
}

#[actix_web::test]
async fn a_route_takes_sixteen_path_variables() {
    use fsa_runtime::testing::TestApp;
    let app = TestApp::start(fsa_tests::build(
        fsa_tests::from_toml("routes", "FSA_AUTH = [\"none\"]").routes(routes![deep]),
    ));
    app.anonymous()
        .get("/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/16")
        .send()
        .await
        .assert_text("abcdefghijklmno16");
    app.anonymous()
        .get("/deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/sixteen")
        .send()
        .await
        // `int:` is part of the path's pattern, as in Flask: no match
        .assert_status(404);
}

/// actix's own syntax, with a regex holding braces: the variable ends at
/// the brace that closes it.
#[get("/code/{code:[0-9]{4}}/x", authz = "OPEN")]
async fn code(code: String) -> String {
    code
}

#[actix_web::test]
async fn an_actix_regex_with_braces_matches_as_written() {
    use fsa_runtime::testing::TestApp;
    let app = TestApp::start(fsa_tests::build(
        fsa_tests::from_toml("routes", "FSA_AUTH = [\"none\"]").routes(routes![code]),
    ));
    app.anonymous()
        .get("/code/1234/x")
        .send()
        .await
        .assert_text("1234");
    for path in ["/code/123/x", "/code/12345/x", "/code/abcd/x"] {
        app.anonymous().get(path).send().await.assert_status(404);
    }
}
