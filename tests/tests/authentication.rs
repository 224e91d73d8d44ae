//! Authentication over real HTTP: every scheme, carrier and token type
//! (SPEC 1.4, 1.5, 5), and FlaskSimpleAuth's own tokens (fsa-runtime/tests/data).

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_runtime::tokens::TokenOptions;
use fsa_tests::{
    build, get_user_pass, send, send_body, send_form, serve, status, status_body, vectors,
};
use serde_json::{json, Value};

const SECRET: &str = "interop test secret, not for production";

#[get("/who", authz = "AUTH")]
async fn who(user: CurrentUser) -> String {
    user.0
}

#[get("/cacheable", authz = "AUTH")]
async fn cacheable() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .body("shared")
}

#[post("/who", authz = "AUTH")]
async fn post_who(user: CurrentUser) -> String {
    format!("posted by {user}")
}

#[get("/login", authz = "AUTH", authn = "basic")]
async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    Ok(Json(fsa.create_token(&user)?))
}

#[get("/mfa/start", authz = "AUTH", authn = "basic")]
async fn mfa_start(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<String> {
    let options = TokenOptions {
        realm: Some("acme-mfa".into()),
        delay: Some(1.0),
        ..Default::default()
    };
    fsa.create_token_with(&user, &options)
}

#[get("/mfa/done", authz = "AUTH", authn = "token", realm = "acme-mfa")]
async fn mfa_done(user: CurrentUser) -> String {
    format!("second stage for {user}")
}

fn app(config: &str) -> Fsa {
    build(
        fsa_tests::from_toml(
            "Acme-Test",
            &format!("FSA_TOKEN_SECRET = \"{SECRET}\"\n{config}"),
        )
        .get_user_pass(get_user_pass)
        .routes(routes![
            who, post_who, login, mfa_start, mfa_done, cacheable
        ]),
    )
}

/// A token for calvin from the `/login` route (basic authentication).
async fn calvin_token(srv: &actix_test::TestServer) -> String {
    let answer = send(srv.get("/login").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(answer.status, 200);
    // A token answer is kept by no cache (RFC 6749 5.1).
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    answer.json()
}

/// An application with the `/who` route only, for single-scheme configurations.
fn who_only(config: &str) -> Fsa {
    build(
        fsa_tests::from_toml(
            "Acme-Test",
            &format!("FSA_TOKEN_SECRET = \"{SECRET}\"\n{config}"),
        )
        .get_user_pass(get_user_pass)
        .routes(routes![who]),
    )
}

#[actix_web::test]
async fn a_token_from_a_login_route_authenticates_later_requests() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let token = calvin_token(&srv).await;
    assert!(token.starts_with("Acme-Test:calvin:"), "{token}");
    let answer = send(srv.get("/who").bearer_auth(&token)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "calvin");
    assert_eq!(answer.header("fsa-user"), None, "prod mode: no dev headers");
    // The login route takes basic only.
    assert_eq!(status(srv.get("/login").bearer_auth(&token)).await, 401);
    // A tampered signature is refused.
    let mut bad = token.clone();
    bad.pop();
    bad.push(if token.ends_with('0') { '1' } else { '0' });
    assert_eq!(status(srv.get("/who").bearer_auth(&bad)).await, 401);
}

#[actix_web::test]
async fn a_401_challenges_with_every_scheme_of_the_route() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let answer = send(srv.get("/who")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"Acme-Test\", Bearer realm=\"Acme-Test\"")
    );
    // The Bearer challenge names the tokens' realm (simplified for fsa
    // tokens, as FlaskSimpleAuth does).
    let odd = serve(app(
        "FSA_AUTH = [\"token\", \"basic\"]\nFSA_REALM = \"my realm!\"",
    ));
    let answer = send(odd.get("/who")).await;
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"my realm!\", Bearer realm=\"my-realm\"")
    );
    let answer = send(srv.get("/login")).await;
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Basic realm=\"Acme-Test\"")
    );
    // A scheme whose credentials are sent and refused explains the 401,
    // rather than the last scheme, whose credentials are absent.
    let answer = send(srv.get("/who").bearer_auth("nope")).await;
    assert_eq!(answer.body, "invalid fsa token");
    let answer = send(srv.get("/who").basic_auth("calvin", "nope")).await;
    assert_eq!(answer.body, "invalid login or password");
    let answer = send(srv.get("/who")).await;
    assert_eq!(answer.body, "missing authorization header");
}

