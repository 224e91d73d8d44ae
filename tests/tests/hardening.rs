//! What a stranger can send is bounded in memory, time and CPU, tokens and
//! credentials are checked strictly, and the request reaches no handler it
//! should not (issue 12), over real HTTP.

use actix_web::http::StatusCode;
use fsa_runtime::prelude::*;
use fsa_tests::raw::{self, Response};
use fsa_tests::{
    build, get_user_pass, send, send_body, send_form, send_json, serve, status, status_body,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const SECRET: &str = "a hardening test secret, 32 bytes or more";

#[get("/me", authz = "AUTH")]
async fn me(user: CurrentUser) -> String {
    format!("you are {user}")
}

#[post("/me", authz = "AUTH")]
async fn post_me(user: CurrentUser) -> String {
    format!("you are {user}")
}

#[post("/echo", authz = "OPEN")]
async fn echo(name: Option<String>) -> String {
    format!("hello {}", name.unwrap_or_default())
}

#[post("/rest", authz = "OPEN")]
async fn rest(all: HashMap<String, String>) -> String {
    format!("{} parameters", all.len())
}

#[post("/json", authz = "OPEN")]
async fn json_value(data: serde_json::Value) -> String {
    format!("{} items", data.as_array().map_or(0, Vec::len))
}

#[post("/counts", authz = "OPEN")]
async fn counts(all: HashMap<String, i64>) -> String {
    format!("{} counts", all.len())
}

#[get("/address", authz = "OPEN")]
async fn address(ip: std::net::IpAddr) -> String {
    ip.to_string()
}

#[get("/shadow/<name>", authz = "OPEN")]
async fn shadow(name: String) -> String {
    format!("name {name:?}")
}

#[get("/files/<path:file>", authz = "OPEN")]
async fn files(file: String) -> String {
    format!("file {file:?}")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn jwt(claims: Value) -> String {
    fsa_tests::hs256(&claims, SECRET)
}

/// A dev application with password and JWT authentication.
fn app(more: &str) -> Fsa {
    let config = format!(
        "FSA_MODE = \"dev\"\nFSA_AUTH = [\"token\", \"basic\", \"param\", \"none\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_SECRET = \"{SECRET}\"\n{more}"
    );
    build(
        fsa_tests::from_toml("acme", &config)
            .get_user_pass(get_user_pass)
            .routes(routes![
                me, post_me, echo, rest, json_value, counts, address, shadow, files
            ]),
    )
}

#[actix_web::test]
async fn a_login_longer_than_the_maximum_is_refused_as_a_wrong_password_unlooked_up() {
    static LOOKUPS: AtomicUsize = AtomicUsize::new(0);
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            "FSA_AUTH = [\"basic\", \"param\"]\nFSA_MAX_LOGIN = 20",
        )
        .get_user_pass(|login: &str| {
            LOOKUPS.fetch_add(1, Ordering::SeqCst);
            get_user_pass(login)
        })
        .routes(routes![me, post_me]),
    );
    let srv = serve(fsa);
    let at_limit = "c".repeat(20);
    let answer = send(srv.get("/me").basic_auth(&at_limit, "hobbes-rules")).await;
    assert_eq!(answer.status, 401);
    let wrong_password = answer.body;
    assert_eq!(LOOKUPS.load(Ordering::SeqCst), 1);
    for long in ["c".repeat(21), "x".repeat(1 << 20)] {
        let form = [("USER", long.as_str()), ("PASS", "hobbes-rules")];
        let answer = send_form(srv.post("/me"), &form).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body, wrong_password);
    }
    let long = "c".repeat(21);
    assert_eq!(status(srv.get("/me").basic_auth(&long, "x")).await, 401);
    assert_eq!(
        LOOKUPS.load(Ordering::SeqCst),
        1,
        "a long login was looked up"
    );
}

