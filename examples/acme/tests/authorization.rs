//! Who may call what in acme: every route, as calvin, hobbes, susie and an
//! anonymous client, over HTTP, with fsa's test kit. A route added to acme
//! without its line here fails this test.

use acme::db::Db;
use fsa_runtime::prelude::*;
use fsa_runtime::testing::{AuthzMatrix, TestApp, ANONYMOUS};

/// A temporary directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// acme on a new database (seeded, in a directory removed with the guard),
/// with its own configuration file.
fn acme() -> (TestApp, TempDir) {
    let dir = std::env::temp_dir().join(format!(
        "acme-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let dir = TempDir(dir);
    let db: Db = acme::db::open(&dir.0.join("acme.db").to_string_lossy()).expect("a new database");
    let config = Fsa::from_file(acme::DEFAULT_CONFIG).expect("acme.toml");
    let fsa = acme::app(config, &db).unwrap_or_else(|e| panic!("{e}"));
    let db = Data::new(db);
    let app = TestApp::start_with(fsa, move |cfg| {
        cfg.app_data(db.clone());
    });
    // /login takes passwords only: the kit needs them there.
    app.password("calvin", "hobbes-rules")
        .password("hobbes", "tiger-power")
        .password("susie", "derkins-123");
    (app, dir)
}

#[actix_web::test]
async fn every_route_answers_each_user_as_declared() {
    let (app, _dir) = acme();
    let product =
        |r: fsa_runtime::testing::TestRequest| r.form(&[("product", "pen"), ("quantity", "1")]);
    AuthzMatrix::new(["calvin", "hobbes", "susie", ANONYMOUS])
        // group employee: calvin and hobbes
        .check("GET /store", [200, 200, 403, 401])
        // manager of the store: calvin of 1, hobbes of 2, susie of 3
        .check_with("POST /store/1/product", product, [201, 403, 403, 401])
        .check_with("POST /store/3/product", product, [403, 403, 201, 401])
        .check("GET /store/2/product", [403, 200, 403, 401])
        // no store 99: 404 for everyone authenticated, before any check
        .check("GET /store/99/product", [404, 404, 404, 401])
        // any user, with a password
        .check("GET /login", [200, 200, 200, 401])
        // the user themself only; a wrong old password is a 403 too, so
        // calvin's own line changes his password for real
        // the OpenAPI document, declared by acme.toml
        .check("GET /openapi.json", [200, 200, 200, 401])
        .check_with(
            "PATCH /user/calvin/password",
            |r| r.form(&[("oldpass", "hobbes-rules"), ("newpass", "hobbes-rules-2")]),
            [204, 403, 403, 401],
        )
        .run(&app)
        .await;
    // The change holds: the old password is refused, the new one works.
    app.basic("calvin", "hobbes-rules")
        .get("/login")
        .send()
        .await
        .assert_status(401);
    app.basic("calvin", "hobbes-rules-2")
        .get("/login")
        .send()
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn answers_are_what_the_routes_say() {
    let (app, _dir) = acme();
    let calvin = app.as_user("calvin");
    calvin
        .post("/store/1/product")
        .json(&serde_json::json!({"product": "ink", "quantity": 4}))
        .send()
        .await
        .assert_status(201)
        .assert_json(&serde_json::json!({"sid": 1, "product": "ink", "quantity": 4}));
    calvin
        .get("/store/1/product")
        .send()
        .await
        .assert_status(200)
        .assert_json(&serde_json::json!({"ink": 4}));
    let stores: Vec<serde_json::Value> = calvin
        .get("/store")
        .query(&[("pattern", "%town")])
        .send()
        .await
        .assert_status(200)
        .json();
    assert_eq!(stores.len(), 2, "Downtown and Uptown");
    // A token from /login is one user's: no shared cache keeps it.
    app.as_user("hobbes")
        .get("/login")
        .send()
        .await
        .assert_status(200)
        .assert_header("cache-control", Some("no-store"));
}
