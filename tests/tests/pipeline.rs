//! The request pipeline over real HTTP: each status of FlaskSimpleAuth's
//! processing order (SPEC 3.5).

use actix_web::{http::StatusCode, web, HttpResponse};
use fsa_runtime::prelude::*;
use fsa_tests::{
    build, get_user_pass, send, send_body, send_form, send_json, serve, status, status_body,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

#[get("/open", authz = "OPEN")]
async fn open(#[default("world")] who: String) -> String {
    format!("hello {who}")
}

#[get("/auth", authz = "AUTH")]
async fn auth(user: CurrentUser) -> String {
    format!("user {user}")
}

#[get("/cacheable", authz = "AUTH")]
async fn cacheable() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, max-age=60"))
        .body("mine to cache")
}

#[get("/closed", authz = "CLOSE")]
async fn closed() -> &'static str {
    "never"
}

#[get("/kids", authz = "kid")]
async fn kids() -> &'static str {
    "kids only"
}

#[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn add_product(sid: i64, product: String, quantity: i64) -> HttpResponse {
    HttpResponse::Created().json(json!({"sid": sid, "product": product, "quantity": quantity}))
}

#[get("/types", authz = "OPEN")]
async fn types(i: i64, b: bool, f: f64, o: Option<u8>) -> String {
    format!("{i} {b} {f} {o:?}")
}

#[get("/panic", authz = "OPEN")]
async fn panics() -> &'static str {
    panic!("handler bug")
}

#[get("/sync", authz = "OPEN")]
fn sync_handler(n: u32) -> String {
    format!("{}", n * 2)
}

#[get("/fail", authz = "OPEN")]
async fn fails() -> fsa_runtime::Result<String> {
    Err(err("teapot here", 418))
}

/// The checks of store 7, which only `hook_answers_are_cached` asks for.
static STORE_7_CHECKS: AtomicUsize = AtomicUsize::new(0);

/// Stores 1 and 7 are managed by calvin, store 2 by hobbes; no other store
/// exists.
fn store_perms(login: &str, sid: i64, mode: Option<&str>) -> Option<bool> {
    assert_eq!(mode, Some("manager"));
    match sid {
        1 => Some(login == "calvin"),
        2 => Some(login == "hobbes"),
        7 => {
            STORE_7_CHECKS.fetch_add(1, Ordering::SeqCst);
            Some(login == "calvin")
        }
        _ => None,
    }
}

fn app() -> Fsa {
    build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"basic\", \"none\"]\nFSA_MODE = \"dev\"",
        )
        .get_user_pass(get_user_pass)
        .group_check("kid", |login: &str| login == "calvin")
        .object_perms("store", store_perms)
        .routes(routes![
            open,
            auth,
            cacheable,
            closed,
            kids,
            add_product,
            types,
            panics,
            sync_handler,
            fails
        ]),
    )
}

#[actix_web::test]
async fn open_routes_answer_anyone_without_authenticating() {
    let srv = serve(app());
    assert_eq!(
        status_body(srv.get("/open?who=susie")).await,
        (200, "hello susie".into())
    );
    // Bad credentials are not even looked at.
    let answer = send(srv.get("/open").basic_auth("calvin", "wrong")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "hello world");
    assert_eq!(answer.header("fsa-user"), Some("None (none)"));
}

#[actix_web::test]
async fn authenticated_answers_are_not_for_shared_caches() {
    let srv = serve(app());
    let mine = send(srv.get("/auth").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("cache-control"), Some("no-store"));
    let refused = send(srv.get("/auth")).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    // The handler's own word is kept; an OPEN route's answer is anyone's.
    let own = send(srv.get("/cacheable").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(own.status, 200);
    assert_eq!(own.header("cache-control"), Some("private, max-age=60"));
    let open = send(srv.get("/open")).await;
    assert_eq!(open.status, 200);
    assert_eq!(open.header("cache-control"), None);
}

#[actix_web::test]
async fn missing_credentials_get_401_with_a_basic_challenge() {
    let srv = serve(app());
    let answer = send(srv.get("/auth")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"acme\"")
    );
}

