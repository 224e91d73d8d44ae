//! Each step of the tutorial over real HTTP, with the curl sessions of the
//! README; and the README quotes the code as it is.

use actix_web::http::Method;
use fsa_runtime::prelude::*;
use serde_json::{json, Value};
use tutorial::data::Inventory;

const CALVIN: (&str, &str) = ("calvin", "hobbes-rules");
const HOBBES: (&str, &str) = ("hobbes", "tiger-power");
const SUSIE: (&str, &str) = ("susie", "derkins-123");

fn serve(app: Result<Fsa, fsa_runtime::ConfigError>) -> actix_test::TestServer {
    let fsa = app.unwrap_or_else(|e| panic!("{e}"));
    let inventory = Data::new(Inventory::default());
    actix_test::start(move || fsa.app().app_data(inventory.clone()))
}

enum Auth {
    None,
    Basic((&'static str, &'static str)),
    Token(String),
}

/// One request: its status and body.
async fn call(
    srv: &actix_test::TestServer,
    method: Method,
    path: &str,
    auth: &Auth,
    form: Option<&[(&str, &str)]>,
) -> (u16, String) {
    let mut request = srv.request(method, srv.url(path));
    match auth {
        Auth::None => {}
        Auth::Basic((login, password)) => request = request.basic_auth(*login, *password),
        Auth::Token(token) => request = request.bearer_auth(token),
    }
    let mut response = match form {
        Some(form) => request.send_form(&form).await.unwrap(),
        None => request.send().await.unwrap(),
    };
    let body = response.body().await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn get(srv: &actix_test::TestServer, path: &str, auth: &Auth) -> (u16, String) {
    call(srv, Method::GET, path, auth, None).await
}

async fn post(
    srv: &actix_test::TestServer,
    path: &str,
    auth: &Auth,
    form: &[(&str, &str)],
) -> (u16, String) {
    call(srv, Method::POST, path, auth, Some(form)).await
}

async fn token(srv: &actix_test::TestServer, user: (&'static str, &'static str)) -> Auth {
    let (status, body) = get(srv, "/login", &Auth::Basic(user)).await;
    assert_eq!(status, 200, "{body}");
    Auth::Token(serde_json::from_str::<String>(&body).unwrap())
}

#[actix_web::test]
async fn step1_an_open_route() {
    let srv = serve(tutorial::step1::app());
    let response = srv.get("/hello").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("FSA-Request").unwrap(), "GET /hello");
    assert_eq!(
        get(&srv, "/hello", &Auth::None).await,
        (200, "hello!".into())
    );
}

#[actix_web::test]
async fn step2_basic_authentication() {
    let srv = serve(tutorial::step2::app());
    assert_eq!(get(&srv, "/hello", &Auth::None).await.0, 200);
    assert_eq!(get(&srv, "/hello-me", &Auth::None).await.0, 401);
    let wrong = Auth::Basic(("calvin", "tiger-power"));
    assert_eq!(get(&srv, "/hello-me", &wrong).await.0, 401);
    let me = get(&srv, "/hello-me", &Auth::Basic(CALVIN)).await;
    assert_eq!(me, (200, "hello calvin!".into()));
}

#[actix_web::test]
async fn step3_tokens() {
    let srv = serve(tutorial::step3::app());
    let hobbes = token(&srv, HOBBES).await;
    let me = get(&srv, "/hello-me", &hobbes).await;
    assert_eq!(me, (200, "hello hobbes!".into()));
    assert_eq!(get(&srv, "/login", &hobbes).await.0, 401);
    let forged = Auth::Token("eyJhbGciOiJub25lIn0.e30.".into());
    assert_eq!(get(&srv, "/hello-me", &forged).await.0, 401);
}