#[actix_web::test]
async fn flask_simple_auth_fsa_tokens_are_accepted_or_refused_as_it_does() {
    let vectors = vectors();
    for v in vectors["fsa_tokens"].as_array().unwrap() {
        let mut config = String::from("FSA_AUTH = \"token\"\n");
        for (k, value) in v["config"].as_object().unwrap() {
            config.push_str(&format!("{k} = {value}\n"));
        }
        let srv = serve(who_only(&config));
        let token = v["token"].as_str().unwrap();
        let (status, body) = status_body(srv.get("/who").bearer_auth(token)).await;
        let expected = if v["expect_valid"].as_bool().unwrap() {
            200
        } else {
            401
        };
        assert_eq!(status, expected, "{token} with {config}");
        if expected == 200 {
            assert_eq!(body, v["user"].as_str().unwrap());
        } else {
            assert!(!body.contains(token), "the body must not echo the token");
        }
    }
}

#[actix_web::test]
async fn flask_simple_auth_jwt_tokens_are_accepted_or_refused_as_it_does() {
    let vectors = vectors();
    for v in vectors["jwt_tokens"].as_array().unwrap() {
        let mut config = String::from("FSA_AUTH = \"token\"\nFSA_TOKEN_TYPE = \"jwt\"\n");
        for (k, value) in v["config"].as_object().unwrap() {
            config.push_str(&format!("{k} = {value}\n"));
        }
        let srv = serve(who_only(&config));
        let token = v["token"].as_str().unwrap();
        let expected = if v["expect_valid"].as_bool().unwrap() {
            200
        } else {
            401
        };
        let status = status(srv.get("/who").bearer_auth(token)).await;
        assert_eq!(status, expected, "{token} with {config}");
    }
}

fn jwt(claims: Value, secret: &str) -> String {
    fsa_tests::hs256(&claims, secret)
}

#[actix_web::test]
async fn jwt_tokens_of_any_library_pass_and_bad_ones_get_401() {
    let srv = serve(who_only("FSA_AUTH = \"token\"\nFSA_TOKEN_TYPE = \"jwt\""));
    let later = 4_000_000_000u64;
    let good = jwt(
        json!({"sub": "calvin", "aud": "Acme-Test", "exp": later}),
        SECRET,
    );
    assert_eq!(
        status_body(srv.get("/who").bearer_auth(&good)).await,
        (200, "calvin".into())
    );
    let bad = [
        ("wrong secret", jwt(json!({"sub": "calvin", "aud": "Acme-Test", "exp": later}), "another secret")),
        ("expired", jwt(json!({"sub": "calvin", "aud": "Acme-Test", "exp": 1_000_000_000}), SECRET)),
        ("wrong audience", jwt(json!({"sub": "calvin", "aud": "other", "exp": later}), SECRET)),
        ("no audience", jwt(json!({"sub": "calvin", "exp": later}), SECRET)),
        ("no exp", jwt(json!({"sub": "calvin", "aud": "Acme-Test"}), SECRET)),
        // alg none: header {"alg":"none"}, no signature
        ("alg none", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJjYWx2aW4iLCJhdWQiOiJBY21lLVRlc3QiLCJleHAiOjQwMDAwMDAwMDB9.".to_string()),
        ("tampered", {
            let mut t = good.clone();
            t.insert(good.find('.').unwrap() + 3, 'x');
            t
        }),
    ];
    for (why, token) in bad {
        let status = status(srv.get("/who").bearer_auth(&token)).await;
        assert_eq!(status, 401, "{why}");
    }
}

#[actix_web::test]
async fn a_token_for_one_realm_is_refused_in_another() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let mfa_token = send(srv.get("/mfa/start").basic_auth("calvin", "hobbes-rules"))
        .await
        .body;
    assert!(mfa_token.starts_with("acme-mfa:calvin:"), "{mfa_token}");
    assert_eq!(
        status_body(srv.get("/mfa/done").bearer_auth(&mfa_token)).await,
        (200, "second stage for calvin".into())
    );
    assert_eq!(status(srv.get("/who").bearer_auth(&mfa_token)).await, 401);
    let app_token = calvin_token(&srv).await;
    assert_eq!(
        status(srv.get("/mfa/done").bearer_auth(&app_token)).await,
        401
    );
}