#[actix_web::test]
async fn good_credentials_pass_and_name_the_user() {
    let srv = serve(app());
    let answer = send(srv.get("/auth").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "user calvin");
    assert_eq!(answer.header("fsa-user"), Some("calvin (basic)"));
    assert_eq!(answer.header("fsa-request"), Some("GET /auth"));
    assert!(answer.header("fsa-delay").is_some());
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let srv = serve(app());
    let (wrong, a) = status_body(srv.get("/auth").basic_auth("calvin", "nope")).await;
    let (unknown, b) = status_body(srv.get("/auth").basic_auth("moe", "nope")).await;
    assert_eq!(wrong, 401);
    assert_eq!(unknown, 401);
    assert_eq!(a, b);
    assert!(
        !a.contains("nope"),
        "the body must not echo the password: {a}"
    );
    let garbage = ("Authorization", "Basic !!!");
    assert_eq!(
        status_body(srv.get("/auth").insert_header(garbage)).await,
        (401, "decoding error on authorization header".into())
    );
}

#[actix_web::test]
async fn closed_routes_answer_403_before_authentication() {
    let srv = serve(app());
    assert_eq!(status(srv.get("/closed")).await, 403);
    assert_eq!(
        status(srv.get("/closed").basic_auth("calvin", "hobbes-rules")).await,
        403
    );
}

#[actix_web::test]
async fn users_outside_the_group_get_403() {
    let srv = serve(app());
    let hobbes = |path: &str| status(srv.get(path).basic_auth("hobbes", "short"));
    let calvin = |path: &str| status(srv.get(path).basic_auth("calvin", "hobbes-rules"));
    assert_eq!(hobbes("/kids").await, 403);
    assert_eq!(calvin("/kids").await, 200);
    // Groups come before parameters: a stranger learns nothing of them.
    assert_eq!(hobbes("/kids?bad=1").await, 403);
}

#[actix_web::test]
async fn object_permissions_answer_404_for_unknown_objects_and_403_for_others() {
    let srv = serve(app());
    let calvin = |path: &str| srv.post(path).basic_auth("calvin", "hobbes-rules");
    let form = [("product", "pen"), ("quantity", "0x11")];
    let answer = send_form(calvin("/store/1/product"), &form).await;
    assert_eq!(answer.status, 201);
    assert_eq!(
        answer.json::<serde_json::Value>(),
        json!({"sid": 1, "product": "pen", "quantity": 17})
    );
    let pen = [("product", "pen"), ("quantity", "1")];
    let answer = send_form(calvin("/store/2/product"), &pen).await;
    assert_eq!(answer.status, 403);
    let answer = send_form(calvin("/store/3/product"), &pen).await;
    assert_eq!(answer.status, 404);
    // Parameters come before permissions: a missing one is a 400 even on an unknown store.
    let answer = send_form(calvin("/store/3/product"), &[("product", "pen")]).await;
    assert_eq!(answer.status, 400);
    // A path segment that is not an integer does not match the route.
    let answer = send_form(calvin("/store/x/product"), &pen).await;
    assert_eq!(answer.status, 404);
}

#[actix_web::test]
async fn json_bodies_must_hold_json_types() {
    let srv = serve(app());
    let calvin = || {
        srv.post("/store/1/product")
            .basic_auth("calvin", "hobbes-rules")
    };
    let good = json!({"product": "pen", "quantity": 3});
    let answer = send_json(calvin(), &good).await;
    assert_eq!(answer.status, 201);
    assert_eq!(
        answer.json::<serde_json::Value>(),
        json!({"sid": 1, "product": "pen", "quantity": 3})
    );
    let quoted = json!({"product": "pen", "quantity": "3"});
    let (status, body) = send_json(calvin(), &quoted).await.status_body();
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "parameter \"quantity\": expected a JSON integer, got a string"
        )
    );
    let broken = calvin().insert_header(("content-type", "application/json"));
    let (status, body) = send_body(broken, "{oops").await.status_body();
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "invalid JSON body: key must be a string at line 1 column 2"
        )
    );
}

