//! fsa's test kit (`fsa_runtime::testing`): its clients act as users with
//! every token carrier, the fake scheme and passwords; its requests carry
//! queries, forms, JSON and files; its matrix fails where it must (a wrong
//! status, a route no line calls, a line written wrong).

use fsa_runtime::prelude::*;
use fsa_runtime::testing::{AuthzMatrix, Multipart, TestApp, ANONYMOUS};
use fsa_tests::{build, from_toml, get_user_pass};
use std::collections::HashMap;

#[get("/hello", authz = "OPEN")]
async fn hello() -> &'static str {
    "hello"
}

#[get("/kids", authz = "kid")]
async fn kids(user: CurrentUser) -> String {
    format!("kid {user}")
}

#[get("/login", authz = "AUTH", authn = "basic")]
async fn login(user: CurrentUser) -> String {
    format!("password of {user}")
}

#[post("/echo", authz = "AUTH")]
async fn echo(user: CurrentUser, params: HashMap<String, String>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"user": user.to_string(), "params": params}))
}

#[post("/upload", authz = "AUTH")]
async fn upload(note: String, file: Upload) -> String {
    format!("{note}: {} bytes", file.data.len())
}

#[get("/other/<realm>", authz = "AUTH", realm = "elsewhere")]
async fn other(realm: String) -> String {
    realm
}

fn app(config: &str) -> TestApp {
    TestApp::start(build(
        from_toml("kit", config)
            .get_user_pass(get_user_pass)
            .group_check("kid", |login: &str| login == "calvin")
            .routes(routes![hello, kids, login, echo, upload, other]),
    ))
}

const TOKENS: &str = "FSA_AUTH = [\"token\", \"basic\", \"none\"]";

#[actix_web::test]
async fn act_as_users_with_tokens_in_every_carrier() {
    for carrier in ["bearer", "cookie", "header", "param"] {
        let config = format!("{TOKENS}\nFSA_TOKEN_CARRIER = \"{carrier}\"");
        let app = app(&config);
        app.as_user("calvin")
            .get("/kids")
            .send()
            .await
            .assert_status(200)
            .assert_text("kid calvin");
        app.as_user("hobbes")
            .get("/kids")
            .send()
            .await
            .assert_status(403);
        // The route's own realm: a token of the application's would fail.
        app.as_user("hobbes")
            .get("/other/x")
            .send()
            .await
            .assert_status(200);
    }
}

#[actix_web::test]
async fn act_as_users_with_the_fake_scheme_or_their_passwords() {
    let fake = app("FSA_AUTH = [\"fake\", \"basic\", \"none\"]\nFSA_MODE = \"dev\"");
    fake.as_user("calvin")
        .get("/kids")
        .send()
        .await
        .assert_status(200);
    let basic = app("FSA_AUTH = [\"basic\", \"none\"]");
    basic.password("calvin", "hobbes-rules");
    basic
        .as_user("calvin")
        .get("/kids")
        .send()
        .await
        .assert_status(200);
    let param = app("FSA_AUTH = [\"param\", \"basic\", \"none\"]");
    param.password("calvin", "hobbes-rules");
    param
        .as_user("calvin")
        .get("/kids")
        .send()
        .await
        .assert_status(200);
    // explicit credentials, wrong ones included
    basic
        .basic("calvin", "wrong")
        .get("/kids")
        .send()
        .await
        .assert_status(401);
    basic
        .anonymous()
        .get("/hello")
        .send()
        .await
        .assert_text("hello");
}

#[actix_web::test]
#[should_panic(expected = "give hobbes's password with TestApp::password")]
async fn say_what_to_write_when_a_route_takes_no_token() {
    let app = app(TOKENS);
    let _ = app.as_user("hobbes").get("/login").send().await;
}

#[actix_web::test]
async fn send_queries_forms_json_and_files() {
    let app = app(TOKENS);
    let calvin = app.as_user("calvin");
    let expected = serde_json::json!({"user": "calvin", "params": {"a": "1", "b": "2"}});
    calvin
        .post("/echo")
        .query(&[("a", "1")])
        .form(&[("b", "2")])
        .send()
        .await
        .assert_json(&expected);
    calvin
        .post("/echo?a=1")
        .json(&serde_json::json!({"b": "2"}))
        .send()
        .await
        .assert_json(&expected);
    let form =
        Multipart::new()
            .text("note", "photo")
            .file("file", "a.png", "image/png", vec![7u8; 1000]);
    calvin
        .post("/upload")
        .multipart(form)
        .send()
        .await
        .assert_status(200)
        .assert_text("photo: 1000 bytes");
}

#[actix_web::test]
#[should_panic(expected = "expected status 200, got GET /kids as hobbes -> 403 Forbidden")]
async fn show_the_request_and_the_answer_when_an_assertion_fails() {
    let app = app(TOKENS);
    app.as_user("hobbes")
        .get("/kids")
        .send()
        .await
        .assert_status(200);
}

/// A matrix of every route of [`app`] but those `skip` names.
fn matrix(skip: &str) -> AuthzMatrix {
    let lines: [(&str, [u16; 3]); 6] = [
        ("GET /hello", [200, 200, 200]),
        ("GET /kids", [200, 403, 401]),
        ("GET /login", [200, 200, 401]),
        ("POST /echo", [200, 200, 401]),
        ("POST /upload", [400, 400, 401]),
        ("GET /other/x", [200, 200, 401]),
    ];
    let mut matrix = AuthzMatrix::new(["calvin", "hobbes", ANONYMOUS]);
    for (request, statuses) in lines {
        if request != skip {
            matrix = matrix.check(request, statuses);
        }
    }
    matrix
}