#[actix_web::test]
async fn tokens_travel_in_headers_cookies_and_parameters() {
    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"header\"\nFSA_TOKEN_NAME = \"X-Token\"");
    let token = fsa.create_token("hobbes").unwrap();
    let srv = serve(fsa);
    let with_header = srv.get("/who").insert_header(("X-Token", token.as_str()));
    assert_eq!(status(with_header).await, 200);

    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"param\"");
    let token = fsa.create_token("hobbes").unwrap();
    let srv = serve(fsa);
    let with_param = srv.get("/who").query(&[("AUTH", token.as_str())]).unwrap();
    assert_eq!(
        status(with_param).await,
        200,
        "the token parameter is not unexpected"
    );
    let form = [("AUTH", token.as_str())];
    assert_eq!(
        send_form(srv.post("/who"), &form).await.status_body(),
        (200, "posted by hobbes".into()),
        "in a form too"
    );
    let form = [("AUTH", "Acme-Test:hobbes:20991231235959:00")];
    assert_eq!(send_form(srv.post("/who"), &form).await.status, 401);

    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"cookie\"");
    let srv = serve(fsa);
    let res = srv
        .get("/who")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .cookie("auth")
        .expect("a token cookie after authentication");
    assert!(cookie.value().starts_with("Acme-Test:calvin:"));
    assert_eq!(cookie.max_age().unwrap().whole_seconds(), 3600);
    assert_eq!(
        status_body(srv.get("/who").cookie(cookie)).await,
        (200, "calvin".into())
    );
}

#[actix_web::test]
async fn the_token_parameter_is_exempt_only_when_a_scheme_reading_it_is_enabled() {
    // Tokens exist (FSA_TOKEN_TYPE is fsa) but no enabled scheme reads them:
    // `AUTH` is an ordinary, unexpected parameter (issue 20).
    let fsa = who_only("FSA_AUTH = [\"basic\"]\nFSA_TOKEN_CARRIER = \"param\"");
    let srv = serve(fsa);
    let request = srv
        .get("/who")
        .basic_auth("calvin", "hobbes-rules")
        .query(&[("AUTH", "x")])
        .unwrap();
    let (status, body) = status_body(request).await;
    assert_eq!(status, 400);
    assert_eq!(body, "unexpected http parameter \"AUTH\"");
}

#[actix_web::test]
async fn cookie_renewal_only_renews_cookies_close_to_expiry() {
    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"cookie\"\nFSA_TOKEN_RENEWAL = 0.5");
    let fresh = fsa.create_token("calvin").unwrap();
    let old = fsa
        .create_token_with(
            "calvin",
            &TokenOptions {
                delay: Some(10.0),
                ..Default::default()
            },
        )
        .unwrap();
    let srv = serve(fsa);
    let res = srv
        .get("/who")
        .cookie(actix_web::cookie::Cookie::new("auth", fresh))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.cookie("auth").is_none(), "a fresh cookie is kept");
    let res = srv
        .get("/who")
        .cookie(actix_web::cookie::Cookie::new("auth", old))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let renewed = res
        .cookie("auth")
        .expect("a cookie with 10 of 60 minutes left is renewed");
    let answer = send(srv.get("/who").cookie(renewed)).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "calvin")
    );
}