#[actix_web::test]
async fn every_parameter_problem_is_listed_in_one_400() {
    let srv = serve(app());
    let (status, text) = status_body(srv.get("/types?i=012&b=1&f=x&o=300&extra=1")).await;
    assert_eq!(status, 400);
    for name in [
        "\"i\"",
        "\"b\"",
        "\"f\"",
        "\"o\"",
        "unexpected http parameter \"extra\"",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    assert_eq!(text.lines().count(), 5, "{text}");
    let text = send(srv.get("/types")).await.body;
    assert!(
        text.contains("parameter \"i\" is missing") && text.contains("parameter \"f\" is missing"),
        "{text}"
    );
    assert!(
        !text.contains("\"o\""),
        "optional parameters may be missing: {text}"
    );
}

#[actix_web::test]
async fn http_values_follow_flask_simple_auth_syntax() {
    let srv = serve(app());
    for (query, expected) in [
        ("i=0x11&b=TRUE&f=1.5", "17 true 1.5 None"),
        ("i=0o21&b=false&f=2&o=7", "17 false 2 Some(7)"),
        ("i=-0b10001&b=True&f=1e3&o=null", "-17 true 1000 None"),
    ] {
        let (status, body) = status_body(srv.get(format!("/types?{query}"))).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(body, expected);
    }
}

#[actix_web::test]
async fn sync_handlers_and_error_results_work() {
    let srv = serve(app());
    assert_eq!(send(srv.get("/sync?n=21")).await.body, "42");
    assert_eq!(
        status_body(srv.get("/fail")).await,
        (418, "teapot here".into())
    );
}

#[actix_web::test]
async fn a_panic_fails_that_request_only() {
    let srv = serve(app());
    for _ in 0..3 {
        assert_eq!(status(srv.get("/panic")).await, 500);
    }
    assert_eq!(status(srv.get("/open")).await, 200);
}

#[actix_web::test]
async fn a_panicking_hook_is_a_500_and_the_server_keeps_serving() {
    #[get("/boom", authz = "boom")]
    async fn boom() -> &'static str {
        "no"
    }
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"basic\", \"none\"]")
            .get_user_pass(get_user_pass)
            .group_check("boom", |_: &str| -> bool { panic!("hook bug") })
            .routes(routes![boom, open]),
    );
    let srv = serve(fsa);
    assert_eq!(
        status(srv.get("/boom").basic_auth("calvin", "hobbes-rules")).await,
        500
    );
    assert_eq!(status(srv.get("/open")).await, 200);
}

#[actix_web::test]
async fn only_fsa_routes_run_plain_actix_routes_are_refused_before_they_run() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let fsa = app();
    let srv = actix_test::start(move || {
        fsa.app()
            .route(
                "/plain",
                web::post().to(|| async {
                    RAN.fetch_add(1, Ordering::SeqCst);
                    "written"
                }),
            )
            .service(web::scope("/nested").route(
                "/deep",
                web::get().to(|| async {
                    RAN.fetch_add(1, Ordering::SeqCst);
                    HttpResponse::NotFound().finish()
                }),
            ))
            .default_service(web::to(|| async {
                RAN.fetch_add(1, Ordering::SeqCst);
                "unchecked"
            }))
    });
    let addr = srv.addr().to_string();
    let raw = |method: &str, path: &str| fsa_tests::raw::request(&addr, method, path, &[], None);
    let res = raw("POST", "/plain");
    assert_eq!(res.status, 403);
    assert_eq!(res.text(), "no authorization declared for this route");
    // the path as the router decodes it: /pl%61in is /plain
    for (method, path) in [
        ("POST", "/pl%61in"),
        ("POST", "/%70lain"),
        ("GET", "/nested/de%65p"),
    ] {
        assert_eq!(raw(method, path).status, 403, "{path}");
    }
    assert_eq!(raw("GET", "/nested/deep").status, 403);
    // no resource: fsa's 404, the default service does not run either
    let res = raw("GET", "/anything/else");
    assert_eq!(
        (res.status, res.text().as_str()),
        (404, fsa_tests::NOT_FOUND)
    );
    assert_eq!(RAN.load(Ordering::SeqCst), 0, "a plain handler ran");
    // fsa's own routes answer as ever, and an unknown method is still a 405.
    assert_eq!(raw("GET", "/open").status, 200);
    assert_eq!(raw("GET", "/%6Fpen").status, 200);
    assert_eq!(raw("DELETE", "/open").status, 405);
}

