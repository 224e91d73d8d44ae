//! Login throttling (issue 16): failed authentications are counted per
//! login and per client address in a window; past a budget, 429 with
//! `Retry-After` before any hash is computed, unknown logins exactly as
//! known ones; counts shared by the instances of a Redis cache; password
//! hashes computed a few at a time.

use fsa_runtime::prelude::*;
use fsa_tests::{build, get_user_pass, send, serve, status};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[get("/who", authz = "AUTH")]
async fn who(user: CurrentUser) -> String {
    user.0
}

/// An application whose `get_user_pass` calls are counted.
fn app(config: &str) -> (Fsa, Arc<AtomicUsize>) {
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            &format!("FSA_AUTH = [\"token\", \"basic\"]\n{config}"),
        )
        .get_user_pass(move |login: &str| {
            counted.fetch_add(1, Ordering::SeqCst);
            get_user_pass(login)
        })
        .routes(routes![who]),
    );
    (fsa, lookups)
}

#[actix_web::test]
async fn a_login_past_its_budget_gets_429_before_any_look_up_known_or_not() {
    let (fsa, lookups) = app("FSA_THROTTLE = { login = 3, address = 1000, window = 3600 }");
    let srv = serve(fsa);
    let attempt = |login: &str, password: &str| send(srv.get("/who").basic_auth(login, password));
    let mut answers = Vec::new();
    for login in ["calvin", "nobody"] {
        for _ in 0..3 {
            assert_eq!(attempt(login, "wrong").await.status, 401);
        }
        let looked_up = lookups.load(Ordering::SeqCst);
        let refused = attempt(login, "wrong").await;
        assert_eq!(refused.status, 429, "{login}");
        assert_eq!(
            lookups.load(Ordering::SeqCst),
            looked_up,
            "no look-up, no hash"
        );
        let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=3600).contains(&retry), "{retry}");
        assert!(refused
            .body
            .starts_with("too many failed authentications: retry in "));
        answers.push((
            refused.status,
            refused.body.split(" retry in ").next().map(str::to_string),
        ));
    }
    assert_eq!(
        answers[0], answers[1],
        "an unknown login is answered as a known one"
    );
    // The right password too, for the rest of the window.
    assert_eq!(attempt("calvin", "hobbes-rules").await.status, 429);
    // Another login from the same address: its own budget.
    assert_eq!(attempt("hobbes", "short").await.status, 200);
}

#[actix_web::test]
async fn an_address_past_its_budget_gets_429_whatever_the_login() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 100, address = 5, window = 3600 }");
    let srv = serve(fsa);
    for i in 0..5 {
        let login = format!("user{i}");
        assert_eq!(
            status(srv.get("/who").basic_auth(&login, "wrong")).await,
            401
        );
    }
    let answer = send(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await;
    assert_eq!(answer.status, 429);
    assert!(answer.header("retry-after").is_some());
}

#[actix_web::test]
async fn counts_end_with_their_window() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 1, address = 1000, window = 1 }");
    let srv = serve(fsa);
    let wrong = || status(srv.get("/who").basic_auth("calvin", "wrong"));
    let right = || send(srv.get("/who").basic_auth("calvin", "hobbes-rules"));
    // A window of 1 s: this failure and the next refusal may straddle a
    // boundary, so wait for one, then count.
    let mut refused = None;
    for _ in 0..3 {
        assert_eq!(wrong().await, 401);
        let answer = right().await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("a 429 within three windows");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(retry, 1);
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(right().await.status, 200, "a new window");
}

#[actix_web::test]
async fn invalid_tokens_count_for_their_address_and_valid_ones_pass() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 100, address = 3, window = 3600 }");
    let token = fsa.create_token("calvin").unwrap();
    let srv = serve(fsa);
    for _ in 0..3 {
        assert_eq!(
            status(srv.get("/who").bearer_auth("acme:forged:1:x")).await,
            401
        );
    }
    let answer = send(srv.get("/who").bearer_auth("acme:forged:1:x")).await;
    assert_eq!(answer.status, 429);
    assert!(answer.header("retry-after").is_some());
    assert_eq!(status(srv.get("/who").bearer_auth(&token)).await, 200);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_budget() {
    let (fsa, _) = app(
        "FSA_THROTTLE = { login = 100, address = 2, window = 3600 }\nFSA_TRUSTED_PROXIES = [\"127.0.0.1\"]",
    );
    let srv = serve(fsa);
    let from = |client: &'static str| {
        srv.get("/who")
            .basic_auth("calvin", "wrong")
            .insert_header(("X-Forwarded-For", client))
            .insert_header(("X-Forwarded-Proto", "https"))
    };
    for _ in 0..2 {
        assert_eq!(status(from("203.0.113.1")).await, 401);
    }
    assert_eq!(status(from("203.0.113.1")).await, 429);
    assert_eq!(status(from("203.0.113.2")).await, 401, "another client");
}