#[actix_web::test]
async fn the_cache_holds_at_most_its_memory_whatever_the_logins_sent() {
    static LOOKUPS: AtomicUsize = AtomicUsize::new(0);
    // 64 KiB for the cache: a few hundred failed logins at most.
    let fsa = build(
        fsa_tests::from_toml(
            "acme",
            // no throttling: 2,000 failures from one address on purpose
            "FSA_AUTH = [\"basic\"]\nFSA_CACHE_MEMORY = 65536\nFSA_MAX_LOGIN = 250\nFSA_THROTTLE = false",
        )
        .get_user_pass(|login: &str| {
            LOOKUPS.fetch_add(1, Ordering::SeqCst);
            get_user_pass(login)
        })
        .routes(routes![me]),
    );
    let srv = serve(fsa);
    let login = |i: usize| format!("{i:0>240}");
    let ask = |i: usize| status(srv.get("/me").basic_auth(login(i), "wrong"));
    assert_eq!(ask(0).await, 401);
    assert_eq!(ask(0).await, 401);
    assert_eq!(LOOKUPS.load(Ordering::SeqCst), 1, "cached");
    // 2,000 unique logins of 240 bytes: 480 KB of keys, more than the cache
    for i in 1..=2000 {
        ask(i).await;
    }
    assert_eq!(LOOKUPS.load(Ordering::SeqCst), 2001);
    // the first answers were let go: the hook is asked again
    ask(0).await;
    ask(1).await;
    assert!(LOOKUPS.load(Ordering::SeqCst) > 2001, "nothing evicted");
}

#[actix_web::test]
async fn more_parameters_than_the_maximum_get_413_and_a_400_lists_few_problems() {
    let srv = serve(app("FSA_MAX_PARAMS = 100"));
    let form = |n: usize| -> Vec<(String, String)> {
        (0..n).map(|i| (format!("p{i}"), i.to_string())).collect()
    };
    let answer = send_form(srv.post("/rest"), &form(100)).await;
    assert_eq!(answer.status_body(), (200, "100 parameters".into()));
    let answer = send_form(srv.post("/rest"), &form(101)).await;
    assert_eq!(
        answer.status_body(),
        (413, "too many request parameters: at most 100".into())
    );
    // the query counts too; a JSON body's members as well
    let answer = send_form(srv.post("/rest?q=1"), &form(100)).await;
    assert_eq!(answer.status, 413);
    let members: serde_json::Map<String, Value> =
        (0..101).map(|i| (format!("p{i}"), json!("v"))).collect();
    assert_eq!(send_json(srv.post("/rest"), &members).await.status, 413);
    // 60 unexpected names, 100 bytes each: 20 listed, the rest counted
    let long: Vec<(String, String)> = (0..60)
        .map(|i| (format!("{i:x>100}"), "v".into()))
        .collect();
    let answer = send_form(srv.post("/echo"), &long).await;
    assert_eq!(answer.status, 400);
    let text = answer.body;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 21, "{text}");
    assert_eq!(lines[20], "... and 40 more");
    assert!(text.len() < 2000, "{} bytes", text.len());
    assert!(lines[0].ends_with("x...\""), "{}", lines[0]);
}

#[actix_web::test]
async fn multipart_parts_count_against_the_maximum() {
    let srv = serve(app("FSA_MAX_PARAMS = 5"));
    let body: String = (0..6)
        .map(|i| format!("--x\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\nv\r\n"))
        .collect::<String>()
        + "--x--\r\n";
    let request = srv
        .post("/rest")
        .insert_header(("content-type", "multipart/form-data; boundary=x"));
    assert_eq!(send_body(request, body).await.status, 413);
}

/// Sends `head` then `body` a byte every `pause`, reading the answer.
fn slow_request(addr: &str, head: &str, body: &[u8], pause: Duration) -> (Response, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let body = body.to_vec();
    std::thread::spawn(move || {
        for byte in body {
            if writer.write_all(&[byte]).is_err() {
                break;
            }
            std::thread::sleep(pause);
        }
    });
    let mut bytes = Vec::new();
    let mut chunk = [0; 4096];
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        bytes.extend(&chunk[..n]);
        if let Some(response) = Response::parse(&bytes) {
            if response.body.len() >= 20 {
                break;
            }
        }
    }
    (
        Response::parse(&bytes).expect("an answer"),
        started.elapsed(),
    )
}