#[actix_web::test]
async fn a_plain_route_on_an_fsa_path_never_runs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let plain = || {
        web::get().to(|| async {
            RAN.fetch_add(1, Ordering::SeqCst);
            "plain"
        })
    };
    // `Fsa::app` registers fsa's resources first: actix routes /open to
    // fsa's, whatever comes after.
    let fsa = app();
    let srv = actix_test::start(move || fsa.app().route("/open", plain()));
    assert_eq!(
        status_body(srv.get("/open?who=susie")).await,
        (200, "hello susie".into())
    );
    // By hand, a plain resource before fsa's takes the path: refused.
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap(fsa.middleware())
            .route("/open", plain())
            .configure(fsa.configure())
    });
    assert_eq!(
        status_body(srv.get("/open")).await,
        (403, "no authorization declared for this route".into())
    );
    assert_eq!(RAN.load(Ordering::SeqCst), 0, "a plain handler ran");
}

#[actix_web::test]
async fn the_guard_knows_fsa_answers_however_the_route_is_polled() {
    use actix_web::dev::Service;
    // Two fsa middlewares around the routes: both pass fsa's answers.
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap(fsa.middleware())
            .wrap(fsa.middleware())
            .configure(fsa.configure())
    });
    assert_eq!(
        status_body(srv.get("/open")).await,
        (200, "hello world".into())
    );
    // A middleware inside fsa's that holds the answer for a later poll.
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap_fn(|request, service| {
                let answer = service.call(request);
                async move {
                    let answer = answer.await;
                    actix_web::rt::task::yield_now().await;
                    answer
                }
            })
            .wrap(fsa.middleware())
            .configure(fsa.configure())
    });
    assert_eq!(
        status_body(srv.get("/open")).await,
        (200, "hello world".into())
    );
    // One that runs the route in a task of its own (outside the
    // middleware's poll): fsa's answer still passes, a 401 still is one.
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap_fn(|request, service| {
                let answer = actix_web::rt::spawn(service.call(request));
                async move { answer.await.expect("the route's task") }
            })
            .wrap(fsa.middleware())
            .configure(fsa.configure())
    });
    for _ in 0..3 {
        assert_eq!(
            status_body(srv.get("/open")).await,
            (200, "hello world".into())
        );
        assert_eq!(status(srv.get("/auth")).await, 401);
    }
}

#[actix_web::test]
async fn a_success_that_passed_no_authorization_is_a_500() {
    use futures_util::future::{ready, Either};
    // The second line: a middleware inside fsa's answering by itself.
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap_fn(|request, service| {
                use actix_web::dev::Service;
                if let Some(status) = request.headers().get("x-shortcut") {
                    let status = status.to_str().unwrap().parse::<u16>().unwrap();
                    let status = StatusCode::from_u16(status).unwrap();
                    let response = request.into_response(HttpResponse::build(status).finish());
                    Either::Left(ready(Ok(response)))
                } else {
                    let answer = service.call(request);
                    Either::Right(async move { Ok(answer.await?.map_into_boxed_body()) })
                }
            })
            .wrap(fsa.middleware())
            .configure(fsa.configure())
    });
    assert_eq!(status(srv.get("/open")).await, 200);
    // every answer below 400, a 101 switching to a websocket included
    for code in ["200", "101", "302"] {
        let shortcut = srv.get("/open").insert_header(("x-shortcut", code));
        assert_eq!(status(shortcut).await, 500, "{code}");
    }
    // errors pass: they disclose nothing
    let shortcut = srv.get("/open").insert_header(("x-shortcut", "418"));
    assert_eq!(status(shortcut).await, 418);
}

