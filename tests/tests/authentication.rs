//! Authentication over real HTTP: every scheme, carrier and token type
//! (SPEC 1.4, 1.5, 5), and FlaskSimpleAuth's own tokens (fsa-runtime/tests/data).

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_runtime::tokens::TokenOptions;
use fsa_tests::{body_text, build, get_user_pass, serve, vectors};
use serde_json::{json, Value};

const SECRET: &str = "interop test secret, not for production";

#[get("/who", authz = "AUTH")]
async fn who(user: CurrentUser) -> String {
    user.0
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
        .routes(routes![who, login, mfa_start, mfa_done]),
    )
}

/// A token for calvin from the `/login` route (basic authentication).
async fn calvin_token(srv: &actix_test::TestServer) -> String {
    let mut res = srv
        .get("/login")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
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
    let mut res = srv
        .get("/login")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let token: String = res.json().await.unwrap();
    assert!(token.starts_with("Acme-Test:calvin:"), "{token}");
    let mut res = srv.get("/who").bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "calvin");
    assert_eq!(
        res.headers().get("fsa-user"),
        None,
        "prod mode: no dev headers"
    );
    // The login route takes basic only.
    assert_eq!(
        srv.get("/login")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A tampered signature is refused.
    let mut bad = token.clone();
    bad.pop();
    bad.push(if token.ends_with('0') { '1' } else { '0' });
    assert_eq!(
        srv.get("/who")
            .bearer_auth(&bad)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn a_401_challenges_with_every_scheme_of_the_route() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let res = srv.get("/who").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers().get("www-authenticate").unwrap(),
        "Basic realm=\"Acme-Test\", Bearer realm=\"Acme-Test\""
    );
    let res = srv.get("/login").send().await.unwrap();
    assert_eq!(
        res.headers().get("www-authenticate").unwrap(),
        "Basic realm=\"Acme-Test\""
    );
    // A scheme whose credentials are sent and refused explains the 401,
    // rather than the last scheme, whose credentials are absent.
    let mut res = srv.get("/who").bearer_auth("nope").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "invalid fsa token");
    let mut res = srv
        .get("/who")
        .basic_auth("calvin", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(body_text(&mut res).await, "invalid login or password");
    let mut res = srv.get("/who").send().await.unwrap();
    assert_eq!(body_text(&mut res).await, "missing authorization header");
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
        let mut res = srv.get("/who").bearer_auth(token).send().await.unwrap();
        let expected = if v["expect_valid"].as_bool().unwrap() {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(res.status(), expected, "{token} with {config}");
        if expected == StatusCode::OK {
            assert_eq!(body_text(&mut res).await, v["user"].as_str().unwrap());
        } else {
            assert!(
                !body_text(&mut res).await.contains(token),
                "the body must not echo the token"
            );
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
        let res = srv.get("/who").bearer_auth(token).send().await.unwrap();
        let expected = if v["expect_valid"].as_bool().unwrap() {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(res.status(), expected, "{token} with {config}");
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
    let mut res = srv.get("/who").bearer_auth(&good).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "calvin");
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
        let res = srv.get("/who").bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{why}");
    }
}

#[actix_web::test]
async fn a_token_for_one_realm_is_refused_in_another() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let mut res = srv
        .get("/mfa/start")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    let mfa_token = body_text(&mut res).await;
    assert!(mfa_token.starts_with("acme-mfa:calvin:"), "{mfa_token}");
    let mut res = srv
        .get("/mfa/done")
        .bearer_auth(&mfa_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "second stage for calvin");
    assert_eq!(
        srv.get("/who")
            .bearer_auth(&mfa_token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let app_token = calvin_token(&srv).await;
    assert_eq!(
        srv.get("/mfa/done")
            .bearer_auth(&app_token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn tokens_travel_in_headers_cookies_and_parameters() {
    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"header\"\nFSA_TOKEN_NAME = \"X-Token\"");
    let token = fsa.create_token("hobbes").unwrap();
    let srv = serve(fsa);
    let res = srv
        .get("/who")
        .insert_header(("X-Token", token.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let fsa = app("FSA_AUTH = [\"token\", \"basic\"]\nFSA_TOKEN_CARRIER = \"param\"");
    let token = fsa.create_token("hobbes").unwrap();
    let srv = serve(fsa);
    let res = srv
        .get("/who")
        .query(&[("AUTH", token.as_str())])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the token parameter is not unexpected"
    );
    let res = srv
        .post("/who")
        .send_form(&[("AUTH", token.as_str())])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);

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
    let mut res = srv.get("/who").cookie(cookie).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "calvin");
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
    assert!(res.cookie("auth").is_none(), "a fresh cookie is kept");
    let res = srv
        .get("/who")
        .cookie(actix_web::cookie::Cookie::new("auth", old))
        .send()
        .await
        .unwrap();
    assert!(
        res.cookie("auth").is_some(),
        "a cookie with 10 of 60 minutes left is renewed"
    );
}

#[actix_web::test]
async fn cached_token_checks_can_be_forgotten() {
    let fsa = who_only("FSA_AUTH = \"token\"");
    let token = fsa.create_token("calvin").unwrap();
    assert_eq!(fsa.check_token(&token, None).unwrap(), "calvin");
    assert!(fsa.token_uncache(&token, "Acme-Test"));
    assert!(!fsa.token_uncache(&token, "Acme-Test"));
    assert_eq!(fsa.check_token(&token, None).unwrap(), "calvin");
    assert!(fsa.user_token_uncache("calvin", "Acme-Test"));
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
        fsa.check_token(&expired, None).unwrap_err().message(),
        "expired fsa auth token"
    );
}

#[actix_web::test]
async fn param_and_password_schemes_read_request_parameters() {
    let srv = serve(app("FSA_AUTH = \"password\""));
    let mut res = srv.post("/who").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    drop(body_text(&mut res).await);
    let res = srv
        .get("/who")
        .query(&[("USER", "calvin"), ("PASS", "hobbes-rules")])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("fsa-user"), None);
    let mut res = srv
        .get("/who")
        .query(&[("USER", "calvin")])
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body_text(&mut res).await,
        "missing param password parameter: PASS"
    );
    let res = srv
        .get("/who")
        .basic_auth("calvin", "hobbes-rules")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn fake_authentication_trusts_loopback_peers_only() {
    let fsa = who_only("FSA_AUTH = [\"fake\"]\nFSA_MODE = \"dev\"");
    let srv = serve(fsa.clone());
    let mut res = srv.get("/who?LOGIN=susie").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("fsa-user").unwrap(), "susie (fake)");
    assert_eq!(body_text(&mut res).await, "susie");
    let service = actix_web::test::init_service(fsa.app()).await;
    let remote = actix_web::test::TestRequest::get()
        .uri("/who?LOGIN=susie")
        .peer_addr("192.0.2.7:4242".parse().unwrap())
        .to_request();
    let res = actix_web::test::call_service(&service, remote).await;
    assert_ne!(
        res.status(),
        StatusCode::OK,
        "FSA_SECURE or fake must refuse a remote peer"
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
    let mut res = srv
        .get("/who")
        .insert_header(("X-Remote-User", "moe"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(body_text(&mut res).await, "moe");
    assert_eq!(
        srv.get("/who").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
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
    let mut res = srv.get("/who").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers().get("oops").unwrap(), "missing Code");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"oops": "Missing Code authentication header"})
    );
    let mut res = srv
        .get("/who")
        .insert_header(("Code", "hobbes"))
        .send()
        .await
        .unwrap();
    assert_eq!(body_text(&mut res).await, "hobbes");
}

