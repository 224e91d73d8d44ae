//! The request pipeline over real HTTP: each status of FlaskSimpleAuth's
//! processing order (SPEC 3.5).

use actix_web::{http::StatusCode, web, HttpResponse};
use fsa_runtime::prelude::*;
use fsa_tests::{body_text, build, get_user_pass, serve};
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

static PERM_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Store 1 is managed by calvin, store 2 by hobbes; no other store exists.
fn store_perms(login: &str, sid: i64, mode: Option<&str>) -> Option<bool> {
    PERM_CALLS.fetch_add(1, Ordering::SeqCst);
    assert_eq!(mode, Some("manager"));
    match sid {
        1 => Some(login == "calvin"),
        2 => Some(login == "hobbes"),
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
    let mut res = srv.get("/open?who=susie").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "hello susie");
    // Bad credentials are not even looked at.
    let mut res = srv
        .get("/open")
        .basic_auth("calvin", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "hello world");
    assert_eq!(res.headers().get("fsa-user").unwrap(), "None (none)");
}

#[actix_web::test]
async fn missing_credentials_get_401_with_a_basic_challenge() {
    let srv = serve(app());
    let res = srv.get("/auth").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers().get("www-authenticate").unwrap(),
        "Basic realm=\"acme\""
    );
}

#[actix_web::test]
async fn good_credentials_pass_and_name_the_user() {
    let srv = serve(app());
    let mut res = srv
        .get("/auth")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "user calvin");
    assert_eq!(res.headers().get("fsa-user").unwrap(), "calvin (basic)");
    assert_eq!(res.headers().get("fsa-request").unwrap(), "GET /auth");
    assert!(res.headers().get("fsa-delay").is_some());
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let srv = serve(app());
    let mut wrong = srv
        .get("/auth")
        .basic_auth("calvin", "nope")
        .send()
        .await
        .unwrap();
    let mut unknown = srv
        .get("/auth")
        .basic_auth("moe", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (body_text(&mut wrong).await, body_text(&mut unknown).await);
    assert_eq!(a, b);
    assert!(
        !a.contains("nope"),
        "the body must not echo the password: {a}"
    );
    let mut garbage = srv
        .get("/auth")
        .insert_header(("Authorization", "Basic !!!"))
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_text(&mut garbage).await,
        "decoding error on authorization header"
    );
}

#[actix_web::test]
async fn closed_routes_answer_403_before_authentication() {
    let srv = serve(app());
    assert_eq!(
        srv.get("/closed").send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = srv
        .get("/closed")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn users_outside_the_group_get_403() {
    let srv = serve(app());
    let res = srv
        .get("/kids")
        .basic_auth("hobbes", "short")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = srv
        .get("/kids")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Groups come before parameters: a stranger learns nothing of them.
    let res = srv
        .get("/kids?bad=1")
        .basic_auth("hobbes", "short")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn object_permissions_answer_404_for_unknown_objects_and_403_for_others() {
    let srv = serve(app());
    let calvin = |path: &str| srv.post(path).basic_auth("calvin", "hobbes-rules");
    let mut res = calvin("/store/1/product")
        .send_form(&[("product", "pen"), ("quantity", "0x11")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        json!({"sid": 1, "product": "pen", "quantity": 17})
    );
    let res = calvin("/store/2/product")
        .send_form(&[("product", "pen"), ("quantity", "1")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = calvin("/store/3/product")
        .send_form(&[("product", "pen"), ("quantity", "1")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Parameters come before permissions: a missing one is a 400 even on an unknown store.
    let res = calvin("/store/3/product")
        .send_form(&[("product", "pen")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A path segment that is not an integer does not match the route.
    let res = calvin("/store/x/product")
        .send_form(&[("product", "pen"), ("quantity", "1")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn json_bodies_must_hold_json_types() {
    let srv = serve(app());
    let calvin = || {
        srv.post("/store/1/product")
            .basic_auth("calvin", "hobbes-rules")
    };
    let res = calvin()
        .send_json(&json!({"product": "pen", "quantity": 3}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let mut res = calvin()
        .send_json(&json!({"product": "pen", "quantity": "3"}))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(&mut res).await.contains("quantity"));
    let res = calvin()
        .insert_header(("content-type", "application/json"))
        .send_body("{oops")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn every_parameter_problem_is_listed_in_one_400() {
    let srv = serve(app());
    let mut res = srv
        .get("/types?i=012&b=1&f=x&o=300&extra=1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = body_text(&mut res).await;
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
    let mut res = srv.get("/types").send().await.unwrap();
    let text = body_text(&mut res).await;
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
        let mut res = srv.get(format!("/types?{query}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        assert_eq!(body_text(&mut res).await, expected);
    }
}

#[actix_web::test]
async fn sync_handlers_and_error_results_work() {
    let srv = serve(app());
    let mut res = srv.get("/sync?n=21").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "42");
    let mut res = srv.get("/fail").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 418);
    assert_eq!(body_text(&mut res).await, "teapot here");
}

#[actix_web::test]
async fn a_panic_fails_that_request_only() {
    let srv = serve(app());
    for _ in 0..3 {
        let res = srv.get("/panic").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(
        srv.get("/open").send().await.unwrap().status(),
        StatusCode::OK
    );
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
    let res = srv
        .get("/boom")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        srv.get("/open").send().await.unwrap().status(),
        StatusCode::OK
    );
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
    assert_eq!((res.status, res.text().as_str()), (404, "not found"));
    assert_eq!(RAN.load(Ordering::SeqCst), 0, "a plain handler ran");
    // fsa's own routes answer as ever, and an unknown method is still a 405.
    assert_eq!(raw("GET", "/open").status, 200);
    assert_eq!(raw("GET", "/%6Fpen").status, 200);
    assert_eq!(raw("DELETE", "/open").status, 405);
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
    let res = srv.get("/open").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // every answer below 400, a 101 switching to a websocket included
    for status in ["200", "101", "302"] {
        let res = srv
            .get("/open")
            .insert_header(("x-shortcut", status))
            .send();
        assert_eq!(
            res.await.unwrap().status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{status}"
        );
    }
    // errors pass: they disclose nothing
    let res = srv.get("/open").insert_header(("x-shortcut", "418")).send();
    assert_eq!(res.await.unwrap().status(), StatusCode::IM_A_TEAPOT);
}

#[actix_web::test]
async fn routes_refuse_to_serve_without_the_middleware() {
    let fsa = app();
    let srv = actix_test::start(move || actix_web::App::new().configure(fsa.configure()));
    let res = srv.get("/open").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
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
    assert_eq!(
        srv.get("/open").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = srv
        .get("/open")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn hook_answers_are_cached() {
    let srv = serve(app());
    let before = PERM_CALLS.load(Ordering::SeqCst);
    for _ in 0..3 {
        let res = srv
            .post("/store/2/product")
            .basic_auth("hobbes", "short")
            .send_form(&[("product", "cached"), ("quantity", "1")])
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    // Other tests run concurrently, but at most once for (hobbes, 2) here.
    assert!(PERM_CALLS.load(Ordering::SeqCst) - before <= 3);
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
    let res = client.get(srv.url("/moved")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "a deliberate redirect of an fsa route"
    );
    assert_eq!(res.headers().get("location").unwrap(), "/open");
    // a 101 from elsewhere: see a_success_that_passed_no_authorization_is_a_500
}
