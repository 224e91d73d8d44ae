//! Configuration, errors, responses, request hooks and web directives over
//! real HTTP (SPEC 1, 2, 5.7, 6).

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_runtime::web::{check_path, JsonStream};
use fsa_tests::NOT_FOUND;
use fsa_tests::{
    body_text, build, from_toml, get_user_pass, send, send_body, send_form, serve, status,
    status_body,
};
use serde_json::{json, Value};

#[get("/open", authz = "OPEN")]
async fn open() -> &'static str {
    "open"
}

#[get("/closed", authz = "CLOSE")]
async fn closed() -> &'static str {
    "never"
}

#[get("/teapot", authz = "OPEN")]
async fn teapot() -> fsa_runtime::Result<String> {
    Err(err("I'm a teapot", 418).header("X-Tea", "earl grey"))
}

#[get("/created", authz = "OPEN")]
async fn created(name: String) -> (String, StatusCode) {
    (format!("made {name}"), StatusCode::CREATED)
}

#[get("/me", authz = "AUTH")]
async fn me(user: CurrentUser) -> String {
    user.0
}

#[get("/squares", authz = "OPEN")]
async fn squares(n: u64) -> JsonStream<Vec<u64>> {
    JsonStream((0..n).map(|i| i * i).collect())
}

#[post("/echo", authz = "OPEN")]
async fn echo(text: String) -> String {
    text
}

fn app(config: &str) -> Fsa {
    build(
        fsa_tests::from_toml(
            "acme",
            &format!("FSA_AUTH = [\"basic\", \"none\"]\n{config}"),
        )
        .get_user_pass(get_user_pass)
        .routes(routes![open, closed, teapot, created, me, squares, echo]),
    )
}

#[actix_web::test]
async fn every_error_goes_through_the_configured_format() {
    let srv = serve(app("FSA_ERROR_RESPONSE = \"json:error\""));
    for (path, status, message) in [
        ("/closed", 403, "currently closed route"),
        ("/open?x=1", 400, "unexpected http parameter \"x\""),
        ("/teapot", 418, "I'm a teapot"),
        ("/me", 401, "missing authorization header"),
        ("/nowhere", 404, NOT_FOUND),
    ] {
        let answer = send(srv.get(path)).await;
        assert_eq!(answer.status, status, "{path}");
        let content_type = answer.header("content-type");
        assert_eq!(content_type, Some("application/json"), "{path}");
        let error = json!({ "error": message });
        assert_eq!(answer.json::<Value>(), error, "{path}");
    }
    let answer = send(srv.get("/teapot")).await;
    assert_eq!(answer.header("x-tea"), Some("earl grey"));
    let answer = send(srv.post("/open")).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));

    let srv = serve(app("FSA_ERROR_RESPONSE = \"json\""));
    let answer = send(srv.get("/closed")).await;
    assert_eq!(answer.body, "\"currently closed route\"");
    let srv = serve(app(""));
    let answer = send(srv.get("/closed")).await;
    assert_eq!(answer.header("content-type"), Some("text/plain"));
    assert_eq!(answer.body, "currently closed route");
}

#[actix_web::test]
async fn a_custom_error_format_is_a_function() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = \"none\"")
            .error_response(|e: &ErrorResponse| {
                HttpResponse::build(e.status()).body(format!("OOPS: {}", e.message()))
            })
            .routes(routes![closed]),
    );
    let srv = serve(fsa);
    let answer = send(srv.get("/closed")).await;
    assert_eq!(answer.body, "OOPS: currently closed route");
}

#[actix_web::test]
async fn actix_errors_keep_their_form_when_handle_all_errors_is_off() {
    let srv = serve(app(
        "FSA_HANDLE_ALL_ERRORS = false\nFSA_ERROR_RESPONSE = \"json\"",
    ));
    assert_eq!(status_body(srv.get("/nowhere")).await, (404, "".into()));
}

#[actix_web::test]
async fn hostile_input_gets_a_4xx_and_the_server_keeps_serving() {
    let srv = serve(app("FSA_MAX_BODY = 64"));
    for path in [
        "/open%00",
        "/open%0D%0A",
        "/op%FFen",
        "/open?x=%FF",
        "/open?%00=1",
        "/../../etc/passwd",
        "/open?a=%zz",
    ] {
        let status = send(srv.get(path)).await.status;
        assert!(status.is_client_error(), "{path}: {status}");
    }
    let big = "x".repeat(100);
    let answer = send_form(srv.post("/echo"), &[("text", big.as_str())]).await;
    assert_eq!(answer.status, 413);
    let json_echo = || {
        srv.post("/echo")
            .insert_header(("content-type", "application/json"))
    };
    assert_eq!(send_body(json_echo(), "[1, 2]").await.status, 400);
    assert_eq!(send_body(json_echo(), vec![0xff, 0xfe]).await.status, 400);
    let bad_basic = ("Authorization", "Basic w6k=");
    assert_eq!(status(srv.get("/me").insert_header(bad_basic)).await, 401);
    let huge = "y".repeat(64 * 1024);
    let addr = srv.addr().to_string();
    let answer = fsa_tests::raw::request(&addr, "GET", "/open", &[("X-Huge", &huge)], None);
    assert_eq!(answer.status, 431, "huge header");
    assert_eq!(send(srv.get("/open")).await.status, 200);
}

