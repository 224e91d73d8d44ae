//! Configuration, errors, responses, request hooks and web directives over
//! real HTTP (SPEC 1, 2, 5.7, 6).

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_runtime::web::{check_path, JsonStream};
use fsa_tests::{body_text, build, get_user_pass, serve};
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
        ("/nowhere", 404, "not found"),
    ] {
        let mut res = srv.get(path).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/json",
            "{path}"
        );
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            json!({ "error": message }),
            "{path}"
        );
    }
    let res = srv.get("/teapot").send().await.unwrap();
    assert_eq!(res.headers().get("x-tea").unwrap(), "earl grey");
    let res = srv.post("/open").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers().get("allow").unwrap(), "GET");

    let srv = serve(app("FSA_ERROR_RESPONSE = \"json\""));
    let mut res = srv.get("/closed").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "\"currently closed route\"");
    let srv = serve(app(""));
    let mut res = srv.get("/closed").send().await.unwrap();
    assert_eq!(res.headers().get("content-type").unwrap(), "text/plain");
    assert_eq!(body_text(&mut res).await, "currently closed route");
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
    let mut res = srv.get("/closed").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "OOPS: currently closed route");
}

#[actix_web::test]
async fn actix_errors_keep_their_form_when_handle_all_errors_is_off() {
    let srv = serve(app(
        "FSA_HANDLE_ALL_ERRORS = false\nFSA_ERROR_RESPONSE = \"json\"",
    ));
    let mut res = srv.get("/nowhere").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_text(&mut res).await, "");
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
        let status = srv.get(path).send().await.unwrap().status();
        assert!(status.is_client_error(), "{path}: {status}");
    }
    let big = "x".repeat(100);
    let res = srv
        .post("/echo")
        .send_form(&[("text", big.as_str())])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = srv
        .post("/echo")
        .insert_header(("content-type", "application/json"))
        .send_body("[1, 2]")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = srv
        .post("/echo")
        .insert_header(("content-type", "application/json"))
        .send_body(vec![0xff, 0xfe])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = srv
        .get("/me")
        .insert_header(("Authorization", "Basic w6k="))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let huge = "y".repeat(64 * 1024);
    let status = match srv
        .get("/open")
        .insert_header(("X-Huge", huge.as_str()))
        .send()
        .await
    {
        Ok(res) => res.status(),
        Err(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    };
    assert_eq!(
        status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "huge header"
    );
    assert_eq!(
        srv.get("/open").send().await.unwrap().status(),
        StatusCode::OK
    );
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
    let res = srv.get("/created?name=x").send().await.unwrap();
    assert_eq!(res.headers().get("content-type").unwrap(), "text/html");
    let res = srv.get("/squares?n=1").send().await.unwrap();
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/json"
    );
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
    let mut res = srv.get("/early").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 418);
    assert_eq!(body_text(&mut res).await, "early");
    let mut res = srv
        .get("/me")
        .insert_header(("X-Stop", "1"))
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_text(&mut res).await,
        "stopped Some(\"calvin\") [\"basic\", \"none\"]"
    );
    let res = srv.get("/open").send().await.unwrap();
    assert_eq!(res.headers().get("x-after").unwrap(), "yes");
    assert_eq!(res.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(res.headers().get("x-status").unwrap(), "200");
    let res = srv.get("/nowhere").send().await.unwrap();
    assert_eq!(
        res.headers().get("x-frame-options").unwrap(),
        "DENY",
        "on errors too"
    );
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
    let res = client.get(srv.url("/me?a=1")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = res.headers().get("location").unwrap().to_str().unwrap();
    assert!(
        location.starts_with("/login-page?next=http%3A%2F%2F127.0.0.1%3A"),
        "{location}"
    );
    assert!(location.ends_with("%2Fme%3Fa%3D1"), "{location}");
    assert!(res.headers().get("www-authenticate").is_none());
}

#[actix_web::test]
async fn cors_preflights_are_answered_without_authentication() {
    let srv = serve(app("FSA_CORS = true"));
    let res = srv
        .request(actix_web::http::Method::OPTIONS, srv.url("/me"))
        .insert_header(("Origin", "https://example.com"))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://example.com"
    );
    let res = srv
        .get("/open")
        .insert_header(("Origin", "https://example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://example.com"
    );
    // Authentication still applies to the actual request.
    let res = srv
        .get("/me")
        .insert_header(("Origin", "https://example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let srv = serve(app(
        "FSA_CORS = true\nFSA_CORS_OPTS = { origins = [\"https://good.example\"] }",
    ));
    let res = srv
        .get("/open")
        .insert_header(("Origin", "https://evil.example"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert!(Fsa::from_toml_str("a", "FSA_CORS_OPTS = { colour = 1 }").is_err());
}

#[actix_web::test]
async fn dev_mode_marks_every_answer() {
    let srv = serve(app("FSA_MODE = \"debug4\"\nFSA_LOGGING_LEVEL = \"debug\""));
    let res = srv.get("/nowhere").send().await.unwrap();
    assert_eq!(res.headers().get("fsa-request").unwrap(), "GET /nowhere");
    assert_eq!(res.headers().get("fsa-user").unwrap(), "None (none)");
    let srv = serve(app("FSA_MODE = \"prod\""));
    let res = srv.get("/open").send().await.unwrap();
    assert!(res.headers().get("fsa-request").is_none());
}