#[actix_web::test]
async fn a_body_sent_too_slowly_gets_408_after_the_timeout() {
    let srv = serve(app("FSA_BODY_TIMEOUT = 1.0"));
    let addr = srv.addr().to_string();
    let body = b"USER=calvin&PASS=hobbes-rules&name=x";
    let head = format!(
        "POST /me HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // param authentication reads the body before any credential
    let (response, took) = tokio::task::spawn_blocking(move || {
        slow_request(&addr, &head, body, Duration::from_millis(200))
    })
    .await
    .unwrap();
    assert_eq!(response.status, 408, "{}", response.text());
    assert!(
        response
            .text()
            .starts_with("request body not received within 1 seconds"),
        "{}",
        response.text()
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // at full speed, the same request passes
    let res = srv
        .post("/me")
        .send_form(&[("USER", "calvin"), ("PASS", "hobbes-rules")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[actix_web::test]
async fn jwts_are_valid_from_nbf_and_name_a_nonempty_subject() {
    let srv = serve(app(""));
    let get = |token: String| srv.get("/me").bearer_auth(token);
    let claims = |extra: Value| {
        let mut claims = json!({"sub": "calvin", "aud": "acme", "exp": now() + 600});
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };
    assert_eq!(status(get(jwt(claims(json!({}))))).await, 200);
    let past = json!({"nbf": now() - 60});
    assert_eq!(status(get(jwt(claims(past)))).await, 200);
    let tomorrow = json!({"nbf": now() + 86_400});
    assert_eq!(status(get(jwt(claims(tomorrow)))).await, 401);
    let empty = json!({"sub": ""});
    assert_eq!(
        status_body(get(jwt(claims(empty)))).await,
        (401, "empty login".into())
    );
    let mut missing = claims(json!({}));
    missing.as_object_mut().unwrap().remove("sub");
    assert_eq!(status(get(jwt(missing))).await, 401);
}

#[actix_web::test]
async fn a_custom_scheme_naming_the_empty_login_is_refused() {
    let fsa = build(
        fsa_tests::from_toml("acme", "FSA_AUTH = [\"empty\"]")
            .authentication("empty", |_: &HttpRequest| Some(String::new()))
            .routes(routes![me]),
    );
    let srv = serve(fsa);
    assert_eq!(status(srv.get("/me")).await, 401);
}

#[actix_web::test]
async fn bearer_in_any_case_and_one_authorization_header_only() {
    let fsa = app("");
    let token = fsa.create_token("calvin").unwrap();
    let srv = serve(fsa);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let authorization = ("authorization", format!("{scheme} {token}"));
        let status = status(srv.get("/me").insert_header(authorization)).await;
        assert_eq!(status, 200, "{scheme}");
    }
    // two credentials: refused, whichever comes first
    let basic = "Basic Y2FsdmluOmhvYmJlcy1ydWxlcw==";
    for (first, second) in [(basic, "Bearer x"), ("Bearer x", basic)] {
        let twice = srv
            .get("/me")
            .append_header(("authorization", first))
            .append_header(("authorization", second));
        assert_eq!(
            status_body(twice).await,
            (400, "several Authorization headers: send one".into())
        );
    }
}

#[actix_web::test]
async fn a_token_header_sent_twice_is_refused() {
    let config = format!(
        "FSA_AUTH = [\"token\"]\nFSA_TOKEN_CARRIER = \"header\"\nFSA_TOKEN_SECRET = \"{SECRET}\""
    );
    let fsa = build(fsa_tests::from_toml("acme", &config).routes(routes![me]));
    let token = fsa.create_token("calvin").unwrap();
    let srv = serve(fsa);
    let header = ("Auth", token.as_str());
    assert_eq!(status(srv.get("/me").insert_header(header)).await, 200);
    let twice = srv.get("/me").append_header(header).append_header(header);
    assert_eq!(status(twice).await, 400);
}

#[actix_web::test]
async fn path_variables_are_decoded_as_flask_does() {
    let srv = serve(app(""));
    let addr = srv.addr().to_string();
    let get = |path: &str| raw::request(&addr, "GET", path, &[], None);
    let cases: &[(&str, u16, &str)] = &[
        ("/shadow/plain", 200, "name \"plain\""),
        ("/shadow/%C3%A9t%C3%A9", 200, "name \"été\""),
        ("/shadow/a%2Bb", 200, "name \"a+b\""),
        ("/shadow/a+b", 200, "name \"a+b\""),
        ("/shadow/100%25", 200, "name \"100%\""),
        ("/shadow/%2541", 200, "name \"%41\""),
        ("/shadow/a%00b", 400, "control character in path"),
        ("/shadow/a%0D%0Ab", 400, "control character in path"),
        ("/shadow/a%09b", 400, "control character in path"),
        ("/shadow/a%FFb", 400, "invalid UTF-8 in path"),
        // Flask would not route a / to a string variable
        ("/shadow/a%2Fb", 404, fsa_tests::NOT_FOUND),
        ("/files/a%2Fb/c", 200, "file \"a/b/c\""),
    ];
    for (path, status, text) in cases {
        let response = get(path);
        assert_eq!(response.status, *status, "{path}: {}", response.text());
        assert_eq!(response.text(), *text, "{path}");
    }
}

#[test]
fn unsafe_configurations_are_start_up_errors_saying_what_to_write() {
    let problems = |text: &str| -> Vec<String> {
        match Fsa::from_toml_str("acme", text)
            .unwrap()
            .get_user_pass(get_user_pass)
            .routes(routes![me])
            .build()
        {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    };
    // prod mode (the default) with routes that accept tokens
    let found = problems("FSA_AUTH = \"basic\"");
    assert!(
        found[0].contains("FSA_TOKEN_SECRET is required in prod mode"),
        "{found:?}"
    );
    assert!(found[0].contains("openssl rand"), "{found:?}");
    let short = format!(
        "FSA_AUTH = \"basic\"\nFSA_TOKEN_SECRET = \"{}\"",
        "s".repeat(31)
    );
    let found = problems(&short);
    assert!(
        found[0].contains("FSA_TOKEN_SECRET is 31 bytes"),
        "{found:?}"
    );
    let enough = format!(
        "FSA_AUTH = \"basic\"\nFSA_TOKEN_SECRET = \"{}\"",
        "s".repeat(32)
    );
    assert!(problems(&enough).is_empty());
    // even when no route takes tokens (handlers may make them), unless
    // tokens are off; in dev mode, a warning only
    let found = problems("FSA_AUTH = [\"basic\"]");
    assert!(
        found[0].contains("or FSA_TOKEN_TYPE = \"none\""),
        "{found:?}"
    );
    assert!(problems("FSA_AUTH = [\"basic\"]\nFSA_TOKEN_TYPE = \"none\"").is_empty());
    assert!(problems("FSA_AUTH = \"basic\"\nFSA_MODE = \"dev\"").is_empty());
    // a public key is no HMAC secret
    let public = include_str!("../../fsa-runtime/tests/data/ec256-public.pem");
    let es256 = format!(
        "FSA_AUTH = \"basic\"\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ALGO = \"ES256\"\nFSA_TOKEN_SECRET = \"\"\"{public}\"\"\""
    );
    assert!(problems(&es256).is_empty(), "{:?}", problems(&es256));
    // CORS: any origin with credentials
    let cors = |opts: &str| {
        let text = format!(
            "FSA_AUTH = [\"basic\"]\nFSA_TOKEN_TYPE = \"none\"\nFSA_CORS = true\nFSA_CORS_OPTS = {opts}"
        );
        problems(&text)
    };
    let found = cors("{ supports_credentials = true }");
    assert!(found[0].contains("list the origins"), "{found:?}");
    assert!(cors("{ supports_credentials = true, origins = [\"https://a.example\"] }").is_empty());
    // a sandboxed frame's origin is "null": never with credentials
    let found = cors("{ supports_credentials = true, origins = [\"null\"] }");
    assert!(found[0].contains("\"null\""), "{found:?}");
    assert!(cors("{ origins = [\"null\"] }").is_empty());
    // "*" is all origins alone, not an item of a list
    let found = cors("{ origins = [\"https://a.example\", \"*\"] }");
    assert!(found[0].contains("\"*\""), "{found:?}");
}

#[actix_web::test]
async fn json_bodies_hold_at_most_100_000_values_and_errors_quote_little() {
    let srv = serve(app(""));
    // {"data": [0, ...]}: the object, the array and its items
    let body = |items: usize| format!("{{\"data\": [{}]}}", vec!["0"; items].join(","));
    let post = |text: String| {
        let request = srv
            .post("/json")
            .insert_header(("content-type", "application/json"));
        send_body(request, text)
    };
    let answer = post(body(99_998)).await;
    assert_eq!(answer.status_body(), (200, "99998 items".into()));
    let answer = post(body(99_999)).await;
    assert_eq!(
        answer.status_body(),
        (413, "too many JSON values: at most 100000".into())
    );
    // an HTTP value holding JSON is bounded the same way
    let form = [("data", format!("[{}]", vec!["0"; 100_000].join(",")))];
    let answer = send_form(srv.post("/json"), &form).await;
    assert_eq!(answer.status, 400);
    assert!(answer.body.contains("too many JSON values"));
    // a conversion error quotes at most a few hundred characters
    let long = "1".repeat(2000);
    let answer = send(srv.get(format!("/address?ip={long}"))).await;
    assert_eq!(answer.status, 400);
    assert!(answer.body.len() < 500);
    // a map of values lists 20 problems, then how many more
    let bad: Vec<(String, String)> = (0..60).map(|i| (format!("n{i}"), "x".into())).collect();
    let answer = send_form(srv.post("/counts"), &bad).await;
    assert_eq!(answer.status, 400);
    let text = answer.body;
    assert_eq!(text.matches("expected an integer").count(), 20, "{text}");
    assert!(text.ends_with("... and 40 more"), "{text}");
}

#[actix_web::test]
async fn a_body_fsa_does_not_read_is_not_waited_for() {
    let srv = serve(app("FSA_BODY_TIMEOUT = 60.0"));
    let addr = srv.addr().to_string();
    for (path, expected) in [("/me", 401), ("/shadow/x", 200), ("/nowhere", 404)] {
        // chunks every half second, forever: the answer comes, the
        // connection closes, whatever the route
        let head =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n");
        let body = b"1\r\na\r\n".repeat(100);
        let addr = addr.clone();
        let (response, took) = tokio::task::spawn_blocking(move || {
            slow_request(&addr, &head, &body, Duration::from_millis(100))
        })
        .await
        .unwrap();
        assert_eq!(response.status, expected, "{path}");
        assert!(took < Duration::from_secs(5), "{path}: {took:?}");
        assert_eq!(response.header("connection"), Some("close"), "{path}");
    }
}

#[actix_web::test]
async fn request_headers_are_bounded_at_fsa_max_header_size() {
    let srv = serve(app("FSA_MAX_HEADER_SIZE = 1000"));
    let addr = srv.addr().to_string();
    // raw::request sends Host and Connection: close besides X-Pad; fsa
    // counts each header's name and value.
    let fixed = "host".len() + addr.len() + "connection".len() + "close".len() + "x-pad".len();
    let pad = |n: usize| "p".repeat(n);
    let at_limit = pad(1000 - fixed);
    let answer = raw::request(&addr, "POST", "/echo", &[("X-Pad", &at_limit)], None);
    assert_eq!((answer.status, answer.text().as_str()), (200, "hello "));
    let over = pad(1001 - fixed);
    let answer = raw::request(&addr, "POST", "/echo", &[("X-Pad", &over)], None);
    assert_eq!(answer.status, 431);
    assert_eq!(
        answer.text(),
        "request headers too large: at most 1000 bytes"
    );
    // Far beyond, actix's own parser refuses the head with a 431 too.
    let huge = pad(64 * 1024);
    let answer = raw::request(&addr, "POST", "/echo", &[("X-Pad", &huge)], None);
    assert_eq!(answer.status, 431);
    assert_eq!(raw::request(&addr, "POST", "/echo", &[], None).status, 200);
}