#[actix_web::test]
async fn handlers_answer_tuples_and_streamed_json() {
    let srv = serve(app(""));
    let mut res = srv.get("/created?name=pen").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(body_text(&mut res).await, "made pen");
    let mut res = srv.get("/squares?n=4").send().await.unwrap();
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/json"
    );
    assert!(res.headers().get("content-length").is_none(), "streamed");
    assert_eq!(body_text(&mut res).await, "[0,1,4,9]\n");
    let mut res = srv.get("/squares?n=0").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "[]\n");
    let srv = serve(app("FSA_JSON_STREAMING = false"));
    let mut res = srv.get("/squares?n=3").send().await.unwrap();
    assert_eq!(res.headers().get("content-length").unwrap(), "7");
    assert_eq!(body_text(&mut res).await, "[0,1,4]");
}

#[actix_web::test]
async fn the_default_content_type_applies_to_text_answers() {
    let srv = serve(app("FSA_DEFAULT_CONTENT_TYPE = \"text/html\""));
    let answer = send(srv.get("/created?name=x")).await;
    assert_eq!(answer.header("content-type"), Some("text/html"));
    let answer = send(srv.get("/squares?n=1")).await;
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

#[actix_web::test]
async fn request_hooks_run_before_and_after() {
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"basic\", \"none\"]\nFSA_ADD_HEADERS = { X-Frame-Options = \"DENY\" }",
        )
        .get_user_pass(get_user_pass)
        .before_request(|req| {
            (req.path() == "/early")
                .then(|| HttpResponse::build(StatusCode::IM_A_TEAPOT).body("early"))
        })
        .before_exec(|req, login, schemes| {
            req.headers()
                .contains_key("x-stop")
                .then(|| HttpResponse::Ok().body(format!("stopped {login:?} {schemes:?}")))
        })
        .after_request(|_, res| {
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("x-after"),
                actix_web::http::header::HeaderValue::from_static("yes"),
            );
        })
        .add_header_with("X-Status", |res| Some(res.status().as_u16().to_string()))
        .routes(routes![open, me]),
    );
    let srv = serve(fsa);
    assert_eq!(status_body(srv.get("/early")).await, (418, "early".into()));
    let stop = srv
        .get("/me")
        .insert_header(("X-Stop", "1"))
        .basic_auth("calvin", "hobbes-rules");
    assert_eq!(
        send(stop).await.body,
        "stopped Some(\"calvin\") [\"basic\", \"none\"]"
    );
    let answer = send(srv.get("/open")).await;
    assert_eq!(answer.header("x-after"), Some("yes"));
    assert_eq!(answer.header("x-frame-options"), Some("DENY"));
    assert_eq!(answer.header("x-status"), Some("200"));
    let answer = send(srv.get("/nowhere")).await;
    let frame_options = answer.header("x-frame-options");
    assert_eq!(frame_options, Some("DENY"), "on errors too");
}

#[test]
fn path_checks_run_at_build() {
    #[get("/GetStore", authz = "OPEN")]
    async fn bad() -> &'static str {
        "bad"
    }
    let error = fsa_tests::from_toml("acme", "FSA_AUTH = \"none\"")
        .path_check(check_path)
        .routes(routes![open, bad])
        .build()
        .unwrap_err();
    assert_eq!(error.problems().len(), 1, "{error}");
    assert!(
        error.problems()[0].contains("bad path /GetStore"),
        "{error}"
    );
    assert_eq!(check_path("GET", "/"), None);
    assert_eq!(check_path("GET", "/my-store2/<sid>"), None);
    assert!(check_path("GET", "/delete-all").is_some());
    assert!(check_path("GET", "/s/<int:sid>").is_some());
}

#[actix_web::test]
async fn a_401_can_redirect_to_a_login_page() {
    let srv = serve(app(
        "FSA_401_REDIRECT = \"/login-page\"\nFSA_URL_NAME = \"next\"",
    ));
    let client = awc::Client::builder().disable_redirects().finish();
    let answer = send(client.get(srv.url("/me?a=1"))).await;
    assert_eq!(answer.status, 307);
    let location = answer.header("location").unwrap();
    assert!(
        location.starts_with("/login-page?next=http%3A%2F%2F127.0.0.1%3A"),
        "{location}"
    );
    assert!(location.ends_with("%2Fme%3Fa%3D1"), "{location}");
    assert!(answer.header("www-authenticate").is_none());
}

