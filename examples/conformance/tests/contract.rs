//! The contract of FlaskSimpleAuth's test application, row by row, over
//! HTTP (fsa's test kit), with the bundled configuration and with the
//! overrides the judge uses.

use conformance::users::Users;
use fsa_runtime::prelude::*;
use fsa_runtime::testing::{AuthzMatrix, TestApp, ANONYMOUS};
use std::sync::Arc;

const SECRET: &str = "conformance test secret, long enough to sign";

/// The application on its bundled configuration, with `overrides`.
fn app(overrides: &[(&str, &str)]) -> TestApp {
    let users = Arc::new(Users::seeded());
    let mut text = std::fs::read_to_string(conformance::DEFAULT_CONFIG).unwrap();
    text.push_str(&format!("\nFSA_TOKEN_SECRET = \"{SECRET}\"\n"));
    for (name, value) in overrides {
        text.push_str(&format!("{name} = {value}\n"));
    }
    let config = Fsa::from_toml_str("conformance", &text).unwrap_or_else(|e| panic!("{e}"));
    let fsa = conformance::app(config, &users).unwrap_or_else(|e| panic!("{e}"));
    let users = Data::new(users);
    let app = TestApp::start_with(fsa, move |cfg| {
        cfg.app_data(users.clone());
    });
    app.password("calvin", "hobbes")
        .password("hobbes", "susie")
        .password("dad", "mum");
    app
}

/// `GET path` anonymously: status and body.
async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let answer = app.anonymous().get(path).send().await;
    (answer.status(), answer.text())
}

#[actix_web::test]
async fn values_print_as_python_prints_them() {
    let app = app(&[]);
    for (path, status, body) in [
        ("/add/3?a=1.5&b=2.5", 200, "12.0"),
        ("/add/1?a=0.2&b=0.4", 200, "0.6000000000000001"),
        ("/mul/2?j=3&k=0x7", 200, "42"),
        ("/div?i=7&j=-2", 200, "-4"),
        ("/div?i=7", 200, "0"),
        ("/div?i=1&j=0", 400, "division by zero"),
        ("/sub?i=5", 200, "5"),
        ("/type?f=1.0", 200, "float 1.0"),
        ("/type?i=17", 200, "int 17"),
        ("/type?b=TRUE", 200, "bool True"),
        ("/type?s=Hello", 200, "str Hello"),
        ("/type", 200, ""),
        ("/params?c=1&a=2&b=3&LOGIN=calvin", 200, "a b c"),
        ("/one/42?msg=hello", 200, "42: hello !"),
        ("/infer/1.000", 200, "1.0 4"),
        ("/infer/1", 404, ""),
        (
            "/superid/12345678-1234-5678-1234-567812345678",
            200,
            "uid = 12345678-1234-5678-1234-567812345678/None",
        ),
        ("/cplx?c1=-1-1j", 200, "0j"),
        ("/cplx/-1j", 200, "0j"),
        ("/cplx/zero", 400, ""),
        ("/bool/TRUE", 200, "True"),
        ("/bool/maybe", 400, ""),
        ("/mail/a@b", 200, "a@b calvin@comics.net"),
        ("/mail/ab", 400, ""),
        ("/myint/5432", 200, "my_int: 5432"),
        ("/something", 200, "App"),
        ("/path/foo/bla", 200, "foo/bla"),
        ("/string/foo", 200, "foo"),
        ("/required/true?s1=a&s2=b", 200, "a b"),
        ("/required/true?s1=a", 400, ""),
        ("/required/false", 200, "hello world"),
        ("/_/foo?int=2&_=hello", 200, "foo/2/5/True"),
        ("/json?j=5432", 200, "int: 5432"),
        ("/json?j=[1,2]", 200, "list: [1, 2]"),
        ("/json?j=%22null%22", 200, "str: \"null\""),
        ("/json?j=1.0", 200, "float: 1.0"),
        ("/special", 200, "foo-bla"),
        ("/shadow/foo", 200, "Test: foo Yukon"),
        ("/shadow/foo?stuff=x", 400, ""),
        ("/oops", 518, "Ooops!"),
        ("/early-return/418", 418, "early return"),
        ("/early-return/200", 200, "early return"),
        ("/nogo", 403, ""),
        ("/403", 403, ""),
        ("/b1/blue", 403, ""),
    ] {
        let (got, text) = get(&app, path).await;
        assert_eq!(got, status, "{path}: {text}");
        if !body.is_empty() || status == 200 {
            assert_eq!(text, body, "{path}");
        }
    }
    let stuff = get(&app, "/shadow/foo?stuff=x").await;
    assert!(stuff.1.contains("\"stuff\""), "{}", stuff.1);
    // Integers as Python's: exact beyond 64 bits.
    assert_eq!(
        get(&app, "/mul/9223372036854775807?j=2&k=2").await,
        (200, "36893488147419103228".into())
    );
    assert_eq!(
        get(&app, "/sub?i=-9223372036854775808&j=1").await,
        (200, "-9223372036854775809".into())
    );
    // A 1xx is no final answer: the route runs instead.
    assert_eq!(get(&app, "/early-return/100").await.0, 500);
    // The URL is the request's own, whatever a client forwards.
    let request = app
        .anonymous()
        .get("/request")
        .header("X-Forwarded-Host", "evil.example")
        .send()
        .await;
    assert!(request.text().starts_with("http://127.0.0.1:"), "{request}");
    assert!(request.text().ends_with("/request"), "{request}");
    let lapp = get(&app, "/shadow/foo?lapp=x").await;
    assert_eq!(lapp.0, 400);
    assert!(lapp.1.contains("\"lapp\""), "{}", lapp.1);
    let when = app.as_user("calvin").get("/when?d=1970-03-20").send().await;
    when.assert_status(200);
    assert!(when.text().starts_with("in -"), "{when}");
    assert!(when.text().ends_with(" days, 0:00:00 23:34:45"), "{when}");
    app.anonymous()
        .get("/cookie/foo")
        .header("Cookie", "foo=1; bla=2")
        .send()
        .await
        .assert_text("cookie foo: 1, bla: 2, bar: foobla");
    app.anonymous()
        .get("/headers")
        .header("User-Agent", "judge")
        .header("hello", "world")
        .send()
        .await
        .assert_json(&serde_json::json!({"User-Agent": "judge", "Hello": "world"}));
}