fn with_passwords(app: TestApp) -> TestApp {
    app.password("calvin", "hobbes-rules")
        .password("hobbes", "short");
    app
}

#[actix_web::test]
async fn pass_a_matrix_that_covers_every_route() {
    let app = with_passwords(app(TOKENS));
    matrix("").run(&app).await;
}

#[actix_web::test]
async fn fail_on_a_wrong_status_listing_each() {
    let app = with_passwords(app(TOKENS));
    let report = matrix("")
        .check("GET /kids", [403, 403, 401])
        .check("GET /hello", [200, 200, 401])
        .verify(&app)
        .await
        .unwrap_err();
    assert!(
        report.starts_with("authorization matrix: 2 problem(s)"),
        "{report}"
    );
    assert!(
        report.contains("expected 403, got GET /kids as calvin -> 200 OK: kid calvin"),
        "{report}"
    );
    assert!(
        report.contains("expected 401, got GET /hello anonymous -> 200 OK: hello"),
        "{report}"
    );
}

#[actix_web::test]
async fn fail_on_every_route_the_matrix_does_not_cover() {
    let app = with_passwords(app(TOKENS));
    let report = matrix("POST /upload").verify(&app).await.unwrap_err();
    assert!(
        report.contains("not covered: POST /upload (testing_kit::upload, authz AUTH)"),
        "{report}"
    );
    assert!(
        report.starts_with("authorization matrix: 1 problem(s)"),
        "{report}"
    );
    // A line on a path of the route does cover it: sample values match.
    assert!(matrix("GET /other/x")
        .check("GET /other/anything", [200, 200, 401])
        .verify(&app)
        .await
        .is_ok());
}

#[actix_web::test]
async fn fail_on_lines_written_wrong() {
    let app = with_passwords(app(TOKENS));
    let report = matrix("")
        .check("/hello", [200, 200, 200])
        .check("GET /hello", [200, 200])
        .check("GET /nowhere", [404, 404, 404])
        .verify(&app)
        .await
        .unwrap_err();
    assert!(
        report.contains("line \"/hello\": write a method and a path"),
        "{report}"
    );
    assert!(
        report.contains("line \"GET /hello\": 2 statuses for 3 users"),
        "{report}"
    );
    assert!(
        report.contains("GET /nowhere: no route of the application serves it"),
        "{report}"
    );
}

#[route("/both", method = "GET", method = "POST", authz = "AUTH")]
async fn both() -> &'static str {
    "both"
}

#[get("/user/<name>", authz = "AUTH")]
async fn user(name: String) -> String {
    name
}

#[post("/user/me", authz = "AUTH")]
async fn me_too() -> &'static str {
    "never reached: /user/<name> comes first"
}

#[delete("/user/<name>", authz = "kid")]
async fn delete_user(name: String) -> String {
    name
}

fn shapes() -> TestApp {
    TestApp::start(build(
        from_toml("kit", TOKENS)
            .get_user_pass(get_user_pass)
            .group_check("kid", |login: &str| login == "calvin")
            .routes(routes![both, user, me_too, delete_user]),
    ))
}

#[actix_web::test]
async fn cover_each_method_of_a_route_and_each_route_of_a_path() {
    let app = shapes();
    let report = AuthzMatrix::new(["calvin", ANONYMOUS])
        .check("GET /both", [200, 401])
        .check("GET /user/hobbes", [200, 401])
        .verify(&app)
        .await
        .unwrap_err();
    // POST of /both, DELETE of /user/<name>; POST /user/me cannot be reached
    assert!(report.contains("not covered: POST /both"), "{report}");
    assert!(
        report.contains("not covered: DELETE /user/<name>"),
        "{report}"
    );
    assert!(report.contains("not covered: POST /user/me"), "{report}");
    assert!(
        !report.contains("HEAD"),
        "a HEAD comes with its GET: {report}"
    );
    let report = AuthzMatrix::new(["calvin", ANONYMOUS])
        .check("GET /both", [200, 401])
        .check("POST /both", [200, 401])
        .check("GET /user/hobbes", [200, 401])
        .check("DELETE /user/hobbes", [200, 401])
        .check("POST /user/me", [405, 405])
        .verify(&app)
        .await
        .unwrap_err();
    // As actix routes it: /user/<name> first, which has no POST.
    assert!(
        report.contains("POST /user/me: no route of the application serves it"),
        "{report}"
    );
    assert!(report.contains("not covered: POST /user/me"), "{report}");
    assert!(
        report.starts_with("authorization matrix: 2 problem(s)"),
        "{report}"
    );
}

#[actix_web::test]
async fn refuse_a_matrix_without_users() {
    let app = shapes();
    let report = AuthzMatrix::new(Vec::<String>::new())
        .check("GET /both", [])
        .verify(&app)
        .await
        .unwrap_err();
    assert!(report.contains("no users"), "{report}");
}

#[actix_web::test]
async fn send_repeated_headers_and_the_tests_cookies_with_the_token() {
    let app = app(&format!("{TOKENS}\nFSA_TOKEN_CARRIER = \"cookie\""));
    app.as_user("calvin")
        .post("/echo")
        .header("Cookie", "theme=dark")
        .form(&[("b", "2")])
        .send()
        .await
        .assert_status(200)
        .assert_json(&serde_json::json!({"user": "calvin", "params": {"b": "2"}}));
}