#[actix_web::test]
async fn cors_preflights_are_answered_without_authentication() {
    let srv = serve(app("FSA_CORS = true"));
    let origin = ("Origin", "https://example.com");
    let preflight = srv
        .request(actix_web::http::Method::OPTIONS, srv.url("/me"))
        .insert_header(origin)
        .insert_header(("Access-Control-Request-Method", "GET"));
    let answer = send(preflight).await;
    assert_eq!(answer.status, 200);
    let allowed = answer.header("access-control-allow-origin");
    assert_eq!(allowed, Some("https://example.com"));
    let answer = send(srv.get("/open").insert_header(origin)).await;
    let allowed = answer.header("access-control-allow-origin");
    assert_eq!(allowed, Some("https://example.com"));
    // Authentication still applies to the actual request.
    assert_eq!(status(srv.get("/me").insert_header(origin)).await, 401);

    let srv = serve(app(
        "FSA_CORS = true\nFSA_CORS_OPTS = { origins = [\"https://good.example\"] }",
    ));
    let evil = ("Origin", "https://evil.example");
    let answer = send(srv.get("/open").insert_header(evil)).await;
    assert!(answer.header("access-control-allow-origin").is_none());
    assert!(Fsa::from_toml_str("a", "FSA_CORS_OPTS = { colour = 1 }").is_err());
}

#[actix_web::test]
async fn dev_mode_marks_every_answer() {
    let srv = serve(app("FSA_MODE = \"debug4\"\nFSA_LOGGING_LEVEL = \"debug\""));
    let answer = send(srv.get("/nowhere")).await;
    assert_eq!(answer.header("fsa-request"), Some("GET /nowhere"));
    assert_eq!(answer.header("fsa-user"), Some("None (none)"));
    let srv = serve(app("FSA_MODE = \"prod\""));
    let answer = send(srv.get("/open")).await;
    assert!(answer.header("fsa-request").is_none());
}

#[actix_web::test]
async fn get_routes_answer_head_and_paths_answer_options_with_their_methods() {
    use fsa_runtime::testing::TestApp;
    let app = TestApp::start(app_for_methods());
    let head = app
        .anonymous()
        .request(actix_web::http::Method::HEAD, "/both")
        .send()
        .await;
    head.assert_status(200).assert_text("");
    for (path, allow) in [
        ("/both", "GET, POST, HEAD, OPTIONS"),
        ("/only-post", "POST, OPTIONS"),
    ] {
        app.anonymous()
            .request(actix_web::http::Method::OPTIONS, path)
            .send()
            .await
            .assert_status(200)
            .assert_header("allow", Some(allow));
    }
    // A wrong method is still a 405, telling the same methods but OPTIONS.
    app.anonymous()
        .delete("/only-post")
        .send()
        .await
        .assert_status(405);
}

#[fsa_runtime::route("/both", method = "GET", method = "POST", authz = "OPEN")]
async fn both() -> &'static str {
    "both"
}

#[fsa_runtime::post("/only-post", authz = "OPEN")]
async fn only_post() -> &'static str {
    "posted"
}

fn app_for_methods() -> Fsa {
    build(
        from_toml("web", "FSA_AUTH = \"none\"\nFSA_TOKEN_TYPE = \"none\"")
            .routes(routes![both, only_post]),
    )
}

#[fsa_runtime::get("/conflict", authz = "OPEN")]
async fn conflict() -> Result<String, actix_web::Error> {
    Err(actix_web::error::ErrorConflict("taken"))
}

#[fsa_runtime::get("/maybe/<n>", authz = "OPEN")]
async fn maybe(n: i64) -> Option<String> {
    (n == 1).then(|| "one".to_string())
}

#[fsa_runtime::get("/bare-404", authz = "OPEN")]
async fn bare_404() -> HttpResponse {
    HttpResponse::NotFound().finish()
}

#[fsa_runtime::get("/own-400", authz = "OPEN")]
async fn own_400() -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"mine": true}))
}

#[actix_web::test]
async fn handler_errors_go_through_the_error_format_unless_they_have_a_body() {
    use fsa_runtime::testing::TestApp;
    let fsa = build(
        from_toml(
            "web",
            "FSA_AUTH = \"none\"\nFSA_TOKEN_TYPE = \"none\"\nFSA_ERROR_RESPONSE = \"json:error\"",
        )
        .routes(routes![conflict, maybe, bare_404, own_400]),
    );
    let app = TestApp::start(fsa);
    let client = app.anonymous();
    for (path, status, error) in [
        ("/conflict", 409, "taken"),
        ("/maybe/2", 404, NOT_FOUND),
        ("/bare-404", 404, NOT_FOUND),
    ] {
        client
            .get(path)
            .send()
            .await
            .assert_status(status)
            .assert_json(&json!({ "error": error }));
    }
    client.get("/maybe/1").send().await.assert_text("one");
    client
        .get("/own-400")
        .send()
        .await
        .assert_status(400)
        .assert_json(&json!({"mine": true}));
}