#[actix_web::test]
async fn cached_token_checks_can_be_forgotten() {
    let fsa = who_only("FSA_AUTH = \"token\"");
    let token = fsa.create_token("calvin").unwrap();
    assert_eq!(fsa.check_token(&token, None).await.unwrap(), "calvin");
    assert!(fsa.token_uncache(&token, "Acme-Test").await.unwrap());
    assert!(!fsa.token_uncache(&token, "Acme-Test").await.unwrap());
    assert_eq!(fsa.check_token(&token, None).await.unwrap(), "calvin");
    assert!(fsa.user_token_uncache("calvin", "Acme-Test").await.unwrap());
    assert!(!fsa.user_token_uncache("calvin", "Acme-Test").await.unwrap());
    let expired = fsa
        .create_token_with(
            "calvin",
            &TokenOptions {
                delay: Some(-1.0),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        fsa.check_token(&expired, None).await.unwrap_err().message(),
        "expired fsa auth token"
    );
}

#[actix_web::test]
async fn param_and_password_schemes_read_request_parameters() {
    let srv = serve(app("FSA_AUTH = \"password\""));
    assert_eq!(status(srv.put("/who")).await, 405);
    let query = [("USER", "calvin"), ("PASS", "hobbes-rules")];
    let answer = send(srv.get("/who").query(&query).unwrap()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("fsa-user"), None);
    assert_eq!(
        status_body(srv.get("/who").query(&[("USER", "calvin")]).unwrap()).await,
        (401, "missing param password parameter: PASS".into())
    );
    assert_eq!(
        status(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await,
        200
    );
}

#[actix_web::test]
async fn fake_authentication_trusts_loopback_peers_only() {
    let fsa = who_only("FSA_AUTH = [\"fake\"]\nFSA_MODE = \"dev\"");
    let srv = serve(fsa.clone());
    let answer = send(srv.get("/who?LOGIN=susie")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "susie");
    assert_eq!(answer.header("fsa-user"), Some("susie (fake)"));
    let service = actix_web::test::init_service(fsa.app()).await;
    let remote = actix_web::test::TestRequest::get()
        .uri("/who?LOGIN=susie")
        .peer_addr("192.0.2.7:4242".parse().unwrap())
        .to_request();
    let res = actix_web::test::call_service(&service, remote).await;
    assert_eq!(
        res.status(),
        500,
        "FSA_SECURE refuses plain HTTP from a remote peer"
    );
    let body = actix_web::test::read_body(res).await;
    assert!(
        body.starts_with(b"insecure HTTP request denied"),
        "{body:?}"
    );
}

#[actix_web::test]
async fn fake_authentication_is_skipped_from_a_remote_peer_even_over_trusted_transport() {
    let fsa = who_only("FSA_AUTH = [\"fake\"]\nFSA_SECURE = false\nFSA_MODE = \"dev\"");
    let service = actix_web::test::init_service(fsa.app()).await;
    let remote = actix_web::test::TestRequest::get()
        .uri("/who?LOGIN=susie")
        .peer_addr("192.0.2.7:4242".parse().unwrap())
        .to_request();
    let res = actix_web::test::call_service(&service, remote).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn httpd_authentication_reads_the_configured_header_only() {
    let srv = serve(who_only(
        "FSA_AUTH = [\"httpd\"]\nFSA_HTTPD_HEADER = \"X-Remote-User\"",
    ));
    assert_eq!(
        status_body(srv.get("/who").insert_header(("X-Remote-User", "moe"))).await,
        (200, "moe".into())
    );
    assert_eq!(status(srv.get("/who")).await, 401);
    let error = fsa_tests::from_toml("a", "FSA_AUTH = [\"httpd\"]")
        .build()
        .unwrap_err();
    assert!(error.problems()[0].contains("FSA_HTTPD_HEADER"));
}

#[actix_web::test]
async fn custom_schemes_answer_a_login_or_their_own_error() {
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"code\"]\nFSA_ERROR_RESPONSE = \"json:oops\"",
        )
        .authentication("code", |req: &HttpRequest| {
            match req.headers().get("Code") {
                Some(code) => Ok(Some(code.to_str().unwrap_or_default().to_string())),
                None => Err(
                    ErrorResponse::new("Missing Code authentication header", 401)
                        .header("Oops", "missing Code"),
                ),
            }
        })
        .routes(routes![who]),
    );
    let srv = serve(fsa);
    let answer = send(srv.get("/who")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("oops"), Some("missing Code"));
    assert_eq!(
        answer.json::<Value>(),
        json!({"oops": "Missing Code authentication header"})
    );
    let answer = send(srv.get("/who").insert_header(("Code", "hobbes"))).await;
    assert_eq!(answer.body, "hobbes");
}

#[actix_web::test]
async fn fsa_auth_default_restricts_routes_without_authn() {
    let srv = serve(app(
        "FSA_AUTH = [\"token\", \"basic\"]\nFSA_AUTH_DEFAULT = \"token\"",
    ));
    assert_eq!(
        status(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await,
        401
    );
    let token = calvin_token(&srv).await;
    assert_eq!(status(srv.get("/who").bearer_auth(&token)).await, 200);
}

#[actix_web::test]
async fn get_user_pass_answers_are_cached_negative_ones_included() {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    };
    let users: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let (known, counted) = (users.clone(), calls.clone());
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"basic\"]")
            .get_user_pass(move |login: &str| {
                counted.fetch_add(1, Ordering::SeqCst);
                let users = known.lock().unwrap();
                users
                    .iter()
                    .find(|(l, _)| l == login)
                    .map(|(_, h)| h.clone())
            })
            .routes(routes![who]),
    );
    let srv = serve(fsa.clone());
    let rosalyn = || status(srv.get("/who").basic_auth("rosalyn", "hobbes-rules"));
    assert_eq!(rosalyn().await, 401);
    users
        .lock()
        .unwrap()
        .push(("rosalyn".into(), fsa_tests::CALVIN_HASH.into()));
    assert_eq!(rosalyn().await, 401, "the unknown user is cached");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(fsa.password_uncache("rosalyn").await.unwrap());
    assert_eq!(rosalyn().await, 200);
    assert_eq!(rosalyn().await, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the hash is cached");
    // clear_caches forgets everything: the hook is asked again.
    fsa.clear_caches().await.unwrap();
    assert_eq!(rosalyn().await, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[actix_web::test]
async fn an_issuer_is_required_once_configured_and_audiences_may_be_lists() {
    let srv = serve(who_only(
        "FSA_AUTH = \"token\"\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"acme-issuer\"",
    ));
    let later = 4_000_000_000u64;
    let with = |token: String| status(srv.get("/who").bearer_auth(token));
    let claims = |extra: Value| {
        let mut claims = json!({"sub": "calvin", "aud": "Acme-Test", "exp": later});
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        jwt(claims, SECRET)
    };
    assert_eq!(with(claims(json!({"iss": "acme-issuer"}))).await, 200);
    assert_eq!(with(claims(json!({}))).await, 401, "no iss");
    assert_eq!(with(claims(json!({"iss": "other"}))).await, 401);
    let listed = claims(json!({"iss": "acme-issuer", "aud": ["other", "Acme-Test"]}));
    assert_eq!(with(listed).await, 200, "aud as a list");
}

#[actix_web::test]
async fn the_basic_scheme_name_is_case_insensitive() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let credentials = "Y2FsdmluOmhvYmJlcy1ydWxlcw=="; // calvin:hobbes-rules
    for scheme in ["Basic", "basic", "BASIC"] {
        let authorization = ("Authorization", format!("{scheme} {credentials}"));
        assert_eq!(
            status(srv.get("/who").insert_header(authorization)).await,
            200,
            "{scheme}"
        );
    }
}

#[actix_web::test]
async fn token_cookies_come_only_with_successes_of_routes_taking_tokens() {
    let srv = serve(app(
        "FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"cookie\"",
    ));
    // A password-only route (an MFA first stage) hands out no app cookie.
    let res = srv
        .get("/mfa/start")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.cookie("auth").is_none());
    let res = srv
        .get("/who")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert!(res.cookie("auth").is_some());
    let res = srv
        .get("/who?x=1")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.cookie("auth").is_none(), "no cookie on an error");
    // An answer that sets a token cookie is kept by no cache, whatever its
    // handler said.
    let res = srv
        .get("/cacheable")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert!(res.cookie("auth").is_some());
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
}