#[actix_web::test]
async fn who_may_call_what() {
    let app = app(&[]);
    AuthzMatrix::new(["calvin", "hobbes", "dad", ANONYMOUS])
        .check("GET /login", [200, 200, 200, 401])
        .check("GET /admin", [403, 403, 200, 401])
        .check("GET /write", [200, 403, 200, 401])
        .check("GET /read", [200, 200, 403, 401])
        .check("GET /any", [200, 200, 200, 200])
        .check("GET /my/calvin", [200, 403, 200, 401])
        .check("GET /my/nobody", [404, 404, 404, 401])
        .check("GET /perm/fun/1/1", [200, 200, 200, 401])
        .check("GET /perm/fun/1/2", [403, 403, 403, 401])
        .check("GET /auth/token", [200, 200, 200, 401])
        .check("GET /auth/basic", [200, 200, 200, 401])
        .check("GET /auth/param", [200, 200, 200, 401])
        .check("GET /auth/fake", [200, 200, 200, 401])
        .check("GET /auth/password", [200, 200, 200, 401])
        .check("GET /auth/ftp", [200, 200, 200, 401])
        .check("GET /perm/basic", [200, 200, 200, 401])
        .check("GET /perm/token", [200, 200, 200, 401])
        .check("GET /perm/token-basic", [200, 200, 200, 401])
        .check("GET /perm/basic-token", [200, 200, 200, 401])
        .check("GET /when?d=2000-01-01", [200, 200, 200, 401])
        .check("GET /b1/words/bla?n=2", [200, 200, 200, 401])
        .check("GET /b1/something", [200, 200, 200, 401])
        .check("GET /b1/blue", [403, 403, 403, 403])
        .check_with(
            "PATCH /user/calvin",
            |r| r.form(&[("oldpass", "wrong"), ("newpass", "x")]),
            [422, 403, 403, 401],
        )
        .check_with(
            "PUT /user/hobbes",
            |r| r.form(&[("oldpass", "wrong"), ("newpass", "x")]),
            [403, 422, 403, 401],
        )
        .check("DELETE /user/nobody", [403, 403, 404, 401])
        .check_with(
            "POST /register",
            |r| r.form(&[("user", "calvin"), ("upass", "x")]),
            [403, 403, 403, 403],
        )
        .check("GET /add/1?a=1&b=1", [200, 200, 200, 200])
        .check("GET /mul/1?j=1&k=1", [200, 200, 200, 200])
        .check("GET /div", [200, 200, 200, 200])
        .check("GET /sub?i=1", [200, 200, 200, 200])
        .check("GET /type", [200, 200, 200, 200])
        .check("GET /params", [200, 200, 200, 200])
        .check("GET /nogo", [403, 403, 403, 403])
        .check("GET /mis1", [403, 403, 403, 403])
        .check("GET /mis2", [403, 403, 403, 403])
        .check("GET /two", [403, 403, 403, 403])
        .check("GET /403", [403, 403, 403, 403])
        .check("GET /empty", [403, 403, 403, 403])
        .check("GET /one/1?msg=m", [200, 200, 200, 200])
        .check("GET /infer/1.5", [200, 200, 200, 200])
        .check(
            "GET /superid/12345678-1234-5678-1234-567812345678",
            [200, 200, 200, 200],
        )
        .check("GET /cplx?c1=1", [200, 200, 200, 200])
        .check("GET /cplx/1", [200, 200, 200, 200])
        .check("GET /bool/true", [200, 200, 200, 200])
        .check("GET /mail/a@b", [200, 200, 200, 200])
        .check("GET /myint/1", [200, 200, 200, 200])
        .check("GET /something", [200, 200, 200, 200])
        .check("GET /path/a/b", [200, 200, 200, 200])
        .check("GET /string/s", [200, 200, 200, 200])
        .check("GET /required/true?s1=a&s2=b", [200, 200, 200, 200])
        .check("GET /required/false", [200, 200, 200, 200])
        .check("GET /f2/get", [200, 200, 200, 200])
        .check("POST /f2/post", [200, 200, 200, 200])
        .check("PUT /f2/put", [200, 200, 200, 200])
        .check("DELETE /f2/delete", [200, 200, 200, 200])
        .check("PATCH /f2/patch", [200, 200, 200, 200])
        .check("GET /_/x?int=1&_=a", [200, 200, 200, 200])
        .check("GET /oops", [518, 518, 518, 518])
        .check("GET /json?j=1", [200, 200, 200, 200])
        .check("GET /request", [200, 200, 200, 200])
        .check("GET /special", [200, 200, 200, 200])
        .check("GET /early-return/201", [201, 201, 201, 201])
        .check("GET /shadow/x", [200, 200, 200, 200])
        .check("GET /cookie/foo", [400, 400, 400, 400])
        .check("GET /headers", [400, 400, 400, 400])
        .run(&app)
        .await;
}