#[actix_web::test]
async fn off_counts_nothing() {
    let (fsa, _) = app("FSA_THROTTLE = false");
    let srv = serve(fsa);
    for _ in 0..30 {
        assert_eq!(
            status(srv.get("/who").basic_auth("calvin", "wrong")).await,
            401
        );
    }
    assert_eq!(
        status(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await,
        200
    );
}

#[actix_web::test]
async fn instances_sharing_redis_allow_the_budget_once() {
    let Some(redis) = fsa_tests::redis::redis() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let shared = format!(
        "FSA_CACHE = \"redis\"\nFSA_CACHE_OPTS = {{ url = \"{}\" }}\nFSA_CACHE_PREFIX = \"throttle-test:{}:{nanos}:\"\nFSA_THROTTLE = {{ login = 4, address = 1000, window = 3600 }}",
        redis.url,
        std::process::id()
    );
    let (a, _) = app(&shared);
    let (b, _) = app(&shared);
    let (srv_a, srv_b) = (serve(a), serve(b));
    for srv in [&srv_a, &srv_b, &srv_a, &srv_b] {
        assert_eq!(
            status(srv.get("/who").basic_auth("calvin", "wrong")).await,
            401
        );
    }
    for srv in [&srv_a, &srv_b] {
        let answer = send(srv.get("/who").basic_auth("calvin", "hobbes-rules")).await;
        assert_eq!(answer.status, 429, "four failures in all");
    }
}

#[actix_web::test]
async fn password_hashes_are_computed_a_few_at_a_time() {
    // One hash at a time, a turn waited for 50 ms at most: with a slow
    // hash, concurrent checks beyond the first get 503 rather than fill
    // the blocking threads.
    let config = "FSA_PASSWORD_OPTS = { rounds = 12 }\nFSA_PASSWORD_CONCURRENCY = 1\nFSA_PASSWORD_QUEUE = 0.05\nFSA_THROTTLE = false";
    let hasher = build(fsa_tests::from_toml(
        "acme",
        &format!("FSA_AUTH = \"basic\"\n{config}"),
    ));
    let slow = hasher.hash_password("a slow password").await.unwrap();
    let fsa = build(
        fsa_tests::from_toml("acme", &format!("FSA_AUTH = [\"basic\"]\n{config}"))
            .get_user_pass(move |_: &str| Some(slow.clone()))
            .routes(routes![who]),
    );
    let srv = serve(fsa);
    let attempts = (0..4).map(|_| send(srv.get("/who").basic_auth("calvin", "a slow password")));
    let answers = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    let busy: Vec<_> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(!busy.is_empty(), "{statuses:?}");
    assert_eq!(busy[0].header("retry-after"), Some("1"));
    assert_eq!(
        busy[0].body,
        "too many password checks at once: retry in 1 s"
    );
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
}

/// The statuses of `n` wrong-password requests for calvin sent at once.
async fn at_once(srv: &actix_test::TestServer, n: usize) -> Vec<u16> {
    let requests = (0..n).map(|_| status(srv.get("/who").basic_auth("calvin", "wrong")));
    futures_util::future::join_all(requests).await
}

#[actix_web::test]
async fn requests_sent_at_once_get_no_more_tries_than_the_budget() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 5, address = 1000, window = 3600 }");
    let srv = serve(fsa);
    let statuses = at_once(&srv, 40).await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, refused), (5, 35), "{statuses:?}");
}

#[actix_web::test]
async fn instances_sharing_redis_allow_the_budget_once_even_at_once() {
    let Some(redis) = fsa_tests::redis::redis() else {
        return;
    };
    let shared = format!(
        "FSA_CACHE = \"redis\"\nFSA_CACHE_OPTS = {{ url = \"{}\" }}\nFSA_CACHE_PREFIX = \"throttle-once:{}:{:?}:\"\nFSA_THROTTLE = {{ login = 6, address = 1000, window = 3600 }}",
        redis.url,
        std::process::id(),
        std::time::SystemTime::now()
    );
    let (a, _) = app(&shared);
    let (b, _) = app(&shared);
    let (srv_a, srv_b) = (serve(a), serve(b));
    let (from_a, from_b) =
        futures_util::future::join(at_once(&srv_a, 20), at_once(&srv_b, 20)).await;
    let wrong = from_a.iter().chain(&from_b).filter(|s| **s == 401).count();
    assert_eq!(wrong, 6, "{from_a:?} {from_b:?}");
}

#[actix_web::test]
async fn a_success_is_no_failure_and_resets_none() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 3, address = 1000, window = 3600 }");
    let srv = serve(fsa);
    let attempt = |password: &str| status(srv.get("/who").basic_auth("calvin", password));
    assert_eq!(attempt("wrong").await, 401);
    assert_eq!(attempt("wrong").await, 401);
    // Successes, however many, take no try and give none back.
    for _ in 0..10 {
        assert_eq!(attempt("hobbes-rules").await, 200);
    }
    assert_eq!(attempt("wrong").await, 401);
    assert_eq!(attempt("wrong").await, 429);
    assert_eq!(attempt("hobbes-rules").await, 429, "the login is throttled");
}

#[actix_web::test]
async fn expired_tokens_are_not_counted_as_failures() {
    let (fsa, _) = app("FSA_THROTTLE = { login = 10, address = 2, window = 3600 }");
    let expired = fsa
        .create_token_with(
            "calvin",
            &fsa_runtime::tokens::TokenOptions {
                delay: Some(-1.0),
                ..Default::default()
            },
        )
        .unwrap();
    let srv = serve(fsa);
    // A tab still polling with its expired token.
    for _ in 0..5 {
        let answer = send(srv.get("/who").bearer_auth(&expired)).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body, "expired fsa auth token");
    }
    // A forged one is counted.
    // Its last signature character changed (a token ending in 0 gets a 1).
    let last = if expired.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &expired[..expired.len() - 1]);
    let statuses = [
        status(srv.get("/who").bearer_auth(&forged)).await,
        status(srv.get("/who").bearer_auth(&forged)).await,
        status(srv.get("/who").bearer_auth(&forged)).await,
    ];
    assert_eq!(statuses, [401, 401, 429]);
}