#[test]
fn fake_authentication_needs_a_dev_or_debug_mode() {
    let error = fsa_tests::from_toml("acme", "FSA_AUTH = [\"fake\"]")
        .build()
        .unwrap_err();
    assert!(error.problems()[0].contains("FSA_MODE"), "{error}");
}

#[get("/whoami", authz = "OPEN")]
async fn whoami(user: Option<CurrentUser>, auth: AuthInfo) -> String {
    let scheme = auth.scheme().unwrap_or("-").to_string();
    match user {
        Some(user) => format!("{user} ({scheme})"),
        None => format!("nobody ({scheme})"),
    }
}

#[actix_web::test]
async fn an_open_route_may_ask_who_is_there_and_refuses_nobody() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"token\", \"basic\", \"none\"]")
            .get_user_pass(get_user_pass)
            .routes(routes![whoami]),
    );
    let token = fsa.create_token("hobbes").unwrap();
    let srv = serve(fsa);
    let answer = send(srv.get("/whoami")).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "nobody (-)")
    );
    assert_eq!(answer.header("cache-control"), None);
    let answer = send(srv.get("/whoami").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "calvin (basic)")
    );
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let answer = send(srv.get("/whoami").bearer_auth(&token)).await;
    assert_eq!(answer.body, "hobbes (token)");
    // Bad credentials: nobody, not a 401.
    let answer = send(srv.get("/whoami").basic_auth("calvin", "wrong")).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "nobody (-)")
    );
    let answer = send(srv.get("/whoami").bearer_auth("forged")).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "nobody (-)")
    );
    // Its answers vary with the credentials, for caches.
    assert_eq!(answer.header("vary"), Some("Authorization, Cookie"));
}