#[actix_web::test]
async fn users_change_at_run_time() {
    let app = app(&[]);
    let register = app
        .anonymous()
        .post("/register")
        .form(&[("user", "susie"), ("upass", "derkins")])
        .send()
        .await;
    register.assert_status(201).assert_text("");
    app.basic("susie", "derkins")
        .get("/read")
        .send()
        .await
        .assert_status(200);
    app.basic("susie", "derkins")
        .patch("/user/susie")
        .form(&[("oldpass", "derkins"), ("newpass", "moe")])
        .send()
        .await
        .assert_status(204);
    app.basic("susie", "derkins")
        .get("/read")
        .send()
        .await
        .assert_status(401);
    app.basic("susie", "moe")
        .get("/read")
        .send()
        .await
        .assert_status(200);
    app.basic("dad", "mum")
        .delete("/user/susie")
        .send()
        .await
        .assert_status(204);
    app.basic("susie", "moe")
        .get("/read")
        .send()
        .await
        .assert_status(401);
}

#[actix_web::test]
async fn tokens_travel_as_the_judge_configures_them() {
    for (carrier, name) in [
        ("\"bearer\"", "\"Youpi\""),
        ("\"param\"", "\"auth\""),
        ("\"cookie\"", "\"auth\""),
    ] {
        let app = app(&[("FSA_TOKEN_CARRIER", carrier), ("FSA_TOKEN_NAME", name)]);
        app.as_user("calvin")
            .get("/auth/token")
            .send()
            .await
            .assert_text("token auth: calvin");
        // the token parameter is no unexpected parameter, nor listed
        app.as_user("hobbes")
            .get("/params?x=1")
            .send()
            .await
            .assert_text("x");
    }
    // Without "none", OPEN routes need authentication.
    let app = app(&[("FSA_AUTH_DEFAULT", "[\"basic\"]")]);
    app.anonymous().get("/any").send().await.assert_status(401);
    app.basic("calvin", "hobbes")
        .get("/any")
        .send()
        .await
        .assert_text("no-auth");
    let app = self::app(&[("FSA_REJECT_UNEXPECTED_PARAM", "false")]);
    app.anonymous()
        .get("/any?x=1")
        .send()
        .await
        .assert_text("no-auth");
}