#[actix_web::test]
async fn an_error_answered_below_400_that_passed_no_authorization_is_a_500() {
    use futures_util::future::{ready, Either};
    /// An error whose status says one thing and whose answer another:
    /// actix sends the answer (`error_response`) for an `Err`.
    #[derive(Debug)]
    struct Sneaky {
        says: u16,
        sends: u16,
    }
    impl std::fmt::Display for Sneaky {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "sneaky")
        }
    }
    impl actix_web::ResponseError for Sneaky {
        fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.says).unwrap()
        }
        fn error_response(&self) -> actix_web::HttpResponse {
            actix_web::HttpResponse::build(StatusCode::from_u16(self.sends).unwrap()).body("sneaky")
        }
    }
    let fsa = app();
    let srv = actix_test::start(move || {
        actix_web::App::new()
            .wrap_fn(|request, service| {
                use actix_web::dev::Service;
                match request.headers().get("x-error") {
                    Some(codes) => {
                        let (says, sends) = codes.to_str().unwrap().split_once('/').unwrap();
                        let sneaky = Sneaky {
                            says: says.parse().unwrap(),
                            sends: sends.parse().unwrap(),
                        };
                        Either::Left(ready(Err(sneaky.into())))
                    }
                    None => Either::Right(service.call(request)),
                }
            })
            .wrap(fsa.middleware())
            .configure(fsa.configure())
    });
    assert_eq!(status(srv.get("/open")).await, 200);
    // what is sent counts, not what the status says
    for (codes, expected) in [
        ("200/200", 500),
        ("302/302", 500),
        ("500/200", 500),
        ("418/204", 500),
        ("418/418", 418),
        ("200/418", 418),
    ] {
        let sneaky = srv.get("/open").insert_header(("x-error", codes));
        assert_eq!(status(sneaky).await, expected, "{codes}");
    }
}

#[actix_web::test]
async fn routes_refuse_to_serve_without_the_middleware() {
    let fsa = app();
    let srv = actix_test::start(move || actix_web::App::new().configure(fsa.configure()));
    assert_eq!(status(srv.get("/open")).await, 500);
}

#[actix_web::test]
async fn plain_http_from_a_remote_peer_is_refused() {
    let fsa = app();
    let service = actix_web::test::init_service(fsa.app()).await;
    let remote = actix_web::test::TestRequest::get()
        .uri("/open")
        .peer_addr("192.0.2.7:4242".parse().unwrap())
        .to_request();
    let res = actix_web::test::call_service(&service, remote).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let local = actix_web::test::TestRequest::get()
        .uri("/open")
        .peer_addr("127.0.0.1:4242".parse().unwrap())
        .to_request();
    assert_eq!(
        actix_web::test::call_service(&service, local)
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn open_without_none_authentication_becomes_auth() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"basic\"]")
            .get_user_pass(get_user_pass)
            .routes(routes![open]),
    );
    let srv = serve(fsa);
    assert_eq!(status(srv.get("/open")).await, 401);
    assert_eq!(
        status(srv.get("/open").basic_auth("calvin", "hobbes-rules")).await,
        200
    );
}

#[actix_web::test]
async fn hook_answers_are_cached() {
    let srv = serve(app());
    for _ in 0..3 {
        let calvin = srv
            .post("/store/7/product")
            .basic_auth("calvin", "hobbes-rules");
        let form = [("product", "cached"), ("quantity", "1")];
        assert_eq!(send_form(calvin, &form).await.status, 201);
    }
    let hobbes = srv.post("/store/7/product").basic_auth("hobbes", "short");
    let form = [("product", "cached"), ("quantity", "1")];
    assert_eq!(send_form(hobbes, &form).await.status, 403);
    // Once for calvin, once for hobbes: the two later answers came from the cache.
    assert_eq!(STORE_7_CHECKS.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn every_answer_below_400_needs_an_authorization() {
    #[get("/moved", authz = "OPEN")]
    async fn moved() -> fsa_runtime::Result<String> {
        Err(err("moved", 302).header("Location", "/open"))
    }
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"basic\", \"none\"]")
            .routes(routes![moved, open]),
    );
    let srv = actix_test::start(move || fsa.app());
    let client = awc::Client::builder().disable_redirects().finish();
    let answer = send(client.get(srv.url("/moved"))).await;
    assert_eq!(answer.status, 302, "a deliberate redirect of an fsa route");
    assert_eq!(answer.header("location"), Some("/open"));
    // a 101 from elsewhere: see a_success_that_passed_no_authorization_is_a_500
}