#[actix_web::test]
async fn an_open_route_asking_who_is_there_still_refuses_a_bad_body() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"param\", \"none\"]")
            .get_user_pass(get_user_pass)
            .routes(routes![whoami]),
    );
    let srv = serve(fsa);
    let request = srv.get("/whoami").content_type("application/json");
    let answer = send_body(request, "{\"USER\": ").await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    let answer = send(srv.get("/whoami?USER=calvin&PASS=hobbes-rules")).await;
    assert_eq!(answer.body, "calvin (param)");
}

#[actix_web::test]
async fn a_panicking_scheme_is_skipped_and_a_hook_registered_again_replaces_the_first() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"broken\", \"basic\"]")
            .authentication("broken", |req: &HttpRequest| -> Option<String> {
                if req.headers().contains_key("Boom") {
                    panic!("a bug in the application's scheme");
                }
                None
            })
            // the first look-up knows nobody; the second replaces it
            .get_user_pass(|_: &str| None::<String>)
            .get_user_pass(get_user_pass)
            .routes(routes![who]),
    );
    let srv = serve(fsa);
    let request = srv
        .get("/who")
        .insert_header(("Boom", "1"))
        .basic_auth("calvin", "hobbes-rules");
    let answer = send(request).await;
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (200, "calvin")
    );
    // Nothing else to try: the 401 of the schemes left.
    let answer = send(srv.get("/who").insert_header(("Boom", "1"))).await;
    assert_eq!(answer.status, 401);
}