#[actix_web::test]
async fn step4_groups() {
    let srv = serve(tutorial::step4::app());
    let (status, body) = get(&srv, "/store", &Auth::Basic(CALVIN)).await;
    assert_eq!(status, 200);
    let stores: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        stores,
        json!([{"sid": 1, "name": "Downtown"}, {"sid": 2, "name": "Uptown"}, {"sid": 3, "name": "Harbor"}])
    );
    assert_eq!(get(&srv, "/store", &token(&srv, HOBBES).await).await.0, 200);
    assert_eq!(get(&srv, "/store", &Auth::Basic(SUSIE)).await.0, 403);
    assert_eq!(get(&srv, "/store", &Auth::None).await.0, 401);
}

#[actix_web::test]
async fn step5_object_permissions() {
    let srv = serve(tutorial::step5::app());
    let calvin = Auth::Basic(CALVIN);
    assert_eq!(
        get(&srv, "/store/1/product", &calvin).await,
        (200, "{}".into())
    );
    assert_eq!(get(&srv, "/store/2/product", &calvin).await.0, 403);
    assert_eq!(get(&srv, "/store/9/product", &calvin).await.0, 404);
    let susie = Auth::Basic(SUSIE);
    assert_eq!(get(&srv, "/store/3/product", &susie).await.0, 200);
}

#[actix_web::test]
async fn step6_parameters() {
    let srv = serve(tutorial::step6::app());
    let calvin = Auth::Basic(CALVIN);
    let (status, body) = get(&srv, "/store?name=town", &calvin).await;
    assert_eq!(status, 200);
    let stores: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stores.as_array().unwrap().len(), 2, "{stores}");
    let path = "/store/1/product";
    let pen = [("product", "pen"), ("quantity", "3")];
    let (status, body) = post(&srv, path, &calvin, &pen).await;
    assert_eq!(status, 201);
    let held: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(held, json!({"sid": 1, "product": "pen", "quantity": 3}));
    let more = [("product", "pen"), ("quantity", "0x11")];
    assert_eq!(post(&srv, path, &calvin, &more).await.0, 201);
    let mut response = srv
        .post(path)
        .basic_auth("calvin", "hobbes-rules")
        .send_json(&json!({"product": "ink", "quantity": 2}))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["quantity"], 2);
    assert_eq!(
        get(&srv, path, &calvin).await,
        (200, r#"{"ink":2,"pen":20}"#.into())
    );
    let missing = [("product", "pen")];
    assert_eq!(post(&srv, path, &calvin, &missing).await.0, 400);
    let ill_typed = [("product", "pen"), ("quantity", "ten")];
    assert_eq!(post(&srv, path, &calvin, &ill_typed).await.0, 400);
    // parameters are checked before the permission, then 403
    let hobbes = Auth::Basic(HOBBES);
    assert_eq!(post(&srv, path, &hobbes, &missing).await.0, 400);
    assert_eq!(post(&srv, path, &hobbes, &pen).await.0, 403);
}

/// Every ```rust block of the README is preceded by a line naming its file
/// (`src/step3.rs`), or by another block of the same file; the file holds
/// the block as is.
#[test]
fn readme_quotes_the_code_as_it_is() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let (mut quoted, mut i, mut file) = (0, 0, None);
    while i < lines.len() {
        if lines[i] != "```rust" {
            i += 1;
            continue;
        }
        let label = lines[..i].iter().rev().find(|l| !l.trim().is_empty());
        if label != Some(&"```") {
            file = label.and_then(|label| {
                label
                    .split('`')
                    .find(|part| part.starts_with("src/") && part.ends_with(".rs"))
            });
        }
        let file = file.unwrap_or_else(|| panic!("README line {}: name the file first", i + 1));
        let end = i + lines[i..].iter().position(|l| *l == "```").unwrap();
        let block = lines[i + 1..end].join("\n");
        let source = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        assert!(
            source.contains(&block),
            "README line {}: {file} does not hold:\n{block}",
            i + 1
        );
        quoted += 1;
        i = end + 1;
    }
    assert!(quoted >= 6, "README quotes {quoted} blocks");
}