#[actix_web::test]
async fn fsa_auth_default_restricts_routes_without_authn() {
    let srv = serve(app(
        "FSA_AUTH = [\"token\", \"basic\"]\nFSA_AUTH_DEFAULT = \"token\"",
    ));
    assert_eq!(
        srv.get("/who")
            .basic_auth("calvin", "hobbes-rules")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let token = calvin_token(&srv).await;
    assert_eq!(
        srv.get("/who")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
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
    let rosalyn = || srv.get("/who").basic_auth("rosalyn", "hobbes-rules");
    assert_eq!(
        rosalyn().send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    users
        .lock()
        .unwrap()
        .push(("rosalyn".into(), fsa_tests::CALVIN_HASH.into()));
    assert_eq!(
        rosalyn().send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "the unknown user is cached"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(fsa.password_uncache("rosalyn"));
    assert_eq!(rosalyn().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(rosalyn().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the hash is cached");
    // clear_caches forgets everything: the hook is asked again.
    fsa.clear_caches();
    assert_eq!(rosalyn().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[actix_web::test]
async fn an_issuer_is_required_once_configured_and_audiences_may_be_lists() {
    let srv = serve(who_only(
        "FSA_AUTH = \"token\"\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"acme-issuer\"",
    ));
    let later = 4_000_000_000u64;
    let status = |token: String| {
        let request = srv.get("/who").bearer_auth(token);
        async move { request.send().await.unwrap().status() }
    };
    let claims = |extra: Value| {
        let mut claims = json!({"sub": "calvin", "aud": "Acme-Test", "exp": later});
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        jwt(claims, SECRET)
    };
    assert_eq!(
        status(claims(json!({"iss": "acme-issuer"}))).await,
        StatusCode::OK
    );
    assert_eq!(
        status(claims(json!({}))).await,
        StatusCode::UNAUTHORIZED,
        "no iss"
    );
    assert_eq!(
        status(claims(json!({"iss": "other"}))).await,
        StatusCode::UNAUTHORIZED
    );
    let listed = claims(json!({"iss": "acme-issuer", "aud": ["other", "Acme-Test"]}));
    assert_eq!(status(listed).await, StatusCode::OK, "aud as a list");
}

#[actix_web::test]
async fn the_basic_scheme_name_is_case_insensitive() {
    let srv = serve(app("FSA_AUTH = [\"token\", \"basic\"]"));
    let credentials = "Y2FsdmluOmhvYmJlcy1ydWxlcw=="; // calvin:hobbes-rules
    for scheme in ["Basic", "basic", "BASIC"] {
        let res = srv
            .get("/who")
            .insert_header(("Authorization", format!("{scheme} {credentials}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{scheme}");
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
}

#[test]
fn fake_authentication_needs_a_dev_or_debug_mode() {
    let error = fsa_tests::from_toml("acme", "FSA_AUTH = [\"fake\"]")
        .build()
        .unwrap_err();
    assert!(error.problems()[0].contains("FSA_MODE"), "{error}");
}
