//! Each step of the tutorial over real HTTP, with the curl sessions of the
//! README, through fsa's test kit; and the README quotes the code as it is.

use fsa_runtime::prelude::*;
use fsa_runtime::testing::{AuthzMatrix, TestApp, ANONYMOUS};
use serde_json::json;
use tutorial::data::Inventory;

/// A step's application, on a test server with its inventory, and the
/// users' passwords (for `/login`, which takes passwords only).
fn serve(app: Result<Fsa, fsa_runtime::ConfigError>) -> TestApp {
    let fsa = app.unwrap_or_else(|e| panic!("{e}"));
    let inventory = Data::new(Inventory::default());
    let app = TestApp::start_with(fsa, move |cfg| {
        cfg.app_data(inventory.clone());
    });
    app.password("calvin", "hobbes-rules")
        .password("hobbes", "tiger-power")
        .password("susie", "derkins-123");
    app
}

#[actix_web::test]
async fn step1_an_open_route() {
    let app = serve(tutorial::step1::app());
    app.anonymous()
        .get("/hello")
        .send()
        .await
        .assert_status(200)
        .assert_header("FSA-Request", Some("GET /hello"))
        .assert_text("hello!");
}

#[actix_web::test]
async fn step2_basic_authentication() {
    let app = serve(tutorial::step2::app());
    AuthzMatrix::new(["calvin", ANONYMOUS])
        .check("GET /hello", [200, 200])
        .check("GET /hello-me", [200, 401])
        .run(&app)
        .await;
    let wrong = app.basic("calvin", "tiger-power");
    wrong.get("/hello-me").send().await.assert_status(401);
    let calvin = app.basic("calvin", "hobbes-rules");
    calvin
        .get("/hello-me")
        .send()
        .await
        .assert_text("hello calvin!");
}

#[actix_web::test]
async fn step3_tokens() {
    let app = serve(tutorial::step3::app());
    let answer = app
        .basic("hobbes", "tiger-power")
        .get("/login")
        .send()
        .await;
    let token: String = answer.assert_status(200).json();
    let hobbes = app.bearer(&token);
    hobbes
        .get("/hello-me")
        .send()
        .await
        .assert_text("hello hobbes!");
    // /login takes passwords only
    hobbes.get("/login").send().await.assert_status(401);
    let forged = app.bearer("eyJhbGciOiJub25lIn0.e30.");
    forged.get("/hello-me").send().await.assert_status(401);
}

#[actix_web::test]
async fn step4_groups() {
    let app = serve(tutorial::step4::app());
    app.as_user("calvin")
        .get("/store")
        .send()
        .await
        .assert_status(200)
        .assert_json(&json!([{"sid": 1, "name": "Downtown"}, {"sid": 2, "name": "Uptown"}, {"sid": 3, "name": "Harbor"}]));
    AuthzMatrix::new(["calvin", "hobbes", "susie", ANONYMOUS])
        .check("GET /hello", [200, 200, 200, 200])
        .check("GET /hello-me", [200, 200, 200, 401])
        .check("GET /login", [200, 200, 200, 401])
        .check("GET /store", [200, 200, 403, 401])
        .run(&app)
        .await;
}

#[actix_web::test]
async fn step5_object_permissions() {
    let app = serve(tutorial::step5::app());
    let calvin = app.as_user("calvin");
    calvin
        .get("/store/1/product")
        .send()
        .await
        .assert_text("{}");
    AuthzMatrix::new(["calvin", "hobbes", "susie", ANONYMOUS])
        .check("GET /hello", [200, 200, 200, 200])
        .check("GET /hello-me", [200, 200, 200, 401])
        .check("GET /login", [200, 200, 200, 401])
        .check("GET /store", [200, 200, 403, 401])
        .check("GET /store/1/product", [200, 403, 403, 401])
        .check("GET /store/3/product", [403, 403, 200, 401])
        .check("GET /store/9/product", [404, 404, 404, 401])
        .run(&app)
        .await;
}

#[actix_web::test]
async fn step6_parameters() {
    let app = serve(tutorial::step6::app());
    let calvin = app.as_user("calvin");
    let stores: Vec<serde_json::Value> = calvin
        .get("/store?name=town")
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(stores.len(), 2, "{stores:?}");
    let path = "/store/1/product";
    let pen = [("product", "pen"), ("quantity", "3")];
    calvin
        .post(path)
        .form(&pen)
        .send()
        .await
        .assert_status(201)
        .assert_json(&json!({"sid": 1, "product": "pen", "quantity": 3}));
    let more = [("product", "pen"), ("quantity", "0x11")];
    calvin
        .post(path)
        .form(&more)
        .send()
        .await
        .assert_status(201);
    let ink = calvin
        .post(path)
        .json(&json!({"product": "ink", "quantity": 2}))
        .send()
        .await;
    assert_eq!(
        ink.assert_status(201).json::<serde_json::Value>()["quantity"],
        2
    );
    calvin
        .get(path)
        .send()
        .await
        .assert_text(r#"{"ink":2,"pen":20}"#);
    let missing = [("product", "pen")];
    calvin
        .post(path)
        .form(&missing)
        .send()
        .await
        .assert_status(400);
    let ill_typed = [("product", "pen"), ("quantity", "ten")];
    calvin
        .post(path)
        .form(&ill_typed)
        .send()
        .await
        .assert_status(400);
    // parameters are checked before the permission, then 403
    let hobbes = app.as_user("hobbes");
    hobbes
        .post(path)
        .form(&missing)
        .send()
        .await
        .assert_status(400);
    hobbes.post(path).form(&pen).send().await.assert_status(403);
    // every route of the finished application, every user
    AuthzMatrix::new(["calvin", "hobbes", "susie", ANONYMOUS])
        .check("GET /hello", [200, 200, 200, 200])
        .check("GET /hello-me", [200, 200, 200, 401])
        .check("GET /login", [200, 200, 200, 401])
        .check("GET /store", [200, 200, 403, 401])
        .check("GET /store/2/product", [403, 200, 403, 401])
        .check_with(
            "POST /store/3/product",
            |r| r.form(&[("product", "kite"), ("quantity", "1")]),
            [403, 403, 201, 401],
        )
        .run(&app)
        .await;
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
